/**
 * Sender systems' change subscriptions (ngdp-api.md §5.5): contact subscriptions
 * (`/contacts/subscriptions/`) and organisation subscriptions (`/organisations/subscriptions/`),
 * each the calling system's own, versioned and changed only with a matching `If-Match`; and the
 * notifications a contact change sends to the subscriptions it concerns, pushed with retries like
 * every other delivery (docs/simulator.md, "Change subscriptions").
 */
import {
  CONTACT_SUBSCRIPTION_OPERATIONS,
  EventTag,
  isOneOf,
  ORGANISATION_SUBSCRIPTION_OPERATIONS,
} from '../../sdk/ngdp/enums.ts';
import { isCvrNumber, isUuid } from '../../sdk/ngdp/identifiers.ts';
import { isEndpointUrl } from '../domain/formats.ts';
import type { Contact, Job, Organisation, SystemRecord } from '../domain/model.ts';
import {
  type ContactChange,
  type ContactSubscriptionRecord,
  concernsOrganisationSubscription,
  concernsSubscription,
  type OrganisationSubscriptionRecord,
  type SubscribedItem,
} from '../domain/subscriptions.ts';
import { collection } from '../store/store.ts';
import type { EngineContext } from './context.ts';
import { onlyFields } from './fields.ts';
import type { Outbound } from './outbound.ts';
import type { Pusher } from './pushing.ts';
import { reject } from './rejections.ts';
import { expectVersion } from './versions.ts';

export const CONTACT_SUBSCRIPTIONS = collection<ContactSubscriptionRecord>(
  'contact-subscriptions',
  (record) => record.systemId,
);
export const ORGANISATION_SUBSCRIPTIONS = collection<OrganisationSubscriptionRecord>(
  'organisation-subscriptions',
  (record) => record.systemId,
);

const CONTACT_RESOURCE = 'contactSubscription';
const ORGANISATION_RESOURCE = 'organisationSubscription';

/** The fields of a subscription command (NgDP's `…SubscriptionCommand`), checked. */
interface Command<Operation extends string> {
  operations: Operation[];
  items: string[];
  notificationUrl: string;
}

/** An http(s) URL (the rule of systems' endpoints), where NgDP posts the notifications. */
function notificationUrlOf(resource: string, value: unknown): string {
  if (value === undefined)
    throw reject.requiredField(resource, 'notificationUrl', 'is required: where NgDP posts notifications');
  if (!isEndpointUrl(value))
    throw reject.invalidField(
      resource,
      'notificationUrl',
      'INVALID_FORMAT',
      'must be an absolute http or https URL',
      value,
    );
  return value;
}

/** A list field of the command: absent is empty; each element checked by `check`. */
function listOf<T>(
  resource: string,
  name: string,
  value: unknown,
  check: (element: unknown, field: string) => T,
): T[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value))
    throw reject.invalidField(resource, name, 'INVALID_FORMAT', 'must be an array', value);
  return [...new Set(value.map((element, index) => check(element, `${name}[${index}]`)))];
}

/** Sub-records for `keys`: those kept keep their id and version, new ones are made by `make`. */
function itemsFor<I extends SubscribedItem>(
  keys: readonly string[],
  previous: readonly I[],
  keyOf: (item: I) => string,
  make: (key: string) => I,
): I[] {
  return keys.map((key) => previous.find((item) => keyOf(item) === key) ?? make(key));
}

export class Subscriptions {
  private readonly context: EngineContext;
  private readonly pusher: Pusher;
  private readonly outbound: Outbound;

  constructor(context: EngineContext, pusher: Pusher, outbound: Outbound) {
    this.context = context;
    this.pusher = pusher;
    this.outbound = outbound;
  }

  // ---------------------------------------------------------------- contact subscriptions

  /** The calling system's contact subscriptions, oldest first. */
  listContactSubscriptions(system: SystemRecord): ContactSubscriptionRecord[] {
    return this.context.store.listRecords(CONTACT_SUBSCRIPTIONS, system.id);
  }

