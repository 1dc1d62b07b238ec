/**
 * Request ids and raw answers: the client sends `X-Request-ID` on every request (one id for every
 * attempt of a call), keeps the id the server answers with on its errors, and shows the status and
 * headers of successful answers through `client.withResponse()`. Real HTTP against the simulator,
 * which repeats the client's id, and a loopback server that gives its own.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import type { RunningSimulator } from '../../simulator/index.ts';
import { loggedClient, startRecorder } from '../../test/support/client.ts';
import {
  addFault,
  keyOf,
  letterTo,
  resetSimulator,
  SEED_IDS,
  startTestSimulator,
} from '../../test/support/simulator.ts';
import { ApiError, NotFoundError, UnexpectedResponseError } from '../errors.ts';
import { isUuid } from '../ngdp/identifiers.ts';

let simulator: RunningSimulator;
let senderKey: string;

beforeAll(async () => {
  simulator = await startTestSimulator();
  senderKey = keyOf(simulator, SEED_IDS.senderPull);
});
afterAll(() => simulator.stop());
beforeEach(() => resetSimulator(simulator));

const COMPANY = { cvr: '87654321' } as const;

/** A loopback server answering every request with `status`, its own request id and a JSON body. */
async function serverWithItsOwnIds(status: number, body: object): Promise<{ url: string; server: Server }> {
  let count = 0;
  const server = createServer((_request, response) => {
    count += 1;
    response
      .writeHead(status, { 'content-type': 'application/json', 'x-request-id': `gateway-${count}` })
      .end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/apis/v1`, server };
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

describe('X-Request-ID on every request', () => {
  test('each call sends a UUID of its own, the one in its log line', async () => {
    const recorder = await startRecorder(simulator.apiUrl);
    try {
      const { client, events } = loggedClient(recorder.apiUrl, senderKey);
      await client.contacts.lookup(COMPANY);
      await client.contacts.lookup(COMPANY);
      const sent = recorder.requests.map((request) => request.headers['x-request-id']);
      expect(sent.every((id) => isUuid(id))).toBe(true);
      expect(new Set(sent).size).toBe(2);
      expect(sent).toEqual(events.map((event) => event.requestId));
    } finally {
      await recorder.close();
    }
  });

  test('every attempt of one call sends the same id', async () => {
    const recorder = await startRecorder(simulator.apiUrl);
    try {
      const { client } = loggedClient(recorder.apiUrl, senderKey);
      await addFault(simulator, { operation: 'POST /memos/', status: 503, retryAfter: 0, times: 2 });
      await client.memos.send(await letterTo({ cpr: '0101700001' }));
      const sent = recorder.requests.map((request) => request.headers['x-request-id']);
      expect(sent).toHaveLength(3);
      expect(new Set(sent).size).toBe(1);
    } finally {
      await recorder.close();
    }
  });
});

describe('the server’s request id on errors', () => {
  test('an ApiError keeps the id the simulator answered with: the client’s own', async () => {
    const { client } = loggedClient(simulator.apiUrl, senderKey);
    const error = await client.receipts.get('00000000-0000-4000-8000-000000000000').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    const { requestId, serverRequestId } = error as NotFoundError;
    expect(serverRequestId).toBe(requestId);
  });

  test('an ApiError keeps an id of the server’s own, from the last attempt', async () => {
    const { url, server } = await serverWithItsOwnIds(503, { code: 'DOWN', message: 'down' });
    try {
      const { client } = loggedClient(url, senderKey, { retry: { maxRetries: 1, initialDelayMs: 1 } });
      const error = await client.contacts.lookup(COMPANY).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ApiError);
      expect(error).toMatchObject({ status: 503, serverRequestId: 'gateway-2' });
      expect((error as ApiError).requestId).not.toBe('gateway-2');
    } finally {
      await close(server);
    }
  });

  test('an UnexpectedResponseError keeps the server’s id of a 2xx it cannot read', async () => {
    const { url, server } = await serverWithItsOwnIds(200, { not: 'a contact list' });
    try {
      const error = await loggedClient(url, senderKey)
        .client.contacts.lookup(COMPANY)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UnexpectedResponseError);
      expect(error).toMatchObject({ status: 200, serverRequestId: 'gateway-1' });
    } finally {
      await close(server);
    }
  });

  test('an answer without an id leaves serverRequestId undefined', async () => {
    const server = createServer((_request, response) => response.writeHead(404).end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/apis/v1`;
      const error = await loggedClient(url, senderKey)
        .client.contacts.lookup(COMPANY)
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ status: 404, serverRequestId: undefined });
    } finally {
      await close(server);
    }
  });
});

