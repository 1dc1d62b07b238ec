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

describe('the admin option', () => {
  it('defaults to tokens of an hour and a required If-Match, and takes others', () => {
    expect(checkOptions({ seed: 'none' }).settings.admin).toEqual({
      tokenLifetimeMs: 3_600_000,
      ifMatchRequired: true,
    });
    expect(
      checkOptions({ seed: 'none', admin: { tokenLifetimeMs: 60_000, ifMatchRequired: false } }).settings
        .admin,
    ).toEqual({
      tokenLifetimeMs: 60_000,
      ifMatchRequired: false,
    });
  });

  it('refuses a lifetime that is no duration and a switch that is no boolean, naming the field', () => {
    expect(() => checkOptions({ seed: 'none', admin: { tokenLifetimeMs: -1 } })).toThrow(
      new SimulatorConfigError('admin.tokenLifetimeMs must be a non-negative number, got -1'),
    );
    expect(() =>
      checkOptions({ seed: 'none', admin: { ifMatchRequired: 'yes' as unknown as boolean } }),
    ).toThrow(new SimulatorConfigError('admin.ifMatchRequired must be true or false, got yes'));
  });
});
