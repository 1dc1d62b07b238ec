/**
 * When to try a request again: which answers (connection errors, timeouts and the statuses of
 * `retryOn`), and how long to wait (exponential backoff with full jitter, and NgDP's `Retry-After`).
 */
import { InvalidOptionsError, RETRYABLE_STATUSES } from '../errors.ts';

/** Retry settings of the client, or of one request. */
export interface RetryOptions {
  /** How many times a failed request is repeated (default 3; 0 = never). */
  maxRetries?: number;
  /** The backoff before the first retry is a random part of this (default 500 ms)… */
  initialDelayMs?: number;
  /** …doubling each time, up to this (default 8 000 ms). */
  maxDelayMs?: number;
  /**
   * A `Retry-After` longer than this is cut to it (default 60 000 ms). Tests against a simulator
   * whose fault rules answer 503 or 429 with `Retry-After` set it small (e.g. `10`), so that they do
   * not wait the seconds NgDP asks for.
   */
  maxRetryAfterMs?: number;
  /**
   * The error statuses tried again (default {@link DEFAULT_RETRY_ON}: 429, 502, 503, 504; sends —
   * `memos.send`, `sendBatch` — also 500, which the messageUUID makes safe). Given, exactly these
   * are retried, for every request. Connection errors and timeouts are always retried; a call that
   * cannot be repeated safely (a deleting read, a recall) is never sent again once it may have
   * taken effect, whatever this says.
   */
  retryOn?: readonly number[];
}

/** The statuses retried by default: too many requests, and a gateway or NgDP unavailable for now. */
export const DEFAULT_RETRY_ON: readonly number[] = RETRYABLE_STATUSES;

/**
 * The statuses retried by default for a request that cannot make a second letter however often it
 * is sent (a send: the same messageUUID and bytes every time).
 */
export const DEFAULT_IDEMPOTENT_RETRY_ON: readonly number[] = [500, ...RETRYABLE_STATUSES];

export interface RetrySettings {
  maxRetries: number;
  initialDelayMs: number;
  maxDelayMs: number;
  maxRetryAfterMs: number;
  /** The statuses given; undefined: the defaults ({@link retriesStatus}). */
  retryOn: ReadonlySet<number> | undefined;
}

export const DEFAULT_RETRY: RetrySettings = {
  maxRetries: 3,
  initialDelayMs: 500,
  maxDelayMs: 8_000,
  maxRetryAfterMs: 60_000,
  retryOn: undefined,
};

const NUMBERS = ['maxRetries', 'initialDelayMs', 'maxDelayMs', 'maxRetryAfterMs'] as const;

export function retrySettings(
  options: RetryOptions | false | undefined,
  base: RetrySettings = DEFAULT_RETRY,
): RetrySettings {
  if (options === false) return { ...base, maxRetries: 0 };
  const settings: RetrySettings = { ...base, retryOn: statusesOf(options?.retryOn) ?? base.retryOn };
  for (const name of NUMBERS) {
    const value = options?.[name] ?? base[name];
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
      throw new InvalidOptionsError(`retry.${name} must be a non-negative number, got ${String(value)}`);
    settings[name] = value;
  }
  return settings;
}

function statusesOf(retryOn: unknown): ReadonlySet<number> | undefined {
  if (retryOn === undefined) return undefined;
  const statuses = Array.isArray(retryOn) ? retryOn : [retryOn];
  for (const status of statuses) {
    if (!Number.isInteger(status) || status < 400 || status > 599)
      throw new InvalidOptionsError(
        `retry.retryOn must be a list of error statuses (400–599), got ${JSON.stringify(retryOn)}`,
      );
  }
  return new Set(statuses as number[]);
}

/** Whether an answer with `status` is tried again; `idempotent` for a request such as a send. */
export function retriesStatus(settings: RetrySettings, status: number, idempotent: boolean): boolean {
  if (settings.retryOn !== undefined) return settings.retryOn.has(status);
  return (idempotent ? DEFAULT_IDEMPOTENT_RETRY_ON : DEFAULT_RETRY_ON).includes(status);
}

/** `Retry-After` as milliseconds (delta-seconds or an HTTP date), or undefined. */
export function retryAfterMs(
  header: string | string[] | undefined,
  now: number = Date.now(),
): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || value.trim() === '') return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(value)) return Number(value) * 1000;
  // Every HTTP-date form names its month; Date.parse alone would take "-3" or "1.5.2" as dates.
  if (!/[A-Za-z]{3}/.test(value)) return undefined;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** The wait before retry number `retry` (0-based): Retry-After when given, else full jitter. */
export function backoffMs(
  retry: number,
  settings: RetrySettings,
  retryAfter: number | undefined,
  random: () => number,
): number {
  if (retryAfter !== undefined) return Math.min(retryAfter, settings.maxRetryAfterMs);
  const ceiling = Math.min(settings.maxDelayMs, settings.initialDelayMs * 2 ** retry);
  return Math.floor(random() * ceiling);
}
