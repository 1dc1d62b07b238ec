/**
 * Read-side lookups over real HTTP: contacts with NgDP's search-after cursor (ngdp-api.md §7),
 * contact points (§8) and the event log (§10), with the magic identities of simulator.md.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import {
  call,
  keyOf,
  letterTo,
  resetSimulator,
  SEED_IDS,
  sendMemo,
  startTestSimulator,
} from '../../../test/support/simulator.ts';
import type { RunningSimulator } from '../../index.ts';

/** ngdp-api.md §10.2: every EventLogEventTag of spec 1.68.0. */
const NGDP_EVENT_TAGS = new Set(
  `ACCESS_REQUEST_APPROVED ACCESS_REQUEST_REJECTED ACCESS_REQUEST_REVOKED ACCESS_REQUEST_SUBMITTED
ACCESS_REQUEST_WITHDRAWN APP_ACCESS_CREATED APP_ACCESS_REMOVED BUSINESS_RECEIPT_CREATED
BUSINESS_RECEIPT_RECEIVED BUSINESS_RECEIPT_RECEIVED_BY_RECIPIENT_SYSTEM
BUSINESS_RECEIPT_SEND_TO_SENDER_SYSTEM BUSINESS_RECEIPT_SEND_TO_SENDER_SYSTEM_FAILED
BUSINESS_RECEIPT_SENT CONSENT_REVOKED CONTACT_CPR_UPDATED CONTACT_CVR_UPDATED CONTACT_GROUP_CHANGED
CONTACT_POINT_CHANGED CONTACT_REGISTRY_ACCESSED_CITIZEN CONTACT_SEARCHES CPR_LOOKED_UP CVR_LOOKED_UP
DELAYED_MEMO_MESSAGE_RECALLED DELAYED_MEMO_SEND_SENT DELAYED_MEMO_SEND_VALIDATED_AWAITING_DELAY
DELEGATED_SUPPORT_ADMIN_PRIVILEGE_GRANTED DELEGATED_SUPPORT_ADMIN_PRIVILEGE_GRANTED_ON_BEHALF_OF
DELEGATED_SUPPORT_ADMIN_PRIVILEGE_REVOKED DELEGATED_SUPPORT_ADMIN_PRIVILEGE_REVOKED_ON_BEHALF_OF
DIGITAL_POST_EXEMPTED DIGITAL_POST_REGISTERED DIRECT_PRIVILEGE_READ DIRECT_PRIVILEGE_SEARCHES
DRAFT_DELETED DRAFT_SAVED EMAIL_NOTIFICATION_SUBSCRIPTION_CREATED
EMAIL_NOTIFICATION_SUBSCRIPTION_DELETED EMAIL_NOTIFICATION_SUBSCRIPTION_UPDATED
EMAIL_NOTIFICATION_SUBSCRIPTION_VERIFIED EVENT_LOG_SEARCHES FLAG_CHANGED FOLDER_CREATED
FOLDER_DELETED FOLDER_MOVED FOLDER_UPDATED IDENTITY_DEACTIVATED IDENTITY_REACTIVATED IDENTITY_READ
IDENTITY_SEARCHES INTRODUCTION_COMPLETED MAILBOX_READ MAILBOX_READ_BY_PARTY_REPRESENTATIVE
MEMO_ARCHIVE_REJECTED MEMO_AVAILABLE_TO_RECIPIENT MEMO_EXTRACTED MEMO_MASS_SEND_RECEIVED
MEMO_MESSAGE_RECALLED MEMO_SEND_FAILED MEMO_SEND_FETCHED_BY_RECIPIENT_SYSTEM MEMO_SEND_READY_FOR_FETCH
MEMO_SEND_RECALLED MEMO_SEND_RECEIVED MEMO_SEND_SENT_TO_RECIPIENT_SYSTEM
MEMO_SEND_SENT_TO_RECIPIENT_SYSTEM_FAILED MEMO_SEND_VALIDATED MEMO_SEND_VALIDATION_FAILED
MEMO_SYSTEM_FETCHED MEMO_TRANSFORMATION_FAILED MESSAGE_CREATED MESSAGE_DELETED
MESSAGE_FORWARDED_TO_AUTHORITY MESSAGE_FORWARDED_TO_EMAIL MESSAGE_FORWARDED_TO_TRUSTED
MESSAGE_LEGALLY_NOTIFIED MESSAGE_MOVED MESSAGE_READ MESSAGE_RECALLED_BY_ADMINISTRATOR MESSAGE_RECEIVED
MESSAGE_SENT MESSAGE_SENT_MAILBOX MESSAGE_UPDATED NEM_SMS_ACTIVATED NEM_SMS_CREATED NEM_SMS_DELETED
NEM_SMS_SEND_FAILED NEM_SMS_SENT_AND_REJECTED NEM_SMS_SENT_SUCCESSFULLY NEM_SMS_UPDATED
NOTIFICATION_DEVICE_TOKEN_STALE_FAILED NOTIFICATION_FAILED NOTIFICATION_PUSH_COMPLETED
NOTIFICATION_SENT PERSON_SEARCHES PHYSICAL_LETTER_SENT PINCODE_SENT_TO_MOBILE_NEM_SMS
PRIVILEGES_GRANTED PRIVILEGES_GRANTED_ON_BEHALF_OF PRIVILEGES_REVOKED PRIVILEGES_REVOKED_ON_BEHALF_OF
PRIVILEGE_GROUP_READ PRIVILEGE_GROUP_SEARCHES PUSH_NOTIFICATION_SUBSCRIPTION_CREATED
PUSH_NOTIFICATION_SUBSCRIPTION_DELETED PUSH_NOTIFICATION_SUBSCRIPTION_UPDATED READ_ACCESS_CREATED
READ_ACCESS_DELETED SMS_NOTIFICATION_SUBSCRIPTION_CREATED SMS_NOTIFICATION_SUBSCRIPTION_DELETED
SMS_NOTIFICATION_SUBSCRIPTION_UPDATED SMS_NOTIFICATION_SUBSCRIPTION_VERIFIED
STATISTICAL_REPORT_CREATED STATISTICAL_REPORT_DELETED STATISTICAL_REPORT_DOWNLOADED
STATISTICAL_REPORT_SUBSCRIPTION_CREATED STATISTICAL_REPORT_SUBSCRIPTION_DELETED
STATISTICAL_REPORT_SUBSCRIPTION_READ STATISTICAL_REPORT_SUBSCRIPTION_SEARCH
STATISTICAL_REPORT_SUBSCRIPTION_UPDATED STATISTICS_READ SYSTEM_CHANGED SYSTEM_FETCH_FINISHED
SYSTEM_FETCH_STARTED SYSTEM_FETCH_STOPPED TECHNICAL_RECEIPT_SENT TECHNICAL_RECEIPT_SENT_TO_SENDER_SYSTEM
UNKNOWN UNOPENED_MAIL_AS_PHYSICAL_POST UNOPENED_MAIL_NOT_AS_PHYSICAL_POST
UNOPENED_MAIL_SENT_AS_PHYSICAL_POST`.split(/\s+/),
);

