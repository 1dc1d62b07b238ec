/**
 * MeMos pushed to REST_PUSH recipient systems through the outbound port, on the manual clock: the
 * retry schedule of simulator.md "Delivery retries", the fallback to the organisation's default
 * (primary) recipient system, the NOT_ALLOWED receipt when every attempt failed, and deactivation
 * of a system whose every delivery failed for 7 days.
 */
import { describe, expect, it } from 'vitest';
import {
  DAY,
  FALLBACK_OFFSETS,
  HOUR,
  loggedEvents,
  MINUTE,
  offsets,
  RETRY_OFFSETS,
  rejectionOf,
  SEED_IDS,
  START,
  testEngine,
} from '../../test/support/engine.ts';
import { retrySchedule } from '../domain/retry.ts';

const COMPANY_ENDPOINT = 'https://company.example/memos';
const FAILING_ENDPOINT = 'https://authority.example/case-system';
const PRIMARY_ENDPOINT = 'https://authority.example/primary';

/** The seeded company recipient system (CVR 87654321, its organisation's only one) pushing to an endpoint. */
function pushingCompany() {
  const test = testEngine();
  test.engine.systems.update(SEED_IDS.companyRecipient, {
    protocol: 'REST_PUSH',
    endpoint: COMPANY_ENDPOINT,
  });
  return test;
}

/**
 * The authority's seeded recipient system (the contact point's) pushing to FAILING_ENDPOINT as a
 * plain RECIPIENT, and a new default recipient system pushing to PRIMARY_ENDPOINT.
 */
function authorityWithPrimary() {
  const test = testEngine();
  const { system: primary } = test.engine.systems.create({
    organisationId: SEED_IDS.authority,
    name: 'Primary recipient system',
    roles: ['RECIPIENT', 'RECIPIENT_DEFAULT'],
    protocol: 'REST_PUSH',
    endpoint: PRIMARY_ENDPOINT,
  });
  test.engine.systems.update(SEED_IDS.authorityRecipient, {
    protocol: 'REST_PUSH',
    endpoint: FAILING_ENDPOINT,
  });
  return { ...test, primaryId: primary.id };
}

const viaContactPoint = { cvr: '12345678', contactPoint: { contactPointID: SEED_IDS.contactPoint } };

describe('a push to a REST_PUSH recipient system', () => {
  it('sends the MeMo as received to the endpoint, with the push timeout', async () => {
    const { letter, send, outbound, engine } = pushingCompany();

    const message = await send(await letter({ cvr: '87654321' }));

    expect(outbound.of('memo')).toMatchObject([
      { url: COMPANY_ENDPOINT, messageUUID: message.messageUUID, at: START, timeoutMs: 30_000 },
    ]);
    expect(outbound.of('memo')[0]?.xml).toEqual(engine.inspection.memo(message.messageUUID));
  });

  it('that is answered 2xx delivers the message, without a receipt for the sender until the recipient gives one', async () => {
    const { letter, send, tags, receipts } = pushingCompany();

    const message = await send(await letter({ cvr: '87654321' }));

    expect(message).toMatchObject({ state: 'DELIVERED', deliveredAt: START, attempts: 1 });
    expect(tags(message.messageUUID)).toContain('MEMO_SEND_SENT_TO_RECIPIENT_SYSTEM');
    expect(receipts()).toEqual([]);
  });

  it('that fails is attempted at +0, +10 min, +1 h, +4 h, +12 h, then daily on days 2 to 7, not at +7 days', async () => {
    const { engine, letter, send, outbound } = pushingCompany();
    outbound.answer('memo', 500);

    await send(await letter({ cvr: '87654321' }));
    await engine.advanceClock(10 * DAY);

    expect(offsets(outbound.times('memo'), START)).toEqual(RETRY_OFFSETS);
  });

  it('logs each failed attempt', async () => {
    const { engine, letter, send, outbound, tags } = pushingCompany();
    outbound.answer('memo', 500);

    const { messageUUID } = await send(await letter({ cvr: '87654321' }));
    await engine.advanceClock(10 * DAY);

    const failed = tags(messageUUID).filter((tag) => tag === 'MEMO_SEND_SENT_TO_RECIPIENT_SYSTEM_FAILED');
    expect(failed).toHaveLength(RETRY_OFFSETS.length);
  });

  it('that succeeds on the third attempt stops the retries', async () => {
    const { engine, letter, send, outbound, message } = pushingCompany();
    outbound.answer('memo', () => (outbound.of('memo').length < 3 ? 500 : 200));

    const { messageUUID } = await send(await letter({ cvr: '87654321' }));
    await engine.advanceClock(10 * DAY);

    expect(offsets(outbound.times('memo'), START)).toEqual([0, 10 * MINUTE, HOUR]);
    expect(message(messageUUID)).toMatchObject({ state: 'DELIVERED', deliveredAt: START + HOUR });
  });

  it('fails the message with a NOT_ALLOWED RECIPIENT_NOT_REACHABLE receipt when the organisation has no other default system', async () => {
    const { engine, letter, send, outbound, receipts, message } = pushingCompany();
    outbound.answer('memo', 500);

    const { messageUUID } = await send(await letter({ cvr: '87654321' }));
    await engine.advanceClock(7 * DAY - 1);
    expect(receipts()).toEqual([]);
    await engine.advanceClock(1);

    expect(message(messageUUID).state).toBe('FAILED');
    expect(receipts()).toMatchObject([
      {
        messageUUID,
        receiptStatus: 'NOT_ALLOWED',
        errorCode: 'RECIPIENT_NOT_REACHABLE',
        timeStamp: START + 7 * DAY,
      },
    ]);
  });

  it('without an endpoint configured is a failed attempt that makes no call', async () => {
    const { engine, letter, send, outbound, tags } = testEngine();
    engine.systems.update(SEED_IDS.companyRecipient, { protocol: 'REST_PUSH' });

    const { messageUUID } = await send(await letter({ cvr: '87654321' }));

    expect(outbound.calls).toEqual([]);
    expect(tags(messageUUID)).toContain('MEMO_SEND_SENT_TO_RECIPIENT_SYSTEM_FAILED');
  });
});

