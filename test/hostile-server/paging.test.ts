/**
 * Issue 12, item 3 (the HTTP client): lists end and waits keep their deadlines. A `next` cursor that
 * loops, a `totalPages` that grows forever, a server that repeats its items — every list goes
 * through the one paginator, which stops them; `receipts.waitFor`'s `timeoutMs` and a request's
 * `timeoutMs`/`signal` hold whatever the server does, even during a TLS handshake that never
 * finishes. Bounds on time are generous and asked as order (`settlesBefore`).
 */
import { afterEach, describe, expect, test } from 'vitest';
import {
  DigitalPostError,
  InvalidOptionsError,
  TimeoutError,
  UnexpectedResponseError,
} from '../../sdk/errors.ts';
import { letterTo } from '../support/simulator.ts';
import { settlesBefore } from '../support/timers.ts';
import { clientFor, drain, rejection } from './client.ts';
import {
  bulkReceipt,
  type Handler,
  type HostileServer,
  json,
  receiptPage,
  type SilentServer,
  silence,
  startHostileServer,
  startSilentServer,
  uuid,
} from './server.ts';

let server: HostileServer | undefined;
let silent: SilentServer | undefined;
afterEach(async () => {
  await server?.close();
  await silent?.close();
  server = undefined;
  silent = undefined;
});

/** Contacts whose `next` cursor goes A → B → A → …, a new contact on every page. */
const loopingContacts: Handler = (request, response) => {
  const next = request.query.get('next') === 'A' ? 'B' : 'A';
  const contact = { id: uuid(), type: 'CITIZEN', cprNumber: '0101700001' };
  json(200, { currentPage: 0, totalPages: 1_000, next, contacts: [contact] })(request, response);
};

/** Page after page of the same receipts, with a `totalPages` always one page further. */
const growingReceipts =
  (receipts: unknown[]): Handler =>
  (request, response) => {
    const page = Number(request.query.get('page'));
    json(200, receiptPage(receipts, { currentPage: page, totalPages: page + 2 }))(request, response);
  };

describe('a list that would never end is stopped', () => {
  test('a next cursor that comes back (A → B → A): PAGING_LOOP on the third page', async () => {
    server = await startHostileServer({ 'GET /contacts/': loopingContacts });
    const { client } = clientFor(server);
    const { items, error } = await drain(client.contacts.search({ cpr: ['0101700001'] }));

    expect(error).toBeInstanceOf(UnexpectedResponseError);
    expect(error).toMatchObject({ code: 'PAGING_LOOP', method: 'GET', path: '/contacts/' });
    expect(server.requests.map((request) => request.query.get('next'))).toEqual([null, 'A', 'B']);
    expect(items).toHaveLength(3);
  });

  test('a totalPages that keeps growing: PAGE_LIMIT_REACHED after exactly maxPages requests', async () => {
    server = await startHostileServer({ 'GET /receipts-bulk/': growingReceipts([bulkReceipt()]) });
    const { client } = clientFor(server, { limits: { maxPages: 50 } });
    const { error } = await drain(client.receipts.list());

    expect(error).toBeInstanceOf(UnexpectedResponseError);
    expect(error).toMatchObject({ code: 'PAGE_LIMIT_REACHED' });
    expect(server.requests).toHaveLength(50);
  });

  test('a list option maxPages overrides the client limit', async () => {
    server = await startHostileServer({
      'GET /memos/': (request, response) => {
        const page = Number(request.query.get('page'));
        json(200, { content: [uuid()], totalPages: page + 2 })(request, response);
      },
    });
    const { client } = clientFor(server);
    const { items, error } = await drain(client.inbox.list({ maxPages: 7 }));

    expect(error).toMatchObject({ code: 'PAGE_LIMIT_REACHED' });
    expect(items).toHaveLength(7);
    expect(server.requests).toHaveLength(7);
  });

  test('contact points with a growing totalPages stop at the limit as well', async () => {
    server = await startHostileServer({
      'GET /contact-points/': (request, response) => {
        const page = Number(request.query.get('page'));
        json(200, { totalPages: page + 2, contactPoints: [{ id: uuid(), name: 'Byggesag' }] })(
          request,
          response,
        );
      },
    });
    const { client } = clientFor(server, { limits: { maxPages: 20 } });
    const { error } = await drain(client.contactPoints.search());

    expect(error).toMatchObject({ code: 'PAGE_LIMIT_REACHED' });
    expect(server.requests).toHaveLength(20);
  });

  test('items the server repeats are yielded once', async () => {
    const receipts = [bulkReceipt(), bulkReceipt()];
    server = await startHostileServer({ 'GET /receipts-bulk/': growingReceipts(receipts) });
    const { client } = clientFor(server, { limits: { maxPages: 30 } });
    const { items } = await drain(client.receipts.list());

    expect(items).toEqual(receipts);
  });

  test('a page size or page bound out of range is an InvalidOptionsError, before any request', async () => {
    server = await startHostileServer({});
    const { client } = clientFor(server);
    expect(() => client.receipts.list({ pageSize: 1_001 })).toThrow(
      /pageSize must be an integer from 1 to 1000/,
    );
    expect(() => client.inbox.list({ maxPages: 0 })).toThrow(/maxPages must be a positive integer/);
    expect(server.requests).toEqual([]);
  });

  test.each([
    [{ maxPages: 0 }, /limits\.maxPages must be a positive integer, got 0/],
    [{ maxResponseBytes: -1 }, /limits\.maxResponseBytes must be a positive integer, got -1/],
    [{ maxMemoBytes: 1.5 }, /limits\.maxMemoBytes must be a positive integer, got 1\.5/],
  ])('a client limit %o out of range is an InvalidOptionsError', (limits, message) => {
    expect(() => clientFor({ apiUrl: 'http://127.0.0.1:1/apis/v1' }, { limits })).toThrow(
      InvalidOptionsError,
    );
    expect(() => clientFor({ apiUrl: 'http://127.0.0.1:1/apis/v1' }, { limits })).toThrow(message);
  });
});

