/** The retry arithmetic: `Retry-After` in both of its forms, and exponential backoff with full jitter. */

import { describe, expect, test } from 'vitest';
import { InvalidOptionsError } from '../errors.ts';
import { backoffMs, DEFAULT_RETRY, retryAfterMs, retrySettings } from './retry.ts';

describe('retryAfterMs', () => {
  test('reads delta-seconds', () => {
    expect(retryAfterMs('2')).toBe(2000);
  });

  test('reads an HTTP date relative to now', () => {
    const now = Date.parse('2025-06-02T10:00:00Z');
    expect(retryAfterMs('Mon, 02 Jun 2025 10:00:05 GMT', now)).toBe(5000);
  });

  test('an HTTP date in the past means no wait', () => {
    const now = Date.parse('2025-06-02T10:00:00Z');
    expect(retryAfterMs('Mon, 02 Jun 2025 09:00:00 GMT', now)).toBe(0);
  });

  test.each([undefined, '', 'soon', '-3', '1.5.2'])('"%s" is no Retry-After', (header) => {
    expect(retryAfterMs(header)).toBeUndefined();
  });

  test('takes the first of repeated headers', () => {
    expect(retryAfterMs(['3', '9'])).toBe(3000);
  });
});

describe('backoffMs', () => {
  const settings = retrySettings({ initialDelayMs: 100, maxDelayMs: 1000, maxRetryAfterMs: 5000 });

  test('doubles its ceiling with each retry, up to maxDelayMs', () => {
    const ceilings = [0, 1, 2, 3, 4, 5].map((retry) => backoffMs(retry, settings, undefined, () => 1));
    expect(ceilings).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  test('waits a random share of the ceiling', () => {
    expect(backoffMs(2, settings, undefined, () => 0.25)).toBe(100);
  });

  test('waits what Retry-After says, whatever the jitter', () => {
    expect(backoffMs(0, settings, 3000, () => 0)).toBe(3000);
  });

  test('cuts Retry-After to maxRetryAfterMs', () => {
    expect(backoffMs(0, settings, 60_000, () => 0)).toBe(5000);
  });
});

describe('retrySettings', () => {
  test('false means no retries, the rest as before', () => {
    expect(retrySettings(false)).toEqual({ ...DEFAULT_RETRY, maxRetries: 0 });
  });

  test('fills what is not given from the base', () => {
    expect(retrySettings({ maxRetries: 1 }, { ...DEFAULT_RETRY, initialDelayMs: 7 })).toMatchObject({
      maxRetries: 1,
      initialDelayMs: 7,
    });
  });

  test.each([-1, Number.NaN, Number.POSITIVE_INFINITY])(
    '%d is refused with an InvalidOptionsError',
    (value) => {
      expect(() => retrySettings({ maxDelayMs: value })).toThrow(InvalidOptionsError);
    },
  );
});
