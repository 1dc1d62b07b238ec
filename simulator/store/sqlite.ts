/**
 * The persistent store (`--data-dir`), on node:sqlite. It behaves exactly as the memory store
 * (store.test.ts runs one suite against both).
 *
 * Each record is kept whole as JSON in `data` (so it reads back exactly as it was put, keys in
 * order); the fields that are looked up or ordered by are copied into real, indexed columns.
 *
 * Arrival order ("in the order they were first put") is rowid order for the rarely written tables
 * (an upsert keeps a row's rowid). The tables written for every message are WITHOUT ROWID, keyed
 * by what they are read by, so that a write touches as few B-trees (pages, in the WAL) as
 * possible; where they need an arrival order, an `*_order`/`arrival` column takes the largest one
 * of its group plus one, found through the same index that orders the group.
 *
 * Durability: the journal is a write-ahead log with `synchronous = NORMAL`. A COMMIT returns once
 * its frames are written to the WAL file, i.e. handed to the operating system; only checkpoints
 * fsync. A killed process (even `kill -9`) therefore loses nothing that was committed — the kernel
 * still writes the file and the next open replays the WAL. Only an operating-system crash or power
 * loss can lose the last commits, and even then the database stays consistent. FULL would fsync on
 * every commit: measured on the project's machines, that made a typical message (four
 * transactions) about five times slower, for a guarantee a local simulator does not need.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { DatabaseSync, SQLOutputValue, StatementSync } from 'node:sqlite';
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
import { openDatabase, ownerOnly, TABLES } from './sqlite-file.ts';
import { contactFilter, eventFilter, prepareStatements } from './sqlite-statements.ts';
import {
  type Collection,
  type ContactPointPlace,
  type ContactQuery,
  type EventQuery,
  placeOf,
  type Slice,
  type Store,
} from './store.ts';

export { StoreFileError } from '../../sdk/errors.ts';

type Row = Record<string, SQLOutputValue>;

const parse = <T>(row: Row | undefined): T | undefined =>
  row === undefined ? undefined : (JSON.parse(row.data as string) as T);
const parseAll = <T>(rows: Row[]): T[] => rows.map((row) => JSON.parse(row.data as string) as T);
const column = (rows: Row[], name: string): string[] => rows.map((row) => row[name] as string);

/**
 * MeMos larger than this are written to files in `<data dir>/memos/`: a ~100 MB BLOB costs
 * node:sqlite about twice its size in memory on insert, and bloats the write-ahead log.
 */
const LARGE_XML_BYTES = 1 << 20;

export class SqliteStore implements Store {
  private readonly db: DatabaseSync;
  private readonly sql: ReturnType<typeof prepareStatements>;
  /** Statements whose text depends on which filters a query uses, prepared on first use. */
  private readonly queries = new Map<string, StatementSync>();
  /** 0 outside a transaction, 1 in one, more inside nested ones (savepoints). */
  private depth = 0;
  /** Where large MeMos are kept. */
  private readonly memoDir: string;
  /** Files written by the running transaction, removed again if it rolls back. */
  private written: string[] = [];
  /**
   * The places of each organisation's contact points as last read: every call that shows a contact
   * group reads them. Kept up to date as points are written and deleted (each change makes a new
   * array: callers may hold the old one); forgotten on every rollback.
   */
  private readonly places = new Map<string, readonly ContactPointPlace[]>();

  private constructor(db: DatabaseSync, memoDir: string) {
    this.db = db;
    this.sql = prepareStatements(db);
    this.memoDir = memoDir;
  }

  /**
   * Opens (creating if needed) the store at `path` and brings its schema up to date.
   *
   * @throws StoreFileError when the file is not SQLite, belongs to another application, has a
   *   newer schema, or cannot be opened.
   */
  static open(path: string): SqliteStore {
    const memoDir = join(dirname(path), 'memos');
    const db = openDatabase(path);
    try {
      ownerOnly(memoDir, 0o700);
    } catch (error) {
      db.close();
      throw error;
    }
    return new SqliteStore(db, memoDir);
  }

  private query(sql: string): StatementSync {
    let statement = this.queries.get(sql);
    if (statement === undefined) {
      statement = this.db.prepare(sql);
      this.queries.set(sql, statement);
    }
    return statement;
  }

