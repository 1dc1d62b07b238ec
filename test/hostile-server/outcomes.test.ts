/**
 * Issue 12, items 6 and 7: a call whose answer was lost after it changed something is never sent
 * again when it consumes, and never reported as a plain failure: it ends in an UnknownOutcomeError
 * that names the operation and how to check. A send whose retry meets 409 DUPLICATE_MESSAGE_UUID met
 * the letter of its own lost attempt: it resolves to that letter's receipt, or says the outcome is
 * unknown — never "a different message". A 201 without a readable receipt never resolves to
 * `undefined`.
 *
 * The hostile server does the state change (deletes the receipt, takes the letter) and then closes
 * the connection without answering.
 */
import { afterEach, describe, expect, test } from 'vitest';
import {
  BatchSendError,
  ConnectionError,
  DuplicateMessageError,
  NotFoundError,
  ServiceUnavailableError,
  UnexpectedResponseError,
  UnknownOutcomeError,
} from '../../sdk/errors.ts';
import { serializeMemoToBytes } from '../../sdk/memo/writer.ts';
import { letterTo } from '../support/simulator.ts';
import { clientFor, rejection } from './client.ts';
import {
  firstThen,
  type HostileServer,
  json,
  loseAnswerAfter,
  raw,
  startHostileServer,
  uuid,
} from './server.ts';

let server: HostileServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const RECEIPT_ID = '7a9e0c1d-0000-4000-8000-0000000000aa';
const receiptOf = (messageUUID: string) => ({
  transmissionId: '0d4f4b8e-2c55-4a57-9d0e-7f3e8b1a6c21',
  messageUUID,
  timeStamp: '2025-06-02T08:00:00Z',
  receiptStatus: 'RECEIVED',
});
const DUPLICATE = { code: 'DUPLICATE_MESSAGE_UUID', message: 'a different message has this messageUUID' };

describe('a read that deletes is never sent twice', () => {
  test('receipts.get with delete whose answer was lost: UnknownOutcomeError after one request', async () => {
    const deleted: string[] = [];
    server = await startHostileServer({
      'GET /receipts/:id': loseAnswerAfter((request) => deleted.push(request.path)),
    });
    const { client } = clientFor(server, { retry: { maxRetries: 3, initialDelayMs: 1 } });
    const error = await rejection(client.receipts.get(RECEIPT_ID, { delete: true }));

    expect(error).toBeInstanceOf(UnknownOutcomeError);
    expect(error).toMatchObject({
      code: 'UNKNOWN_OUTCOME',
      operation: 'receipts.get (delete: true)',
      retryable: false,
    });
    expect((error as UnknownOutcomeError).cause).toBeInstanceOf(ConnectionError);
    expect((error as Error).message).toContain('receipts.get(id) without delete answers 404 when it is gone');
    expect(server.requests).toHaveLength(1);
    expect(deleted).toEqual([`/receipts/${RECEIPT_ID}`]);
  });

  test('receipts.get with delete answered 503 (nothing done) is tried again', async () => {
    server = await startHostileServer({
      'GET /receipts/:id': firstThen(1, json(503, { code: 'UNAVAILABLE' }), json(200, receiptOf(uuid()))),
    });
    const { client } = clientFor(server);
    const receipt = await client.receipts.get(RECEIPT_ID, { delete: true });

    expect(receipt).toMatchObject({ id: RECEIPT_ID, receiptStatus: 'RECEIVED' });
    expect(server.requests).toHaveLength(2);
  });

  test('receipts.get without delete whose answer was lost is simply read again', async () => {
    server = await startHostileServer({
      'GET /receipts/:id': firstThen(
        1,
        loseAnswerAfter(() => {}),
        json(200, receiptOf(uuid())),
      ),
    });
    const { client } = clientFor(server);

    expect(await client.receipts.get(RECEIPT_ID)).toMatchObject({ id: RECEIPT_ID });
    expect(server.requests.map((request) => request.query.get('delete'))).toEqual(['false', 'false']);
  });
});