const REGISTRATION_STATUSES = [
  'AUTOMATIC_REGISTRATION',
  'VOLUNTARY_REGISTRATION',
  'BEFORE_UNCONFIRMED_REGISTRATION',
  'UNCONFIRMED_REGISTRATION',
  'EXEMPT_LEFT_THE_COUNTRY',
  'EXEMPT_OTHER_REASON',
  'CREATED_AWAITING_REGISTRATION',
  'UNKNOWN',
];
const MAGIC_CPRS = ['0101700001', '0101700002', '0101700003', '0101700004', '0101700005', '0101700006'];
const ISO_MS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

interface ContactJson {
  id: string;
  version?: number;
  type: string;
  transactionId: string;
  cprNumber?: string;
  cvrNumber?: string;
  lastUpdated?: string;
  mailboxSubscription: {
    id?: string;
    version?: number;
    publicRegistrationStatus: string;
    registrationStatus: string;
    exemptionStart?: string;
    exemptionEnd?: string;
  };
  nemSmsSubscription?: { id?: string; mobileNumber: string; confirmedDateTime?: string };
  address?: Record<string, unknown>;
}

interface ContactSearchResult {
  currentPage: number;
  next?: string;
  totalPages: number;
  elementsOnPage: number;
  totalElements: number;
  contacts: ContactJson[];
}

interface EventJson {
  eventTag: string;
  eventTime?: string;
  created?: string;
  metaProperties: Record<string, string>;
  [field: string]: unknown;
}

interface EventSearchResult {
  events: EventJson[];
  currentPage: number;
  totalPages: number;
  elementsOnPage: number;
  totalElements: number;
}

let simulator: RunningSimulator;
let senderKey: string;
let companyKey: string;

