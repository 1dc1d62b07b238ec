/**
 * A seed file (`--seed FILE`, `seed` of `startSimulator`): checked field by field, with every
 * problem named by where it is (`systems[1].protocol`), and defaults filled in.
 */
import {
  AUTHORITY_TYPES,
  isOneOf,
  ORGANISATION_TYPES,
  PUBLIC_REGISTRATION_STATUSES,
  REGISTRATION_STATUSES,
  SYSTEM_PROTOCOLS,
  SYSTEM_TYPES,
} from '../../sdk/ngdp/enums.ts';
import { isCprNumber, isCvrNumber } from '../../sdk/ngdp/identifiers.ts';
import { allowedIpProblem, sshPublicKeyProblem } from './auth.ts';
import { contactGroupTreeProblem } from './contact-groups.ts';
import { CONTACT_POINT_WRITERS } from './contacts.ts';
import { isEndpointUrl, isMobileNumber, isRecordId, isSearchTerm, isSshUsername } from './formats.ts';
import { readTemplateCommand } from './mail-system.ts';
import type { CompanyAddress, SystemRole, TemplateFields } from './model.ts';
import {
  EMPTY_SEED,
  type SeedCitizen,
  type SeedCompany,
  type SeedContactGroup,
  type SeedContactPoint,
  type SeedData,
  type SeedOrganisation,
  type SeedSettings,
  type SeedStandardSystemTemplate,
  type SeedSystem,
  seedRecords,
} from './seed.ts';

const isDateTime = (value: string): boolean => /^\d{4}-\d\d-\d\dT/.test(value);
const isDate = (value: string): boolean =>
  /^\d{4}-\d\d-\d\d$/.test(value) && !Number.isNaN(Date.parse(`${value}T00:00:00Z`));

/** The fields of a company's `address` a seed may give (NgDP's `CompanyAddress`). */
const ADDRESS_FIELDS = [
  'streetName',
  'streetCode',
  'houseNumberFrom',
  'postalCode',
  'postDistrict',
  'municipalityCode',
  'municipalityName',
  'careOfName',
] as const satisfies readonly (keyof CompanyAddress)[];

const SECTIONS = [
  'organisations',
  'systems',
  'contactGroups',
  'contactPoints',
  'standardSystemTemplates',
  'citizens',
  'companies',
  'settings',
];

const VALUE_DATE_RECEIPTS = ['delivery', 'acceptance'] as const;

/** What a template that could not be read stands as, beside its problems. */
const EMPTY_TEMPLATE: TemplateFields = {
  systemTypes: [],
  serviceProtocol: '',
  allowedIps: [],
  technicalContact: { name: '', email: '', phoneNumber: '' },
};

/** The seed's `settings` section (optional), its problems added to `problems`. */
function readSettings(value: unknown, problems: string[]): SeedSettings | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    problems.push('settings must be an object');
    return undefined;
  }
  const settings: SeedSettings = {};
  for (const [key, setting] of Object.entries(value)) {
    if (key !== 'valueDateReceipt') {
      problems.push(`settings.${key} is not a seed setting (valueDateReceipt)`);
    } else if (!isOneOf(VALUE_DATE_RECEIPTS, setting)) {
      problems.push(`settings.valueDateReceipt must be one of ${VALUE_DATE_RECEIPTS.join(', ')}`);
    } else settings.valueDateReceipt = setting;
  }
  return settings;
}

/**
 * Checks a seed read from JSON and fills in defaults. Returns the problems found (each naming
 * where, e.g. `systems[1].protocol`), or the seed.
 */
