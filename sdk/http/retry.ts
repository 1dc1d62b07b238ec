/** When to try a request again: exponential backoff with full jitter, and NgDP's `Retry-After`. */
import { InvalidOptionsError } from '../errors.ts';

/** Retry settings of the client, or of one request. */
export interface RetryOptions {
  /** How many times a failed request is repeated (default 3; 0 = never). */
  maxRetries?: number;
  /** The backoff before the first retry is a random part of this (default 500 ms)… */
  initialDelayMs?: number;
  /** …doubling each time, up to this (default 8 000 ms). */
  maxDelayMs?: number;
  /** A `Retry-After` longer than this is cut to it (default 60 000 ms). */
  maxRetryAfterMs?: number;
}

export type RetrySettings = Required<RetryOptions>;

export const DEFAULT_RETRY: RetrySettings = {
  maxRetries: 3,
  initialDelayMs: 500,
  maxDelayMs: 8_000,
  maxRetryAfterMs: 60_000,
};

export function retrySettings(
  options: RetryOptions | false | undefined,
  base: RetrySettings = DEFAULT_RETRY,
): RetrySettings {
  if (options === false) return { ...base, maxRetries: 0 };
  const settings = { ...base, ...options };
  for (const [name, value] of Object.entries(settings)) {
    if (!Number.isFinite(value) || value < 0)
      throw new InvalidOptionsError(`retry.${name} must be a non-negative number, got ${value}`);
  }
  return settings;
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
