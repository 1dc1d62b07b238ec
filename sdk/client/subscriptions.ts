/**
 * `client.subscriptions`: a sender system's change subscriptions (ngdp-api.md §5.5) — which contacts
 * (`contacts`) or organisations (`organisations`) it wants to hear of, and the `notificationUrl`
 * where NgDP posts when one changes. Each system sees only its own. A change names the version it
 * applies to (`If-Match`): pass the subscription as last read, and a 409 says someone changed it
 * meanwhile.
 */
import { InvalidOptionsError } from '../errors.ts';
import { array } from '../http/shape.ts';
import type { Effect, RequestOptions, Transport } from '../http/transport.ts';
import { isCvrNumber, isUuid } from '../ngdp/identifiers.ts';
import { contactSubscriptionShape, organisationSubscriptionShape, reading } from './responses.ts';
import type {
  ContactSubscription,
  ContactSubscriptionCommand,
  OrganisationSubscription,
  OrganisationSubscriptionCommand,
} from './types.ts';

/** A subscription as last read: the id it has and the version a change applies to. */
export interface SubscriptionVersion {
  id: string;
  version: number;
}

function checkUrl(operation: string, url: unknown): void {
  let parsed: URL | undefined;
  try {
    parsed = typeof url === 'string' ? new URL(url) : undefined;
  } catch {
    parsed = undefined;
  }
  if (parsed === undefined || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:'))
    throw new InvalidOptionsError(`${operation}: notificationUrl must be an absolute http(s) URL`);
}

function checkVersion(operation: string, subscription: SubscriptionVersion): void {
  if (!isUuid(subscription.id) || !Number.isSafeInteger(subscription.version))
    throw new InvalidOptionsError(`${operation}: give the subscription as read ({ id, version })`);
}

/** A create may have happened although its answer was lost: sending it again could make two. */
const createEffect = (operation: string, list: string): Effect => ({
  operation,
  check: `Whether the subscription was created shows in ${list}(); create it again only if it is not there.`,
  repeatable: false,
});

/** A change names a version: sent again after it took effect, it meets 409 (the version moved on). */
const changeEffect = (operation: string, list: string, id: string): Effect => ({
  operation,
  check: `Whether subscription ${id} was changed shows in ${list}(): its version is one more when it was.`,
  repeatable: false,
});

const path = (base: string, id: string): string => `${base}${encodeURIComponent(id)}`;

/** A sender system's contact subscriptions (`/contacts/subscriptions/`). */
export class ContactSubscriptions {
  private readonly transport: Transport;

  constructor(transport: Transport) {
    this.transport = transport;
  }

  /** The calling system's contact subscriptions. */
  async list(options: RequestOptions = {}): Promise<ContactSubscription[]> {
    return this.transport.json(
      { method: 'GET', path: '/contacts/subscriptions/' },
      options,
      reading(array(contactSubscriptionShape)),
    );
  }

  /**
   * Subscribes to changes of contacts: kinds of contacts (`subscriptionOperations`) and/or contacts
   * by id (`singleContactSubscriptions`).
   *
   * @throws InvalidOptionsError for a notificationUrl that is not an absolute http(s) URL.
   * @throws UnknownOutcomeError when the answer was lost: check with `list()` before creating again.
   */
  async create(
    command: ContactSubscriptionCommand,
    options: RequestOptions = {},
  ): Promise<ContactSubscription> {
    checkUrl('subscriptions.contacts.create', command.notificationUrl);
    return this.transport.json(
      {
        method: 'POST',
        path: '/contacts/subscriptions/',
        body: JSON.stringify(command),
        contentType: 'application/json',
        effect: createEffect('subscriptions.contacts.create', 'subscriptions.contacts.list'),
      },
      options,
      reading(contactSubscriptionShape),
    );
  }

  /**
   * Replaces what `subscription` (as last read) covers; returns it at its new version.
   *
   * @throws ConflictError (409) when it was changed since it was read: read it again.
   */
  async update(
    subscription: SubscriptionVersion,
    command: ContactSubscriptionCommand,
    options: RequestOptions = {},
  ): Promise<ContactSubscription> {
    checkVersion('subscriptions.contacts.update', subscription);
    checkUrl('subscriptions.contacts.update', command.notificationUrl);
    return this.transport.json(
      {
        method: 'PUT',
        path: path('/contacts/subscriptions/', subscription.id),
        body: JSON.stringify(command),
        contentType: 'application/json',
        ifMatch: `"${subscription.version}"`,
        effect: changeEffect('subscriptions.contacts.update', 'subscriptions.contacts.list', subscription.id),
      },
      options,
      reading(contactSubscriptionShape),
    );
  }

  /**
   * Ends `subscription` (as last read).
   *
   * @throws NotFoundError when it is gone; ConflictError (409) when it was changed since it was read.
   */
  async delete(subscription: SubscriptionVersion, options: RequestOptions = {}): Promise<void> {
    checkVersion('subscriptions.contacts.delete', subscription);
    await this.transport.send(
      {
        method: 'DELETE',
        path: path('/contacts/subscriptions/', subscription.id),
        ifMatch: `"${subscription.version}"`,
        answer: 'none',
        effect: {
          operation: 'subscriptions.contacts.delete',
          check: `Subscription ${subscription.id} is deleted once subscriptions.contacts.list() no longer has it.`,
          repeatable: true,
        },
        earlierAttemptSucceeded: (error) => error.status === 404,
      },
      options,
    );
  }
}

/** A sender system's organisation subscriptions (`/organisations/subscriptions/`). */
export class OrganisationSubscriptions {
  private readonly transport: Transport;

  constructor(transport: Transport) {
    this.transport = transport;
  }

  /** The calling system's organisation subscriptions. */
  async list(options: RequestOptions = {}): Promise<OrganisationSubscription[]> {
    return this.transport.json(
      { method: 'GET', path: '/organisations/subscriptions/' },
      options,
      reading(array(organisationSubscriptionShape)),
    );
  }

  /**
   * Subscribes to changes of organisations: kinds (`subscriptionOperations`) and/or CVR numbers.
   *
   * @throws InvalidOptionsError for a CVR number that is not 8 digits, or a notificationUrl that is
   *   not an absolute http(s) URL.
   */
  async create(
    command: OrganisationSubscriptionCommand,
    options: RequestOptions = {},
  ): Promise<OrganisationSubscription> {
    this.check('subscriptions.organisations.create', command);
    return this.transport.json(
      {
        method: 'POST',
        path: '/organisations/subscriptions/',
        body: JSON.stringify(command),
        contentType: 'application/json',
        effect: createEffect('subscriptions.organisations.create', 'subscriptions.organisations.list'),
      },
      options,
      reading(organisationSubscriptionShape),
    );
  }

  /**
   * Replaces what `subscription` (as last read) covers; returns it at its new version.
   *
   * @throws ConflictError (409) when it was changed since it was read.
   */
  async update(
    subscription: SubscriptionVersion,
    command: OrganisationSubscriptionCommand,
    options: RequestOptions = {},
  ): Promise<OrganisationSubscription> {
    checkVersion('subscriptions.organisations.update', subscription);
    this.check('subscriptions.organisations.update', command);
    return this.transport.json(
      {
        method: 'PUT',
        path: path('/organisations/subscriptions/', subscription.id),
        body: JSON.stringify(command),
        contentType: 'application/json',
        ifMatch: `"${subscription.version}"`,
        effect: changeEffect(
          'subscriptions.organisations.update',
          'subscriptions.organisations.list',
          subscription.id,
        ),
      },
      options,
      reading(organisationSubscriptionShape),
    );
  }

  private check(operation: string, command: OrganisationSubscriptionCommand): void {
    checkUrl(operation, command.notificationUrl);
    for (const cvr of command.organisationSubscriptions ?? [])
      if (!isCvrNumber(cvr)) throw new InvalidOptionsError(`${operation}: a CVR number has exactly 8 digits`);
  }
}

/** `client.subscriptions`: contact and organisation subscriptions of a sender system. */
export class Subscriptions {
  /** Changes of citizens and companies (`/contacts/subscriptions/`). */
  readonly contacts: ContactSubscriptions;
  /** Changes of organisations (`/organisations/subscriptions/`). */
  readonly organisations: OrganisationSubscriptions;

  constructor(transport: Transport) {
    this.contacts = new ContactSubscriptions(transport);
    this.organisations = new OrganisationSubscriptions(transport);
  }
}
