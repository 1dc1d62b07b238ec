/**
 * `client.memos` against a running simulator over real HTTP: sending a MeMo (ngdp-api.md §3) as an
 * object, XML text or bytes, local validation first, an idempotent resend, and recall before the
 * value date (§6).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import type { RunningSimulator } from '../../simulator/index.ts';
import { loggedClient, startRecorder } from '../../test/support/client.ts';
import {
  advanceClock,
  keyOf,
  letterTo,
  mailbox,
  messageState,
  receiptFor,
  resetSimulator,
  SEED_IDS,
  startTestSimulator,
} from '../../test/support/simulator.ts';
import { ConflictError, MemoValidationError, NotFoundError, UnprocessableEntityError } from '../errors.ts';
import { serializeMemo, serializeMemoToBytes } from '../memo/writer.ts';
import type { DigitalPostClient } from './client.ts';

let simulator: RunningSimulator;
let senderKey: string;
let client: DigitalPostClient;

beforeAll(async () => {
  simulator = await startTestSimulator();
  senderKey = keyOf(simulator, SEED_IDS.senderPull);
  client = loggedClient(simulator.apiUrl, senderKey).client;
});
afterAll(() => simulator.stop());
beforeEach(() => resetSimulator(simulator));

const CITIZEN = { cpr: '0101700001' } as const;

/** A calendar date this many days after the simulator's now (a reset keeps its clock). */
function daysAhead(days: number): string {
  return new Date(simulator.clock.now().getTime() + days * 86_400_000).toISOString().slice(0, 10);
}

describe('client.memos.send', () => {
  test('resolves to the technical receipt RECEIVED', async () => {
    const memo = await letterTo(CITIZEN);
    const receipt = await client.memos.send(memo);
    expect(receipt).toEqual({
      transmissionId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      messageUUID: memo.messageHeader.messageUUID,
      timeStamp: expect.any(String),
      receiptStatus: 'RECEIVED',
    });
  });

  test('the letter reaches the mailbox and the sender gets COMPLETED', async () => {
    const memo = await letterTo(CITIZEN);
    await client.memos.send(memo);
    await simulator.settle();
    const letters = await mailbox(simulator, '0101700001');
    expect(letters.map((letter) => letter.messageUUID)).toEqual([memo.messageHeader.messageUUID]);
    const receipt = await receiptFor(simulator, senderKey, memo.messageHeader.messageUUID);
    expect(receipt.receiptStatus).toBe('COMPLETED');
  });

  test('posts the serialized MeMo as application/xml with its memo-message-uuid', async () => {
    const recorder = await startRecorder(simulator.apiUrl);
    try {
      const memo = await letterTo(CITIZEN);
      await loggedClient(recorder.apiUrl, senderKey).client.memos.send(memo);
      const [sent] = recorder.requests;
      expect(sent?.method).toBe('POST');
      expect(sent?.url).toBe(`/apis/v1/memos/?memo-message-uuid=${memo.messageHeader.messageUUID}`);
      expect(sent?.headers['content-type']).toBe('application/xml');
      expect(sent?.body.equals(Buffer.from(serializeMemoToBytes(memo)))).toBe(true);
    } finally {
      await recorder.close();
    }
  });

  test('a MeMo given as bytes is sent byte for byte', async () => {
    const recorder = await startRecorder(simulator.apiUrl);
    try {
      const memo = await letterTo(CITIZEN);
      const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), serializeMemoToBytes(memo)]);
      const receipt = await loggedClient(recorder.apiUrl, senderKey).client.memos.send(bytes);
      expect(receipt.messageUUID).toBe(memo.messageHeader.messageUUID);
      expect(recorder.requests[0]?.body.equals(bytes)).toBe(true);
    } finally {
      await recorder.close();
    }
  });

  test('a MeMo given as XML text is sent as UTF-8', async () => {
    const memo = await letterTo(CITIZEN, { label: 'Årsopgørelse for æøå' });
    const receipt = await client.memos.send(serializeMemo(memo));
    expect(receipt.messageUUID).toBe(memo.messageHeader.messageUUID);
    expect((await messageState(simulator, memo.messageHeader.messageUUID)).label).toBe(
      'Årsopgørelse for æøå',
    );
  });

  test('sending the same MeMo again resolves to the original receipt and delivers one letter', async () => {
    const memo = await letterTo(CITIZEN);
    const first = await client.memos.send(memo);
    const again = await client.memos.send(memo);
    await simulator.settle();
    expect(again.transmissionId).toBe(first.transmissionId);
    expect(await mailbox(simulator, '0101700001')).toHaveLength(1);
  });

  test('text that is not XML is refused locally as MemoValidationError', async () => {
    await expect(client.memos.send('not a memo')).rejects.toMatchObject({
      name: 'MemoValidationError',
      issues: [{ code: 'XML_MALFORMED' }],
    });
  });

  test('validate: false sends an invalid MeMo, and NgDP answers with an INVALID business receipt', async () => {
    const memo = await letterTo(CITIZEN);
    memo.messageHeader.label = '';
    const receipt = await client.memos.send(memo, { validate: false });
    expect(receipt.receiptStatus).toBe('RECEIVED');
    await simulator.settle();
    const business = await receiptFor(simulator, senderKey, memo.messageHeader.messageUUID);
    expect(business).toMatchObject({ receiptStatus: 'INVALID', errorCode: 'MEMO_SCHEMA_INVALID' });
  });

  test('XML without a messageUUID is refused locally even with validate: false', async () => {
    const memo = await letterTo(CITIZEN);
    const xml = serializeMemo(memo).replace(/<memo:messageUUID>[^<]*<\/memo:messageUUID>/, '');
    const error = await client.memos.send(xml, { validate: false }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(MemoValidationError);
    expect(error).toMatchObject({ issues: [{ path: 'MessageHeader/messageUUID' }] });
  });
});