describe('an acknowledgement or recall whose answer was lost', () => {
  test('receipts.ack: the retry finds the receipt gone (404) → UnknownOutcomeError, not NotFoundError', async () => {
    let present = true;
    server = await startHostileServer({
      'DELETE /receipts/:id': (request, response) => {
        if (!present) return json(404, { code: 'NOT_FOUND', message: 'no such receipt' })(request, response);
        return loseAnswerAfter(() => {
          present = false;
        })(request, response);
      },
    });
    const { client } = clientFor(server);
    const error = await rejection(client.receipts.ack(RECEIPT_ID));

    expect(error).toBeInstanceOf(UnknownOutcomeError);
    expect(error).toMatchObject({ operation: 'receipts.ack', retryable: true });
    expect((error as UnknownOutcomeError).cause).toBeInstanceOf(NotFoundError);
    expect((error as Error).message).toMatch(/the answer to an earlier attempt was lost/);
    expect((error as UnknownOutcomeError).check).toMatch(/receipts\.list\(\)/);
    expect(server.requests).toHaveLength(2);
  });

  test('a plain 404 to an acknowledgement stays a NotFoundError', async () => {
    server = await startHostileServer({
      'DELETE /receipts/:id': json(404, { code: 'NOT_FOUND', message: 'gone' }),
    });
    const { client } = clientFor(server);

    expect(await rejection(client.receipts.ack(RECEIPT_ID))).toBeInstanceOf(NotFoundError);
  });

  test('memos.recall: UnknownOutcomeError after one request (a second recall could not tell)', async () => {
    const recalled: string[] = [];
    server = await startHostileServer({
      'DELETE /memos/:id': loseAnswerAfter((request) => recalled.push(request.path)),
    });
    const { client } = clientFor(server);
    const messageUUID = uuid();
    const error = await rejection(client.memos.recall(messageUUID));

    expect(error).toBeInstanceOf(UnknownOutcomeError);
    expect(error).toMatchObject({ operation: 'memos.recall', retryable: false });
    expect((error as UnknownOutcomeError).check).toContain("NgDP's event log");
    expect(recalled).toEqual([`/memos/${messageUUID}`]);
  });

  test("inbox.complete: a retry answered 409 (the receipt is there) is the lost attempt's success", async () => {
    server = await startHostileServer({
      'POST /memos/:id/receipt': firstThen(
        1,
        loseAnswerAfter(() => {}),
        json(409, { code: 'RECEIPT_EXISTS' }),
      ),
    });
    const { client } = clientFor(server);

    await expect(client.inbox.complete(uuid())).resolves.toBeUndefined();
    expect(server.requests).toHaveLength(2);
  });
});

describe('a send after a lost answer', () => {
  async function letter() {
    const memo = await letterTo({ cpr: '0101700001' });
    return { memo, messageUUID: memo.messageHeader.messageUUID, bytes: serializeMemoToBytes(memo) };
  }

  test("a retry answered 409 DUPLICATE_MESSAGE_UUID with the receipt resolves to it: it is this letter's", async () => {
    const { memo, messageUUID, bytes } = await letter();
    const original = receiptOf(messageUUID);
    server = await startHostileServer({
      'POST /memos/': firstThen(
        1,
        loseAnswerAfter(() => {}),
        json(409, { ...DUPLICATE, receipt: original }),
      ),
    });
    const { client } = clientFor(server);

    expect(await client.memos.send(memo)).toEqual(original);
    expect(server.requests.map((request) => Buffer.compare(request.body, bytes))).toEqual([0, 0]);
  });

  test('without a receipt: UnknownOutcomeError saying to send it again unchanged — never a new messageUUID', async () => {
    const { memo, messageUUID } = await letter();
    server = await startHostileServer({
      'POST /memos/': firstThen(
        1,
        loseAnswerAfter(() => {}),
        json(409, DUPLICATE),
      ),
    });
    const { client } = clientFor(server);
    const error = await rejection(client.memos.send(memo));

    expect(error).toBeInstanceOf(UnknownOutcomeError);
    expect(error).toMatchObject({ operation: 'memos.send', retryable: true });
    expect((error as UnknownOutcomeError).cause).toBeInstanceOf(DuplicateMessageError);
    expect((error as UnknownOutcomeError).check).toContain(`receipts.waitFor('${messageUUID}')`);
    expect((error as UnknownOutcomeError).check).toContain('Never send it under a new messageUUID');
  });

  test("a 409 whose receipt names another messageUUID is not taken as this letter's", async () => {
    const { memo } = await letter();
    server = await startHostileServer({
      'POST /memos/': firstThen(
        1,
        loseAnswerAfter(() => {}),
        json(409, { ...DUPLICATE, receipt: receiptOf(uuid()) }),
      ),
    });
    const { client } = clientFor(server);

    expect(await rejection(client.memos.send(memo))).toBeInstanceOf(UnknownOutcomeError);
  });

  test('a lost answer and then only 503s: UnknownOutcomeError, its cause the last 503', async () => {
    const { memo } = await letter();
    server = await startHostileServer({
      'POST /memos/': firstThen(
        1,
        loseAnswerAfter(() => {}),
        json(503, { errorCode: 'SERVICE_UNAVAILABLE' }),
      ),
    });
    const { client } = clientFor(server, { retry: { maxRetries: 2, initialDelayMs: 1, maxRetryAfterMs: 1 } });
    const error = await rejection(client.memos.send(memo));

    expect(error).toBeInstanceOf(UnknownOutcomeError);
    expect((error as UnknownOutcomeError).cause).toBeInstanceOf(ServiceUnavailableError);
    expect(server.requests).toHaveLength(3);
  });

  test('a first-attempt 409 DUPLICATE_MESSAGE_UUID stays a DuplicateMessageError with its receipt', async () => {
    const { memo, messageUUID } = await letter();
    const original = receiptOf(messageUUID);
    server = await startHostileServer({ 'POST /memos/': json(409, { ...DUPLICATE, receipt: original }) });
    const { client } = clientFor(server);
    const error = await rejection(client.memos.send(memo));

    expect(error).toBeInstanceOf(DuplicateMessageError);
    expect((error as DuplicateMessageError).originalReceipt).toEqual(original);
  });
});

