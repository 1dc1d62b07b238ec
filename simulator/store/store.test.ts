/**
 * The Store contract: one suite, run against the memory store and the SQLite store, so that both
 * behave the same in every observable way. SQLite-only behaviour (the file) is at the end.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type {
  Contact,
  ContactPoint,
  EventRecord,
  FileErrorRecord,
  Job,
  MessageRecord,
  Organisation,
  ReceiptRecord,
  SystemRecord,
} from '../domain/model.ts';
import { MemoryStore } from './memory.ts';
import { SqliteStore, StoreFileError } from './sqlite.ts';
import { collection, type EventQuery, type Store } from './store.ts';

const folder = mkdtempSync(join(tmpdir(), 'digitalpost-store-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));
let files = 0;
/** A fresh data folder per store, as the simulator has (large MeMos go in its `memos/`). */
const newFile = (): string => join(mkdtempSync(join(folder, `store-${++files}-`)), 'digitalpost.sqlite');

const ALL = { offset: 0, limit: 1000 };
const ALL_TIME = { from: 0, to: Number.MAX_SAFE_INTEGER };

const organisation = (id: string, fields: Partial<Organisation> = {}): Organisation => ({
  id,
  cvrNumber: `cvr-${id}`,
  name: `Organisation ${id}`,
  type: 'AUTHORITY',
  mandatoryPostAllowed: true,
  legalNotificationAllowed: false,
  ...fields,
});

const system = (id: string, organisationId: string, fields: Partial<SystemRecord> = {}): SystemRecord => ({
  id,
  organisationId,
  name: `System ${id}`,
  roles: ['SENDER'],
  protocol: 'REST_PULL',
  apiKeyHash: 'ab'.repeat(32),
  sshUsername: null,
  sshPublicKeys: [],
  allowedIps: [],
  ...fields,
});

const contact = (id: string, fields: Partial<Contact> = {}): Contact => ({
  id,
  type: 'CITIZEN',
  cprNumber: `cpr-${id}`,
  name: `Contact ${id}`,
  mailboxSubscription: {
    registrationStatus: 'AUTOMATIC_REGISTRATION',
    publicRegistrationStatus: 'REGISTERED',
  },
  transactionId: `tx-${id}`,
  createdDate: 1,
  lastUpdated: 1,
  ...fields,
});

const contactPoint = (id: string, organisationId: string): ContactPoint => ({
  id,
  organisationId,
  name: `Contact point ${id}`,
  targets: ['CITIZEN'],
  active: true,
  createdDate: 1,
  lastUpdated: 1,
});

const message = (messageUUID: string, fields: Partial<MessageRecord> = {}): MessageRecord => ({
  messageUUID,
  transmissionId: `transmission-${messageUUID}`,
  senderSystemId: 'sender',
  contentHash: 'cd'.repeat(32),
  size: 100,
  state: 'RECEIVED',
  receivedAt: 1,
  attempts: 0,
  ...fields,
});

/** The fields of a message waiting in `systemId`'s PULL queue. */
const fetchableBy = (systemId: string): Partial<MessageRecord> => ({
  state: 'READY_FOR_FETCH',
  route: { kind: 'SYSTEM', systemId, organisationId: 'recipient-organisation' },
});

const receipt = (id: string, systemId: string, fields: Partial<ReceiptRecord> = {}): ReceiptRecord => ({
  id,
  systemId,
  transmissionId: `transmission-${id}`,
  timeStamp: 1,
  receiptStatus: 'COMPLETED',
  ...fields,
});

const fileError = (systemId: string, fileName: string, code = 'CONTAINER_UNREADABLE'): FileErrorRecord => ({
  systemId,
  fileName,
  createdAt: 1,
  errorMessage: { code, message: `${fileName} cannot be read`, fieldErrors: [] },
});

const event = (id: string, eventTime: number, fields: Partial<EventRecord> = {}): EventRecord => ({
  id,
  eventTag: 'MEMO_SEND_RECEIVED',
  eventTime,
  systemIds: [],
  parties: [],
  metaProperties: {},
  ...fields,
});

const job = (id: string, dueAt: number, seq: number, fields: Partial<Job> = {}): Job => ({
  id,
  kind: 'process',
  dueAt,
  seq,
  attempt: 0,
  ...fields,
});

interface Grant {
  id: string;
  organisationId?: string;
  rights: string[];
}
const GRANTS = collection<Grant>('test-grants', (grant) => grant.organisationId);
const NOTES = collection<{ id: string; text: string }>('test-notes');

const ids = (records: Array<{ id: string }>): string[] => records.map((record) => record.id);
const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

/** Puts one or more of every kind of record. */
function fill(store: Store): void {
  store.transaction(() => {
    store.putOrganisation(organisation('org-1'));
    store.putOrganisation(organisation('org-2'));
    store.putSystem(system('sys-1', 'org-1', { sshUsername: 'alice' }));
    store.putSystem(system('sys-2', 'org-2'));
    store.putContact(contact('c-1', { lastUpdated: 5 }));
    store.putContact(
      contact('c-2', { lastUpdated: 3, type: 'COMPANY', cprNumber: undefined, cvrNumber: '111' }),
    );
    store.putContactPoint(contactPoint('cp-1', 'org-1'));
    store.putMessage(message('m-1', { ...fetchableBy('sys-1'), containerTransmissionId: 'container-1' }));
    store.putMessage(message('m-2', { ...fetchableBy('sys-1'), containerTransmissionId: 'container-1' }));
    store.putMessage(message('m-3', { route: { kind: 'MAILBOX', owner: 'cpr-c-1' }, state: 'DELIVERED' }));
    store.putMessageXml('m-1', bytes('<memo>one</memo>'));
    store.putMessageXml('m-2', bytes('<memo>two</memo>'));
    store.putReceipt(receipt('r-1', 'sys-1', { messageUUID: 'm-1' }));
    store.putReceipt(receipt('r-2', 'sys-1', { messageUUID: 'm-1' }));
    store.putReceipt(receipt('r-3', 'sys-2'));
    store.putFileError(fileError('sys-1', 'b.tar.lzma'));
    store.putFileError(fileError('sys-1', 'a.xml', 'MEMO_UNREADABLE'));
    store.addToMailbox({ owner: 'cpr-c-1', messageUUID: 'm-3', deliveredAt: 7 });
    store.appendEvent(event('e-1', 10, { messageUUID: 'm-1', systemIds: ['sys-1'], parties: ['cpr-c-1'] }));
    store.appendEvent(event('e-2', 20, { messageUUID: 'm-2', systemIds: ['sys-1', 'sys-2'] }));
    store.appendEvent(event('e-3', 30));
    store.putJob(job('j-1', 100, 1, { messageUUID: 'm-1' }));
    store.putJob(job('j-2', 50, 2, { data: { firstAttemptAt: 4, fallback: true } }));
    store.nextSequence('job');
    store.nextSequence('job');
    store.putRecord(GRANTS, { id: 'g-1', organisationId: 'org-1', rights: ['LOG'] });
    store.putRecord(GRANTS, { id: 'g-2', rights: [] });
    store.putRecord(NOTES, { id: 'g-1', text: 'same id, other collection' });
  });
}

function filled(store: Store): Store {
  fill(store);
  return store;
}

