/**
 * Fault rules and chaos (`engine.faults`): the one question an adapter asks per call (`forCall`),
 * the outcome a rule gives a delivery the simulator makes (`forPush`), a rule's `times` and
 * `probability` (with an injected random source), and chaos' 503s, late receipts, repeated pushes
 * and page sizes.
 */
import { describe, expect, it } from 'vitest';
import {
  HOUR,
  MINUTE,
  offsets,
  rejectionOf,
  SEED_IDS,
  START,
  testEngine,
} from '../../test/support/engine.ts';
import { NO_CHAOS } from './settings.ts';

const SENDER = SEED_IDS.senderPull;
const TRANSMISSION = '5a2c4b1e-8f3d-4c6a-9b7e-1d2f3a4b5c6d';

/** A random source that gives `values` in turn, then the last one for ever. */
function randomOf(...values: number[]): () => number {
  let next = 0;
  return () => values[Math.min(next++, values.length - 1)] as number;
}

describe('fault rules', () => {
  it('are listed with an id once added', () => {
    const { engine } = testEngine();

    const rule = engine.faults.add({ operation: 'POST /memos/', status: 500, times: 2 });

    expect(engine.faults.list()).toEqual([{ id: rule.id, operation: 'POST /memos/', status: 500, times: 2 }]);
  });

  it('are refused INVALID_FAULT_RULE naming every problem', async () => {
    const { engine } = testEngine();

    const rejection = await rejectionOf(() =>
      engine.faults.add({ operation: 'FETCH memos', status: 700, probability: 2, times: 0, colour: 'red' }),
    );

    expect(rejection).toMatchObject({ kind: 'invalid', code: 'INVALID_FAULT_RULE' });
    expect(rejection.fieldErrors.map((problem) => problem.field)).toEqual([
      'operation',
      'status',
      'probability',
      'times',
      'colour',
    ]);
  });

  it('that does nothing (no status, no delay) is refused', async () => {
    const { engine } = testEngine();

    const rejection = await rejectionOf(() => engine.faults.add({ operation: 'POST /memos/' }));

    expect(rejection.fieldErrors).toMatchObject([{ field: 'status' }]);
  });

  it('take drop BEFORE or AFTER for HTTP calls, with times, probability, systemId and delayMs', () => {
    const { engine } = testEngine();

    const rule = engine.faults.add({
      operation: 'POST /memos/',
      drop: 'AFTER',
      times: 1,
      probability: 1,
      systemId: SENDER,
      delayMs: 10,
    });

    expect(rule).toMatchObject({ drop: 'AFTER', times: 1, delayMs: 10 });
  });

  it.each([
    ['a push', { operation: 'PUSH memo', drop: 'AFTER' }],
    ['an SFTP request', { operation: 'SFTP RENAME', drop: 'BEFORE' }],
    ['a status as well', { operation: 'POST /memos/', drop: 'AFTER', status: 503 }],
    ['another value', { operation: 'POST /memos/', drop: 'DURING' }],
  ])('refuse drop for %s, naming the field', async (_case, rule) => {
    const { engine } = testEngine();

    const rejection = await rejectionOf(() => engine.faults.add(rule));

    expect(rejection).toMatchObject({ code: 'INVALID_FAULT_RULE' });
    expect(rejection.fieldErrors.map((problem) => problem.field)).toContain('drop');
  });

  it.each([
    ['without a status', { operation: 'POST /memos/', delayMs: 5, retryAfter: 2 }],
    ['with a status other than 503 or 429', { operation: 'GET /receipts/', status: 500, retryAfter: 2 }],
    ['on a push', { operation: 'PUSH memo', status: 503, retryAfter: 2 }],
    ['over an hour', { operation: 'POST /memos/', status: 503, retryAfter: 3_601 }],
  ])('refuse retryAfter %s', async (_case, rule) => {
    const { engine } = testEngine();

    const rejection = await rejectionOf(() => engine.faults.add(rule));

    expect(rejection.fieldErrors.map((problem) => problem.field)).toEqual(['retryAfter']);
  });

  it('are removed by id; an unknown id is NOT_FOUND', async () => {
    const { engine } = testEngine();
    const rule = engine.faults.add({ operation: 'POST /memos/', status: 500 });

    engine.faults.remove(rule.id);

    expect(engine.faults.list()).toEqual([]);
    expect(await rejectionOf(() => engine.faults.remove(rule.id))).toMatchObject({
      kind: 'not-found',
      code: 'NOT_FOUND',
    });
  });

  it('are gone after a reset', async () => {
    const { engine } = testEngine();
    engine.faults.add({ operation: 'POST /memos/', status: 500 });

    await engine.reset();

    expect(engine.faults.list()).toEqual([]);
  });
});

