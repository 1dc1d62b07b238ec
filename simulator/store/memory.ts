/**
 * The default store: everything in Maps, gone when the process ends. It behaves exactly as the
 * SQLite store (store.test.ts runs one suite against both):
 * - records are copied in and out through JSON, so callers can never change stored state behind the
 *   store's back, and they read back exactly what SQLite gives (no `undefined`-valued keys);
 * - a transaction that throws is undone: inside one, every change records how to undo itself.
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
import {
  ArrivalQueue,
  byFileName,
  contactMatches,
  contactOrder,
  copy,
  emptyState,
  eventMatches,
  fetchQueueOf,
  fileErrorKey,
  jobSearch,
  messageKey,
} from './memory-state.ts';
import {
  type Collection,
  type ContactPointPlace,
  type ContactQuery,
  type EventQuery,
  placeOf,
  type Slice,
  type Store,
} from './store.ts';

export class MemoryStore implements Store {
  private state = emptyState();
  /** Undo steps of the running transaction, oldest first; undefined outside one. */
  private journal: Array<() => void> | undefined;

  transaction<T>(work: () => T): T {
    if (this.journal !== undefined) return this.savepoint(this.journal, work);
    const journal: Array<() => void> = [];
    this.journal = journal;
    try {
      return work();
    } catch (error) {
      this.journal = undefined;
      for (let at = journal.length - 1; at >= 0; at--) journal[at]?.();
      throw error;
    } finally {
      this.journal = undefined;
    }
  }

  /** A nested transaction: on a throw, undo back to where it began and rethrow. */
  private savepoint<T>(journal: Array<() => void>, work: () => T): T {
    const mark = journal.length;
    try {
      return work();
    } catch (error) {
      for (let at = journal.length - 1; at >= mark; at--) journal[at]?.();
      journal.length = mark;
      throw error;
    }
  }

  private onRollback(undo: () => void): void {
    this.journal?.push(undo);
  }

  private setEntry<V>(map: Map<string, V>, key: string, value: V): void {
    const previous = map.get(key);
    map.set(key, value);
    this.onRollback(previous === undefined ? () => map.delete(key) : () => map.set(key, previous));
  }

  /**
   * Deletes an entry of a map whose order is the order records were first put; undone, the entry
   * goes back to its place, as a rolled-back SQLite DELETE's row does. False when there was none.
   */
  private deleteInOrder<V>(map: Map<string, V>, key: string): boolean {
    if (!map.has(key)) return false;
    const before = [...map];
    map.delete(key);
    this.onRollback(() => {
      map.clear();
      for (const [each, value] of before) map.set(each, value);
    });
    return true;
  }

  private deleteEntry<V>(map: Map<string, V>, key: string): void {
    const previous = map.get(key);
    if (previous === undefined) return;
    map.delete(key);
    this.onRollback(() => map.set(key, previous));
  }

  private enqueue(queues: Map<string, ArrivalQueue>, key: string, id: string): void {
    const queue = queues.get(key) ?? new ArrivalQueue();
    if (!queues.has(key)) this.setEntry(queues, key, queue);
    if (queue.add(id)) this.onRollback(() => queue.remove(id));
  }

  private dequeue(queues: Map<string, ArrivalQueue>, key: string, id: string): void {
    const queue = queues.get(key);
    const arrival = queue?.remove(id);
    if (queue !== undefined && arrival !== undefined) this.onRollback(() => queue.restore(id, arrival));
  }

  private append<V>(lists: Map<string, V[]>, key: string, item: V): void {
    const list = lists.get(key);
    if (list === undefined) this.setEntry(lists, key, [item]);
    else {
      list.push(item);
      this.onRollback(() => list.pop());
    }
  }

  /** Events arrive in clock order, except when a manual clock was set back: keep them sorted. */
  private insertByTime(events: EventRecord[], event: EventRecord): void {
    let at = events.length;
    while (at > 0 && (events[at - 1] as EventRecord).eventTime > event.eventTime) at--;
    events.splice(at, 0, event);
    this.onRollback(() => events.splice(at, 1));
  }

  getOrganisation(id: string): Organisation | undefined {
    const found = this.state.organisations.get(id);
    return found && copy(found);
  }

  findOrganisationByCvr(cvrNumber: string): Organisation | undefined {
    for (const organisation of this.state.organisations.values()) {
      if (organisation.cvrNumber === cvrNumber) return copy(organisation);
    }
    return undefined;
  }

  listOrganisations(): Organisation[] {
    return [...this.state.organisations.values()].map(copy);
  }

  putOrganisation(organisation: Organisation): void {
    this.setEntry(this.state.organisations, organisation.id, copy(organisation));
  }

  getSystem(id: string): SystemRecord | undefined {
    const found = this.state.systems.get(id);
    return found && copy(found);
  }

  findSystemBySshUsername(username: string): SystemRecord | undefined {
    for (const system of this.state.systems.values())
      if (system.sshUsername === username) return copy(system);
    return undefined;
  }

  listSystems(organisationId?: string): SystemRecord[] {
    return [...this.state.systems.values()]
      .filter((s) => organisationId === undefined || s.organisationId === organisationId)
      .map(copy);
  }

  putSystem(system: SystemRecord): void {
    this.setEntry(this.state.systems, system.id, copy(system));
  }

  getContact(id: string): Contact | undefined {
    const found = this.state.contacts.get(id);
    return found && copy(found);
  }

  findContact(kind: 'cpr' | 'cvr', number: string): Contact | undefined {
    for (const contact of this.state.contacts.values()) {
      if ((kind === 'cpr' ? contact.cprNumber : contact.cvrNumber) === number) return copy(contact);
    }
    return undefined;
  }

  searchContacts(query: ContactQuery, limit: number): Contact[] {
    return [...this.state.contacts.values()]
      .filter((c) => contactMatches(c, query))
      .sort(contactOrder)
      .slice(0, limit)
      .map(copy);
  }

  countContacts(query: ContactQuery): number {
    let count = 0;
    for (const contact of this.state.contacts.values()) if (contactMatches(contact, query)) count++;
    return count;
  }

  putContact(contact: Contact): void {
    this.setEntry(this.state.contacts, contact.id, copy(contact));
  }

  deleteContact(id: string): boolean {
    return this.deleteInOrder(this.state.contacts, id);
  }

  getContactPoint(id: string): ContactPoint | undefined {
    const found = this.state.contactPoints.get(id);
    return found && copy(found);
  }

  listContactPoints(organisationId?: string): ContactPoint[] {
    return [...this.state.contactPoints.values()]
      .filter((p) => organisationId === undefined || p.organisationId === organisationId)
      .map(copy);
  }

  listContactPointPlaces(organisationId: string): readonly ContactPointPlace[] {
    const places: ContactPointPlace[] = [];
    for (const point of this.state.contactPoints.values())
      if (point.organisationId === organisationId) places.push(placeOf(point));
    return places;
  }

  putContactPoint(contactPoint: ContactPoint): void {
    this.setEntry(this.state.contactPoints, contactPoint.id, copy(contactPoint));
  }

  deleteContactPoint(id: string): boolean {
    return this.deleteInOrder(this.state.contactPoints, id);
  }

  getMessage(messageUUID: string): MessageRecord | undefined {
    const found = this.state.messages.get(messageUUID);
    return found && copy(found);
  }

  putMessage(message: MessageRecord): void {
    const { messages, fetchable, containers } = this.state;
    const previous = messages.get(message.messageUUID);
    const wasQueuedAt = previous && fetchQueueOf(previous);
    const queueAt = fetchQueueOf(message);
    // A message that stays fetchable keeps its place in the queue (e.g. when it is fetched).
    if (wasQueuedAt !== queueAt) {
      if (wasQueuedAt !== undefined) this.dequeue(fetchable, wasQueuedAt, message.messageUUID);
      if (queueAt !== undefined) this.enqueue(fetchable, queueAt, message.messageUUID);
    }
    if (previous === undefined && message.containerTransmissionId !== undefined) {
      this.append(containers, message.containerTransmissionId, message.messageUUID);
    }
    this.setEntry(messages, message.messageUUID, copy(message));
  }

  getMessageXml(messageUUID: string): Uint8Array | undefined {
    return this.state.xml.get(messageUUID);
  }

  putMessageXml(messageUUID: string, xml: Uint8Array): void {
    // Taken over, not copied: a 99 MB MeMo must not cost another 99 MB.
    this.setEntry(this.state.xml, messageUUID, xml);
  }

  listFetchable(systemId: string, slice: Slice): string[] {
    return this.state.fetchable.get(systemId)?.slice(slice) ?? [];
  }

  countFetchable(systemId: string): number {
    return this.state.fetchable.get(systemId)?.size ?? 0;
  }

  listContainerMessages(containerTransmissionId: string): string[] {
    return [...(this.state.containers.get(containerTransmissionId) ?? [])];
  }

  getReceipt(id: string): ReceiptRecord | undefined {
    const found = this.state.receipts.get(id);
    return found && copy(found);
  }

  putReceipt(receipt: ReceiptRecord): void {
    const { receipts, receiptsBySystem, receiptsByMessage } = this.state;
    const previous = receipts.get(receipt.id);
    if (previous !== undefined && previous.systemId !== receipt.systemId) {
      this.dequeue(receiptsBySystem, previous.systemId, receipt.id);
    }
    const previousKey =
      previous?.messageUUID === undefined ? undefined : messageKey(previous.systemId, previous.messageUUID);
    const key =
      receipt.messageUUID === undefined ? undefined : messageKey(receipt.systemId, receipt.messageUUID);
    if (previousKey !== undefined && previousKey !== key)
      this.dequeue(receiptsByMessage, previousKey, receipt.id);
    this.enqueue(receiptsBySystem, receipt.systemId, receipt.id);
    if (key !== undefined) this.enqueue(receiptsByMessage, key, receipt.id);
    this.setEntry(receipts, receipt.id, copy(receipt));
  }

  deleteReceipt(id: string): boolean {
    const { receipts, receiptsBySystem, receiptsByMessage } = this.state;
    const receipt = receipts.get(id);
    if (receipt === undefined) return false;
    this.dequeue(receiptsBySystem, receipt.systemId, id);
    if (receipt.messageUUID !== undefined)
      this.dequeue(receiptsByMessage, messageKey(receipt.systemId, receipt.messageUUID), id);
    this.deleteEntry(receipts, id);
    return true;
  }

  listReceipts(systemId: string, slice: Slice): ReceiptRecord[] {
    const ids = this.state.receiptsBySystem.get(systemId)?.slice(slice) ?? [];
    return ids.map((id) => copy(this.state.receipts.get(id) as ReceiptRecord));
  }

  countReceipts(systemId: string): number {
    return this.state.receiptsBySystem.get(systemId)?.size ?? 0;
  }

  listMessageReceipts(systemId: string, messageUUID: string): ReceiptRecord[] {
    const queue = this.state.receiptsByMessage.get(messageKey(systemId, messageUUID));
    const ids = queue?.slice({ offset: 0, limit: queue.size }) ?? [];
    return ids.map((id) => copy(this.state.receipts.get(id) as ReceiptRecord));
  }

  getFileError(systemId: string, fileName: string): FileErrorRecord | undefined {
    const found = this.state.fileErrors.get(fileErrorKey(systemId, fileName));
    return found && copy(found);
  }

  putFileError(error: FileErrorRecord): void {
    this.setEntry(this.state.fileErrors, fileErrorKey(error.systemId, error.fileName), copy(error));
  }

  deleteFileError(systemId: string, fileName: string): boolean {
    const key = fileErrorKey(systemId, fileName);
    if (!this.state.fileErrors.has(key)) return false;
    this.deleteEntry(this.state.fileErrors, key);
    return true;
  }

  listFileErrors(systemId: string): FileErrorRecord[] {
    return [...this.state.fileErrors.values()]
      .filter((error) => error.systemId === systemId)
      .sort(byFileName)
      .map(copy);
  }

  addToMailbox(entry: MailboxEntry): void {
    this.append(this.state.mailboxes, entry.owner, copy(entry));
  }

  listMailbox(owner: string): MailboxEntry[] {
    return (this.state.mailboxes.get(owner) ?? []).map(copy);
  }

  appendEvent(event: EventRecord): void {
    const { events, eventsByMessage } = this.state;
    const stored = copy(event);
    this.insertByTime(events, stored);
    if (stored.messageUUID !== undefined) {
      const ofMessage = eventsByMessage.get(stored.messageUUID);
      if (ofMessage === undefined) this.setEntry(eventsByMessage, stored.messageUUID, [stored]);
      else this.insertByTime(ofMessage, stored);
    }
  }

  listEvents(query: EventQuery, slice: Slice): EventRecord[] {
    const { events, eventsByMessage } = this.state;
    const source = query.messageUUID === undefined ? events : (eventsByMessage.get(query.messageUUID) ?? []);
    return source
      .filter((e) => eventMatches(e, query))
      .slice(slice.offset, slice.offset + slice.limit)
      .map(copy);
  }

  countEvents(query: EventQuery): number {
    return this.state.events.filter((e) => eventMatches(e, query)).length;
  }

  listMessageEvents(messageUUID: string): EventRecord[] {
    return (this.state.eventsByMessage.get(messageUUID) ?? []).map(copy);
  }

  putJob(job: Job): void {
    const { jobs, jobsById } = this.state;
    this.deleteJob(job.id);
    const stored = copy(job);
    // After the jobs it ties with: those were put first.
    const at = jobSearch(jobs, stored, false);
    jobs.splice(at, 0, stored);
    this.onRollback(() => jobs.splice(at, 1));
    this.setEntry(jobsById, stored.id, stored);
  }

  deleteJob(id: string): void {
    const { jobs, jobsById } = this.state;
    const job = jobsById.get(id);
    if (job === undefined) return;
    let at = jobSearch(jobs, job, true);
    while (jobs[at] !== job) at++;
    jobs.splice(at, 1);
    this.onRollback(() => jobs.splice(at, 0, job));
    this.deleteEntry(jobsById, id);
  }

  nextJob(): Job | undefined {
    const first = this.state.jobs[0];
    return first && copy(first);
  }

  listDueJobs(now: number, limit: number): Job[] {
    const due: Job[] = [];
    for (const job of this.state.jobs) {
      if (job.dueAt > now || due.length === limit) break;
      due.push(copy(job));
    }
    return due;
  }

  countJobs(): number {
    return this.state.jobs.length;
  }

  nextSequence(name: string): number {
    const next = (this.state.sequences.get(name) ?? 0) + 1;
    this.setEntry(this.state.sequences, name, next);
    return next;
  }

  getClockTime(): number | undefined {
    return this.state.clock.get('now');
  }

  putClockTime(instant: number): void {
    this.setEntry(this.state.clock, 'now', instant);
  }

  getRecord<T extends { id: string }>(collection: Collection<T>, id: string): T | undefined {
    const found = this.state.records.get(collection.name)?.get(id);
    return found && (copy(found) as T);
  }

  putRecord<T extends { id: string }>(collection: Collection<T>, record: T): void {
    let records = this.state.records.get(collection.name);
    if (records === undefined) {
      records = new Map();
      this.setEntry(this.state.records, collection.name, records);
    }
    this.setEntry(records, record.id, copy(record));
  }

  deleteRecord<T extends { id: string }>(collection: Collection<T>, id: string): boolean {
    const records = this.state.records.get(collection.name);
    return records !== undefined && this.deleteInOrder(records, id);
  }

  listRecords<T extends { id: string }>(collection: Collection<T>, scope?: string): T[] {
    const records = [...(this.state.records.get(collection.name)?.values() ?? [])] as T[];
    return records
      .filter((record) => scope === undefined || collection.scopeOf?.(record) === scope)
      .map(copy);
  }

  clear(): void {
    const previous = this.state;
    this.state = emptyState();
    this.onRollback(() => {
      this.state = previous;
    });
  }

  close(): void {}
}
