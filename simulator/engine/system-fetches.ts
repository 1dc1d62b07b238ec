/**
 * System fetches (`mailboxes/{mailboxId}/system-fetches/`, admin.md §11 "Flyt post"): a system of
 * an organisation moves the post in the organisation's own mailbox to one of its contact points, and
 * asks how many letters there are to move. The simulator moves at once — the fetch is FINISHED when
 * it is created — and takes the letters out of the mailbox; it does not deliver them to the contact
 * point's system again (docs/differences.md, "Change subscriptions and system fetches").
 */
import { EventTag } from '../../sdk/ngdp/enums.ts';
import { isUuid } from '../../sdk/ngdp/identifiers.ts';
import { dateTimeInstant } from '../domain/formats.ts';
import type { MailboxEntry, Organisation, SystemRecord } from '../domain/model.ts';
import { inPeriod, mailboxIdOf, type SystemFetchRecord } from '../domain/system-fetches.ts';
import { collection, type Store } from '../store/store.ts';
import type { EngineContext } from './context.ts';
import { onlyFields } from './fields.ts';
import { reject } from './rejections.ts';

export const SYSTEM_FETCHES = collection<SystemFetchRecord>('system-fetches', (record) => record.mailboxId);

/** A letter a system fetch moved out of its mailbox (`id` is its messageUUID). */
interface MovedLetter {
  id: string;
  mailboxId: string;
  systemFetchId: string;
}

const MOVED_LETTERS = collection<MovedLetter>('moved-letters', (record) => record.mailboxId);

/** Whether a system fetch moved the letter out of its mailbox (NgDP deletes moved post there). */
export function movedOut(store: Store, messageUUID: string): boolean {
  return store.getRecord(MOVED_LETTERS, messageUUID) !== undefined;
}

const RESOURCE = 'systemFetch';

/** The fields of NgDP's `SystemFetch` that the server sets: taken in a body, and ignored. */
const SERVER_SET = [
  'id',
  'version',
  'createdDateTime',
  'lastUpdated',
  'finishedDateTime',
  'systemFetchStatusType',
  'systemId',
  'totalMessages',
  'fetchedMessages',
  'failedMessages',
];
const GIVEN = [
  'mailboxId',
  'organisationId',
  'contactPointId',
  'preferOriginalMessageRecipient',
  'fromDateTime',
  'toDateTime',
];

const DATE = /^\d{4}-\d\d-\d\d$/;

/** How many letters a mailbox has to move in a period (`messageCount`). */
export interface MessageCount {
  mailboxId: string;
  organisationId: string;
  /** The calling system's contact point, else the organisation's first active one (NgDP requires one). */
  contactPointId: string;
  totalMessages: number;
  fromDateTime?: number;
  toDateTime?: number;
}

/** A date-time of a body field or query parameter, as epoch ms; undefined when not given. */
function instantOf(resource: string, name: string, value: unknown): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const time = dateTimeInstant(value);
  if (time === undefined)
    throw reject.invalidField(
      resource,
      name,
      'INVALID_FORMAT',
      'must be a date-time such as 2025-06-02T08:00:00.000Z',
      value,
    );
  return time;
}

function checkPeriod(
  resource: string,
  from: number | undefined,
  to: number | undefined,
  given: unknown,
): void {
  if (from !== undefined && to !== undefined && from > to)
    throw reject.invalidField(
      resource,
      'fromDateTime',
      'INVALID_PERIOD',
      'must not be after toDateTime',
      given,
    );
}

export class SystemFetches {
  private readonly context: EngineContext;

  constructor(context: EngineContext) {
    this.context = context;
  }

  /**
   * The mailbox's system fetches, oldest first; with `fromDate` (yyyy-MM-dd, UTC), those created
   * on or after it.
   *
   * @throws Rejection NOT_FOUND for a mailbox that is not the caller's organisation's.
   */
  list(caller: SystemRecord, mailboxId: string, fromDate: string | undefined): SystemFetchRecord[] {
    this.mailboxOf(caller, mailboxId, 'not-found');
    let from: number | undefined;
    if (fromDate !== undefined && fromDate !== '') {
      from = DATE.test(fromDate) ? Date.parse(`${fromDate}T00:00:00.000Z`) : Number.NaN;
      if (Number.isNaN(from))
        throw reject.invalidParameter('fromDate', 'must be a date such as 2025-06-02', fromDate);
    }
    return this.context.store
      .listRecords(SYSTEM_FETCHES, mailboxId.toLowerCase())
      .filter((fetch) => from === undefined || fetch.createdDateTime >= from);
  }