/** Everything `fill` put, as the store returns it (all but the sequences, which reading changes). */
function contents(store: Store) {
  return {
    organisations: store.listOrganisations(),
    organisationByCvr: store.findOrganisationByCvr('cvr-org-2'),
    systems: store.listSystems(),
    systemBySsh: store.findSystemBySshUsername('alice'),
    contacts: store.searchContacts({}, 100),
    contactCount: store.countContacts({}),
    contactByCpr: store.findContact('cpr', 'cpr-c-1'),
    contactByCvr: store.findContact('cvr', '111'),
    contactPoints: store.listContactPoints(),
    messages: ['m-1', 'm-2', 'm-3', 'm-4'].map((uuid) => store.getMessage(uuid)),
    xml: ['m-1', 'm-2', 'm-4'].map((uuid) => store.getMessageXml(uuid)),
    fetchable: [store.listFetchable('sys-1', ALL), store.listFetchable('sys-2', ALL)],
    fetchableCounts: [store.countFetchable('sys-1'), store.countFetchable('sys-2')],
    container: store.listContainerMessages('container-1'),
    receipts: [store.listReceipts('sys-1', ALL), store.listReceipts('sys-2', ALL)],
    receiptCounts: [store.countReceipts('sys-1'), store.countReceipts('sys-2')],
    messageReceipts: store.listMessageReceipts('sys-1', 'm-1'),
    fileErrors: [store.listFileErrors('sys-1'), store.getFileError('sys-1', 'a.xml')],
    mailbox: store.listMailbox('cpr-c-1'),
    events: store.listEvents(ALL_TIME, ALL),
    eventCount: store.countEvents(ALL_TIME),
    eventsOfSystem: store.listEvents({ ...ALL_TIME, systemIds: ['sys-2'] }, ALL),
    eventsOfMessage: store.listMessageEvents('m-1'),
    nextJob: store.nextJob(),
    jobs: store.listDueJobs(Number.MAX_SAFE_INTEGER, 100),
    jobCount: store.countJobs(),
    grants: store.listRecords(GRANTS),
    notes: store.listRecords(NOTES),
  };
}

function nothingIn(store: Store) {
  return {
    organisations: store.listOrganisations(),
    systems: store.listSystems(),
    contacts: store.searchContacts({}, 100),
    contactPoints: store.listContactPoints(),
    message: store.getMessage('m-1'),
    xml: store.getMessageXml('m-1'),
    fetchable: store.countFetchable('sys-1'),
    container: store.listContainerMessages('container-1'),
    receipts: store.countReceipts('sys-1'),
    messageReceipts: store.listMessageReceipts('sys-1', 'm-1'),
    fileErrors: store.listFileErrors('sys-1'),
    mailbox: store.listMailbox('cpr-c-1'),
    events: store.countEvents(ALL_TIME),
    messageEvents: store.listMessageEvents('m-1'),
    jobs: store.countJobs(),
    nextJob: store.nextJob(),
    records: [store.listRecords(GRANTS), store.listRecords(NOTES)],
  };
}

const EMPTY = {
  organisations: [],
  systems: [],
  contacts: [],
  contactPoints: [],
  message: undefined,
  xml: undefined,
  fetchable: 0,
  container: [],
  receipts: 0,
  messageReceipts: [],
  fileErrors: [],
  mailbox: [],
  events: 0,
  messageEvents: [],
  jobs: 0,
  nextJob: undefined,
  records: [[], []],
};

