/**
 * `client.inbox` against a running simulator over real HTTP, as the seeded company's REST_PULL
 * recipient system (CVR 87654321): list, fetch, and the business receipt the sender then gets
 * (ngdp-api.md §5.2–5.3).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import type { RunningSimulator } from '../../simulator/index.ts';
import { loggedClient, startRecorder } from '../../test/support/client.ts';
import {
  addFault,
  call,
  keyOf,
  letterTo,
  receiptsFor,
  resetSimulator,
  SEED_IDS,
  startTestSimulator,
} from '../../test/support/simulator.ts';
import { ConflictError, NotFoundError, PermissionDeniedError } from '../errors.ts';
import type { DigitalPostClient } from './client.ts';

let simulator: RunningSimulator;
let senderKey: string;
let companyKey: string;
let sender: DigitalPostClient;
let inbox: DigitalPostClient;

beforeAll(async () => {
  simulator = await startTestSimulator();
  senderKey = keyOf(simulator, SEED_IDS.senderPull);
  companyKey = keyOf(simulator, SEED_IDS.companyRecipient);
  sender = loggedClient(simulator.apiUrl, senderKey).client;
  inbox = loggedClient(simulator.apiUrl, companyKey).client;
});
afterAll(() => simulator.stop());
beforeEach(() => resetSimulator(simulator));

/** Sends letters to the company with a recipient system; resolves when they are ready to fetch. */
async function mailToCompany(count = 1): Promise<string[]> {
  const uuids: string[] = [];
  for (let i = 0; i < count; i++) {
    const memo = await letterTo({ cvr: '87654321' }, { label: `Faktura ${i + 1}` });
    await sender.memos.send(memo);
    uuids.push(memo.messageHeader.messageUUID);
  }
  await simulator.settle();
  return uuids;
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

/** The sender's business receipts for a message, once NgDP has forwarded them. */
async function senderReceipts(messageUUID: string) {
  await simulator.settle();
  return receiptsFor(simulator, senderKey, messageUUID);
}

describe('client.inbox.list', () => {
  test('yields the messageUUID of every memo waiting for the system, across pages', async () => {
    const sent = await mailToCompany(3);
    const ids = await collect(inbox.inbox.list({ pageSize: 2 }));
    expect(ids.sort()).toEqual([...sent].sort());
  });

  test('completing memos while iterating still visits every memo once', async () => {
    const sent = await mailToCompany(3);
    const seen: string[] = [];
    for await (const id of inbox.inbox.list({ pageSize: 1 })) {
      seen.push(id);
      await inbox.inbox.complete(id);
    }
    expect(seen.sort()).toEqual([...sent].sort());
    expect(await collect(inbox.inbox.list())).toEqual([]);
  });

  test('yields nothing when no memo is waiting', async () => {
    expect(await collect(inbox.inbox.list())).toEqual([]);
  });

  test('a system without a recipient role is refused with PermissionDeniedError', async () => {
    await expect(collect(sender.inbox.list())).rejects.toBeInstanceOf(PermissionDeniedError);
  });
});

describe('client.inbox.fetch', () => {
  test('returns the parsed MeMo with no issues', async () => {
    const [uuid] = await mailToCompany();
    const fetched = await inbox.inbox.fetch(uuid ?? '');
    expect(fetched.messageUUID).toBe(uuid);
    expect(fetched.memo.messageHeader).toMatchObject({
      messageUUID: uuid,
      label: 'Faktura 1',
      recipient: { recipientID: '87654321' },
    });
    expect(fetched.issues).toEqual([]);
  });

  test('returns the raw XML exactly as NgDP serves it', async () => {
    const [uuid] = await mailToCompany();
    const fetched = await inbox.inbox.fetch(uuid ?? '');
    const stored = await call(`${simulator.controlUrl}/messages/${uuid}/memo`);
    expect(fetched.xml.toString('utf8')).toBe(stored.text);
  });

  test('asks for application/xml', async () => {
    const [uuid] = await mailToCompany();
    const recorder = await startRecorder(simulator.apiUrl);
    try {
      await loggedClient(recorder.apiUrl, companyKey).client.inbox.fetch(uuid ?? '');
      expect(recorder.requests[0]?.headers.accept).toBe('application/xml');
    } finally {
      await recorder.close();
    }
  });

  test('an unknown memo fails with NotFoundError', async () => {
    await expect(inbox.inbox.fetch('00000000-0000-4000-8000-000000000000')).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });
});

describe('client.inbox.complete', () => {
  test('gives the sender a COMPLETED business receipt', async () => {
    const [uuid] = await mailToCompany();
    await inbox.inbox.complete(uuid ?? '');
    const receipts = await senderReceipts(uuid ?? '');
    expect(receipts).toEqual([expect.objectContaining({ messageUUID: uuid, receiptStatus: 'COMPLETED' })]);
  });

  test('removes the memo from the list', async () => {
    const [uuid] = await mailToCompany();
    await inbox.inbox.complete(uuid ?? '');
    expect(await collect(inbox.inbox.list())).toEqual([]);
  });

  test('posts a receipt with a fresh transmissionId, the messageUUID and the time', async () => {
    const [uuid] = await mailToCompany();
    const recorder = await startRecorder(simulator.apiUrl);
    try {
      await loggedClient(recorder.apiUrl, companyKey).client.inbox.complete(uuid ?? '');
      const [posted] = recorder.requests;
      expect(posted?.url).toBe(`/apis/v1/memos/${uuid}/receipt`);
      expect(posted?.headers['content-type']).toBe('application/json');
      expect(JSON.parse(posted?.body.toString('utf8') ?? '')).toEqual({
        transmissionId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        messageUUID: uuid,
        timeStamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/),
        receiptStatus: 'COMPLETED',
      });
    } finally {
      await recorder.close();
    }
  });

  test('a memo completed twice fails with ConflictError the second time', async () => {
    const [uuid] = await mailToCompany();
    await inbox.inbox.complete(uuid ?? '');
    await expect(inbox.inbox.complete(uuid ?? '')).rejects.toBeInstanceOf(ConflictError);
  });

  test('retried after a timeout in which the first attempt got through, it succeeds (409 on the retry)', async () => {
    const [uuid] = await mailToCompany();
    // The simulator takes the receipt 100 ms in; the client gives up at 50 ms and retries at 250 ms.
    const { client, events } = loggedClient(simulator.apiUrl, companyKey, {
      timeoutMs: 50,
      retry: { maxRetries: 2, initialDelayMs: 200, maxDelayMs: 200 },
      random: () => 1,
    });
    await addFault(simulator, { operation: 'POST /memos/{id}/receipt', delayMs: 100, times: 1 });
    await client.inbox.complete(uuid ?? '');
    expect(events.map((event) => event.error ?? event.status)).toEqual(['TIMEOUT', 409]);
    const receipts = await senderReceipts(uuid ?? '');
    expect(receipts.map((receipt) => receipt.receiptStatus)).toEqual(['COMPLETED']);
  });
});

describe('client.inbox.reject', () => {
  test('gives the sender an INVALID business receipt with the code and message', async () => {
    const [uuid] = await mailToCompany();
    await inbox.inbox.reject(uuid ?? '', {
      errorCode: 'UNKNOWN_INVOICE',
      errorMessage: 'Vi kender ikke denne faktura',
    });
    const receipts = await senderReceipts(uuid ?? '');
    expect(receipts).toEqual([
      expect.objectContaining({
        messageUUID: uuid,
        receiptStatus: 'INVALID',
        errorCode: 'UNKNOWN_INVOICE',
        errorMessage: 'Vi kender ikke denne faktura',
      }),
    ]);
  });

  test('removes the memo from the list', async () => {
    const [uuid] = await mailToCompany();
    await inbox.inbox.reject(uuid ?? '', { errorCode: 'X', errorMessage: 'no' });
    expect(await collect(inbox.inbox.list())).toEqual([]);
  });
});
