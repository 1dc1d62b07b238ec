/**
 * Lost answers: fault rules with `"drop": "BEFORE"` (the connection closes, nothing is done) and
 * `"drop": "AFTER"` (the call is done and committed, then the connection closes without an answer)
 * — the case a retrying sender must get right. Seen with raw undici, with the SDK's client, and in
 * the transcript.
 */
import { createHash } from 'node:crypto';
import { request } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DigitalPostClient } from '../../../sdk/client/client.ts';
import { serializeMemoToBytes } from '../../../sdk/memo/writer.ts';
import { FAST_RETRY } from '../../../test/support/client.ts';
import {
  addFault,
  call,
  control,
  expectErrorMessage,
  keyOf,
  letterTo,
  mailbox,
  messageExists,
  messageState,
  resetSimulator,
  SEED_IDS,
  sendMemo,
  startTestSimulator,
  type TranscriptEntryBody,
  transcript,
} from '../../../test/support/simulator.ts';
import type { RunningSimulator } from '../../index.ts';

const CITIZEN = '0101700001';
const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

describe('lost answers', () => {
  let simulator: RunningSimulator;
  let key: string;

  beforeAll(async () => {
    simulator = await startTestSimulator();
    key = keyOf(simulator, SEED_IDS.senderPull);
  });
  afterAll(() => simulator.stop());
  beforeEach(() => resetSimulator(simulator));

  /** `POST /memos/` with raw undici; resolves to the status, or the error when no answer came. */
  async function rawSend(
    xml: Uint8Array,
    messageUUID: string,
    signal?: AbortSignal,
  ): Promise<number | Error> {
    try {
      const response = await request(`${simulator.apiUrl}/memos/?memo-message-uuid=${messageUUID}`, {
        method: 'POST',
        headers: { authorization: `Basic ${key}`, 'content-type': 'application/xml' },
        body: xml,
        ...(signal === undefined ? {} : { signal }),
      });
      await response.body.dump();
      return response.statusCode;
    } catch (error) {
      return error as Error;
    }
  }

  /** The transcript's entries of `POST /memos/`, once there are `count` of them. */
  async function sends(count: number): Promise<TranscriptEntryBody[]> {
    for (;;) {
      const entries = (await transcript(simulator)).entries.filter(
        (entry) => entry.operation === 'POST /memos/',
      );
      if (entries.length >= count) return entries;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  describe('drop BEFORE', () => {
    it('closes the connection without an answer and takes nothing in', async () => {
      await addFault(simulator, { operation: 'POST /memos/', drop: 'BEFORE', times: 1 });
      const memo = await letterTo({ cpr: CITIZEN });
      const messageUUID = memo.messageHeader.messageUUID;

      const outcome = await rawSend(serializeMemoToBytes(memo), messageUUID);

      expect(outcome).toBeInstanceOf(Error);
      await simulator.settle();
      expect(await messageExists(simulator, messageUUID)).toBe(false);
      expect(await sends(1)).toMatchObject([
        { status: null, fault: 'drop-before', systemId: SEED_IDS.senderPull, messageUUID, bodyBytes: null },
      ]);
    });

    it('is used up by its times: the next send is answered 201', async () => {
      await addFault(simulator, { operation: 'POST /memos/', drop: 'BEFORE', times: 1 });
      const memo = await letterTo({ cpr: CITIZEN });
      const xml = serializeMemoToBytes(memo);

      await rawSend(xml, memo.messageHeader.messageUUID);

      expect(await rawSend(xml, memo.messageHeader.messageUUID)).toBe(201);
    });

    it('closes other calls too, e.g. a fetch', async () => {
      await addFault(simulator, { operation: 'GET /receipts/', drop: 'BEFORE' });

      await expect(call(`${simulator.apiUrl}/receipts/`, { apiKey: key })).rejects.toThrow();
    });
  });

  describe('drop AFTER', () => {
    it('stores and delivers the letter, and the client sees a connection error instead of 201', async () => {
      await addFault(simulator, { operation: 'POST /memos/', drop: 'AFTER', times: 1 });
      const memo = await letterTo({ cpr: CITIZEN });
      const xml = serializeMemoToBytes(memo);
      const messageUUID = memo.messageHeader.messageUUID;

      const outcome = await rawSend(xml, messageUUID);

      expect(outcome).toBeInstanceOf(Error);
      await simulator.settle();
      expect((await messageState(simulator, messageUUID)).state).toBe('DELIVERED');
      expect((await mailbox(simulator, CITIZEN)).map((letter) => letter.messageUUID)).toEqual([messageUUID]);
      expect(await sends(1)).toMatchObject([
        {
          status: null,
          fault: 'drop-after',
          messageUUID,
          bodyBytes: xml.byteLength,
          bodySha256: sha256(xml),
        },
      ]);
    });

    it('answers the same bytes sent again with the original receipt, and makes no second letter', async () => {
      await addFault(simulator, { operation: 'POST /memos/', drop: 'AFTER', times: 1 });
      const memo = await letterTo({ cpr: CITIZEN });
      const xml = serializeMemoToBytes(memo);
      const messageUUID = memo.messageHeader.messageUUID;

      await rawSend(xml, messageUUID);
      const again = await sendMemo(simulator, key, memo);

      expect(again.status).toBe(201);
      const { transmissionId } = await messageState(simulator, messageUUID);
      expect(again.json).toMatchObject({ transmissionId });
      await simulator.settle();
      expect(await mailbox(simulator, CITIZEN)).toHaveLength(1);
    });

    it("lets the SDK's retry resolve to the original receipt: one letter, two sends in the transcript", async () => {
      await addFault(simulator, { operation: 'POST /memos/', drop: 'AFTER', times: 1 });
      const client = new DigitalPostClient({ baseUrl: simulator.apiUrl, apiKey: key, retry: FAST_RETRY });
      const memo = await letterTo({ cpr: CITIZEN });
      const messageUUID = memo.messageHeader.messageUUID;

      const receipt = await client.memos.send(memo);

      expect(receipt.transmissionId).toBe((await messageState(simulator, messageUUID)).transmissionId);
      await simulator.settle();
      expect(await mailbox(simulator, CITIZEN)).toHaveLength(1);
      const [lost, retried] = await sends(2);
      expect(lost).toMatchObject({ status: null, fault: 'drop-after' });
      expect(retried).toMatchObject({ status: 201, fault: null, bodySha256: lost?.bodySha256 });
    });

    it('has done the call before the client gives up during the delay', async () => {
      await addFault(simulator, { operation: 'POST /memos/', drop: 'AFTER', delayMs: 600_000, times: 1 });
      const memo = await letterTo({ cpr: CITIZEN });
      const messageUUID = memo.messageHeader.messageUUID;
      const giveUp = new AbortController();
      const stored = (async () => {
        while (!(await messageExists(simulator, messageUUID)))
          await new Promise((resolve) => setTimeout(resolve, 5));
        giveUp.abort();
      })();

      const outcome = await rawSend(serializeMemoToBytes(memo), messageUUID, giveUp.signal);
      await stored;

      expect(outcome).toBeInstanceOf(Error);
      await simulator.settle();
      expect((await messageState(simulator, messageUUID)).state).toBe('DELIVERED');
      expect(await sends(1)).toMatchObject([{ status: null, fault: 'drop-after' }]);
    });

    it('loses a refusal as well: a 409 for a reused messageUUID never arrives', async () => {
      const memo = await letterTo({ cpr: CITIZEN });
      await sendMemo(simulator, key, memo);
      const other = await letterTo({ cpr: CITIZEN }, {
        messageUUID: memo.messageHeader.messageUUID,
        label: 'Another letter',
      } as never);
      await addFault(simulator, { operation: 'POST /memos/', drop: 'AFTER', times: 1 });

      const outcome = await rawSend(serializeMemoToBytes(other), memo.messageHeader.messageUUID);

      expect(outcome).toBeInstanceOf(Error);
      expect((await sends(2))[1]).toMatchObject({
        status: null,
        fault: 'drop-after',
        code: 'DUPLICATE_MESSAGE_UUID',
      });
    });

    it('commits a recipient fetch whose answer is lost: the MeMo counts as fetched', async () => {
      const recipientKey = keyOf(simulator, SEED_IDS.companyRecipient);
      const memo = await letterTo({ cvr: '87654321' });
      await sendMemo(simulator, key, memo);
      await simulator.settle();
      await addFault(simulator, { operation: 'GET /memos/{id}', drop: 'AFTER', times: 1 });

      await expect(
        call(`${simulator.apiUrl}/memos/${memo.messageHeader.messageUUID}`, { apiKey: recipientKey }),
      ).rejects.toThrow();

      expect((await messageState(simulator, memo.messageHeader.messageUUID)).fetchedAt).toEqual(
        expect.any(String),
      );
    });
  });

  it.each([
    ['a push', { operation: 'PUSH memo', drop: 'AFTER' }],
    ['an SFTP request', { operation: 'SFTP RENAME', drop: 'AFTER' }],
    ['a status as well', { operation: 'POST /memos/', drop: 'BEFORE', status: 503 }],
    ['an unknown value', { operation: 'POST /memos/', drop: 'LATER' }],
  ])('refuses drop with %s: 400 INVALID_FAULT_RULE naming drop', async (_case, rule) => {
    const body = expectErrorMessage(
      await control(simulator, 'POST', '/faults', rule),
      400,
      'INVALID_FAULT_RULE',
    );

    expect(body.fieldErrors.map((problem) => problem.field)).toContain('drop');
    expect((await control(simulator, 'GET', '/faults')).json).toEqual([]);
  });
});
