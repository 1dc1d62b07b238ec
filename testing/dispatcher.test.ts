/**
 * The dispatcher path: `new DigitalPostClient({ …, dispatcher: ngdp.dispatcher() })` with msw not
 * listening — how code whose client has its own dispatcher (mutual TLS) is tested. Also the
 * dispatcher's contract with undici: request bodies of every kind, backpressure, abort, close.
 */
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { Agent, errors, request, FormData as UndiciFormData, fetch as undiciFetch } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  AuthenticationError,
  createLetter,
  DigitalPostClient,
  DigitalPostError,
  type LetterOptions,
  type Receipt,
  TimeoutError,
  toCopenhagenDate,
} from '../sdk/index.ts';
import { SimulatorConfigError } from '../simulator/index.ts';
import { settlesBefore } from '../test/support/timers.ts';
import { createDigitalPostHandlers, type DigitalPostHandlers, NoResponderError } from './index.ts';

const PDF = Buffer.from('%PDF-1.4\n%%EOF\n');
const DAY = 86_400_000;

function letterTo(cpr: string, extra: Partial<LetterOptions> = {}) {
  return createLetter({
    sender: { cvr: '12345678', label: 'Testkommune' },
    recipient: { cpr },
    label: 'Test letter',
    document: { content: PDF, filename: 'letter.pdf' },
    ...extra,
  });
}

function pullSenderKey(ngdp: DigitalPostHandlers): string {
  const system = ngdp.fixtures.systems.find((s) => s.roles.includes('SENDER') && s.protocol === 'REST_PULL');
  if (system === undefined) throw new Error('the default seed has a PULL sender');
  return system.apiKey;
}

async function receiptOf(client: DigitalPostClient, messageUUID: string): Promise<Receipt | undefined> {
  for await (const receipt of client.receipts.list()) if (receipt.messageUUID === messageUUID) return receipt;
  return undefined;
}