describe('receipts.waitFor keeps its deadline', () => {
  test('against a list that never ends, it throws TimeoutError when timeoutMs runs out', async () => {
    server = await startHostileServer({ 'GET /receipts-bulk/': growingReceipts([bulkReceipt()]) });
    const { client } = clientFor(server);
    const waiting = client.receipts.waitFor(uuid(), { timeoutMs: 300 });

    // Issue 12 measured 25 s and 135,861 requests for a 5 s wait; the bound here is generous.
    expect(await settlesBefore(waiting, 5_000)).toBe(true);
    const error = await rejection(waiting);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as Error).message).toMatch(/did not come within 300 ms/);
  });

  test('against a server that never answers, the deadline stops the poll under way', async () => {
    server = await startHostileServer({ 'GET /receipts-bulk/': silence });
    const { client } = clientFor(server, { timeoutMs: 60_000 });
    const waiting = client.receipts.waitFor(uuid(), { timeoutMs: 200 });

    expect(await settlesBefore(waiting, 5_000)).toBe(true);
    expect(await rejection(waiting)).toBeInstanceOf(TimeoutError);
    expect(server.requests).toHaveLength(1);
  });

  test('its signal stops it at once, mid-poll', async () => {
    server = await startHostileServer({ 'GET /receipts-bulk/': silence });
    const { client } = clientFor(server, { timeoutMs: 60_000 });
    const waiting = client.receipts.waitFor(uuid(), { timeoutMs: 60_000, signal: AbortSignal.timeout(100) });

    expect(await settlesBefore(waiting, 5_000)).toBe(true);
    expect(await rejection(waiting)).toMatchObject({ code: 'ABORTED' });
  });
});

describe('a TLS handshake that never finishes', () => {
  test('timeoutMs holds: TimeoutError, long before undici gives up on its own (10 s)', async () => {
    silent = await startSilentServer();
    const { client } = clientFor(silent, { timeoutMs: 200, retry: false });
    const lookup = client.contacts.lookup({ cvr: '12345678' });

    expect(await settlesBefore(lookup, 5_000)).toBe(true);
    expect(await rejection(lookup)).toBeInstanceOf(TimeoutError);
    expect(silent.connections()).toBe(1);
  });

  test("the caller's signal holds: ABORTED at once", async () => {
    silent = await startSilentServer();
    const { client } = clientFor(silent, { timeoutMs: 60_000 });
    const lookup = client.contacts.lookup({ cvr: '12345678' }, { signal: AbortSignal.timeout(100) });

    expect(await settlesBefore(lookup, 5_000)).toBe(true);
    const error = await rejection(lookup);
    expect(error).toBeInstanceOf(DigitalPostError);
    expect(error).toMatchObject({ code: 'ABORTED' });
  });

  test('a send whose handshake never finished is a TimeoutError, not an unknown outcome: nothing went out', async () => {
    silent = await startSilentServer();
    const { client } = clientFor(silent, { timeoutMs: 100, retry: { maxRetries: 1, initialDelayMs: 1 } });
    const error = await rejection(client.memos.send(await letterTo({ cpr: '0101700001' })));

    expect(error).toBeInstanceOf(TimeoutError);
  });
});
