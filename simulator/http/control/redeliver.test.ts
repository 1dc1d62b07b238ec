/**
 * `POST /simulator/v1/messages/{messageUUID}/redeliver`: one push more of a message, now — the
 * repeated delivery NgDP's at-least-once delivery makes, scripted by a conformance suite instead of
 * left to chaos. Its outcome is evidence only: the message and its receipts stay as they are.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  control,
  expectErrorMessage,
  keyOf,
  letterTo,
  messageState,
  multipartParts,
  patchSystem,
  pullReceipts,
  type Receiver,
  resetSimulator,
  SEED_IDS,
  sendMemo,
  startReceiver,
  startTestSimulator,
  transcript,
} from '../../../test/support/simulator.ts';
import type { RunningSimulator } from '../../index.ts';

const RECIPIENT = SEED_IDS.companyRecipient;

describe('redelivery', () => {
  let simulator: RunningSimulator;
  let receiver: Receiver;
  let key: string;

  beforeAll(async () => {
    simulator = await startTestSimulator();
    receiver = await startReceiver(200);
    key = keyOf(simulator, SEED_IDS.senderPull);
  });
  afterAll(async () => {
    await simulator.stop();
    await receiver.close();
  });
  beforeEach(async () => {
    await resetSimulator(simulator);
    receiver.requests.length = 0;
    receiver.respond = 200;
  });

  /** A letter to the company's recipient system, delivered by `protocol`. */
  async function delivered(protocol: 'REST_PUSH' | 'REST_PUBLISH_SUBSCRIBE'): Promise<string> {
    await patchSystem(simulator, RECIPIENT, { protocol, endpoint: receiver.url });
    const memo = await letterTo({ cvr: '87654321' });
    expect((await sendMemo(simulator, key, memo)).status).toBe(201);
    await simulator.settle();
    return memo.messageHeader.messageUUID;
  }

  const redeliver = (messageUUID: string) => control(simulator, 'POST', `/messages/${messageUUID}/redeliver`);

  it('pushes the MeMo to its REST_PUSH system again: 202, the same file a second time', async () => {
    const messageUUID = await delivered('REST_PUSH');

    const response = await redeliver(messageUUID);
    await simulator.settle();

    expect(response.status).toBe(202);
    expect(response.json).toEqual({ messageUUID, pushes: 1 });
    expect(receiver.requests).toHaveLength(2);
    const [first, second] = await Promise.all(receiver.requests.map(multipartParts));
    expect(second?.[0]?.content).toEqual(first?.[0]?.content);
    expect(second?.[0]?.filename).toBe(messageUUID);
  });

  it('is in the transcript like any push, with the same MeMo hash', async () => {
    const messageUUID = await delivered('REST_PUSH');

    await redeliver(messageUUID);
    await simulator.settle();

    const pushes = (await transcript(simulator, { systemId: RECIPIENT })).entries;
    expect(pushes.map((entry) => [entry.operation, entry.status, entry.messageUUID])).toEqual([
      ['PUSH memo', 200, messageUUID],
      ['PUSH memo', 200, messageUUID],
    ]);
    expect(pushes[1]?.bodySha256).toBe(pushes[0]?.bodySha256);
  });

  it('changes nothing about the message when the recipient refuses the push', async () => {
    const messageUUID = await delivered('REST_PUSH');
    const before = await messageState(simulator, messageUUID);
    const receiptsBefore = await pullReceipts(simulator, key);
    receiver.respond = 500;

    await redeliver(messageUUID);
    await simulator.settle();

    expect(await messageState(simulator, messageUUID)).toEqual(before);
    expect(await pullReceipts(simulator, key)).toEqual(receiptsBefore);
    expect((await transcript(simulator, { systemId: RECIPIENT })).entries.at(-1)).toMatchObject({
      status: 500,
    });
  });

  it('is not repeated by chaos: exactly one push', async () => {
    const chaotic = await startTestSimulator({ chaos: { duplicatePushRate: 1 } });
    try {
      await patchSystem(chaotic, RECIPIENT, { protocol: 'REST_PUSH', endpoint: receiver.url });
      const memo = await letterTo({ cvr: '87654321' });
      await sendMemo(chaotic, keyOf(chaotic, SEED_IDS.senderPull), memo);
      await chaotic.settle();
      const before = receiver.requests.length;

      await control(chaotic, 'POST', `/messages/${memo.messageHeader.messageUUID}/redeliver`);
      await chaotic.settle();

      expect(receiver.requests.length - before).toBe(1);
    } finally {
      await chaotic.stop();
    }
  });

  it('notifies a publish/subscribe system again', async () => {
    const messageUUID = await delivered('REST_PUBLISH_SUBSCRIBE');

    expect((await redeliver(messageUUID)).status).toBe(202);
    await simulator.settle();

    expect(receiver.requests.map((request) => JSON.parse(request.body.toString()).messageUUID)).toEqual([
      messageUUID,
      messageUUID,
    ]);
    expect(
      (await transcript(simulator, { systemId: RECIPIENT })).entries.map((entry) => entry.operation),
    ).toEqual(['PUSH notification', 'PUSH notification']);
    expect((await messageState(simulator, messageUUID)).state).toBe('READY_FOR_FETCH');
  });

  it('answers 404 NOT_FOUND for an unknown message', async () => {
    expectErrorMessage(await redeliver('0f0f0f0f-0000-4000-8000-00000000abcd'), 404, 'NOT_FOUND');
  });

  it('answers 409 NOT_PUSH_ROUTED for a letter in a mailbox', async () => {
    const memo = await letterTo({ cpr: '0101700001' });
    await sendMemo(simulator, key, memo);
    await simulator.settle();

    expectErrorMessage(await redeliver(memo.messageHeader.messageUUID), 409, 'NOT_PUSH_ROUTED');
  });

  it('answers 409 NOT_PUSH_ROUTED for a MeMo a PULL system fetches', async () => {
    const memo = await letterTo({ cvr: '87654321' });
    await sendMemo(simulator, key, memo);
    await simulator.settle();

    expectErrorMessage(await redeliver(memo.messageHeader.messageUUID), 409, 'NOT_PUSH_ROUTED');
  });

  describe('of a business receipt', () => {
    const redeliverReceipt = (messageUUID: string) =>
      control(simulator, 'POST', `/messages/${messageUUID}/receipt/redeliver`);

    it('pushes the same receipt JSON to the sender once more: 202', async () => {
      await patchSystem(simulator, SEED_IDS.senderPush, { receiptEndpoint: receiver.url });
      const memo = await letterTo({ cpr: '0101700001' });
      await sendMemo(simulator, keyOf(simulator, SEED_IDS.senderPush), memo);
      await simulator.settle();
      const messageUUID = memo.messageHeader.messageUUID;

      const response = await redeliverReceipt(messageUUID);
      await simulator.settle();

      expect(response.status).toBe(202);
      expect(response.json).toEqual({ messageUUID, pushes: 1 });
      expect(receiver.requests.map((request) => request.body.toString())).toEqual([
        receiver.requests[0]?.body.toString(),
        receiver.requests[0]?.body.toString(),
      ]);
      expect(
        (await transcript(simulator, { systemId: SEED_IDS.senderPush })).entries
          .filter((entry) => entry.operation === 'PUSH receipt')
          .map((entry) => entry.status),
      ).toEqual([200, 200]);
    });

    it('answers 409 NOT_PUSH_RECEIPTS when the sender pulls its receipts', async () => {
      const memo = await letterTo({ cpr: '0101700001' });
      await sendMemo(simulator, key, memo);
      await simulator.settle();

      expectErrorMessage(await redeliverReceipt(memo.messageHeader.messageUUID), 409, 'NOT_PUSH_RECEIPTS');
    });

    it('answers 404 NOT_FOUND for an unknown message', async () => {
      expectErrorMessage(await redeliverReceipt('0f0f0f0f-0000-4000-8000-00000000abcd'), 404, 'NOT_FOUND');
    });
  });
});