describe('forCall', () => {
  it('answers a matching call with the rule status', async () => {
    const { engine } = testEngine();
    engine.faults.add({ operation: 'GET /receipts/', status: 500 });

    expect(await engine.faults.forCall('GET /receipts/', SENDER)).toEqual({
      kind: 'answer',
      status: 500,
      retryAfter: undefined,
    });
  });

  it('lets a call of another operation or another system proceed', async () => {
    const { engine } = testEngine();
    engine.faults.add({ operation: 'GET /receipts/', systemId: SEED_IDS.senderPush, status: 500 });

    expect(await engine.faults.forCall('GET /memos/', SEED_IDS.senderPush)).toEqual({
      kind: 'proceed',
      delayed: false,
    });
    expect(await engine.faults.forCall('GET /receipts/', SENDER)).toEqual({
      kind: 'proceed',
      delayed: false,
    });
  });

  it('applies a rule with times 2 to two calls, then the rule expires', async () => {
    const { engine } = testEngine();
    engine.faults.add({ operation: 'POST /memos/', status: 500, times: 2 });

    const verdicts = [];
    for (let i = 0; i < 3; i++) verdicts.push((await engine.faults.forCall('POST /memos/', SENDER)).kind);

    expect(verdicts).toEqual(['answer', 'answer', 'proceed']);
    expect(engine.faults.list()).toEqual([]);
  });

  it('lets the first `after` matching calls through, then applies the rule `times` times', async () => {
    const { engine } = testEngine();
    engine.faults.add({ operation: 'POST /memos/', status: 500, after: 2, times: 1 });
    engine.faults.add({ operation: 'GET /receipts/', status: 500, after: 5 });

    const verdicts = [];
    for (let i = 0; i < 4; i++) verdicts.push((await engine.faults.forCall('POST /memos/', SENDER)).kind);

    expect(verdicts).toEqual(['proceed', 'proceed', 'answer', 'proceed']);
    expect(engine.faults.list()).toMatchObject([{ operation: 'GET /receipts/', after: 5 }]);
  });

  it('refuses an `after` that is not a whole number from 0', () => {
    const { engine } = testEngine();
    for (const after of [-1, 1.5, '2'])
      expect(() => engine.faults.add({ operation: 'SFTP WRITE', sftp: 'FAILURE', after })).toThrow(
        expect.objectContaining({ code: 'INVALID_FAULT_RULE' }),
      );
  });

  it('applies a rule with a probability when the random source falls below it', async () => {
    const { engine } = testEngine({ random: randomOf(0.7, 0.3) });
    engine.faults.add({ operation: 'POST /memos/', status: 500, probability: 0.5 });

    const first = await engine.faults.forCall('POST /memos/', SENDER);
    const second = await engine.faults.forCall('POST /memos/', SENDER);

    expect([first.kind, second.kind]).toEqual(['proceed', 'answer']);
  });

  it('does not count a call the probability spared against times', async () => {
    const { engine } = testEngine({ random: randomOf(0.9) });
    engine.faults.add({ operation: 'POST /memos/', status: 500, probability: 0.5, times: 1 });

    await engine.faults.forCall('POST /memos/', SENDER);

    expect(engine.faults.list()).toMatchObject([{ times: 1 }]);
  });

  it('makes 503 on POST /memos/ the unavailable answer NgDP documents', async () => {
    const { engine } = testEngine();
    engine.faults.add({ operation: 'POST /memos/', status: 503 });

    expect(await engine.faults.forCall('POST /memos/', SENDER)).toEqual({
      kind: 'unavailable',
      retryAfter: 1,
      chaos: false,
    });
  });

  it('answers 503 on other operations as a plain status', async () => {
    const { engine } = testEngine();
    engine.faults.add({ operation: 'GET /receipts/', status: 503 });

    expect(await engine.faults.forCall('GET /receipts/', SENDER)).toEqual({
      kind: 'answer',
      status: 503,
      retryAfter: undefined,
    });
  });

  it('says the Retry-After a rule gives its 503 or 429', async () => {
    const { engine } = testEngine();
    engine.faults.add({ operation: 'POST /memos/', status: 503, retryAfter: 7, times: 1 });
    engine.faults.add({ operation: 'GET /receipts/', status: 429, retryAfter: 3, times: 1 });

    expect(await engine.faults.forCall('POST /memos/', SENDER)).toMatchObject({ retryAfter: 7 });
    expect(await engine.faults.forCall('GET /receipts/', SENDER)).toMatchObject({ retryAfter: 3 });
  });

  it('tells a call held back by a delay-only rule from one no rule named', async () => {
    const { engine } = testEngine();
    engine.faults.add({ operation: 'GET /receipts/', delayMs: 1, times: 1 });

    expect(await engine.faults.forCall('GET /receipts/', SENDER)).toEqual({ kind: 'proceed', delayed: true });
    expect(await engine.faults.forCall('GET /receipts/', SENDER)).toEqual({
      kind: 'proceed',
      delayed: false,
    });
  });

  it('closes a call a drop BEFORE rule names, after its delay', async () => {
    const { engine } = testEngine();
    engine.faults.add({ operation: 'POST /memos/', drop: 'BEFORE', delayMs: 1, times: 1 });

    expect(await engine.faults.forCall('POST /memos/', SENDER)).toEqual({ kind: 'drop-before' });
  });

  it('leaves the delay of a drop AFTER rule to after the call, so the call is done first', async () => {
    const { engine } = testEngine();
    engine.faults.add({ operation: 'POST /memos/', drop: 'AFTER', delayMs: 600_000, times: 1 });

    expect(await engine.faults.forCall('POST /memos/', SENDER)).toEqual({
      kind: 'drop-after',
      delayMs: 600_000,
    });
  });
});