describe('a 201 without a usable receipt never resolves', () => {
  test.each([
    ['an empty body', raw(201, { 'content-type': 'application/json' })],
    ['null', raw(201, { 'content-type': 'application/json' }, 'null')],
    [
      'a receipt without transmissionId',
      json(201, { timeStamp: '2025-06-02T08:00:00Z', receiptStatus: 'RECEIVED' }),
    ],
  ])(
    'memos.send answered 201 with %s: UnknownOutcomeError, cause UNEXPECTED_RESPONSE',
    async (_name, answer) => {
      const memo = await letterTo({ cpr: '0101700001' });
      server = await startHostileServer({ 'POST /memos/': answer });
      const { client } = clientFor(server);
      const error = await rejection(client.memos.send(memo));

      expect(error).toBeInstanceOf(UnknownOutcomeError);
      expect((error as UnknownOutcomeError).cause).toBeInstanceOf(UnexpectedResponseError);
      expect((error as Error).message).toMatch(
        /^memos\.send may or may not have taken effect: NgDP answered 201/,
      );
    },
  );

  test('memos.send answered 201 with the receipt of another messageUUID: UnknownOutcomeError', async () => {
    const memo = await letterTo({ cpr: '0101700001' });
    const other = uuid();
    server = await startHostileServer({ 'POST /memos/': json(201, receiptOf(other)) });
    const { client } = clientFor(server);
    const error = await rejection(client.memos.send(memo));

    expect(error).toBeInstanceOf(UnknownOutcomeError);
    expect(((error as UnknownOutcomeError).cause as Error).message).toContain(`for the message ${other}`);
  });

  test('sendBatch answered 201 with an empty body does not make up RECEIVED: BatchSendError, nothing accepted', async () => {
    const memos = [await letterTo({ cpr: '0101700001' }), await letterTo({ cpr: '0101700002' })];
    server = await startHostileServer({ 'POST /memos/': raw(201, { 'content-type': 'application/json' }) });
    const { client } = clientFor(server);
    const error = await rejection(client.memos.sendBatch(memos));

    expect(error).toBeInstanceOf(BatchSendError);
    expect(error).toMatchObject({ containers: [], accepted: 0, resumeFrom: 0 });
    expect((error as BatchSendError).unsentMessageUUIDs).toEqual(
      memos.map((memo) => memo.messageHeader.messageUUID),
    );
    expect((error as BatchSendError).cause).toBeInstanceOf(UnknownOutcomeError);
  });
});
