/**
 * The receivers' `verify` hook: it sees each request before anything of it is read, and a caller it
 * refuses gets 401 or 403 and reaches neither `onMemo` nor `onReceipt`. `requireClientCertificate`
 * over real HTTPS: NgDP's certificate gets through, no certificate is 401, another organisation's
 * certificate from the same CA is 403.
 */
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { Agent, request } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import {
  makeThrowawayCertificates,
  type ThrowawayCertificates,
} from '../../examples/throwaway-certificates.ts';
import type { RunningSimulator } from '../../simulator/index.ts';
import { companyClient, heldMemo, memoPush, post, type Served, serve } from '../../test/support/receivers.ts';
import { describeWith } from '../../test/support/requirements.ts';
import { startTestSimulator } from '../../test/support/simulator.ts';
import { InvalidOptionsError, ReceiverRefusal } from '../errors.ts';
import { createMemoReceiver } from './memo-receiver.ts';
import { createNotificationReceiver } from './notification-receiver.ts';
import { createReceiptReceiver } from './receipt-receiver.ts';
import { type CallerVerdict, requireClientCertificate, type VerifyCaller } from './verify.ts';

let simulator: RunningSimulator;
const servers: Served[] = [];

beforeAll(async () => {
  simulator = await startTestSimulator();
});
afterAll(() => simulator.stop());
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

const RECEIPT = JSON.stringify({
  transmissionId: '3f1c2a4b-5d6e-4f70-8a9b-0c1d2e3f4a5b',
  messageUUID: '7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
  receiptStatus: 'COMPLETED',
  timeStamp: '2026-01-05T08:00:00.000Z',
});

interface Harness {
  url: string;
  handled: unknown[];
  errors: unknown[];
  /** What the hook saw of each request when it ran. */
  seen: Array<{ bodyRead: boolean; contentType: string | undefined }>;
}

/** A memo receiver whose verify hook answers `verdict`, recording what it sees. */
async function memoReceiver(verdict: () => CallerVerdict | Promise<CallerVerdict>): Promise<Harness> {
  const harness: Harness = { url: '', handled: [], errors: [], seen: [] };
  const server = await serve(
    createMemoReceiver({
      client: companyClient(simulator),
      onMemo: (memo) => {
        harness.handled.push(memo);
      },
      onError: (error) => harness.errors.push(error),
      verify: (req) => {
        harness.seen.push({ bodyRead: req.readableEnded, contentType: req.headers['content-type'] });
        return verdict();
      },
    }),
  );
  servers.push(server);
  harness.url = server.url;
  return harness;
}

async function pushTo(harness: Harness) {
  const held = await heldMemo(simulator);
  const { body, contentType } = memoPush(held.xml, held.messageUUID);
  return post(harness.url, body, contentType);
}

describe('a verify hook on createMemoReceiver', () => {
  test('that says true lets the MeMo through to onMemo', async () => {
    const harness = await memoReceiver(async () => true);
    expect((await pushTo(harness)).status).toBe(200);
    expect(harness.handled).toHaveLength(1);
  });

  test('sees the request before its body is read', async () => {
    const harness = await memoReceiver(() => true);
    await pushTo(harness);
    expect(harness.seen[0]?.bodyRead).toBe(false);
    expect(harness.seen[0]?.contentType).toMatch(/^multipart\/form-data/);
  });

  test('that says false refuses with 403 CALLER_NOT_ALLOWED, and onMemo never runs', async () => {
    const harness = await memoReceiver(() => false);
    const answer = await pushTo(harness);
    expect(answer.status).toBe(403);
    expect(answer.json).toEqual({ code: 'CALLER_NOT_ALLOWED', message: 'the caller may not push here' });
    expect(harness.handled).toEqual([]);
    expect(harness.errors).toEqual([expect.objectContaining({ code: 'CALLER_NOT_ALLOWED', status: 403 })]);
  });

  test('that says { status: 401, message } refuses with 401 CALLER_UNAUTHENTICATED and the message', async () => {
    const harness = await memoReceiver(() => ({ status: 401, message: 'show a certificate' }));
    const answer = await pushTo(harness);
    expect(answer.status).toBe(401);
    expect(answer.json).toEqual({ code: 'CALLER_UNAUTHENTICATED', message: 'show a certificate' });
    expect(harness.handled).toEqual([]);
  });

  test('that throws refuses with 500 CALLER_CHECK_FAILED, and onError gets what it threw', async () => {
    const failure = new Error('allow-list unavailable');
    const harness = await memoReceiver(() => {
      throw failure;
    });
    const answer = await pushTo(harness);
    expect(answer.status).toBe(500);
    expect(answer.json).toMatchObject({ code: 'CALLER_CHECK_FAILED' });
    expect(harness.handled).toEqual([]);
    expect(harness.errors).toEqual([failure]);
  });

  test('that is not a function is an InvalidOptionsError', () => {
    expect(() =>
      createMemoReceiver({
        client: companyClient(simulator),
        onMemo: () => {},
        verify: 'mTLS' as unknown as VerifyCaller,
      }),
    ).toThrow(InvalidOptionsError);
  });
});

