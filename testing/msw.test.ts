/**
 * The msw path: `setupServer(...ngdp.handlers)` with `interceptUndici(server)`, and a
 * DigitalPostClient without `tls` or `dispatcher` (undici's global dispatcher). Also pins down how
 * msw meets undici, which is why `interceptUndici` exists.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { Agent, getGlobalDispatcher, request, fetch as undiciFetch } from 'undici';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  AuthenticationError,
  ConnectionError,
  createLetter,
  DigitalPostClient,
  type LetterOptions,
  type Receipt,
  ServiceUnavailableError,
  TimeoutError,
} from '../sdk/index.ts';
import { settlesBefore } from '../test/support/timers.ts';
import {
  createDigitalPostHandlers,
  createMswDispatcher,
  type DigitalPostHandlers,
  interceptUndici,
  NoResponderError,
} from './index.ts';

const PDF = Buffer.from('%PDF-1.4\n%%EOF\n');

function letterTo(cpr: string, extra: Partial<LetterOptions> = {}) {
  return createLetter({
    sender: { cvr: '12345678', label: 'Testkommune' },
    recipient: { cpr },
    label: 'Test letter',
    document: { content: PDF, filename: 'letter.pdf' },
    ...extra,
  });
}

function senderKey(ngdp: DigitalPostHandlers, protocol: 'REST_PULL' | 'REST_PUSH'): string {
  const system = ngdp.fixtures.systems.find((s) => s.roles.includes('SENDER') && s.protocol === protocol);
  if (system === undefined) throw new Error(`the default seed has a ${protocol} sender`);
  return system.apiKey;
}

async function receiptOf(client: DigitalPostClient, messageUUID: string): Promise<Receipt | undefined> {
  for await (const receipt of client.receipts.list()) if (receipt.messageUUID === messageUUID) return receipt;
  return undefined;
}

/** A loopback URL nothing listens on: a request that really goes to the network fails to connect. */
async function unreachableBaseUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/apis/v1`;
}

const FAST_RETRY = { initialDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 0 };

describe('digitalpost/testing with msw (global dispatcher)', () => {
  let ngdp: DigitalPostHandlers;
  let server: ReturnType<typeof setupServer>;
  let restoreUndici: () => void;
  let client: DigitalPostClient;

  beforeAll(async () => {
    ngdp = await createDigitalPostHandlers();
    server = setupServer(...ngdp.handlers);
    server.listen({ onUnhandledFrame: 'error' });
    restoreUndici = interceptUndici(server);
    client = new DigitalPostClient({
      environment: 'test',
      apiKey: senderKey(ngdp, 'REST_PULL'),
      retry: FAST_RETRY,
    });
  });
  afterEach(async () => {
    server.resetHandlers();
    await ngdp.reset();
  });
  afterAll(async () => {
    restoreUndici();
    server.close();
    await ngdp.close();
  });

  it("answers at NgDP's test URL by default", () => {
    expect(ngdp.baseUrl).toBe('https://api.test.digitalpost.dk/apis/v1');
    expect(ngdp.controlUrl).toBe('https://api.test.digitalpost.dk/simulator/v1');
    expect(client.baseUrl).toBe(ngdp.baseUrl);
  });

  it('sends a letter and gives back the technical receipt RECEIVED', async () => {
    const memo = await letterTo('0101700001');
    const receipt = await client.memos.send(memo);
    expect(receipt).toMatchObject({ messageUUID: memo.messageHeader.messageUUID, receiptStatus: 'RECEIVED' });
  });

  it('lets the client pull the COMPLETED business receipt once the simulator settled', async () => {
    const memo = await letterTo('0101700001');
    await client.memos.send(memo);
    await ngdp.settle();
    expect((await receiptOf(client, memo.messageHeader.messageUUID))?.receiptStatus).toBe('COMPLETED');
  });

  it("shows the delivered letter in the citizen's mailbox through the control API", async () => {
    const memo = await letterTo('0101700001');
    await client.memos.send(memo);
    await ngdp.settle();
    const response = await request(`${ngdp.controlUrl}/mailboxes/0101700001/messages`);
    const mailbox = (await response.body.json()) as Array<{ messageUUID: string }>;
    expect(mailbox.map((entry) => entry.messageUUID)).toEqual([memo.messageHeader.messageUUID]);
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
      apiKey: senderKey(ngdp, 'REST_PULL'),
      retry: FAST_RETRY,
      logger: (event) => statuses.push(event.status),
    });
    const memo = await letterTo('0101700001');
    await logged.memos.send(memo);
    await ngdp.settle();
    expect(statuses).toEqual([503, 503, 201]);
    expect(await ngdp.control('GET', '/mailboxes/0101700001/messages')).toHaveLength(1);
  });

  it('maps a wrong API key to AuthenticationError (401)', async () => {
    const stranger = new DigitalPostClient({ environment: 'test', apiKey: 'bm90LWEta2V5' });
    await expect(stranger.contacts.lookup({ cpr: '0101700001' })).rejects.toBeInstanceOf(AuthenticationError);
  });

  it('maps an answer slower than the timeout to TimeoutError without waiting for it', async () => {
    await ngdp.control('POST', '/faults', { operation: 'GET /contacts/', delayMs: 2_000, times: 1 });
    const lookup = client.contacts.lookup({ cpr: '0101700001' }, { timeoutMs: 100, retry: false });
    expect(await settlesBefore(lookup, 2_000)).toBe(true);
    await expect(lookup).rejects.toBeInstanceOf(TimeoutError);
  });

  it('lets server.use() override one NgDP endpoint for one test', async () => {
    server.use(
      http.post(`${ngdp.baseUrl}/memos/`, () =>
        HttpResponse.json({ errorCode: 'SERVICE_UNAVAILABLE' }, { status: 503 }),
      ),
    );
    await expect(client.memos.send(await letterTo('0101700001'), { retry: false })).rejects.toBeInstanceOf(
      ServiceUnavailableError,
    );
  });

  it("delivers the simulator's receipt pushes to an msw handler for the sender's endpoint", async () => {
    const pushed: unknown[] = [];
    server.use(
      http.post('https://sagssystem.example/kvitteringer', async ({ request: pushedRequest }) => {
        pushed.push(await pushedRequest.json());
        return new HttpResponse(null, { status: 200 });
      }),
    );
    const pushSender = ngdp.fixtures.systems.find(
      (s) => s.protocol === 'REST_PUSH' && s.roles.includes('SENDER'),
    );
    await ngdp.control('PATCH', `/systems/${pushSender?.id}`, {
      receiptEndpoint: 'https://sagssystem.example/kvitteringer',
    });
    const memo = await letterTo('0101700001');
    await new DigitalPostClient({ environment: 'test', apiKey: senderKey(ngdp, 'REST_PUSH') }).memos.send(
      memo,
    );
    await ngdp.settle();
    expect(pushed).toEqual([
      expect.objectContaining({ messageUUID: memo.messageHeader.messageUUID, receiptStatus: 'COMPLETED' }),
    ]);
  });

  it("lets the simulator's pushes no handler answers through to a real local server", async () => {
    const received: string[] = [];
    const receiver: Server = createServer((incoming: IncomingMessage, response) => {
      incoming.resume();
      incoming.on('end', () => {
        received.push(incoming.url ?? '');
        response.end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    try {
      const endpoint = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/kvitteringer`;
      const pushSender = ngdp.fixtures.systems.find(
        (s) => s.protocol === 'REST_PUSH' && s.roles.includes('SENDER'),
      );
      await ngdp.control('PATCH', `/systems/${pushSender?.id}`, { receiptEndpoint: endpoint });
      await new DigitalPostClient({ environment: 'test', apiKey: senderKey(ngdp, 'REST_PUSH') }).memos.send(
        await letterTo('0101700001'),
      );
      await ngdp.settle();
      expect(received).toEqual(['/kvitteringer']);
    } finally {
      receiver.closeAllConnections();
      await new Promise<void>((resolve) => receiver.close(() => resolve()));
    }
  });

  it('refuses a request to another host that no handler answers, naming the fix', async () => {
    const failure = await request('https://api.digitalpost.dk/apis/v1/contacts/?cprNumber=0101700001').catch(
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(NoResponderError);
    expect((failure as NoResponderError).message).toBe(
      'the msw dispatcher does not answer GET https://api.digitalpost.dk/apis/v1/contacts/, and a test never ' +
        'reaches another host: add an msw handler for it, or give createMswDispatcher / interceptUndici ' +
        '{ fallback: getGlobalDispatcher() } to let it through',
    );
  });

  it('gives a client for another host NoResponderError at once, without retrying', async () => {
    const attempts: unknown[] = [];
    const production = new DigitalPostClient({
      environment: 'production',
      apiKey: senderKey(ngdp, 'REST_PULL'),
      logger: (event) => attempts.push(event),
    });
    await expect(production.contacts.lookup({ cpr: '0101700001' })).rejects.toBeInstanceOf(NoResponderError);
    expect(attempts).toEqual([]);
  });

  it('lets a request to another host through to an explicit fallback', async () => {
    const seen: string[] = [];
    const fallback = getGlobalDispatcher().compose(() => (options, handler) => {
      seen.push(`${options.origin}`);
      handler.onResponseError?.(
        { abort: () => {}, pause: () => {}, resume: () => {}, paused: false, aborted: false, reason: null },
        new Error('stopped before the network'),
      );
      return true;
    });
    const dispatcher = createMswDispatcher(server, { fallback });
    await request('https://example.invalid/', { dispatcher }).catch(() => undefined);
    expect(seen).toEqual(['https://example.invalid']);
  });

  it("answers Node's global fetch too (msw intercepts it)", async () => {
    const response = await fetch(`${ngdp.controlUrl}/clock`);
    expect(((await response.json()) as { mode: string }).mode).toBe('manual');
  });

  it("answers undici's fetch through the global dispatcher", async () => {
    const response = await undiciFetch(`${ngdp.controlUrl}/clock`);
    expect(((await response.json()) as { mode: string }).mode).toBe('manual');
  });

  describe('a client given its own dispatcher', () => {
    let local: DigitalPostHandlers;
    let agent: Agent;

    beforeAll(async () => {
      local = await createDigitalPostHandlers({ baseUrl: await unreachableBaseUrl() });
      agent = new Agent();
    });
    beforeEach(() => server.use(...local.handlers));
    afterAll(async () => {
      await agent.close();
      await local.close();
    });

    it('reaches the handlers at a local base URL when it has no dispatcher (the control case)', async () => {
      const viaGlobal = new DigitalPostClient({
        baseUrl: local.baseUrl,
        apiKey: senderKey(local, 'REST_PULL'),
      });
      const contact = await viaGlobal.contacts.lookup({ cpr: '0101700001' });
      expect(contact.mailboxSubscription?.publicRegistrationStatus).toBe('REGISTERED');
    });

    it('is not intercepted when given dispatcher: new Agent() — it tries the network and cannot connect', async () => {
      const withAgent = new DigitalPostClient({
        baseUrl: local.baseUrl,
        apiKey: senderKey(local, 'REST_PULL'),
        dispatcher: agent,
        retry: false,
      });
      const failure = await withAgent.contacts.lookup({ cpr: '0101700001' }).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(ConnectionError);
      expect((failure as ConnectionError).message).toContain('ECONNREFUSED');
    });

    it("is not intercepted by msw's setupServer alone: msw does not see undici's request", async () => {
      restoreUndici();
      try {
        const plain = new DigitalPostClient({
          baseUrl: local.baseUrl,
          apiKey: senderKey(local, 'REST_PULL'),
          retry: false,
        });
        await expect(plain.contacts.lookup({ cpr: '0101700001' })).rejects.toBeInstanceOf(ConnectionError);
      } finally {
        restoreUndici = interceptUndici(server);
      }
    });
  });
});