export function readSeed(input: unknown): { seed: SeedData } | { problems: string[] } {
  const problems: string[] = [];
  const object = (value: unknown): Record<string, unknown> | undefined =>
    typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  const root = object(input);
  if (root === undefined) return { problems: ['the seed must be a JSON object'] };
  const list = (key: string): Record<string, unknown>[] => {
    const value = root[key] ?? [];
    if (!Array.isArray(value)) {
      problems.push(`${key} must be an array`);
      return [];
    }
    return value.map((item, i) => {
      const entry = object(item);
      if (entry === undefined) problems.push(`${key}[${i}] must be an object`);
      return entry ?? {};
    });
  };
  const text = (
    item: Record<string, unknown>,
    where: string,
    key: string,
    valid?: (value: string) => boolean,
    optional = false,
  ): string => {
    const value = item[key];
    if (value === undefined && optional) return '';
    if (typeof value !== 'string' || (valid !== undefined && !valid(value))) {
      problems.push(
        `${where}.${key} ${value === undefined ? 'is required' : `is not valid: ${JSON.stringify(value)}`}`,
      );
      return '';
    }
    return value;
  };
  const oneOf = <T extends string>(
    item: Record<string, unknown>,
    where: string,
    key: string,
    allowed: readonly T[],
  ): T => {
    const value = item[key];
    if (!isOneOf(allowed, value)) problems.push(`${where}.${key} must be one of ${allowed.join(', ')}`);
    return value as T;
  };

  const organisations = list('organisations').map((o, i): SeedOrganisation => {
    const where = `organisations[${i}]`;
    return {
      id: text(o, where, 'id', isRecordId),
      cvrNumber: text(o, where, 'cvrNumber', isCvrNumber),
      name: text(o, where, 'name'),
      type: oneOf(o, where, 'type', ORGANISATION_TYPES),
      mandatoryPostAllowed: o.mandatoryPostAllowed === true,
      legalNotificationAllowed: o.legalNotificationAllowed === true,
      ...(o.authorityType === undefined
        ? {}
        : { authorityType: oneOf(o, where, 'authorityType', AUTHORITY_TYPES) }),
    };
  });
  const organisationIds = new Set(organisations.map((o) => o.id));
  /** SFTP user names taken so far, with where. */
  const sshUsers = new Map<string, string>();
  const systems = list('systems').map((s, i): SeedSystem => {
    const where = `systems[${i}]`;
    const roles = Array.isArray(s.roles) ? (s.roles as SystemRole[]) : [];
    if (roles.length === 0 || roles.some((role) => !isOneOf(SYSTEM_TYPES, role)))
      problems.push(`${where}.roles must be a non-empty array of ${SYSTEM_TYPES.join(', ')}`);
    const organisationId = text(s, where, 'organisationId', isRecordId);
    if (organisationId && !organisationIds.has(organisationId))
      problems.push(`${where}.organisationId names no organisation of the seed`);
    const allowedIps = Array.isArray(s.allowedIps) ? (s.allowedIps as unknown[]) : [];
    for (const [j, entry] of allowedIps.entries()) {
      const problem = typeof entry === 'string' ? allowedIpProblem(entry) : 'must be a string';
      if (problem !== undefined) problems.push(`${where}.allowedIps[${j}] ${problem}`);
    }
    const endpoint = text(s, where, 'endpoint', isEndpointUrl, true);
    const receiptEndpoint = text(s, where, 'receiptEndpoint', isEndpointUrl, true);
    const sshUsername = text(s, where, 'sshUsername', isSshUsername, true);
    const sameUser = sshUsers.get(sshUsername);
    if (sameUser !== undefined) problems.push(`${where}.sshUsername is already the user of ${sameUser}`);
    else if (sshUsername) sshUsers.set(sshUsername, where);
    const sshPublicKeys = Array.isArray(s.sshPublicKeys) ? (s.sshPublicKeys as unknown[]) : [];
    if (s.sshPublicKeys !== undefined && !Array.isArray(s.sshPublicKeys))
      problems.push(`${where}.sshPublicKeys must be an array`);
    for (const [j, key] of sshPublicKeys.entries()) {
      const problem = typeof key === 'string' ? sshPublicKeyProblem(key.trim()) : 'must be a string';
      if (problem !== undefined) problems.push(`${where}.sshPublicKeys[${j}] ${problem}`);
    }
    const activeFrom = s.activeFrom === null ? null : text(s, where, 'activeFrom', isDateTime, true);
    const activeTo = text(s, where, 'activeTo', isDateTime, true);
    return {
      id: text(s, where, 'id', isRecordId),
      organisationId,
      name: text(s, where, 'name'),
      roles,
      protocol: oneOf(s, where, 'protocol', SYSTEM_PROTOCOLS),
      apiKeySecret: text(s, where, 'apiKeySecret', isRecordId),
      sshUsername: sshUsername || null,
      ...(sshPublicKeys.length > 0 ? { sshPublicKeys: sshPublicKeys.map((key) => String(key).trim()) } : {}),
      ...(endpoint ? { endpoint } : {}),
      ...(receiptEndpoint ? { receiptEndpoint } : {}),
      allowedIps: allowedIps as string[],
      ...(activeFrom === null ? { activeFrom: null } : activeFrom ? { activeFrom } : {}),
      ...(activeTo ? { activeTo } : {}),
    };
  });
  const authorities = new Set(organisations.filter((o) => o.type === 'AUTHORITY').map((o) => o.id));
  const contactGroups = list('contactGroups').map((g, i): SeedContactGroup => {
    const where = `contactGroups[${i}]`;
    const organisationId = text(g, where, 'organisationId', isRecordId);
    if (organisationId && !authorities.has(organisationId))
      problems.push(
        `${where}.organisationId names no authority of the seed (only authorities have contact groups)`,
      );
    const name = text(g, where, 'name', (value) => value.length >= 1 && value.length <= 50);
    const description = text(g, where, 'description', (value) => value.length <= 255, true);
    const parentId = text(g, where, 'parentId', isRecordId, true);
    if (g.organisationalUnit !== undefined && typeof g.organisationalUnit !== 'boolean')
      problems.push(`${where}.organisationalUnit must be true or false`);
    const postkasseIds = g.postkasseIds ?? [];
    if (!Array.isArray(postkasseIds) || postkasseIds.some((id) => !Number.isSafeInteger(id) || id < 0))
      problems.push(`${where}.postkasseIds must be an array of non-negative whole numbers`);
    return {
      id: text(g, where, 'id', isRecordId),
      organisationId,
      name,
      ...(description ? { description } : {}),
      ...(g.organisationalUnit === true ? { organisationalUnit: true } : {}),
      ...(parentId ? { parentId } : {}),
      ...(Array.isArray(postkasseIds) && postkasseIds.length > 0
        ? { postkasseIds: postkasseIds as number[] }
        : {}),
    };
  });
  const treeProblem = contactGroupTreeProblem(seedRecords({ ...EMPTY_SEED, contactGroups }).contactGroups);
  if (treeProblem !== undefined) problems.push(`contactGroups: ${treeProblem}`);
  const groupOrganisation = new Map(contactGroups.map((g) => [g.id, g.organisationId]));
  const contactPoints = list('contactPoints').map((p, i): SeedContactPoint => {
    const where = `contactPoints[${i}]`;
    const systemId = text(p, where, 'systemId', isRecordId, true);
    const description = text(p, where, 'description', (value) => value.length <= 250, true);
    if (p.visible !== undefined && typeof p.visible !== 'boolean')
      problems.push(`${where}.visible must be true or false`);
    const targets = p.targets;
    if (
      targets !== undefined &&
      !(
        Array.isArray(targets) &&
        targets.length > 0 &&
        targets.every((t) => isOneOf(CONTACT_POINT_WRITERS, t))
      )
    )
      problems.push(`${where}.targets must be a non-empty array of ${CONTACT_POINT_WRITERS.join(', ')}`);
    const terms = p.searchTerms;
    if (terms !== undefined && !(Array.isArray(terms) && terms.every(isSearchTerm)))
      problems.push(
        `${where}.searchTerms must be an array of keywords of at most 30 letters, digits, spaces and hyphens`,
      );
    const organisationId = text(p, where, 'organisationId', isRecordId);
    const groupIds = p.contactGroupIds ?? [];
    if (!Array.isArray(groupIds)) problems.push(`${where}.contactGroupIds must be an array`);
    else
      for (const [j, id] of groupIds.entries()) {
        if (groupOrganisation.get(id as string) !== organisationId)
          problems.push(`${where}.contactGroupIds[${j}] names no contact group of its organisation`);
      }
    return {
      id: text(p, where, 'id', isRecordId),
      organisationId,
      name: text(p, where, 'name'),
      ...(systemId ? { systemId } : {}),
      ...(description ? { description } : {}),
      ...(typeof p.visible === 'boolean' ? { visible: p.visible } : {}),
      ...(Array.isArray(targets) ? { targets: targets as SeedContactPoint['targets'] } : {}),
      ...(Array.isArray(terms) ? { searchTerms: terms as string[] } : {}),
      ...(Array.isArray(groupIds) && groupIds.length > 0 ? { contactGroupIds: groupIds as string[] } : {}),
    };
  });
  const citizens = list('citizens').map((c, i): SeedCitizen => {
    const where = `citizens[${i}]`;
    const nemSms = text(c, where, 'nemSmsMobileNumber', isMobileNumber, true);
    const exemptionStart = text(c, where, 'exemptionStart', isDate, true);
    const delay = c.receiptDelayMs;
    if (delay !== undefined && !(Number.isInteger(delay) && (delay as number) >= 0))
      problems.push(`${where}.receiptDelayMs must be a non-negative integer`);
    return {
      cprNumber: text(c, where, 'cprNumber', isCprNumber),
      name: text(c, where, 'name'),
      publicRegistrationStatus: oneOf(c, where, 'publicRegistrationStatus', PUBLIC_REGISTRATION_STATUSES),
      registrationStatus: oneOf(c, where, 'registrationStatus', REGISTRATION_STATUSES),
      ...(nemSms ? { nemSmsMobileNumber: nemSms } : {}),
      ...(exemptionStart ? { exemptionStart } : {}),
      ...(delay === undefined ? {} : { receiptDelayMs: delay as number }),
    };
  });
  const companies = list('companies').map((c, i): SeedCompany => {
    const where = `companies[${i}]`;
    const exemptionStart = text(c, where, 'exemptionStart', isDate, true);
    let address: CompanyAddress | undefined;
    if (c.address !== undefined) {
      const given = object(c.address);
      if (given === undefined) problems.push(`${where}.address must be an object`);
      else {
        address = {};
        for (const key of Object.keys(given)) {
          if (!(ADDRESS_FIELDS as readonly string[]).includes(key))
            problems.push(`${where}.address.${key} is not one of ${ADDRESS_FIELDS.join(', ')}`);
        }
        for (const field of ADDRESS_FIELDS) {
          const value = text(given, `${where}.address`, field, undefined, true);
          if (value) address[field] = value;
        }
      }
    }
    return {
      cvrNumber: text(c, where, 'cvrNumber', isCvrNumber),
      name: text(c, where, 'name'),
      publicRegistrationStatus: oneOf(c, where, 'publicRegistrationStatus', PUBLIC_REGISTRATION_STATUSES),
      ...(exemptionStart ? { exemptionStart } : {}),
      ...(address === undefined ? {} : { address }),
    };
  });
  const standardSystemTemplates = list('standardSystemTemplates').map((t, i): SeedStandardSystemTemplate => {
    const where = `standardSystemTemplates[${i}]`;
    const organisationId = text(t, where, 'organisationId', isRecordId);
    if (organisationId && !organisationIds.has(organisationId))
      problems.push(`${where}.organisationId names no organisation of the seed (the vendor)`);
    const read = readTemplateCommand(t);
    for (const problem of read.problems) problems.push(`${where}.${problem.field} ${problem.message}`);
    return {
      id: text(t, where, 'id', isRecordId),
      organisationId,
      ...('fields' in read ? { name: read.name, ...read.fields } : { name: '', ...EMPTY_TEMPLATE }),
    };
  });
  const settings = readSettings(root.settings, problems);
  for (const key of Object.keys(root)) {
    if (!SECTIONS.includes(key)) problems.push(`${key} is not a seed section (${SECTIONS.join(', ')})`);
  }
  return problems.length > 0
    ? { problems }
    : {
        seed: {
          organisations,
          systems,
          contactPoints,
          citizens,
          companies,
          ...(contactGroups.length > 0 ? { contactGroups } : {}),
          ...(standardSystemTemplates.length > 0 ? { standardSystemTemplates } : {}),
          ...(settings === undefined ? {} : { settings }),
        },
      };
}
