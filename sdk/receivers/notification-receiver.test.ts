/**
 * `createNotificationReceiver` over real HTTP on `node:http`, notified by hand: it fetches the MeMo
 * from the simulator through its client, and answers as the MeMo receiver does.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import type { RunningSimulator } from '../../simulator/index.ts';
import {
  companyClient,
  heldMemo,
  post,
  type Served,
  senderReceipt,
  serve,
} from '../../test/support/receivers.ts';
import { addFault, resetSimulator, startReceiver, startTestSimulator } from '../../test/support/simulator.ts';
import type { DigitalPostClient } from '../client/client.ts';
import { NotFoundError } from '../errors.ts';
import type { ReceivedMemo } from './delivery.ts';
import { createNotificationReceiver, type NotificationReceiverOptions } from './notification-receiver.ts';

let simulator: RunningSimulator;
const servers: Array<{ close(): Promise<void> }> = [];

beforeAll(async () => {
  simulator = await startTestSimulator();
});
afterAll(() => simulator.stop());
beforeEach(() => resetSimulator(simulator));
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

interface Harness {
  url: string;
  received: ReceivedMemo[];
  errors: Array<{ error: unknown; context: { messageUUID?: string } }>;
}

async function receiver(options: Partial<NotificationReceiverOptions> = {}): Promise<Harness> {
  const received: ReceivedMemo[] = [];
  const errors: Harness['errors'] = [];
  const server: Served = await serve(
    createNotificationReceiver({
      client: companyClient(simulator),
      onMemo: (memo) => {
        received.push(memo);
      },
      onError: (error, context) => errors.push({ error, context }),
      ...options,
    }),
  );
  servers.push(server);
  return { url: server.url, received, errors };
}

const notify = (
  url: string,
  messageUUID: unknown,
  memoUrl = `http://127.0.0.1:1/apis/v1/memos/${String(messageUUID)}`,
) =>
  post(
    url,
    JSON.stringify({ messageUUID, memoUrl, timeStamp: new Date().toISOString() }),
    'application/json',
  );

describe('a notification', () => {
  test('has the MeMo fetched and handed to onMemo, answered 200, and completed', async () => {
    const harness = await receiver();
    const held = await heldMemo(simulator);

    const answer = await notify(harness.url, held.messageUUID);

    expect(answer.status).toBe(200);
    expect(harness.received).toHaveLength(1);
    expect(harness.received[0]?.xml.equals(held.xml)).toBe(true);
    expect(await senderReceipt(simulator, held.messageUUID)).toMatchObject({ receiptStatus: 'COMPLETED' });
  });

  test('never has its memoUrl followed: the MeMo comes from the client’s own base URL', async () => {
    const elsewhere = await startReceiver(200);
    servers.push(elsewhere);
    const harness = await receiver();
    const held = await heldMemo(simulator);

    await notify(harness.url, held.messageUUID, `${elsewhere.url}/apis/v1/memos/${held.messageUUID}`);

    expect(harness.received).toHaveLength(1);
    expect(elsewhere.requests).toEqual([]);
  });

  test('of a MeMo that cannot be fetched is answered 502, and onError gets the client’s error', async () => {
    const harness = await receiver();
    const messageUUID = randomUUID();

    const answer = await notify(harness.url, messageUUID);

    expect(answer.status).toBe(502);
    expect(answer.json).toMatchObject({ code: 'MEMO_FETCH_FAILED' });
    expect(harness.errors).toHaveLength(1);
    expect(harness.errors[0]?.error).toBeInstanceOf(NotFoundError);
    expect(harness.errors[0]?.context).toEqual({ messageUUID });
  });

  test('without a messageUUID that is a UUID is answered 400 INVALID_NOTIFICATION', async () => {
    const harness = await receiver();

    const answer = await notify(harness.url, 'not-a-uuid');

    expect(answer.status).toBe(400);
    expect(answer.json).toMatchObject({ code: 'INVALID_NOTIFICATION' });
  });

  test('repeated after the MeMo was handled is answered 200 without fetching or calling onMemo again', async () => {
    const harness = await receiver();
    const held = await heldMemo(simulator);
    await notify(harness.url, held.messageUUID);
    await senderReceipt(simulator, held.messageUUID);

    const again = await notify(harness.url, held.messageUUID);

    expect(again.status).toBe(200);
    expect(harness.received).toHaveLength(1);
    expect(harness.errors).toEqual([]);
  });
});

describe('a fetched MeMo that names another messageUUID than notified', () => {
  test('earns INVALID MEMO_UUID_MISMATCH for the notified message', async () => {
    const held = await heldMemo(simulator);
    const notified = randomUUID();
    const receipts: Array<{ messageUUID: string; errorCode?: string }> = [];
    const client = {
      inbox: {
        fetchXml: async () => held.xml,
        complete: async (messageUUID: string) => {
          receipts.push({ messageUUID });
        },
        reject: async (messageUUID: string, reason: { errorCode: string }) => {
          receipts.push({ messageUUID, errorCode: reason.errorCode });
        },
      },
    } as unknown as DigitalPostClient;
    const harness = await receiver({ client });

    const answer = await notify(harness.url, notified);

    expect(answer.status).toBe(200);
    expect(harness.received).toEqual([]);
    expect(receipts).toEqual([{ messageUUID: notified, errorCode: 'MEMO_UUID_MISMATCH' }]);
  });
});

describe('the business receipt of a notified MeMo', () => {
  test('NgDP does not take at first is posted again, the first failure reported with the MeMo', async () => {
    const harness = await receiver({ receiptRetry: { initialDelayMs: 1, maxDelayMs: 2 } });
    const held = await heldMemo(simulator);
    // The client tries four times (one attempt, three retries); then the receiver posts it again.
    await addFault(simulator, { operation: 'POST /memos/{id}/receipt', status: 503, times: 4 });

    expect((await notify(harness.url, held.messageUUID)).status).toBe(200);

    expect((await senderReceipt(simulator, held.messageUUID)).receiptStatus).toBe('COMPLETED');
    expect(harness.errors).toHaveLength(1);
    expect(harness.errors[0]?.context).toEqual({
      messageUUID: held.messageUUID,
      xml: held.xml,
      receiptRetryInMs: expect.any(Number),
    });
  });
});
