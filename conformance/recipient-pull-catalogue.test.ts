/**
 * The recipient-pull catalogue as a whole: stable, well-formed ids; every check judged by some
 * scenario and made to fail by some broken adapter (a check no broken adapter can make fail is not
 * yet a check).
 */
import { describe, expect, it } from 'vitest';
import { BROKEN_PULL_CASES } from '../test/support/conformance/broken-pull-cases.ts';
import { RECIPIENT_PULL_CHECK_IDS } from './checks/recipient-pull/ids.ts';
import { RECIPIENT_PULL_CHECKS } from './checks/recipient-pull/index.ts';
import { listChecks } from './run.ts';
import { RECIPIENT_PULL_SCENARIOS } from './scenarios/recipient-pull.ts';

describe('the recipient-pull catalogue', () => {
  it('lists each check once, in the order of its ids, as recipient-pull.<theme>.<name>', () => {
    expect(listChecks('recipient-pull').map((check) => check.id)).toEqual([...RECIPIENT_PULL_CHECK_IDS]);
    for (const id of RECIPIENT_PULL_CHECK_IDS)
      expect(id).toMatch(/^recipient-pull\.[a-z]+(-[a-z]+)*\.[a-z0-9]+(-[a-z0-9]+)*$/);
  });

  it('words each check as a requirement and names where it comes from', () => {
    for (const check of RECIPIENT_PULL_CHECKS) {
      expect(check.title, check.id).toMatch(/^[A-Z]/);
      expect(check.title.endsWith('.'), check.id).toBe(false);
      expect(check.clause.length, check.id).toBeGreaterThan(10);
    }
  });

  it('has every check judged by at least one scenario', () => {
    const judged = new Set(RECIPIENT_PULL_SCENARIOS.flatMap((scenario) => scenario.judges));
    expect(RECIPIENT_PULL_CHECK_IDS.filter((id) => !judged.has(id))).toEqual([]);
  });

  it('has every check made to fail by at least one broken adapter, in a scenario that judges it', () => {
    const broken = new Set(BROKEN_PULL_CASES.flatMap((each) => each.fails));
    expect(RECIPIENT_PULL_CHECK_IDS.filter((id) => !broken.has(id))).toEqual([]);
    for (const each of BROKEN_PULL_CASES) {
      const judged = new Set(
        RECIPIENT_PULL_SCENARIOS.filter((scenario) => each.scenarios.includes(scenario.id)).flatMap(
          (scenario) => scenario.judges,
        ),
      );
      expect(
        each.fails.filter((id) => !judged.has(id)),
        each.kind,
      ).toEqual([]);
    }
  });

  it('names each scenario once, in kebab-case, and gives each MeMos to take', () => {
    const ids = RECIPIENT_PULL_SCENARIOS.map((scenario) => scenario.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const scenario of RECIPIENT_PULL_SCENARIOS) {
      expect(scenario.id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(scenario.memos.length, scenario.id).toBeGreaterThan(0);
    }
  });
});
