/**
 * Recall (`engine.recall`, simulator.md "Recall"): the sending system may recall a message while it
 * waits for its value date; it is then never delivered, and the refusals say why it cannot be.
 */
import { describe, expect, it } from 'vitest';
import { serializeMemoToBytes } from '../../sdk/memo/writer.ts';
import { DAY, rejectionOf, SEED_IDS, START, testEngine } from '../../test/support/engine.ts';

const LATER = { doNotDeliverUntil: '2025-06-04' };

describe('recalling a message', () => {
  it('that waits for its value date recalls it, recording the recall', async () => {
    const { engine, letter, send, system, message, tags } = testEngine();
    const { messageUUID } = await send(await letter({ cpr: '0101700001' }, LATER));

    engine.recall.recall(system(SEED_IDS.senderPull), messageUUID);

    expect(message(messageUUID)).toMatchObject({ state: 'RECALLED', recalledAt: START });
    expect(tags(messageUUID).slice(-2)).toEqual(['DELAYED_MEMO_MESSAGE_RECALLED', 'MEMO_SEND_RECALLED']);
  });

  it('means it is never delivered and its sender gets no receipt', async () => {
    const { engine, letter, send, system, mailbox, receipts } = testEngine();
    const { messageUUID } = await send(await letter({ cpr: '0101700001' }, LATER));

    engine.recall.recall(system(SEED_IDS.senderPull), messageUUID);
    await engine.advanceClock(3 * DAY);

    expect(mailbox('0101700001')).toEqual([]);
    expect(receipts()).toEqual([]);
  });

  it('not yet processed, with a value date after today, recalls it before it is decided', async () => {
    const { engine, letter, system, message, mailbox } = testEngine();
    const memo = await letter({ cpr: '0101700001' }, LATER);
    await engine.stop();
    const taken = await engine.intake.submitMemo(
      system(SEED_IDS.senderPull),
      serializeMemoToBytes(memo),
      memo.messageHeader.messageUUID,
    );
    expect(message(taken.message.messageUUID).state).toBe('RECEIVED');

    engine.recall.recall(system(SEED_IDS.senderPull), taken.message.messageUUID);
    engine.start();
    await engine.advanceClock(3 * DAY);

    expect(message(taken.message.messageUUID).state).toBe('RECALLED');
    expect(mailbox('0101700001')).toEqual([]);
  });

  it('named in upper case recalls it', async () => {
    const { engine, letter, send, system, message } = testEngine();
    const { messageUUID } = await send(await letter({ cpr: '0101700001' }, LATER));

    engine.recall.recall(system(SEED_IDS.senderPull), messageUUID.toUpperCase());

    expect(message(messageUUID).state).toBe('RECALLED');
  });
});

describe('recalling is refused', () => {
  it('NO_VALUE_DATE for a message without a value date', async () => {
    const { engine, letter, send, system } = testEngine();
    const { messageUUID } = await send(await letter({ cpr: '0101700001' }));

    const rejection = await rejectionOf(() => engine.recall.recall(system(SEED_IDS.senderPull), messageUUID));

    expect(rejection).toMatchObject({ kind: 'unprocessable', code: 'NO_VALUE_DATE' });
  });

  it('ALREADY_RECALLED for a message recalled before', async () => {
    const { engine, letter, send, system } = testEngine();
    const { messageUUID } = await send(await letter({ cpr: '0101700001' }, LATER));
    engine.recall.recall(system(SEED_IDS.senderPull), messageUUID);

    const rejection = await rejectionOf(() => engine.recall.recall(system(SEED_IDS.senderPull), messageUUID));

    expect(rejection).toMatchObject({ kind: 'conflict', code: 'ALREADY_RECALLED' });
  });

  it('ALREADY_DELIVERED once the value date has come', async () => {
    const { engine, letter, send, system } = testEngine();
    const { messageUUID } = await send(await letter({ cpr: '0101700001' }, LATER));
    await engine.advanceClock(2 * DAY);

    const rejection = await rejectionOf(() => engine.recall.recall(system(SEED_IDS.senderPull), messageUUID));

    expect(rejection).toMatchObject({ kind: 'conflict', code: 'ALREADY_DELIVERED' });
  });

  it('ALREADY_DELIVERED for a message whose value date is today (delivered at once)', async () => {
    const { engine, letter, send, system } = testEngine();
    const { messageUUID } = await send(
      await letter({ cpr: '0101700001' }, { doNotDeliverUntil: '2025-06-02' }),
    );

    const rejection = await rejectionOf(() => engine.recall.recall(system(SEED_IDS.senderPull), messageUUID));

    expect(rejection).toMatchObject({ kind: 'conflict', code: 'ALREADY_DELIVERED' });
  });

  it("NOT_FOUND for another system's message, which stays as it was", async () => {
    const { engine, letter, send, system, message } = testEngine();
    const { messageUUID } = await send(await letter({ cpr: '0101700001' }, LATER));

    const rejection = await rejectionOf(() => engine.recall.recall(system(SEED_IDS.senderPush), messageUUID));

    expect(rejection).toMatchObject({ kind: 'not-found', code: 'NOT_FOUND' });
    expect(message(messageUUID).state).toBe('AWAITING_DELAY');
  });

  it('NOT_FOUND for an unknown messageUUID', async () => {
    const { engine, system } = testEngine();

    const rejection = await rejectionOf(() =>
      engine.recall.recall(system(SEED_IDS.senderPull), 'c4d5e6f7-a8b9-4c0d-8e1f-2a3b4c5d6e7f'),
    );

    expect(rejection).toMatchObject({ kind: 'not-found', code: 'NOT_FOUND' });
  });
});