beforeAll(async () => {
  simulator = await startTestSimulator();
  senderKey = keyOf(simulator, SEED_IDS.senderPull);
  companyKey = keyOf(simulator, SEED_IDS.companyRecipient);
});
afterAll(() => simulator.stop());
beforeEach(() => resetSimulator(simulator));

function contacts(query: string, apiKey = senderKey) {
  return call(`${simulator.apiUrl}/contacts/?${query}`, { apiKey });
}

async function search(query: string): Promise<ContactSearchResult> {
  const response = await contacts(query);
  expect(response.status).toBe(200);
  return response.json as ContactSearchResult;
}

async function send(recipient: Parameters<typeof letterTo>[0]): Promise<string> {
  const memo = await letterTo(recipient);
  expect((await sendMemo(simulator, senderKey, memo)).status).toBe(201);
  await simulator.settle();
  return memo.messageHeader.messageUUID;
}

function events(query: string, apiKey = senderKey) {
  return call(`${simulator.apiUrl}/events/?${query}`, { apiKey });
}

async function eventList(query: string, apiKey = senderKey): Promise<EventJson[]> {
  const response = await events(`size=1000&${query}`, apiKey);
  expect(response.status).toBe(200);
  return (response.json as EventSearchResult).events;
}

const iso = (time: number): string => new Date(time).toISOString();

