/**
 * Query parameters over real HTTP (docs/simulator.md, "Searching"): every operation refuses one it
 * does not declare and a declared one whose value is wrong, with 400 and a field error naming it;
 * the searches take NgDP's generic query language and their own declared parameters.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import {
  advanceClock,
  call,
  control,
  expectErrorMessage,
  keyOf,
  letterTo,
  resetSimulator,
  SEED_IDS,
  sendMemo,
  startTestSimulator,
} from '../../../test/support/simulator.ts';
import type { RunningSimulator } from '../../index.ts';

let simulator: RunningSimulator;
let senderKey: string;
let recipientKey: string;

/** The suites run against a simulator on either store: the searches' own filters are the store's. */
describe.each(['memory', 'SQLite'])('with the %s store', (store) => {
  let dataDir: string | undefined;
  beforeAll(async () => {
    dataDir = store === 'SQLite' ? mkdtempSync(join(tmpdir(), 'dp-queries-')) : undefined;
    simulator = await startTestSimulator(dataDir === undefined ? {} : { dataDir });
    senderKey = keyOf(simulator, SEED_IDS.senderPull);
    recipientKey = keyOf(simulator, SEED_IDS.companyRecipient);
  });
  afterAll(async () => {
    await simulator.stop();
    if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
  });
  beforeEach(() => resetSimulator(simulator));
  suites();
});

const get = (path: string, apiKey = senderKey) => call(`${simulator.apiUrl}${path}`, { apiKey });

async function ok<T>(path: string, apiKey = senderKey): Promise<T> {
  const response = await get(path, apiKey);
  expect(response.status, response.text).toBe(200);
  return response.json as T;
}

/** Expects 400 INVALID_PARAMETER with one field error, on the query parameter `field`. */
function expectRefused(
  response: Awaited<ReturnType<typeof get>>,
  field: string,
  code = 'INVALID_PARAMETER',
): string {
  const body = expectErrorMessage(response, 400, code);
  expect(body.fieldErrors).toEqual([expect.objectContaining({ resource: 'query', field })]);
  return body.message;
}

interface ContactFrame {
  currentPage: number;
  next?: string;
  totalPages: number;
  elementsOnPage: number;
  totalElements: number;
  contacts: Array<Record<string, unknown>>;
}

const MAGIC = '0101700001,0101700002,0101700003,0101700004';

