/**
 * Value dates (`doNotDeliverUntilDate`, simulator.md "Value date"): a letter is held until 00:00
 * Copenhagen time of its date and delivered when the manual clock gets there; its receipt follows
 * delivery, or acceptance with `valueDateReceipt: 'acceptance'`.
 */
import { describe, expect, it } from 'vitest';
import { DAY, SEED_IDS, START, testEngine } from '../../test/support/engine.ts';

/** 00:00 Copenhagen time on 2025-06-04 (CEST, UTC+2). */
const MIDNIGHT_JUNE_4 = Date.UTC(2025, 5, 3, 22, 0);

describe('a letter with a value date after today', () => {
  it('is held awaiting its date: not in the mailbox, no receipt yet', async () => {
    const { letter, send, mailbox, receipts, tags } = testEngine();

    const message = await send(await letter({ cpr: '0101700001' }, { doNotDeliverUntil: '2025-06-04' }));

    expect(message.state).toBe('AWAITING_DELAY');
    expect(tags(message.messageUUID)).toContain('DELAYED_MEMO_SEND_VALIDATED_AWAITING_DELAY');
    expect(mailbox('0101700001')).toEqual([]);
    expect(receipts()).toEqual([]);
  });

  it('is still held one millisecond before 00:00 Copenhagen time of its date', async () => {
    const { engine, letter, send, message } = testEngine();

    const { messageUUID } = await send(
      await letter({ cpr: '0101700001' }, { doNotDeliverUntil: '2025-06-04' }),
    );
    await engine.setClock(MIDNIGHT_JUNE_4 - 1);

    expect(message(messageUUID).state).toBe('AWAITING_DELAY');
  });

  it('is delivered at 00:00 Copenhagen time of its date, and receipted then', async () => {
    const { engine, letter, send, mailbox, receipts, message, tags } = testEngine();

    const { messageUUID } = await send(
      await letter({ cpr: '0101700001' }, { doNotDeliverUntil: '2025-06-04' }),
    );
    await engine.advanceClock(2 * DAY);

    expect(message(messageUUID)).toMatchObject({ state: 'DELIVERED', deliveredAt: MIDNIGHT_JUNE_4 });
    expect(tags(messageUUID)).toContain('DELAYED_MEMO_SEND_SENT');
    expect(mailbox('0101700001')).toEqual([messageUUID]);
    expect(receipts()).toMatchObject([{ receiptStatus: 'COMPLETED', timeStamp: MIDNIGHT_JUNE_4 }]);
  });

  it('to a PULL recipient system is offered for fetching at 00:00 Copenhagen time of its date', async () => {
    const { engine, letter, send, system, message } = testEngine();

    const { messageUUID } = await send(
      await letter({ cvr: '87654321' }, { doNotDeliverUntil: '2025-06-04' }),
    );
    const company = system(SEED_IDS.companyRecipient);
    expect(engine.recipients.queue(company, { page: 0, size: 10 }).items).toEqual([]);
    await engine.setClock(MIDNIGHT_JUNE_4);

    expect(message(messageUUID)).toMatchObject({ state: 'READY_FOR_FETCH', deliveredAt: MIDNIGHT_JUNE_4 });
    expect(engine.recipients.queue(company, { page: 0, size: 10 }).items).toEqual([messageUUID]);
  });

  it("is receipted at acceptance with valueDateReceipt 'acceptance', and only once", async () => {
    const { engine, letter, send, receipts } = testEngine({ settings: { valueDateReceipt: 'acceptance' } });

    const { messageUUID } = await send(
      await letter({ cpr: '0101700001' }, { doNotDeliverUntil: '2025-06-04' }),
    );
    expect(receipts()).toMatchObject([{ messageUUID, receiptStatus: 'COMPLETED', timeStamp: START }]);
    await engine.advanceClock(2 * DAY);

    expect(receipts()).toHaveLength(1);
  });

  it("is still delivered only at its date with valueDateReceipt 'acceptance'", async () => {
    const { engine, letter, send, mailbox } = testEngine({ settings: { valueDateReceipt: 'acceptance' } });

    const { messageUUID } = await send(
      await letter({ cpr: '0101700001' }, { doNotDeliverUntil: '2025-06-04' }),
    );
    expect(mailbox('0101700001')).toEqual([]);
    await engine.setClock(MIDNIGHT_JUNE_4);

    expect(mailbox('0101700001')).toEqual([messageUUID]);
  });
});

describe('a letter whose value date', () => {
  it('is today is delivered at once', async () => {
    const { letter, send } = testEngine();

    const message = await send(await letter({ cpr: '0101700001' }, { doNotDeliverUntil: '2025-06-02' }));

    expect(message).toMatchObject({ state: 'DELIVERED', deliveredAt: START });
  });

  it('is 5 days ahead is accepted and held', async () => {
    const { letter, send } = testEngine();

    const message = await send(await letter({ cpr: '0101700001' }, { doNotDeliverUntil: '2025-06-07' }));

    expect(message.state).toBe('AWAITING_DELAY');
  });

  it('is 6 days ahead is rejected INVALID VALUE_DATE_TOO_FAR', async () => {
    const { letter, send, receipts } = testEngine();

    const message = await send(await letter({ cpr: '0101700001' }, { doNotDeliverUntil: '2025-06-08' }));

    expect(message.state).toBe('REJECTED');
    expect(receipts()).toMatchObject([{ receiptStatus: 'INVALID', errorCode: 'VALUE_DATE_TOO_FAR' }]);
  });
});