  /** @throws Rejection for a wrong field of `body` (a `ContactSubscriptionCommand`). */
  createContactSubscription(system: SystemRecord, body: Record<string, unknown>): ContactSubscriptionRecord {
    const command = this.contactCommand(body);
    const now = this.context.now();
    const record: ContactSubscriptionRecord = {
      id: this.context.newId(),
      systemId: system.id,
      version: 1,
      transactionId: this.context.newId(),
      operations: command.operations,
      contacts: this.contactItems(command.items, []),
      notificationUrl: command.notificationUrl,
      createdDate: now,
      lastUpdated: now,
    };
    this.context.change(() => this.context.store.putRecord(CONTACT_SUBSCRIPTIONS, record));
    return record;
  }

  /**
   * Replaces the subscription's operations, contacts and URL (a `PUT`): one version more.
   *
   * @throws Rejection NOT_FOUND for a subscription the system does not have; for a missing or
   *   mismatching `ifMatch`; for a wrong field.
   */
  updateContactSubscription(
    system: SystemRecord,
    id: string,
    ifMatch: string | undefined,
    body: Record<string, unknown>,
  ): ContactSubscriptionRecord {
    const current = this.ownContactSubscription(system, id, ifMatch);
    const command = this.contactCommand(body);
    const record: ContactSubscriptionRecord = {
      ...current,
      version: current.version + 1,
      transactionId: this.context.newId(),
      operations: command.operations,
      contacts: this.contactItems(command.items, current.contacts),
      notificationUrl: command.notificationUrl,
      lastUpdated: this.context.now(),
    };
    this.context.change(() => this.context.store.putRecord(CONTACT_SUBSCRIPTIONS, record));
    return record;
  }

  /** @throws Rejection NOT_FOUND, or for a missing or mismatching `ifMatch`. */
  deleteContactSubscription(system: SystemRecord, id: string, ifMatch: string | undefined): void {
    this.ownContactSubscription(system, id, ifMatch);
    this.context.change(() => this.context.store.deleteRecord(CONTACT_SUBSCRIPTIONS, id));
  }

  private ownContactSubscription(
    system: SystemRecord,
    id: string,
    ifMatch: string | undefined,
  ): ContactSubscriptionRecord {
    const found = isUuid(id)
      ? this.context.store.getRecord(CONTACT_SUBSCRIPTIONS, id.toLowerCase())
      : undefined;
    if (found === undefined || found.systemId !== system.id)
      throw reject.notFound(`no contact subscription ${id}`);
    this.checkVersion('contact subscription', found.version, ifMatch);
    return found;
  }

  private contactCommand(
    body: Record<string, unknown>,
  ): Command<(typeof CONTACT_SUBSCRIPTION_OPERATIONS)[number]> {
    onlyFields(CONTACT_RESOURCE, body, [
      'subscriptionOperations',
      'singleContactSubscriptions',
      'notificationUrl',
    ]);
    const { store } = this.context;
    return {
      operations: listOf(
        CONTACT_RESOURCE,
        'subscriptionOperations',
        body.subscriptionOperations,
        (value, name) => {
          if (!isOneOf(CONTACT_SUBSCRIPTION_OPERATIONS, value))
            throw reject.invalidField(
              CONTACT_RESOURCE,
              name,
              'NOT_ALLOWED_VALUE',
              `must be one of ${CONTACT_SUBSCRIPTION_OPERATIONS.join(', ')}`,
              value,
            );
          return value;
        },
      ),
      items: listOf(
        CONTACT_RESOURCE,
        'singleContactSubscriptions',
        body.singleContactSubscriptions,
        (value, name) => {
          if (!isUuid(value))
            throw reject.invalidField(
              CONTACT_RESOURCE,
              name,
              'INVALID_FORMAT',
              'must be a contact id (a UUID)',
              value,
            );
          if (store.getContact(value.toLowerCase()) === undefined)
            throw reject.unknownReference(CONTACT_RESOURCE, name, 'must name an existing contact', value);
          return value.toLowerCase();
        },
      ),
      notificationUrl: notificationUrlOf(CONTACT_RESOURCE, body.notificationUrl),
    };
  }

  // ---------------------------------------------------------------- organisation subscriptions

  /** The calling system's organisation subscriptions, oldest first. */
  listOrganisationSubscriptions(system: SystemRecord): OrganisationSubscriptionRecord[] {
    return this.context.store.listRecords(ORGANISATION_SUBSCRIPTIONS, system.id);
  }

