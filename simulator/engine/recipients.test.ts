/**
 * The recipient system's side (`engine.recipients`): its PULL queue, fetching a MeMo routed to it,
 * and its business receipt, which delivers the message and goes on to the sender.
 */
import { describe, expect, it } from 'vitest';
import { MINUTE, rejectionOf, SEED_IDS, START, testEngine } from '../../test/support/engine.ts';

const COMPANY = SEED_IDS.companyRecipient;

/** An engine with one letter waiting in the company recipient system's PULL queue. */
async function letterWaiting(options: Parameters<typeof testEngine>[0] = {}) {
  const test = testEngine(options);
  const { messageUUID } = await test.send(await test.letter({ cvr: '87654321' }));
  return { ...test, messageUUID, company: test.system(COMPANY) };
}

describe('the PULL queue', () => {
  it('holds the messages routed to the system, oldest first', async () => {
    const { engine, letter, send, system } = testEngine();
    const first = await send(await letter({ cvr: '87654321' }));
    const second = await send(await letter({ cvr: '87654321' }));

    const queue = engine.recipients.queue(system(COMPANY), { page: 0, size: 10 });

    expect(queue).toMatchObject({ items: [first.messageUUID, second.messageUUID], total: 2 });
  });

  it('is empty for a system no message was routed to', async () => {
    const { engine, system } = await letterWaiting();

    expect(engine.recipients.queue(system(SEED_IDS.authorityRecipient), { page: 0, size: 10 }).items).toEqual(
      [],
    );
  });

  it('no longer holds a message once its receipt was given', async () => {
    const { engine, messageUUID, company } = await letterWaiting();

    engine.recipients.acceptReceipt(company, messageUUID, { receiptStatus: 'COMPLETED' });

    expect(engine.recipients.queue(company, { page: 0, size: 10 }).items).toEqual([]);
  });
});

describe('fetching a MeMo', () => {
  it('gives its XML as received', async () => {
    const { engine, messageUUID, company } = await letterWaiting();

    expect(engine.recipients.fetch(company, messageUUID)).toEqual(engine.inspection.memo(messageUUID));
  });

  it('records the first fetch only, at its simulator time', async () => {
    const { engine, messageUUID, company, message, tags } = await letterWaiting();

    await engine.advanceClock(MINUTE);
    engine.recipients.fetch(company, messageUUID);
    await engine.advanceClock(MINUTE);
    engine.recipients.fetch(company, messageUUID);

    expect(message(messageUUID).fetchedAt).toBe(START + MINUTE);
    expect(tags(messageUUID).filter((tag) => tag === 'MEMO_SEND_FETCHED_BY_RECIPIENT_SYSTEM')).toHaveLength(
      1,
    );
  });

  it('is still possible after the receipt was given', async () => {
    const { engine, messageUUID, company } = await letterWaiting();
    engine.recipients.acceptReceipt(company, messageUUID, { receiptStatus: 'COMPLETED' });

    expect(engine.recipients.fetch(company, messageUUID)).toEqual(engine.inspection.memo(messageUUID));
  });

  it('routed to another system is NOT_FOUND', async () => {
    const { engine, messageUUID, system } = await letterWaiting();

    const rejection = await rejectionOf(() =>
      engine.recipients.fetch(system(SEED_IDS.authorityRecipient), messageUUID),
    );

    expect(rejection).toMatchObject({ kind: 'not-found', code: 'NOT_FOUND' });
  });

  it('delivered to a mailbox is NOT_FOUND', async () => {
    const { engine, letter, send, system } = testEngine();
    const { messageUUID } = await send(await letter({ cpr: '0101700001' }));

    const rejection = await rejectionOf(() => engine.recipients.fetch(system(COMPANY), messageUUID));

    expect(rejection).toMatchObject({ kind: 'not-found', code: 'NOT_FOUND' });
  });

  it('still waiting for its value date is NOT_FOUND', async () => {
    const { engine, letter, send, system } = testEngine();
    const { messageUUID } = await send(
      await letter({ cvr: '87654321' }, { doNotDeliverUntil: '2025-06-04' }),
    );

    const rejection = await rejectionOf(() => engine.recipients.fetch(system(COMPANY), messageUUID));

    expect(rejection).toMatchObject({ kind: 'not-found', code: 'NOT_FOUND' });
  });
});

