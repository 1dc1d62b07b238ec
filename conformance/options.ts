/**
 * The options of a conformance run (those of `digitalpost conformance run`), checked once here:
 * what may not be combined, what a profile needs, and what `--certify` forces.
 */
import { InvalidOptionsError } from '../sdk/errors.ts';
import { PROFILE_NAMES, type ProfileName } from './model.ts';
import { freshSeed } from './prng.ts';

/** Options of {@link runConformance}, as the command line gives them. */
export interface ConformanceOptions {
  /** `sender`, `sender-sftp`, `recipient-pull`, `recipient-push` or `recipient-pubsub`. */
  profile: string;
  /** The vendor's adapter command, run through the shell (`--run`). */
  run?: string;
  /** The vendor's running push or publish/subscribe receiver (`--endpoint`, recipient profiles). */
  endpoint?: string;
  /** No command: print the settings and wait for the vendor's system to act (`--wait`). */
  wait?: boolean;
  /** How the sender system gets business receipts (default `pull`). */
  receipts?: 'pull' | 'push';
  /** Where the vendor's system takes pushed receipts (`--receipts push`). */
  receiptEndpoint?: string;
  /** The vendor's SSH public key file (`sender-sftp`). */
  sshPublicKey?: string;
  /** Judge only these checks: ids, or groups like `sender.retry.*`. */
  only?: readonly string[];
  /** Judge all but these. */
  skip?: readonly string[];
  /**
   * Play only these scenarios (by id), e.g. while developing an adapter. Not on the command line,
   * and not with `certify`: a run that leaves scenarios out judges less than the catalogue.
   */
  scenarios?: readonly string[];
  /** Makes every random choice reproducible (default: a fresh seed, recorded in the report). */
  seed?: number;
  /** NgDP's Pebble-style pressure (default true). */
  chaos?: boolean;
  /** Each scenario's deadline in seconds, instead of its own (at least what the scenario needs). */
  timeoutS?: number;
  /** Check ids whose failure is expected: it does not fail the run, a pass does. */
  expectedFailures?: readonly string[];
  /** Every check, chaos on, a fresh seed; refused with only/skip/expectedFailures/seed/chaos. */
  certify?: boolean;
  /** The folder the adapter command runs in (default: this process's). */
  cwd?: string;
  /** The environment the adapter command inherits (the protocol's variables are added). */
  env?: Readonly<Record<string, string | undefined>>;
  /** Where scenario files and vendor reports are written (default: a temporary folder, removed after). */
  workDir?: string;
  /** Told as the run goes: scenarios starting and ending, settings for a manual run. */
  onEvent?: (event: RunEvent) => void;
}

/** What a run tells as it goes. */
export type RunEvent =
  | { kind: 'scenario-start'; scenario: string; title: string; index: number; total: number }
  | { kind: 'scenario-end'; scenario: string; durationMs: number }
  /** The vendor's adapter for the scenario ended: how long it ran, how it ended. */
  | { kind: 'adapter-end'; scenario: string; durationMs: number; exitCode: number | null; timedOut: boolean }
  /** `--wait`: what the vendor's system needs to act on the scenario now. */
  | { kind: 'manual'; scenario: string; settings: Readonly<Record<string, string>>; deadlineMs: number };

/** The options, checked and completed. */
export interface RunSettings {
  profile: ProfileName;
  run: string | undefined;
  endpoint: string | undefined;
  wait: boolean;
  receipts: 'pull' | 'push';
  receiptEndpoint: string | undefined;
  sshPublicKey: string | undefined;
  only: readonly string[] | undefined;
  skip: readonly string[];
  scenarios: readonly string[] | undefined;
  expectedFailures: readonly string[];
  seed: number;
  chaos: boolean;
  timeoutMs: number | undefined;
  certify: boolean;
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  workDir: string | undefined;
  onEvent: ((event: RunEvent) => void) | undefined;
}

function isProfile(name: string): name is ProfileName {
  return (PROFILE_NAMES as readonly string[]).includes(name);
}

function httpUrl(option: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidOptionsError(`${option} must be an http(s) URL, got ${value}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new InvalidOptionsError(`${option} must be an http(s) URL, got ${value}`);
  return value;
}

function certified(options: ConformanceOptions): void {
  const conflicting = [
    ['--only', options.only !== undefined],
    ['--skip', (options.skip ?? []).length > 0],
    ['--expected-failures', (options.expectedFailures ?? []).length > 0],
    ['--seed', options.seed !== undefined],
    ['--no-chaos', options.chaos === false],
    ['scenarios', options.scenarios !== undefined],
  ].filter(([, given]) => given);
  if (conflicting.length > 0)
    throw new InvalidOptionsError(
      `--certify runs every check with chaos on and a fresh seed: it cannot be combined with ${conflicting.map(([name]) => name).join(', ')}`,
    );
}

/**
 * The settings of a run.
 *
 * @throws InvalidOptionsError for an unknown profile or options that do not go together.
 */
export function settingsOf(
  options: ConformanceOptions,
  defaults: { cwd: string; env: RunSettings['env'] },
): RunSettings {
  if (!isProfile(options.profile))
    throw new InvalidOptionsError(`unknown profile ${options.profile} (one of ${PROFILE_NAMES.join(', ')})`);
  const certify = options.certify === true;
  if (certify) certified(options);
  const ways = [options.run !== undefined, options.wait === true].filter(Boolean).length;
  if (ways > 1) throw new InvalidOptionsError('give --run or --wait, not both');
  if (ways === 0 && options.endpoint === undefined)
    throw new InvalidOptionsError('give --run "COMMAND", --endpoint URL or --wait');
  if (options.run !== undefined && options.run.trim() === '')
    throw new InvalidOptionsError('--run needs a command');
  const { seed, timeoutS } = options;
  if (seed !== undefined && !(Number.isSafeInteger(seed) && seed >= 0))
    throw new InvalidOptionsError(`--seed must be a whole number from 0, got ${seed}`);
  if (timeoutS !== undefined && !(Number.isFinite(timeoutS) && timeoutS > 0 && timeoutS <= 3_600))
    throw new InvalidOptionsError(`--timeout-s must be a number of seconds from 1 to 3600, got ${timeoutS}`);
  const receipts = options.receipts ?? 'pull';
  if (receipts !== 'pull' && receipts !== 'push')
    throw new InvalidOptionsError(`--receipts must be pull or push, got ${String(receipts)}`);
  return {
    profile: options.profile,
    run: options.run,
    endpoint: httpUrl('--endpoint', options.endpoint),
    wait: options.wait === true,
    receipts,
    receiptEndpoint: httpUrl('--receipt-endpoint', options.receiptEndpoint),
    sshPublicKey: options.sshPublicKey,
    only: certify ? undefined : options.only,
    skip: certify ? [] : (options.skip ?? []),
    scenarios: options.scenarios,
    expectedFailures: certify ? [] : (options.expectedFailures ?? []),
    seed: seed ?? freshSeed(),
    chaos: certify || options.chaos !== false,
    timeoutMs: timeoutS === undefined ? undefined : Math.round(timeoutS * 1000),
    certify,
    cwd: options.cwd ?? defaults.cwd,
    env: options.env ?? defaults.env,
    workDir: options.workDir,
    onEvent: options.onEvent,
  };
}
