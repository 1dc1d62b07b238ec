/**
 * Processing and routing end to end, through the engine's jobs (`engine.idle()`): mailboxes and the
 * magic identities, the slow mailbox, PULL recipient systems, and publish/subscribe notifications.
 * REST_PUSH retries and fallback are in push.test.ts, value dates in value-date.test.ts.
 */
import { describe, expect, it } from 'vitest';
import {
  DAY,
  HOUR,
  MINUTE,
  offsets,
  RETRY_OFFSETS,
  SEED_IDS,
  START,
  testEngine,
} from '../../test/support/engine.ts';
import type { Engine } from './engine.ts';

describe('a letter to a citizen', () => {
  it('is delivered to the mailbox and its sender gets a COMPLETED receipt', async () => {
    const { letter, send, mailbox, receipts } = testEngine();

    const message = await send(await letter({ cpr: '0101700001' }));

    expect(message).toMatchObject({ state: 'DELIVERED', deliveredAt: START, businessStatus: 'COMPLETED' });
    expect(mailbox('0101700001')).toEqual([message.messageUUID]);
    expect(receipts()).toMatchObject([
      { messageUUID: message.messageUUID, receiptStatus: 'COMPLETED', timeStamp: START },
    ]);
  });

  it('records its way from intake to receipt, in order', async () => {
    const { letter, send, tags } = testEngine();

    const message = await send(await letter({ cpr: '0101700001' }));

    expect(tags(message.messageUUID)).toEqual([
      'MEMO_SEND_RECEIVED',
      'TECHNICAL_RECEIPT_SENT_TO_SENDER_SYSTEM',
      'MEMO_SEND_VALIDATED',
      'MEMO_AVAILABLE_TO_RECIPIENT',
      'BUSINESS_RECEIPT_CREATED',
      'BUSINESS_RECEIPT_SENT',
    ]);
  });

  it.each([
    ['0101700002', 'NOT_ALLOWED', 'RECIPIENT_EXEMPT'],
    ['0101700003', 'NOT_ALLOWED', 'RECIPIENT_CLOSED'],
    ['0101700004', 'NOT_ALLOWED', 'RECIPIENT_NOT_REACHABLE'],
    ['0101709999', 'NOT_ALLOWED', 'RECIPIENT_UNKNOWN'],
  ])('to %s is rejected with a %s %s receipt and delivered nowhere', async (cpr, status, code) => {
    const { letter, send, mailbox, receipts } = testEngine();

    const message = await send(await letter({ cpr }));

    expect(message.state).toBe('REJECTED');
    expect(mailbox(cpr)).toEqual([]);
    expect(receipts()).toMatchObject([{ receiptStatus: status, errorCode: code }]);
  });

  it('that breaks the MeMo rules is rejected INVALID MEMO_SCHEMA_INVALID', async () => {
    const { letter, send, receipts } = testEngine();

    const message = await send(
      await letter({ cpr: '0101700001' }, { notification: 'x'.repeat(200), validate: false }),
    );

    expect(message.state).toBe('REJECTED');
    expect(receipts()).toMatchObject([{ receiptStatus: 'INVALID', errorCode: 'MEMO_SCHEMA_INVALID' }]);
  });

  it('to the slow mailbox is delivered at once and receipted after 1 hour of simulator time', async () => {
    const { engine, letter, send, mailbox, receipts } = testEngine();

    const message = await send(await letter({ cpr: '0101700006' }));
    expect(mailbox('0101700006')).toEqual([message.messageUUID]);
    await engine.advanceClock(HOUR - 1);
    expect(receipts()).toEqual([]);
    await engine.advanceClock(1);

    expect(receipts()).toMatchObject([{ receiptStatus: 'COMPLETED', timeStamp: START + HOUR }]);
  });

  it('to an unknown number is delivered in loose mode, which registers the number', async () => {
    const { engine, letter, send, receipts } = testEngine({ settings: { loose: true } });

    await send(await letter({ cpr: '0101709999' }));

    expect(receipts()).toMatchObject([{ receiptStatus: 'COMPLETED' }]);
    const found = engine.directory.searchContacts({ cprNumbers: ['0101709999'], page: 0, size: 10 });
    expect(found.contacts).toMatchObject([
      { mailboxSubscription: { publicRegistrationStatus: 'REGISTERED' } },
    ]);
  });
});