  transaction<T>(work: () => T): T {
    if (this.depth > 0) return this.savepoint(work);
    this.sql.begin.run();
    this.depth = 1;
    try {
      const result = work();
      this.sql.commit.run();
      this.written = [];
      return result;
    } catch (error) {
      // SQLite has already rolled back after some errors (e.g. a full disk).
      if (this.db.isTransaction) this.sql.rollback.run();
      this.discardWritten(0);
      this.places.clear();
      throw error;
    } finally {
      this.depth = 0;
    }
  }

  /** A nested transaction: a throw undoes its own changes only. */
  private savepoint<T>(work: () => T): T {
    const name = `nested_${this.depth}`;
    const files = this.written.length;
    this.db.exec(`SAVEPOINT ${name}`);
    this.depth++;
    try {
      const result = work();
      this.db.exec(`RELEASE ${name}`);
      return result;
    } catch (error) {
      if (this.db.isTransaction) this.db.exec(`ROLLBACK TO ${name}; RELEASE ${name}`);
      this.discardWritten(files);
      this.places.clear();
      throw error;
    } finally {
      this.depth--;
    }
  }

  private discardWritten(keep: number): void {
    for (const file of this.written.splice(keep)) rmSync(join(this.memoDir, file), { force: true });
  }

  getOrganisation(id: string): Organisation | undefined {
    return parse(this.sql.getOrganisation.get(id));
  }

  findOrganisationByCvr(cvrNumber: string): Organisation | undefined {
    return parse(this.sql.findOrganisationByCvr.get(cvrNumber));
  }

  listOrganisations(): Organisation[] {
    return parseAll(this.sql.listOrganisations.all());
  }

  putOrganisation(organisation: Organisation): void {
    this.sql.putOrganisation.run(
      organisation.id,
      organisation.cvrNumber ?? null,
      JSON.stringify(organisation),
    );
  }

  getSystem(id: string): SystemRecord | undefined {
    return parse(this.sql.getSystem.get(id));
  }

  findSystemBySshUsername(username: string): SystemRecord | undefined {
    return parse(this.sql.findSystemBySshUsername.get(username));
  }

  listSystems(organisationId?: string): SystemRecord[] {
    return parseAll(
      organisationId === undefined ? this.sql.listSystems.all() : this.sql.listSystemsOf.all(organisationId),
    );
  }

  putSystem(system: SystemRecord): void {
    this.sql.putSystem.run(
      system.id,
      system.organisationId ?? null,
      system.sshUsername ?? null,
      JSON.stringify(system),
    );
  }

  getContact(id: string): Contact | undefined {
    return parse(this.sql.getContact.get(id));
  }

  findContact(kind: 'cpr' | 'cvr', number: string): Contact | undefined {
    return parse((kind === 'cpr' ? this.sql.findContactByCpr : this.sql.findContactByCvr).get(number));
  }

  searchContacts(query: ContactQuery, limit: number): Contact[] {
    const { where, parameters } = contactFilter(query);
    const statement = this.query(
      `SELECT data FROM contacts ${where} ORDER BY last_updated, transaction_id, rowid LIMIT ?`,
    );
    return parseAll(statement.all(...parameters, limit));
  }

  countContacts(query: ContactQuery): number {
    const { where, parameters } = contactFilter(query);
    return this.query(`SELECT count(*) AS n FROM contacts ${where}`).get(...parameters)?.n as number;
  }

  putContact(contact: Contact): void {
    this.sql.putContact.run(
      contact.id,
      contact.cprNumber ?? null,
      contact.cvrNumber ?? null,
      contact.lastUpdated ?? null,
      contact.transactionId ?? null,
      JSON.stringify(contact),
    );
  }

  deleteContact(id: string): boolean {
    return Number(this.sql.deleteContact.run(id).changes) > 0;
  }

  getContactPoint(id: string): ContactPoint | undefined {
    return parse(this.sql.getContactPoint.get(id));
  }

  listContactPoints(organisationId?: string): ContactPoint[] {
    return parseAll(
      organisationId === undefined
        ? this.sql.listContactPoints.all()
        : this.sql.listContactPointsOf.all(organisationId),
    );
  }

  listContactPointPlaces(organisationId: string): readonly ContactPointPlace[] {
    const known = this.places.get(organisationId);
    if (known !== undefined) return known;
    const places = this.sql.listContactPointPlaces.all(organisationId).map((row) => {
      const [active, targets, contactGroupIds, visible] = JSON.parse(row.data as string) as [
        boolean,
        ContactPoint['targets'],
        string[] | null,
        boolean | null,
      ];
      // A field the point does not have comes back as null: left out, as the point leaves it out.
      return {
        id: row.id as string,
        active,
        targets,
        ...(contactGroupIds === null ? {} : { contactGroupIds }),
        ...(visible === null ? {} : { visible }),
      };
    });
    this.places.set(organisationId, places);
    return places;
  }

