/**
 * The simulator's starting data: the default seed (deterministic ids and API keys, the magic
 * identities of docs/simulator.md), and the fixtures and records of a seed (seed files: seed-file.ts).
 */
import { createHash } from 'node:crypto';
import { issueApiKey } from './auth.ts';
import { CONTACT_POINT_WRITERS, changedContact } from './contacts.ts';
import { type Employee, hashPassword, seedEmployeeLogin } from './employees.ts';
import type {
  AuthorityType,
  CompanyAddress,
  Contact,
  ContactGroupRecord,
  ContactPoint,
  Organisation,
  OrganisationType,
  Protocol,
  PublicRegistrationStatus,
  RegistrationStatus,
  StandardSystemTemplateRecord,
  SystemRecord,
  SystemRole,
  TemplateFields,
} from './model.ts';
import { mailboxIdOf } from './system-fetches.ts';

export interface SeedOrganisation {
  id: string;
  cvrNumber: string;
  name: string;
  type: OrganisationType;
  mandatoryPostAllowed?: boolean;
  legalNotificationAllowed?: boolean;
  /** What kind of authority (authorities only; default `OTHER`). */
  authorityType?: AuthorityType;
}

export interface SeedSystem {
  id: string;
  organisationId: string;
  name: string;
  roles: SystemRole[];
  protocol: Protocol;
  /** The secret half of the API key (a UUID); the key is base64 of `<id>:<secret>`. */
  apiKeySecret: string;
  sshUsername?: string | null;
  /** OpenSSH public key lines the SFTP user may log in with. */
  sshPublicKeys?: string[];
  endpoint?: string;
  receiptEndpoint?: string;
  allowedIps?: string[];
  activeFrom?: string | null;
  activeTo?: string;
}

export interface SeedContactPoint {
  id: string;
  organisationId: string;
  name: string;
  systemId?: string;
  /** Public description; default: none. */
  description?: string;
  /** Whether searches show it; default true. */
  visible?: boolean;
  /** Who may write to it; default all three. */
  targets?: Array<'CITIZEN' | 'COMPANY' | 'AUTHORITY'>;
  /** The keywords it is found by; default none. */
  searchTerms?: string[];
  /** Contact groups of the same organisation the point is placed in (default: none, top level). */
  contactGroupIds?: string[];
}

/** A contact group of an authority's contact structure (admin.md §2.1). */
export interface SeedContactGroup {
  id: string;
  organisationId: string;
  name: string;
  description?: string;
  organisationalUnit?: boolean;
  /** The group it is placed under (same organisation); none: a root. */
  parentId?: string;
  postkasseIds?: number[];
}

export interface SeedCitizen {
  cprNumber: string;
  name: string;
  publicRegistrationStatus: PublicRegistrationStatus;
  registrationStatus: RegistrationStatus;
  /** When an EXEMPT citizen's exemption began (`2024-01-01`); default: the seed's date, 2024-01-01. */
  exemptionStart?: string;
  /** A confirmed NemSMS subscription. */
  nemSmsMobileNumber?: string;
  /** Business receipts for this citizen's mail come this late (ISO duration or ms). */
  receiptDelayMs?: number;
}

export interface SeedCompany {
  cvrNumber: string;
  name: string;
  publicRegistrationStatus: PublicRegistrationStatus;
  /** When an EXEMPT company's exemption began (`2024-01-01`); default: the seed's date, 2024-01-01. */
  exemptionStart?: string;
  /** The company's address, as NgDP's answers carry it (`CompanyAddress`); default: none. */
  address?: CompanyAddress;
}

/**
 * Settings a seed carries, for behaviour that belongs to the test data set rather than to one start
 * of the simulator; an option of `startSimulator` (a `sim start` flag) wins over them.
 */
export interface SeedSettings {
  /**
   * When a mailbox letter held for its value date gets its business receipt: `delivery` (on the
   * date) or `acceptance` (at once). docs/differences.md, "receipt of a held letter".
   */
  valueDateReceipt?: 'delivery' | 'acceptance';
}

/**
 * A vendor's standard system template (admin.md §1.3): its id, the vendor organisation, a name and
 * the fields it fixes, as a `MailSystemCommand` gives them.
 */
export interface SeedStandardSystemTemplate extends TemplateFields {
  id: string;
  organisationId: string;
  name: string;
}

