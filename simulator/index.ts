/**
 * The local NgDP: `startSimulator(options)` runs NgDP's integration API (`/apis/v1`), the control
 * API (`/simulator/v1`) and a status page on one HTTP port, and optionally an SFTP server for mass
 * sending, in memory or on SQLite.
 *
 * @packageDocumentation
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Express } from 'express';
import { DigitalPostError } from '../sdk/errors.ts';
import { type Clock, ManualClock, RealClock } from './clock.ts';
import type { RetrySchedule } from './domain/retry.ts';
import {
  DEFAULT_SEED,
  EMPTY_SEED,
  type Fixtures,
  fixturesOf,
  type SeedData,
  seedRecords,
} from './domain/seed.ts';
import { readSeed } from './domain/seed-file.ts';
import { parseDuration } from './domain/time.ts';
import { Engine } from './engine/engine.ts';
import { Rejection } from './engine/rejections.ts';
import {
  type ChaosSettings,
  DEFAULT_CHAOS,
  DEFAULT_ENGINE_SETTINGS,
  type EngineSettings,
  NO_CHAOS,
} from './engine/settings.ts';
import { createApp } from './http/app.ts';
import { HttpOutbound } from './http/outbound.ts';
import { loadHostKey } from './sftp/host-key.ts';
import { type SftpServer, startSftpServer } from './sftp/server.ts';
import { lockDataDir } from './store/lock.ts';
import { MemoryStore } from './store/memory.ts';
import type { Store } from './store/store.ts';

export type { Fixtures, SeedData } from './domain/seed.ts';
export type { FaultRule } from './engine/faults.ts';
export type { ChaosSettings, EngineSettings } from './engine/settings.ts';

/** Options of {@link startSimulator}; every field is optional. */
export interface SimulatorOptions {
  /** Bind address (default `127.0.0.1`, loopback only). */
  host?: string;
  /** HTTP port (default 4500; 0 = any free port). */
  port?: number;
  /**
   * Port of the SFTP server for mass sending, on the same host (0 = any free port). Without it no
   * SFTP server runs. Its ed25519 host key is made on start, and kept in `dataDir` when there is one.
   */
  sftpPort?: number;
  /** Keep state in SQLite in this folder (created if missing); default: in memory. */
  dataDir?: string;
  /** `real` (default) or `manual`: time moves only through the control API or `clock.advance`. */
  clock?: 'real' | 'manual';
  /** Start of a manual clock (default: now). */
  clockStart?: Date | string;
  /** `default` (the documented fixtures), `none`, a seed JSON file path, or a seed object. */
  seed?: 'default' | 'none' | string | SeedData;
  /** Pebble-style pressure: true for all chaos switches, or choose them one by one. */
  chaos?: boolean | Partial<ChaosSettings>;
  /** Auto-register unknown, well-formed CPR/CVR numbers instead of rejecting them. */
  loose?: boolean;
  /** How many days ahead a value date may be (default 5). */
  valueDateHorizonDays?: number;
  /**
   * When a mailbox letter held for its value date gets its business receipt: `delivery` (default,
   * docs/differences.md) or `acceptance` (as DIGST describes NgDP).
   */
  valueDateReceipt?: 'delivery' | 'acceptance';
  /** Delivery retry schedule (defaults: docs/differences.md, "Delivery, receipts and retries"). */
  retry?: Partial<RetrySchedule>;
  /** Push timeout in ms (default 30 000). */
  pushTimeoutMs?: number;
  /** Deactivate a recipient system after every delivery failed this long (default 7 days). */
  deactivateAfterMs?: number;
  /** Largest single-MeMo request body (default 140 MB). */
  maxMemoBytes?: number;
  /**
   * Limits of a bulk container (REST and SFTP): `maxBytes` compressed (default 140 MB), `maxEntries`
   * (100 000), `maxEntryBytes` per MeMo (140 MB) and `maxTotalBytes` uncompressed (1 GiB).
   */
  container?: Partial<EngineSettings['container']>;
  /** MeMo rules for received messages (notification length, attachments, size). */
  validation?: EngineSettings['validation'];
  /** Token the control API requires (default: none on loopback, a random one elsewhere). */
  controlToken?: string;
  /** Where the simulator writes its log lines (default: nowhere). */
  log?: (line: string) => void;
  /** Random source of chaos and fault probabilities (default Math.random). */
  random?: () => number;
}