describe('digitalpost/testing through ngdp.dispatcher() (msw not listening)', () => {
  let ngdp: DigitalPostHandlers;
  let client: DigitalPostClient;

  beforeAll(async () => {
    ngdp = await createDigitalPostHandlers({ clockStart: '2025-03-03T09:00:00Z' });
    client = new DigitalPostClient({
      environment: 'test',
      apiKey: pullSenderKey(ngdp),
      dispatcher: ngdp.dispatcher(),
      retry: { initialDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 0 },
    });
  });
  afterEach(() => ngdp.reset());
  afterAll(() => ngdp.close());

  it('sends a letter and gives back the technical receipt RECEIVED', async () => {
    const memo = await letterTo('0101700001');
    expect(await client.memos.send(memo)).toMatchObject({
      messageUUID: memo.messageHeader.messageUUID,
      receiptStatus: 'RECEIVED',
    });
  });

  it('lets the client pull the COMPLETED business receipt once the simulator settled', async () => {
    const memo = await letterTo('0101700001');
    await client.memos.send(memo);
    await ngdp.settle();
    expect((await receiptOf(client, memo.messageHeader.messageUUID))?.receiptStatus).toBe('COMPLETED');
  });

  it('ends a letter to a CLOSED citizen with NOT_ALLOWED (RECIPIENT_CLOSED)', async () => {
    const memo = await letterTo('0101700003');
    await client.memos.send(memo);
    await ngdp.settle();
    expect(await receiptOf(client, memo.messageHeader.messageUUID)).toMatchObject({
      receiptStatus: 'NOT_ALLOWED',
      errorCode: 'RECIPIENT_CLOSED',
    });
  });

  it('looks up a registered citizen as REGISTERED and an unknown one as UNKNOWN', async () => {
    const registered = await client.contacts.lookup({ cpr: '0101700001' });
    const unknown = await client.contacts.lookup({ cpr: '0101709999' });
    expect(registered.mailboxSubscription?.publicRegistrationStatus).toBe('REGISTERED');
    expect(unknown.mailboxSubscription?.publicRegistrationStatus).toBe('UNKNOWN');
  });

  it('retries a send that meets two injected 503s and delivers one letter', async () => {
    await ngdp.control('POST', '/faults', { operation: 'POST /memos/', status: 503, times: 2 });
    const statuses: Array<number | undefined> = [];
    const logged = new DigitalPostClient({
      environment: 'test',
      apiKey: pullSenderKey(ngdp),
      dispatcher: ngdp.dispatcher(),
      retry: { initialDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 0 },
      logger: (event) => statuses.push(event.status),
    });
    await logged.memos.send(await letterTo('0101700001'));
    await ngdp.settle();
    expect(statuses).toEqual([503, 503, 201]);
    expect(await ngdp.control('GET', '/mailboxes/0101700001/messages')).toHaveLength(1);
  });

  it('maps a wrong API key to AuthenticationError (401)', async () => {
    const stranger = new DigitalPostClient({
      environment: 'test',
      apiKey: 'bm90LWEta2V5',
      dispatcher: ngdp.dispatcher(),
    });
    await expect(stranger.contacts.lookup({ cpr: '0101700001' })).rejects.toBeInstanceOf(AuthenticationError);
  });

  it('holds a letter with a value date until the manual clock reaches it', async () => {
    const inTwoDays = toCopenhagenDate(new Date(ngdp.clock.now().getTime() + 2 * DAY));
    const memo = await letterTo('0101700001', { doNotDeliverUntil: inTwoDays });
    await client.memos.send(memo);
    await ngdp.settle();
    const before = await receiptOf(client, memo.messageHeader.messageUUID);
    await ngdp.clock.advance('P3D');
    const after = await receiptOf(client, memo.messageHeader.messageUUID);
    expect(before).toBeUndefined();
    expect(after?.receiptStatus).toBe('COMPLETED');
  });

  it('starts with a manual clock at clockStart', () => {
    expect(ngdp.clock.mode).toBe('manual');
    expect(ngdp.clock.now().toISOString()).toBe('2025-03-03T09:00:00.000Z');
  });

  it('reset() empties mailboxes and receipts, clears faults and turns the clock back to its start', async () => {
    await client.memos.send(await letterTo('0101700001'));
    await ngdp.settle();
    await ngdp.control('POST', '/faults', { operation: 'GET /contacts/', status: 503 });
    await ngdp.clock.advance('P1D');
    await ngdp.reset();
    expect(await ngdp.control('GET', '/mailboxes/0101700001/messages')).toEqual([]);
    expect((await client.receipts.bulk()).receipts).toEqual([]);
    expect(await ngdp.control('GET', '/faults')).toEqual([]);
    expect(ngdp.clock.now().toISOString()).toBe('2025-03-03T09:00:00.000Z');
  });

  it('maps an answer slower than the timeout to TimeoutError without waiting for it', async () => {
    await ngdp.control('POST', '/faults', { operation: 'GET /contacts/', delayMs: 2_000, times: 1 });
    const lookup = client.contacts.lookup({ cpr: '0101700001' }, { timeoutMs: 100, retry: false });
    expect(await settlesBefore(lookup, 2_000)).toBe(true);
    await expect(lookup).rejects.toBeInstanceOf(TimeoutError);
  });

  it("rejects at once when the caller's signal aborts", async () => {
    await ngdp.control('POST', '/faults', { operation: 'GET /contacts/', delayMs: 2_000, times: 1 });
    const failure = await client.contacts
      .lookup({ cpr: '0101700001' }, { signal: AbortSignal.timeout(50), retry: false })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(DigitalPostError);
    expect((failure as DigitalPostError).code).toBe('ABORTED');
  });

  it('refuses a request for another origin with NoResponderError at once, never reaching the network', async () => {
    const attempts: unknown[] = [];
    const elsewhere = new DigitalPostClient({
      environment: 'production',
      apiKey: pullSenderKey(ngdp),
      dispatcher: ngdp.dispatcher(),
      logger: (event) => attempts.push(event),
    });
    const failure = await elsewhere.contacts.lookup({ cpr: '0101700001' }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(NoResponderError);
    expect(attempts).toEqual([]);
  });

  it('says how to point the client at the simulator', async () => {
    const elsewhere = new DigitalPostClient({
      baseUrl: 'https://ngdp.example/apis/v1',
      apiKey: pullSenderKey(ngdp),
      dispatcher: ngdp.dispatcher(),
    });
    const failure = await elsewhere.contacts.lookup({ cpr: '0101700001' }).catch((error: unknown) => error);
    expect((failure as NoResponderError).message).toBe(
      `the NgDP simulator at ${ngdp.baseUrl} does not answer GET https://ngdp.example/apis/v1/contacts/, and a ` +
        `test never reaches another host: give the client baseUrl: ngdp.baseUrl (${ngdp.baseUrl}), or ` +
        'ngdp.dispatcher({ fallback }) to send other origins to the network',
    );
  });

  it('lets a client wait out Retry-After on a clock of its own: the simulator’s manual clock', async () => {
    const slept: number[] = [];
    const before = ngdp.clock.now().getTime();
    const patient = new DigitalPostClient({
      environment: 'test',
      apiKey: pullSenderKey(ngdp),
      dispatcher: ngdp.dispatcher(),
      clock: {
        now: () => ngdp.clock.now().getTime(),
        sleep: (ms) => {
          slept.push(ms);
          return ngdp.clock.advance(ms);
        },
      },
    });
    await ngdp.control('POST', '/faults', {
      operation: 'GET /contacts/',
      status: 503,
      retryAfter: 30,
      times: 1,
    });
    await patient.contacts.lookup({ cpr: '0101700001' });
    expect(slept).toEqual([30_000]);
    expect(ngdp.clock.now().getTime() - before).toBeGreaterThanOrEqual(30_000);
  });

  it('passes other origins to its fallback dispatcher when given one', async () => {
    const other = createServer((_incoming, response) => response.end('from the network'));
    other.listen(0, '127.0.0.1');
    await once(other, 'listening');
    try {
      const fallback = new Agent();
      const dispatcher = ngdp.dispatcher({ fallback });
      const response = await request(`http://127.0.0.1:${(other.address() as AddressInfo).port}/`, {
        dispatcher,
      });
      expect(await response.body.text()).toBe('from the network');
      await fallback.close();
    } finally {
      other.closeAllConnections();
      other.close();
    }
  });

  it('sends a FormData body to the fallback with its multipart Content-Type', async () => {
    const seen: Array<{ type: string | undefined; body: string }> = [];
    const other = createServer((incoming, response) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('end', () => {
        seen.push({ type: incoming.headers['content-type'], body: Buffer.concat(chunks).toString() });
        response.end();
      });
    });
    other.listen(0, '127.0.0.1');
    await once(other, 'listening');
    const fallback = new Agent();
    try {
      const form = new UndiciFormData();
      form.set('file', new Blob(['<memo/>']), 'letter.xml');
      const response = await request(`http://127.0.0.1:${(other.address() as AddressInfo).port}/upload`, {
        method: 'POST',
        body: form,
        dispatcher: ngdp.dispatcher({ fallback }),
      });
      await response.body.dump();
      expect(seen[0]?.type).toMatch(/^multipart\/form-data; boundary=/);
      expect(seen[0]?.body).toContain('<memo/>');
    } finally {
      await fallback.close();
      other.closeAllConnections();
      other.close();
    }
  });

  it('answers the control API on the same origin, e.g. the mailbox after a send', async () => {
    const memo = await letterTo('0101700001');
    await client.memos.send(memo);
    await ngdp.settle();
    const response = await request(`${ngdp.controlUrl}/mailboxes/0101700001/messages`, {
      dispatcher: ngdp.dispatcher(),
    });
    const mailbox = (await response.body.json()) as Array<{ messageUUID: string }>;
    expect(mailbox.map((entry) => entry.messageUUID)).toEqual([memo.messageHeader.messageUUID]);
  });

  it("answers undici's fetch given the dispatcher", async () => {
    const response = await undiciFetch(`${ngdp.controlUrl}/clock`, { dispatcher: ngdp.dispatcher() });
    expect(((await response.json()) as { mode: string }).mode).toBe('manual');
  });

  describe('request bodies', () => {
    const citizen = (n: number) =>
      JSON.stringify({ cprNumber: `01018000${String(n).padStart(2, '0')}`, name: 'Ny' });
    const bodies: Array<
      [string, () => string | Buffer | Uint8Array | Readable | AsyncIterable<Uint8Array> | Blob]
    > = [
      ['a string', () => citizen(1)],
      ['a Buffer', () => Buffer.from(citizen(2))],
      ['a Uint8Array', () => new TextEncoder().encode(citizen(3))],
      ['a Readable stream', () => Readable.from([Buffer.from(citizen(4))])],
      ['a Blob', () => new Blob([citizen(6)])],
      [
        'an async iterable of chunks',
        () =>
          (async function* () {
            const bytes = Buffer.from(citizen(5));
            yield bytes.subarray(0, 7);
            yield bytes.subarray(7);
          })(),
      ],
    ];

    it.each(bodies)('reads a request body given as %s', async (_kind, body) => {
      const response = await request(`${ngdp.controlUrl}/citizens`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: body() as string,
        dispatcher: ngdp.dispatcher(),
      });
      expect(response.statusCode, await response.body.text()).toBe(201);
    });

    it('fails the request, not the process, when the body stream fails', async () => {
      const broken = new Readable({
        read() {
          this.destroy(new Error('disk gone'));
        },
      });
      await expect(
        request(`${ngdp.controlUrl}/citizens`, {
          method: 'POST',
          body: broken,
          dispatcher: ngdp.dispatcher(),
        }),
      ).rejects.toThrow('disk gone');
    });
  });

  it('delivers a response body through backpressure (a tiny highWaterMark)', async () => {
    const response = await request(`${ngdp.controlUrl}/fixtures`, {
      dispatcher: ngdp.dispatcher(),
      highWaterMark: 1,
    });
    const fixtures = (await response.body.json()) as { systems: unknown[] };
    expect(fixtures.systems).toHaveLength(ngdp.fixtures.systems.length);
  });

  it('refuses requests once closed with ClientClosedError', async () => {
    const dispatcher = ngdp.dispatcher();
    await dispatcher.close();
    await expect(request(`${ngdp.controlUrl}/clock`, { dispatcher })).rejects.toBeInstanceOf(
      errors.ClientClosedError,
    );
  });

  it('fails requests under way at once when destroyed', async () => {
    await ngdp.control('POST', '/faults', { operation: 'GET /contacts/', delayMs: 2_000, times: 1 });
    const dispatcher = ngdp.dispatcher();
    const pending = request(`${ngdp.baseUrl}/contacts/?cprNumber=0101700001`, {
      dispatcher,
      headers: { authorization: `Basic ${pullSenderKey(ngdp)}` },
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    await dispatcher.destroy();
    await expect(pending).rejects.toBeInstanceOf(errors.ClientDestroyedError);
  });
});

describe('createDigitalPostHandlers options', () => {
  it('answers at a configured base URL, with the control API beside /apis/v1', async () => {
    const ngdp = await createDigitalPostHandlers({ baseUrl: 'https://ngdp.example/proxy/apis/v1/' });
    try {
      expect(ngdp.baseUrl).toBe('https://ngdp.example/proxy/apis/v1');
      expect(ngdp.controlUrl).toBe('https://ngdp.example/proxy/simulator/v1');
      const client = new DigitalPostClient({
        baseUrl: ngdp.baseUrl,
        apiKey: pullSenderKey(ngdp),
        dispatcher: ngdp.dispatcher(),
      });
      expect((await client.contacts.lookup({ cpr: '0101700001' })).cprNumber).toBe('0101700001');
    } finally {
      await ngdp.close();
    }
  });

  it('refuses a base URL that does not end in /apis/v1', async () => {
    await expect(createDigitalPostHandlers({ baseUrl: 'https://ngdp.example/api' })).rejects.toBeInstanceOf(
      SimulatorConfigError,
    );
  });

  it('auto-registers unknown CPR numbers with loose: true', async () => {
    const ngdp = await createDigitalPostHandlers({ loose: true });
    try {
      const client = new DigitalPostClient({
        environment: 'test',
        apiKey: pullSenderKey(ngdp),
        dispatcher: ngdp.dispatcher(),
      });
      const memo = await letterTo('0202901234');
      await client.memos.send(memo);
      await ngdp.settle();
      expect((await receiptOf(client, memo.messageHeader.messageUUID))?.receiptStatus).toBe('COMPLETED');
    } finally {
      await ngdp.close();
    }
  });

  it('answers 503 SIMULATOR_CLOSED after close()', async () => {
    const ngdp = await createDigitalPostHandlers();
    await ngdp.close();
    const response = await request(`${ngdp.controlUrl}/clock`, { dispatcher: ngdp.dispatcher() });
    expect(response.statusCode).toBe(503);
    expect(((await response.body.json()) as { code: string }).code).toBe('SIMULATOR_CLOSED');
  });
});