  /** @throws Rejection for a wrong field of `body` (an `OrganisationSenderSystemSubscriptionCommand`). */
  createOrganisationSubscription(
    system: SystemRecord,
    body: Record<string, unknown>,
  ): OrganisationSubscriptionRecord {
    const command = this.organisationCommand(body);
    const now = this.context.now();
    const record: OrganisationSubscriptionRecord = {
      id: this.context.newId(),
      systemId: system.id,
      version: 1,
      transactionId: this.context.newId(),
      operations: command.operations,
      organisations: this.organisationItems(command.items, []),
      notificationUrl: command.notificationUrl,
      createdDate: now,
      lastUpdated: now,
    };
    this.context.change(() => this.context.store.putRecord(ORGANISATION_SUBSCRIPTIONS, record));
    return record;
  }

  /**
   * Replaces the subscription's operations, organisations and URL (a `PUT`): one version more.
   *
   * @throws Rejection NOT_FOUND, for a missing or mismatching `ifMatch`, or for a wrong field.
   */
  updateOrganisationSubscription(
    system: SystemRecord,
    id: string,
    ifMatch: string | undefined,
    body: Record<string, unknown>,
  ): OrganisationSubscriptionRecord {
    const found = isUuid(id)
      ? this.context.store.getRecord(ORGANISATION_SUBSCRIPTIONS, id.toLowerCase())
      : undefined;
    if (found === undefined || found.systemId !== system.id)
      throw reject.notFound(`no organisation subscription ${id}`);
    this.checkVersion('organisation subscription', found.version, ifMatch);
    const command = this.organisationCommand(body);
    const record: OrganisationSubscriptionRecord = {
      ...found,
      version: found.version + 1,
      transactionId: this.context.newId(),
      operations: command.operations,
      organisations: this.organisationItems(command.items, found.organisations),
      notificationUrl: command.notificationUrl,
      lastUpdated: this.context.now(),
    };
    this.context.change(() => this.context.store.putRecord(ORGANISATION_SUBSCRIPTIONS, record));
    return record;
  }

  private organisationCommand(
    body: Record<string, unknown>,
  ): Command<(typeof ORGANISATION_SUBSCRIPTION_OPERATIONS)[number]> {
    onlyFields(ORGANISATION_RESOURCE, body, [
      'subscriptionOperations',
      'organisationSubscriptions',
      'notificationUrl',
    ]);
    return {
      operations: listOf(
        ORGANISATION_RESOURCE,
        'subscriptionOperations',
        body.subscriptionOperations,
        (value, name) => {
          if (!isOneOf(ORGANISATION_SUBSCRIPTION_OPERATIONS, value))
            throw reject.invalidField(
              ORGANISATION_RESOURCE,
              name,
              'NOT_ALLOWED_VALUE',
              `must be one of ${ORGANISATION_SUBSCRIPTION_OPERATIONS.join(', ')}`,
              value,
            );
          return value;
        },
      ),
      items: listOf(
        ORGANISATION_RESOURCE,
        'organisationSubscriptions',
        body.organisationSubscriptions,
        (value, name) => {
          if (!isCvrNumber(value))
            throw reject.invalidField(
              ORGANISATION_RESOURCE,
              name,
              'INVALID_FORMAT',
              'must be a CVR number (8 digits)',
              value,
            );
          return value;
        },
      ),
      notificationUrl: notificationUrlOf(ORGANISATION_RESOURCE, body.notificationUrl),
    };
  }

  private contactItems(
    contactIds: readonly string[],
    previous: ContactSubscriptionRecord['contacts'],
  ): ContactSubscriptionRecord['contacts'] {
    return itemsFor(
      contactIds,
      previous,
      (item) => item.contactId,
      (contactId) => ({
        id: this.context.newId(),
        version: 1,
        contactId,
      }),
    );
  }

  private organisationItems(
    cvrNumbers: readonly string[],
    previous: OrganisationSubscriptionRecord['organisations'],
  ): OrganisationSubscriptionRecord['organisations'] {
    return itemsFor(
      cvrNumbers,
      previous,
      (item) => item.cvrNumber,
      (cvrNumber) => ({
        id: this.context.newId(),
        version: 1,
        cvrNumber,
      }),
    );
  }

