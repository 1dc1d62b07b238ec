/** NgDP's `CitizenLookupResult` and `OrganisationLookup` from the engine's look-ups. */
import type { Contact } from '../domain/model.ts';
import type { CompanyFound } from '../engine/lookups.ts';

/** `CitizenLookupResult`: the citizen found, or `{}` when none was. */
export function citizenLookupJson(contact: Contact | undefined) {
  if (contact === undefined) return {};
  return {
    identityId: contact.id,
    name: contact.name,
    closed: contact.mailboxSubscription.publicRegistrationStatus === 'CLOSED',
  };
}

/**
 * `OrganisationLookup`. The simulator has no curators, executors or liquidators: each `active…`
 * is false.
 */
export function organisationLookupJson(found: CompanyFound) {
  return {
    ...(found.organisation === undefined ? {} : { organisationId: found.organisation.id }),
    organisationName: found.name,
    activeCurator: false,
    activeExecutor: false,
    activeLiquidator: false,
    status: found.closed ? 'CLOSED' : 'ACTIVE',
  };
}
