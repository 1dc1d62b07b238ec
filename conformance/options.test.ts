import { describe, expect, it } from 'vitest';
import { InvalidOptionsError } from '../sdk/errors.ts';
import { type ConformanceOptions, settingsOf } from './options.ts';

const defaults = { cwd: '/work', env: {} };
const settings = (options: Partial<ConformanceOptions>) =>
  settingsOf({ profile: 'sender', run: 'node adapter.js', ...options }, defaults);

describe('the options of a run', () => {
  it('default to pull receipts, chaos on and a fresh seed', () => {
    const result = settings({});
    expect(result).toMatchObject({ receipts: 'pull', chaos: true, certify: false, cwd: '/work' });
    expect(Number.isInteger(result.seed)).toBe(true);
  });

  it('refuse an unknown profile', () => {
    expect(() => settings({ profile: 'recipient' })).toThrow('unknown profile recipient');
  });

  it('need a way to reach the vendor: --run, --endpoint or --wait, and not --run with --wait', () => {
    expect(() => settingsOf({ profile: 'sender' }, defaults)).toThrow(InvalidOptionsError);
    expect(() => settings({ wait: true })).toThrow('give --run or --wait, not both');
  });

  it('under --certify run every check with chaos and a fresh seed, refusing anything that would judge less', () => {
    expect(settings({ certify: true })).toMatchObject({
      certify: true,
      chaos: true,
      skip: [],
      expectedFailures: [],
    });
    expect(() => settings({ certify: true, skip: ['sender.memo.label'] })).toThrow('--certify');
    expect(() => settings({ certify: true, seed: 7 })).toThrow('--seed');
    expect(() => settings({ certify: true, chaos: false })).toThrow('--no-chaos');
  });

  it('refuse a seed that is not a whole number and a deadline out of range', () => {
    expect(() => settings({ seed: -1 })).toThrow('--seed');
    expect(() => settings({ timeoutS: 0 })).toThrow('--timeout-s');
  });
});