describe('chaos', () => {
  const chaos = (settings: Partial<typeof NO_CHAOS>) => ({ chaos: { ...NO_CHAOS, ...settings } });

  it('answers POST /memos/ unavailable when the random source falls below the reject rate', async () => {
    const { engine } = testEngine({ settings: chaos({ rejectRate: 0.05 }), random: randomOf(0.04, 0.05) });

    const first = await engine.faults.forCall('POST /memos/', SENDER);
    const second = await engine.faults.forCall('POST /memos/', SENDER);

    expect([first.kind, second.kind]).toEqual(['unavailable', 'proceed']);
  });

  it('never rejects other operations', async () => {
    const { engine } = testEngine({ settings: chaos({ rejectRate: 1 }), random: randomOf(0) });

    expect(await engine.faults.forCall('GET /receipts/', SENDER)).toEqual({
      kind: 'proceed',
      delayed: false,
    });
  });

  it('says a 503 was chaos, not a fault rule', async () => {
    const { engine } = testEngine({ settings: chaos({ rejectRate: 1 }), random: randomOf(0) });

    expect(await engine.faults.forCall('POST /memos/', SENDER)).toEqual({
      kind: 'unavailable',
      retryAfter: 1,
      chaos: true,
    });
  });

  it('delays a business receipt by a random share of the maximum, in simulator time', async () => {
    const { engine, letter, send, receipts } = testEngine({
      settings: chaos({ receiptDelayMaxMs: 60_000 }),
      random: randomOf(0.5),
    });

    await send(await letter({ cpr: '0101700001' }));
    expect(receipts()).toEqual([]);
    await engine.advanceClock(30_000);

    expect(receipts()).toMatchObject([{ receiptStatus: 'COMPLETED', timeStamp: START + 30_000 }]);
  });

  it('delays the NOT_ALLOWED receipt of a refused letter as well', async () => {
    const { engine, letter, send, receipts } = testEngine({
      settings: chaos({ receiptDelayMaxMs: 60_000 }),
      random: randomOf(0.5),
    });

    await send(await letter({ cpr: '0101700003' }));
    expect(receipts()).toEqual([]);
    await engine.advanceClock(30_000);

    expect(receipts()).toMatchObject([{ receiptStatus: 'NOT_ALLOWED', timeStamp: START + 30_000 }]);
  });

  it("passes a recipient system's receipt on late too, and refuses a second one meanwhile", async () => {
    const { engine, letter, send, receipts, system } = testEngine({
      settings: chaos({ receiptDelayMaxMs: 60_000 }),
      random: randomOf(0.5),
    });
    const { messageUUID } = await send(await letter({ cvr: '87654321' }));
    const company = system(SEED_IDS.companyRecipient);

    engine.recipients.acceptReceipt(company, messageUUID, {
      receiptStatus: 'COMPLETED',
      transmissionId: TRANSMISSION,
    });
    const again = await rejectionOf(() =>
      engine.recipients.acceptReceipt(company, messageUUID, { receiptStatus: 'INVALID' }),
    );
    expect(receipts()).toEqual([]);
    await engine.advanceClock(30_000);

    expect(again).toMatchObject({ kind: 'conflict', code: 'RECEIPT_ALREADY_GIVEN' });
    expect(receipts()).toMatchObject([
      { receiptStatus: 'COMPLETED', transmissionId: TRANSMISSION, timeStamp: START + 30_000 },
    ]);
  });

  it('repeats a successful push when the random source falls below the duplicate rate', async () => {
    const { engine, letter, send, outbound } = testEngine({
      settings: chaos({ duplicatePushRate: 0.1 }),
      random: randomOf(0.05),
    });
    engine.systems.update(SEED_IDS.companyRecipient, {
      protocol: 'REST_PUSH',
      endpoint: 'https://company.example/',
    });

    const { messageUUID } = await send(await letter({ cvr: '87654321' }));

    expect(outbound.of('memo').map((call) => call.messageUUID)).toEqual([messageUUID, messageUUID]);
  });

  it('gives lists a random page size up to the one asked for', async () => {
    const { engine, system } = testEngine({
      settings: chaos({ randomPageSizes: true }),
      random: randomOf(0.5),
    });

    expect(engine.receipts.list(system(SENDER), { page: 0, size: 10 }).size).toBe(6);
  });
});

