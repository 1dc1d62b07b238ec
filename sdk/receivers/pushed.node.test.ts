/**
 * The three receivers on plain `node:http` servers, with the simulator (as NgDP) pushing to them:
 * MeMos to a REST_PUSH recipient system, receipts to a PUSH-receipt sender system, notifications to
 * a publish/subscribe recipient system — including NgDP's redeliveries.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test, vi } from 'vitest';
import type { RunningSimulator } from '../../simulator/index.ts';
import {
  COMPANY,
  companyClient,
  gate,
  receiptsNow,
  type Served,
  senderReceipt,
  serve,
} from '../../test/support/receivers.ts';
import {
  keyOf,
  letterTo,
  patchSystem,
  resetSimulator,
  SEED_IDS,
  sendMemo,
  startTestSimulator,
} from '../../test/support/simulator.ts';
import type { Receipt } from '../client/types.ts';
import type { ReceivedMemo } from './delivery.ts';
import type { RequestHandler } from './http.ts';
import { createMemoReceiver, type MemoReceiverOptions } from './memo-receiver.ts';
import { createNotificationReceiver } from './notification-receiver.ts';
import { createReceiptReceiver } from './receipt-receiver.ts';

const PUSH_TIMEOUT_MS = 300;

let simulator: RunningSimulator;
const servers: Served[] = [];

beforeAll(async () => {
  simulator = await startTestSimulator({ pushTimeoutMs: PUSH_TIMEOUT_MS });
});
afterAll(() => simulator.stop());
beforeEach(() => resetSimulator(simulator));
afterEach(async () => {
  await simulator.settle();
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function mount(handler: RequestHandler, recorded: { requests: number }): Promise<string> {
  const server = await serve((req, res) => {
    recorded.requests += 1;
    handler(req, res);
  });
  servers.push(server);
  return server.url;
}

interface Recorded<T> {
  /** Requests the receiver got. */
  requests: number;
  calls: T[];
  errors: unknown[];
}

/** A memo receiver for the company's recipient system, which NgDP is told to push to. */
async function companyPushesToMemoReceiver(
  options: Partial<MemoReceiverOptions> = {},
  target: RunningSimulator = simulator,
): Promise<Recorded<ReceivedMemo>> {
  const recorded: Recorded<ReceivedMemo> = { requests: 0, calls: [], errors: [] };
  const endpoint = await mount(
    createMemoReceiver({
      client: companyClient(target),
      onMemo: (received) => {
        recorded.calls.push(received);
      },
      onError: (error) => recorded.errors.push(error),
      ...options,
    }),
    recorded,
  );
  await patchSystem(target, SEED_IDS.companyRecipient, { protocol: 'REST_PUSH', endpoint });
  return recorded;
}

/** A notification receiver for the company's recipient system, switched to publish/subscribe. */
async function companySubscribes(target: RunningSimulator = simulator): Promise<Recorded<ReceivedMemo>> {
  const recorded: Recorded<ReceivedMemo> = { requests: 0, calls: [], errors: [] };
  const endpoint = await mount(
    createNotificationReceiver({
      client: companyClient(target),
      onMemo: (received) => {
        recorded.calls.push(received);
      },
      onError: (error) => recorded.errors.push(error),
    }),
    recorded,
  );
  await patchSystem(target, SEED_IDS.companyRecipient, { protocol: 'REST_PUBLISH_SUBSCRIBE', endpoint });
  return recorded;
}

/** A receipt receiver as the PUSH-receipt sender's receiptEndpoint. */
async function senderPushesReceiptsTo(
  onReceipt: (receipt: Receipt) => void | Promise<void>,
): Promise<Recorded<Receipt>> {
  const recorded: Recorded<Receipt> = { requests: 0, calls: [], errors: [] };
  const receiptEndpoint = await mount(
    createReceiptReceiver({
      onReceipt: async (receipt) => {
        recorded.calls.push(receipt);
        await onReceipt(receipt);
      },
      onError: (error) => recorded.errors.push(error),
    }),
    recorded,
  );
  await patchSystem(simulator, SEED_IDS.senderPush, { receiptEndpoint });
  return recorded;
}