  private checkVersion(resource: string, version: number, ifMatch: string | undefined): void {
    expectVersion(this.context, `the ${resource}`, version, { header: ifMatch, required: true });
  }

  // ---------------------------------------------------------------- notifications

  /**
   * A contact was created or changed (inside the caller's change): a notification job for each
   * contact subscription it concerns. Returns the subscribing systems.
   */
  contactChanged(contact: Contact, change: ContactChange): string[] {
    const { store } = this.context;
    const systems = new Set<string>();
    for (const subscription of store.listRecords(CONTACT_SUBSCRIPTIONS)) {
      if (!concernsSubscription(subscription, contact, change)) continue;
      systems.add(subscription.systemId);
      this.context.schedule('notify-subscriber', this.context.now(), {
        data: {
          subscriptionId: subscription.id,
          contactId: contact.id,
          change,
          version: contact.version ?? 1,
        },
      });
    }
    return [...systems];
  }

  /**
   * An organisation was created or changed (inside the caller's change): a notification job for
   * each organisation subscription it concerns — every one with `ALL_ORGANISATIONS`, with
   * `NEW_ORGANISATIONS` for a new one, and those naming its CVR number. Returns the subscribing
   * systems.
   */
  organisationChanged(organisation: Organisation, change: ContactChange): string[] {
    const { store } = this.context;
    const systems = new Set<string>();
    for (const subscription of store.listRecords(ORGANISATION_SUBSCRIPTIONS)) {
      if (!concernsOrganisationSubscription(subscription, organisation, change)) continue;
      systems.add(subscription.systemId);
      this.context.schedule('notify-subscriber', this.context.now(), {
        data: {
          organisationSubscriptionId: subscription.id,
          organisationId: organisation.id,
          cvrNumber: organisation.cvrNumber,
          change,
          version: organisation.version ?? 1,
        },
      });
    }
    return [...systems];
  }

  /** The `notify-subscriber` job: one attempt at telling a subscription of a contact's or organisation's change. */
  async notify(job: Job): Promise<void> {
    const { store } = this.context;
    const data = job.data ?? {};
    const forOrganisation = data.organisationSubscriptionId !== undefined;
    const subscription = forOrganisation
      ? store.getRecord(ORGANISATION_SUBSCRIPTIONS, String(data.organisationSubscriptionId))
      : store.getRecord(CONTACT_SUBSCRIPTIONS, String(data.subscriptionId));
    const system = subscription === undefined ? undefined : store.getSystem(subscription.systemId);
    if (subscription === undefined || system === undefined) {
      this.context.change(() => store.deleteJob(job.id));
      return;
    }
    const attemptAt = this.context.now();
    const change = data.change === 'CREATED' ? ('CREATED' as const) : ('UPDATED' as const);
    const version = Number(data.version);
    const about = forOrganisation
      ? { organisationId: String(data.organisationId) }
      : { contactId: String(data.contactId) };
    const outcome = await this.pusher.attempt(
      'PUSH notification',
      system,
      subscription.notificationUrl,
      (url, timeoutMs) =>
        forOrganisation
          ? this.outbound.pushOrganisationNotification(
              url,
              {
                subscriptionId: subscription.id,
                organisationId: String(data.organisationId),
                cvrNumber: String(data.cvrNumber),
                change,
                version,
                timeStamp: attemptAt,
              },
              timeoutMs,
            )
          : this.outbound.pushContactNotification(
              url,
              {
                subscriptionId: subscription.id,
                contactId: String(data.contactId),
                change,
                version,
                timeStamp: attemptAt,
              },
              timeoutMs,
            ),
    );
    this.context.change(() => {
      const details = { systemIds: [system.id], meta: { subscriptionId: subscription.id, ...about } };
      if (outcome.ok) {
        store.deleteJob(job.id);
        this.context.record(EventTag.NOTIFICATION_SENT, undefined, details);
        return;
      }
      this.context.record(EventTag.NOTIFICATION_FAILED, undefined, { ...details, text: outcome.reason });
      const stillThere = forOrganisation
        ? store.getRecord(ORGANISATION_SUBSCRIPTIONS, subscription.id) !== undefined
        : store.getRecord(CONTACT_SUBSCRIPTIONS, subscription.id) !== undefined;
      this.pusher.retryLater(job, attemptAt, stillThere);
    });
  }
}