describe.each([
  ['memory', (): Store => new MemoryStore()],
  ['sqlite', (): Store => SqliteStore.open(newFile())],
])('the %s store', (_name, create) => {
  let store: Store;
  beforeEach(() => {
    store = create();
  });
  afterEach(() => store.close());

  describe('organisations', () => {
    it('reads an organisation back by id and by CVR number', () => {
      store.putOrganisation(organisation('org-1', { cvrNumber: '12345678' }));
      expect(store.getOrganisation('org-1')).toEqual(organisation('org-1', { cvrNumber: '12345678' }));
      expect(store.findOrganisationByCvr('12345678')?.id).toBe('org-1');
    });

    it('knows no organisation it was not given', () => {
      expect(store.getOrganisation('nobody')).toBeUndefined();
      expect(store.findOrganisationByCvr('00000000')).toBeUndefined();
      expect(store.listOrganisations()).toEqual([]);
    });

    it('lists organisations in the order they were first put; putting one again replaces it in place', () => {
      store.putOrganisation(organisation('b'));
      store.putOrganisation(organisation('a'));
      store.putOrganisation(organisation('b', { name: 'Renamed' }));
      expect(store.listOrganisations()).toEqual([organisation('b', { name: 'Renamed' }), organisation('a')]);
    });

    it('finds the organisation put first when several share a CVR number', () => {
      store.putOrganisation(organisation('b', { cvrNumber: '1' }));
      store.putOrganisation(organisation('a', { cvrNumber: '1' }));
      expect(store.findOrganisationByCvr('1')?.id).toBe('b');
    });

    it('finds an organisation under its new CVR number only, once it changed', () => {
      store.putOrganisation(organisation('a', { cvrNumber: '1' }));
      store.putOrganisation(organisation('a', { cvrNumber: '2' }));
      expect(store.findOrganisationByCvr('1')).toBeUndefined();
      expect(store.findOrganisationByCvr('2')?.id).toBe('a');
    });
  });

  describe('systems', () => {
    it('reads a system back by id', () => {
      store.putSystem(system('s', 'org', { endpoint: 'https://example.test/memos', activeFrom: 5 }));
      expect(store.getSystem('s')).toEqual(
        system('s', 'org', { endpoint: 'https://example.test/memos', activeFrom: 5 }),
      );
      expect(store.getSystem('other')).toBeUndefined();
    });

    it('finds a system by its SSH username, never one without a username', () => {
      store.putSystem(system('without', 'org'));
      store.putSystem(system('with', 'org', { sshUsername: 'alice' }));
      expect(store.findSystemBySshUsername('alice')?.id).toBe('with');
      expect(store.findSystemBySshUsername('bob')).toBeUndefined();
      expect(store.findSystemBySshUsername('')).toBeUndefined();
    });

    it('lists all systems, or those of one organisation, in the order they were first put', () => {
      store.putSystem(system('s3', 'org-1'));
      store.putSystem(system('s1', 'org-2'));
      store.putSystem(system('s2', 'org-1'));
      store.putSystem(system('s3', 'org-1', { name: 'Renamed' }));
      expect(ids(store.listSystems())).toEqual(['s3', 's1', 's2']);
      expect(ids(store.listSystems('org-1'))).toEqual(['s3', 's2']);
      expect(store.listSystems('org-3')).toEqual([]);
    });

    it('lists a system moved to another organisation under the new one only', () => {
      store.putSystem(system('s', 'org-1'));
      store.putSystem(system('s', 'org-2'));
      expect(store.listSystems('org-1')).toEqual([]);
      expect(ids(store.listSystems('org-2'))).toEqual(['s']);
    });
  });

  describe('contacts', () => {
    it('reads a contact back by id', () => {
      store.putContact(contact('c', { nemSmsMobileNumber: '+4512345678', receiptDelayMs: 50 }));
      expect(store.getContact('c')).toEqual(
        contact('c', { nemSmsMobileNumber: '+4512345678', receiptDelayMs: 50 }),
      );
      expect(store.getContact('other')).toBeUndefined();
    });

    it('finds a contact by CPR or CVR number, each number in its own kind only', () => {
      store.putContact(contact('citizen', { cprNumber: '0101010101' }));
      store.putContact(contact('company', { cprNumber: undefined, cvrNumber: '12345678', type: 'COMPANY' }));
      expect(store.findContact('cpr', '0101010101')?.id).toBe('citizen');
      expect(store.findContact('cvr', '12345678')?.id).toBe('company');
      expect(store.findContact('cvr', '0101010101')).toBeUndefined();
      expect(store.findContact('cpr', '12345678')).toBeUndefined();
    });

    it('finds a contact under its new number only, once it changed', () => {
      store.putContact(contact('c', { cprNumber: '1' }));
      store.putContact(contact('c', { cprNumber: '2' }));
      expect(store.findContact('cpr', '1')).toBeUndefined();
      expect(store.findContact('cpr', '2')?.id).toBe('c');
    });

    it('returns contacts ordered by lastUpdated then transactionId, ties in the order put', () => {
      store.putContact(contact('late', { lastUpdated: 30, transactionId: 'a' }));
      store.putContact(contact('tie-b', { lastUpdated: 20, transactionId: 'b' }));
      store.putContact(contact('tie-a', { lastUpdated: 20, transactionId: 'a' }));
      store.putContact(contact('early', { lastUpdated: 10, transactionId: 'z' }));
      store.putContact(contact('same-2', { lastUpdated: 40, transactionId: 'same' }));
      store.putContact(contact('same-1', { lastUpdated: 40, transactionId: 'same' }));
      expect(ids(store.searchContacts({}, 10))).toEqual([
        'early',
        'tie-a',
        'tie-b',
        'late',
        'same-2',
        'same-1',
      ]);
    });

    it('filters contacts by type, citizens or companies', () => {
      store.putContact(contact('citizen', { cprNumber: '0101010101' }));
      store.putContact(contact('company', { cprNumber: undefined, cvrNumber: '12345678', type: 'COMPANY' }));
      expect(ids(store.searchContacts({ type: 'CITIZEN' }, 10))).toEqual(['citizen']);
      expect(ids(store.searchContacts({ type: 'COMPANY' }, 10))).toEqual(['company']);
      expect(store.countContacts({ type: 'COMPANY' })).toBe(1);
    });

    it('deletes a contact, which is found neither by id nor by number then', () => {
      store.putContact(contact('citizen', { cprNumber: '0101010101' }));
      store.putContact(contact('other', { cprNumber: '0202020202' }));
      expect(store.deleteContact('citizen')).toBe(true);
      expect(store.deleteContact('citizen')).toBe(false);
      expect(store.getContact('citizen')).toBeUndefined();
      expect(store.findContact('cpr', '0101010101')).toBeUndefined();
      expect(ids(store.searchContacts({}, 10))).toEqual(['other']);
    });

    it('returns at most `limit` contacts', () => {
      for (const id of ['a', 'b', 'c']) store.putContact(contact(id));
      expect(store.searchContacts({}, 2)).toHaveLength(2);
      expect(store.searchContacts({}, 0)).toEqual([]);
    });

    it('filters contacts by ids, CPR numbers and CVR numbers, every given filter applying', () => {
      store.putContact(contact('a', { cprNumber: '1' }));
      store.putContact(contact('b', { cprNumber: '2' }));
      store.putContact(contact('c', { cprNumber: undefined, cvrNumber: '3', type: 'COMPANY' }));
      store.putContact(contact('d', { cprNumber: '4', cvrNumber: '3' }));
      expect(ids(store.searchContacts({ ids: ['a', 'c', 'x'] }, 10))).toEqual(['a', 'c']);
      expect(ids(store.searchContacts({ cprNumbers: ['2', '4'] }, 10))).toEqual(['b', 'd']);
      expect(ids(store.searchContacts({ cvrNumbers: ['3'] }, 10))).toEqual(['c', 'd']);
      expect(ids(store.searchContacts({ cprNumbers: ['1', '4'], cvrNumbers: ['3'] }, 10))).toEqual(['d']);
      expect(ids(store.searchContacts({ ids: ['a', 'b'], cprNumbers: ['2'] }, 10))).toEqual(['b']);
    });

    it('keeps the contacts updated at or after `updatedSince`, with the other filters', () => {
      store.putContact(contact('a', { cprNumber: '1', lastUpdated: 10 }));
      store.putContact(contact('b', { cprNumber: '2', lastUpdated: 20 }));
      store.putContact(contact('c', { cprNumber: '3', lastUpdated: 30 }));
      expect(ids(store.searchContacts({ updatedSince: 20 }, 10))).toEqual(['b', 'c']);
      expect(store.countContacts({ updatedSince: 20, cprNumbers: ['1', '3'] })).toBe(1);
      expect(store.countContacts({ updatedSince: 31 })).toBe(0);
    });

    it('matches no contact with an empty filter list', () => {
      store.putContact(contact('a'));
      expect(store.searchContacts({ ids: [] }, 10)).toEqual([]);
      expect(store.countContacts({ cprNumbers: [] })).toBe(0);
    });

    it('treats an empty CPR number as none when filtering, but finds it by exact number', () => {
      store.putContact(contact('blank', { cprNumber: '' }));
      expect(store.searchContacts({ cprNumbers: [''] }, 10)).toEqual([]);
      expect(store.findContact('cpr', '')?.id).toBe('blank');
    });

    it('returns only the contacts strictly after the `after` cursor', () => {
      store.putContact(contact('a', { lastUpdated: 10, transactionId: 'a' }));
      store.putContact(contact('b', { lastUpdated: 20, transactionId: 'a' }));
      store.putContact(contact('c', { lastUpdated: 20, transactionId: 'b' }));
      store.putContact(contact('d', { lastUpdated: 30, transactionId: 'a' }));
      expect(ids(store.searchContacts({ after: { lastUpdated: 20, transactionId: 'a' } }, 10))).toEqual([
        'c',
        'd',
      ]);
      expect(ids(store.searchContacts({ after: { lastUpdated: 15, transactionId: 'z' } }, 10))).toEqual([
        'b',
        'c',
        'd',
      ]);
      expect(store.searchContacts({ after: { lastUpdated: 30, transactionId: 'a' } }, 10)).toEqual([]);
    });

    it('pages through contacts with the `after` cursor and a filter together', () => {
      for (let n = 1; n <= 5; n++)
        store.putContact(contact(`c${n}`, { lastUpdated: n, cprNumber: String(n % 2) }));
      const first = store.searchContacts({ cprNumbers: ['1'] }, 2);
      const last = first.at(-1) as Contact;
      const after = { lastUpdated: last.lastUpdated, transactionId: last.transactionId };
      expect(ids(first)).toEqual(['c1', 'c3']);
      expect(ids(store.searchContacts({ cprNumbers: ['1'], after }, 2))).toEqual(['c5']);
    });

    it('counts the contacts a search would return without a limit', () => {
      store.putContact(contact('a', { lastUpdated: 1, cprNumber: '1' }));
      store.putContact(contact('b', { lastUpdated: 2, cprNumber: '2' }));
      store.putContact(contact('c', { lastUpdated: 3, cprNumber: '1' }));
      expect(store.countContacts({})).toBe(3);
      expect(store.countContacts({ cprNumbers: ['1'] })).toBe(2);
      expect(store.countContacts({ ids: ['a', 'b'], after: { lastUpdated: 1, transactionId: 'tx-a' } })).toBe(
        1,
      );
    });
  });

  describe('contact points', () => {
    it('reads contact points back, and lists all or those of one organisation in the order put', () => {
      store.putContactPoint(contactPoint('p2', 'org-1'));
      store.putContactPoint(contactPoint('p1', 'org-2'));
      store.putContactPoint(contactPoint('p3', 'org-1'));
      expect(store.getContactPoint('p1')).toEqual(contactPoint('p1', 'org-2'));
      expect(store.getContactPoint('p4')).toBeUndefined();
      expect(ids(store.listContactPoints())).toEqual(['p2', 'p1', 'p3']);
      expect(ids(store.listContactPoints('org-1'))).toEqual(['p2', 'p3']);
    });

    it("lists the places of an organisation's contact points: id, active, targets, groups, visibility", () => {
      store.putContactPoint({
        ...contactPoint('p1', 'org-1'),
        contactGroupIds: ['g1', 'g2'],
        visible: false,
      });
      store.putContactPoint(contactPoint('p2', 'org-2'));
      store.putContactPoint(contactPoint('p3', 'org-1'));
      const { id, active, targets } = contactPoint('p3', 'org-1');
      expect(store.listContactPointPlaces('org-1')).toEqual([
        { id: 'p1', active, targets, contactGroupIds: ['g1', 'g2'], visible: false },
        { id, active, targets },
      ]);
    });

    it('lists the places as they are after each change, and after a change rolled back', () => {
      const ids_ = () => store.listContactPointPlaces('org-1').map((place) => place.id);
      store.putContactPoint(contactPoint('p1', 'org-1'));
      expect(ids_()).toEqual(['p1']);
      expect(() =>
        store.transaction(() => {
          store.putContactPoint(contactPoint('p2', 'org-1'));
          expect(ids_()).toEqual(['p1', 'p2']);
          throw new Error('undo');
        }),
      ).toThrow('undo');
      expect(ids_()).toEqual(['p1']);
      store.putContactPoint(contactPoint('p3', 'org-1'));
      store.putContactPoint({ ...contactPoint('p1', 'org-1'), active: false });
      expect(store.listContactPointPlaces('org-1')).toMatchObject([
        { id: 'p1', active: false },
        { id: 'p3', active: true },
      ]);
      expect(store.listContactPointPlaces('org-2')).toEqual([]);
      store.putContactPoint(contactPoint('p1', 'org-2'));
      expect(ids_()).toEqual(['p3']);
      expect(store.listContactPointPlaces('org-2').map((place) => place.id)).toEqual(['p1']);
      store.deleteContactPoint('p3');
      expect(ids_()).toEqual([]);
    });

    it('deletes a contact point, and undoes the deletion with its transaction', () => {
      store.putContactPoint(contactPoint('p1', 'org-1'));
      store.putContactPoint(contactPoint('p2', 'org-1'));
      expect(() =>
        store.transaction(() => {
          expect(store.deleteContactPoint('p1')).toBe(true);
          throw new Error('undo');
        }),
      ).toThrow('undo');
      expect(ids(store.listContactPoints())).toEqual(['p1', 'p2']);
      expect(store.deleteContactPoint('p1')).toBe(true);
      expect(store.deleteContactPoint('p1')).toBe(false);
      expect(store.getContactPoint('p1')).toBeUndefined();
      expect(ids(store.listContactPoints('org-1'))).toEqual(['p2']);
    });
  });

  describe('messages', () => {
    it('reads back the latest version of a message', () => {
      store.putMessage(message('m'));
      const delivered = message('m', {
        state: 'DELIVERED',
        route: { kind: 'MAILBOX', owner: '0101010101' },
        deliveredAt: 9,
        label: 'Æblegrød & ünïcødé',
      });
      store.putMessage(delivered);
      expect(store.getMessage('m')).toEqual(delivered);
      expect(store.getMessage('other')).toBeUndefined();
    });

    it('keeps the MeMo XML apart from the message, byte for byte', () => {
      const xml = randomBytes(8 * 1024 * 1024);
      store.putMessageXml('m', xml);
      expect(store.getMessage('m')).toBeUndefined();
      expect(Buffer.compare(store.getMessageXml('m') ?? new Uint8Array(0), xml)).toBe(0);
      store.putMessageXml('m', bytes('<replaced/>'));
      expect(store.getMessageXml('m')).toEqual(bytes('<replaced/>'));
      expect(store.getMessageXml('other')).toBeUndefined();
    });

    it("listFetchable follows a message's state and route", () => {
      store.putMessage(message('m'));
      expect(store.listFetchable('s1', ALL)).toEqual([]);
      store.putMessage(message('m', fetchableBy('s1')));
      expect(store.listFetchable('s1', ALL)).toEqual(['m']);
      store.putMessage(message('m', fetchableBy('s2')));
      expect(store.listFetchable('s1', ALL)).toEqual([]);
      expect(store.listFetchable('s2', ALL)).toEqual(['m']);
      store.putMessage(message('m', { ...fetchableBy('s2'), state: 'DELIVERED' }));
      expect(store.listFetchable('s2', ALL)).toEqual([]);
      store.putMessage(message('m', { state: 'READY_FOR_FETCH', route: { kind: 'MAILBOX', owner: 's2' } }));
      expect(store.listFetchable('s2', ALL)).toEqual([]);
    });

    it('queues fetchable messages oldest first; one that stays fetchable keeps its place', () => {
      for (const uuid of ['b', 'a', 'c']) store.putMessage(message(uuid, fetchableBy('s')));
      store.putMessage(message('b', { ...fetchableBy('s'), fetchedAt: 5 }));
      expect(store.listFetchable('s', ALL)).toEqual(['b', 'a', 'c']);
    });

    it('puts a message that leaves the queue and comes back at the end', () => {
      for (const uuid of ['a', 'b', 'c']) store.putMessage(message(uuid, fetchableBy('s')));
      store.putMessage(message('a', { ...fetchableBy('s'), state: 'DELIVERING' }));
      store.putMessage(message('a', fetchableBy('s')));
      expect(store.listFetchable('s', ALL)).toEqual(['b', 'c', 'a']);
    });

    it('pages the fetch queue with offset and limit, and counts all of it', () => {
      for (const uuid of ['a', 'b', 'c', 'd', 'e']) store.putMessage(message(uuid, fetchableBy('s')));
      store.putMessage(message('x', fetchableBy('other')));
      expect(store.listFetchable('s', { offset: 1, limit: 2 })).toEqual(['b', 'c']);
      expect(store.listFetchable('s', { offset: 4, limit: 2 })).toEqual(['e']);
      expect(store.listFetchable('s', { offset: 5, limit: 2 })).toEqual([]);
      expect(store.countFetchable('s')).toBe(5);
      expect(store.countFetchable('nobody')).toBe(0);
    });

    it("lists a container's messages in the order first put, whatever their later versions say", () => {
      store.putMessage(message('b', { containerTransmissionId: 'box' }));
      store.putMessage(message('a', { containerTransmissionId: 'box' }));
      store.putMessage(message('other', { containerTransmissionId: 'other-box' }));
      store.putMessage(message('b', { containerTransmissionId: 'box', state: 'REJECTED' }));
      store.putMessage(message('a', { containerTransmissionId: 'moved' }));
      store.putMessage(message('late'));
      store.putMessage(message('late', { containerTransmissionId: 'box' }));
      expect(store.listContainerMessages('box')).toEqual(['b', 'a']);
      expect(store.listContainerMessages('moved')).toEqual([]);
      expect(store.listContainerMessages('none')).toEqual([]);
    });
  });

  describe('receipts', () => {
    it('reads a receipt back by id', () => {
      const given = receipt('r', 's', { messageUUID: 'm', receiptStatus: 'INVALID', errorCode: 'E1' });
      store.putReceipt(given);
      expect(store.getReceipt('r')).toEqual(given);
      expect(store.getReceipt('other')).toBeUndefined();
    });

    it("lists a system's receipts oldest first, in pages, with their count", () => {
      for (const id of ['r2', 'r1', 'r3']) store.putReceipt(receipt(id, 's'));
      store.putReceipt(receipt('elsewhere', 'other'));
      expect(ids(store.listReceipts('s', ALL))).toEqual(['r2', 'r1', 'r3']);
      expect(ids(store.listReceipts('s', { offset: 1, limit: 1 }))).toEqual(['r1']);
      expect(store.countReceipts('s')).toBe(3);
      expect(store.countReceipts('nobody')).toBe(0);
    });

    it("a receipt deleted is gone from the system's list and count", () => {
      for (const id of ['r1', 'r2', 'r3']) store.putReceipt(receipt(id, 's'));
      expect(store.deleteReceipt('r2')).toBe(true);
      expect(store.getReceipt('r2')).toBeUndefined();
      expect(ids(store.listReceipts('s', ALL))).toEqual(['r1', 'r3']);
      expect(store.countReceipts('s')).toBe(2);
    });

    it('reports whether there was a receipt to delete', () => {
      store.putReceipt(receipt('r', 's'));
      expect(store.deleteReceipt('r')).toBe(true);
      expect(store.deleteReceipt('r')).toBe(false);
      expect(store.deleteReceipt('never')).toBe(false);
    });

    it('keeps the place of a receipt put again; one moved to another system arrives there last', () => {
      for (const id of ['r1', 'r2']) store.putReceipt(receipt(id, 's'));
      store.putReceipt(receipt('t1', 't'));
      store.putReceipt(receipt('r1', 's', { errorMessage: 'updated' }));
      expect(ids(store.listReceipts('s', ALL))).toEqual(['r1', 'r2']);
      store.putReceipt(receipt('r1', 't'));
      expect(ids(store.listReceipts('s', ALL))).toEqual(['r2']);
      expect(ids(store.listReceipts('t', ALL))).toEqual(['t1', 'r1']);
      expect(store.countReceipts('s')).toBe(1);
    });
  });

  describe('receipts of a message', () => {
    it("lists a system's receipts for one message oldest first, apart from other messages and systems", () => {
      store.putReceipt(receipt('r2', 's', { messageUUID: 'm' }));
      store.putReceipt(receipt('r1', 's', { messageUUID: 'm' }));
      store.putReceipt(receipt('other-message', 's', { messageUUID: 'n' }));
      store.putReceipt(receipt('other-system', 't', { messageUUID: 'm' }));
      store.putReceipt(receipt('no-message', 's'));
      expect(ids(store.listMessageReceipts('s', 'm'))).toEqual(['r2', 'r1']);
      expect(ids(store.listMessageReceipts('t', 'm'))).toEqual(['other-system']);
      expect(store.listMessageReceipts('s', 'unknown')).toEqual([]);
    });

    it('follows deletes, and receipts put again under another message or system', () => {
      for (const id of ['r1', 'r2', 'r3']) store.putReceipt(receipt(id, 's', { messageUUID: 'm' }));
      store.deleteReceipt('r1');
      store.putReceipt(receipt('r2', 's', { messageUUID: 'n' }));
      store.putReceipt(receipt('r3', 't', { messageUUID: 'm' }));
      store.putReceipt(receipt('r4', 's', { messageUUID: 'm' }));
      expect(ids(store.listMessageReceipts('s', 'm'))).toEqual(['r4']);
      expect(ids(store.listMessageReceipts('s', 'n'))).toEqual(['r2']);
      expect(ids(store.listMessageReceipts('t', 'm'))).toEqual(['r3']);
    });

    it('keeps the place of a receipt put again under the same message', () => {
      for (const id of ['r1', 'r2']) store.putReceipt(receipt(id, 's', { messageUUID: 'm' }));
      store.putReceipt(receipt('r1', 's', { messageUUID: 'm', errorMessage: 'updated' }));
      expect(store.listMessageReceipts('s', 'm')).toEqual([
        receipt('r1', 's', { messageUUID: 'm', errorMessage: 'updated' }),
        receipt('r2', 's', { messageUUID: 'm' }),
      ]);
    });
  });

  describe('file errors', () => {
    it('reads a file error back by system and file name', () => {
      store.putFileError(fileError('s', 'x.tar.lzma'));
      expect(store.getFileError('s', 'x.tar.lzma')).toEqual(fileError('s', 'x.tar.lzma'));
      expect(store.getFileError('t', 'x.tar.lzma')).toBeUndefined();
      expect(store.getFileError('s', 'y.tar.lzma')).toBeUndefined();
    });

    it('replaces the error of a file name put again', () => {
      store.putFileError(fileError('s', 'x.xml'));
      store.putFileError(fileError('s', 'x.xml', 'MEMO_UNREADABLE'));
      expect(store.listFileErrors('s')).toEqual([fileError('s', 'x.xml', 'MEMO_UNREADABLE')]);
    });

    it("lists a system's file errors by the UTF-8 bytes of their names, apart from other systems", () => {
      for (const name of ['b.xml', 'ü.xml', 'A.xml', 'a.xml', '\u{1F600}.xml', '\uFF21.xml'])
        store.putFileError(fileError('s', name));
      store.putFileError(fileError('t', 'c.xml'));
      expect(store.listFileErrors('s').map((error) => error.fileName)).toEqual([
        'A.xml',
        'a.xml',
        'b.xml',
        'ü.xml',
        '\uFF21.xml',
        '\u{1F600}.xml',
      ]);
      expect(store.listFileErrors('nobody')).toEqual([]);
    });

    it('deletes a file error and reports whether there was one', () => {
      store.putFileError(fileError('s', 'x.xml'));
      store.putFileError(fileError('t', 'x.xml'));
      expect(store.deleteFileError('s', 'x.xml')).toBe(true);
      expect(store.deleteFileError('s', 'x.xml')).toBe(false);
      expect(store.getFileError('s', 'x.xml')).toBeUndefined();
      expect(store.getFileError('t', 'x.xml')).toBeDefined();
    });
  });

  describe('mailboxes', () => {
    it("lists an owner's mailbox in the order delivered, apart from other owners", () => {
      store.addToMailbox({ owner: 'x', messageUUID: 'm2', deliveredAt: 2 });
      store.addToMailbox({ owner: 'y', messageUUID: 'm9', deliveredAt: 1 });
      store.addToMailbox({ owner: 'x', messageUUID: 'm1', deliveredAt: 3 });
      expect(store.listMailbox('x')).toEqual([
        { owner: 'x', messageUUID: 'm2', deliveredAt: 2 },
        { owner: 'x', messageUUID: 'm1', deliveredAt: 3 },
      ]);
      expect(store.listMailbox('z')).toEqual([]);
    });
  });

  describe('events', () => {
    it('lists events in time order, arrival breaking ties, also after a clock was set back', () => {
      store.appendEvent(event('a', 20));
      store.appendEvent(event('b', 30));
      store.appendEvent(event('c', 10));
      store.appendEvent(event('d', 20));
      expect(ids(store.listEvents(ALL_TIME, ALL))).toEqual(['c', 'a', 'd', 'b']);
    });

    it('reads an event back as it was appended', () => {
      const given = event('a', 5, {
        messageUUID: 'm',
        transmissionId: 't',
        systemIds: ['s1', 's2'],
        parties: ['0101010101'],
        message: 'text',
        metaProperties: { senderSystem: 's1', label: 'Brev' },
      });
      store.appendEvent(given);
      expect(store.listEvents(ALL_TIME, ALL)).toEqual([given]);
    });

    it('filters events by time range, both ends included', () => {
      for (const time of [9, 10, 15, 20, 21]) store.appendEvent(event(`at-${time}`, time));
      expect(ids(store.listEvents({ from: 10, to: 20 }, ALL))).toEqual(['at-10', 'at-15', 'at-20']);
      expect(store.countEvents({ from: 10, to: 20 })).toBe(3);
      expect(store.countEvents({ from: 20, to: 10 })).toBe(0);
    });

    it('filters events by systemIds: those concerning any of them', () => {
      store.appendEvent(event('one', 1, { systemIds: ['s1'] }));
      store.appendEvent(event('both', 2, { systemIds: ['s1', 's2'] }));
      store.appendEvent(event('two', 3, { systemIds: ['s2'] }));
      store.appendEvent(event('none', 4));
      store.appendEvent(event('twice', 5, { systemIds: ['s3', 's3'] }));
      expect(ids(store.listEvents({ ...ALL_TIME, systemIds: ['s2'] }, ALL))).toEqual(['both', 'two']);
      expect(ids(store.listEvents({ ...ALL_TIME, systemIds: ['s1', 's2'] }, ALL))).toEqual([
        'one',
        'both',
        'two',
      ]);
      expect(ids(store.listEvents({ ...ALL_TIME, systemIds: ['s3'] }, ALL))).toEqual(['twice']);
      expect(store.countEvents({ ...ALL_TIME, systemIds: ['s1', 's2'] })).toBe(3);
      expect(store.countEvents({ ...ALL_TIME, systemIds: [] })).toBe(0);
    });

    it('filters events by party, eventTag and messageUUID', () => {
      store.appendEvent(event('a', 1, { parties: ['p1'], eventTag: 'SENT', messageUUID: 'm1' }));
      store.appendEvent(event('b', 2, { parties: ['p2'], eventTag: 'SENT', messageUUID: 'm2' }));
      store.appendEvent(event('c', 3, { parties: ['p1'], eventTag: 'FAILED', messageUUID: 'm2' }));
      store.appendEvent(event('d', 4, { eventTag: 'SENT' }));
      expect(ids(store.listEvents({ ...ALL_TIME, party: 'p1' }, ALL))).toEqual(['a', 'c']);
      expect(ids(store.listEvents({ ...ALL_TIME, eventTag: 'SENT' }, ALL))).toEqual(['a', 'b', 'd']);
      expect(ids(store.listEvents({ ...ALL_TIME, messageUUID: 'm2' }, ALL))).toEqual(['b', 'c']);
    });

    it('applies every given event filter together', () => {
      store.appendEvent(
        event('match', 5, { systemIds: ['s'], parties: ['p'], eventTag: 'T', messageUUID: 'm' }),
      );
      store.appendEvent(
        event('early', 1, { systemIds: ['s'], parties: ['p'], eventTag: 'T', messageUUID: 'm' }),
      );
      store.appendEvent(
        event('system', 5, { systemIds: ['x'], parties: ['p'], eventTag: 'T', messageUUID: 'm' }),
      );
      store.appendEvent(
        event('party', 5, { systemIds: ['s'], parties: ['x'], eventTag: 'T', messageUUID: 'm' }),
      );
      store.appendEvent(
        event('tag', 5, { systemIds: ['s'], parties: ['p'], eventTag: 'X', messageUUID: 'm' }),
      );
      store.appendEvent(
        event('message', 5, { systemIds: ['s'], parties: ['p'], eventTag: 'T', messageUUID: 'x' }),
      );
      const query: EventQuery = {
        from: 2,
        to: 9,
        systemIds: ['s'],
        party: 'p',
        eventTag: 'T',
        messageUUID: 'm',
      };
      expect(ids(store.listEvents(query, ALL))).toEqual(['match']);
      expect(store.countEvents(query)).toBe(1);
    });

    it('pages events with offset and limit, and counts all that match', () => {
      for (let time = 1; time <= 5; time++) store.appendEvent(event(`e${time}`, time));
      expect(ids(store.listEvents(ALL_TIME, { offset: 1, limit: 3 }))).toEqual(['e2', 'e3', 'e4']);
      expect(ids(store.listEvents({ ...ALL_TIME, messageUUID: undefined }, { offset: 4, limit: 3 }))).toEqual(
        ['e5'],
      );
      expect(store.countEvents(ALL_TIME)).toBe(5);
    });

    it("lists a message's events in time order, also when filtered by messageUUID", () => {
      store.appendEvent(event('second', 20, { messageUUID: 'm' }));
      store.appendEvent(event('other', 15, { messageUUID: 'n' }));
      store.appendEvent(event('first', 10, { messageUUID: 'm' }));
      expect(ids(store.listMessageEvents('m'))).toEqual(['first', 'second']);
      expect(ids(store.listEvents({ ...ALL_TIME, messageUUID: 'm' }, ALL))).toEqual(['first', 'second']);
      expect(store.listMessageEvents('none')).toEqual([]);
    });
  });

  describe('jobs', () => {
    it('jobs come out by dueAt then seq', () => {
      store.putJob(job('late', 30, 1));
      store.putJob(job('second', 20, 3));
      store.putJob(job('first', 20, 2));
      store.putJob(job('early', 10, 4));
      expect(store.nextJob()?.id).toBe('early');
      expect(ids(store.listDueJobs(100, 10))).toEqual(['early', 'first', 'second', 'late']);
    });

    it('jobs tied on dueAt and seq come out in the order they were put', () => {
      store.putJob(job('a', 10, 1));
      store.putJob(job('b', 10, 1));
      store.putJob(job('c', 10, 1));
      store.putJob(job('a', 10, 1, { attempt: 1 }));
      expect(ids(store.listDueJobs(10, 10))).toEqual(['b', 'c', 'a']);
      expect(store.nextJob()?.id).toBe('b');
    });

    it('listDueJobs stops at now and at the limit', () => {
      for (let due = 1; due <= 5; due++) store.putJob(job(`due-${due}`, due * 10, due));
      expect(ids(store.listDueJobs(30, 10))).toEqual(['due-1', 'due-2', 'due-3']);
      expect(ids(store.listDueJobs(30, 2))).toEqual(['due-1', 'due-2']);
      expect(store.listDueJobs(5, 10)).toEqual([]);
      expect(store.listDueJobs(100, 0)).toEqual([]);
    });

    it('reads a job back whole, payload included', () => {
      const given = job('j', 5, 1, {
        kind: 'push-receipt',
        receiptId: 'r',
        attempt: 2,
        data: { firstAttemptAt: 3, fallback: true, note: 'x' },
      });
      store.putJob(given);
      expect(store.nextJob()).toEqual(given);
    });

    it('reschedules a job put again under the same id', () => {
      store.putJob(job('a', 10, 1));
      store.putJob(job('b', 20, 2));
      store.putJob(job('a', 30, 1, { attempt: 1 }));
      expect(store.listDueJobs(100, 10)).toEqual([job('b', 20, 2), job('a', 30, 1, { attempt: 1 })]);
      expect(store.countJobs()).toBe(2);
    });

    it('deletes a job; deleting an unknown job changes nothing', () => {
      store.putJob(job('a', 10, 1));
      store.putJob(job('b', 10, 2));
      store.deleteJob('a');
      store.deleteJob('unknown');
      expect(ids(store.listDueJobs(100, 10))).toEqual(['b']);
      expect(store.countJobs()).toBe(1);
      store.deleteJob('b');
      expect(store.nextJob()).toBeUndefined();
      expect(store.countJobs()).toBe(0);
    });
  });

  describe('sequences', () => {
    it('nextSequence counts up from 1, separately per name', () => {
      expect([store.nextSequence('job'), store.nextSequence('job'), store.nextSequence('job')]).toEqual([
        1, 2, 3,
      ]);
      expect(store.nextSequence('other')).toBe(1);
      expect(store.nextSequence('job')).toBe(4);
    });
  });

  describe('collections', () => {
    it('puts, gets, replaces and deletes records, each collection apart', () => {
      store.putRecord(GRANTS, { id: 'g-1', organisationId: 'org-1', rights: ['LOG'] });
      store.putRecord(NOTES, { id: 'g-1', text: 'a note' });
      expect(store.getRecord(GRANTS, 'g-1')).toEqual({ id: 'g-1', organisationId: 'org-1', rights: ['LOG'] });
      expect(store.getRecord(NOTES, 'g-1')).toEqual({ id: 'g-1', text: 'a note' });
      store.putRecord(GRANTS, { id: 'g-1', organisationId: 'org-1', rights: ['LOG', 'ADMIN'] });
      expect(store.getRecord(GRANTS, 'g-1')?.rights).toEqual(['LOG', 'ADMIN']);
      expect(store.deleteRecord(GRANTS, 'g-1')).toBe(true);
      expect(store.deleteRecord(GRANTS, 'g-1')).toBe(false);
      expect(store.getRecord(GRANTS, 'g-1')).toBeUndefined();
      expect(store.getRecord(NOTES, 'g-1')).toEqual({ id: 'g-1', text: 'a note' });
      expect(store.deleteRecord(NOTES, 'nothing')).toBe(false);
    });

    it('lists records in the order first put, a replaced one keeping its place', () => {
      for (const id of ['c', 'a', 'b']) store.putRecord(GRANTS, { id, rights: [] });
      store.putRecord(GRANTS, { id: 'c', rights: ['changed'] });
      expect(ids(store.listRecords(GRANTS))).toEqual(['c', 'a', 'b']);
      store.deleteRecord(GRANTS, 'c');
      store.putRecord(GRANTS, { id: 'c', rights: [] });
      expect(ids(store.listRecords(GRANTS))).toEqual(['a', 'b', 'c']);
    });

    it('lists the records of one scope, following a record that changed scope', () => {
      store.putRecord(GRANTS, { id: 'g-1', organisationId: 'org-1', rights: [] });
      store.putRecord(GRANTS, { id: 'g-2', organisationId: 'org-2', rights: [] });
      store.putRecord(GRANTS, { id: 'g-3', organisationId: 'org-1', rights: [] });
      store.putRecord(GRANTS, { id: 'g-4', rights: [] });
      expect(ids(store.listRecords(GRANTS, 'org-1'))).toEqual(['g-1', 'g-3']);
      store.putRecord(GRANTS, { id: 'g-1', organisationId: 'org-2', rights: [] });
      expect(ids(store.listRecords(GRANTS, 'org-1'))).toEqual(['g-3']);
      expect(ids(store.listRecords(GRANTS, 'org-2'))).toEqual(['g-1', 'g-2']);
      expect(ids(store.listRecords(GRANTS, 'org-3'))).toEqual([]);
    });

    it('undoes puts and deletes of a transaction that throws, order included', () => {
      for (const id of ['a', 'b', 'c']) store.putRecord(GRANTS, { id, rights: [] });
      expect(() =>
        store.transaction(() => {
          store.deleteRecord(GRANTS, 'a');
          store.putRecord(GRANTS, { id: 'b', rights: ['changed'] });
          store.putRecord(GRANTS, { id: 'd', rights: [] });
          store.putRecord(NOTES, { id: 'n', text: 'new collection' });
          throw new Error('rolled back');
        }),
      ).toThrow('rolled back');
      expect(store.listRecords(GRANTS)).toEqual([
        { id: 'a', rights: [] },
        { id: 'b', rights: [] },
        { id: 'c', rights: [] },
      ]);
      expect(store.listRecords(NOTES)).toEqual([]);
    });

    it('hands out copies: changing a record read back does not change the store', () => {
      store.putRecord(GRANTS, { id: 'g-1', rights: ['LOG'] });
      store.getRecord(GRANTS, 'g-1')?.rights.push('ADMIN');
      store.listRecords(GRANTS)[0]?.rights.push('ADMIN');
      expect(store.getRecord(GRANTS, 'g-1')?.rights).toEqual(['LOG']);
    });
  });

  describe('copies', () => {
    it('records read back are copies: changing them does not change the store', () => {
      fill(store);
      const read = contents(store);
      (read.organisations[0] as Organisation).name = 'changed';
      (read.systems[0] as SystemRecord).roles.push('RECIPIENT');
      (read.contacts[0] as Contact).mailboxSubscription.registrationStatus = 'UNKNOWN';
      (read.messages[0] as MessageRecord).state = 'FAILED';
      (read.receipts[0]?.[0] as ReceiptRecord).receiptStatus = 'INVALID';
      (read.mailbox[0] as { deliveredAt: number }).deliveredAt = 0;
      (read.events[0] as EventRecord).systemIds.push('sys-9');
      (read.nextJob as Job).dueAt = 0;
      read.fetchable[0]?.push('m-9');
      read.container.push('m-9');
      expect(contents(store)).toEqual(contents(filled(new MemoryStore())));
    });

    it('records put are copied: changing the originals afterwards does not change the store', () => {
      const given = message('m', fetchableBy('s'));
      const appended = event('e', 1, { systemIds: ['s'] });
      store.putMessage(given);
      store.appendEvent(appended);
      given.state = 'FAILED';
      appended.systemIds.push('t');
      expect(store.getMessage('m')?.state).toBe('READY_FOR_FETCH');
      expect(store.listFetchable('s', ALL)).toEqual(['m']);
      expect(store.listEvents(ALL_TIME, ALL)[0]?.systemIds).toEqual(['s']);
    });

    it('reads records back as JSON would carry them: keys set to undefined are dropped', () => {
      store.putMessage({ ...message('m'), messageId: undefined });
      expect(Object.keys(store.getMessage('m') ?? {})).not.toContain('messageId');
    });
  });

  describe('transactions', () => {
    it("returns what the work returns and keeps the work's changes", () => {
      const result = store.transaction(() => {
        store.putOrganisation(organisation('org'));
        return 42;
      });
      expect(result).toBe(42);
      expect(store.getOrganisation('org')).toBeDefined();
    });

    it('sees its own changes before it commits', () => {
      store.transaction(() => {
        store.putMessage(message('m', fetchableBy('s')));
        expect(store.getMessage('m')).toBeDefined();
        expect(store.countFetchable('s')).toBe(1);
      });
    });

    it('transaction rolls back on throw, and rethrows', () => {
      fill(store);
      const before = contents(store);
      const failure = new Error('boom');
      expect(() =>
        store.transaction(() => {
          store.putOrganisation(organisation('org-1', { name: 'Renamed' }));
          store.putOrganisation(organisation('org-3'));
          store.putSystem(system('sys-1', 'org-2', { sshUsername: 'bob' }));
          store.putContact(contact('c-1', { cprNumber: 'changed', lastUpdated: 1 }));
          store.putContactPoint(contactPoint('cp-2', 'org-1'));
          store.putMessage(message('m-1', { state: 'DELIVERED' }));
          store.putMessage(message('m-1', fetchableBy('sys-1')));
          store.putMessage(message('m-2', fetchableBy('sys-2')));
          store.putMessage(
            message('m-4', { ...fetchableBy('sys-1'), containerTransmissionId: 'container-1' }),
          );
          store.putMessageXml('m-1', bytes('<changed/>'));
          store.putMessageXml('m-4', bytes('<new/>'));
          store.putReceipt(receipt('r-2', 'sys-2'));
          store.deleteReceipt('r-1');
          store.putReceipt(receipt('r-4', 'sys-1', { messageUUID: 'm-1' }));
          store.putFileError(fileError('sys-1', 'a.xml', 'CHANGED'));
          store.putFileError(fileError('sys-1', 'c.xml'));
          store.deleteFileError('sys-1', 'b.tar.lzma');
          store.addToMailbox({ owner: 'cpr-c-1', messageUUID: 'm-4', deliveredAt: 8 });
          store.appendEvent(event('e-4', 15, { messageUUID: 'm-1', systemIds: ['sys-2'] }));
          store.putJob(job('j-1', 10, 1));
          store.deleteJob('j-2');
          store.putJob(job('j-3', 1, 3));
          store.nextSequence('job');
          store.nextSequence('other');
          throw failure;
        }),
      ).toThrow(failure);
      expect(contents(store)).toEqual(before);
      expect(store.nextSequence('job')).toBe(3);
      expect(store.nextSequence('other')).toBe(1);
    });

    it('undoes a clear when the transaction throws', () => {
      fill(store);
      const before = contents(store);
      expect(() =>
        store.transaction(() => {
          store.clear();
          store.putOrganisation(organisation('org-9'));
          throw new Error('boom');
        }),
      ).toThrow('boom');
      expect(contents(store)).toEqual(before);
    });

    it('joins a nested transaction to the outer one: the outer rollback undoes it too', () => {
      expect(() =>
        store.transaction(() => {
          store.transaction(() => store.putOrganisation(organisation('inner')));
          throw new Error('outer fails');
        }),
      ).toThrow('outer fails');
      expect(store.getOrganisation('inner')).toBeUndefined();
    });

    it('undoes a nested transaction that throws, keeping the outer work', () => {
      store.transaction(() => {
        store.putOrganisation(organisation('before'));
        try {
          store.transaction(() => {
            store.putOrganisation(organisation('inner'));
            store.putJob(job('inner-job', 1, 1));
            throw new Error('inner fails');
          });
        } catch {
          store.putOrganisation(organisation('outer'));
        }
      });
      expect(ids(store.listOrganisations())).toEqual(['before', 'outer']);
      expect(store.nextJob()).toBeUndefined();
    });

    it('keeps a nested transaction that succeeds when the outer one commits', () => {
      store.transaction(() => {
        store.transaction(() => store.putOrganisation(organisation('inner')));
        store.putOrganisation(organisation('outer'));
      });
      expect(ids(store.listOrganisations())).toEqual(['inner', 'outer']);
    });

    it('works again after a rolled-back transaction', () => {
      expect(() =>
        store.transaction(() => {
          store.putJob(job('lost', 1, 1));
          throw new Error('boom');
        }),
      ).toThrow('boom');
      store.transaction(() => store.putJob(job('kept', 1, 1)));
      expect(ids(store.listDueJobs(10, 10))).toEqual(['kept']);
    });
  });

  describe('the manual clock time', () => {
    it('knows no clock time until one is put', () => {
      expect(store.getClockTime()).toBeUndefined();
    });

    it('reads back the clock time put last', () => {
      store.putClockTime(Date.UTC(2025, 2, 10, 10));
      store.putClockTime(Date.UTC(2031, 0, 1));
      expect(store.getClockTime()).toBe(Date.UTC(2031, 0, 1));
    });

    it('keeps an earlier time put after a later one (a clock set back)', () => {
      store.putClockTime(Date.UTC(2031, 0, 1));
      store.putClockTime(Date.UTC(2025, 0, 1));
      expect(store.getClockTime()).toBe(Date.UTC(2025, 0, 1));
    });

    it('undoes a clock time put in a transaction that threw', () => {
      store.putClockTime(1_000);
      expect(() =>
        store.transaction(() => {
          store.putClockTime(2_000);
          throw new Error('rolled back');
        }),
      ).toThrow('rolled back');
      expect(store.getClockTime()).toBe(1_000);
    });
  });

  describe('clear', () => {
    it('clear removes everything', () => {
      fill(store);
      store.putClockTime(1_000);
      store.clear();
      expect(nothingIn(store)).toEqual(EMPTY);
      expect(store.nextSequence('job')).toBe(1);
      expect(store.getClockTime()).toBeUndefined();
    });

    it('is usable again after a clear', () => {
      fill(store);
      store.clear();
      fill(store);
      expect(contents(store)).toEqual(contents(filled(new MemoryStore())));
    });
  });
});

