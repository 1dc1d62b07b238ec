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

    expect(engine.redelivery.redeliver(messageUUID.toUpperCase())).toEqual({ messageUUID, pushes: 1 });
    await engine.idle();

    expect(outbound.of('memo').map((call) => call.messageUUID)).toEqual([messageUUID, messageUUID]);
  });

  it('leaves the message, its events and receipts as they were when the push fails', async () => {
    const { engine, outbound, messageUUID, message, tags, receipts } = await pushed('REST_PUSH');
    const before = { message: message(messageUUID), tags: tags(messageUUID), receipts: receipts() };
    outbound.answer('memo', 500);

    engine.redelivery.redeliver(messageUUID);
    await engine.idle();

    expect({ message: message(messageUUID), tags: tags(messageUUID), receipts: receipts() }).toEqual(before);
  });

  it('notifies a publish/subscribe system once more', async () => {
    const { engine, outbound, messageUUID } = await pushed('REST_PUBLISH_SUBSCRIBE');

    engine.redelivery.redeliver(messageUUID);
    await engine.idle();

    expect(outbound.of('notification')).toHaveLength(2);
  });

  it('refuses a message delivered to a mailbox: NOT_PUSH_ROUTED', async () => {
    const { engine, send, letter } = testEngine();
    const { messageUUID } = await send(await letter({ cpr: '0101700001' }));

    expect(await rejectionOf(() => engine.redelivery.redeliver(messageUUID))).toMatchObject({
      kind: 'conflict',
      code: 'NOT_PUSH_ROUTED',
    });
  });

  it('refuses an unknown message: NOT_FOUND', async () => {
    const { engine } = testEngine();

    expect(
      await rejectionOf(() => engine.redelivery.redeliver('0f0f0f0f-0000-4000-8000-00000000abcd')),
    ).toMatchObject({ kind: 'not-found' });
  });
});
