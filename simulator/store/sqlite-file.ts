/**
 * The SQLite store's file: opening it (refusing files that are not ours or are newer), its
 * pragmas (WAL, synchronous NORMAL: see sqlite.ts), and the schema migrations.
 */
import { chmodSync, closeSync, openSync, statSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { StoreFileError } from '../../sdk/errors.ts';

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
  // 4: where a manual clock stands, so that a restart resumes it instead of going back to wall time.
  `CREATE TABLE clock (id INTEGER PRIMARY KEY CHECK (id = 1), now INTEGER NOT NULL);`,
  // 5: the generic collections (store.ts, Collection): rowid order is the order first put.
  `
  CREATE TABLE records (
    collection TEXT NOT NULL,
    id TEXT NOT NULL,
    scope TEXT,
    data TEXT NOT NULL
  );
  CREATE UNIQUE INDEX records_by_id ON records (collection, id);
  CREATE INDEX records_by_scope ON records (collection, scope) WHERE scope IS NOT NULL;
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;
export const TABLES = [
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
  'clock',
  'records',
];
/** How long to wait for another connection's write lock before failing with SQLITE_BUSY. */
const BUSY_TIMEOUT_MS = 5_000;
/** What is left of the WAL after a checkpoint (it grows past this while a ~100 MB MeMo is written). */
const WAL_SIZE_LIMIT = 64 * 1024 * 1024;

/**
 * Takes group and other permissions off a file or folder of the store, if it exists: the store
 * holds every letter and CPR number. Files of older versions were made 0644.
 *
 * @throws StoreFileError when the mode cannot be changed (not the owner).
 */
export function ownerOnly(path: string, mode: 0o600 | 0o700): void {
  try {
    if ((statSync(path).mode & 0o077) !== 0) chmodSync(path, mode);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw new StoreFileError(
      'STORE_UNOPENABLE',
      `cannot make ${path} readable by its owner only: ${describe(error)}`,
      { cause: error },
    );
  }
}

/**
 * Opens the database file, made (or kept) readable by its owner only. SQLite gives its `-wal` and
 * `-shm` files the database file's mode; those of older versions are tightened too.
 */
export function openDatabase(path: string): DatabaseSync {
  try {
    closeSync(openSync(path, 'wx', 0o600));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST')
      throw new StoreFileError('STORE_UNOPENABLE', `cannot open the data file ${path}: ${describe(error)}`, {
        cause: error,
      });
  }
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
    for (const file of [path, `${path}-wal`, `${path}-shm`]) ownerOnly(file, 0o600);
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
