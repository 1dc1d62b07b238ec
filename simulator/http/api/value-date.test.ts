/**
 * Value dates (`doNotDeliverUntilDate`, a Danish calendar date) and recall before them, as
 * simulator.md "Value date" and "Recall" decide: delivery at 00:00 Europe/Copenhagen in winter and
 * summer time, the 5-day horizon, and `DELETE /memos/{messageUUID}` by the sending system.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { serializeMemoToBytes } from '../../../sdk/memo/index.ts';
import {
  call,
  expectErrorMessage,
  keyOf,
  letterTo,
  mailbox,
  messageState,
  type ReceiptBody,
  receiptFor,
  receiptsFor,
  resetSimulator,
  SEED_IDS,
  sendMemo,
  setClock,
  startTestSimulator,
} from '../../../test/support/simulator.ts';
import { DEFAULT_SEED } from '../../domain/seed.ts';
import type { RunningSimulator, SimulatorOptions } from '../../index.ts';

const tags = (state: { events: Array<{ eventTag: string }> }): string[] =>
  state.events.map((event) => event.eventTag);

describe('value dates', () => {
  let simulator: RunningSimulator;
  let key: string;

  beforeAll(async () => {
    simulator = await startTestSimulator({ clockStart: '2025-01-13T10:00:00Z' });
    key = keyOf(simulator, SEED_IDS.senderPull);
  });
  afterAll(() => simulator.stop());
  beforeEach(() => resetSimulator(simulator));

  /** Sets the clock, sends a letter to 0101700001 with this value date, and lets processing finish. */
  async function sendDated(now: string, valueDate: string, cpr = '0101700001'): Promise<string> {
    await setClock(simulator, now);
    const memo = await letterTo({ cpr }, { doNotDeliverUntil: valueDate });
    const response = await sendMemo(simulator, key, memo);
    expect(response.status, response.text).toBe(201);
    await simulator.settle();
    return memo.messageHeader.messageUUID;
  }

  it('holds a letter dated two days ahead in AWAITING_DELAY, with no receipt and nothing in the mailbox', async () => {
    const uuid = await sendDated('2025-01-13T10:00:00Z', '2025-01-15');
    const state = await messageState(simulator, uuid);
    expect(state.state).toBe('AWAITING_DELAY');
    expect(state.receiptStatus).toBeNull();
    expect(tags(state)).toContain('DELAYED_MEMO_SEND_VALIDATED_AWAITING_DELAY');
    expect(await receiptsFor(simulator, key, uuid)).toEqual([]);
    expect(await mailbox(simulator, '0101700001')).toEqual([]);
  });

  it.each([
    ['winter time (CET, UTC+1)', '2025-01-13T10:00:00Z', '2025-01-15', '2025-01-14T23:00:00.000Z'],
    ['summer time (CEST, UTC+2)', '2025-07-13T10:00:00Z', '2025-07-15', '2025-07-14T22:00:00.000Z'],
    ['the day summer time starts', '2025-03-28T10:00:00Z', '2025-03-30', '2025-03-29T23:00:00.000Z'],
    ['the day summer time ends', '2025-10-24T10:00:00Z', '2025-10-26', '2025-10-25T22:00:00.000Z'],
  ])('delivers exactly at 00:00 Copenhagen time in %s', async (_name, now, valueDate, midnight) => {
    const uuid = await sendDated(now, valueDate);
    const instant = Date.parse(midnight);
    await setClock(simulator, new Date(instant - 60_000).toISOString());
    expect((await messageState(simulator, uuid)).state).toBe('AWAITING_DELAY');
    expect(await mailbox(simulator, '0101700001')).toEqual([]);
    await setClock(simulator, new Date(instant + 60_000).toISOString());
    const state = await messageState(simulator, uuid);
    expect(state.state).toBe('DELIVERED');
    expect(state.deliveredAt).toBe(midnight);
    expect((await mailbox(simulator, '0101700001')).map((entry) => entry.deliveredAt)).toEqual([midnight]);
  });

  it('gives the COMPLETED receipt when the letter is delivered, not before', async () => {
    const uuid = await sendDated('2025-01-13T10:00:00Z', '2025-01-15');
    await setClock(simulator, '2025-01-14T22:59:59Z');
    expect(await receiptsFor(simulator, key, uuid)).toEqual([]);
    await setClock(simulator, '2025-01-15T08:00:00Z');
    const receipt = await receiptFor(simulator, key, uuid);
    expect(receipt.receiptStatus).toBe('COMPLETED');
    expect(receipt.timeStamp).toBe('2025-01-14T23:00:00.000Z');
  });

  it('logs the delayed lifecycle in order', async () => {
    const uuid = await sendDated('2025-01-13T10:00:00Z', '2025-01-15');
    await setClock(simulator, '2025-01-15T00:00:00Z');
    expect(tags(await messageState(simulator, uuid))).toEqual([
      'MEMO_SEND_RECEIVED',
      'TECHNICAL_RECEIPT_SENT_TO_SENDER_SYSTEM',
      'MEMO_SEND_VALIDATED',
      'DELAYED_MEMO_SEND_VALIDATED_AWAITING_DELAY',
      'DELAYED_MEMO_SEND_SENT',
      'MEMO_AVAILABLE_TO_RECIPIENT',
      'BUSINESS_RECEIPT_CREATED',
      'BUSINESS_RECEIPT_SENT',
    ]);
  });

  it('shows the value date in the event log as a calendar date, also when the MeMo gave a time', async () => {
    await setClock(simulator, '2025-01-13T10:00:00Z');
    const memo = await letterTo({ cpr: '0101700001' }, { doNotDeliverUntil: '2025-01-15' });
    const uuid = memo.messageHeader.messageUUID;
    // MeMo's xs:date takes a zone (the SDK's builder writes none).
    const xml = Buffer.from(serializeMemoToBytes(memo))
      .toString('utf8')
      .replace(/2025-01-15(?=<)/, '2025-01-15+01:00');
    expect(xml).toContain('2025-01-15+01:00');
    expect((await sendMemo(simulator, key, new TextEncoder().encode(xml), uuid)).status).toBe(201);
    await simulator.settle();

    const response = await call(`${simulator.apiUrl}/events/?eventTag=MEMO_SEND_VALIDATED`, { apiKey: key });
    const events = (response.json as { events: Array<{ metaProperties: Record<string, string> }> }).events;
    const mine = events.find((event) => event.metaProperties.messageUUID === uuid);

    expect(mine?.metaProperties.doNotDeliverUntilDate).toBe('2025-01-15');
  });

  it("delivers a letter dated today at once (today's Copenhagen date)", async () => {
    const uuid = await sendDated('2025-01-13T10:00:00Z', '2025-01-13');
    const state = await messageState(simulator, uuid);
    expect(state.state).toBe('DELIVERED');
    expect(tags(state)).not.toContain('DELAYED_MEMO_SEND_VALIDATED_AWAITING_DELAY');
    expect((await receiptFor(simulator, key, uuid)).receiptStatus).toBe('COMPLETED');
  });

  it('takes "today" in Copenhagen, not in UTC (23:30 UTC is already tomorrow in Denmark)', async () => {
    const uuid = await sendDated('2025-01-13T23:30:00Z', '2025-01-14');
    expect((await messageState(simulator, uuid)).state).toBe('DELIVERED');
  });

  it('delivers a letter dated in the past at once', async () => {
    const uuid = await sendDated('2025-01-13T10:00:00Z', '2025-01-01');
    expect((await receiptFor(simulator, key, uuid)).receiptStatus).toBe('COMPLETED');
  });

  it('accepts a value date 5 days ahead', async () => {
    const uuid = await sendDated('2025-01-13T10:00:00Z', '2025-01-18');
    expect((await messageState(simulator, uuid)).state).toBe('AWAITING_DELAY');
  });

  it('answers INVALID VALUE_DATE_TOO_FAR for a value date 6 days ahead and never delivers it', async () => {
    const uuid = await sendDated('2025-01-13T10:00:00Z', '2025-01-19');
    const receipt: ReceiptBody = await receiptFor(simulator, key, uuid);
    expect(receipt).toMatchObject({ receiptStatus: 'INVALID', errorCode: 'VALUE_DATE_TOO_FAR' });
    expect(receipt.errorMessage).toContain('2025-01-19');
    await setClock(simulator, '2025-01-20T00:00:00Z');
    expect(await mailbox(simulator, '0101700001')).toEqual([]);
  });

  it('counts the horizon from the Copenhagen date of sending', async () => {
    // 2025-01-13T23:30Z is 2025-01-14 in Copenhagen, so 2025-01-19 is 5 days ahead, not 6.
    const uuid = await sendDated('2025-01-13T23:30:00Z', '2025-01-19');
    expect((await messageState(simulator, uuid)).state).toBe('AWAITING_DELAY');
  });

  it('gives the slow mailbox (0101700006) its receipt one hour after the delayed delivery', async () => {
    const uuid = await sendDated('2025-01-13T10:00:00Z', '2025-01-14', '0101700006');
    await setClock(simulator, '2025-01-13T23:30:00Z');
    expect((await messageState(simulator, uuid)).state).toBe('DELIVERED');
    expect(await receiptsFor(simulator, key, uuid)).toEqual([]);
    await setClock(simulator, '2025-01-14T00:00:00Z');
    expect((await receiptFor(simulator, key, uuid)).timeStamp).toBe('2025-01-14T00:00:00.000Z');
  });
});