describe('a shorter schedule and push timeout (sim start --retry-schedule, --push-timeout)', () => {
  it('makes exactly the retries given, with the push timeout given, then fails the message', async () => {
    const { engine, letter, send, outbound, receipts, message } = testEngine({
      settings: { retry: retrySchedule([1_000, 5_000]), pushTimeoutMs: 200 },
    });
    engine.systems.update(SEED_IDS.companyRecipient, { protocol: 'REST_PUSH', endpoint: COMPANY_ENDPOINT });
    outbound.answer('memo', 500);

    const { messageUUID } = await send(await letter({ cvr: '87654321' }));
    await engine.advanceClock(10 * DAY);

    expect(offsets(outbound.times('memo'), START)).toEqual([0, 1_000, 5_000]);
    expect(outbound.of('memo').map((push) => push.timeoutMs)).toEqual([200, 200, 200]);
    expect(message(messageUUID).state).toBe('FAILED');
    expect(receipts()).toMatchObject([
      {
        messageUUID,
        receiptStatus: 'NOT_ALLOWED',
        errorCode: 'RECIPIENT_NOT_REACHABLE',
        timeStamp: START + 5_000,
      },
    ]);
  });

  it("falls back to the organisation's default system at once and at the first two retries' offsets", async () => {
    const test = testEngine({ settings: { retry: retrySchedule([1_000, 5_000, 9_000]) } });
    test.engine.systems.create({
      organisationId: SEED_IDS.authority,
      name: 'Primary recipient system',
      roles: ['RECIPIENT', 'RECIPIENT_DEFAULT'],
      protocol: 'REST_PUSH',
      endpoint: PRIMARY_ENDPOINT,
    });
    test.engine.systems.update(SEED_IDS.authorityRecipient, {
      protocol: 'REST_PUSH',
      endpoint: FAILING_ENDPOINT,
    });
    test.outbound.answer('memo', 500);

    await test.send(await test.letter(viaContactPoint));
    await test.engine.advanceClock(DAY);

    expect(offsets(test.outbound.times('memo', PRIMARY_ENDPOINT), START + 9_000)).toEqual([0, 1_000, 5_000]);
  });
});

describe("fallback to the organisation's default recipient system", () => {
  it('after 7 days of failures the MeMo goes to the default system, attempted at +0, +10 min, +1 h', async () => {
    const { engine, letter, send, outbound } = authorityWithPrimary();
    outbound.answer('memo', 500);

    await send(await letter(viaContactPoint));
    await engine.advanceClock(10 * DAY);

    expect(offsets(outbound.times('memo', FAILING_ENDPOINT), START)).toEqual(RETRY_OFFSETS);
    expect(offsets(outbound.times('memo', PRIMARY_ENDPOINT), START + 7 * DAY)).toEqual(FALLBACK_OFFSETS);
  });

  it('the default system taking the MeMo delivers it there', async () => {
    const { engine, letter, send, outbound, message, primaryId } = authorityWithPrimary();
    outbound.answer('memo', (call) => (call.url === PRIMARY_ENDPOINT ? 200 : 500));

    const { messageUUID } = await send(await letter(viaContactPoint));
    await engine.advanceClock(10 * DAY);

    expect(outbound.times('memo', PRIMARY_ENDPOINT)).toHaveLength(1);
    expect(message(messageUUID)).toMatchObject({
      state: 'DELIVERED',
      fallback: true,
      deliveredAt: START + 7 * DAY,
      route: { kind: 'SYSTEM', systemId: primaryId },
    });
  });

  it('when the default system failed too the message fails with a NOT_ALLOWED receipt after its third attempt', async () => {
    const { engine, letter, send, outbound, receipts, message } = authorityWithPrimary();
    outbound.answer('memo', 500);

    const { messageUUID } = await send(await letter(viaContactPoint));
    await engine.advanceClock(7 * DAY + HOUR - 1);
    expect(receipts()).toEqual([]);
    await engine.advanceClock(1);

    expect(message(messageUUID).state).toBe('FAILED');
    expect(receipts()).toMatchObject([
      {
        receiptStatus: 'NOT_ALLOWED',
        errorCode: 'RECIPIENT_NOT_REACHABLE',
        timeStamp: START + 7 * DAY + HOUR,
      },
    ]);
  });

  it('to a default system that pulls puts the MeMo in its queue', async () => {
    const { engine, letter, send, outbound, system, message } = testEngine();
    const { system: pushing } = engine.systems.create({
      organisationId: SEED_IDS.authority,
      name: 'Case system (PUSH)',
      roles: ['RECIPIENT'],
      protocol: 'REST_PUSH',
      endpoint: FAILING_ENDPOINT,
    });
    engine.directory.updateContactPoint(SEED_IDS.contactPoint, { systemId: pushing.id });
    outbound.answer('memo', 500);

    const { messageUUID } = await send(await letter(viaContactPoint));
    await engine.advanceClock(7 * DAY);

    expect(message(messageUUID)).toMatchObject({ state: 'READY_FOR_FETCH', deliveredAt: START + 7 * DAY });
    const queue = engine.recipients.queue(system(SEED_IDS.authorityRecipient), { page: 0, size: 10 });
    expect(queue.items).toEqual([messageUUID]);
  });
});

