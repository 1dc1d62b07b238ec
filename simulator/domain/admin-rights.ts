/**
 * Administrativ Adgang's rights (docs/admin.md, "Rights"; `../shared/spec/admin.md` §0.1): the
 * privileges an employee holds per organisation, and the one table of which right opens which
 * organisation-administration operation of NgDP's API. Pure data and questions over it; the
 * engine asks them for every admin call.
 */
import type { NgdpOperationId } from '../../sdk/ngdp/operations.ts';
import type { OrganisationType } from './model.ts';

/**
 * The rights of admin.md §0.1, by NgDP's privilege names (`IdentityPrivilegeType`, OpenAPI 1.68.0).
 * The test environment's own names for them are in {@link TEST_RIGHT_NAMES}.
 */
export const ADMIN_RIGHTS = [
  'ORGANISATION_ADMINISTRATOR',
  'CONTACT_ADMINISTRATOR',
  'MESSAGE_LOG_ADMINISTRATOR',
  'ACTION_LOG_ADMINISTRATOR',
  'SEARCH_LOG_ADMINISTRATOR',
  'CITIZEN_SERVICE_EMPLOYEE',
  'DANISH_BUSINESS_AUTHORITY_SERVICE_EMPLOYEE',
  'STATISTICS_ADMINISTRATOR',
  'RECALL_ADMINISTRATOR',
  'SYSTEM_MANAGER',
  'ORGANISATION_USER_ADMINISTRATOR',
] as const;

export type AdminRight = (typeof ADMIN_RIGHTS)[number];

/** The names the test environment shows for the rights (admin.md §0.1, "test name"). */
export const TEST_RIGHT_NAMES: Readonly<Record<AdminRight, string>> = {
  ORGANISATION_ADMINISTRATOR: 'DP Admin',
  CONTACT_ADMINISTRATOR: 'Kontaktstrukturadministrator',
  MESSAGE_LOG_ADMINISTRATOR: 'Logadministrator – log for meddelelser',
  ACTION_LOG_ADMINISTRATOR: 'Logadministrator – medarbejder- og systemhandlinger',
  SEARCH_LOG_ADMINISTRATOR: 'Logadministrator – medarbejdersøgninger',
  CITIZEN_SERVICE_EMPLOYEE: 'Borgerservicemedarbejder',
  DANISH_BUSINESS_AUTHORITY_SERVICE_EMPLOYEE: 'Erhvervsservicemedarbejder',
  STATISTICS_ADMINISTRATOR: 'Statistik Admin',
  RECALL_ADMINISTRATOR: 'Tilbagekaldsadministrator',
  SYSTEM_MANAGER: 'Systemforvalter',
  ORGANISATION_USER_ADMINISTRATOR: 'Rettighedsadministrator',
};

/**
 * The right a name stands for: NgDP's privilege name, or the test environment's name for it (any
 * case), as the test portal takes them (admin.md §12).
 */
export function rightNamed(name: unknown): AdminRight | undefined {
  if (typeof name !== 'string') return undefined;
  const wanted = name.trim().toLowerCase();
  return ADMIN_RIGHTS.find(
    (right) => right.toLowerCase() === wanted || TEST_RIGHT_NAMES[right].toLowerCase() === wanted,
  );
}

/** What an admin operation needs: any one of `rights`, and for some an authority's context. */
export interface OperationRule {
  /** The call is allowed with any one of these rights in the context organisation. */
  readonly rights: readonly AdminRight[];
  /** Only an authority may call it (403 `AUTHORITY_ONLY` in a company's context; admin.md §0.1). */
  readonly authorityOnly: boolean;
}

const rule = (rights: readonly AdminRight[], authorityOnly = false): OperationRule => ({
  rights,
  authorityOnly,
});

const SYSTEMS = rule(['ORGANISATION_ADMINISTRATOR']);
const CONTACT_STRUCTURE = rule(['CONTACT_ADMINISTRATOR'], true);
const AUTHORITY_INFO_READ = rule(['ORGANISATION_ADMINISTRATOR', 'CONTACT_ADMINISTRATOR']);
const AUTHORITY_INFO = rule(['ORGANISATION_ADMINISTRATOR', 'CONTACT_ADMINISTRATOR'], true);
const EXEMPTIONS = rule(['CITIZEN_SERVICE_EMPLOYEE', 'DANISH_BUSINESS_AUTHORITY_SERVICE_EMPLOYEE'], true);
const ACCESS = rule(['CITIZEN_SERVICE_EMPLOYEE'], true);
const USERS = rule(['ORGANISATION_USER_ADMINISTRATOR']);