describe('value dates with valueDateHorizonDays: 10', () => {
  let simulator: RunningSimulator;

  beforeAll(async () => {
    simulator = await startTestSimulator({ clockStart: '2025-01-13T10:00:00Z', valueDateHorizonDays: 10 });
  });
  afterAll(() => simulator.stop());

  it('accepts a value date 10 days ahead and refuses 11', async () => {
    const key = keyOf(simulator, SEED_IDS.senderPull);
    const ten = await letterTo({ cpr: '0101700001' }, { doNotDeliverUntil: '2025-01-23' });
    const eleven = await letterTo({ cpr: '0101700001' }, { doNotDeliverUntil: '2025-01-24' });
    await sendMemo(simulator, key, ten);
    await sendMemo(simulator, key, eleven);
    await simulator.settle();
    expect((await messageState(simulator, ten.messageHeader.messageUUID)).state).toBe('AWAITING_DELAY');
    expect(await receiptFor(simulator, key, eleven.messageHeader.messageUUID)).toMatchObject({
      receiptStatus: 'INVALID',
      errorCode: 'VALUE_DATE_TOO_FAR',
    });
  });
});

describe.each([
  ["valueDateReceipt: 'acceptance'", { valueDateReceipt: 'acceptance' }],
  [
    "a seed with settings.valueDateReceipt 'acceptance'",
    { seed: { ...DEFAULT_SEED, settings: { valueDateReceipt: 'acceptance' } } },
  ],
] satisfies [string, SimulatorOptions][])('value dates with %s', (_, options) => {
  let simulator: RunningSimulator;
  let key: string;

  beforeAll(async () => {
    simulator = await startTestSimulator({ clockStart: '2025-01-13T10:00:00Z', ...options });
    key = keyOf(simulator, SEED_IDS.senderPull);
  });
  afterAll(() => simulator.stop());

  it('receipts a held mailbox letter at once, delivers it at the value date, and receipts it only once', async () => {
    const memo = await letterTo({ cpr: '0101700001' }, { doNotDeliverUntil: '2025-01-15' });
    expect((await sendMemo(simulator, key, memo)).status).toBe(201);
    await simulator.settle();
    const uuid = memo.messageHeader.messageUUID;
    expect((await messageState(simulator, uuid)).state).toBe('AWAITING_DELAY');
    expect((await receiptsFor(simulator, key, uuid)).map((r) => r.receiptStatus)).toEqual(['COMPLETED']);
    await setClock(simulator, '2025-01-15T00:00:00Z');
    expect((await messageState(simulator, uuid)).state).toBe('DELIVERED');
    expect(await receiptsFor(simulator, key, uuid)).toHaveLength(1);
  });
});