describe('GET /contacts/', () => {
  test.each([
    ['0101700001', 'REGISTERED'],
    ['0101700002', 'EXEMPT'],
    ['0101700003', 'CLOSED'],
    ['0101700004', 'REGISTERED'],
    ['0101700005', 'REGISTERED'],
    ['0101700006', 'REGISTERED'],
  ])('cprNumber=%s answers a ContactSearchResult with publicRegistrationStatus %s', async (cpr, status) => {
    const response = await contacts(`cprNumber=${cpr}`);

    expect(response.status).toBe(200);
    const result = response.json as ContactSearchResult;
    expect(Object.keys(result)).toEqual([
      'currentPage',
      'next',
      'totalPages',
      'elementsOnPage',
      'totalElements',
      'contacts',
    ]);
    expect(result).toMatchObject({ currentPage: 0, totalPages: 1, elementsOnPage: 1, totalElements: 1 });
    const [contact] = result.contacts;
    expect(contact).toMatchObject({
      id: expect.any(String),
      type: 'CITIZEN',
      cprNumber: cpr,
      transactionId: expect.any(String),
      mailboxSubscription: { publicRegistrationStatus: status },
    });
    expect(contact).not.toHaveProperty('cvrNumber');
    expect(REGISTRATION_STATUSES).toContain(contact?.mailboxSubscription.registrationStatus);
  });

  test('the citizens who can receive mail are fully registered', async () => {
    const result = await search('cprNumber=0101700001,0101700005,0101700006');

    for (const contact of result.contacts) {
      expect(['AUTOMATIC_REGISTRATION', 'VOLUNTARY_REGISTRATION']).toContain(
        contact.mailboxSubscription.registrationStatus,
      );
    }
  });

  test('0101700004 is REGISTERED with registrationStatus UNCONFIRMED_REGISTRATION', async () => {
    const result = await search('cprNumber=0101700004');

    expect(result.contacts[0]?.mailboxSubscription).toMatchObject({
      publicRegistrationStatus: 'REGISTERED',
      registrationStatus: 'UNCONFIRMED_REGISTRATION',
    });
  });

  test('0101700005 has a confirmed NemSMS subscription', async () => {
    const result = await search('cprNumber=0101700005');

    const subscription = result.contacts[0]?.nemSmsSubscription;
    expect(subscription?.mobileNumber).toMatch(/^[2-9]\d{7}$/);
    expect(subscription?.confirmedDateTime).toMatch(ISO_MS);
  });

  test('the other magic citizens have no nemSmsSubscription (absent, not null)', async () => {
    const result = await search(`cprNumber=${MAGIC_CPRS.filter((cpr) => cpr !== '0101700005').join(',')}`);

    expect(result.contacts).toHaveLength(5);
    for (const contact of result.contacts) expect(contact).not.toHaveProperty('nemSmsSubscription');
  });

  test('an unknown CPR number answers a contact with publicRegistrationStatus UNKNOWN', async () => {
    const result = await search('cprNumber=0101709999');

    expect(result.totalElements).toBe(1);
    expect(result.contacts[0]).toMatchObject({
      type: 'CITIZEN',
      cprNumber: '0101709999',
      mailboxSubscription: { publicRegistrationStatus: 'UNKNOWN' },
    });
  });

  test('cvrNumber= finds a company, without cprNumber', async () => {
    const result = await search('cvrNumber=87654321');

    expect(result.totalElements).toBe(1);
    expect(result.contacts[0]).toMatchObject({
      type: 'COMPANY',
      cvrNumber: '87654321',
      mailboxSubscription: { publicRegistrationStatus: 'REGISTERED' },
    });
    expect(result.contacts[0]).not.toHaveProperty('cprNumber');
  });

  test('several comma-separated values answer one contact each', async () => {
    const result = await search('cprNumber=0101700001,0101700003,0101700005');

    expect(result.totalElements).toBe(3);
    expect(result.elementsOnPage).toBe(3);
    expect(result.contacts.map((contact) => contact.cprNumber).sort()).toEqual([
      '0101700001',
      '0101700003',
      '0101700005',
    ]);
  });

  test('a mix of known and unknown numbers answers every one of them', async () => {
    const result = await search('cprNumber=0101700001,0101709998,0101709999');

    expect(result.totalElements).toBe(3);
    expect(
      Object.fromEntries(
        result.contacts.map((c) => [c.cprNumber, c.mailboxSubscription.publicRegistrationStatus]),
      ),
    ).toEqual({ '0101700001': 'REGISTERED', '0101709998': 'UNKNOWN', '0101709999': 'UNKNOWN' });
  });

  test('next is base64 of [ <lastUpdated epoch-ms>, "<transactionId>" ] of the page’s last contact', async () => {
    const result = await search('cprNumber=0101700001,0101700002&size=2');

    const last = result.contacts.at(-1) as ContactJson;
    const decoded = Buffer.from(result.next as string, 'base64').toString('utf8');
    expect(decoded).toBe(`[ ${Date.parse(last.lastUpdated as string)}, "${last.transactionId}" ]`);
  });

  test('paging with size=2 following the next cursor visits every contact exactly once', async () => {
    const seen: string[] = [];
    const pages: number[] = [];
    let result = await search(`cprNumber=${MAGIC_CPRS.join(',')}&size=2`);
    for (let guard = 0; guard < 10; guard++) {
      pages.push(result.currentPage);
      seen.push(...result.contacts.map((contact) => contact.cprNumber as string));
      expect(result.elementsOnPage).toBe(result.contacts.length);
      if (result.contacts.length === 0 || result.currentPage + 1 >= result.totalPages) break;
      expect(result.next).toEqual(expect.any(String));
      result = await search(
        `cprNumber=${MAGIC_CPRS.join(',')}&size=2&next=${encodeURIComponent(result.next as string)}`,
      );
    }

    expect(result.totalPages).toBe(3);
    expect(pages).toEqual([0, 1, 2]);
    expect(seen.sort()).toEqual(MAGIC_CPRS);
  });

  test('paging with size=1 following the next cursor also reaches every unknown number', async () => {
    const query = 'cprNumber=0101700001,0101709998,0101709999&size=1';
    const seen: string[] = [];
    let result = await search(query);
    for (let guard = 0; guard < 10; guard++) {
      seen.push(...result.contacts.map((contact) => contact.cprNumber as string));
      if (result.contacts.length === 0 || result.currentPage + 1 >= result.totalPages) break;
      expect(result.next).toEqual(expect.any(String));
      result = await search(`${query}&next=${encodeURIComponent(result.next as string)}`);
    }

    expect(seen.sort()).toEqual(['0101700001', '0101709998', '0101709999']);
  });

  test('paging every contact (no filter) with size=2 visits each exactly once', async () => {
    const all = await search('size=1000');
    const ids: string[] = [];
    let result = await search('size=2');
    for (let guard = 0; guard < 20; guard++) {
      ids.push(...result.contacts.map((contact) => contact.id));
      if (result.contacts.length === 0 || result.currentPage + 1 >= result.totalPages) break;
      result = await search(`size=2&next=${encodeURIComponent(result.next as string)}`);
    }

    expect(all.totalElements).toBeGreaterThanOrEqual(MAGIC_CPRS.length + 2);
    expect(ids).toHaveLength(all.totalElements);
    expect(new Set(ids).size).toBe(all.totalElements);
  });

  test('paging with the next cursor visits contacts updated at the same instant exactly once', async () => {
    const created = ['0303900001', '0303900002', '0303900003', '0303900004', '0303900005'];
    for (const cprNumber of created) {
      const response = await call(`${simulator.controlUrl}/citizens`, {
        method: 'POST',
        contentType: 'application/json',
        body: JSON.stringify({ cprNumber }),
      });
      expect(response.status).toBe(201);
    }
    const query = `cprNumber=${created.join(',')}&size=1`;
    const seen: string[] = [];
    let result = await search(query);
    for (let guard = 0; guard < 10; guard++) {
      seen.push(...result.contacts.map((contact) => contact.cprNumber as string));
      if (result.contacts.length === 0 || result.currentPage + 1 >= result.totalPages) break;
      result = await search(`${query}&next=${encodeURIComponent(result.next as string)}`);
    }

    expect(seen.sort()).toEqual(created);
  });

  test('id= finds a contact by its id', async () => {
    const found = (await search('cprNumber=0101700003')).contacts[0] as ContactJson;

    const result = await search(`id=${found.id}`);

    expect(result.totalElements).toBe(1);
    expect(result.contacts[0]).toEqual(found);
  });

  test('contacts are ordered by lastUpdated, then transactionId', async () => {
    const result = await search(`cprNumber=${MAGIC_CPRS.join(',')}&size=100`);

    const keys = result.contacts.map((c) => [Date.parse(c.lastUpdated as string), c.transactionId] as const);
    const sorted = [...keys].sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
    expect(keys).toEqual(sorted);
  });

  test.each(['123', '01017000011', 'abcdefghij', '0101700001,12'])(
    'cprNumber=%s answers 400',
    async (value) => {
      const response = await contacts(`cprNumber=${value}`);

      expect(response.status).toBe(400);
      expect(response.json).toMatchObject({ fieldErrors: [{ field: 'cprNumber' }] });
    },
  );

  test('a malformed cvrNumber answers 400', async () => {
    const response = await contacts('cvrNumber=1234');

    expect(response.status).toBe(400);
  });

  test.each([
    ['garbage', 'not base64 at all!'],
    ['base64 of other text', Buffer.from('hello').toString('base64')],
    ['a cursor without transactionId', Buffer.from('[ 1700000000000 ]').toString('base64')],
  ])('a cursor that is %s answers 400', async (_name, cursor) => {
    const response = await contacts(`cprNumber=0101700001&next=${encodeURIComponent(cursor)}`);

    expect(response.status).toBe(400);
    expect(response.json).toMatchObject({ code: expect.any(String), message: expect.any(String) });
  });

  test('answers 401 without an API key', async () => {
    const response = await call(`${simulator.apiUrl}/contacts/?cprNumber=0101700001`);

    expect(response.status).toBe(401);
  });
});

