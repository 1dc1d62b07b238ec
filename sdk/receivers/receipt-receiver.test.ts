/**
 * `createReceiptReceiver` over real HTTP on `node:http`, fed by hand: what `onReceipt` gets and
 * what the receiver answers.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, test } from 'vitest';
import { gate, post, type Served, serve } from '../../test/support/receivers.ts';
import type { Receipt } from '../client/types.ts';
import { createReceiptReceiver, type ReceiptReceiverOptions } from './receipt-receiver.ts';

const servers: Served[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

interface Harness {
  url: string;
  receipts: Receipt[];
  errors: unknown[];
}

async function receiver(options: Partial<ReceiptReceiverOptions> = {}): Promise<Harness> {
  const receipts: Receipt[] = [];
  const errors: unknown[] = [];
  const server = await serve(
    createReceiptReceiver({
      onReceipt: (receipt) => {
        receipts.push(receipt);
      },
      onError: (error) => errors.push(error),
      ...options,
    }),
  );
  servers.push(server);
  return { url: server.url, receipts, errors };
}

const RECEIPT = {
  transmissionId: randomUUID(),
  messageUUID: randomUUID(),
  timeStamp: '2024-03-01T09:16:02.114Z',
  receiptStatus: 'NOT_ALLOWED',
  errorCode: 'RECIPIENT_EXEMPT',
  errorMessage: 'the recipient is exempt from Digital Post',
} as const;

describe('a pushed receipt', () => {
  test('is handed to onReceipt with NgDP’s field names and answered 200 with no body', async () => {
    const harness = await receiver();

    const answer = await post(harness.url, JSON.stringify(RECEIPT), 'application/json');

    expect(answer.status).toBe(200);
    expect(answer.text).toBe('');
    expect(harness.receipts).toEqual([RECEIPT]);
  });

  test('keeps only the fields a Receipt has', async () => {
    const harness = await receiver();

    await post(harness.url, JSON.stringify({ ...RECEIPT, extra: 'x', nested: { a: 1 } }), 'application/json');

    expect(harness.receipts).toEqual([RECEIPT]);
  });

  test('without a Content-Type is read as JSON', async () => {
    const harness = await receiver();

    const answer = await post(harness.url, JSON.stringify(RECEIPT), undefined);

    expect(answer.status).toBe(200);
    expect(harness.receipts).toHaveLength(1);
  });

  test('is answered only after onReceipt has resolved', async () => {
    const slow = gate();
    const harness = await receiver({ onReceipt: () => slow.opened });
    let answered = false;

    const answer = post(harness.url, JSON.stringify(RECEIPT), 'application/json').then((result) => {
      answered = true;
      return result;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(answered).toBe(false);
    slow.open();

    expect((await answer).status).toBe(200);
  });

  test('is answered 500 when onReceipt throws, so that NgDP pushes it again, and onError gets the error', async () => {
    const failure = new Error('database down');
    const harness = await receiver({
      onReceipt: () => Promise.reject(failure),
    });

    const answer = await post(harness.url, JSON.stringify(RECEIPT), 'application/json');

    expect(answer.status).toBe(500);
    expect(answer.json).toMatchObject({ code: 'RECEIPT_NOT_HANDLED' });
    expect(harness.errors).toEqual([failure]);
  });
});

describe('a body that is not a receipt', () => {
  test('is answered 400 INVALID_RECEIPT naming every missing field', async () => {
    const harness = await receiver();

    const answer = await post(harness.url, JSON.stringify({ messageUUID: randomUUID() }), 'application/json');

    expect(answer.status).toBe(400);
    expect(answer.json).toMatchObject({ code: 'INVALID_RECEIPT' });
    const { message } = answer.json as { message: string };
    expect(message).toMatch(/transmissionId/);
    expect(message).toMatch(/timeStamp/);
    expect(message).toMatch(/receiptStatus/);
    expect(harness.receipts).toEqual([]);
  });

  test('with a receiptStatus NgDP does not define is answered 400', async () => {
    const harness = await receiver();

    const answer = await post(
      harness.url,
      JSON.stringify({ ...RECEIPT, receiptStatus: 'DONE' }),
      'application/json',
    );

    expect(answer.status).toBe(400);
  });

  test('that is not JSON is answered 400 INVALID_JSON', async () => {
    const harness = await receiver();

    const answer = await post(harness.url, '{"transmissionId":', 'application/json');

    expect(answer.status).toBe(400);
    expect(answer.json).toMatchObject({ code: 'INVALID_JSON' });
  });

  test('with another content type than JSON is answered 415', async () => {
    const harness = await receiver();

    const answer = await post(harness.url, '<Receipt/>', 'application/xml');

    expect(answer.status).toBe(415);
    expect(answer.json).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE' });
  });

  test('over maxBytes is answered 413', async () => {
    const harness = await receiver({ maxBytes: 100 });

    const answer = await post(
      harness.url,
      JSON.stringify({ ...RECEIPT, errorMessage: 'x'.repeat(200) }),
      'application/json',
    );

    expect(answer.status).toBe(413);
    expect(harness.receipts).toEqual([]);
  });

  test('sent with GET is answered 405', async () => {
    const harness = await receiver();

    expect((await post(harness.url, '', undefined, 'GET')).status).toBe(405);
  });
});

describe('createReceiptReceiver', () => {
  test('refuses options it cannot work with when it is created', () => {
    expect(() => createReceiptReceiver({} as ReceiptReceiverOptions)).toThrow(/onReceipt/);
    expect(() => createReceiptReceiver({ onReceipt: () => {}, maxBytes: -1 })).toThrow(/maxBytes/);
  });
});
