/**
 * The sender's business receipts (`engine.receipts`): kept for a PULL sender until it takes or
 * acknowledges them, pushed to a REST_PUSH sender's receipt endpoint through the outbound port (with
 * the delivery retries), and never shown to another system.
 */
import { describe, expect, it } from 'vitest';
import {
  DAY,
  offsets,
  RETRY_OFFSETS,
  rejectionOf,
  SEED_IDS,
  START,
  testEngine,
} from '../../test/support/engine.ts';

const RECEIPT_ENDPOINT = 'https://sender.example/receipts';

describe('a PULL sender', () => {
  it('finds its receipts oldest first', async () => {
    const { engine, letter, send, receipts } = testEngine();
    const first = await send(await letter({ cpr: '0101700001' }));
    await engine.advanceClock(1_000);
    const second = await send(await letter({ cpr: '0101700003' }));

    expect(receipts().map((receipt) => [receipt.messageUUID, receipt.timeStamp])).toEqual([
      [first.messageUUID, START],
      [second.messageUUID, START + 1_000],
    ]);
  });

  it('finds them a page at a time, with the total', async () => {
    const { engine, letter, send, system } = testEngine();
    for (let i = 0; i < 3; i++) await send(await letter({ cpr: '0101700001' }));

    const page = engine.receipts.list(system(SEED_IDS.senderPull), { page: 1, size: 2 });

    expect(page).toMatchObject({ page: 1, size: 2, total: 3 });
    expect(page.items).toHaveLength(1);
  });

  it('takes a receipt, which deletes it', async () => {
    const { engine, letter, send, system, receipts } = testEngine();
    const { messageUUID } = await send(await letter({ cpr: '0101700001' }));
    const [receipt] = receipts();

    const taken = engine.receipts.take(system(SEED_IDS.senderPull), receipt?.id ?? '', true);

    expect(taken).toMatchObject({ messageUUID, receiptStatus: 'COMPLETED' });
    expect(receipts()).toEqual([]);
  });

  it('reads a receipt without deleting it when told not to', async () => {
    const { engine, letter, send, system, receipts } = testEngine();
    await send(await letter({ cpr: '0101700001' }));
    const [receipt] = receipts();

    engine.receipts.take(system(SEED_IDS.senderPull), receipt?.id ?? '', false);

    expect(receipts()).toEqual([receipt]);
  });

  it('acknowledges a receipt, which deletes it', async () => {
    const { engine, letter, send, system, receipts } = testEngine();
    await send(await letter({ cpr: '0101700001' }));
    const [receipt] = receipts();

    engine.receipts.acknowledge(system(SEED_IDS.senderPull), receipt?.id ?? '');

    expect(receipts()).toEqual([]);
  });

  it("finds a message's receipts by its messageUUID", async () => {
    const { engine, letter, send, system } = testEngine();
    const { messageUUID } = await send(await letter({ cpr: '0101700001' }));
    await send(await letter({ cpr: '0101700001' }));

    expect(engine.receipts.ofMessage(system(SEED_IDS.senderPull), messageUUID)).toMatchObject([
      { messageUUID },
    ]);
  });
});

describe("another system's receipt", () => {
  it('is not found when taken', async () => {
    const { engine, letter, send, system, receipts } = testEngine();
    await send(await letter({ cpr: '0101700001' }));
    const [receipt] = receipts();

    const rejection = await rejectionOf(() =>
      engine.receipts.take(system(SEED_IDS.senderPush), receipt?.id ?? '', true),
    );

    expect(rejection).toMatchObject({ kind: 'not-found', code: 'NOT_FOUND' });
    expect(receipts()).toEqual([receipt]);
  });

  it('is not found when acknowledged, and stays', async () => {
    const { engine, letter, send, system, receipts } = testEngine();
    await send(await letter({ cpr: '0101700001' }));
    const [receipt] = receipts();

    const rejection = await rejectionOf(() =>
      engine.receipts.acknowledge(system(SEED_IDS.senderPush), receipt?.id ?? ''),
    );

    expect(rejection).toMatchObject({ kind: 'not-found', code: 'NOT_FOUND' });
    expect(receipts()).toEqual([receipt]);
  });

  it('is not listed', async () => {
    const { letter, send, receipts } = testEngine();

    await send(await letter({ cpr: '0101700001' }));

    expect(receipts(SEED_IDS.senderPush)).toEqual([]);
  });
});

describe('a REST_PUSH sender', () => {
  function pushSender() {
    const test = testEngine();
    test.engine.systems.update(SEED_IDS.senderPush, { receiptEndpoint: RECEIPT_ENDPOINT });
    return test;
  }

  it('without a receipt endpoint finds its receipts as a PULL sender does, and nothing is pushed', async () => {
    const { letter, send, receipts, outbound } = testEngine();

    const { messageUUID } = await send(await letter({ cpr: '0101700001' }), SEED_IDS.senderPush);

    expect(receipts(SEED_IDS.senderPush)).toMatchObject([{ messageUUID, receiptStatus: 'COMPLETED' }]);
    expect(outbound.calls).toEqual([]);
  });

  it('gets the receipt pushed to its receipt endpoint, after which it is no longer listed', async () => {
    const { letter, send, receipts, outbound, tags } = pushSender();

    const { messageUUID } = await send(await letter({ cpr: '0101700001' }), SEED_IDS.senderPush);

    expect(outbound.of('receipt')).toMatchObject([
      { url: RECEIPT_ENDPOINT, at: START, receipt: { messageUUID, receiptStatus: 'COMPLETED' } },
    ]);
    expect(receipts(SEED_IDS.senderPush)).toEqual([]);
    expect(tags(messageUUID)).toContain('BUSINESS_RECEIPT_SEND_TO_SENDER_SYSTEM');
  });

  it('gets a failed push retried on the delivery schedule, the receipt listed meanwhile', async () => {
    const { engine, letter, send, receipts, outbound, tags } = pushSender();
    outbound.answer('receipt', 500);

    const { messageUUID } = await send(await letter({ cpr: '0101700001' }), SEED_IDS.senderPush);
    await engine.advanceClock(10 * DAY);

    expect(offsets(outbound.times('receipt'), START)).toEqual(RETRY_OFFSETS);
    expect(receipts(SEED_IDS.senderPush)).toMatchObject([{ messageUUID }]);
    const failed = tags(messageUUID).filter((tag) => tag === 'BUSINESS_RECEIPT_SEND_TO_SENDER_SYSTEM_FAILED');
    expect(failed).toHaveLength(RETRY_OFFSETS.length);
  });

  it('that acknowledged a receipt meanwhile gets it pushed no more', async () => {
    const { engine, letter, send, receipts, outbound, system } = pushSender();
    outbound.answer('receipt', 500);
    await send(await letter({ cpr: '0101700001' }), SEED_IDS.senderPush);
    const [receipt] = receipts(SEED_IDS.senderPush);

    engine.receipts.acknowledge(system(SEED_IDS.senderPush), receipt?.id ?? '');
    await engine.advanceClock(10 * DAY);

    expect(outbound.of('receipt')).toHaveLength(1);
  });

  it('gets the receipt of a refused message pushed too', async () => {
    const { letter, send, outbound } = pushSender();

    const { messageUUID } = await send(await letter({ cpr: '0101700003' }), SEED_IDS.senderPush);

    expect(outbound.of('receipt')).toMatchObject([
      { receipt: { messageUUID, receiptStatus: 'NOT_ALLOWED', errorCode: 'RECIPIENT_CLOSED' } },
    ]);
  });
});
