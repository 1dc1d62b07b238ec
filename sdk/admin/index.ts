/**
 * `digitalpost/admin`: a typed client for Administrativ Adgang — NgDP's organisation administration
 * (systems, contact structure, organisation, exemptions, accesses, identities, privileges,
 * look-ups) — and the test portal, as a test employee (docs/admin.md, "The admin client").
 */

export type { WithResponse } from '../client/client.ts';
export type { ListOptions } from '../client/pagination.ts';
export type { Contact, RegistrationStatus } from '../client/types.ts';
export {
  ApiError,
  AuthenticationError,
  BadRequestError,
  ConflictError,
  ConnectionError,
  DigitalPostError,
  InvalidOptionsError,
  isDigitalPostError,
  NotFoundError,
  PermissionDeniedError,
  TimeoutError,
  UnexpectedResponseError,
  UnknownOutcomeError,
  UnprocessableEntityError,
} from '../errors.ts';
export type { RetryOptions } from '../http/retry.ts';
export type { RequestLogEvent, RequestOptions, ResponseInfo } from '../http/transport.ts';
export { testCprNumber, testCvrNumber } from '../ngdp/identifiers.ts';
export {
  type AccessCommand,
  Accesses,
  AccessRequests,
  type ExemptionRequest,
  Exemptions,
  type MailboxAccess,
} from './access.ts';
export { AdminClient, type AdminClientOptions, type TokenSource } from './client.ts';
export {
  type ContactGroupDeletion,
  type ContactGroupSearch,
  ContactGroups,
  type ContactPointSearch,
  ContactPoints,
  ContactStructure,
  type ContactStructureImport,
} from './contact-structure.ts';
export {
  type DirectPrivilegeSearch,
  DirectPrivileges,
  Grantees,
  GroupPrivileges,
  Identities,
  IdentityGroups,
  type IdentitySearch,
  type OneOrMore,
  PrivilegeTypes,
} from './identities.ts';
export {
  type QueryValue,
  type SearchOptions,
  type SortOptions,
  type Version,
  type VersionedOptions,
  versionOfEtag,
} from './operation.ts';
export { type CitizenLookup, Lookups, OrganisationAdmin } from './organisation.ts';
export type {
  AccessToken,
  AdminContext,
  CreatedTestOrganisation,
  Credentials,
  NewTestContact,
  NewTestEmployee,
  NewTestOrganisation,
  Portal,
  TestEmployee,
} from './portal.ts';
export {
  type CertificateProtocol,
  StandardSystemTemplates,
  type SystemCommand,
  type SystemSearch,
  Systems,
} from './systems.ts';
export type * from './types.ts';
