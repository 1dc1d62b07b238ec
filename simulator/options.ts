/**
 * The simulator's options, checked once at the boundary: every value that is wrong is a
 * `SimulatorConfigError` naming it, before anything starts.
 */
import { readFileSync } from 'node:fs';
import { SimulatorConfigError } from '../sdk/errors.ts';
import { type Clock, ManualClock, RealClock } from './clock.ts';
import { type RetrySchedule, retryScheduleProblem } from './domain/retry.ts';
import { DEFAULT_SEED, EMPTY_SEED, type SeedData } from './domain/seed.ts';
import { readSeed } from './domain/seed-file.ts';
import { withinClockRange } from './domain/time.ts';
import type { RandomSource } from './engine/context.ts';
import {
  type ChaosSettings,
  DEFAULT_CHAOS,
  DEFAULT_ENGINE_SETTINGS,
  type EngineSettings,
  NO_CHAOS,
} from './engine/settings.ts';

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
   * docs/differences.md) or `acceptance` (as DIGST describes NgDP). Unset: the seed's
   * `settings.valueDateReceipt`, else `delivery`.
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
   * Take bodies without `Content-Length` (chunked) on `POST /memos/` and `POST /validations/`, which
   * NgDP declares it requires; by default they are refused 400 `LENGTH_REQUIRED`.
   */
  acceptChunked?: boolean;
  /**
   * What a query parameter an operation does not declare gets: `refuse` (default: 400
   * `INVALID_PARAMETER` naming it) or `ignore` (as NgDP presumably does; the conformance suite's NgDP
   * ignores them, so that a system's one mistake does not fail every call it makes).
   */
  undeclaredParameters?: 'refuse' | 'ignore';
  /**
   * Limits of a bulk container (REST and SFTP): `maxBytes` compressed (default 140 MB), `maxEntries`
   * (100 000), `maxEntryBytes` per MeMo (140 MB) and `maxTotalBytes` uncompressed (1 GiB).
   */
  container?: Partial<EngineSettings['container']>;
  /**
   * Bytes that request bodies, SFTP uploads and bulk containers being read may hold in memory
   * together (default 1 GiB). Past it, callers are refused for now: 503 with Retry-After, an SFTP
   * FAILURE. At least `maxMemoBytes` and `container.maxBytes`.
   */
  memoryBudget?: number;
  /**
   * Worker threads that read large MeMos and bulk containers, so that the simulator keeps answering
   * meanwhile (default: one per CPU; 0 = read them on the main thread).
   */
  workerThreads?: number;
  /** MeMo rules for received messages (notification length, attachments, size). */
  validation?: EngineSettings['validation'];
  /**
   * Administrativ Adgang (docs/admin.md): `tokenLifetimeMs` of an employee's bearer token (default
   * 1 hour of simulator time); `ifMatchRequired` (default true: a change without `If-Match` is
   * refused where NgDP's OpenAPI requires the header; false: it applies to the current version);
   * `logoMaxBytes`, the largest organisation logo (default 512 KiB).
   * `confirmGroupDeletion` (default true: deleting a contact group with anything below it needs
   * `X-Confirm-Delete: true`).
   */
  admin?: Partial<EngineSettings['admin']>;
  /**
   * Host names the listening simulator answers to, besides IP addresses, `localhost` (and
   * `*.localhost`) and the `host` it binds to: the protection against DNS rebinding (SECURITY.md).
   * `.example.com` allows that domain and its subdomains; `single-label` any name without a dot (a
   * compose service, a CI service alias; the container image's default); `*` allows any name.
   */
  allowedHosts?: readonly string[];
  /** Token the control API requires (default: none on loopback, a random one elsewhere). */
  controlToken?: string;
  /** Where the simulator writes its log lines (default: nowhere). */
  log?: (line: string) => void;
  /**
   * Random source of chaos and fault probabilities (default Math.random), told what each draw
   * decides: a source may give each purpose a stream of its own.
   */
  random?: RandomSource;
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

