/**
 * Issue 12, item 8: every answer is checked at the edge against NgDP's DTO. Invalid JSON, a
 * compressed body, an HTML page of a proxy, 204 or `null` where JSON is due, JSON nested a million
 * deep, a string where a list is due — each is an UnexpectedResponseError naming what was wrong,
 * never a TypeError and never a silently wrong value.
 */
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, test } from 'vitest';
import { UnexpectedResponseError } from '../../sdk/errors.ts';
import { clientFor, drain, rejection } from './client.ts';
import {
  bulkReceipt,
  type Handler,
  type HostileServer,
  json,
  raw,
  receiptPage,
  startHostileServer,
  uuid,
} from './server.ts';

let server: HostileServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const JSON_TYPE = { 'content-type': 'application/json' };
const DEEP = `${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}`;

const answers: Array<[string, Handler, RegExp]> = [
  ['invalid JSON', raw(200, JSON_TYPE, '{"contacts": [ {"id": '), /not valid JSON/],
  [
    'a gzip-compressed body',
    raw(200, { ...JSON_TYPE, 'content-encoding': 'gzip' }, gzipSync('{"contacts":[]}')),
    /compressed \(content-encoding gzip\)/,
  ],
  [
    "a proxy's HTML page",
    raw(200, { 'content-type': 'text/html' }, '<html><title>Login – Corporate Proxy</title></html>'),
    /the answer is text\/html, not JSON: "<html><title>Login – Corporate Proxy/,
  ],
  ['204 without a body', raw(204, {}), /has no body where NgDP answers with JSON/],
  ['null', raw(200, JSON_TYPE, 'null'), /\$ must be an object, got null/],
  ['JSON nested a million levels deep', raw(200, JSON_TYPE, DEEP), /nested deeper than 64 levels/],
  [
    'a string where the list is due',
    json(200, { contacts: 'abc' }),
    /\$\.contacts must be an array, got the string "abc"/,
  ],
  [
    'a status that is not a string',
    json(200, {
      contacts: [
        {
          id: 'c1',
          type: 'CITIZEN',
          mailboxSubscription: { registrationStatus: 7, publicRegistrationStatus: 'REGISTERED' },
        },
      ],
    }),
    /\$\.contacts\[0\]\.mailboxSubscription\.registrationStatus must be a string, got number 7/,
  ],
];

describe('contacts.lookup refuses what is not a ContactSearchResult', () => {
  test.each(answers)('%s: UnexpectedResponseError', async (_name, answer, message) => {
    server = await startHostileServer({ 'GET /contacts/': answer });
    const { client } = clientFor(server);
    const error = await rejection(client.contacts.lookup({ cpr: '0101700001' }));

    expect(error).toBeInstanceOf(UnexpectedResponseError);
    expect(error).toMatchObject({
      code: 'UNEXPECTED_RESPONSE',
      method: 'GET',
      path: '/contacts/?cprNumber=010170****',
    });
    expect((error as Error).message).toMatch(message);
    expect(server.requests).toHaveLength(1);
  });
});

describe('lists refuse a page that is not NgDP’s', () => {
  test('receipts.list does not yield the characters of a string as receipts', async () => {
    server = await startHostileServer({ 'GET /receipts-bulk/': json(200, { receipts: 'RECEIPTS' }) });
    const { client } = clientFor(server);
    const { items, error } = await drain(client.receipts.list());

    expect(items).toEqual([]);
    expect(error).toBeInstanceOf(UnexpectedResponseError);
  });

  test('a receipt with a status NgDP does not have is refused, naming where', async () => {
    server = await startHostileServer({
      'GET /receipts-bulk/': json(200, receiptPage([bulkReceipt(), bulkReceipt({ receiptStatus: 'DONE' })])),
    });
    const { client } = clientFor(server);
    const { error } = await drain(client.receipts.list());

    expect((error as Error).message).toContain(
      '$.receipts[1].receiptStatus must be one of RECEIVED, COMPLETED, INVALID, NOT_ALLOWED, got the string "DONE"',
    );
  });

  test('inbox.list refuses a messageUUID that is not a UUID (it becomes a path and a file name)', async () => {
    server = await startHostileServer({
      'GET /memos/': json(200, { content: ['../../etc/passwd'], totalPages: 1 }),
    });
    const { client } = clientFor(server);
    const { items, error } = await drain(client.inbox.list());

    expect(items).toEqual([]);
    expect((error as Error).message).toContain('$.content[0] must be a UUID');
  });

  test('contactPoints.search refuses contact points without a name', async () => {
    server = await startHostileServer({
      'GET /contact-points/': json(200, { contactPoints: [{ id: uuid() }] }),
    });
    const { client } = clientFor(server);
    const { error } = await drain(client.contactPoints.search());

    expect((error as Error).message).toContain('$.contactPoints[0].name must be present');
  });
});

describe('inbox.fetchXml refuses what is not a MeMo', () => {
  test.each([
    [
      "a proxy's HTML page",
      raw(200, { 'content-type': 'text/html' }, '<html>Login</html>'),
      /text\/html, not a MeMo/,
    ],
    [
      'a compressed MeMo',
      raw(200, { 'content-type': 'application/xml', 'content-encoding': 'br' }, 'x'),
      /compressed \(content-encoding br\)/,
    ],
  ])('%s: UnexpectedResponseError', async (_name, answer, message) => {
    server = await startHostileServer({ 'GET /memos/:id': answer });
    const { client } = clientFor(server);
    const error = await rejection(client.inbox.fetchXml(uuid()));

    expect(error).toBeInstanceOf(UnexpectedResponseError);
    expect((error as Error).message).toMatch(message);
  });
});

describe('an answer that is an NgDP DTO with extra fields', () => {
  test('is taken, the extra fields kept', async () => {
    const receipt = { ...bulkReceipt(), futureField: { nested: true } };
    server = await startHostileServer({ 'GET /receipts-bulk/': json(200, receiptPage([receipt])) });
    const { client } = clientFor(server);

    expect((await drain(client.receipts.list())).items).toEqual([receipt]);
  });

  test('optional fields that are null are taken as absent', async () => {
    const receipt = bulkReceipt({ errorCode: null, errorMessage: null });
    server = await startHostileServer({ 'GET /receipts-bulk/': json(200, receiptPage([receipt])) });
    const { client } = clientFor(server);
    const [listed] = (await drain(client.receipts.list())).items;

    expect(listed).not.toHaveProperty('errorCode');
    expect(listed).toMatchObject({ receiptStatus: 'COMPLETED' });
  });
});