/** A seed: what `--seed FILE` contains, and what the default seed is. */
export interface SeedData {
  organisations: SeedOrganisation[];
  systems: SeedSystem[];
  contactPoints: SeedContactPoint[];
  citizens: SeedCitizen[];
  companies: SeedCompany[];
  /** Optional: seeds written before contact groups existed have none. */
  contactGroups?: SeedContactGroup[];
  /** Optional: vendors' standard system templates. */
  standardSystemTemplates?: SeedStandardSystemTemplate[];
  settings?: SeedSettings;
}

/** The fixtures object of docs/simulator.md (the `--json` line and `GET /simulator/v1/fixtures`). */
export interface Fixtures {
  /** `mailboxId`: the organisation's own mailbox (what `system-fetches` take). */
  organisations: Array<{
    id: string;
    cvrNumber: string;
    name: string;
    type: OrganisationType;
    mailboxId: string;
  }>;
  systems: Array<{
    id: string;
    organisationId: string;
    name: string;
    roles: SystemRole[];
    protocol: Protocol;
    apiKey: string;
    sshUsername: string | null;
    endpoint?: string;
    receiptEndpoint?: string;
  }>;
  contactPoints: Array<{
    id: string;
    organisationId: string;
    name: string;
    systemId?: string;
    contactGroupIds?: string[];
  }>;
  contactGroups: Array<{ id: string; organisationId: string; name: string; parentId?: string }>;
  citizens: Array<{
    cprNumber: string;
    name: string;
    publicRegistrationStatus: PublicRegistrationStatus;
    registrationStatus: RegistrationStatus;
  }>;
  companies: Array<{ cvrNumber: string; name: string; publicRegistrationStatus: PublicRegistrationStatus }>;
  /** One test employee per organisation with every right (docs/admin.md): log in with these. */
  employees: Array<{ id: string; organisationId: string; username: string; password: string }>;
}

