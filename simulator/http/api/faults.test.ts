/**
 * Pressure on sender systems: fault rules (`/simulator/v1/faults`) and the chaos switches of
 * simulator.md ("Chaos"), seen from the sending side.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type ApiResponse,
  addFault,
  call,
  control,
  expectErrorMessage,
  keyOf,
  letterTo,
  receiptFor,
  receiptsFor,
  resetSimulator,
  SEED_IDS,
  sendMemo,
  startTestSimulator,
} from '../../../test/support/simulator.ts';
import { settlesBefore } from '../../../test/support/timers.ts';
import type { RunningSimulator, SimulatorOptions } from '../../index.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** NgDP answers 503 on POST /memos/ with a Receipt body (ngdp-api.md §3.4) and we add Retry-After. */
function expectUnavailable(response: ApiResponse): void {
  expect(response.status, response.text).toBe(503);
  expect(response.json).toMatchObject({
    transmissionId: expect.stringMatching(UUID),
    timeStamp: expect.any(String),
  });
  expect(response.json).not.toHaveProperty('code');
  expect(response.json).not.toHaveProperty('fieldErrors');
  expect(Number(response.headers['retry-after'])).toBeGreaterThanOrEqual(0);
}

/** A small deterministic PRNG (mulberry32). */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('fault injection', () => {
  let simulator: RunningSimulator;
  let key: string;

  beforeAll(async () => {
    simulator = await startTestSimulator();
    key = keyOf(simulator, SEED_IDS.senderPull);
  });
  afterAll(() => simulator.stop());
  beforeEach(() => resetSimulator(simulator));

  const send = async (apiKey = key) => sendMemo(simulator, apiKey, await letterTo({ cpr: '0101700001' }));

  it('makes the next two POST /memos/ answer 503 with a Receipt body and Retry-After, the third 201', async () => {
    const created = await control(simulator, 'POST', '/faults', {
      operation: 'POST /memos/',
      status: 503,
      times: 2,
    });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({
      id: expect.any(String),
      operation: 'POST /memos/',
      status: 503,
      times: 2,
    });
    expectUnavailable(await send());
    expectUnavailable(await send());
    expect((await send()).status).toBe(201);
  });

  it('does not take in a message it answered 503 to', async () => {
    await addFault(simulator, { operation: 'POST /memos/', status: 503, times: 1 });
    const memo = await letterTo({ cpr: '0101700001' });
    expectUnavailable(await sendMemo(simulator, key, memo));
    await simulator.settle();
    expect((await control(simulator, 'GET', `/messages/${memo.messageHeader.messageUUID}`)).status).toBe(404);
    expect((await sendMemo(simulator, key, memo)).status).toBe(201);
  });

  it('lists active rules with GET /faults and counts down times', async () => {
    await addFault(simulator, { operation: 'POST /memos/', status: 503, times: 2 });
    await send();
    expect((await control(simulator, 'GET', '/faults')).json).toEqual([
      expect.objectContaining({ operation: 'POST /memos/', times: 1 }),
    ]);
    await send();
    expect((await control(simulator, 'GET', '/faults')).json).toEqual([]);
  });

  it('removes every rule with DELETE /faults (204)', async () => {
    await addFault(simulator, { operation: 'POST /memos/', status: 503 });
    const response = await control(simulator, 'DELETE', '/faults');
    expect(response.status).toBe(204);
    expect((await control(simulator, 'GET', '/faults')).json).toEqual([]);
    expect((await send()).status).toBe(201);
  });

  it('removes one rule with DELETE /faults/{id}', async () => {
    const created = await control(simulator, 'POST', '/faults', { operation: 'POST /memos/', status: 503 });
    const { id } = created.json as { id: string };
    expect((await control(simulator, 'DELETE', `/faults/${id}`)).status).toBe(204);
    expect((await send()).status).toBe(201);
    expect((await control(simulator, 'DELETE', `/faults/${id}`)).status).toBe(404);
  });

  it('hits only the system a systemId-scoped rule names', async () => {
    await addFault(simulator, { operation: 'POST /memos/', systemId: SEED_IDS.senderPush, status: 503 });
    expect((await send(key)).status).toBe(201);
    expectUnavailable(await send(keyOf(simulator, SEED_IDS.senderPush)));
  });

  it('hits only the operation it names', async () => {
    await addFault(simulator, { operation: 'GET /receipts/', status: 503 });
    expect((await send()).status).toBe(201);
    expect((await call(`${simulator.apiUrl}/receipts/`, { apiKey: key })).status).toBe(503);
    expect((await call(`${simulator.apiUrl}/receipts-bulk/`, { apiKey: key })).status).toBe(200);
  });

  it('answers other operations and statuses with an ErrorMessage of that status', async () => {
    await addFault(simulator, { operation: 'GET /receipts/{id}', status: 429, times: 1 });
    const response = await call(`${simulator.apiUrl}/receipts/0f0f0f0f-0000-4000-8000-00000000abcd`, {
      apiKey: key,
    });
    expect(response.status).toBe(429);
    expect(response.json).toMatchObject({ code: expect.any(String), message: expect.any(String) });
  });

  it('still authenticates first: a call without a key gets 401, and does not use up the rule', async () => {
    await addFault(simulator, { operation: 'POST /memos/', status: 503, times: 1 });
    const memo = await letterTo({ cpr: '0101700001' });
    const anonymous = await call(
      `${simulator.apiUrl}/memos/?memo-message-uuid=${memo.messageHeader.messageUUID}`,
      {
        method: 'POST',
        contentType: 'application/xml',
        body: '<x/>',
      },
    );
    expectErrorMessage(anonymous, 401, 'UNAUTHENTICATED');
    expectUnavailable(await send());
  });

  it('delays a call by delayMs and then answers normally', async () => {
    await addFault(simulator, { operation: 'GET /receipts/', delayMs: 150, times: 1 });
    const answer = call(`${simulator.apiUrl}/receipts/`, { apiKey: key });
    // A timer of the delay, started before the simulator even has the request, falls due first.
    expect(await settlesBefore(answer, 150)).toBe(false);
    expect((await answer).status).toBe(200);
  });

  it('never applies a rule with probability 0', async () => {
    await addFault(simulator, { operation: 'POST /memos/', status: 503, probability: 0 });
    for (let i = 0; i < 5; i++) expect((await send()).status).toBe(201);
  });

  it.each([
    ['an unknown operation', { operation: 'FETCH /memos/', status: 503 }, 'operation'],
    ['a missing operation', { status: 503 }, 'operation'],
    ['a status that is not HTTP', { operation: 'POST /memos/', status: 99 }, 'status'],
    ['neither status nor delayMs', { operation: 'POST /memos/' }, 'status'],
    ['times of 0', { operation: 'POST /memos/', status: 503, times: 0 }, 'times'],
    ['a probability over 1', { operation: 'POST /memos/', status: 503, probability: 2 }, 'probability'],
    ['a negative delayMs', { operation: 'POST /memos/', delayMs: -1 }, 'delayMs'],
    ['an unknown field', { operation: 'POST /memos/', status: 503, statusCode: 500 }, 'statusCode'],
    ['a systemId that is not a string', { operation: 'POST /memos/', status: 503, systemId: 7 }, 'systemId'],
  ])('refuses a rule with %s: 400 with fieldErrors', async (_name, rule, field) => {
    const response = await control(simulator, 'POST', '/faults', rule);
    expect(response.status, response.text).toBe(400);
    const body = response.json as { code: string; fieldErrors: Array<{ field: string }> };
    expect(body.code).toEqual(expect.any(String));
    expect(body.fieldErrors.map((error) => error.field)).toContain(field);
    expect((await control(simulator, 'GET', '/faults')).json).toEqual([]);
  });

  it('refuses a rule that is not a JSON object with 400', async () => {
    const response = await control(simulator, 'POST', '/faults', ['POST /memos/']);
    expect(response.status).toBe(400);
  });
});