describe("the recipient system's receipt", () => {
  it('COMPLETED delivers the message and gives its sender a COMPLETED receipt with the same transmission id', async () => {
    const { engine, messageUUID, company, message, receipts } = await letterWaiting();
    const transmissionId = '7a0c2a9e-7d41-4b8a-9c3e-1a2b3c4d5e6f';

    engine.recipients.acceptReceipt(company, messageUUID, { receiptStatus: 'COMPLETED', transmissionId });

    expect(message(messageUUID)).toMatchObject({ state: 'DELIVERED', businessStatus: 'COMPLETED' });
    expect(receipts()).toMatchObject([{ messageUUID, receiptStatus: 'COMPLETED', transmissionId }]);
  });

  it("INVALID gives its sender an INVALID receipt with the recipient's code and text", async () => {
    const { engine, messageUUID, company, receipts } = await letterWaiting();

    engine.recipients.acceptReceipt(company, messageUUID, {
      receiptStatus: 'INVALID',
      errorCode: 'CASE_UNKNOWN',
      errorMessage: 'no such case',
    });

    expect(receipts()).toMatchObject([
      { messageUUID, receiptStatus: 'INVALID', errorCode: 'CASE_UNKNOWN', errorMessage: 'no such case' },
    ]);
  });

  it('is recorded as received from the recipient system', async () => {
    const { engine, messageUUID, company, tags } = await letterWaiting();

    engine.recipients.acceptReceipt(company, messageUUID, { receiptStatus: 'COMPLETED' });

    expect(tags(messageUUID).slice(-3)).toEqual([
      'BUSINESS_RECEIPT_RECEIVED_BY_RECIPIENT_SYSTEM',
      'BUSINESS_RECEIPT_CREATED',
      'BUSINESS_RECEIPT_SENT',
    ]);
  });

  it('given twice is refused RECEIPT_ALREADY_GIVEN', async () => {
    const { engine, messageUUID, company, receipts } = await letterWaiting();
    engine.recipients.acceptReceipt(company, messageUUID, { receiptStatus: 'COMPLETED' });

    const rejection = await rejectionOf(() =>
      engine.recipients.acceptReceipt(company, messageUUID, { receiptStatus: 'INVALID' }),
    );

    expect(rejection).toMatchObject({ kind: 'conflict', code: 'RECEIPT_ALREADY_GIVEN' });
    expect(receipts()).toHaveLength(1);
  });

  it.each(['NOT_ALLOWED', 'RECEIVED', 'completed', 42])(
    'with receiptStatus %j is refused RECEIPT_STATUS_NOT_ACCEPTED',
    async (status) => {
      const { engine, messageUUID, company, message } = await letterWaiting();

      const rejection = await rejectionOf(() =>
        engine.recipients.acceptReceipt(company, messageUUID, { receiptStatus: status }),
      );

      expect(rejection).toMatchObject({ kind: 'unprocessable', code: 'RECEIPT_STATUS_NOT_ACCEPTED' });
      expect(message(messageUUID).state).toBe('READY_FOR_FETCH');
    },
  );

  it('for a message routed to another system is NOT_FOUND', async () => {
    const { engine, messageUUID, system } = await letterWaiting();

    const rejection = await rejectionOf(() =>
      engine.recipients.acceptReceipt(system(SEED_IDS.authorityRecipient), messageUUID, {
        receiptStatus: 'COMPLETED',
      }),
    );

    expect(rejection).toMatchObject({ kind: 'not-found', code: 'NOT_FOUND' });
  });

  it('for a pushed message not yet acknowledged by the push delivers it', async () => {
    const { engine, letter, send, system, outbound, message } = testEngine();
    engine.systems.update(COMPANY, { protocol: 'REST_PUSH', endpoint: 'https://company.example/memos' });
    outbound.answer('memo', 500);
    const { messageUUID } = await send(await letter({ cvr: '87654321' }));

    engine.recipients.acceptReceipt(system(COMPANY), messageUUID, { receiptStatus: 'COMPLETED' });
    await engine.advanceClock(MINUTE * 30);

    expect(message(messageUUID).state).toBe('DELIVERED');
    expect(outbound.of('memo')).toHaveLength(1);
  });
});
