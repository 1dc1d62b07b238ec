/**
 * The three receivers as express 5 middleware, with the simulator (as NgDP) pushing to them — in an
 * app that parses bodies before they run, as real apps do (`express.json()` for everything, or
 * `express.raw()`/`express.text()` on the receivers' paths).
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test, vi } from 'vitest';
import type { RunningSimulator } from '../../simulator/index.ts';
import {
  COMPANY,
  companyClient,
  multipart,
  post,
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
import { createMemoReceiver } from './memo-receiver.ts';
import { createNotificationReceiver } from './notification-receiver.ts';
import { createReceiptReceiver } from './receipt-receiver.ts';

let simulator: RunningSimulator;
let server: Served;
const memos: ReceivedMemo[] = [];
const receipts: Receipt[] = [];
const errors: unknown[] = [];
/** What reached the app's own error middleware (nothing should). */
const appErrors: unknown[] = [];
let failNextMemo = false;

beforeAll(async () => {
  simulator = await startTestSimulator();
  const client = companyClient(simulator);
  const onMemo = (received: ReceivedMemo): void => {
    if (failNextMemo) {
      failNextMemo = false;
      throw new Error('not now');
    }
    memos.push(received);
  };
  const onReceipt = (receipt: Receipt): void => {
    receipts.push(receipt);
  };
  const onError = (error: unknown): void => {
    errors.push(error);
  };
  const app = express();
  app.post('/raw/memos', express.raw({ type: 'multipart/form-data', limit: '10mb' }));
  app.post('/raw/receipts', express.raw({ type: '*/*' }));
  app.post('/text/receipts', express.text({ type: '*/*' }));
  app.use(express.json());
  app.post('/memos', createMemoReceiver({ client, onMemo, onError }));
  app.post('/raw/memos', createMemoReceiver({ client, onMemo, onError }));
  app.post('/receipts', createReceiptReceiver({ onReceipt, onError }));
  app.post('/raw/receipts', createReceiptReceiver({ onReceipt, onError }));
  app.post('/text/receipts', createReceiptReceiver({ onReceipt, onError }));
  app.post('/notifications', createNotificationReceiver({ client, onMemo, onError }));
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    appErrors.push(error);
    res.status(599).end();
  });
  server = await serve(app);
});
afterAll(async () => {
  await server.close();
  await simulator.stop();
});
beforeEach(async () => {
  await resetSimulator(simulator);
  memos.length = 0;
  receipts.length = 0;
  errors.length = 0;
  appErrors.length = 0;
  failNextMemo = false;
});
afterEach(async () => {
  await simulator.settle();
  expect(appErrors).toEqual([]);
});

async function send(
  sender: string = SEED_IDS.senderPull,
  recipient: Parameters<typeof letterTo>[0] = COMPANY,
) {
  const memo = await letterTo(recipient);
  const response = await sendMemo(simulator, keyOf(simulator, sender), memo);
  expect(response.status, response.text).toBe(201);
  await simulator.settle();
  return memo.messageHeader.messageUUID;
}

const companyPushesTo = (path: string) =>
  patchSystem(simulator, SEED_IDS.companyRecipient, {
    protocol: 'REST_PUSH',
    endpoint: `${server.url}${path}`,
  });

const senderReceiptsTo = (path: string) =>
  patchSystem(simulator, SEED_IDS.senderPush, { receiptEndpoint: `${server.url}${path}` });

describe('createMemoReceiver in express', () => {
  test('takes a pushed MeMo in an app that uses express.json(), and the sender gets COMPLETED', async () => {
    await companyPushesTo('/memos');

    const messageUUID = await send();

    expect(memos.map((memo) => memo.messageUUID)).toEqual([messageUUID]);
    expect(await senderReceipt(simulator, messageUUID)).toMatchObject({ receiptStatus: 'COMPLETED' });
  });

  test('takes a pushed MeMo whose body express.raw() has already read', async () => {
    await companyPushesTo('/raw/memos');

    const messageUUID = await send();

    expect(memos.map((memo) => memo.messageUUID)).toEqual([messageUUID]);
    expect(await senderReceipt(simulator, messageUUID)).toMatchObject({ receiptStatus: 'COMPLETED' });
  });

  test('answers an onMemo failure itself with 500, and NgDP delivers again 10 minutes later', async () => {
    await companyPushesTo('/memos');
    failNextMemo = true;

    const messageUUID = await send();
    expect(memos).toEqual([]);
    await simulator.clock.advance('PT10M');

    expect(memos.map((memo) => memo.messageUUID)).toEqual([messageUUID]);
    expect(errors).toHaveLength(1);
  });

  test('answers a push without a part "file" with its own 400 JSON, not express’s error page', async () => {
    const { body, contentType } = multipart([{ name: 'other', content: 'x' }]);

    const answer = await post(`${server.url}/memos`, body, contentType);

    expect(answer.status).toBe(400);
    expect(answer.json).toEqual({ code: 'MEMO_MISSING', message: 'MeMo is not present in request' });
  });
});

describe('createReceiptReceiver in express', () => {
  test.each(['/receipts', '/raw/receipts', '/text/receipts'])(
    'at %s takes the receipt NgDP pushes, whichever body parser read it first',
    async (path) => {
      await senderReceiptsTo(path);

      const messageUUID = await send(SEED_IDS.senderPush, { cpr: '0101700001' });

      await vi.waitFor(() => expect(receipts).toHaveLength(1));
      expect(receipts[0]).toMatchObject({ messageUUID, receiptStatus: 'COMPLETED' });
    },
  );

  test('answers a body that is not a receipt with 400 JSON after express.json() parsed it', async () => {
    const answer = await post(
      `${server.url}/receipts`,
      JSON.stringify({ hello: 'world' }),
      'application/json',
    );

    expect(answer.status).toBe(400);
    expect(answer.json).toMatchObject({ code: 'INVALID_RECEIPT' });
  });
});

describe('createNotificationReceiver in express', () => {
  test('takes the notification express.json() parsed, fetches the MeMo, and the sender gets COMPLETED', async () => {
    await patchSystem(simulator, SEED_IDS.companyRecipient, {
      protocol: 'REST_PUBLISH_SUBSCRIBE',
      endpoint: `${server.url}/notifications`,
    });

    const messageUUID = await send();

    expect(memos.map((memo) => memo.messageUUID)).toEqual([messageUUID]);
    expect(await senderReceipt(simulator, messageUUID)).toMatchObject({ receiptStatus: 'COMPLETED' });
  });
});

describe('the receivers behind one another', () => {
  test('a letter from the PUSH sender to the PUSH recipient comes back to the sender’s receipt endpoint', async () => {
    await companyPushesTo('/memos');
    await senderReceiptsTo('/receipts');

    const messageUUID = await send(SEED_IDS.senderPush);

    expect(memos.map((memo) => memo.messageUUID)).toEqual([messageUUID]);
    await vi.waitFor(() => expect(receipts).toHaveLength(1));
    expect(receipts[0]).toMatchObject({ messageUUID, receiptStatus: 'COMPLETED' });
  });
});