function suites(): void {
  describe('undeclared query parameters', () => {
    test.each([
      ['GET /receipts/', '/receipts/?x=1', 'x'],
      ['GET /receipts-bulk/', '/receipts-bulk/?sortFields=timeStamp', 'sortFields'],
      ['GET /receipts/{id}', `/receipts/${randomUUID()}?deleted=true`, 'deleted'],
      ['GET /contacts/{id}', `/contacts/${randomUUID()}?fields=id`, 'fields'],
      ['GET /contact-points/', '/contact-points/?visibility=ALL', 'visibility'],
      ['GET /events/', '/events/?messageUUID=x', 'messageUUID'],
    ])('%s refuses one with 400 naming it', async (_operation, path, field) => {
      const message = expectRefused(await get(path), field);
      expect(message).toContain(field);
    });

    test('GET /memos/ refuses one with 400 naming it, and says what it takes', async () => {
      const message = expectRefused(await get('/memos/?limit=10', recipientKey), 'limit');
      expect(message).toBe('limit: is not a parameter of listAvailableMemos, which takes page, size, sort');
    });

    test('POST /memos/ refuses one beside memo-message-uuid', async () => {
      const memo = await letterTo({ cpr: '0101700001' });
      const response = await call(
        `${simulator.apiUrl}/memos/?memo-message-uuid=${memo.messageHeader.messageUUID}&priority=high`,
        { method: 'POST', apiKey: senderKey, contentType: 'application/xml', body: '<x/>' },
      );
      expectRefused(response, 'priority');
    });

    test('a call without credentials is refused 401 before its parameters are looked at', async () => {
      expectErrorMessage(await call(`${simulator.apiUrl}/receipts/?x=1`), 401, 'UNAUTHENTICATED');
    });

    test('searchParameters itself is not a parameter: each field is one of its own', async () => {
      expect(expectRefused(await get('/contacts/?searchParameters=type'), 'searchParameters')).toContain(
        'type=CITIZEN',
      );
    });

    test('takes the next cursor of the search frames and ownerOrActor without its trailing space', async () => {
      const first = await ok<ContactFrame>(`/contacts/?cprNumber=${MAGIC}&size=2`);
      await ok(`/contacts/?cprNumber=${MAGIC}&size=2&next=${first.next}`);
      await ok('/events/?ownerOrActor=0101700001');
      await ok('/events/?ownerOrActor%20=0101700001');
    });
  });

  describe('GET /memos/ sort', () => {
    test('takes the order it lists in, createdDate ascending, and refuses any other', async () => {
      await ok('/memos/?sort=createdDate,asc&sort=createdDate', recipientKey);
      expectRefused(await get('/memos/?sort=createdDate,desc', recipientKey), 'sort');
      expectRefused(await get('/memos/?sort=label', recipientKey), 'sort');
    });
  });

  describe('declared query parameters with a wrong value', () => {
    test.each([
      ['an eventTag NgDP does not have', '/events/?eventTag=LETTER_SENT', 'eventTag'],
      ['a page that is not an integer', '/receipts/?page=first', 'page'],
      ['a repeated size', '/receipts-bulk/?size=1&size=2', 'size'],
      ['isBulkLookup that is not true or false', '/contacts/?isBulkLookup=yes', 'isBulkLookup'],
      ['lastUpdated that is not a date', '/contacts/?lastUpdated=yesterday', 'lastUpdated'],
      ['isRoot that is not true or false', '/contact-points/?isRoot=1', 'isRoot'],
      [
        'senderOrRecipient that is no CPR or CVR number',
        '/events/?senderOrRecipient=Hansen',
        'senderOrRecipient',
      ],
      ['ownerOrActor that is no CPR or CVR number', '/events/?ownerOrActor=x', 'ownerOrActor'],
      [
        'senderOrRecipientSystem that is no UUID',
        '/events/?senderOrRecipientSystem=main',
        'senderOrRecipientSystem',
      ],
      ['a cprNumber that is not 10 digits', '/contacts/?cprNumber=12345', 'cprNumber'],
    ])('refuses %s with 400 naming it', async (_case, path, field) => {
      expectRefused(await get(path), field);
    });
  });

  describe('GET /contacts/ with the generic query language', () => {
    test('filters by a nested field, counting only what matched', async () => {
      const result = await ok<ContactFrame>(
        `/contacts/?cprNumber=${MAGIC}&mailboxSubscription.publicRegistrationStatus=EXEMPT,CLOSED`,
      );
      expect(result.contacts.map((contact) => contact.cprNumber)).toEqual(['0101700002', '0101700003']);
      expect(result).toMatchObject({ totalElements: 2, elementsOnPage: 2, totalPages: 1 });
    });

    test('negates a value with ! and takes wildcards', async () => {
      const negated = await ok<ContactFrame>(
        `/contacts/?cprNumber=${MAGIC}&mailboxSubscription.registrationStatus=!AUTOMATIC_*`,
      );
      expect(negated.contacts.map((contact) => contact.cprNumber)).toEqual([
        '0101700002',
        '0101700003',
        '0101700004',
      ]);
    });

    test('sorts by sortFields and pages the sorted result', async () => {
      const first = await ok<ContactFrame>(`/contacts/?cprNumber=${MAGIC}&sortFields=cprNumber:desc&size=3`);
      expect(first.contacts.map((contact) => contact.cprNumber)).toEqual([
        '0101700004',
        '0101700003',
        '0101700002',
      ]);
      expect(first.next).toBeUndefined();
      const second = await ok<ContactFrame>(
        `/contacts/?cprNumber=${MAGIC}&sortFields=cprNumber:desc&size=3&page=1`,
      );
      expect(second.contacts.map((contact) => contact.cprNumber)).toEqual(['0101700001']);
    });

    test('projects each contact on the fields named', async () => {
      const result = await ok<ContactFrame>(
        '/contacts/?cprNumber=0101700002&fields=cprNumber,mailboxSubscription.publicRegistrationStatus',
      );
      expect(result.contacts).toEqual([
        { cprNumber: '0101700002', mailboxSubscription: { publicRegistrationStatus: 'EXEMPT' } },
      ]);
    });

    test('finds a value in any field with any', async () => {
      const result = await ok<ContactFrame>(`/contacts/?cprNumber=${MAGIC}&any=CLOSED,0101700004`);
      expect(result.contacts.map((contact) => contact.cprNumber)).toEqual(['0101700003', '0101700004']);
    });

    test('refuses a field contacts do not have, naming it', async () => {
      expect(expectRefused(await get('/contacts/?cprNumber=0101700001&name=Hansen'), 'name')).toContain(
        'name is not a field',
      );
      expectRefused(await get('/contacts/?sortFields=lastUpdated:newest'), 'sortFields');
      expectRefused(await get('/contacts/?fields=id,password'), 'fields');
    });

    test('lastUpdated keeps the contacts updated at or after it, and no stand-ins', async () => {
      const all = await ok<ContactFrame>(`/contacts/?cprNumber=${MAGIC},0202020202&lastUpdated=2000-01-01`);
      expect(all.contacts.map((contact) => contact.cprNumber)).toEqual(MAGIC.split(','));
      const none = await ok<ContactFrame>(
        `/contacts/?cprNumber=${MAGIC}&lastUpdated=2999-01-01T00:00:00.000Z`,
      );
      expect(none).toMatchObject({ totalElements: 0, contacts: [] });
    });

    test('after a change, lastUpdated finds the contact changed', async () => {
      await advanceClock(simulator, 'P1D');
      const changed = await control(simulator, 'POST', '/citizens', {
        cprNumber: '0101700004',
        publicRegistrationStatus: 'EXEMPT',
      });
      expect(changed.status, changed.text).toBeLessThan(300);
      const [contact] = (await ok<ContactFrame>('/contacts/?cprNumber=0101700004')).contacts;
      const result = await ok<ContactFrame>(
        `/contacts/?cprNumber=${MAGIC}&lastUpdated=${contact?.lastUpdated}`,
      );
      expect(result.contacts.map((each) => each.cprNumber)).toEqual(['0101700004']);
    });
  });

  describe('GET /contacts/?isBulkLookup=true', () => {
    const bulk = (body: string | undefined, query = 'isBulkLookup=true') =>
      call(`${simulator.apiUrl}/contacts/?${query}`, {
        apiKey: senderKey,
        ...(body === undefined ? {} : { body, contentType: 'application/json' }),
      });

    test('reads the numbers from the JSON body, as an array or comma-separated', async () => {
      const response = await bulk(JSON.stringify({ cprNumber: ['0101700001', '0101700002'] }));
      expect(response.status, response.text).toBe(200);
      expect((response.json as ContactFrame).contacts.map((contact) => contact.cprNumber)).toEqual([
        '0101700001',
        '0101700002',
      ]);
      const text = await bulk(JSON.stringify({ cvrNumber: '87654321,11223344' }));
      expect((text.json as ContactFrame).contacts.map((contact) => contact.cvrNumber)).toEqual([
        '87654321',
        '11223344',
      ]);
    });

    test('takes the generic parameters beside the body', async () => {
      const response = await bulk(
        JSON.stringify({ cprNumber: MAGIC.split(',') }),
        'isBulkLookup=true&mailboxSubscription.publicRegistrationStatus=REGISTERED&fields=cprNumber',
      );
      expect(response.json).toMatchObject({
        contacts: [{ cprNumber: '0101700001' }, { cprNumber: '0101700004' }],
      });
    });

    test('refuses a bulk lookup without a body', async () => {
      expectErrorMessage(await bulk(undefined), 400, 'INVALID_BODY');
    });

    test('refuses a body without isBulkLookup=true', async () => {
      expectErrorMessage(
        await bulk('{"cprNumber":["0101700001"]}', 'isBulkLookup=false'),
        400,
        'INVALID_BODY',
      );
    });

    test('refuses a field of the body a bulk lookup does not take, and a number that is wrong', async () => {
      const unknown = expectErrorMessage(await bulk('{"name":["Hansen"]}'), 400, 'UNKNOWN_FIELD');
      expect(unknown.fieldErrors).toEqual([expect.objectContaining({ resource: 'body', field: 'name' })]);
      const wrong = expectErrorMessage(await bulk('{"cprNumber":["12"]}'), 400, 'INVALID_FORMAT');
      expect(wrong.fieldErrors).toEqual([
        expect.objectContaining({ field: 'cprNumber', rejectedValue: '12' }),
      ]);
    });

    test('refuses a list given in both the query and the body', async () => {
      expectRefused(
        await bulk('{"cprNumber":["0101700001"]}', 'isBulkLookup=true&cprNumber=0101700002'),
        'cprNumber',
      );
    });
  });

  describe('GET /contact-points/ with its own and the generic parameters', () => {
    interface PointFrame {
      totalElements: number;
      contactPoints: Array<Record<string, unknown>>;
    }

    beforeEach(async () => {
      const created = await control(simulator, 'POST', '/contact-points', {
        organisationId: SEED_IDS.authority,
        name: 'Byggesag',
      });
      expect(created.status, created.text).toBe(201);
    });

    test('filters by any field, sorts and projects', async () => {
      const result = await ok<PointFrame>('/contact-points/?name=B*&sortFields=name:desc&fields=name');
      expect(result).toEqual(expect.objectContaining({ totalElements: 2 }));
      expect(result.contactPoints).toEqual([{ name: 'Byggesag' }, { name: 'Borgerservice' }]);
    });

    test('searchTermOrName finds a part of the name, without regard to case', async () => {
      const result = await ok<PointFrame>('/contact-points/?searchTermOrName=BYG,nothing&fields=name');
      expect(result.contactPoints).toEqual([{ name: 'Byggesag' }]);
    });

    test('isRoot=true keeps the contact points in no contact group; contactGroupId those in one', async () => {
      const names = async (query: string) =>
        (await ok<PointFrame>(`/contact-points/?${query}&fields=name`)).contactPoints.map(
          (point) => point.name,
        );
      // The seed puts Borgerservice in the group "Borger og familie"; Byggesag is in none.
      expect(await names('isRoot=true')).toEqual(['Byggesag']);
      expect(await names('isRoot=false')).toEqual(['Borgerservice']);
      expect(await names(`contactGroupId=${SEED_IDS.contactGroupCitizens}`)).toEqual(['Borgerservice']);
      expect(await names(`contactGroupId=${randomUUID()}`)).toEqual([]);
    });

    test('names each contact group in full: its organisation and its parent', async () => {
      const frame = await ok<PointFrame>('/contact-points/?isRoot=false');
      expect(frame.contactPoints[0]?.contactGroups).toEqual([
        expect.objectContaining({
          id: SEED_IDS.contactGroupCitizens,
          name: 'Borger og familie',
          organisation: expect.objectContaining({ id: SEED_IDS.authority }),
          parent: expect.objectContaining({ name: 'Testkommune' }),
        }),
      ]);
    });

    test('the next cursor goes on with the same filters', async () => {
      const first = await ok<PointFrame & { next?: string }>(
        '/contact-points/?name=B*&sortFields=name&size=1',
      );
      expect(first.contactPoints).toMatchObject([{ name: 'Borgerservice' }]);
      const second = await ok<PointFrame>(`/contact-points/?name=B*&sortFields=name&next=${first.next}`);
      expect(second.contactPoints).toMatchObject([{ name: 'Byggesag' }]);
    });
  });

  describe('GET /events/ with its own and the generic parameters', () => {
    interface EventFrame {
      totalElements: number;
      elementsOnPage: number;
      events: Array<Record<string, unknown>>;
    }

    async function sendTo(recipient: { cpr: string } | { cvr: string }): Promise<string> {
      const memo = await letterTo(recipient);
      expect((await sendMemo(simulator, senderKey, memo)).status).toBe(201);
      await simulator.settle();
      return memo.messageHeader.messageUUID;
    }

    test('filters by a field of the metaProperties, counting only what matched', async () => {
      const first = await sendTo({ cpr: '0101700001' });
      await sendTo({ cpr: '0101700004' });
      const result = await ok<EventFrame>(`/events/?metaProperties.messageUUID=${first}&fields=eventTag`);
      expect(result.totalElements).toBeGreaterThan(1);
      expect(result.elementsOnPage).toBe(result.totalElements);
      const all = await ok<EventFrame>('/events/?size=1000');
      expect(result.totalElements).toBeLessThan(all.totalElements);
      expect(result.events.every((event) => Object.keys(event).join() === 'eventTag')).toBe(true);
    });

    test('sorts newest first with sortFields', async () => {
      await sendTo({ cpr: '0101700001' });
      const result = await ok<EventFrame>(
        '/events/?sortFields=eventTime:desc,eventTag&fields=eventTime&size=1000',
      );
      const times = result.events.map((event) => event.eventTime as string);
      expect(times).toEqual([...times].sort().reverse());
    });

    test('senderOrRecipient and ownerOrActor keep the events concerning that party', async () => {
      const letter = await sendTo({ cpr: '0101700001' });
      await sendTo({ cvr: '87654321' });
      const citizen = await ok<EventFrame>('/events/?senderOrRecipient=0101700001');
      const company = await ok<EventFrame>('/events/?ownerOrActor=87654321');
      expect(citizen.totalElements).toBeGreaterThan(0);
      expect(company.totalElements).toBeGreaterThan(0);
      const ofLetter = await ok<EventFrame>(
        `/events/?senderOrRecipient=0101700001&metaProperties.messageUUID=${letter}`,
      );
      expect(ofLetter.totalElements).toBe(citizen.totalElements);
      const both = await ok<EventFrame>('/events/?senderOrRecipient=0101700001&ownerOrActor=87654321');
      expect(both.totalElements).toBe(0);
    });

    test('refuses a field events do not have', async () => {
      expectRefused(await get('/events/?recipient=0101700001'), 'recipient');
    });
  });
}

describe('with undeclaredParameters: ignore', () => {
  beforeAll(async () => {
    simulator = await startTestSimulator({ undeclaredParameters: 'ignore' });
    senderKey = keyOf(simulator, SEED_IDS.senderPull);
    recipientKey = keyOf(simulator, SEED_IDS.companyRecipient);
  });
  afterAll(() => simulator.stop());

  test('leaves a parameter no operation declares out, as if it had not been sent', async () => {
    const plain = await ok<{ totalElements: number }>('/receipts/');
    expect(await ok('/receipts/?apiKey=secret&x=1')).toEqual(plain);
    await ok('/memos/?limit=10', recipientKey);
    await ok(`/contacts/?cprNumber=${MAGIC}&visibility=ALL`);
  });

  test('still takes field filters, and refuses a declared parameter with a wrong value', async () => {
    const citizens = await ok<ContactFrame>(`/contacts/?cprNumber=${MAGIC}&type=COMPANY`);
    expect(citizens.totalElements).toBe(0);
    expectRefused(await get('/contact-points/?isRoot=maybe'), 'isRoot');
    expectRefused(await get('/contacts/?page=first'), 'page');
  });
});
