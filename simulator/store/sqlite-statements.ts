/** The SQLite store's statements: the prepared ones, and the filters of searches. */
import type { DatabaseSync, SQLInputValue, StatementSync } from 'node:sqlite';
import type { ContactQuery, EventQuery } from './store.ts';

export /** Terms shared by `searchContacts` and `countContacts`, with their parameters. */
function contactFilter(query: ContactQuery): { where: string; parameters: SQLInputValue[] } {
  const terms: string[] = [];
  const parameters: SQLInputValue[] = [];
  if (query.ids) {
    terms.push('id IN (SELECT value FROM json_each(?))');
    parameters.push(JSON.stringify(query.ids));
  }
  if (query.type !== undefined) {
    terms.push("json_extract(data, '$.type') = ?");
    parameters.push(query.type);
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
  if (query.updatedSince !== undefined) {
    terms.push('last_updated >= ?');
    parameters.push(query.updatedSince);
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
export function eventFilter(query: EventQuery): { where: string; parameters: SQLInputValue[] } {
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

export function prepareStatements(db: DatabaseSync) {
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

    deleteContact: prepare('DELETE FROM contacts WHERE id = ?'),

    getContactPoint: prepare('SELECT data FROM contact_points WHERE id = ?'),
    listContactPoints: prepare('SELECT data FROM contact_points ORDER BY rowid'),
    listContactPointsOf: prepare('SELECT data FROM contact_points WHERE organisation_id = ? ORDER BY rowid'),
    putContactPoint: prepare(`INSERT INTO contact_points (id, organisation_id, data) VALUES (?, ?, ?)
      ON CONFLICT (id) DO UPDATE SET organisation_id = excluded.organisation_id, data = excluded.data`),
    deleteContactPoint: prepare('DELETE FROM contact_points WHERE id = ?'),
    // The few fields of each point, read with one parse of its JSON: [active, targets, groups, visible].
    listContactPointPlaces: prepare(`SELECT id,
        json_extract(data, '$.active', '$.targets', '$.contactGroupIds', '$.visible') AS data
      FROM contact_points WHERE organisation_id = ? ORDER BY rowid`),

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
    getClockTime: prepare('SELECT now FROM clock WHERE id = 1'),
    putClockTime: prepare(`INSERT INTO clock (id, now) VALUES (1, ?)
      ON CONFLICT (id) DO UPDATE SET now = excluded.now`),
    getRecord: prepare('SELECT data FROM records WHERE collection = ? AND id = ?'),
    putRecord: prepare(`INSERT INTO records (collection, id, scope, data) VALUES (?, ?, ?, ?)
      ON CONFLICT (collection, id) DO UPDATE SET scope = excluded.scope, data = excluded.data`),
    deleteRecord: prepare('DELETE FROM records WHERE collection = ? AND id = ?'),
    listRecords: prepare('SELECT data FROM records WHERE collection = ? ORDER BY rowid'),
    listScopedRecords: prepare('SELECT data FROM records WHERE collection = ? AND scope = ? ORDER BY rowid'),
  };
}