/**
 * Every organisation-administration operation of NgDP's API 1.68.0 with the rule it is called by
 * (admin.md §0.1; the mapping is INTERPRETED, docs/differences.md). The operations admin.md does
 * not name — identities, identity groups, privileges, access requests — belong to the right that
 * grants rights (ORGANISATION_USER_ADMINISTRATOR) or to access (CITIZEN_SERVICE_EMPLOYEE).
 */
export const ADMIN_OPERATIONS = {
  // Systems (admin.md §1): the system administrator, authorities and companies.
  querySystems: SYSTEMS,
  createMailSystem: SYSTEMS,
  fetchMailSystem: SYSTEMS,
  updateMailSystem: SYSTEMS,
  deleteMailSystem: SYSTEMS,
  changeToDefaultRecipient: SYSTEMS,
  renewApiToken: SYSTEMS,
  createOcesPublicCertificate: SYSTEMS,
  createSsh: SYSTEMS,
  checkOcesPublicCertificate: SYSTEMS,
  listStandardSystemTemplates: SYSTEMS,
  // Contact structure (admin.md §2): authorities only.
  queryContactGroups: CONTACT_STRUCTURE,
  createContactGroup: CONTACT_STRUCTURE,
  fetchContactGroup: CONTACT_STRUCTURE,
  updateContactGroup: CONTACT_STRUCTURE,
  deleteContactGroup: CONTACT_STRUCTURE,
  queryContactPoints: CONTACT_STRUCTURE,
  createContactPoint: CONTACT_STRUCTURE,
  fetchContactPoint: CONTACT_STRUCTURE,
  updateContactPoint: CONTACT_STRUCTURE,
  deleteContactPoint: CONTACT_STRUCTURE,
  fetchPostkasseIds: CONTACT_STRUCTURE,
  fetchPostkasseEmneIds: CONTACT_STRUCTURE,
  // Authority information (admin.md §7): reading the organisation is open to companies too.
  fetchOrganisation: AUTHORITY_INFO_READ,
  fetchLogo: AUTHORITY_INFO_READ,
  updateOrganisation: AUTHORITY_INFO,
  updateLogo: AUTHORITY_INFO,
  deleteLogo: AUTHORITY_INFO,
  // Exemptions and NemSMS (admin.md §4–5): service employees of authorities.
  createExemption: EXEMPTIONS,
  fetchExemption: EXEMPTIONS,
  updateExemption: EXEMPTIONS,
  deleteExemption: EXEMPTIONS,
  lookupCitizen: rule(['CITIZEN_SERVICE_EMPLOYEE'], true),
  organisationLookup: rule([
    'CITIZEN_SERVICE_EMPLOYEE',
    'DANISH_BUSINESS_AUTHORITY_SERVICE_EMPLOYEE',
    'SYSTEM_MANAGER',
  ]),
  // Access to a citizen's Digital Post (admin.md §6).
  queryAccess: ACCESS,
  createAccess: ACCESS,
  fetchAccess: ACCESS,
  updateAccess: ACCESS,
  verifyAccessSubscription: ACCESS,
  queryAccessRequests: ACCESS,
  createAccessRequest: ACCESS,
  activateAccessRequest: ACCESS,
  fetchAccessRequest: ACCESS,
  updateAccessRequest: ACCESS,
  deleteAccessRequest: ACCESS,
  fetchAccessRequestDocumentationContent: ACCESS,
  updateAccessRequestDocumentationContent: ACCESS,
  // Identities and rights (Rettighedsportalen, admin.md §0.1 and §12): the rights administrator.
  queryIdentities: USERS,
  fetch_2: USERS,
  update: USERS,
  validateCPR: rule(['ORGANISATION_USER_ADMINISTRATOR', 'CITIZEN_SERVICE_EMPLOYEE']),
  verifyIdentityEmailSubscription: USERS,
  queryIdentityGroups: USERS,
  createIdentityGroup: USERS,
  fetchIdentityGroup: USERS,
  updateIdentityGroup: USERS,
  deleteIdentityGroup: USERS,
  createGrantee: USERS,
  updateGrantee: USERS,
  deleteGrantee: USERS,
  createIdentityPrivilege: USERS,
  updateIdentityPrivilege: USERS,
  deleteIdentityPrivilege: USERS,
  listPrivilegeTypes: USERS,
  createDirectPrivilege: USERS,
  createAndRevokeDirectPrivilegesInBulk: USERS,
  queryDirectPrivileges: USERS,
  deleteDirectPrivilege: USERS,
} as const satisfies Partial<Record<NgdpOperationId, OperationRule>>;