  /**
   * How many letters of the mailbox a system fetch would move in the period (both ends optional).
   *
   * @throws Rejection NOT_FOUND for another mailbox, or an organisation without a contact point;
   *   for a malformed date-time or a reversed period.
   */
  count(caller: SystemRecord, mailboxId: string, fromDateTime?: string, toDateTime?: string): MessageCount {
    const organisation = this.mailboxOf(caller, mailboxId, 'not-found');
    const from = instantOf('query', 'fromDateTime', fromDateTime);
    const to = instantOf('query', 'toDateTime', toDateTime);
    checkPeriod('query', from, to, fromDateTime);
    // NgDP's SystemFetch requires a contact point: the caller's own, else the organisation's first
    // active one (docs/differences.md, "message-count").
    const points = this.context.store.listContactPoints(organisation.id);
    const contactPoint =
      points.find((point) => point.systemId === caller.id) ?? points.find((point) => point.active);
    if (contactPoint === undefined)
      throw reject.notFound('the organisation has no contact point that a system fetch could move post to');
    return {
      mailboxId: mailboxIdOf(organisation.id),
      organisationId: organisation.id,
      contactPointId: contactPoint.id,
      totalMessages: this.letters(organisation, from, to).length,
      ...(from === undefined ? {} : { fromDateTime: from }),
      ...(to === undefined ? {} : { toDateTime: to }),
    };
  }

  /**
   * Moves the mailbox's letters of the period to a contact point of the organisation, at once.
   *
   * @throws Rejection for a wrong field (400), another mailbox (400: NgDP declares no 404 here), or
   *   a contact point that cannot take post (422 CONTACT_POINT_NOT_USABLE).
   */
  create(caller: SystemRecord, mailboxId: string, body: Record<string, unknown>): SystemFetchRecord {
    const organisation = this.mailboxOf(caller, mailboxId, 'invalid');
    onlyFields(RESOURCE, body, [...GIVEN, ...SERVER_SET]);
    const id = mailboxIdOf(organisation.id);
    if (body.mailboxId !== undefined && String(body.mailboxId).toLowerCase() !== id)
      throw reject.invalidField(
        RESOURCE,
        'mailboxId',
        'MISMATCH',
        'must be the mailbox of the path',
        body.mailboxId,
      );
    if (body.organisationId === undefined) throw reject.requiredField(RESOURCE, 'organisationId');
    if (!isUuid(body.organisationId) || body.organisationId.toLowerCase() !== organisation.id)
      throw reject.invalidField(
        RESOURCE,
        'organisationId',
        'MISMATCH',
        "must be the id of the mailbox's organisation",
        body.organisationId,
      );
    const contactPointId = this.usableContactPoint(organisation, body.contactPointId);
    const preferOriginal = body.preferOriginalMessageRecipient ?? false;
    if (typeof preferOriginal !== 'boolean')
      throw reject.invalidField(
        RESOURCE,
        'preferOriginalMessageRecipient',
        'INVALID_FORMAT',
        'must be true or false',
        preferOriginal,
      );
    const now = this.context.now();
    const from = instantOf(RESOURCE, 'fromDateTime', body.fromDateTime);
    const to = instantOf(RESOURCE, 'toDateTime', body.toDateTime) ?? now;
    checkPeriod(RESOURCE, from, to, body.fromDateTime);
    const point = this.context.store.getContactPoint(contactPointId);
    const letters = this.letters(organisation, from, to);
    const fetch: SystemFetchRecord = {
      id: this.context.newId(),
      mailboxId: id,
      organisationId: organisation.id,
      systemId: point?.systemId as string,
      contactPointId,
      preferOriginalMessageRecipient: preferOriginal,
      ...(from === undefined ? {} : { fromDateTime: from }),
      toDateTime: to,
      status: 'FINISHED',
      totalMessages: letters.length,
      fetchedMessages: letters.length,
      failedMessages: 0,
      messageUUIDs: letters.map((letter) => letter.messageUUID),
      version: 1,
      createdDateTime: now,
      lastUpdated: now,
      finishedDateTime: now,
    };
    this.context.change(() => this.move(fetch, organisation, caller));
    return fetch;
  }