/** Sends a letter and waits until the simulator has done what fell due. */
async function send(
  recipient: Parameters<typeof letterTo>[0],
  extra: Parameters<typeof letterTo>[1] = {},
  sender: string = SEED_IDS.senderPull,
  target: RunningSimulator = simulator,
): Promise<string> {
  const memo = await letterTo(recipient, extra);
  const response = await sendMemo(target, keyOf(target, sender), memo);
  expect(response.status, response.text).toBe(201);
  await target.settle();
  return memo.messageHeader.messageUUID;
}

describe('MeMos NgDP pushes to createMemoReceiver', () => {
  test('are handed to onMemo, and the sender gets the business receipt COMPLETED', async () => {
    const receiver = await companyPushesToMemoReceiver();

    const messageUUID = await send(COMPANY);

    expect(receiver.calls.map((call) => call.messageUUID)).toEqual([messageUUID]);
    expect(await senderReceipt(simulator, messageUUID)).toMatchObject({ receiptStatus: 'COMPLETED' });
    expect(receiver.errors).toEqual([]);
  });

  test('that break the receiver’s own validation rules reach the sender as INVALID with the problems', async () => {
    const receiver = await companyPushesToMemoReceiver({ validation: { notificationMaxLength: 5 } });

    const messageUUID = await send(COMPANY, { notification: 'Longer than five' });

    expect(receiver.calls).toEqual([]);
    const receipt = await senderReceipt(simulator, messageUUID);
    expect(receipt).toMatchObject({ receiptStatus: 'INVALID', errorCode: 'MEMO_SCHEMA_INVALID' });
    expect(receipt.errorMessage).toMatch(/MessageHeader\/notification/);
  });

  test('that onMemo fails on are pushed again by NgDP 10 minutes later, and then completed', async () => {
    let attempts = 0;
    const receiver = await companyPushesToMemoReceiver({
      onMemo: () => {
        attempts += 1;
        if (attempts === 1) throw new Error('archive unavailable');
      },
    });
    const messageUUID = await send(COMPANY);
    expect(await receiptsNow(simulator, messageUUID)).toEqual([]);

    await simulator.clock.advance('PT10M');

    expect(attempts).toBe(2);
    expect(await senderReceipt(simulator, messageUUID)).toMatchObject({ receiptStatus: 'COMPLETED' });
    expect(receiver.errors).toHaveLength(1);
  });

  test('pushed again while onMemo still runs (NgDP gave up waiting) are handled once', async () => {
    const slow = gate();
    let calls = 0;
    const receiver = await companyPushesToMemoReceiver({
      onMemo: () => {
        calls += 1;
        return slow.opened;
      },
    });
    const messageUUID = await send(COMPANY);

    await simulator.clock.advance('PT10M');
    expect(receiver.requests).toBe(2);
    slow.open();

    expect(await senderReceipt(simulator, messageUUID)).toMatchObject({ receiptStatus: 'COMPLETED' });
    expect(calls).toBe(1);
    expect(receiver.errors).toEqual([]);
  });
});

