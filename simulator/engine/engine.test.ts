/**
 * The engine as a whole (`Engine`): simulator time moved by the manual clock, running each job at
 * its own due time, and a reset back to the seed.
 */
import { describe, expect, it } from 'vitest';
import { serializeMemoToBytes } from '../../sdk/memo/writer.ts';
import {
  HOUR,
  MINUTE,
  RecordingOutbound,
  rejectionOf,
  SEED_IDS,
  START,
  testEngine,
} from '../../test/support/engine.ts';
import { ManualClock, RealClock } from '../clock.ts';
import { DEFAULT_SEED, seedRecords } from '../domain/seed.ts';
import { MemoryStore } from '../store/memory.ts';
import { Engine } from './engine.ts';
import { InlineMemoWork, type MemoRead } from './memo-work.ts';
import { DEFAULT_ENGINE_SETTINGS } from './settings.ts';

/** MeMo work on the test's thread that counts the MeMos it reads. */
class CountingWork extends InlineMemoWork {
  reads = 0;

  constructor() {
    super({});
  }

  override read(xml: Uint8Array): Promise<MemoRead> {
    this.reads++;
    return super.read(xml);
  }
}

describe('reading MeMos', () => {
  it('reads each MeMo once: at intake, not again when it is processed', async () => {
    const work = new CountingWork();
    const { letter, send } = testEngine({ memoWork: work });

    const message = await send(await letter({ cpr: '0101700001' }));

    expect(message.state).toBe('DELIVERED');
    expect(work.reads).toBe(1);
  });

  it('reads a stored MeMo again to process it when its reading is gone (a restart)', async () => {
    const store = new MemoryStore();
    const before = testEngine({ store });
    await before.engine.stop();
    const memo = await before.letter({ cpr: '0101700001' });
    // Taken in by an engine whose jobs do not run, then processed by a fresh one on the same store.
    await before.engine.intake.submitMemo(
      before.system(SEED_IDS.senderPull),
      serializeMemoToBytes(memo),
      memo.messageHeader.messageUUID,
    );
    const work = new CountingWork();
    const after = testEngine({ store, memoWork: work });

    await after.engine.idle();

    expect(after.message(memo.messageHeader.messageUUID).state).toBe('DELIVERED');
    expect(work.reads).toBe(1);
  });
});

describe('the clock', () => {
  it('cannot be moved when it is real: CLOCK_NOT_MANUAL', async () => {
    const engine = new Engine({
      store: new MemoryStore(),
      clock: new RealClock(),
      settings: DEFAULT_ENGINE_SETTINGS,
      outbound: new RecordingOutbound(new ManualClock(START)),
      seed: seedRecords(DEFAULT_SEED),
    });

    expect(await rejectionOf(() => engine.advanceClock(HOUR))).toMatchObject({
      kind: 'conflict',
      code: 'CLOCK_NOT_MANUAL',
    });
  });

  it('advanced past several due jobs runs each at its own due time, in order', async () => {
    const { engine, clock, letter, send, receipts } = testEngine();
    await send(await letter({ cpr: '0101700006' }));
    await engine.advanceClock(10 * MINUTE);
    await send(await letter({ cpr: '0101700006' }));

    await engine.advanceClock(2 * HOUR);

    expect(receipts().map((receipt) => receipt.timeStamp)).toEqual([
      START + HOUR,
      START + 10 * MINUTE + HOUR,
    ]);
    expect(clock.now()).toBe(START + 10 * MINUTE + 2 * HOUR);
  });

  it('resumes where the store says it stood (a restart with --data-dir), and keeps each move there', async () => {
    const store = new MemoryStore();
    store.putClockTime(START + 3 * HOUR);
    const clock = new ManualClock(START);
    const engine = new Engine({
      store,
      clock,
      settings: DEFAULT_ENGINE_SETTINGS,
      outbound: new RecordingOutbound(clock),
      seed: seedRecords(DEFAULT_SEED),
    });
    engine.start();
    try {
      expect(clock.now()).toBe(START + 3 * HOUR);
      await engine.advanceClock('PT1H');
      expect(store.getClockTime()).toBe(START + 4 * HOUR);
      await engine.setClock(START);
      expect(store.getClockTime()).toBe(START);
      await engine.reset();
      expect(store.getClockTime()).toBe(START);
    } finally {
      await engine.stop();
    }
  });

  it('tells an empty store where a new manual clock starts', async () => {
    const store = new MemoryStore();
    const clock = new ManualClock(START);
    const engine = new Engine({
      store,
      clock,
      settings: DEFAULT_ENGINE_SETTINGS,
      outbound: new RecordingOutbound(clock),
      seed: seedRecords(DEFAULT_SEED),
    });
    engine.start();
    await engine.stop();
    expect(store.getClockTime()).toBe(START);
  });

  it.each([
    ['a duration past the year 9999', 'P99999999999D', 'OUT_OF_RANGE'],
    ['an infinite number of milliseconds', Number.POSITIVE_INFINITY, 'OUT_OF_RANGE'],
    ['a negative number of milliseconds', -1, 'INVALID_FORMAT'],
    ['NaN', Number.NaN, 'INVALID_FORMAT'],
    ['something that is no duration', 'tomorrow', 'INVALID_FORMAT'],
  ])('refuses to advance by %s, staying where it was', async (_name, by, code) => {
    const { engine, clock } = testEngine();
    expect(await rejectionOf(() => engine.advanceClock(by))).toMatchObject({ kind: 'invalid', code });
    expect(clock.now()).toBe(START);
  });

  it.each([
    ['before 1970', '1969-12-31T23:59:59.999Z'],
    ['after 9999', '+010000-01-01T00:00:00Z'],
  ])('refuses to be set %s', async (_name, to) => {
    const { engine, clock } = testEngine();
    expect(await rejectionOf(() => engine.setClock(to))).toMatchObject({ code: 'OUT_OF_RANGE' });
    expect(clock.now()).toBe(START);
  });

  it('set backwards only moves the clock', async () => {
    const { engine, clock, letter, send, receipts } = testEngine();
    await send(await letter({ cpr: '0101700006' }));

    await engine.setClock(START - HOUR);

    expect(clock.now()).toBe(START - HOUR);
    expect(receipts()).toEqual([]);
  });
});

describe('a reset', () => {
  it('forgets every message', async () => {
    const { engine, letter, send } = testEngine();
    const { messageUUID } = await send(await letter({ cpr: '0101700001' }));

    await engine.reset();

    expect(await rejectionOf(() => engine.inspection.message(messageUUID))).toMatchObject({
      code: 'NOT_FOUND',
    });
    expect(engine.inspection.mailbox('0101700001')).toEqual([]);
  });

  it('goes back to the seeded systems and tells listeners', async () => {
    const { engine, emitted } = testEngine();
    const seeded = engine.systems.list();
    engine.systems.create({
      organisationId: seeded[0]?.organisationId,
      roles: ['SENDER'],
      protocol: 'REST_PULL',
    });

    await engine.reset();

    expect(engine.systems.list()).toEqual(seeded);
    expect(emitted.at(-1)).toEqual({ type: 'reset' });
  });

  it('drops pending jobs: a receipt due later never comes', async () => {
    const { engine, letter, send, receipts } = testEngine();
    await send(await letter({ cpr: '0101700006' }));

    await engine.reset();
    await engine.advanceClock(2 * HOUR);

    expect(receipts()).toEqual([]);
  });
});
