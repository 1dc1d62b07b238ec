/**
 * Sender systems' change subscriptions (ngdp-api.md §5.5): which contacts or organisations a system
 * wants to hear of, and where NgDP tells it. The records, and the rule of which subscriptions a
 * change concerns — pure, so it is tested as a table.
 */
import type {
  ContactSubscriptionOperation,
  OrganisationSubscriptionOperation,
} from '../../sdk/ngdp/enums.ts';
import type { Contact, Organisation } from './model.ts';

/** A sub-record of a subscription (NgDP's `SingleContactSubscription`, `OrganisationSubscription`). */
export interface SubscribedItem {
  id: string;
  version: number;
}

/** NgDP's `ContactSubscription`, as the simulator keeps it. */
export interface ContactSubscriptionRecord {
  id: string;
  /** The subscribing sender system (`senderSystemIdentityId`). */
  systemId: string;
  version: number;
  transactionId: string;
  operations: ContactSubscriptionOperation[];
  contacts: Array<SubscribedItem & { contactId: string }>;
  notificationUrl: string;
  createdDate: number;
  lastUpdated: number;
}

/** NgDP's `OrganisationSenderSystemSubscription`, as the simulator keeps it. */
export interface OrganisationSubscriptionRecord {
  id: string;
  /** The subscribing sender system (`senderSystemId`). */
  systemId: string;
  version: number;
  transactionId: string;
  operations: OrganisationSubscriptionOperation[];
  organisations: Array<SubscribedItem & { cvrNumber: string }>;
  notificationUrl: string;
  createdDate: number;
  lastUpdated: number;
}

/** What happened to a contact: NgDP's notification says which. */
export type ContactChange = 'CREATED' | 'UPDATED';

/**
 * Whether a change of `contact` concerns `subscription`: every change of a citizen (company) for
 * `ALL_CITIZENS` (`ALL_COMPANIES`), a new one for `NEW_CITIZENS` (`NEW_COMPANIES`), and any change
 * of a contact it names.
 */
export function concernsSubscription(
  subscription: Pick<ContactSubscriptionRecord, 'operations' | 'contacts'>,
  contact: Pick<Contact, 'id' | 'type'>,
  change: ContactChange,
): boolean {
  const all = contact.type === 'CITIZEN' ? 'ALL_CITIZENS' : 'ALL_COMPANIES';
  const fresh = contact.type === 'CITIZEN' ? 'NEW_CITIZENS' : 'NEW_COMPANIES';
  return (
    subscription.operations.includes(all) ||
    (change === 'CREATED' && subscription.operations.includes(fresh)) ||
    subscription.contacts.some((item) => item.contactId === contact.id)
  );
}

/**
 * Whether a change of `organisation` concerns `subscription`: every change for
 * `ALL_ORGANISATIONS`, a new organisation for `NEW_ORGANISATIONS`, and any change of an
 * organisation whose CVR number it names.
 */
export function concernsOrganisationSubscription(
  subscription: Pick<OrganisationSubscriptionRecord, 'operations' | 'organisations'>,
  organisation: Pick<Organisation, 'cvrNumber'>,
  change: ContactChange,
): boolean {
  return (
    subscription.operations.includes('ALL_ORGANISATIONS') ||
    (change === 'CREATED' && subscription.operations.includes('NEW_ORGANISATIONS')) ||
    subscription.organisations.some((item) => item.cvrNumber === organisation.cvrNumber)
  );
}
