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
import { DatabaseSync, type SQLInputValue, type SQLOutputValue, type StatementSync } from 'node:sqlite';
import { DigitalPostError } from '../../sdk/errors.ts';
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
import type { ContactQuery, EventQuery, Slice, Store } from './store.ts';

/** The data file cannot be used as a store; `code` says why. */
export class StoreFileError extends DigitalPostError {
  declare readonly code: 'STORE_NOT_SQLITE' | 'STORE_FOREIGN_DATABASE' | 'STORE_TOO_NEW' | 'STORE_UNOPENABLE';
}

/**
 * Each entry moves the schema from version `index` to `index + 1` (kept in `PRAGMA user_version`).
 * Released entries never change: a schema change is a new entry.
 */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE organisations (
    id TEXT PRIMARY KEY,
    cvr_number TEXT,
    data TEXT NOT NULL
  );
  CREATE INDEX organisations_by_cvr ON organisations (cvr_number);

  CREATE TABLE systems (
    id TEXT PRIMARY KEY,
    organisation_id TEXT,
    ssh_username TEXT,
    data TEXT NOT NULL
  );
  CREATE INDEX systems_by_organisation ON systems (organisation_id);
  CREATE INDEX systems_by_ssh_username ON systems (ssh_username) WHERE ssh_username IS NOT NULL;

  CREATE TABLE contacts (
    id TEXT PRIMARY KEY,
    cpr_number TEXT,
    cvr_number TEXT,
    last_updated INTEGER,
    transaction_id TEXT,
    data TEXT NOT NULL
  );
  CREATE INDEX contacts_by_cpr ON contacts (cpr_number) WHERE cpr_number IS NOT NULL;
  CREATE INDEX contacts_by_cvr ON contacts (cvr_number) WHERE cvr_number IS NOT NULL;
  CREATE INDEX contacts_by_update ON contacts (last_updated, transaction_id);

  CREATE TABLE contact_points (
    id TEXT PRIMARY KEY,
    organisation_id TEXT,
    data TEXT NOT NULL
  );
  CREATE INDEX contact_points_by_organisation ON contact_points (organisation_id);

  -- route_system_id: the SYSTEM route's system; fetch_order: place in that system's PULL queue
  -- while READY_FOR_FETCH; container_*: the bulk container as first stored (never changes).
  CREATE TABLE messages (
    message_uuid TEXT PRIMARY KEY,
    state TEXT,
    route_system_id TEXT,
    fetch_order INTEGER,
    container_transmission_id TEXT,
    container_order INTEGER,
    data TEXT NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX messages_fetchable ON messages (route_system_id, fetch_order) WHERE state = 'READY_FOR_FETCH';
  CREATE INDEX messages_by_container ON messages (container_transmission_id, container_order)
    WHERE container_transmission_id IS NOT NULL;

  CREATE TABLE message_xml (
    message_uuid TEXT PRIMARY KEY,
    xml BLOB NOT NULL
  );

  CREATE TABLE receipts (
    id TEXT PRIMARY KEY,
    system_id TEXT,
    arrival INTEGER,
    data TEXT NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX receipts_by_system ON receipts (system_id, arrival);

  CREATE TABLE mailbox (
    owner TEXT NOT NULL,
    arrival INTEGER NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (owner, arrival)
  ) WITHOUT ROWID;

  CREATE TABLE events (
    event_time INTEGER NOT NULL,
    arrival INTEGER NOT NULL,
    event_tag TEXT,
    message_uuid TEXT,
    data TEXT NOT NULL,
    PRIMARY KEY (event_time, arrival)
  ) WITHOUT ROWID;
  CREATE INDEX events_by_message ON events (message_uuid) WHERE message_uuid IS NOT NULL;
  CREATE TABLE event_systems (
    system_id TEXT NOT NULL,
    event_time INTEGER NOT NULL,
    arrival INTEGER NOT NULL,
    PRIMARY KEY (system_id, event_time, arrival)
  ) WITHOUT ROWID;
  CREATE TABLE event_parties (
    party TEXT NOT NULL,
    event_time INTEGER NOT NULL,
    arrival INTEGER NOT NULL,
    PRIMARY KEY (party, event_time, arrival)
  ) WITHOUT ROWID;
  -- The link tables follow the events they index, inside SQLite.
  CREATE TRIGGER events_linked AFTER INSERT ON events BEGIN
    INSERT OR IGNORE INTO event_systems (system_id, event_time, arrival)
      SELECT value, new.event_time, new.arrival FROM json_each(new.data, '$.systemIds');
    INSERT OR IGNORE INTO event_parties (party, event_time, arrival)
      SELECT value, new.event_time, new.arrival FROM json_each(new.data, '$.parties');
  END;

  CREATE TABLE jobs (
    id TEXT PRIMARY KEY,
    due_at INTEGER,
    seq INTEGER,
    arrival INTEGER,
    data TEXT NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX jobs_by_due ON jobs (due_at, seq, arrival);

  CREATE TABLE sequences (
    name TEXT PRIMARY KEY,
    value INTEGER NOT NULL
  ) WITHOUT ROWID;
  `,
  // 2: MeMos over LARGE_XML_BYTES live in files beside the database (`file`), not in the BLOB.
  `ALTER TABLE message_xml ADD COLUMN file TEXT;`,
  // 3: receipts are found by messageUUID (SFTP's /out/receipts/<messageUUID>.json); SFTP error files.
  `
  ALTER TABLE receipts ADD COLUMN message_uuid TEXT;
  UPDATE receipts SET message_uuid = json_extract(data, '$.messageUUID');
  CREATE INDEX receipts_by_message ON receipts (system_id, message_uuid, arrival)
    WHERE message_uuid IS NOT NULL;

  CREATE TABLE file_errors (
    system_id TEXT NOT NULL,
    file_name TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (system_id, file_name)
  ) WITHOUT ROWID;
  `,
];

const SCHEMA_VERSION = MIGRATIONS.length;
const TABLES = [
  'organisations',
  'systems',
  'contacts',
  'contact_points',
  'messages',
  'message_xml',
  'receipts',
  'file_errors',
  'mailbox',
  'events',
  'event_systems',
  'event_parties',
  'jobs',
  'sequences',
];
/** How long to wait for another connection's write lock before failing with SQLITE_BUSY. */
const BUSY_TIMEOUT_MS = 5_000;
/** What is left of the WAL after a checkpoint (it grows past this while a ~100 MB MeMo is written). */
const WAL_SIZE_LIMIT = 64 * 1024 * 1024;

type Row = Record<string, SQLOutputValue>;

const parse = <T>(row: Row | undefined): T | undefined =>
  row === undefined ? undefined : (JSON.parse(row.data as string) as T);
const parseAll = <T>(rows: Row[]): T[] => rows.map((row) => JSON.parse(row.data as string) as T);
const column = (rows: Row[], name: string): string[] => rows.map((row) => row[name] as string);

function openDatabase(path: string): DatabaseSync {
  let db: DatabaseSync;
  try {
    db = new DatabaseSync(path, { timeout: BUSY_TIMEOUT_MS });
  } catch (error) {
    throw new StoreFileError('STORE_UNOPENABLE', `cannot open the data file ${path}: ${describe(error)}`, {
      cause: error,
    });
  }
  try {
    // Reads the header first: a file that is not ours is refused before anything is written to it.
    schemaVersion(db, path);
    db.exec(
      `PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA journal_size_limit = ${WAL_SIZE_LIMIT}`,
    );
    migrate(db, path);
    return db;
  } catch (error) {
    db.close();
    if (error instanceof StoreFileError) throw error;
    if (sqliteCode(error) === SQLITE_NOTADB) {
      throw new StoreFileError('STORE_NOT_SQLITE', `the data file ${path} is not a SQLite database`, {
        cause: error,
      });
    }
    throw new StoreFileError('STORE_UNOPENABLE', `cannot open the data file ${path}: ${describe(error)}`, {
      cause: error,
    });
  }
}

const SQLITE_NOTADB = 26;

function sqliteCode(error: unknown): number | undefined {
  const code = (error as { errcode?: unknown } | null)?.errcode;
  return typeof code === 'number' ? code & 0xff : undefined;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The file's schema version, when it is a store this version of digitalpost can use. */
function schemaVersion(db: DatabaseSync, path: string): number {
  const version = db.prepare('PRAGMA user_version').get()?.user_version as number;
  if (version > SCHEMA_VERSION) {
    throw new StoreFileError(
      'STORE_TOO_NEW',
      `the data file ${path} has schema version ${version}; ` +
        `this version of digitalpost reads up to ${SCHEMA_VERSION}`,
    );
  }
  if (version === 0 && db.prepare('SELECT 1 FROM sqlite_schema LIMIT 1').get() !== undefined) {
    throw new StoreFileError(
      'STORE_FOREIGN_DATABASE',
      `the data file ${path} is a SQLite database of another application`,
    );
  }
  return version;
}

/** Brings the schema up to date, in one transaction (another process may be opening the file too). */
function migrate(db: DatabaseSync, path: string): void {
  db.exec('BEGIN IMMEDIATE');
  try {
    for (let from = schemaVersion(db, path); from < SCHEMA_VERSION; from++)
      db.exec(MIGRATIONS[from] as string);
    db.exec(`PRAGMA user_version = ${SCHEMA_VERSION}`);
    db.exec('COMMIT');
  } catch (error) {
    if (db.isTransaction) db.exec('ROLLBACK');
    throw error;
  }
}

/** Terms shared by `searchContacts` and `countContacts`, with their parameters. */
function contactFilter(query: ContactQuery): { where: string; parameters: SQLInputValue[] } {
  const terms: string[] = [];
  const parameters: SQLInputValue[] = [];
  if (query.ids) {
    terms.push('id IN (SELECT value FROM json_each(?))');
    parameters.push(JSON.stringify(query.ids));
  }
  // The memory store treats an empty CPR/CVR number as none.
  if (query.cprNumbers) {
    terms.push("cpr_number IN (SELECT value FROM json_each(?)) AND cpr_number <> ''");
    parameters.push(JSON.stringify(query.cprNumbers));
  }
  if (query.cvrNumbers) {
    terms.push("cvr_number IN (SELECT value FROM json_each(?)) AND cvr_number <> ''");
    parameters.push(JSON.stringify(query.cvrNumbers));
  }
  if (query.after) {
    terms.push('last_updated >= ? AND (last_updated > ? OR transaction_id > ?)');
    const { lastUpdated, transactionId } = query.after;
    parameters.push(lastUpdated, lastUpdated, transactionId);
  }
  return { where: terms.length === 0 ? '' : `WHERE ${terms.join(' AND ')}`, parameters };
}

/**
 * Terms shared by `listEvents` and `countEvents`, with their parameters. SQLite drives such a query
 * from the narrowest index it is given: the link tables for systems and party, the message index,
 * else the time range of the primary key (which every query has).
 */
function eventFilter(query: EventQuery): { where: string; parameters: SQLInputValue[] } {
  const terms = ['event_time BETWEEN ? AND ?'];
  const parameters: SQLInputValue[] = [query.from, query.to];
  if (query.systemIds !== undefined) {
    terms.push(`(event_time, arrival) IN (SELECT event_time, arrival FROM event_systems
      WHERE system_id IN (SELECT value FROM json_each(?)) AND event_time BETWEEN ? AND ?)`);
    parameters.push(JSON.stringify(query.systemIds), query.from, query.to);
  }
  if (query.party !== undefined) {
    terms.push(`(event_time, arrival) IN (SELECT event_time, arrival FROM event_parties
      WHERE party = ? AND event_time BETWEEN ? AND ?)`);
    parameters.push(query.party, query.from, query.to);
  }
  if (query.eventTag !== undefined) {
    terms.push('event_tag = ?');
    parameters.push(query.eventTag);
  }
  if (query.messageUUID !== undefined) {
    terms.push('message_uuid = ?');
    parameters.push(query.messageUUID);
  }
  return { where: `WHERE ${terms.join(' AND ')}`, parameters };
}

function prepareStatements(db: DatabaseSync) {
  const prepare = (sql: string): StatementSync => db.prepare(sql);
  return {
    begin: prepare('BEGIN IMMEDIATE'),
    commit: prepare('COMMIT'),
    rollback: prepare('ROLLBACK'),

    getOrganisation: prepare('SELECT data FROM organisations WHERE id = ?'),
    findOrganisationByCvr: prepare(
      'SELECT data FROM organisations WHERE cvr_number = ? ORDER BY rowid LIMIT 1',
    ),
    listOrganisations: prepare('SELECT data FROM organisations ORDER BY rowid'),
    putOrganisation: prepare(`INSERT INTO organisations (id, cvr_number, data) VALUES (?, ?, ?)
      ON CONFLICT (id) DO UPDATE SET cvr_number = excluded.cvr_number, data = excluded.data`),

    getSystem: prepare('SELECT data FROM systems WHERE id = ?'),
    findSystemBySshUsername: prepare(
      'SELECT data FROM systems WHERE ssh_username = ? ORDER BY rowid LIMIT 1',
    ),
    listSystems: prepare('SELECT data FROM systems ORDER BY rowid'),
    listSystemsOf: prepare('SELECT data FROM systems WHERE organisation_id = ? ORDER BY rowid'),
    putSystem: prepare(`INSERT INTO systems (id, organisation_id, ssh_username, data) VALUES (?, ?, ?, ?)
      ON CONFLICT (id) DO UPDATE SET organisation_id = excluded.organisation_id,
        ssh_username = excluded.ssh_username, data = excluded.data`),

    getContact: prepare('SELECT data FROM contacts WHERE id = ?'),
    findContactByCpr: prepare('SELECT data FROM contacts WHERE cpr_number = ? ORDER BY rowid LIMIT 1'),
    findContactByCvr: prepare('SELECT data FROM contacts WHERE cvr_number = ? ORDER BY rowid LIMIT 1'),
    putContact: prepare(`INSERT INTO contacts (id, cpr_number, cvr_number, last_updated, transaction_id, data)
      VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT (id) DO UPDATE SET cpr_number = excluded.cpr_number, cvr_number = excluded.cvr_number,
        last_updated = excluded.last_updated, transaction_id = excluded.transaction_id,
        data = excluded.data`),

    getContactPoint: prepare('SELECT data FROM contact_points WHERE id = ?'),
    listContactPoints: prepare('SELECT data FROM contact_points ORDER BY rowid'),
    listContactPointsOf: prepare('SELECT data FROM contact_points WHERE organisation_id = ? ORDER BY rowid'),
    putContactPoint: prepare(`INSERT INTO contact_points (id, organisation_id, data) VALUES (?, ?, ?)
      ON CONFLICT (id) DO UPDATE SET organisation_id = excluded.organisation_id, data = excluded.data`),

    getMessage: prepare('SELECT data FROM messages WHERE message_uuid = ?'),
    // A message that becomes fetchable goes to the end of its system's queue; one that stays
    // fetchable keeps its place. Container membership is set when the message is first stored.
    putMessage: prepare(`INSERT INTO messages (message_uuid, state, route_system_id, fetch_order,
        container_transmission_id, container_order, data)
      VALUES (:uuid, :state, :system,
        CASE WHEN :state = 'READY_FOR_FETCH' AND :system IS NOT NULL THEN
          (SELECT coalesce(max(fetch_order), 0) + 1 FROM messages
            WHERE route_system_id = :system AND state = 'READY_FOR_FETCH')
        END,
        :container,
        CASE WHEN :container IS NOT NULL THEN
          (SELECT coalesce(max(container_order), 0) + 1 FROM messages
            WHERE container_transmission_id = :container)
        END,
        :data)
      ON CONFLICT (message_uuid) DO UPDATE SET
        fetch_order = CASE
          WHEN excluded.fetch_order IS NOT NULL AND state = 'READY_FOR_FETCH'
            AND route_system_id = excluded.route_system_id THEN fetch_order
          ELSE excluded.fetch_order END,
        state = excluded.state, route_system_id = excluded.route_system_id, data = excluded.data`),
    getMessageXml: prepare('SELECT xml, file FROM message_xml WHERE message_uuid = ?'),
    putMessageXml: prepare(`INSERT INTO message_xml (message_uuid, xml, file) VALUES (?, ?, ?)
      ON CONFLICT (message_uuid) DO UPDATE SET xml = excluded.xml, file = excluded.file`),
    listFetchable: prepare(`SELECT message_uuid FROM messages
      WHERE route_system_id = ? AND state = 'READY_FOR_FETCH' ORDER BY fetch_order LIMIT ? OFFSET ?`),
    countFetchable: prepare(
      `SELECT count(*) AS n FROM messages WHERE route_system_id = ? AND state = 'READY_FOR_FETCH'`,
    ),
    listContainerMessages: prepare(
      'SELECT message_uuid FROM messages WHERE container_transmission_id = ? ORDER BY container_order',
    ),

    getReceipt: prepare('SELECT data FROM receipts WHERE id = ?'),
    // A receipt put again keeps its place; one moved to another system arrives there now.
    putReceipt: prepare(`INSERT INTO receipts (id, system_id, arrival, message_uuid, data)
      VALUES (:id, :system,
        (SELECT coalesce(max(arrival), 0) + 1 FROM receipts WHERE system_id = :system), :uuid, :data)
      ON CONFLICT (id) DO UPDATE SET
        arrival = CASE WHEN system_id = excluded.system_id THEN arrival ELSE excluded.arrival END,
        system_id = excluded.system_id, message_uuid = excluded.message_uuid, data = excluded.data`),
    deleteReceipt: prepare('DELETE FROM receipts WHERE id = ?'),
    listReceipts: prepare('SELECT data FROM receipts WHERE system_id = ? ORDER BY arrival LIMIT ? OFFSET ?'),
    countReceipts: prepare('SELECT count(*) AS n FROM receipts WHERE system_id = ?'),
    listMessageReceipts: prepare(
      'SELECT data FROM receipts WHERE system_id = ? AND message_uuid = ? ORDER BY arrival',
    ),

    getFileError: prepare('SELECT data FROM file_errors WHERE system_id = ? AND file_name = ?'),
    putFileError: prepare(`INSERT INTO file_errors (system_id, file_name, data) VALUES (?, ?, ?)
      ON CONFLICT (system_id, file_name) DO UPDATE SET data = excluded.data`),
    deleteFileError: prepare('DELETE FROM file_errors WHERE system_id = ? AND file_name = ?'),
    listFileErrors: prepare('SELECT data FROM file_errors WHERE system_id = ? ORDER BY file_name'),

    addToMailbox: prepare(`INSERT INTO mailbox (owner, arrival, data)
      VALUES (:owner, (SELECT coalesce(max(arrival), 0) + 1 FROM mailbox WHERE owner = :owner), :data)`),
    listMailbox: prepare('SELECT data FROM mailbox WHERE owner = ? ORDER BY arrival'),

    appendEvent: prepare(`INSERT INTO events (event_time, arrival, event_tag, message_uuid, data)
      VALUES (:time, (SELECT coalesce(max(arrival), 0) + 1 FROM events WHERE event_time = :time),
        :tag, :uuid, :data)`),
    listMessageEvents: prepare('SELECT data FROM events WHERE message_uuid = ? ORDER BY event_time, arrival'),

    // A job put again goes after the jobs it ties with, as if new.
    putJob: prepare(`INSERT INTO jobs (id, due_at, seq, arrival, data)
      VALUES (:id, :due, :seq,
        (SELECT coalesce(max(arrival), 0) + 1 FROM jobs WHERE due_at = :due AND seq = :seq), :data)
      ON CONFLICT (id) DO UPDATE SET
        due_at = excluded.due_at, seq = excluded.seq, arrival = excluded.arrival, data = excluded.data`),
    deleteJob: prepare('DELETE FROM jobs WHERE id = ?'),
    nextJob: prepare('SELECT data FROM jobs ORDER BY due_at, seq, arrival LIMIT 1'),
    listDueJobs: prepare('SELECT data FROM jobs WHERE due_at <= ? ORDER BY due_at, seq, arrival LIMIT ?'),
    countJobs: prepare('SELECT count(*) AS n FROM jobs'),
    nextSequence: prepare(`INSERT INTO sequences (name, value) VALUES (?, 1)
      ON CONFLICT (name) DO UPDATE SET value = value + 1 RETURNING value`),
  };
}

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
    return new SqliteStore(openDatabase(path), join(dirname(path), 'memos'));
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

  putContactPoint(contactPoint: ContactPoint): void {
    this.sql.putContactPoint.run(
      contactPoint.id,
      contactPoint.organisationId ?? null,
      JSON.stringify(contactPoint),
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
    mkdirSync(this.memoDir, { recursive: true });
    const temporary = join(this.memoDir, `${file}.part`);
    writeFileSync(temporary, xml);
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

  clear(): void {
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