  putContactPoint(contactPoint: ContactPoint): void {
    this.keepPlace(contactPoint);
    this.sql.putContactPoint.run(
      contactPoint.id,
      contactPoint.organisationId ?? null,
      JSON.stringify(contactPoint),
    );
  }

  deleteContactPoint(id: string): boolean {
    this.forgetPlace(id);
    return Number(this.sql.deleteContactPoint.run(id).changes) > 0;
  }

  /**
   * Brings the places kept up to date for a point about to be written: an updated row keeps its
   * place in the order, a new one goes last, a point moving to another organisation makes that
   * organisation's places be read again.
   */
  private keepPlace(point: ContactPoint): void {
    const { organisationId } = point;
    const kept = this.places.get(organisationId);
    const index = kept?.findIndex((place) => place.id === point.id) ?? -1;
    const isNew = kept !== undefined && index < 0 && this.sql.getContactPoint.get(point.id) === undefined;
    this.forgetPlace(point.id);
    if (kept === undefined) return;
    if (index >= 0) this.places.set(organisationId, kept.with(index, placeOf(point)));
    else if (isNew) this.places.set(organisationId, [...kept, placeOf(point)]);
    else this.places.delete(organisationId);
  }

  /** Takes a point out of the places kept (of whichever organisation it was in). */
  private forgetPlace(id: string): void {
    for (const [organisationId, kept] of this.places)
      if (kept.some((place) => place.id === id))
        this.places.set(
          organisationId,
          kept.filter((place) => place.id !== id),
        );
  }

  getMessage(messageUUID: string): MessageRecord | undefined {
    return parse(this.sql.getMessage.get(messageUUID));
  }

  putMessage(message: MessageRecord): void {
    this.sql.putMessage.run({
      uuid: message.messageUUID,
      state: message.state ?? null,
      system: message.route?.kind === 'SYSTEM' ? message.route.systemId : null,
      container: message.containerTransmissionId ?? null,
      data: JSON.stringify(message),
    });
  }

  getMessageXml(messageUUID: string): Uint8Array | undefined {
    const row = this.sql.getMessageXml.get(messageUUID);
    if (row === undefined) return undefined;
    return typeof row.file === 'string'
      ? readFileSync(join(this.memoDir, row.file))
      : (row.xml as Uint8Array);
  }

  putMessageXml(messageUUID: string, xml: Uint8Array): void {
    if (xml.byteLength <= LARGE_XML_BYTES) {
      this.sql.putMessageXml.run(messageUUID, xml, null);
      return;
    }
    // The file is complete under its final name before the row that points to it commits, so a
    // crash leaves at worst an unreferenced file. Each version gets its own name.
    const file = `${messageUUID.replace(/[^0-9A-Za-z-]/g, '_')}.${this.sql.nextSequence.get('memo-file')?.value}.xml`;
    mkdirSync(this.memoDir, { recursive: true, mode: 0o700 });
    const temporary = join(this.memoDir, `${file}.part`);
    writeFileSync(temporary, xml, { mode: 0o600 });
    renameSync(temporary, join(this.memoDir, file));
    if (this.depth > 0) this.written.push(file);
    this.sql.putMessageXml.run(messageUUID, new Uint8Array(0), file);
  }

  listFetchable(systemId: string, slice: Slice): string[] {
    return column(this.sql.listFetchable.all(systemId, slice.limit, slice.offset), 'message_uuid');
  }

  countFetchable(systemId: string): number {
    return this.sql.countFetchable.get(systemId)?.n as number;
  }

  listContainerMessages(containerTransmissionId: string): string[] {
    return column(this.sql.listContainerMessages.all(containerTransmissionId), 'message_uuid');
  }

  getReceipt(id: string): ReceiptRecord | undefined {
    return parse(this.sql.getReceipt.get(id));
  }

  putReceipt(receipt: ReceiptRecord): void {
    this.sql.putReceipt.run({
      id: receipt.id,
      system: receipt.systemId ?? null,
      uuid: receipt.messageUUID ?? null,
      data: JSON.stringify(receipt),
    });
  }

  deleteReceipt(id: string): boolean {
    return this.sql.deleteReceipt.run(id).changes !== 0;
  }

  listReceipts(systemId: string, slice: Slice): ReceiptRecord[] {
    return parseAll(this.sql.listReceipts.all(systemId, slice.limit, slice.offset));
  }

