/**
 * The simulator built but not listening: store, engine and express app, for `startSimulator` and
 * for `digitalpost/testing` (which calls the app in-process). Not part of the public API.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Express } from 'express';
import { DigitalPostError, SimulatorConfigError } from '../sdk/errors.ts';
import { type Fixtures, fixturesOf, seedRecords } from './domain/seed.ts';
import { Engine } from './engine/engine.ts';
import { InlineMemoWork } from './engine/memo-work.ts';
import { Rejection } from './engine/rejections.ts';
import { createApp } from './http/app.ts';
import type { HostPolicy } from './http/cross-site.ts';
import { HttpOutbound } from './http/outbound.ts';
import { checkOptions, type SimulatorOptions } from './options.ts';
import { lockDataDir } from './store/lock.ts';
import { MemoryStore } from './store/memory.ts';
import type { Store } from './store/store.ts';
import { WorkerMemoWork } from './threads/pool.ts';

/** Simulator time, as `startSimulator` returns it. */
export interface SimulatorClock {
  readonly mode: 'real' | 'manual';
  now(): Date;
  /** Moves a manual clock forward (ISO duration like `PT1H`, or ms), running everything that falls due. */
  advance(by: string | number): Promise<Date>;
  /** Sets a manual clock. */
  set(to: Date | string): Promise<Date>;
}

/** A simulator that is built but not listening: the parts `startSimulator` and `digitalpost/testing` use. */
export interface SimulatorCore {
  engine: Engine;
  app: Express;
  fixtures: Fixtures;
  clock: SimulatorClock;
  /** Waits until no job is running and none is due. */
  settle(): Promise<void>;
  /** Points publish/subscribe notifications at the real API URL once it is known. */
  setApiUrl(url: string): void;
  close(): Promise<void>;
}

async function openStore(
  dataDir: string | undefined,
): Promise<{ store: Store; fresh: boolean; release: () => void }> {
  if (dataDir === undefined) return { store: new MemoryStore(), fresh: true, release: () => {} };
  try {
    // It holds every letter and CPR number: the owner's only (an existing folder keeps its mode).
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw new SimulatorConfigError(
      `cannot create the data folder ${dataDir}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
    );
  }
  const release = lockDataDir(dataDir);
  try {
    const { SqliteStore } = await import('./store/sqlite.ts');
    const store = SqliteStore.open(join(dataDir, 'digitalpost.sqlite'));
    return {
      store,
      fresh: store.listOrganisations().length === 0 && store.listSystems().length === 0,
      release,
    };
  } catch (error) {
    release();
    throw error;
  }
}

/**
 * Builds the simulator without listening (for `startSimulator` and in-process testing). A simulator
 * that will listen passes the Host names it answers to (`http/cross-site.ts`).
 */
export async function createSimulator(
  options: SimulatorOptions = {},
  hostPolicy?: HostPolicy,
): Promise<SimulatorCore> {
  const { seed, settings, clock, workerThreads } = checkOptions(options);
  const fixtures = fixturesOf(seed);
  const log = options.log ?? (() => {});
  const { store, fresh, release } = await openStore(options.dataDir);
  const outbound = new HttpOutbound();
  const engine = new Engine({
    store,
    clock,
    settings,
    outbound,
    memoWork:
      workerThreads === 0
        ? new InlineMemoWork(settings.validation)
        : new WorkerMemoWork({
            rules: settings.validation,
            ...(workerThreads === undefined ? {} : { threads: workerThreads }),
            log,
          }),
    seed: seedRecords(seed),
    log,
    ...(options.random ? { random: options.random } : {}),
  });
  if (fresh) engine.seedStore();

  /** The engine's refusals to move the clock, as the public API's errors. */
  const clockFailure =
    (invalid: 'INVALID_DURATION' | 'INVALID_DATE') =>
    (error: unknown): never => {
      if (error instanceof Rejection && error.code === 'CLOCK_NOT_MANUAL')
        throw new DigitalPostError('CLOCK_NOT_MANUAL', error.message);
      if (error instanceof Rejection && error.kind === 'invalid')
        throw new DigitalPostError(invalid, error.message);
      throw error;
    };
  const simulatorClock: SimulatorClock = {
    mode: clock.mode,
    now: () => new Date(clock.now()),
    async advance(by) {
      await engine.advanceClock(by).catch(clockFailure('INVALID_DURATION'));
      return new Date(clock.now());
    },
    async set(to) {
      await engine.setClock(new Date(to).getTime()).catch(clockFailure('INVALID_DATE'));
      return new Date(clock.now());
    },
  };
  const app = createApp({
    engine,
    fixtures,
    log,
    ...(options.controlToken === undefined ? {} : { controlToken: options.controlToken }),
    ...(hostPolicy === undefined ? {} : { hostPolicy }),
  });
  engine.start();
  return {
    engine,
    app,
    fixtures,
    clock: simulatorClock,
    settle: () => engine.idle(),
    setApiUrl(url) {
      outbound.apiUrl = url;
    },
    async close() {
      await engine.stop();
      store.close();
      release();
    },
  };
}