/** An organisation-administration operation of NgDP's API. */
export type AdminOperationId = keyof typeof ADMIN_OPERATIONS;

/**
 * The administration's functions that NgDP's OpenAPI has no operation for, served at the
 * simulator's interpreted paths under `/admin/v1` (docs/differences.md), with their rules.
 */
export const INTERPRETED_ADMIN_OPERATIONS = {
  // Contact-structure export and import (admin.md §2.5), the preview of a group's deletion (§2.4).
  exportContactStructure: CONTACT_STRUCTURE,
  importContactStructure: CONTACT_STRUCTURE,
  previewContactGroupDeletion: CONTACT_STRUCTURE,
} as const satisfies Record<string, OperationRule>;

/** A function of the administration at an interpreted path. */
export type InterpretedAdminOperationId = keyof typeof INTERPRETED_ADMIN_OPERATIONS;

/** The rule an admin operation (NgDP's or an interpreted one) is called by. */
export function ruleOf(operationId: AdminOperationId | InterpretedAdminOperationId): OperationRule {
  return Object.hasOwn(ADMIN_OPERATIONS, operationId)
    ? ADMIN_OPERATIONS[operationId as AdminOperationId]
    : INTERPRETED_ADMIN_OPERATIONS[operationId as InterpretedAdminOperationId];
}

/** Whether NgDP's operation `operationId` is one of the administration's. */
export function isAdminOperation(operationId: string): operationId is AdminOperationId {
  return Object.hasOwn(ADMIN_OPERATIONS, operationId);
}

/** Why a call with `rights` in an organisation of `type` may not make `operationId`, if it may not. */
export function refusalOf(
  operationId: AdminOperationId | InterpretedAdminOperationId,
  rights: readonly AdminRight[],
  type: OrganisationType,
): 'RIGHT_MISSING' | 'AUTHORITY_ONLY' | undefined {
  const needed = ruleOf(operationId);
  if (!needed.rights.some((right) => rights.includes(right))) return 'RIGHT_MISSING';
  if (needed.authorityOnly && type !== 'AUTHORITY') return 'AUTHORITY_ONLY';
  return undefined;
}

/**
 * The rights an employee holds in an organisation it switched to as system manager (admin.md §8:
 * which rights the guide does not say; INTERPRETED: all of them but the manager's own).
 */
export const SYSTEM_MANAGER_RIGHTS: readonly AdminRight[] = ADMIN_RIGHTS.filter(
  (right) => right !== 'SYSTEM_MANAGER',
);

/**
 * The admin operations whose `If-Match` header NgDP's OpenAPI declares required (all its PUTs and
 * DELETEs of versioned resources). `simulator/http/api/admin/admin.test.ts` checks this list
 * against the OpenAPI file.
 */
export const IF_MATCH_OPERATIONS: ReadonlySet<AdminOperationId> = new Set<AdminOperationId>([
  'updateMailSystem',
  'deleteMailSystem',
  'updateContactGroup',
  'deleteContactGroup',
  'updateContactPoint',
  'deleteContactPoint',
  'updateOrganisation',
  'updateLogo',
  'deleteLogo',
  'updateExemption',
  'deleteExemption',
  'updateAccess',
  'updateAccessRequest',
  'deleteAccessRequest',
  'updateAccessRequestDocumentationContent',
  'update',
  'updateIdentityGroup',
  'deleteIdentityGroup',
  'updateGrantee',
  'deleteGrantee',
  'updateIdentityPrivilege',
  'deleteIdentityPrivilege',
  'deleteDirectPrivilege',
]);