describe('recall: DELETE /memos/{messageUUID}', () => {
  let simulator: RunningSimulator;
  let key: string;

  beforeAll(async () => {
    simulator = await startTestSimulator({ clockStart: '2025-01-13T10:00:00Z' });
    key = keyOf(simulator, SEED_IDS.senderPull);
  });
  afterAll(() => simulator.stop());
  beforeEach(async () => {
    await resetSimulator(simulator);
    await setClock(simulator, '2025-01-13T10:00:00Z');
  });

  async function send(valueDate?: string, apiKey = key): Promise<string> {
    const memo = await letterTo(
      { cpr: '0101700001' },
      valueDate === undefined ? {} : { doNotDeliverUntil: valueDate },
    );
    expect((await sendMemo(simulator, apiKey, memo)).status).toBe(201);
    await simulator.settle();
    return memo.messageHeader.messageUUID;
  }
  const recall = (uuid: string, apiKey = key) =>
    call(`${simulator.apiUrl}/memos/${uuid}`, { method: 'DELETE', apiKey });

  it('recalls a letter waiting for its value date with 204', async () => {
    const uuid = await send('2025-01-15');
    const response = await recall(uuid);
    expect(response.status, response.text).toBe(204);
    expect(response.text).toBe('');
  });

  it('never delivers a recalled letter and logs DELAYED_MEMO_MESSAGE_RECALLED', async () => {
    const uuid = await send('2025-01-15');
    expect((await recall(uuid)).status).toBe(204);
    await setClock(simulator, '2025-01-16T12:00:00Z');
    const state = await messageState(simulator, uuid);
    expect(state.state).toBe('RECALLED');
    expect(tags(state)).toContain('DELAYED_MEMO_MESSAGE_RECALLED');
    expect(tags(state)).not.toContain('DELAYED_MEMO_SEND_SENT');
    expect(tags(state)).not.toContain('MEMO_AVAILABLE_TO_RECIPIENT');
    expect(await mailbox(simulator, '0101700001')).toEqual([]);
    expect((await receiptsFor(simulator, key, uuid)).map((receipt) => receipt.receiptStatus)).not.toContain(
      'COMPLETED',
    );
  });

  it('finds the letter whatever the case of the messageUUID in the path', async () => {
    const uuid = await send('2025-01-15');
    expect((await recall(uuid.toUpperCase())).status).toBe(204);
    expect((await messageState(simulator, uuid)).state).toBe('RECALLED');
  });

  it('answers 409 ALREADY_RECALLED to a second recall', async () => {
    const uuid = await send('2025-01-15');
    await recall(uuid);
    expectErrorMessage(await recall(uuid), 409, 'ALREADY_RECALLED');
  });

  it('answers 409 ALREADY_DELIVERED once the value date has come', async () => {
    const uuid = await send('2025-01-15');
    await setClock(simulator, '2025-01-15T00:00:00Z');
    expect((await messageState(simulator, uuid)).state).toBe('DELIVERED');
    expectErrorMessage(await recall(uuid), 409, 'ALREADY_DELIVERED');
  });

  it('answers 409 ALREADY_DELIVERED for a letter dated today (delivered at once)', async () => {
    const uuid = await send('2025-01-13');
    expectErrorMessage(await recall(uuid), 409, 'ALREADY_DELIVERED');
  });

  it('answers 422 NO_VALUE_DATE for a letter without a value date', async () => {
    const uuid = await send();
    expectErrorMessage(await recall(uuid), 422, 'NO_VALUE_DATE');
  });

  it('answers 404 for an unknown messageUUID', async () => {
    expectErrorMessage(await recall('0f0f0f0f-0000-4000-8000-00000000abcd'), 404, 'NOT_FOUND');
  });

  it("answers 404 for another system's letter and leaves it waiting", async () => {
    const uuid = await send('2025-01-15');
    expectErrorMessage(await recall(uuid, keyOf(simulator, SEED_IDS.senderPush)), 404, 'NOT_FOUND');
    expect((await messageState(simulator, uuid)).state).toBe('AWAITING_DELAY');
  });

  it('needs the API key (401 without it)', async () => {
    const uuid = await send('2025-01-15');
    expectErrorMessage(
      await call(`${simulator.apiUrl}/memos/${uuid}`, { method: 'DELETE' }),
      401,
      'UNAUTHENTICATED',
    );
    expect((await messageState(simulator, uuid)).state).toBe('AWAITING_DELAY');
  });
});
