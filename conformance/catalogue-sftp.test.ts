/**
 * The sender-sftp catalogue as a whole: stable, well-formed ids; every check judged by some scenario
 * and made to fail by some broken adapter (a check no broken adapter can make fail is not yet a
 * check); and docs/conformance.md's tables equal to the code (conformance/catalogue.test.ts checks
 * every generated table).
 */
import { describe, expect, it } from 'vitest';
import { BROKEN_SFTP_CASES } from '../test/support/conformance/broken-sftp-cases.ts';
import { BROKEN_SFTP_SENDERS } from '../test/support/conformance/broken-sftp-senders.ts';
import { SFTP_CHECK_IDS } from './checks/sender-sftp/ids.ts';
import { SFTP_CHECKS } from './checks/sender-sftp/index.ts';
import { listChecks } from './run.ts';
import { SFTP_SCENARIOS } from './scenarios/sender-sftp.ts';

describe('the sender-sftp catalogue', () => {
  it('lists each check once, in the order of its ids, as sender-sftp.<theme>.<name>', () => {
    expect(listChecks('sender-sftp').map((check) => check.id)).toEqual([...SFTP_CHECK_IDS]);
    for (const id of SFTP_CHECK_IDS) expect(id).toMatch(/^sender-sftp\.[a-z]+(-[a-z]+)*\.[a-z]+(-[a-z]+)*$/);
  });

  it('words each check as a requirement and names where it comes from', () => {
    for (const check of SFTP_CHECKS) {
      expect(check.title, check.id).toMatch(/^[A-Z]/);
      expect(check.title.endsWith('.'), check.id).toBe(false);
      expect(check.clause.length, check.id).toBeGreaterThan(10);
    }
  });

  it('has every check judged by at least one scenario', () => {
    const judged = new Set(SFTP_SCENARIOS.flatMap((scenario) => scenario.judges));
    expect(SFTP_CHECK_IDS.filter((id) => !judged.has(id))).toEqual([]);
  });

  it('has every check made to fail by at least one broken adapter', () => {
    const broken = new Set(BROKEN_SFTP_CASES.flatMap((each) => each.fails));
    expect(SFTP_CHECK_IDS.filter((id) => !broken.has(id))).toEqual([]);
  });

  it('has a broken adapter for every case, each case’s scenarios being the profile’s and judging what it fails', () => {
    const scenarios = new Map(SFTP_SCENARIOS.map((scenario) => [scenario.id, scenario]));
    for (const each of BROKEN_SFTP_CASES) {
      expect(BROKEN_SFTP_SENDERS, each.kind).toContain(each.kind);
      const judged = new Set(each.scenarios.flatMap((id) => scenarios.get(id)?.judges ?? []));
      expect(
        each.scenarios.filter((id) => !scenarios.has(id)),
        each.kind,
      ).toEqual([]);
      expect(
        each.fails.filter((id) => !judged.has(id)),
        each.kind,
      ).toEqual([]);
    }
  });

  it('names each scenario once, in kebab-case, and each letter once within it', () => {
    const ids = SFTP_SCENARIOS.map((scenario) => scenario.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const scenario of SFTP_SCENARIOS) {
      expect(scenario.id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      const refs = scenario.letters.map((letter) => letter.ref);
      expect(new Set(refs).size, scenario.id).toBe(refs.length);
    }
  });
});
