/**
 * Issue 11, finding 5: a clock moved out of range (`P99999999999D`) was accepted, or half-accepted,
 * and then every endpoint answered 500. Every move outside 1970 … 9999 is refused with 400 and the
 * field at fault, and the clock stays where it was.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DigitalPostError } from '../../sdk/errors.ts';
import type { RunningSimulator } from '../../simulator/index.ts';
import {
  call,
  control,
  expectErrorMessage,
  keyOf,
  letterTo,
  resetSimulator,
  SEED_IDS,
  sendMemo,
  setClock,
  startTestSimulator,
} from '../support/simulator.ts';

const START = '2025-03-10T10:00:00.000Z';

describe('moving the clock out of range', () => {
  let simulator: RunningSimulator;

  beforeAll(async () => {
    simulator = await startTestSimulator({ clockStart: START });
  });
  afterAll(() => simulator.stop());
  beforeEach(async () => {
    await resetSimulator(simulator);
    await setClock(simulator, START);
  });

  /** The simulator still answers: the clock, the status page, NgDP's API. */
  async function stillAnswers(): Promise<void> {
    const clock = await control(simulator, 'GET', '/clock');
    expect(clock.json).toEqual({ now: START, mode: 'manual' });
    expect((await call(simulator.uiUrl)).status).toBe(200);
    const receipts = await call(`${simulator.apiUrl}/receipts/`, {
      apiKey: keyOf(simulator, SEED_IDS.senderPull),
    });
    expect(receipts.status).toBe(200);
  }

  it.each(['P99999999999D', 'P99999999999999999999999999999D', `PT${'9'.repeat(400)}S`, 'P3000000D'])(
    'refuses POST /clock/advance {"by":"%s"} with 400 OUT_OF_RANGE on the field by',
    async (by) => {
      const body = expectErrorMessage(
        await control(simulator, 'POST', '/clock/advance', { by }),
        400,
        'OUT_OF_RANGE',
      );
      expect(body.fieldErrors).toEqual([
        expect.objectContaining({ resource: 'clock', field: 'by', code: 'OUT_OF_RANGE', rejectedValue: by }),
      ]);
      await stillAnswers();
    },
  );

  it.each([
    '+275760-09-13T00:00:00.000Z',
    '+010000-01-01T00:00:00Z',
    '1969-12-31T23:59:59.999Z',
    '-000001-01-01T00:00:00Z',
  ])('refuses POST /clock/set {"to":"%s"} with 400 OUT_OF_RANGE on the field to', async (to) => {
    const body = expectErrorMessage(
      await control(simulator, 'POST', '/clock/set', { to }),
      400,
      'OUT_OF_RANGE',
    );
    expect(body.fieldErrors).toEqual([expect.objectContaining({ field: 'to', code: 'OUT_OF_RANGE' })]);
    await stillAnswers();
  });

  it.each([
    [{ by: 'P-1D' }, '/clock/advance'],
    [{ by: 3_600_000 }, '/clock/advance'],
    [{ by: null }, '/clock/advance'],
    [{ to: 'yesterday' }, '/clock/set'],
    [{ to: 1_900_000_000_000 }, '/clock/set'],
  ])('refuses %j on %s with 400 INVALID_FORMAT', async (body, path) => {
    expectErrorMessage(await control(simulator, 'POST', path, body), 400, 'INVALID_FORMAT');
    await stillAnswers();
  });

  it('moves to the last millisecond of 9999, and a letter sent then gets its receipt', async () => {
    await setClock(simulator, '9999-12-31T23:00:00.000Z');
    const letter = await letterTo({ cpr: '0101700001' });
    expect((await sendMemo(simulator, keyOf(simulator, SEED_IDS.senderPull), letter)).status).toBe(201);
    const advanced = await control(simulator, 'POST', '/clock/advance', { by: 'PT59M59.999S' });
    expect(advanced.json).toEqual({ now: '9999-12-31T23:59:59.999Z', mode: 'manual' });
    const receipts = await call(`${simulator.apiUrl}/receipts-bulk/`, {
      apiKey: keyOf(simulator, SEED_IDS.senderPull),
    });
    expect(receipts.status).toBe(200);
    expect(receipts.text).toContain('COMPLETED');
  });

  it('refuses the same moves from code with DigitalPostError, leaving the clock alone', async () => {
    await expect(simulator.clock.advance('P99999999999D')).rejects.toMatchObject({
      code: 'INVALID_DURATION',
    });
    await expect(simulator.clock.advance(Number.POSITIVE_INFINITY)).rejects.toBeInstanceOf(DigitalPostError);
    await expect(simulator.clock.set('+275760-09-13T00:00:00.000Z')).rejects.toMatchObject({
      code: 'INVALID_DATE',
    });
    expect(simulator.clock.now().toISOString()).toBe(START);
  });

  it('refuses to start at a clockStart out of range', async () => {
    await expect(startTestSimulator({ clockStart: '+010000-01-01T00:00:00Z' })).rejects.toMatchObject({
      name: 'SimulatorConfigError',
    });
  });
});
