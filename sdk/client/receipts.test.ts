/**
 * `client.receipts` against a running simulator over real HTTP: business receipts a PULL sender
 * system fetches (ngdp-api.md §4.4) — listed across pages, read, deleted and acknowledged.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import type { RunningSimulator } from '../../simulator/index.ts';
import { loggedClient } from '../../test/support/client.ts';
import {
  addFault,
  keyOf,
  letterTo,
  resetSimulator,
  SEED_IDS,
  startTestSimulator,
} from '../../test/support/simulator.ts';
import {
  InvalidOptionsError,
  NotFoundError,
  PermissionDeniedError,
  ServiceUnavailableError,
  TimeoutError,
} from '../errors.ts';
import type { DigitalPostClient } from './client.ts';
import type { Receipt } from './types.ts';

let simulator: RunningSimulator;
let client: DigitalPostClient;

beforeAll(async () => {
  simulator = await startTestSimulator();
  client = loggedClient(simulator.apiUrl, keyOf(simulator, SEED_IDS.senderPull)).client;
});
afterAll(() => simulator.stop());
beforeEach(() => resetSimulator(simulator));

/** Sends `count` letters to a registered citizen and waits for their business receipts. */
async function sendLetters(count: number, cpr = '0101700001'): Promise<string[]> {
  const uuids: string[] = [];
  for (let i = 0; i < count; i++) {
    const memo = await letterTo({ cpr });
    await client.memos.send(memo);
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

async function onlyReceipt(): Promise<Receipt> {
  const page = await client.receipts.bulk();
  expect(page.receipts).toHaveLength(1);
  return page.receipts[0] as Receipt;
}

describe('client.receipts.list', () => {
  test('yields every available receipt across pages', async () => {
    const sent = await sendLetters(5);
    const { client: pager, events } = loggedClient(simulator.apiUrl, keyOf(simulator, SEED_IDS.senderPull));
    const receipts = await collect(pager.receipts.list({ pageSize: 2 }));
    expect(receipts.map((receipt) => receipt.messageUUID).sort()).toEqual([...sent].sort());
    expect(receipts.every((receipt) => receipt.receiptStatus === 'COMPLETED')).toBe(true);
    expect(events.filter((event) => event.path.includes('size=2')).length).toBeGreaterThanOrEqual(3);
  });

  test('acknowledging each receipt while iterating still visits every receipt once', async () => {
    const sent = await sendLetters(5);
    const seen: string[] = [];
    for await (const receipt of client.receipts.list({ pageSize: 2 })) {
      seen.push(receipt.messageUUID ?? '');
      await client.receipts.ack(receipt.id ?? '');
    }
    expect(seen.sort()).toEqual([...sent].sort());
    expect((await client.receipts.bulk()).totalElements).toBe(0);
  });

  test('yields each receipt with its own id', async () => {
    await sendLetters(2);
    const receipts = await collect(client.receipts.list());
    expect(receipts.map((receipt) => receipt.id)).toEqual([expect.any(String), expect.any(String)]);
    expect(new Set(receipts.map((receipt) => receipt.id)).size).toBe(2);
  });

  test('yields nothing when there are no receipts', async () => {
    expect(await collect(client.receipts.list())).toEqual([]);
  });

  test('does not consume the receipts it lists', async () => {
    await sendLetters(3);
    await collect(client.receipts.list({ pageSize: 2 }));
    expect((await client.receipts.bulk()).totalElements).toBe(3);
  });

  test('a refused letter yields NOT_ALLOWED with its errorCode', async () => {
    const [uuid] = await sendLetters(1, '0101700002');
    const [receipt] = await collect(client.receipts.list());
    expect(receipt).toMatchObject({
      messageUUID: uuid,
      receiptStatus: 'NOT_ALLOWED',
      errorCode: 'RECIPIENT_EXEMPT',
      errorMessage: expect.any(String),
    });
  });

  test('a system without the SENDER role is refused with PermissionDeniedError', async () => {
    const recipient = loggedClient(simulator.apiUrl, keyOf(simulator, SEED_IDS.companyRecipient)).client;
    await expect(collect(recipient.receipts.list())).rejects.toBeInstanceOf(PermissionDeniedError);
  });
});

describe('client.receipts.bulk', () => {
  test('returns one page of receipts with NgDP’s paging frame', async () => {
    await sendLetters(3);
    const page = await client.receipts.bulk({ page: 1, size: 2 });
    expect(page).toMatchObject({ currentPage: 1, totalPages: 2, elementsOnPage: 1, totalElements: 3 });
    expect(page.receipts).toEqual([
      expect.objectContaining({ id: expect.any(String), receiptStatus: 'COMPLETED' }),
    ]);
  });
});

describe('client.receipts.get', () => {
  test('returns one receipt by its id and leaves it available', async () => {
    const [uuid] = await sendLetters(1);
    const { id } = await onlyReceipt();
    const receipt = await client.receipts.get(id ?? '');
    expect(receipt).toMatchObject({ id, messageUUID: uuid, receiptStatus: 'COMPLETED' });
    expect((await client.receipts.bulk()).totalElements).toBe(1);
  });

  test('with delete: true removes the receipt as it is read', async () => {
    const [uuid] = await sendLetters(1);
    const { id } = await onlyReceipt();
    const receipt = await client.receipts.get(id ?? '', { delete: true });
    expect(receipt).toMatchObject({ id, messageUUID: uuid });
    await expect(client.receipts.get(id ?? '')).rejects.toBeInstanceOf(NotFoundError);
  });

  test('an unknown id fails with NotFoundError', async () => {
    await expect(client.receipts.get('00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({
      name: 'NotFoundError',
      status: 404,
      code: 'NOT_FOUND',
    });
  });
});

describe('client.receipts.ack', () => {
  test('removes the receipt: reading it afterwards fails with NotFoundError', async () => {
    await sendLetters(1);
    const { id } = await onlyReceipt();
    await client.receipts.ack(id ?? '');
    await expect(client.receipts.get(id ?? '')).rejects.toBeInstanceOf(NotFoundError);
  });

  test('a receipt acknowledged twice fails with NotFoundError the second time', async () => {
    await sendLetters(1);
    const { id } = await onlyReceipt();
    await client.receipts.ack(id ?? '');
    await expect(client.receipts.ack(id ?? '')).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('client.receipts.waitFor', () => {
  const onSimulatorTime = () => ({
    now: () => simulator.clock.now().getTime(),
    sleep: (ms: number) => simulator.clock.advance(ms),
  });

  test("returns the letter's business receipt and acknowledges it", async () => {
    const memo = await letterTo({ cpr: '0101700001' });
    await client.memos.send(memo);
    const receipt = await client.receipts.waitFor(memo.messageHeader.messageUUID, {
      clock: onSimulatorTime(),
    });
    expect(receipt).toMatchObject({
      messageUUID: memo.messageHeader.messageUUID,
      receiptStatus: 'COMPLETED',
    });
    expect((await client.receipts.bulk()).receipts).toEqual([]);
  });

  test('waits across polls for a receipt that comes later, leaving others alone', async () => {
    const [other] = await sendLetters(1);
    const slow = await letterTo({ cpr: '0101700006' });
    await client.memos.send(slow);
    const receipt = await client.receipts.waitFor(slow.messageHeader.messageUUID, {
      clock: onSimulatorTime(),
      pollIntervalMs: 10 * 60_000,
      timeoutMs: 2 * 3_600_000,
    });
    expect(receipt?.receiptStatus).toBe('COMPLETED');
    expect((await client.receipts.bulk()).receipts.map((r) => r.messageUUID)).toEqual([other]);
  });

  test('throws a TimeoutError when no receipt comes within the timeout, and can leave it unacknowledged', async () => {
    const slow = await letterTo({ cpr: '0101700006' });
    const { messageUUID } = slow.messageHeader;
    await client.memos.send(slow);
    const early = client.receipts.waitFor(messageUUID, {
      clock: onSimulatorTime(),
      pollIntervalMs: 60_000,
      timeoutMs: 30 * 60_000,
    });
    await expect(early).rejects.toBeInstanceOf(TimeoutError);
    await expect(early).rejects.toMatchObject({
      code: 'TIMEOUT',
      message: `the receipt for ${messageUUID} did not come within 1800000 ms`,
    });
    await simulator.clock.advance('PT1H');
    const late = await client.receipts.waitFor(slow.messageHeader.messageUUID, {
      ack: false,
      clock: onSimulatorTime(),
    });
    expect(late?.receiptStatus).toBe('COMPLETED');
    expect((await client.receipts.bulk()).receipts).toHaveLength(1);
  });

  test("each poll has the client's request timeout, not the whole wait: a slower poll is given up and tried again", async () => {
    const memo = await letterTo({ cpr: '0101700001' });
    await client.memos.send(memo);
    await simulator.settle();
    const waiting = loggedClient(simulator.apiUrl, keyOf(simulator, SEED_IDS.senderPull), { timeoutMs: 100 });
    await addFault(simulator, { operation: 'GET /receipts-bulk/', delayMs: 1_000, times: 1 });

    const receipt = await waiting.client.receipts.waitFor(memo.messageHeader.messageUUID, {
      clock: onSimulatorTime(),
      timeoutMs: 60_000,
    });

    expect(receipt.receiptStatus).toBe('COMPLETED');
    const polls = waiting.events.filter((event) => event.path.startsWith('/receipts-bulk/'));
    expect(polls[0]).toMatchObject({ attempt: 0, error: 'TIMEOUT' });
    expect(polls[1]).toMatchObject({ attempt: 1, status: 200 });
  });

  test('a poll that fails with a retryable error does not end the wait', async () => {
    const memo = await letterTo({ cpr: '0101700001' });
    await client.memos.send(memo);
    await addFault(simulator, { operation: 'GET /receipts-bulk/', status: 503, times: 1 });

    const receipt = await client.receipts.waitFor(memo.messageHeader.messageUUID, {
      clock: onSimulatorTime(),
      retry: false,
    });

    expect(receipt.receiptStatus).toBe('COMPLETED');
  });

  test('a poll that fails for good ends the wait with its error', async () => {
    const memo = await letterTo({ cpr: '0101700001' });
    await client.memos.send(memo);
    await addFault(simulator, { operation: 'GET /receipts-bulk/', status: 403, times: 1 });

    await expect(
      client.receipts.waitFor(memo.messageHeader.messageUUID, { clock: onSimulatorTime() }),
    ).rejects.toBeInstanceOf(PermissionDeniedError);
  });

  test('the wait ran out: TimeoutError with the last failed poll as its cause', async () => {
    await addFault(simulator, { operation: 'GET /receipts-bulk/', status: 503 });
    const error = await client.receipts
      .waitFor('5a2c4b1e-8f3d-4c6a-9b7e-1d2f3a4b5c6d', {
        clock: onSimulatorTime(),
        retry: false,
        timeoutMs: 60_000,
        pollIntervalMs: 30_000,
      })
      .catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).requestId).toBeUndefined();
    expect((error as TimeoutError).cause).toBeInstanceOf(ServiceUnavailableError);
  });

  test.each([{ timeoutMs: 0 }, { timeoutMs: Number.NaN }, { pollIntervalMs: -1 }])(
    'refuses the options %o before polling',
    async (options) => {
      await expect(
        client.receipts.waitFor('5a2c4b1e-8f3d-4c6a-9b7e-1d2f3a4b5c6d', options),
      ).rejects.toBeInstanceOf(InvalidOptionsError);
    },
  );
});