/** A deterministic, version-4-shaped UUID: `<group>0000000-0000-4000-8000-<n, 12 digits>`. */
const fixedId = (group: number, n: number): string =>
  `${group}0000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

export const SEED_IDS = {
  authority: fixedId(1, 1),
  companyWithSystem: fixedId(1, 2),
  companyWithoutSystem: fixedId(1, 3),
  senderPull: fixedId(2, 1),
  senderPush: fixedId(2, 2),
  authorityRecipient: fixedId(2, 3),
  companyRecipient: fixedId(2, 4),
  senderSftp: fixedId(2, 5),
  contactPoint: fixedId(4, 1),
  contactGroupRoot: fixedId(7, 1),
  contactGroupCitizens: fixedId(7, 2),
  contactGroupTechnical: fixedId(7, 3),
} as const;

const HOUR = 3_600_000;

export const DEFAULT_SEED: SeedData = {
  organisations: [
    {
      id: SEED_IDS.authority,
      cvrNumber: '12345678',
      name: 'Testkommune',
      type: 'AUTHORITY',
      mandatoryPostAllowed: true,
      legalNotificationAllowed: true,
      authorityType: 'MUNICIPALITY',
    },
    { id: SEED_IDS.companyWithSystem, cvrNumber: '87654321', name: 'Testfirma ApS', type: 'COMPANY' },
    { id: SEED_IDS.companyWithoutSystem, cvrNumber: '11223344', name: 'Testbutik ApS', type: 'COMPANY' },
  ],
  systems: [
    {
      id: SEED_IDS.senderPull,
      organisationId: SEED_IDS.authority,
      name: 'Testkommune sagssystem (afsender, kvitteringer via PULL)',
      roles: ['SENDER'],
      protocol: 'REST_PULL',
      apiKeySecret: fixedId(3, 1),
    },
    {
      id: SEED_IDS.senderPush,
      organisationId: SEED_IDS.authority,
      name: 'Testkommune sagssystem (afsender, kvitteringer via PUSH)',
      roles: ['SENDER'],
      protocol: 'REST_PUSH',
      apiKeySecret: fixedId(3, 2),
    },
    {
      id: SEED_IDS.authorityRecipient,
      organisationId: SEED_IDS.authority,
      name: 'Testkommune modtagersystem (primært)',
      roles: ['RECIPIENT', 'RECIPIENT_DEFAULT'],
      protocol: 'REST_PULL',
      apiKeySecret: fixedId(3, 3),
    },
    {
      id: SEED_IDS.companyRecipient,
      organisationId: SEED_IDS.companyWithSystem,
      name: 'Testfirma modtagersystem',
      roles: ['RECIPIENT', 'RECIPIENT_DEFAULT'],
      protocol: 'REST_PULL',
      apiKeySecret: fixedId(3, 4),
    },
    {
      id: SEED_IDS.senderSftp,
      organisationId: SEED_IDS.authority,
      name: 'Testkommune masseforsendelse (afsender via SFTP)',
      roles: ['SENDER'],
      protocol: 'SFTP',
      apiKeySecret: fixedId(3, 5),
      sshUsername: 'testkommune',
    },
  ],
  contactPoints: [
    {
      id: SEED_IDS.contactPoint,
      organisationId: SEED_IDS.authority,
      name: 'Borgerservice',
      systemId: SEED_IDS.authorityRecipient,
      description: 'Pas, kørekort, sygesikring og flytning',
      searchTerms: ['borgerservice', 'pas', 'kørekort'],
      contactGroupIds: [SEED_IDS.contactGroupCitizens],
    },
  ],
  contactGroups: [
    {
      id: SEED_IDS.contactGroupRoot,
      organisationId: SEED_IDS.authority,
      name: 'Testkommune',
      description: 'Hele kommunen',
      organisationalUnit: true,
    },
    {
      id: SEED_IDS.contactGroupCitizens,
      organisationId: SEED_IDS.authority,
      name: 'Borger og familie',
      description: 'Henvendelser fra borgere',
      parentId: SEED_IDS.contactGroupRoot,
    },
    {
      id: SEED_IDS.contactGroupTechnical,
      organisationId: SEED_IDS.authority,
      name: 'Teknik og miljø',
      description: 'Byggesager, affald og veje',
      parentId: SEED_IDS.contactGroupRoot,
    },
  ],
  citizens: [
    {
      cprNumber: '0101700001',
      name: 'Test Borger Et',
      publicRegistrationStatus: 'REGISTERED',
      registrationStatus: 'AUTOMATIC_REGISTRATION',
    },
    {
      cprNumber: '0101700002',
      name: 'Test Borger To (fritaget)',
      publicRegistrationStatus: 'EXEMPT',
      registrationStatus: 'EXEMPT_OTHER_REASON',
    },
    {
      cprNumber: '0101700003',
      name: 'Test Borger Tre (død)',
      publicRegistrationStatus: 'CLOSED',
      registrationStatus: 'UNKNOWN',
    },
    {
      cprNumber: '0101700004',
      name: 'Test Borger Fire (karensperiode)',
      publicRegistrationStatus: 'REGISTERED',
      registrationStatus: 'UNCONFIRMED_REGISTRATION',
    },
    {
      cprNumber: '0101700005',
      name: 'Test Borger Fem (NemSMS)',
      publicRegistrationStatus: 'REGISTERED',
      registrationStatus: 'AUTOMATIC_REGISTRATION',
      nemSmsMobileNumber: '20700005',
    },
    {
      cprNumber: '0101700006',
      name: 'Test Borger Seks (langsom postkasse)',
      publicRegistrationStatus: 'REGISTERED',
      registrationStatus: 'AUTOMATIC_REGISTRATION',
      receiptDelayMs: HOUR,
    },
  ],
  companies: [
    {
      cvrNumber: '87654321',
      name: 'Testfirma ApS',
      publicRegistrationStatus: 'REGISTERED',
      address: {
        streetName: 'Eksempelvej',
        houseNumberFrom: '1',
        postalCode: '8000',
        postDistrict: 'Aarhus C',
        municipalityCode: '751',
        municipalityName: 'Aarhus',
      },
    },
    {
      cvrNumber: '11223344',
      name: 'Testbutik ApS',
      publicRegistrationStatus: 'REGISTERED',
      address: {
        streetName: 'Prøvegade',
        houseNumberFrom: '12',
        postalCode: '5000',
        postDistrict: 'Odense C',
        municipalityCode: '461',
        municipalityName: 'Odense',
      },
    },
  ],
};

export const EMPTY_SEED: SeedData = {
  organisations: [],
  systems: [],
  contactPoints: [],
  citizens: [],
  companies: [],
};

/** When seeded contacts were "created" (fixed, so contact cursors are reproducible). */
const SEED_TIME = Date.UTC(2024, 0, 1);
const SEED_DATE = '2024-01-01';

export function apiKeyOf(system: SeedSystem): string {
  return issueApiKey(system.id, system.apiKeySecret).apiKey;
}

export function fixturesOf(seed: SeedData): Fixtures {
  return {
    organisations: seed.organisations.map(({ id, cvrNumber, name, type }) => ({
      id,
      cvrNumber,
      name,
      type,
      mailboxId: mailboxIdOf(id),
    })),
    systems: seed.systems.map((system) => ({
      id: system.id,
      organisationId: system.organisationId,
      name: system.name,
      roles: [...system.roles],
      protocol: system.protocol,
      apiKey: apiKeyOf(system),
      sshUsername: system.sshUsername ?? null,
      ...(system.endpoint === undefined ? {} : { endpoint: system.endpoint }),
      ...(system.receiptEndpoint === undefined ? {} : { receiptEndpoint: system.receiptEndpoint }),
    })),
    contactPoints: seed.contactPoints.map(({ id, organisationId, name, systemId, contactGroupIds }) => ({
      id,
      organisationId,
      name,
      ...(systemId === undefined ? {} : { systemId }),
      ...(contactGroupIds === undefined ? {} : { contactGroupIds: [...contactGroupIds] }),
    })),
    contactGroups: (seed.contactGroups ?? []).map(({ id, organisationId, name, parentId }) => ({
      id,
      organisationId,
      name,
      ...(parentId === undefined ? {} : { parentId }),
    })),
    citizens: seed.citizens.map(({ cprNumber, name, publicRegistrationStatus, registrationStatus }) => ({
      cprNumber,
      name,
      publicRegistrationStatus,
      registrationStatus,
    })),
    companies: seed.companies.map(({ cvrNumber, name, publicRegistrationStatus }) => ({
      cvrNumber,
      name,
      publicRegistrationStatus,
    })),
    employees: seed.organisations.map((organisation, index) => ({
      id: fixedId(8, index + 1),
      organisationId: organisation.id,
      ...seedEmployeeLogin(organisation.cvrNumber),
    })),
  };
}

/**
 * The seeded employees: one per organisation, with every right there (admin.md §12's certificate
 * holder: the engine grants them as direct privileges as it seeds a store). Deterministic,
 * password hash and all, so a reset gives the same records.
 */
function seedEmployees(seed: SeedData): Employee[] {
  return seed.organisations.map((organisation, index) => {
    const { username, password } = seedEmployeeLogin(organisation.cvrNumber);
    const salt = createHash('sha256').update(username).digest().subarray(0, 16);
    return {
      id: fixedId(8, index + 1),
      username,
      passwordHash: hashPassword(password, salt),
      name: `Testmedarbejder ${organisation.name}`,
      rid: String(10_000_001 + index),
      organisationId: organisation.id,
      version: 1,
      createdDate: SEED_TIME,
      lastUpdated: SEED_TIME,
    };
  });
}

/** The records a seed puts in a store. */
export function seedRecords(seed: SeedData): {
  organisations: Organisation[];
  systems: SystemRecord[];
  contactPoints: ContactPoint[];
  contacts: Contact[];
  employees: Employee[];
  contactGroups: ContactGroupRecord[];
  standardSystemTemplates: StandardSystemTemplateRecord[];
} {
  const contactId = (group: number, index: number): string => fixedId(5 + group, index + 1);
  return {
    organisations: seed.organisations.map((o) => ({
      id: o.id,
      cvrNumber: o.cvrNumber,
      name: o.name,
      type: o.type,
      mandatoryPostAllowed: o.mandatoryPostAllowed ?? false,
      legalNotificationAllowed: o.legalNotificationAllowed ?? false,
      ...(o.type === 'AUTHORITY' ? { authorityType: o.authorityType ?? 'OTHER' } : {}),
      createdDate: SEED_TIME,
    })),
    systems: seed.systems.map((s) => ({
      id: s.id,
      organisationId: s.organisationId,
      name: s.name,
      roles: [...s.roles],
      protocol: s.protocol,
      apiKeyHash: issueApiKey(s.id, s.apiKeySecret).apiKeyHash,
      sshUsername: s.sshUsername ?? null,
      sshPublicKeys: [...(s.sshPublicKeys ?? [])],
      ...(s.endpoint === undefined ? {} : { endpoint: s.endpoint }),
      ...(s.receiptEndpoint === undefined ? {} : { receiptEndpoint: s.receiptEndpoint }),
      ...(s.activeFrom === null
        ? {}
        : { activeFrom: s.activeFrom === undefined ? 0 : Date.parse(s.activeFrom) }),
      ...(s.activeTo === undefined ? {} : { activeTo: Date.parse(s.activeTo) }),
      allowedIps: [...(s.allowedIps ?? [])],
    })),
    contactPoints: seed.contactPoints.map((p) => ({
      id: p.id,
      organisationId: p.organisationId,
      name: p.name,
      ...(p.systemId === undefined ? {} : { systemId: p.systemId }),
      ...(p.contactGroupIds === undefined ? {} : { contactGroupIds: [...p.contactGroupIds] }),
      targets: [...(p.targets ?? CONTACT_POINT_WRITERS)],
      active: true,
      createdDate: SEED_TIME,
      lastUpdated: SEED_TIME,
      version: 1,
      ...(p.description === undefined ? {} : { description: p.description }),
      ...(p.visible === undefined ? {} : { visible: p.visible }),
      ...(p.searchTerms === undefined ? {} : { searchTerms: [...p.searchTerms] }),
    })),
    contacts: [
      ...seed.citizens.map(
        (c, i): Contact =>
          changedContact(
            undefined,
            {
              id: contactId(0, i),
              type: 'CITIZEN',
              cprNumber: c.cprNumber,
              name: c.name,
              mailboxSubscription: {
                registrationStatus: c.registrationStatus,
                publicRegistrationStatus: c.publicRegistrationStatus,
                ...(c.exemptionStart === undefined ? {} : { exemptionStart: c.exemptionStart }),
              },
              ...(c.nemSmsMobileNumber === undefined ? {} : { nemSmsMobileNumber: c.nemSmsMobileNumber }),
              ...(c.receiptDelayMs === undefined ? {} : { receiptDelayMs: c.receiptDelayMs }),
              transactionId: contactId(0, i),
              createdDate: SEED_TIME,
              lastUpdated: SEED_TIME + i,
            },
            SEED_DATE,
          ),
      ),
      ...seed.companies.map(
        (c, i): Contact =>
          changedContact(
            undefined,
            {
              id: contactId(1, i),
              type: 'COMPANY',
              cvrNumber: c.cvrNumber,
              name: c.name,
              mailboxSubscription: {
                registrationStatus:
                  c.publicRegistrationStatus === 'REGISTERED'
                    ? 'AUTOMATIC_REGISTRATION'
                    : c.publicRegistrationStatus === 'EXEMPT'
                      ? 'EXEMPT_OTHER_REASON'
                      : 'UNKNOWN',
                publicRegistrationStatus: c.publicRegistrationStatus,
                ...(c.exemptionStart === undefined ? {} : { exemptionStart: c.exemptionStart }),
              },
              ...(c.address === undefined ? {} : { address: { ...c.address } }),
              transactionId: contactId(1, i),
              createdDate: SEED_TIME,
              lastUpdated: SEED_TIME + seed.citizens.length + i,
            },
            SEED_DATE,
          ),
      ),
    ],
    employees: seedEmployees(seed),
    contactGroups: (seed.contactGroups ?? []).map((g) => ({
      id: g.id,
      organisationId: g.organisationId,
      name: g.name,
      description: g.description ?? '',
      organisationalUnit: g.organisationalUnit ?? false,
      ...(g.parentId === undefined ? {} : { parentId: g.parentId }),
      postkasseIds: [...(g.postkasseIds ?? [])],
      version: 1,
      transactionId: g.id,
      createdDate: SEED_TIME,
      lastUpdated: SEED_TIME,
    })),
    standardSystemTemplates: (seed.standardSystemTemplates ?? []).map(
      ({ id, organisationId, name, ...fields }) => ({
        id,
        organisationId,
        version: 1,
        name,
        fields: {
          ...fields,
          systemTypes: [...fields.systemTypes],
          allowedIps: fields.allowedIps.map((ip) => ({ ...ip })),
          technicalContact: { ...fields.technicalContact },
        },
        createdDate: SEED_TIME,
        lastUpdated: SEED_TIME,
      }),
    ),
  };
}