describe('a NemSMS', () => {
  it('to the citizen with a NemSMS subscription is delivered and logged as sent', async () => {
    const { nemSms, send, tags } = testEngine();

    const message = await send(nemSms({ cpr: '0101700005' }));

    expect(message.state).toBe('DELIVERED');
    expect(tags(message.messageUUID)).toContain('NEM_SMS_SENT_SUCCESSFULLY');
  });

  it('delivered in the evening has its SMS sent at 08:00 Danish time the next morning', async () => {
    const { engine, clock, nemSms, send, tags } = testEngine();
    // 2025-06-02 19:30 in Copenhagen (CEST, UTC+2): NgDP sends no SMS from 18:00 to 08:00.
    clock.set(Date.UTC(2025, 5, 2, 17, 30));

    const message = await send(nemSms({ cpr: '0101700005' }));
    expect(message.state).toBe('DELIVERED');
    expect(tags(message.messageUUID)).not.toContain('NEM_SMS_SENT_SUCCESSFULLY');
    await engine.advanceClock(Date.UTC(2025, 5, 3, 6, 0) - 1 - clock.now());
    expect(tags(message.messageUUID)).not.toContain('NEM_SMS_SENT_SUCCESSFULLY');
    await engine.advanceClock(1);

    const sent = smsEvents(engine, message.messageUUID);
    expect(sent).toEqual([Date.UTC(2025, 5, 3, 6, 0)]);
  });

  it('delivered before 08:00 in winter has its SMS sent at 08:00 that day (CET)', async () => {
    const { engine, clock, nemSms, send } = testEngine();
    clock.set(Date.UTC(2025, 0, 15, 5, 59)); // 06:59 in Copenhagen

    const message = await send(nemSms({ cpr: '0101700005' }));
    await engine.advanceClock(DAY);

    expect(smsEvents(engine, message.messageUUID)).toEqual([Date.UTC(2025, 0, 15, 7, 0)]);
  });

  it('delivered at 17:59 has its SMS sent at once', async () => {
    const { engine, clock, nemSms, send } = testEngine();
    clock.set(Date.UTC(2025, 5, 2, 15, 59));

    const message = await send(nemSms({ cpr: '0101700005' }));

    expect(smsEvents(engine, message.messageUUID)).toEqual([Date.UTC(2025, 5, 2, 15, 59)]);
  });
});

/** When the SMS of a NemSMS was logged as sent. */
function smsEvents(engine: Engine, messageUUID: string): number[] {
  return engine.inspection
    .message(messageUUID)
    .events.filter((event) => event.eventTag === 'NEM_SMS_SENT_SUCCESSFULLY')
    .map((event) => event.eventTime);
}

describe('a letter to a company', () => {
  it('without a recipient system lands in its mailbox', async () => {
    const { letter, send, mailbox } = testEngine();

    const message = await send(await letter({ cvr: '11223344' }));

    expect(mailbox('11223344')).toEqual([message.messageUUID]);
  });

  it("with a PULL recipient system waits in that system's queue, with no receipt for the sender yet", async () => {
    const { engine, letter, send, system, receipts } = testEngine();

    const message = await send(await letter({ cvr: '87654321' }));

    expect(message).toMatchObject({
      state: 'READY_FOR_FETCH',
      route: { kind: 'SYSTEM', systemId: SEED_IDS.companyRecipient },
    });
    expect(engine.recipients.queue(system(SEED_IDS.companyRecipient), { page: 0, size: 10 }).items).toEqual([
      message.messageUUID,
    ]);
    expect(receipts()).toEqual([]);
  });
});

describe('publish/subscribe', () => {
  const ENDPOINT = 'https://company.example/notifications';

  function subscribingCompany() {
    const test = testEngine();
    test.engine.systems.update(SEED_IDS.companyRecipient, {
      protocol: 'REST_PUBLISH_SUBSCRIBE',
      endpoint: ENDPOINT,
    });
    return test;
  }

  it("notifies the recipient system's endpoint with the messageUUID and the time of the notification", async () => {
    const { letter, send, outbound, tags } = subscribingCompany();

    const message = await send(await letter({ cvr: '87654321' }));

    expect(outbound.of('notification')).toMatchObject([
      { url: ENDPOINT, messageUUID: message.messageUUID, timeStamp: START, at: START },
    ]);
    expect(message.state).toBe('READY_FOR_FETCH');
    expect(tags(message.messageUUID)).toContain('NOTIFICATION_SENT');
  });

  it('lets the notified system fetch the MeMo, then give the receipt its sender gets', async () => {
    const { engine, letter, send, system, receipts, message } = subscribingCompany();
    const memo = await letter({ cvr: '87654321' });
    const { messageUUID } = await send(memo);
    const company = system(SEED_IDS.companyRecipient);

    await engine.advanceClock(5 * MINUTE);
    const xml = engine.recipients.fetch(company, messageUUID);
    engine.recipients.acceptReceipt(company, messageUUID, { receiptStatus: 'COMPLETED' });
    await engine.idle();

    expect(Buffer.from(xml).toString('utf8')).toContain(messageUUID);
    expect(message(messageUUID)).toMatchObject({ state: 'DELIVERED', fetchedAt: START + 5 * MINUTE });
    expect(receipts()).toMatchObject([
      { messageUUID, receiptStatus: 'COMPLETED', timeStamp: START + 5 * MINUTE },
    ]);
  });

  it('retries a failed notification on the delivery schedule', async () => {
    const { engine, letter, send, outbound, tags } = subscribingCompany();
    outbound.answer('notification', 503);

    const message = await send(await letter({ cvr: '87654321' }));
    await engine.advanceClock(10 * 24 * HOUR);

    expect(offsets(outbound.times('notification'))).toEqual(RETRY_OFFSETS);
    expect(tags(message.messageUUID).filter((tag) => tag === 'NOTIFICATION_FAILED')).toHaveLength(
      RETRY_OFFSETS.length,
    );
  });

  it('keeps the MeMo ready for fetching when every notification failed', async () => {
    const { engine, letter, send, outbound, message } = subscribingCompany();
    outbound.answer('notification', 500);

    const { messageUUID } = await send(await letter({ cvr: '87654321' }));
    await engine.advanceClock(10 * 24 * HOUR);

    expect(message(messageUUID).state).toBe('READY_FOR_FETCH');
  });
});