describe('a verify hook on the other receivers', () => {
  test('createReceiptReceiver refuses an unverified caller with 403, and onReceipt never runs', async () => {
    const received: unknown[] = [];
    const server = await serve(
      createReceiptReceiver({
        onReceipt: (receipt) => {
          received.push(receipt);
        },
        onError: () => {},
        verify: (req) => req.headers['x-pushed-by'] === 'ngdp',
      }),
    );
    servers.push(server);
    expect((await post(server.url, RECEIPT, 'application/json')).status).toBe(403);
    expect(received).toEqual([]);
  });

  test('createNotificationReceiver refuses an unverified caller with 401', async () => {
    const server = await serve(
      createNotificationReceiver({
        client: companyClient(simulator),
        onMemo: () => {},
        onError: () => {},
        verify: () => ({ status: 401 }),
      }),
    );
    servers.push(server);
    const notification = JSON.stringify({ messageUUID: '7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d' });
    const answer = await post(server.url, notification, 'application/json');
    expect(answer.status).toBe(401);
    expect(answer.json).toMatchObject({ code: 'CALLER_UNAUTHENTICATED' });
  });
});

describe('requireClientCertificate', () => {
  test.each([[[]], [['AB:CD']], [['not hex'.repeat(10)]]])(
    'refuses fingerprints %j with an InvalidOptionsError',
    (fingerprints) => {
      expect(() => requireClientCertificate({ fingerprints })).toThrow(InvalidOptionsError);
    },
  );

  test('on plain HTTP answers 401: there is no certificate', async () => {
    const server = await serve(
      createReceiptReceiver({
        onReceipt: () => {},
        onError: () => {},
        verify: requireClientCertificate({ fingerprints: ['AB'.repeat(32)] }),
      }),
    );
    servers.push(server);
    const answer = await post(server.url, RECEIPT, 'application/json');
    expect(answer.status).toBe(401);
    expect(answer.json).toMatchObject({ code: 'CALLER_UNAUTHENTICATED' });
  });
});

describeWith({ tools: ['openssl'] }, 'requireClientCertificate over HTTPS with requestCert', () => {
  let certificates: ThrowawayCertificates;
  let server: Server;
  let url: string;
  const received: unknown[] = [];
  const refusals: unknown[] = [];

  beforeAll(async () => {
    certificates = makeThrowawayCertificates();
    const { X509Certificate } = await import('node:crypto');
    const ngdp = new X509Certificate(certificates.ngdp.cert).fingerprint256;
    server = createServer(
      {
        ...certificates.server,
        ca: certificates.ca,
        requestCert: true,
        rejectUnauthorized: false,
      },
      createReceiptReceiver({
        onReceipt: (receipt) => {
          received.push(receipt);
        },
        onError: (error) => refusals.push(error),
        // Lower case without colons: the same fingerprint.
        verify: requireClientCertificate({ fingerprints: [ngdp.replace(/:/g, '').toLowerCase()] }),
      }),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/receipts`;
  });
  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  });

  async function postAs(identity: { cert: Buffer; key: Buffer } | undefined): Promise<number> {
    const dispatcher = new Agent({ connect: { ca: certificates.ca, ...identity } });
    try {
      const response = await request(url, {
        method: 'POST',
        body: RECEIPT,
        headers: { 'content-type': 'application/json' },
        dispatcher,
      });
      await response.body.dump();
      return response.statusCode;
    } finally {
      await dispatcher.close();
    }
  }

  test('lets NgDP’s certificate through', async () => {
    expect(await postAs(certificates.ngdp)).toBe(200);
    expect(received).toHaveLength(1);
  });

  test('answers 401 to a caller without a certificate', async () => {
    expect(await postAs(undefined)).toBe(401);
  });

  test('answers 403 to another organisation’s certificate from the same CA', async () => {
    const before = received.length;
    expect(await postAs(certificates.impostor)).toBe(403);
    expect(received).toHaveLength(before);
    expect(refusals.at(-1)).toBeInstanceOf(ReceiverRefusal);
  });
});
