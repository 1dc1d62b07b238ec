/**
 * The simulator's persistence. Synchronous on purpose: both implementations (memory, node:sqlite)
 * are in-process, and a synchronous `transaction` makes every state change atomic — with
 * `--data-dir`, a crash leaves either all of a change or none of it.
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

/**
 * One of the store's generic collections: records of one kind, each with an `id`, kept whole and
 * listed in the order they were first put. `scopeOf` names what a record belongs to (usually its
 * organisation), so that a collection can be listed for one scope without reading all of it.
 *
 * The administration's many kinds of records (identities, rights, contact groups, subscriptions …)
 * live in collections, so that a new kind needs a declaration, not new methods and a new table in
 * both stores. They are small: callers filter and sort them in memory (the query language).
 */
export interface Collection<T extends { id: string }> {
  /** Unique among collections; part of the data file's format, so never renamed. */
  readonly name: string;
  readonly scopeOf?: (record: T) => string | undefined;
}

/** Declares a collection (see {@link Collection}). */
export function collection<T extends { id: string }>(
  name: string,
  scopeOf?: (record: T) => string | undefined,
): Collection<T> {
  return scopeOf === undefined ? { name } : { name, scopeOf };
}

/** A page request: skip `offset` rows, return at most `limit`. */
export interface Slice {
  offset: number;
  limit: number;
}

export interface ContactQuery {
  ids?: readonly string[];
  cprNumbers?: readonly string[];
  cvrNumbers?: readonly string[];
  /** Only contacts whose lastUpdated is at or after this time (epoch ms). */
  updatedSince?: number;
  /** Search-after cursor: contacts strictly after this (lastUpdated, transactionId). */
  after?: { lastUpdated: number; transactionId: string };
  /** Only citizens, or only companies. */
  type?: 'CITIZEN' | 'COMPANY';
}

export interface EventQuery {
  from: number;
  to: number;
  /** Events concerning any of these systems. */
  systemIds?: readonly string[];
  party?: string;
  eventTag?: string;
  messageUUID?: string;
}

/** What a contact point says about the groups it is in: enough to derive groups' targets and visibility. */
export type ContactPointPlace = Pick<
  ContactPoint,
  'id' | 'active' | 'targets' | 'contactGroupIds' | 'visible'
>;

/** The place of a contact point (its arrays copied). */
export function placeOf(point: ContactPoint): ContactPointPlace {
  return {
    id: point.id,
    active: point.active,
    targets: [...point.targets],
    ...(point.contactGroupIds === undefined ? {} : { contactGroupIds: [...point.contactGroupIds] }),
    ...(point.visible === undefined ? {} : { visible: point.visible }),
  };
}

export interface Store {
  /**
   * Runs `work` atomically. A nested call is a savepoint: if it throws, its own changes are undone
   * and the outer transaction goes on (and may still commit).
   */
  transaction<T>(work: () => T): T;

  getOrganisation(id: string): Organisation | undefined;
  findOrganisationByCvr(cvrNumber: string): Organisation | undefined;
  listOrganisations(): Organisation[];
  putOrganisation(organisation: Organisation): void;

  getSystem(id: string): SystemRecord | undefined;
  findSystemBySshUsername(username: string): SystemRecord | undefined;
  listSystems(organisationId?: string): SystemRecord[];
  putSystem(system: SystemRecord): void;

  getContact(id: string): Contact | undefined;
  findContact(kind: 'cpr' | 'cvr', number: string): Contact | undefined;
  /** Contacts ordered by (lastUpdated, transactionId), at most `limit`. */
  searchContacts(query: ContactQuery, limit: number): Contact[];
  countContacts(query: ContactQuery): number;
  putContact(contact: Contact): void;
  /** Removes a contact; false when there was none. */
  deleteContact(id: string): boolean;

  getContactPoint(id: string): ContactPoint | undefined;
  listContactPoints(organisationId?: string): ContactPoint[];
  putContactPoint(contactPoint: ContactPoint): void;
  /**
   * The places of an organisation's contact points, in the order they were first put: for
   * showing its groups without reading every point whole. Shared: callers must not change them.
   */
  listContactPointPlaces(organisationId: string): readonly ContactPointPlace[];
  /** Removes a contact point; false when there was none. */
  deleteContactPoint(id: string): boolean;

  getMessage(messageUUID: string): MessageRecord | undefined;
  putMessage(message: MessageRecord): void;
  /** The MeMo as received. The bytes are shared: callers must not change them. */
  getMessageXml(messageUUID: string): Uint8Array | undefined;
  /** Stores a MeMo as received; the store takes the bytes over (no copy): do not change them afterwards. */
  putMessageXml(messageUUID: string, xml: Uint8Array): void;
  /** MeMos waiting in a recipient system's PULL queue, oldest first. */
  listFetchable(systemId: string, slice: Slice): string[];
  countFetchable(systemId: string): number;
  /** Messages of a bulk container, in the container's order. */
  listContainerMessages(containerTransmissionId: string): string[];

  getReceipt(id: string): ReceiptRecord | undefined;
  putReceipt(receipt: ReceiptRecord): void;
  deleteReceipt(id: string): boolean;
  /** A system's available receipts, oldest first. */
  listReceipts(systemId: string, slice: Slice): ReceiptRecord[];
  countReceipts(systemId: string): number;
  /** A system's available receipts for one message, oldest first. */
  listMessageReceipts(systemId: string, messageUUID: string): ReceiptRecord[];

  getFileError(systemId: string, fileName: string): FileErrorRecord | undefined;
  /** Stores a file error; it replaces one of the same system and file name. */
  putFileError(error: FileErrorRecord): void;
  deleteFileError(systemId: string, fileName: string): boolean;
  /** A system's file errors, ordered by file name (its UTF-8 bytes). */
  listFileErrors(systemId: string): FileErrorRecord[];

  addToMailbox(entry: MailboxEntry): void;
  listMailbox(owner: string): MailboxEntry[];

  appendEvent(event: EventRecord): void;
  /** Events in time order. */
  listEvents(query: EventQuery, slice: Slice): EventRecord[];
  countEvents(query: EventQuery): number;
  listMessageEvents(messageUUID: string): EventRecord[];

  /** The record `id` of `collection`. */
  getRecord<T extends { id: string }>(collection: Collection<T>, id: string): T | undefined;
  /** Adds or replaces a record (a replaced one keeps its place in the collection's order). */
  putRecord<T extends { id: string }>(collection: Collection<T>, record: T): void;
  deleteRecord<T extends { id: string }>(collection: Collection<T>, id: string): boolean;
  /** The records of `collection` (of one `scope`, when given), in the order they were first put. */
  listRecords<T extends { id: string }>(collection: Collection<T>, scope?: string): T[];

  putJob(job: Job): void;
  deleteJob(id: string): void;
  /** The job that is due first (by dueAt, then seq). */
  nextJob(): Job | undefined;
  /** Jobs due at or before `now`, in order, at most `limit`. */
  listDueJobs(now: number, limit: number): Job[];
  countJobs(): number;
  /** The next value of a named, persistent counter. */
  nextSequence(name: string): number;

  /** Where a manual clock stands (epoch ms), as last put; undefined when none was put. */
  getClockTime(): number | undefined;
  /** Keeps where a manual clock stands, so that a restart with `--data-dir` resumes it there. */
  putClockTime(instant: number): void;

  /** Removes everything. */
  clear(): void;
  close(): void;
}
