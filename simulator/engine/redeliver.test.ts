/**
 * Redelivery (`engine.redelivery.redeliver`): one push more of a message, as a `redeliver` job
 * through the outbound port — evidence only, whatever the recipient answers.
 */
import { describe, expect, it } from 'vitest';
import { rejectionOf, SEED_IDS, testEngine } from '../../test/support/engine.ts';

const RECIPIENT = SEED_IDS.companyRecipient;

describe('redelivery', () => {
  async function pushed(protocol: 'REST_PUSH' | 'REST_PUBLISH_SUBSCRIBE') {
    const harness = testEngine();
    harness.engine.systems.update(RECIPIENT, { protocol, endpoint: 'https://company.example/' });
    const message = await harness.send(await harness.letter({ cvr: '87654321' }));
    return { ...harness, messageUUID: message.messageUUID };
  }

  it('pushes the MeMo once more through the outbound port', async () => {
    const { engine, outbound, messageUUID } = await pushed('REST_PUSH');

    expect(engine.redelivery.memo(messageUUID.toUpperCase())).toEqual({ messageUUID, pushes: 1 });
    await engine.idle();

    expect(outbound.of('memo').map((call) => call.messageUUID)).toEqual([messageUUID, messageUUID]);
  });

  it('leaves the message, its events and receipts as they were when the push fails', async () => {
    const { engine, outbound, messageUUID, message, tags, receipts } = await pushed('REST_PUSH');
    const before = { message: message(messageUUID), tags: tags(messageUUID), receipts: receipts() };
    outbound.answer('memo', 500);

    engine.redelivery.memo(messageUUID);
    await engine.idle();

    expect({ message: message(messageUUID), tags: tags(messageUUID), receipts: receipts() }).toEqual(before);
  });

  it('notifies a publish/subscribe system once more', async () => {
    const { engine, outbound, messageUUID } = await pushed('REST_PUBLISH_SUBSCRIBE');

    engine.redelivery.memo(messageUUID);
    await engine.idle();

    expect(outbound.of('notification')).toHaveLength(2);
  });

  it('refuses a message delivered to a mailbox: NOT_PUSH_ROUTED', async () => {
    const { engine, send, letter } = testEngine();
    const { messageUUID } = await send(await letter({ cpr: '0101700001' }));

    expect(await rejectionOf(() => engine.redelivery.memo(messageUUID))).toMatchObject({
      kind: 'conflict',
      code: 'NOT_PUSH_ROUTED',
    });
  });

  it('refuses an unknown message: NOT_FOUND', async () => {
    const { engine } = testEngine();

    expect(
      await rejectionOf(() => engine.redelivery.memo('0f0f0f0f-0000-4000-8000-00000000abcd')),
    ).toMatchObject({ kind: 'not-found' });
  });

  describe('of a business receipt', () => {
    it('pushes the last receipt to its sender once more, as it was pushed', async () => {
      const { engine, outbound, send, letter } = testEngine();
      engine.systems.update(SEED_IDS.senderPush, { receiptEndpoint: 'https://sender.example/receipts' });
      const { messageUUID } = await send(await letter({ cpr: '0101700003' }), SEED_IDS.senderPush);

      expect(engine.redelivery.receipt(messageUUID)).toEqual({ messageUUID, pushes: 1 });
      await engine.idle();

      const [first, again] = outbound.of('receipt');
      expect(again?.receipt).toEqual(first?.receipt);
      expect(again?.receipt).toMatchObject({ receiptStatus: 'NOT_ALLOWED', errorCode: 'RECIPIENT_CLOSED' });
    });

    it('refuses a message whose sender pulls its receipts: NOT_PUSH_RECEIPTS', async () => {
      const { engine, send, letter } = testEngine();
      const { messageUUID } = await send(await letter({ cpr: '0101700001' }));

      expect(await rejectionOf(() => engine.redelivery.receipt(messageUUID))).toMatchObject({
        kind: 'conflict',
        code: 'NOT_PUSH_RECEIPTS',
      });
    });

    it('refuses a message with no receipt yet: NOT_FOUND', async () => {
      const { engine, send, letter } = testEngine();
      engine.systems.update(SEED_IDS.senderPush, { receiptEndpoint: 'https://sender.example/receipts' });
      const { messageUUID } = await send(await letter({ cpr: '0101700006' }), SEED_IDS.senderPush);

      expect(await rejectionOf(() => engine.redelivery.receipt(messageUUID))).toMatchObject({
        kind: 'not-found',
      });
    });
  });
});