describe('a Contact', () => {
  test('has subscriptions with ids of their own', async () => {
    const contact = (await search('cprNumber=0101700005')).contacts[0] as ContactJson;

    const ids = [contact.id, contact.mailboxSubscription.id, contact.nemSmsSubscription?.id];
    expect(new Set(ids).size).toBe(3);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f-]{36}$/);
  });

  test('the exempt citizen says since when, and has no end to it', async () => {
    const contact = (await search('cprNumber=0101700002')).contacts[0] as ContactJson;

    expect(contact.mailboxSubscription).toMatchObject({
      publicRegistrationStatus: 'EXEMPT',
      exemptionStart: '2024-01-01',
      exemptThroughPowerOfAttorney: false,
    });
    expect(contact.mailboxSubscription).not.toHaveProperty('exemptionEnd');
  });

  test('a company carries its address', async () => {
    const company = (await search('cvrNumber=87654321')).contacts[0] as ContactJson;

    expect(company.address).toMatchObject({ '@type': 'CompanyAddress', postalCode: '8000' });
  });

  test('counts its changes in its version, and its registration’s in its own', async () => {
    const register = (body: object) =>
      call(`${simulator.controlUrl}/citizens`, {
        method: 'POST',
        contentType: 'application/json',
        body: JSON.stringify({ cprNumber: '0303900009', ...body }),
      });
    await register({});
    await register({ name: 'Renamed' });
    await register({ publicRegistrationStatus: 'EXEMPT', registrationStatus: 'EXEMPT_OTHER_REASON' });

    const contact = (await search('cprNumber=0303900009')).contacts[0] as ContactJson;

    expect(contact.version).toBe(3);
    expect(contact.mailboxSubscription).toMatchObject({ version: 2, exemptionStart: expect.any(String) });
  });
});

