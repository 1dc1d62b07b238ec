/** The simulator's options, checked once at the boundary. */
import { describe, expect, it } from 'vitest';
import { SimulatorConfigError } from '../sdk/errors.ts';
import { retrySchedule } from './domain/retry.ts';
import { checkOptions } from './options.ts';

describe('the retry option', () => {
  it('takes a schedule made by retrySchedule, and a push timeout', () => {
    const { settings } = checkOptions({ seed: 'none', retry: retrySchedule([500]), pushTimeoutMs: 100 });
    expect(settings.retry).toEqual(retrySchedule([500]));
    expect(settings.pushTimeoutMs).toBe(100);
  });

  it('refuses a schedule that would never end or go backwards, naming the field', () => {
    expect(() => checkOptions({ seed: 'none', retry: { interval: 0 } })).toThrow(
      new SimulatorConfigError('retry.interval must be a number of ms of at least 1, got 0'),
    );
    expect(() => checkOptions({ seed: 'none', retry: { firstDay: [0, 5, 1] } })).toThrow(
      SimulatorConfigError,
    );
  });
});