function adminOf(admin: SimulatorOptions['admin']): EngineSettings['admin'] {
  const defaults = DEFAULT_ENGINE_SETTINGS.admin;
  const flag = (name: 'ifMatchRequired' | 'confirmGroupDeletion'): boolean => {
    const value = admin?.[name] ?? defaults[name];
    if (typeof value !== 'boolean')
      throw new SimulatorConfigError(`admin.${name} must be true or false, got ${String(value)}`);
    return value;
  };
  return {
    tokenLifetimeMs: positive('admin.tokenLifetimeMs', admin?.tokenLifetimeMs, defaults.tokenLifetimeMs),
    ifMatchRequired: flag('ifMatchRequired'),
    logoMaxBytes: positive('admin.logoMaxBytes', admin?.logoMaxBytes, defaults.logoMaxBytes),
    confirmGroupDeletion: flag('confirmGroupDeletion'),
  };
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

/** The delivery retry schedule: the defaults with `retry`'s fields, checked. */
function retryOf(retry: Partial<RetrySchedule> | undefined): RetrySchedule {
  const schedule = { ...DEFAULT_ENGINE_SETTINGS.retry, ...retry };
  const problem = retryScheduleProblem(schedule);
  if (problem !== undefined) throw new SimulatorConfigError(`retry.${problem}`);
  return schedule;
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

/** The memory budget: a whole number of bytes, enough for the largest MeMo and container taken. */
function memoryBudgetOf(value: number | undefined, maxMemoBytes: number, maxContainerBytes: number): number {
  if (value === undefined)
    return Math.max(DEFAULT_ENGINE_SETTINGS.memoryBudgetBytes, maxMemoBytes, maxContainerBytes);
  if (!Number.isInteger(value) || value < 1)
    throw new SimulatorConfigError(`memoryBudget must be a positive whole number of bytes, got ${value}`);
  if (value < Math.max(maxMemoBytes, maxContainerBytes)) {
    throw new SimulatorConfigError(
      `memoryBudget (${value} bytes) must be at least maxMemoBytes (${maxMemoBytes}) and container.maxBytes (${maxContainerBytes}), or those could never be taken`,
    );
  }
  return value;
}

/** How many worker threads read MeMos (0: none). */
function workerThreadsOf(value: number | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value < 0 || value > 64)
    throw new SimulatorConfigError(`workerThreads must be a whole number from 0 to 64, got ${value}`);
  return value;
}

function undeclaredParametersOf(value: unknown): 'refuse' | 'ignore' {
  if (value === undefined) return DEFAULT_ENGINE_SETTINGS.undeclaredParameters;
  if (value !== 'refuse' && value !== 'ignore')
    throw new SimulatorConfigError(`undeclaredParameters must be "refuse" or "ignore", got ${String(value)}`);
  return value;
}

/** The seed, the engine's settings and the clock that `options` ask for. */
export function checkOptions(options: SimulatorOptions): {
  seed: SeedData;
  settings: EngineSettings;
  clock: Clock;
  /** Worker threads for MeMo work; undefined: one per CPU. */
  workerThreads: number | undefined;
} {
  const seed = loadSeed(options.seed);
  const clockStart = options.clockStart === undefined ? Date.now() : new Date(options.clockStart).getTime();
  if (Number.isNaN(clockStart))
    throw new SimulatorConfigError(`clockStart is not a date: ${String(options.clockStart)}`);
  if (!withinClockRange(clockStart))
    throw new SimulatorConfigError(
      `clockStart must be from 1970-01-01T00:00:00Z to 9999-12-31T23:59:59.999Z, got ${String(options.clockStart)}`,
    );
  if (options.clock !== undefined && options.clock !== 'real' && options.clock !== 'manual') {
    throw new SimulatorConfigError(`clock must be "real" or "manual", got ${String(options.clock)}`);
  }
  const clock: Clock = options.clock === 'manual' ? new ManualClock(clockStart) : new RealClock();
  const maxMemoBytes = positive('maxMemoBytes', options.maxMemoBytes, DEFAULT_ENGINE_SETTINGS.maxMemoBytes);
  const container = containerLimitsOf(options.container);
  const settings: EngineSettings = {
    ...DEFAULT_ENGINE_SETTINGS,
    loose: options.loose === true,
    valueDateReceipt: valueDateReceiptOf(options.valueDateReceipt ?? seed.settings?.valueDateReceipt),
    valueDateHorizonDays: positive(
      'valueDateHorizonDays',
      options.valueDateHorizonDays,
      DEFAULT_ENGINE_SETTINGS.valueDateHorizonDays,
    ),
    retry: retryOf(options.retry),
    pushTimeoutMs: positive('pushTimeoutMs', options.pushTimeoutMs, DEFAULT_ENGINE_SETTINGS.pushTimeoutMs),
    deactivateAfterMs: positive(
      'deactivateAfterMs',
      options.deactivateAfterMs,
      DEFAULT_ENGINE_SETTINGS.deactivateAfterMs,
    ),
    maxMemoBytes,
    acceptChunked: options.acceptChunked === true,
    undeclaredParameters: undeclaredParametersOf(options.undeclaredParameters),
    container,
    memoryBudgetBytes: memoryBudgetOf(options.memoryBudget, maxMemoBytes, container.maxBytes),
    validation: { ...options.validation },
    chaos: chaosOf(options.chaos),
    admin: adminOf(options.admin),
  };
  return { seed, settings, clock, workerThreads: workerThreadsOf(options.workerThreads) };
}

const HOST_NAME = /^\.?[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*\.?$/i;

/** The `allowedHosts` option, checked: host names, `.domain` patterns, `single-label` or `*`. */
export function checkAllowedHosts(value: unknown): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value))
    throw new SimulatorConfigError(`allowedHosts must be a list of host names, got ${String(value)}`);
  return value.map((entry: unknown) => {
    if (typeof entry !== 'string' || (entry !== '*' && (entry.length > 253 || !HOST_NAME.test(entry))))
      throw new SimulatorConfigError(
        `allowedHosts: ${JSON.stringify(entry)} is not a host name, a ".domain" or "*"`,
      );
    return entry;
  });
}