describe('chaos', () => {
  const started: RunningSimulator[] = [];
  const start = async (options: SimulatorOptions): Promise<RunningSimulator> => {
    const simulator = await startTestSimulator(options);
    started.push(simulator);
    return simulator;
  };
  afterAll(() => Promise.all(started.map((simulator) => simulator.stop())));

  it('rejectRate 1 makes every POST /memos/ answer 503 with a Receipt body, taking nothing in', async () => {
    const simulator = await start({ chaos: { rejectRate: 1 } });
    const memo = await letterTo({ cpr: '0101700001' });
    expectUnavailable(await sendMemo(simulator, keyOf(simulator, SEED_IDS.senderPull), memo));
    await simulator.settle();
    expect((await control(simulator, 'GET', `/messages/${memo.messageHeader.messageUUID}`)).status).toBe(404);
  });

  it('rejectRate 1 leaves the other operations alone', async () => {
    const simulator = await start({ chaos: { rejectRate: 1 } });
    const response = await call(`${simulator.apiUrl}/receipts/`, {
      apiKey: keyOf(simulator, SEED_IDS.senderPull),
    });
    expect(response.status).toBe(200);
  });

  describe('randomPageSizes', () => {
    async function withReceipts(options: SimulatorOptions, count: number) {
      const simulator = await start(options);
      const key = keyOf(simulator, SEED_IDS.senderPull);
      for (let i = 0; i < count; i++) await sendMemo(simulator, key, await letterTo({ cpr: '0101700001' }));
      await simulator.settle();
      const sizes = async (times: number, size: number): Promise<number[]> => {
        const result: number[] = [];
        for (let i = 0; i < times; i++) {
          const page = (await call(`${simulator.apiUrl}/receipts/?size=${size}`, { apiKey: key })).json as {
            content: string[];
            size: number;
          };
          expect(page.content.length).toBeLessThanOrEqual(page.size);
          result.push(page.content.length);
        }
        return result;
      };
      return { simulator, key, sizes };
    }

    it('varies list sizes but never exceeds the requested size', async () => {
      const { sizes } = await withReceipts({ chaos: { randomPageSizes: true }, random: seeded(7) }, 12);
      const seen = await sizes(20, 5);
      expect(Math.max(...seen)).toBeLessThanOrEqual(5);
      expect(Math.min(...seen)).toBeGreaterThanOrEqual(1);
      expect(new Set(seen).size).toBeGreaterThan(1);
    });

    it('never exceeds the requested size on /receipts-bulk/ either', async () => {
      const { simulator, key } = await withReceipts(
        { chaos: { randomPageSizes: true }, random: seeded(3) },
        6,
      );
      for (let i = 0; i < 10; i++) {
        const page = (await call(`${simulator.apiUrl}/receipts-bulk/?size=4`, { apiKey: key })).json as {
          elementsOnPage: number;
          receipts: unknown[];
        };
        expect(page.receipts.length).toBeLessThanOrEqual(4);
        expect(page.elementsOnPage).toBe(page.receipts.length);
      }
    });

    it('is deterministic with the random option: the same seed gives the same sizes', async () => {
      const first = await withReceipts({ chaos: { randomPageSizes: true }, random: seeded(42) }, 10);
      const second = await withReceipts({ chaos: { randomPageSizes: true }, random: seeded(42) }, 10);
      expect(await first.sizes(12, 8)).toEqual(await second.sizes(12, 8));
    });
  });

  it('receiptDelayMaxMs delays business receipts by random simulator time (deterministic with random)', async () => {
    const simulator = await start({ chaos: { receiptDelayMaxMs: 60_000 }, random: () => 0.5 });
    const key = keyOf(simulator, SEED_IDS.senderPull);
    const memo = await letterTo({ cpr: '0101700001' });
    const sentAt = simulator.clock.now().getTime();
    await sendMemo(simulator, key, memo);
    await simulator.settle();
    expect(await receiptsFor(simulator, key, memo.messageHeader.messageUUID)).toEqual([]);
    await simulator.clock.advance('PT29S');
    expect(await receiptsFor(simulator, key, memo.messageHeader.messageUUID)).toEqual([]);
    await simulator.clock.advance('PT1S');
    const receipt = await receiptFor(simulator, key, memo.messageHeader.messageUUID);
    expect(Date.parse(receipt.timeStamp)).toBe(sentAt + 30_000);
  });
});