describe('receipts NgDP pushes to createReceiptReceiver', () => {
  test('reach onReceipt as COMPLETED for a letter delivered to a citizen’s mailbox', async () => {
    const receiver = await senderPushesReceiptsTo(() => {});

    const messageUUID = await send({ cpr: '0101700001' }, {}, SEED_IDS.senderPush);

    await vi.waitFor(() => expect(receiver.calls).toHaveLength(1));
    expect(receiver.calls[0]).toMatchObject({ messageUUID, receiptStatus: 'COMPLETED' });
    expect(receiver.calls[0]?.transmissionId).toEqual(expect.any(String));
  });

  test('reach onReceipt as NOT_ALLOWED with NgDP’s errorCode for an exempt citizen', async () => {
    const receiver = await senderPushesReceiptsTo(() => {});

    const messageUUID = await send({ cpr: '0101700002' }, {}, SEED_IDS.senderPush);

    await vi.waitFor(() => expect(receiver.calls).toHaveLength(1));
    expect(receiver.calls[0]).toMatchObject({
      messageUUID,
      receiptStatus: 'NOT_ALLOWED',
      errorCode: 'RECIPIENT_EXEMPT',
    });
  });

  test('that onReceipt fails on are pushed again by NgDP 10 minutes later', async () => {
    let attempts = 0;
    const receiver = await senderPushesReceiptsTo(() => {
      attempts += 1;
      if (attempts === 1) throw new Error('queue full');
    });
    const messageUUID = await send({ cpr: '0101700001' }, {}, SEED_IDS.senderPush);
    await vi.waitFor(() => expect(receiver.calls).toHaveLength(1));

    await simulator.clock.advance('PT10M');

    await vi.waitFor(() => expect(receiver.calls).toHaveLength(2));
    expect(receiver.calls.map((receipt) => receipt.messageUUID)).toEqual([messageUUID, messageUUID]);
    expect(receiver.errors).toHaveLength(1);
  });
});

describe('publish/subscribe with createNotificationReceiver', () => {
  test('a notification has the MeMo fetched and handed to onMemo, and the sender gets COMPLETED', async () => {
    const receiver = await companySubscribes();

    const messageUUID = await send(COMPANY);

    expect(receiver.calls.map((call) => call.messageUUID)).toEqual([messageUUID]);
    expect(await senderReceipt(simulator, messageUUID)).toMatchObject({ receiptStatus: 'COMPLETED' });
  });
});

describe('from sender to recipient and back', () => {
  test('a letter the PUSH sender sends to a PUSH recipient comes back to its receipt receiver as COMPLETED', async () => {
    const recipient = await companyPushesToMemoReceiver();
    const sender = await senderPushesReceiptsTo(() => {});

    const messageUUID = await send(COMPANY, {}, SEED_IDS.senderPush);

    expect(recipient.calls.map((call) => call.messageUUID)).toEqual([messageUUID]);
    await vi.waitFor(() => expect(sender.calls).toHaveLength(1));
    expect(sender.calls[0]).toMatchObject({ messageUUID, receiptStatus: 'COMPLETED' });
  });
});

describe('with chaos repeating every push', () => {
  let chaotic: RunningSimulator;
  beforeAll(async () => {
    chaotic = await startTestSimulator({ pushTimeoutMs: PUSH_TIMEOUT_MS, chaos: { duplicatePushRate: 1 } });
  });
  afterAll(() => chaotic.stop());

  test('a MeMo pushed twice is handed to onMemo once, and the sender gets one COMPLETED', async () => {
    const receiver = await companyPushesToMemoReceiver({}, chaotic);

    const messageUUID = await send(COMPANY, {}, SEED_IDS.senderPull, chaotic);

    expect(receiver.requests).toBe(2);
    expect(receiver.calls).toHaveLength(1);
    expect(await senderReceipt(chaotic, messageUUID)).toMatchObject({ receiptStatus: 'COMPLETED' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(receiver.errors).toEqual([]);
  });

  test('a notification sent twice has its MeMo handed to onMemo once', async () => {
    const receiver = await companySubscribes(chaotic);

    const messageUUID = await send(COMPANY, {}, SEED_IDS.senderPull, chaotic);

    expect(receiver.requests).toBe(2);
    expect(receiver.calls).toHaveLength(1);
    expect(await senderReceipt(chaotic, messageUUID)).toMatchObject({ receiptStatus: 'COMPLETED' });
    expect(receiver.errors).toEqual([]);
  });
});