describe('client.withResponse()', () => {
  test('gives a send’s receipt with its status, headers and request ids', async () => {
    const { client, events } = loggedClient(simulator.apiUrl, senderKey);
    const memo = await letterTo({ cpr: '0101700001' });
    const { data, response, responses } = await client.withResponse((c) => c.memos.send(memo));
    expect(data.messageUUID).toBe(memo.messageHeader.messageUUID);
    expect(responses).toHaveLength(1);
    expect(response).toMatchObject({
      status: 201,
      method: 'POST',
      path: `/memos/?memo-message-uuid=${memo.messageHeader.messageUUID}`,
      attempts: 1,
      requestId: events[0]?.requestId,
      serverRequestId: events[0]?.requestId,
    });
    expect(response?.headers['content-type']).toMatch(/^application\/json/);
  });

  test('counts the attempts a retried request took', async () => {
    const { client } = loggedClient(simulator.apiUrl, senderKey);
    await addFault(simulator, { operation: 'GET /contacts/', status: 502, times: 2 });
    const { response } = await client.withResponse((c) => c.contacts.lookup(COMPANY));
    expect(response).toMatchObject({ status: 200, attempts: 3 });
  });

  test('gives the id a server of its own answered with', async () => {
    const { url, server } = await serverWithItsOwnIds(200, {
      contacts: [{ cvrNumber: '87654321' }],
      totalElements: 1,
      totalPages: 1,
    });
    try {
      const { client } = loggedClient(url, senderKey);
      const { response } = await client.withResponse((c) => c.contacts.lookup(COMPANY).catch(() => null));
      expect(response?.serverRequestId).toBe('gateway-1');
    } finally {
      await close(server);
    }
  });

  test('never shows the API key a server echoes in a header', async () => {
    const server = createServer((request, response) => {
      response
        .writeHead(200, { 'content-type': 'application/json', 'x-echo': request.headers.authorization ?? '' })
        .end('{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/apis/v1`;
      const { client } = loggedClient(url, senderKey);
      const { response } = await client.withResponse((c) => c.contacts.lookup(COMPANY).catch(() => null));
      expect(response?.headers['x-echo']).toBe('[redacted]');
      expect(JSON.stringify(response)).not.toContain(senderKey);
    } finally {
      await close(server);
    }
  });

  test('collects only the requests of its own call, not those running beside it', async () => {
    const { client } = loggedClient(simulator.apiUrl, senderKey);
    const memo = await letterTo({ cpr: '0101700001' });
    const [{ responses }] = await Promise.all([
      client.withResponse((c) => c.contacts.lookup(COMPANY)),
      client.memos.send(memo),
      client.contacts.lookup(COMPANY),
    ]);
    expect(responses.map((response) => response.method)).toEqual(['GET']);
  });

  test('collects every request of a call that makes several', async () => {
    const { client } = loggedClient(simulator.apiUrl, senderKey);
    const { data, responses } = await client.withResponse(async (c) => {
      await c.contacts.lookup(COMPANY);
      return c.contacts.lookup({ cpr: '0101700001' });
    });
    expect(data).toBeDefined();
    expect(responses.map((response) => response.status)).toEqual([200, 200]);
  });

  test('rejects with what the call threw', async () => {
    const { client } = loggedClient(simulator.apiUrl, senderKey);
    const missing = client.withResponse((c) => c.receipts.get('00000000-0000-4000-8000-000000000000'));
    await expect(missing).rejects.toBeInstanceOf(NotFoundError);
  });
});