describe('GET /contacts/{id}', () => {
  test('returns the Contact the search found', async () => {
    const found = (await search('cprNumber=0101700005')).contacts[0] as ContactJson;

    const response = await call(`${simulator.apiUrl}/contacts/${found.id}`, { apiKey: senderKey });

    expect(response.status).toBe(200);
    expect(response.json).toEqual(found);
  });

  test('answers the stand-in of an unknown number by the id the search gave it', async () => {
    const standIn = (await search('cprNumber=0202900009')).contacts[0] as ContactJson;

    const response = await call(`${simulator.apiUrl}/contacts/${standIn.id}`, { apiKey: senderKey });

    expect(response.status).toBe(200);
    expect(response.json).toEqual(standIn);
    expect(standIn.id).not.toContain('0202900009');
  });

  test('answers 404 for a stand-in’s id once its number is registered', async () => {
    const standIn = (await search('cprNumber=0202900009')).contacts[0] as ContactJson;
    await call(`${simulator.controlUrl}/citizens`, {
      method: 'POST',
      contentType: 'application/json',
      body: JSON.stringify({ cprNumber: '0202900009' }),
    });

    const response = await call(`${simulator.apiUrl}/contacts/${standIn.id}`, { apiKey: senderKey });

    expect(response.status).toBe(404);
  });

  test('answers 404 with an ErrorMessage for an unknown id', async () => {
    const response = await call(`${simulator.apiUrl}/contacts/${randomUUID()}`, { apiKey: senderKey });

    expect(response.status).toBe(404);
    expect(response.json).toMatchObject({ code: expect.any(String), message: expect.any(String) });
  });
});

describe('GET /contact-points/', () => {
  test('lists the seeded contact point with its organisation and system', async () => {
    const response = await call(`${simulator.apiUrl}/contact-points/`, { apiKey: senderKey });

    expect(response.status).toBe(200);
    const result = response.json as {
      currentPage: number;
      totalPages: number;
      elementsOnPage: number;
      totalElements: number;
      contactPoints: Array<Record<string, unknown>>;
    };
    expect(result).toMatchObject({ currentPage: 0, totalPages: 1, totalElements: 1, elementsOnPage: 1 });
    expect(result.contactPoints[0]).toMatchObject({
      id: SEED_IDS.contactPoint,
      name: 'Borgerservice',
      organisationId: SEED_IDS.authority,
      systemId: SEED_IDS.authorityRecipient,
      active: true,
    });
  });

  test('a contact point has every field of NgDP’s ContactPoint, with NgDP’s defaults', async () => {
    const response = await call(`${simulator.apiUrl}/contact-points/`, { apiKey: senderKey });
    const [point] = (response.json as { contactPoints: Array<Record<string, unknown>> }).contactPoints;

    expect(point).toMatchObject({
      version: 1,
      transactionId: expect.any(String),
      description: 'Pas, kørekort, sygesikring og flytning',
      targets: ['CITIZEN', 'COMPANY', 'AUTHORITY'],
      memoSizeThresholdMB: 99.5,
      allowedNumberOfAttachments: 10,
      visible: true,
      contactPointCodes: [],
      contactGroups: [
        expect.objectContaining({ id: SEED_IDS.contactGroupCitizens, name: 'Borger og familie' }),
      ],
      recommendedAttributes: [],
      translations: [],
      searchTerms: [
        { id: expect.any(String), version: 1, term: 'borgerservice' },
        { id: expect.any(String), version: 1, term: 'pas' },
        { id: expect.any(String), version: 1, term: 'kørekort' },
      ],
    });
  });

  test('a contact point changed through the control API says so in its version and fields', async () => {
    const change = await call(`${simulator.controlUrl}/contact-points/${SEED_IDS.contactPoint}`, {
      method: 'PATCH',
      contentType: 'application/json',
      body: JSON.stringify({ description: 'Kun pas', targets: ['CITIZEN'], searchTerms: ['pas'] }),
    });
    expect(change.status).toBe(200);

    const response = await call(`${simulator.apiUrl}/contact-points/`, { apiKey: senderKey });
    const [point] = (response.json as { contactPoints: Array<Record<string, unknown>> }).contactPoints;

    expect(point).toMatchObject({ version: 2, description: 'Kun pas', targets: ['CITIZEN'] });
    expect(point?.searchTerms).toEqual([{ id: expect.any(String), version: 1, term: 'pas' }]);
  });

  test('a hidden contact point is left out of searches', async () => {
    await call(`${simulator.controlUrl}/contact-points/${SEED_IDS.contactPoint}`, {
      method: 'PATCH',
      contentType: 'application/json',
      body: JSON.stringify({ visible: false }),
    });

    const response = await call(`${simulator.apiUrl}/contact-points/`, { apiKey: senderKey });

    expect((response.json as { totalElements: number }).totalElements).toBe(0);
  });

  test.each([
    [{ visible: 'no' }, 'visible'],
    [{ targets: [] }, 'targets'],
    [{ targets: ['UNKNOWN'] }, 'targets'],
    [{ searchTerms: ['pas!'] }, 'searchTerms'],
    [{ description: 'x'.repeat(251) }, 'description'],
  ])('the control API refuses %j, naming the field', async (body, field) => {
    const response = await call(`${simulator.controlUrl}/contact-points/${SEED_IDS.contactPoint}`, {
      method: 'PATCH',
      contentType: 'application/json',
      body: JSON.stringify(body),
    });

    expect(response.status).toBe(400);
    expect(response.json).toMatchObject({ fieldErrors: [{ field }] });
  });

  test('filters by searchTermOrName', async () => {
    const hit = await call(`${simulator.apiUrl}/contact-points/?searchTermOrName=borger`, {
      apiKey: senderKey,
    });
    const miss = await call(`${simulator.apiUrl}/contact-points/?searchTermOrName=skat`, {
      apiKey: senderKey,
    });

    expect((hit.json as { totalElements: number }).totalElements).toBe(1);
    expect((miss.json as { totalElements: number }).totalElements).toBe(0);
  });
});