/** Where the SFTP server listens, and its host key's fingerprint for clients to pin. */
export interface SftpAddress {
  host: string;
  port: number;
  /** `SHA256:<base64>`, as OpenSSH shows it on first connection and `ssh-keygen -l` prints it. */
  hostKeyFingerprint: string;
}

/** Simulator time, as `startSimulator` returns it. */
export interface SimulatorClock {
  readonly mode: 'real' | 'manual';
  now(): Date;
  /** Moves a manual clock forward (ISO duration like `PT1H`, or ms), running everything that falls due. */
  advance(by: string | number): Promise<Date>;
  /** Sets a manual clock. */
  set(to: Date | string): Promise<Date>;
}

export interface RunningSimulator {
  /** `http://host:port/apis/v1` */
  apiUrl: string;
  /** `http://host:port/simulator/v1` */
  controlUrl: string;
  uiUrl: string;
  /** The control API token when one is required. */
  controlToken: string | undefined;
  /** The SFTP server, when `sftpPort` was given. */
  sftp: SftpAddress | null;
  fixtures: Fixtures;
  clock: SimulatorClock;
  /** Waits until no job is running and none is due (handy in tests). */
  settle(): Promise<void>;
  stop(): Promise<void>;
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

export class SimulatorConfigError extends DigitalPostError {
  constructor(message: string) {
    super('SIMULATOR_CONFIG_INVALID', message);
  }
}

function loadSeed(seed: SimulatorOptions['seed']): SeedData {
  if (seed === undefined || seed === 'default') return DEFAULT_SEED;
  if (seed === 'none') return EMPTY_SEED;
  let input: unknown = seed;
  if (typeof seed === 'string') {
    let text: string;
    try {
      text = readFileSync(seed, 'utf8');
    } catch (error) {
      throw new SimulatorConfigError(
        `cannot read the seed file ${seed}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
      );
    }
    try {
      input = JSON.parse(text);
    } catch (error) {
      throw new SimulatorConfigError(`the seed file ${seed} is not valid JSON: ${(error as Error).message}`);
    }
  }
  const result = readSeed(input);
  if ('problems' in result) {
    throw new SimulatorConfigError(
      `the seed is not valid: ${result.problems.slice(0, 5).join('; ')}${result.problems.length > 5 ? '; …' : ''}`,
    );
  }
  return result.seed;
}

function chaosOf(chaos: SimulatorOptions['chaos']): ChaosSettings {
  if (chaos === undefined || chaos === false) return NO_CHAOS;
  if (chaos === true) return DEFAULT_CHAOS;
  return { ...NO_CHAOS, ...chaos };
}

function valueDateReceiptOf(value: SimulatorOptions['valueDateReceipt']): EngineSettings['valueDateReceipt'] {
  if (value === undefined) return 'delivery';
  if (value !== 'delivery' && value !== 'acceptance') {
    throw new SimulatorConfigError(
      `valueDateReceipt must be "delivery" or "acceptance", got ${String(value)}`,
    );
  }
  return value;
}

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < 0)
    throw new SimulatorConfigError(`${name} must be a non-negative number, got ${value}`);
  return value;
}

function containerLimitsOf(limits: Partial<EngineSettings['container']> = {}): EngineSettings['container'] {
  const defaults = DEFAULT_ENGINE_SETTINGS.container;
  const known = new Set(Object.keys(defaults));
  for (const name of Object.keys(limits)) {
    if (!known.has(name)) {
      throw new SimulatorConfigError(`container.${name} is not a container limit (${[...known].join(', ')})`);
    }
  }
  const limit = (name: keyof EngineSettings['container']): number => {
    const value = limits[name];
    if (value === undefined) return defaults[name];
    if (!Number.isInteger(value) || value < 1) {
      throw new SimulatorConfigError(`container.${name} must be a positive integer, got ${value}`);
    }
    return value;
  };
  return {
    maxBytes: limit('maxBytes'),
    maxEntries: limit('maxEntries'),
    maxEntryBytes: limit('maxEntryBytes'),
    maxTotalBytes: limit('maxTotalBytes'),
  };
}

async function openStore(
  dataDir: string | undefined,
): Promise<{ store: Store; fresh: boolean; release: () => void }> {
  if (dataDir === undefined) return { store: new MemoryStore(), fresh: true, release: () => {} };
  try {
    mkdirSync(dataDir, { recursive: true });
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

/** Builds the simulator without listening (for `startSimulator` and in-process testing). */
export async function createSimulator(options: SimulatorOptions = {}): Promise<SimulatorCore> {
  const seed = loadSeed(options.seed);
  const fixtures = fixturesOf(seed);
  const clockStart = options.clockStart === undefined ? Date.now() : new Date(options.clockStart).getTime();
  if (Number.isNaN(clockStart))
    throw new SimulatorConfigError(`clockStart is not a date: ${String(options.clockStart)}`);
  if (options.clock !== undefined && options.clock !== 'real' && options.clock !== 'manual') {
    throw new SimulatorConfigError(`clock must be "real" or "manual", got ${String(options.clock)}`);
  }
  const clock: Clock = options.clock === 'manual' ? new ManualClock(clockStart) : new RealClock();
  const settings: EngineSettings = {
    ...DEFAULT_ENGINE_SETTINGS,
    loose: options.loose === true,
    valueDateReceipt: valueDateReceiptOf(options.valueDateReceipt),
    valueDateHorizonDays: positive(
      'valueDateHorizonDays',
      options.valueDateHorizonDays,
      DEFAULT_ENGINE_SETTINGS.valueDateHorizonDays,
    ),
    retry: { ...DEFAULT_ENGINE_SETTINGS.retry, ...options.retry },
    pushTimeoutMs: positive('pushTimeoutMs', options.pushTimeoutMs, DEFAULT_ENGINE_SETTINGS.pushTimeoutMs),
    deactivateAfterMs: positive(
      'deactivateAfterMs',
      options.deactivateAfterMs,
      DEFAULT_ENGINE_SETTINGS.deactivateAfterMs,
    ),
    maxMemoBytes: positive('maxMemoBytes', options.maxMemoBytes, DEFAULT_ENGINE_SETTINGS.maxMemoBytes),
    container: containerLimitsOf(options.container),
    validation: { ...options.validation },
    chaos: chaosOf(options.chaos),
  };
  const log = options.log ?? (() => {});
  const { store, fresh, release } = await openStore(options.dataDir);
  const outbound = new HttpOutbound();
  const engine = new Engine({
    store,
    clock,
    settings,
    outbound,
    seed: seedRecords(seed),
    log,
    ...(options.random ? { random: options.random } : {}),
  });
  if (fresh) engine.seedStore();

  /** The engine's refusal to move a real clock, as the public API's error. */
  const clockFailure = (error: unknown): never => {
    if (error instanceof Rejection && error.code === 'CLOCK_NOT_MANUAL')
      throw new DigitalPostError('CLOCK_NOT_MANUAL', error.message);
    throw error;
  };
  const simulatorClock: SimulatorClock = {
    mode: clock.mode,
    now: () => new Date(clock.now()),
    async advance(by) {
      const ms = typeof by === 'number' ? by : parseDuration(by);
      if (ms === undefined || ms < 0)
        throw new DigitalPostError('INVALID_DURATION', `not a duration: ${String(by)}`);
      await engine.advanceClock(ms).catch(clockFailure);
      return new Date(clock.now());
    },
    async set(to) {
      const instant = new Date(to).getTime();
      if (clock.mode === 'manual' && Number.isNaN(instant))
        throw new DigitalPostError('INVALID_DATE', `not a date: ${String(to)}`);
      await engine.setClock(instant).catch(clockFailure);
      return new Date(clock.now());
    },
  };
  const app = createApp({
    engine,
    fixtures,
    log,
    ...(options.controlToken === undefined ? {} : { controlToken: options.controlToken }),
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

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/**
 * Starts the simulator. Resolves once it listens; `stop()` closes it (and its store) cleanly.
 *
 * @throws SimulatorConfigError for invalid options or an unreadable seed file.
 */
export async function startSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 4500;
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new SimulatorConfigError(`port must be 0–65535, got ${port}`);
  const { sftpPort } = options;
  if (sftpPort !== undefined && (!Number.isInteger(sftpPort) || sftpPort < 0 || sftpPort > 65535))
    throw new SimulatorConfigError(`sftpPort must be 0–65535, got ${sftpPort}`);
  const controlToken =
    options.controlToken ?? (LOOPBACK.has(host) ? undefined : randomBytes(16).toString('hex'));
  const core = await createSimulator({ ...options, ...(controlToken === undefined ? {} : { controlToken }) });
  const server: Server = await new Promise((resolve, reject) => {
    const listening = core.app.listen(port, host);
    listening.once('listening', () => resolve(listening));
    listening.once('error', (error: NodeJS.ErrnoException) => {
      core
        .close()
        .finally(() =>
          reject(
            error.code === 'EADDRINUSE'
              ? new SimulatorConfigError(
                  `port ${port} on ${host} is in use; choose another with --port (0 = any free port)`,
                )
              : error,
          ),
        );
    });
  });
  server.keepAliveTimeout = 5_000;
  const closeHttp = (): Promise<void> =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  let sftp: SftpServer | undefined;
  if (sftpPort !== undefined) {
    try {
      sftp = await startSftp(core, options, host, sftpPort);
    } catch (error) {
      await closeHttp();
      await core.close();
      throw error;
    }
  }
  const address = server.address() as AddressInfo;
  const origin = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  core.setApiUrl(`${origin}/apis/v1`);
  let stopped: Promise<void> | undefined;
  return {
    apiUrl: `${origin}/apis/v1`,
    controlUrl: `${origin}/simulator/v1`,
    uiUrl: `${origin}/`,
    controlToken,
    sftp:
      sftp === undefined
        ? null
        : { host: sftp.host, port: sftp.port, hostKeyFingerprint: sftp.hostKeyFingerprint },
    fixtures: core.fixtures,
    clock: core.clock,
    settle: () => core.settle(),
    stop() {
      stopped ??= Promise.all([closeHttp(), sftp?.close()]).then(() => core.close());
      return stopped;
    },
  };
}

/** Starts the SFTP server of a simulator; its failures as SimulatorConfigError. */
async function startSftp(
  core: SimulatorCore,
  options: SimulatorOptions,
  host: string,
  port: number,
): Promise<SftpServer> {
  let hostKey: ReturnType<typeof loadHostKey>;
  try {
    hostKey = loadHostKey(options.dataDir);
  } catch (error) {
    throw new SimulatorConfigError((error as Error).message);
  }
  try {
    return await startSftpServer({
      engine: core.engine,
      host,
      port,
      hostKey,
      log: options.log ?? (() => {}),
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new SimulatorConfigError(
        `SFTP port ${port} on ${host} is in use; choose another with --sftp-port (0 = any free port)`,
      );
    }
    throw error;
  }
}