describe('client.memos.recall', () => {
  test('a letter waiting for its value date is recalled and never delivered', async () => {
    const memo = await letterTo(CITIZEN, { doNotDeliverUntil: daysAhead(2) });
    await client.memos.send(memo);
    await simulator.settle();
    await client.memos.recall(memo.messageHeader.messageUUID);
    await advanceClock(simulator, 'P3D');
    await simulator.settle();
    expect((await messageState(simulator, memo.messageHeader.messageUUID)).state).toBe('RECALLED');
    expect(await mailbox(simulator, '0101700001')).toEqual([]);
  });

  test('a letter recalled twice fails with ConflictError ALREADY_RECALLED', async () => {
    const memo = await letterTo(CITIZEN, { doNotDeliverUntil: daysAhead(2) });
    await client.memos.send(memo);
    await client.memos.recall(memo.messageHeader.messageUUID);
    const again = client.memos.recall(memo.messageHeader.messageUUID);
    await expect(again).rejects.toBeInstanceOf(ConflictError);
    await expect(again).rejects.toMatchObject({ code: 'ALREADY_RECALLED' });
  });

  test('a letter without a value date fails with UnprocessableEntityError NO_VALUE_DATE', async () => {
    const memo = await letterTo(CITIZEN);
    await client.memos.send(memo);
    const recall = client.memos.recall(memo.messageHeader.messageUUID);
    await expect(recall).rejects.toBeInstanceOf(UnprocessableEntityError);
    await expect(recall).rejects.toMatchObject({ status: 422, code: 'NO_VALUE_DATE' });
  });

  test('a letter past its value date fails with ConflictError ALREADY_DELIVERED', async () => {
    const memo = await letterTo(CITIZEN, { doNotDeliverUntil: daysAhead(1) });
    await client.memos.send(memo);
    await advanceClock(simulator, 'P2D');
    await simulator.settle();
    await expect(client.memos.recall(memo.messageHeader.messageUUID)).rejects.toMatchObject({
      status: 409,
      code: 'ALREADY_DELIVERED',
    });
  });

  test("another system's letter fails with NotFoundError", async () => {
    const memo = await letterTo(CITIZEN, { doNotDeliverUntil: daysAhead(2) });
    await client.memos.send(memo);
    const other = loggedClient(simulator.apiUrl, keyOf(simulator, SEED_IDS.senderPush)).client;
    await expect(other.memos.recall(memo.messageHeader.messageUUID)).rejects.toBeInstanceOf(NotFoundError);
  });
});
