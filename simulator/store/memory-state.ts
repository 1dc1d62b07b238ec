/**
 * The memory store's state and its pure helpers: the maps and indexes it keeps, the orders and
 * filters of its queries (the same as the SQLite store's), and its arrival-ordered queues.
 */
import type {
  Contact,
  ContactPoint,
  EventRecord,
  FileErrorRecord,
  Job,
  MailboxEntry,
  MessageRecord,
  Organisation,
  ReceiptRecord,
  SystemRecord,
} from '../domain/model.ts';
import type { ContactQuery, EventQuery, Slice } from './store.ts';

export const copy = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

export function contactMatches(contact: Contact, query: ContactQuery): boolean {
  if (query.ids && !query.ids.includes(contact.id)) return false;
  if (query.type !== undefined && contact.type !== query.type) return false;
  if (query.cprNumbers && !(contact.cprNumber && query.cprNumbers.includes(contact.cprNumber))) return false;
  if (query.cvrNumbers && !(contact.cvrNumber && query.cvrNumbers.includes(contact.cvrNumber))) return false;
  if (query.updatedSince !== undefined && contact.lastUpdated < query.updatedSince) return false;
  if (query.after) {
    const { lastUpdated, transactionId } = query.after;
    if (contact.lastUpdated < lastUpdated) return false;
    if (contact.lastUpdated === lastUpdated && contact.transactionId <= transactionId) return false;
  }
  return true;
}

export function contactOrder(a: Contact, b: Contact): number {
  return (
    a.lastUpdated - b.lastUpdated ||
    (a.transactionId < b.transactionId ? -1 : a.transactionId > b.transactionId ? 1 : 0)
  );
}

export function eventMatches(event: EventRecord, query: EventQuery): boolean {
  return (
    event.eventTime >= query.from &&
    event.eventTime <= query.to &&
    (query.systemIds === undefined || event.systemIds.some((id) => query.systemIds?.includes(id))) &&
    (query.party === undefined || event.parties.includes(query.party)) &&
    (query.eventTag === undefined || event.eventTag === query.eventTag) &&
    (query.messageUUID === undefined || event.messageUUID === query.messageUUID)
  );
}

export function jobOrder(a: Job, b: Job): number {
  return a.dueAt - b.dueAt || a.seq - b.seq;
}

/** The first place in the sorted `jobs` whose job orders after `job` (or, `inclusive`, not before it). */
export function jobSearch(jobs: Job[], job: Job, inclusive: boolean): number {
  let low = 0;
  let high = jobs.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    const order = jobOrder(jobs[middle] as Job, job);
    if (order < 0 || (order === 0 && !inclusive)) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** The recipient system whose PULL queue holds `message`, if any. */
export function fetchQueueOf(message: MessageRecord): string | undefined {
  return message.state === 'READY_FOR_FETCH' && message.route?.kind === 'SYSTEM'
    ? message.route.systemId
    : undefined;
}

/**
 * Ids in arrival order. Each id keeps the number it arrived with, so that a rollback can put a
 * removed id back in its place.
 */
export class ArrivalQueue {
  private members = new Map<string, number>();
  private arrivals = 0;

  get size(): number {
    return this.members.size;
  }

  /** Adds `id` at the end; false when it is already queued (it keeps its place). */
  add(id: string): boolean {
    if (this.members.has(id)) return false;
    this.members.set(id, ++this.arrivals);
    return true;
  }

  /** Removes `id`; returns the arrival number that `restore` takes. */
  remove(id: string): number | undefined {
    const arrival = this.members.get(id);
    this.members.delete(id);
    return arrival;
  }

  restore(id: string, arrival: number): void {
    this.members.set(id, arrival);
    this.members = new Map([...this.members].sort((a, b) => a[1] - b[1]));
  }

  slice(slice: Slice): string[] {
    return [...this.members.keys()].slice(slice.offset, slice.offset + slice.limit);
  }
}

/** The key of a system's receipts for one message. */
export const messageKey = (systemId: string, messageUUID: string): string => `${systemId}\n${messageUUID}`;
export const fileErrorKey = (systemId: string, fileName: string): string => `${systemId}\n${fileName}`;
/** Orders file names by their UTF-8 bytes, as SQLite's BINARY collation does. */
export const byFileName = (a: FileErrorRecord, b: FileErrorRecord): number =>
  Buffer.compare(Buffer.from(a.fileName), Buffer.from(b.fileName));

export function emptyState() {
  return {
    /** The generic collections (store.ts, Collection), by name, then id; Maps keep first-put order. */
    records: new Map<string, Map<string, { id: string }>>(),
    organisations: new Map<string, Organisation>(),
    systems: new Map<string, SystemRecord>(),
    contacts: new Map<string, Contact>(),
    contactPoints: new Map<string, ContactPoint>(),
    messages: new Map<string, MessageRecord>(),
    xml: new Map<string, Uint8Array>(),
    /** Per recipient system, the messages waiting to be fetched. */
    fetchable: new Map<string, ArrivalQueue>(),
    /** Per bulk container, its messages as first stored. */
    containers: new Map<string, string[]>(),
    receipts: new Map<string, ReceiptRecord>(),
    /** Per system, its receipts' ids. */
    receiptsBySystem: new Map<string, ArrivalQueue>(),
    /** Per system and messageUUID (`messageKey`), its receipts' ids. */
    receiptsByMessage: new Map<string, ArrivalQueue>(),
    /** By `fileErrorKey`. */
    fileErrors: new Map<string, FileErrorRecord>(),
    mailboxes: new Map<string, MailboxEntry[]>(),
    /** By eventTime, then arrival. */
    events: [] as EventRecord[],
    /** Per message, in the same order as `events`. */
    eventsByMessage: new Map<string, EventRecord[]>(),
    /** By (dueAt, seq), then put order. */
    jobs: [] as Job[],
    jobsById: new Map<string, Job>(),
    sequences: new Map<string, number>(),
    /** A manual clock's time, under the key `now`. */
    clock: new Map<string, number>(),
  };
}
