import { describe, expect, it } from 'vitest';
import { InvalidOptionsError } from '../sdk/errors.ts';
import type { CheckInfo } from './model.ts';
import { matchIds, parseExpectedFailures, scenariosFor, selectChecks } from './selection.ts';

const CHECKS: CheckInfo[] = ['sender.retry.same-uuid', 'sender.retry.bounded', 'sender.memo.valid'].map(
  (id) => ({
    id,
    profile: 'sender',
    level: 'MUST',
    title: id,
    clause: 'test',
  }),
);

describe('selecting checks', () => {
  it('takes exact ids and groups ending in .*', () => {
    expect([...matchIds(CHECKS, ['sender.retry.*', 'sender.memo.valid'], '--only')]).toEqual([
      'sender.retry.same-uuid',
      'sender.retry.bounded',
      'sender.memo.valid',
    ]);
  });

  it('refuses a name that matches no check, so that a typo never turns a gate off', () => {
    expect(() => selectChecks(CHECKS, { skip: ['sender.retry.same-uid'] })).toThrow(InvalidOptionsError);
    expect(() => selectChecks(CHECKS, { expectedFailures: ['sender.nothing.*'] })).toThrow(
      '--expected-failures: no check of the profile is named sender.nothing.*',
    );
  });

  it('plays only the scenarios that judge a selected check', () => {
    const scenarios = [
      { id: 'a', title: '', judges: ['sender.memo.valid'] },
      { id: 'b', title: '', judges: ['sender.retry.bounded', 'sender.memo.valid'] },
    ];
    expect(scenariosFor(scenarios, new Set(['sender.retry.bounded'])).map((s) => s.id)).toEqual(['b']);
  });
});

describe('the expected-failures file', () => {
  it('is one check id per line, with # comments and blank lines', () => {
    const text = '# known since 2.3\nsender.retry.bounded  # vendor ticket 42\n\n  sender.memo.valid\r\n';
    expect(parseExpectedFailures(text)).toEqual(['sender.retry.bounded', 'sender.memo.valid']);
  });
});