describe('forPush', () => {
  it.each([
    [500, { ok: false, status: 500 }],
    [204, { ok: true, status: 204 }],
  ])('makes a delivery answered %i the outcome', async (status, outcome) => {
    const { engine } = testEngine();
    engine.faults.add({ operation: 'PUSH receipt', status });

    expect(await engine.faults.forPush('PUSH receipt', SENDER)).toEqual({
      fault: 'status',
      outcome: expect.objectContaining(outcome),
    });
  });

  it('leaves a delivery no rule names to be made for real', async () => {
    const { engine } = testEngine();
    engine.faults.add({ operation: 'PUSH memo', status: 500 });

    expect(await engine.faults.forPush('PUSH receipt', SENDER)).toBeUndefined();
  });

  it('makes a delay of the push timeout or more a delivery that got no answer', async () => {
    const { engine } = testEngine({ settings: { pushTimeoutMs: 5 } });
    engine.faults.add({ operation: 'PUSH memo', delayMs: 5 });

    expect(await engine.faults.forPush('PUSH memo', SENDER)).toEqual({
      fault: 'delay',
      outcome: { ok: false, reason: expect.stringMatching(/no answer/) },
    });
  });

  it('leaves a delivery a delay-only rule held back to be made for real', async () => {
    const { engine } = testEngine({ settings: { pushTimeoutMs: 1_000 } });
    engine.faults.add({ operation: 'PUSH memo', delayMs: 1 });

    expect(await engine.faults.forPush('PUSH memo', SENDER)).toEqual({ fault: 'delay', outcome: undefined });
  });

  it('fails the first two pushes of a MeMo with a rule of times 2; the third reaches the endpoint', async () => {
    const { engine, letter, send, outbound, tags, message } = testEngine();
    engine.systems.update(SEED_IDS.companyRecipient, {
      protocol: 'REST_PUSH',
      endpoint: 'https://company.example/',
    });
    engine.faults.add({ operation: 'PUSH memo', status: 500, times: 2 });

    const { messageUUID } = await send(await letter({ cvr: '87654321' }));
    await engine.advanceClock(2 * HOUR);

    expect(offsets(outbound.times('memo'), START)).toEqual([HOUR]);
    expect(
      tags(messageUUID).filter((tag) => tag === 'MEMO_SEND_SENT_TO_RECIPIENT_SYSTEM_FAILED'),
    ).toHaveLength(2);
    expect(message(messageUUID).state).toBe('DELIVERED');
  });

  it('fails a notification push for the system a rule names', async () => {
    const { engine, letter, send, outbound } = testEngine();
    engine.systems.update(SEED_IDS.companyRecipient, {
      protocol: 'REST_PUBLISH_SUBSCRIBE',
      endpoint: 'https://company.example/',
    });
    engine.faults.add({
      operation: 'PUSH notification',
      systemId: SEED_IDS.companyRecipient,
      status: 502,
      times: 1,
    });

    await send(await letter({ cvr: '87654321' }));
    await engine.advanceClock(10 * MINUTE);

    expect(offsets(outbound.times('notification'), START)).toEqual([10 * MINUTE]);
  });
});

describe('forSftp', () => {
  it('gives the fault a rule names for an SFTP request', () => {
    const { engine } = testEngine();
    engine.faults.add({ operation: 'SFTP RENAME', sftp: 'DISCONNECT_AFTER', times: 1 });

    expect(engine.faults.forSftp('SFTP RENAME', SEED_IDS.senderSftp)).toEqual({
      delayMs: 0,
      fault: 'DISCONNECT_AFTER',
    });
    expect(engine.faults.forSftp('SFTP RENAME', SEED_IDS.senderSftp)).toBeUndefined();
  });
});