describe('deactivation', () => {
  it('deactivates a recipient system whose every delivery failed for 7 days', async () => {
    const { engine, letter, send, outbound, system } = pushingCompany();
    outbound.answer('memo', 500);

    await send(await letter({ cvr: '87654321' }));
    await engine.advanceClock(7 * DAY - 1);
    expect(system(SEED_IDS.companyRecipient).deactivatedAt).toBeUndefined();
    await engine.advanceClock(1);

    expect(system(SEED_IDS.companyRecipient)).toMatchObject({
      deactivatedAt: START + 7 * DAY,
      failingSince: START,
    });
  });

  it('records the deactivation as SYSTEM_CHANGED and tells listeners', async () => {
    const { engine, letter, send, outbound, emitted } = pushingCompany();
    outbound.answer('memo', 500);

    await send(await letter({ cvr: '87654321' }));
    await engine.advanceClock(8 * DAY);

    expect(
      loggedEvents(emitted)
        .filter((event) => event.eventTag === 'SYSTEM_CHANGED')
        .at(-1),
    ).toMatchObject({
      systemIds: [SEED_IDS.companyRecipient],
      eventTime: START + 7 * DAY,
      message: expect.stringContaining('deactivated'),
    });
    const saved = emitted.filter((event) => event.type === 'system-saved');
    expect(saved.at(-1)).toMatchObject({
      system: { id: SEED_IDS.companyRecipient, deactivatedAt: START + 7 * DAY },
    });
  });

  it("refuses the deactivated system's own calls SYSTEM_NOT_ACTIVE", async () => {
    const { engine, letter, send, outbound, fixtures } = pushingCompany();
    outbound.answer('memo', 500);
    const apiKey = fixtures.systems.find((system) => system.id === SEED_IDS.companyRecipient)?.apiKey;

    await send(await letter({ cvr: '87654321' }));
    await engine.advanceClock(8 * DAY);

    const rejection = await rejectionOf(() =>
      engine.access.authenticate(`Basic ${apiKey}`, '127.0.0.1', 'any'),
    );
    expect(rejection).toMatchObject({ kind: 'forbidden', code: 'SYSTEM_NOT_ACTIVE' });
  });

  it('one successful delivery within the 7 days keeps the system in operation', async () => {
    const { engine, letter, send, outbound, system } = pushingCompany();
    let lucky = '';
    outbound.answer('memo', (call) => (call.messageUUID === lucky ? 200 : 500));
    await send(await letter({ cvr: '87654321' }));
    await engine.advanceClock(3 * DAY);

    const second = await letter({ cvr: '87654321' });
    lucky = second.messageHeader.messageUUID;
    await send(second);
    await engine.advanceClock(5 * DAY);

    expect(system(SEED_IDS.companyRecipient).deactivatedAt).toBeUndefined();
  });

  it('pushes no further MeMo to a deactivated system: it is refused RECIPIENT_NOT_REACHABLE', async () => {
    const { engine, letter, send, outbound, receipts } = pushingCompany();
    outbound.answer('memo', 500);
    await send(await letter({ cvr: '87654321' }));
    await engine.advanceClock(8 * DAY);
    const before = outbound.of('memo').length;
    outbound.answer('memo', 200);

    const late = await send(await letter({ cvr: '87654321' }));
    await engine.advanceClock(DAY);

    expect(outbound.of('memo')).toHaveLength(before);
    expect(late.state).toBe('REJECTED');
    expect(receipts().at(-1)).toMatchObject({
      messageUUID: late.messageUUID,
      errorCode: 'RECIPIENT_NOT_REACHABLE',
    });
  });
});