describe('GET /events/', () => {
  test('returns the organisation’s events with NgDP tags and metaProperties', async () => {
    const id = await send({ cvr: '87654321' });

    const response = await events('size=1000');

    expect(response.status).toBe(200);
    const result = response.json as EventSearchResult;
    expect(result).toMatchObject({ currentPage: 0, totalPages: 1 });
    expect(result.elementsOnPage).toBe(result.events.length);
    expect(result.totalElements).toBe(result.events.length);
    for (const event of result.events) expect(NGDP_EVENT_TAGS).toContain(event.eventTag);
    const received = result.events.find(
      (event) => event.eventTag === 'MEMO_SEND_RECEIVED' && event.metaProperties.messageUUID === id,
    );
    expect(received?.metaProperties).toMatchObject({
      messageUUID: id,
      transmissionId: expect.any(String),
      senderSystem: SEED_IDS.senderPull,
    });
    expect(received?.eventTime).toMatch(ISO_MS);
    for (const value of Object.values(received?.metaProperties ?? {})) expect(typeof value).toBe('string');
  });

  test('an event names its owner, actor, subject, type and channel', async () => {
    const id = await send({ cvr: '87654321' });

    const mine = (await eventList('')).filter((event) => event.metaProperties.messageUUID === id);
    const received = mine.find((event) => event.eventTag === 'MEMO_SEND_RECEIVED');
    const ready = mine.find((event) => event.eventTag === 'MEMO_SEND_READY_FOR_FETCH');

    expect(received).toMatchObject({
      subject: 'MEMO_SEND',
      type: 'RECEIVED',
      channel: 'MEMO',
      channels: ['MEMO'],
      // The message is the sending organisation's; its system sent it.
      owner: '12345678',
      organisationIdentityId: SEED_IDS.authority,
      actor: SEED_IDS.senderPull,
      system: { name: 'digitalpost-simulator' },
      eventProperties: {},
    });
    // NgDP acted by itself.
    expect(ready).toMatchObject({ owner: '12345678', actor: 'SYSTEM' });
  });

  test('details NgDP’s MetaData does not name are eventProperties', async () => {
    const id = await send({ cpr: '0101700003' });

    const mine = (await eventList('')).filter((event) => event.metaProperties.messageUUID === id);
    const created = mine.find((event) => event.eventTag === 'BUSINESS_RECEIPT_CREATED');
    const sent = mine.find((event) => event.eventTag === 'BUSINESS_RECEIPT_SENT');

    expect(created?.metaProperties).toMatchObject({ receiptStatus: 'NOT_ALLOWED' });
    expect(created?.metaProperties).not.toHaveProperty('errorCode');
    expect(created?.eventProperties).toEqual({ errorCode: 'RECIPIENT_CLOSED' });
    // The sender fetches its receipts: it has this one once it is in its list.
    expect(sent).toMatchObject({ subject: 'BUSINESS_RECEIPT', type: 'SENT', channel: 'RECEIPT' });
  });

  test('the lifecycle of a pulled letter is logged in order', async () => {
    const id = await send({ cvr: '87654321' });

    const tags = (await eventList(''))
      .filter((event) => event.metaProperties.messageUUID === id)
      .map((event) => event.eventTag);

    expect(tags.indexOf('MEMO_SEND_RECEIVED')).toBeGreaterThanOrEqual(0);
    expect(tags.indexOf('MEMO_SEND_RECEIVED')).toBeLessThan(tags.indexOf('MEMO_SEND_VALIDATED'));
    expect(tags.indexOf('MEMO_SEND_VALIDATED')).toBeLessThan(tags.indexOf('MEMO_SEND_READY_FOR_FETCH'));
  });

  test('the recipient organisation sees the events of a letter routed to its system', async () => {
    const id = await send({ cvr: '87654321' });

    const tags = (await eventList('', companyKey))
      .filter((event) => event.metaProperties.messageUUID === id)
      .map((event) => event.eventTag);

    expect(tags).toContain('MEMO_SEND_READY_FOR_FETCH');
  });

  test('dateFrom and dateTo select events by time', async () => {
    const first = await send({ cpr: '0101700001' });
    const middle = simulator.clock.now().getTime() + 30 * 60_000;
    await simulator.clock.advance('PT1H');
    const second = await send({ cpr: '0101700001' });

    const early = (await eventList(`dateTo=${iso(middle)}`)).map((event) => event.metaProperties.messageUUID);
    const late = (await eventList(`dateFrom=${iso(middle)}`)).map(
      (event) => event.metaProperties.messageUUID,
    );

    expect(early).toContain(first);
    expect(early).not.toContain(second);
    expect(late).toContain(second);
    expect(late).not.toContain(first);
  });

  test('a period of exactly 3 months is accepted', async () => {
    const response = await events('dateFrom=2025-01-15T00:00:00.000Z&dateTo=2025-04-15T00:00:00.000Z');

    expect(response.status).toBe(200);
  });

  test('a period over 3 months answers 400 PERIOD_TOO_LONG', async () => {
    const response = await events('dateFrom=2025-01-15T00:00:00.000Z&dateTo=2025-04-15T00:00:00.001Z');

    expect(response.status).toBe(400);
    expect(response.json).toMatchObject({ code: 'PERIOD_TOO_LONG' });
  });

  test.each([
    ['dateFrom', 'dateFrom=yesterday'],
    ['dateTo', 'dateTo=2025-13-45T00:00:00.000Z'],
    ['dateFrom', 'dateFrom=1700000000000'],
  ])('a malformed %s answers 400', async (field, query) => {
    const response = await events(query);

    expect(response.status).toBe(400);
    expect(response.json).toMatchObject({ fieldErrors: [{ field }] });
  });

  test('dateFrom after dateTo answers 400', async () => {
    const response = await events('dateFrom=2025-02-01T00:00:00.000Z&dateTo=2025-01-01T00:00:00.000Z');

    expect(response.status).toBe(400);
  });

  test('eventTag= returns only events with that tag', async () => {
    const id = await send({ cvr: '87654321' });

    const found = await eventList('eventTag=MEMO_SEND_READY_FOR_FETCH');

    expect(found.length).toBeGreaterThan(0);
    for (const event of found) expect(event.eventTag).toBe('MEMO_SEND_READY_FOR_FETCH');
    expect(found.map((event) => event.metaProperties.messageUUID)).toContain(id);
  });

  test('another organisation’s events are not visible', async () => {
    const id = await send({ cpr: '0101700001' });
    expect((await eventList('')).some((event) => event.metaProperties.messageUUID === id)).toBe(true);

    const seen = await eventList('', companyKey);

    expect(seen.some((event) => event.metaProperties.messageUUID === id)).toBe(false);
  });

  test('senderOrRecipientSystem of another organisation’s system is refused', async () => {
    const response = await events(`senderOrRecipientSystem=${SEED_IDS.companyRecipient}`);

    expect(response.status).toBe(403);
  });

  test('pages with page and size', async () => {
    await send({ cpr: '0101700001' });
    const all = await eventList('');

    const response = await events('page=1&size=2');

    expect(response.status).toBe(200);
    const result = response.json as EventSearchResult;
    expect(result).toMatchObject({
      currentPage: 1,
      elementsOnPage: 2,
      totalElements: all.length,
      totalPages: Math.ceil(all.length / 2),
    });
    expect(result.events).toEqual(all.slice(2, 4));
  });
});