  /** @throws Rejection NOT_FOUND for another mailbox or a fetch it does not have. */
  get(caller: SystemRecord, mailboxId: string, id: string): SystemFetchRecord {
    this.mailboxOf(caller, mailboxId, 'not-found');
    const found = isUuid(id) ? this.context.store.getRecord(SYSTEM_FETCHES, id.toLowerCase()) : undefined;
    if (found === undefined || found.mailboxId !== mailboxId.toLowerCase())
      throw reject.notFound(`no system fetch ${id} in mailbox ${mailboxId}`);
    return found;
  }

  /**
   * Changes a running fetch (stops it); the simulator's fetches have all ended, so this refuses.
   *
   * @throws Rejection NOT_FOUND; 422 SYSTEM_FETCH_ENDED for a fetch that has ended.
   */
  update(caller: SystemRecord, mailboxId: string, id: string): SystemFetchRecord {
    const found = this.get(caller, mailboxId, id);
    throw reject.systemFetchEnded(found.id, found.status);
  }

  /** Removes an ended fetch from the mailbox's history (the letters it moved stay moved). */
  delete(caller: SystemRecord, mailboxId: string, id: string): void {
    const found = this.get(caller, mailboxId, id);
    this.context.change(() => this.context.store.deleteRecord(SYSTEM_FETCHES, found.id));
  }

  /** The organisation whose mailbox `mailboxId` is, when the caller is one of its systems. */
  private mailboxOf(caller: SystemRecord, mailboxId: string, refusal: 'invalid' | 'not-found'): Organisation {
    const organisation = this.context.store.getOrganisation(caller.organisationId);
    if (
      organisation !== undefined &&
      isUuid(mailboxId) &&
      mailboxIdOf(organisation.id) === mailboxId.toLowerCase()
    )
      return organisation;
    const message = "names no mailbox of the calling system's organisation";
    if (refusal === 'invalid')
      throw reject.invalidField('path', 'mailboxId', 'NOT_FOUND', message, mailboxId);
    throw reject.notFound(`mailboxId ${mailboxId} ${message}`);
  }

  /** The id of an active contact point of the organisation with a system attached. */
  private usableContactPoint(organisation: Organisation, value: unknown): string {
    if (value === undefined)
      throw reject.requiredField(RESOURCE, 'contactPointId', 'is required: where the post goes');
    const point = isUuid(value) ? this.context.store.getContactPoint(value.toLowerCase()) : undefined;
    if (point === undefined || point.organisationId !== organisation.id)
      throw reject.unknownReference(
        RESOURCE,
        'contactPointId',
        "must name a contact point of the mailbox's organisation",
        value,
      );
    if (!point.active) throw reject.contactPointNotUsable(point.id, 'is not active');
    if (point.systemId === undefined) throw reject.contactPointNotUsable(point.id, 'has no recipient system');
    return point.id;
  }

  /** The mailbox's letters of the period that no fetch moved yet, oldest first. */
  private letters(
    organisation: Organisation,
    from: number | undefined,
    to: number | undefined,
  ): MailboxEntry[] {
    const { store } = this.context;
    return store
      .listMailbox(organisation.cvrNumber)
      .filter(
        (entry) =>
          inPeriod(entry.deliveredAt, from, to) &&
          store.getRecord(MOVED_LETTERS, entry.messageUUID) === undefined,
      );
  }

  /** Inside a change: the fetch, its letters marked moved, and its events. */
  private move(fetch: SystemFetchRecord, organisation: Organisation, caller: SystemRecord): void {
    const { store } = this.context;
    const details = {
      systemIds: [...new Set([caller.id, fetch.systemId])],
      parties: [organisation.cvrNumber],
      meta: { systemFetchId: fetch.id, mailboxId: fetch.mailboxId, contactPointId: fetch.contactPointId },
    };
    store.putRecord(SYSTEM_FETCHES, fetch);
    this.context.record(EventTag.SYSTEM_FETCH_STARTED, undefined, details);
    for (const messageUUID of fetch.messageUUIDs) {
      store.putRecord(MOVED_LETTERS, {
        id: messageUUID,
        mailboxId: fetch.mailboxId,
        systemFetchId: fetch.id,
      });
      this.context.record(EventTag.MEMO_SYSTEM_FETCHED, store.getMessage(messageUUID), details);
    }
    this.context.record(EventTag.SYSTEM_FETCH_FINISHED, undefined, {
      ...details,
      text: `${fetch.fetchedMessages} of ${fetch.totalMessages} letters moved`,
    });
  }
}