describe('the sqlite store file', () => {
  it('keeps everything across closing and reopening', () => {
    const path = newFile();
    const first = SqliteStore.open(path);
    fill(first);
    const before = contents(first);
    first.close();
    const second = SqliteStore.open(path);
    expect(contents(second)).toEqual(before);
    expect(second.nextSequence('job')).toBe(3);
    second.close();
  });

  it('keeps a large MeMo in a file beside the database, across reopening', () => {
    const path = newFile();
    const xml = randomBytes(3 * 1024 * 1024);
    const first = SqliteStore.open(path);
    first.transaction(() => first.putMessageXml('big', xml));
    first.close();
    expect(readdirSync(join(dirname(path), 'memos'))).toHaveLength(1);
    const second = SqliteStore.open(path);
    expect(Buffer.compare(second.getMessageXml('big') ?? new Uint8Array(0), xml)).toBe(0);
    second.clear();
    expect(existsSync(join(dirname(path), 'memos'))).toBe(false);
    second.close();
  });

  it('leaves no file behind for a large MeMo whose transaction rolled back', () => {
    const path = newFile();
    const store = SqliteStore.open(path);
    expect(() =>
      store.transaction(() => {
        store.putMessageXml('big', randomBytes(2 * 1024 * 1024));
        throw new Error('rolled back');
      }),
    ).toThrow('rolled back');
    expect(store.getMessageXml('big')).toBeUndefined();
    expect(readdirSync(join(dirname(path), 'memos'))).toEqual([]);
    store.close();
  });

  it('keeps the manual clock time across closing and reopening', () => {
    const path = newFile();
    const first = SqliteStore.open(path);
    first.putClockTime(Date.UTC(2031, 5, 1, 12));
    first.close();
    const second = SqliteStore.open(path);
    expect(second.getClockTime()).toBe(Date.UTC(2031, 5, 1, 12));
    second.close();
  });

  it('takes a clock time in a data file of schema version 3 once it is migrated', () => {
    const path = newFile();
    SqliteStore.open(path).close();
    const old = new DatabaseSync(path);
    old.exec('DROP TABLE records; DROP TABLE clock; PRAGMA user_version = 3;');
    old.close();
    const store = SqliteStore.open(path);
    expect(store.getClockTime()).toBeUndefined();
    store.putClockTime(5_000);
    expect(store.getClockTime()).toBe(5_000);
    store.close();
  });

  it('nextSequence is persistent and increasing', () => {
    const path = newFile();
    const seen: number[] = [];
    for (let run = 0; run < 3; run++) {
      const store = SqliteStore.open(path);
      seen.push(store.nextSequence('job'), store.nextSequence('job'));
      store.close();
    }
    expect(seen).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('creates its schema on first open, versioned, in WAL mode', () => {
    const path = newFile();
    SqliteStore.open(path).close();
    const db = new DatabaseSync(path);
    expect(db.prepare('PRAGMA user_version').get()?.user_version).toBe(5);
    expect(db.prepare('PRAGMA journal_mode').get()?.journal_mode).toBe('wal');
    const tables = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").all();
    expect(tables.map((row) => row.name)).toEqual([
      'clock',
      'contact_points',
      'contacts',
      'event_parties',
      'event_systems',
      'events',
      'file_errors',
      'jobs',
      'mailbox',
      'message_xml',
      'messages',
      'organisations',
      'receipts',
      'records',
      'sequences',
      'systems',
    ]);
    db.close();
  });

  it('keeps records in a data file of schema version 4 once it is migrated, its other data kept', () => {
    const path = newFile();
    const first = SqliteStore.open(path);
    first.putOrganisation(organisation('org-1'));
    first.close();
    const old = new DatabaseSync(path);
    old.exec('DROP TABLE records; PRAGMA user_version = 4;');
    old.close();
    const store = SqliteStore.open(path);
    expect(ids(store.listOrganisations())).toEqual(['org-1']);
    store.putRecord(GRANTS, { id: 'g-1', organisationId: 'org-1', rights: [] });
    expect(ids(store.listRecords(GRANTS, 'org-1'))).toEqual(['g-1']);
    store.close();
  });

  it('finds the receipts of a data file of schema version 2 by messageUUID once it is migrated', () => {
    const path = newFile();
    SqliteStore.open(path).close();
    // Back to version 2: without what migrations 3, 4 and 5 add.
    const old = new DatabaseSync(path);
    old.exec(`
      DROP TABLE records;
      DROP TABLE clock;
      DROP INDEX receipts_by_message;
      ALTER TABLE receipts DROP COLUMN message_uuid;
      DROP TABLE file_errors;
      PRAGMA user_version = 2;
    `);
    const insert = old.prepare('INSERT INTO receipts (id, system_id, arrival, data) VALUES (?, ?, ?, ?)');
    insert.run('r-1', 's', 1, JSON.stringify(receipt('r-1', 's', { messageUUID: 'm' })));
    insert.run('r-2', 's', 2, JSON.stringify(receipt('r-2', 's')));
    old.close();
    const store = SqliteStore.open(path);
    expect(ids(store.listMessageReceipts('s', 'm'))).toEqual(['r-1']);
    store.putFileError(fileError('s', 'x.xml'));
    expect(store.listFileErrors('s')).toHaveLength(1);
    store.close();
  });

  it('refuses a file that is not a SQLite database, saying so', () => {
    const path = newFile();
    writeFileSync(path, 'these are not the bytes of a database\n'.repeat(100));
    const open = () => SqliteStore.open(path);
    expect(open).toThrow(StoreFileError);
    expect(open).toThrow(`the data file ${path} is not a SQLite database`);
    expect(readFileSync(path, 'utf8')).toBe('these are not the bytes of a database\n'.repeat(100));
  });

  it('refuses, and leaves alone, a SQLite database of another application', () => {
    const path = newFile();
    const foreign = new DatabaseSync(path);
    foreign.exec('CREATE TABLE notes (text TEXT)');
    foreign.close();
    expect(() => SqliteStore.open(path)).toThrow(expect.objectContaining({ code: 'STORE_FOREIGN_DATABASE' }));
    const reopened = new DatabaseSync(path);
    expect(reopened.prepare('PRAGMA journal_mode').get()?.journal_mode).toBe('delete');
    reopened.close();
  });

  it('refuses a data file written by a newer version of digitalpost', () => {
    const path = newFile();
    SqliteStore.open(path).close();
    const db = new DatabaseSync(path);
    db.exec('PRAGMA user_version = 99');
    db.close();
    expect(() => SqliteStore.open(path)).toThrow(expect.objectContaining({ code: 'STORE_TOO_NEW' }));
  });

  it('loses no committed transaction, and keeps none half-done, when its process is killed', async () => {
    const path = newFile();
    // Each transaction writes a job, an event and XML; it prints its number once committed.
    const writer = `
      import { writeSync } from 'node:fs';
      const { SqliteStore } = await import(process.argv[1]);
      const store = SqliteStore.open(process.argv[2]);
      for (let n = 1; ; n++) {
        store.transaction(() => {
          store.putJob({ id: 'job-' + n, kind: 'process', dueAt: n, seq: n, attempt: 0 });
          store.appendEvent({
            id: 'event-' + n, eventTag: 'T', eventTime: n, systemIds: ['s'], parties: [], metaProperties: {},
          });
          store.putMessageXml('m-' + n, new Uint8Array(8192).fill(n % 256));
        });
        writeSync(1, n + '\\n');
      }`;
    const module = fileURLToPath(new URL('./sqlite.ts', import.meta.url));
    const child = spawn(process.execPath, ['--input-type=module', '-e', writer, module, path], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const closed = new Promise((resolve) => child.once('close', resolve));
    let errors = '';
    child.stderr.on('data', (chunk: Buffer) => {
      errors += chunk.toString();
    });
    let output = '';
    let acknowledged = 0;
    try {
      acknowledged = await new Promise<number>((resolve, reject) => {
        setTimeout(() => reject(new Error(`the writer was too slow: ${errors}`)), 20_000).unref();
        child.once('exit', () => reject(new Error(`the writer stopped by itself: ${errors}`)));
        child.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          const lines = output.trim().split('\n');
          if (lines.length >= 500) resolve(Number(lines.at(-1)));
        });
      });
    } finally {
      child.kill('SIGKILL');
      await closed;
    }

    const store = SqliteStore.open(path);
    const committed = store.countJobs();
    expect(committed).toBeGreaterThanOrEqual(acknowledged);
    expect(store.countEvents({ from: 0, to: Number.MAX_SAFE_INTEGER })).toBe(committed);
    expect(store.getMessageXml(`m-${committed}`)).toEqual(new Uint8Array(8192).fill(committed % 256));
    expect(store.getMessageXml(`m-${committed + 1}`)).toBeUndefined();
    store.close();
  });
});
