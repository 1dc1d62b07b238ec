/** The simulator's options, checked once at the boundary. */
import { describe, expect, it } from 'vitest';
import { SimulatorConfigError } from '../sdk/errors.ts';
import { retrySchedule } from './domain/retry.ts';
import { EMPTY_SEED, type SeedData } from './domain/seed.ts';
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
  it('defaults to tokens of an hour, a required If-Match, logos of 512 KiB and confirmed group deletions, and takes others', () => {
    expect(checkOptions({ seed: 'none' }).settings.admin).toEqual({
      tokenLifetimeMs: 3_600_000,
      ifMatchRequired: true,
      logoMaxBytes: 524_288,
      confirmGroupDeletion: true,
    });
    expect(
      checkOptions({
        seed: 'none',
        admin: {
          tokenLifetimeMs: 60_000,
          ifMatchRequired: false,
          logoMaxBytes: 100_000,
          confirmGroupDeletion: false,
        },
      }).settings.admin,
    ).toEqual({
      tokenLifetimeMs: 60_000,
      ifMatchRequired: false,
      logoMaxBytes: 100_000,
      confirmGroupDeletion: false,
    });
  });

  it('refuses a lifetime that is no duration and a switch that is no boolean, naming the field', () => {
    expect(() => checkOptions({ seed: 'none', admin: { tokenLifetimeMs: -1 } })).toThrow(
      new SimulatorConfigError('admin.tokenLifetimeMs must be a non-negative number, got -1'),
    );
    expect(() =>
      checkOptions({ seed: 'none', admin: { ifMatchRequired: 'yes' as unknown as boolean } }),
    ).toThrow(new SimulatorConfigError('admin.ifMatchRequired must be true or false, got yes'));
    expect(() => checkOptions({ seed: 'none', admin: { logoMaxBytes: -5 } })).toThrow(
      new SimulatorConfigError('admin.logoMaxBytes must be a non-negative number, got -5'),
    );
    expect(() =>
      checkOptions({ seed: 'none', admin: { confirmGroupDeletion: 1 as unknown as boolean } }),
    ).toThrow(new SimulatorConfigError('admin.confirmGroupDeletion must be true or false, got 1'));
  });
});

describe('when a held mailbox letter is receipted (valueDateReceipt)', () => {
  const seedWith = (settings: unknown) => ({ ...EMPTY_SEED, settings }) as SeedData;

  it('is at delivery by default', () => {
    expect(checkOptions({ seed: 'none' }).settings.valueDateReceipt).toBe('delivery');
  });

  it("follows the seed's settings.valueDateReceipt", () => {
    const { settings } = checkOptions({ seed: seedWith({ valueDateReceipt: 'acceptance' }) });
    expect(settings.valueDateReceipt).toBe('acceptance');
  });

  it("takes the option over the seed's setting", () => {
    const { settings } = checkOptions({
      seed: seedWith({ valueDateReceipt: 'acceptance' }),
      valueDateReceipt: 'delivery',
    });
    expect(settings.valueDateReceipt).toBe('delivery');
  });

  it('refuses a seed setting that is neither, naming it', () => {
    expect(() => checkOptions({ seed: seedWith({ valueDateReceipt: 'later' }) })).toThrow(
      new SimulatorConfigError(
        'the seed is not valid: settings.valueDateReceipt must be one of delivery, acceptance',
      ),
    );
    expect(() => checkOptions({ seed: seedWith({ receiptAt: 'delivery' }) })).toThrow(
      /settings\.receiptAt is not a seed setting/,
    );
  });

  it('refuses an option that is neither', () => {
    expect(() => checkOptions({ seed: 'none', valueDateReceipt: 'later' as unknown as 'delivery' })).toThrow(
      new SimulatorConfigError('valueDateReceipt must be "delivery" or "acceptance", got later'),
    );
  });
});

describe('what undeclared query parameters get (undeclaredParameters)', () => {
  it('is a refusal by default, and takes ignore', () => {
    expect(checkOptions({ seed: 'none' }).settings.undeclaredParameters).toBe('refuse');
    expect(checkOptions({ seed: 'none', undeclaredParameters: 'ignore' }).settings.undeclaredParameters).toBe(
      'ignore',
    );
  });

  it('refuses anything else, naming the option', () => {
    expect(() => checkOptions({ seed: 'none', undeclaredParameters: 'drop' as unknown as 'ignore' })).toThrow(
      new SimulatorConfigError('undeclaredParameters must be "refuse" or "ignore", got drop'),
    );
  });
});