  countReceipts(systemId: string): number {
    return this.sql.countReceipts.get(systemId)?.n as number;
  }

  listMessageReceipts(systemId: string, messageUUID: string): ReceiptRecord[] {
    return parseAll(this.sql.listMessageReceipts.all(systemId, messageUUID));
  }

  getFileError(systemId: string, fileName: string): FileErrorRecord | undefined {
    return parse(this.sql.getFileError.get(systemId, fileName));
  }

  putFileError(error: FileErrorRecord): void {
    this.sql.putFileError.run(error.systemId, error.fileName, JSON.stringify(error));
  }

  deleteFileError(systemId: string, fileName: string): boolean {
    return this.sql.deleteFileError.run(systemId, fileName).changes !== 0;
  }

  listFileErrors(systemId: string): FileErrorRecord[] {
    return parseAll(this.sql.listFileErrors.all(systemId));
  }

  addToMailbox(entry: MailboxEntry): void {
    this.sql.addToMailbox.run({ owner: entry.owner, data: JSON.stringify(entry) });
  }

  listMailbox(owner: string): MailboxEntry[] {
    return parseAll(this.sql.listMailbox.all(owner));
  }

  appendEvent(event: EventRecord): void {
    this.sql.appendEvent.run({
      time: event.eventTime,
      tag: event.eventTag ?? null,
      uuid: event.messageUUID ?? null,
      data: JSON.stringify(event),
    });
  }

  listEvents(query: EventQuery, slice: Slice): EventRecord[] {
    const { where, parameters } = eventFilter(query);
    const statement = this.query(
      `SELECT data FROM events ${where} ORDER BY event_time, arrival LIMIT ? OFFSET ?`,
    );
    return parseAll(statement.all(...parameters, slice.limit, slice.offset));
  }

  countEvents(query: EventQuery): number {
    const { where, parameters } = eventFilter(query);
    return this.query(`SELECT count(*) AS n FROM events ${where}`).get(...parameters)?.n as number;
  }

  listMessageEvents(messageUUID: string): EventRecord[] {
    return parseAll(this.sql.listMessageEvents.all(messageUUID));
  }

  putJob(job: Job): void {
    this.sql.putJob.run({
      id: job.id,
      due: job.dueAt ?? null,
      seq: job.seq ?? null,
      data: JSON.stringify(job),
    });
  }

  deleteJob(id: string): void {
    this.sql.deleteJob.run(id);
  }

  nextJob(): Job | undefined {
    return parse(this.sql.nextJob.get());
  }

  listDueJobs(now: number, limit: number): Job[] {
    return parseAll(this.sql.listDueJobs.all(now, limit));
  }

  countJobs(): number {
    return this.sql.countJobs.get()?.n as number;
  }

  nextSequence(name: string): number {
    return this.sql.nextSequence.get(name)?.value as number;
  }

  getClockTime(): number | undefined {
    const row = this.sql.getClockTime.get();
    return row === undefined ? undefined : Number(row.now);
  }

  putClockTime(instant: number): void {
    this.sql.putClockTime.run(instant);
  }

  getRecord<T extends { id: string }>(collection: Collection<T>, id: string): T | undefined {
    return parse(this.sql.getRecord.get(collection.name, id));
  }

  putRecord<T extends { id: string }>(collection: Collection<T>, record: T): void {
    const scope = collection.scopeOf?.(record) ?? null;
    this.sql.putRecord.run(collection.name, record.id, scope, JSON.stringify(record));
  }

  deleteRecord<T extends { id: string }>(collection: Collection<T>, id: string): boolean {
    return Number(this.sql.deleteRecord.run(collection.name, id).changes) > 0;
  }

  listRecords<T extends { id: string }>(collection: Collection<T>, scope?: string): T[] {
    return parseAll(
      scope === undefined
        ? this.sql.listRecords.all(collection.name)
        : this.sql.listScopedRecords.all(collection.name, scope),
    );
  }

  clear(): void {
    this.places.clear();
    this.transaction(() => {
      for (const table of TABLES) this.db.exec(`DELETE FROM ${table}`);
    });
    rmSync(this.memoDir, { recursive: true, force: true });
  }

  close(): void {
    if (!this.db.isOpen) return;
    if (this.db.isTransaction) this.sql.rollback.run();
    // Lets SQLite refresh the statistics its query planner uses, cheaply.
    this.db.exec('PRAGMA optimize');
    this.db.close();
  }
}
