/**
 * The catalogues as a whole (sender, recipient-push, recipient-pubsub): stable, well-formed ids; every check judged by some scenario and
 * made to fail by some broken adapter (a check no broken adapter can make fail is not yet a check);
 * and docs/conformance.md's tables equal to the code.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DOCS, generatedSections } from '../scripts/conformance-catalogue.ts';
import { sectionOf, tableRows } from '../scripts/docs-sections.ts';
import { BROKEN_CASES } from '../test/support/conformance/broken-cases.ts';
import {
  BROKEN_RECIPIENT_CASES,
  expectedFailures,
} from '../test/support/conformance/broken-recipient-cases.ts';
import { BROKEN_RECIPIENTS } from '../test/support/conformance/broken-recipients.ts';
import { type ReceiverProfile, receiverCheckIds } from './checks/receiver/ids.ts';
import { receiverChecks } from './checks/receiver/index.ts';
import { SENDER_CHECK_IDS } from './checks/sender/ids.ts';
import { SENDER_CHECKS } from './checks/sender/index.ts';
import { listChecks } from './run.ts';
import { receiverScenarios } from './scenarios/receiver.ts';
import { SENDER_SCENARIOS } from './scenarios/sender.ts';

describe('the sender catalogue', () => {
  it('lists each check once, in the order of its ids, as sender.<theme>.<name>', () => {
    expect(listChecks('sender').map((check) => check.id)).toEqual([...SENDER_CHECK_IDS]);
    for (const id of SENDER_CHECK_IDS) expect(id).toMatch(/^sender\.[a-z]+(-[a-z]+)*\.[a-z]+(-[a-z]+)*$/);
  });

  it('words each check as a requirement and names where it comes from', () => {
    for (const check of SENDER_CHECKS) {
      expect(check.title, check.id).toMatch(/^[A-Z]/);
      expect(check.title.endsWith('.'), check.id).toBe(false);
      expect(check.clause.length, check.id).toBeGreaterThan(10);
    }
  });

  it('has every check judged by at least one scenario', () => {
    const judged = new Set(SENDER_SCENARIOS.flatMap((scenario) => scenario.judges));
    expect(SENDER_CHECK_IDS.filter((id) => !judged.has(id))).toEqual([]);
  });

  it('has every check made to fail by at least one broken adapter', () => {
    const broken = new Set(BROKEN_CASES.flatMap((each) => each.fails));
    expect(SENDER_CHECK_IDS.filter((id) => !broken.has(id))).toEqual([]);
  });

  it('names each scenario once, in kebab-case, and each letter once within it', () => {
    const ids = SENDER_SCENARIOS.map((scenario) => scenario.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const scenario of SENDER_SCENARIOS) {
      expect(scenario.id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      const refs = scenario.letters.map((letter) => letter.ref);
      expect(new Set(refs).size, scenario.id).toBe(refs.length);
    }
  });
});

const RECEIVER_PROFILES: ReceiverProfile[] = ['recipient-push', 'recipient-pubsub'];

describe.each(RECEIVER_PROFILES)('the %s catalogue', (profile) => {
  const ids = receiverCheckIds(profile);
  const scenarios = receiverScenarios(profile);

  it(`lists each check once, in the order of its ids, as ${profile}.<theme>.<name>`, () => {
    expect(listChecks(profile).map((check) => check.id)).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id.startsWith(`${profile}.`), id).toBe(true);
    for (const id of ids)
      expect(id.slice(profile.length + 1)).toMatch(/^[a-z]+(-[a-z0-9]+)*\.[a-z0-9]+(-[a-z0-9]+)*$/);
  });

  it('words each check as a requirement and names where it comes from', () => {
    for (const check of receiverChecks(profile)) {
      expect(check.title, check.id).toMatch(/^[A-Z]/);
      expect(check.title.endsWith('.'), check.id).toBe(false);
      expect(check.clause.length, check.id).toBeGreaterThan(10);
    }
  });

  it('has tens of checks, every one judged by at least one scenario', () => {
    expect(ids.length).toBeGreaterThanOrEqual(20);
    const judged = new Set(scenarios.flatMap((scenario) => scenario.judges));
    expect(ids.filter((id) => !judged.has(id))).toEqual([]);
  });

  it('has every check made to fail by at least one broken adapter, each in scenarios of the profile', () => {
    const cases = BROKEN_RECIPIENT_CASES.filter((each) => each.profiles.includes(profile));
    const broken = new Set(cases.flatMap((each) => expectedFailures(each, profile)));
    expect(ids.filter((id) => !broken.has(id))).toEqual([]);
    const names = new Set(scenarios.map((scenario) => scenario.id));
    for (const each of cases) {
      expect(BROKEN_RECIPIENTS, each.kind).toContain(each.kind);
      expect(
        each.scenarios.filter((id) => !names.has(id)),
        each.kind,
      ).toEqual([]);
      // A case fails only checks its scenarios judge.
      const judged = new Set(
        scenarios
          .filter((scenario) => each.scenarios.includes(scenario.id))
          .flatMap((scenario) => scenario.judges),
      );
      expect(
        expectedFailures(each, profile).filter((id) => !judged.has(id)),
        each.kind,
      ).toEqual([]);
    }
  });

  it('names each scenario once, in kebab-case, and each MeMo once within it', () => {
    const names = scenarios.map((scenario) => scenario.id);
    expect(new Set(names).size).toBe(names.length);
    for (const scenario of scenarios) {
      expect(scenario.id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      const refs = scenario.memos.map((memo) => memo.ref);
      expect(new Set(refs).size, scenario.id).toBe(refs.length);
    }
  });
});

describe('docs/conformance.md', () => {
  it('shows the catalogue and the scenarios as the code has them (node scripts/conformance-catalogue.ts)', () => {
    const page = readFileSync(DOCS, 'utf8');
    for (const [name, table] of Object.entries(generatedSections()))
      expect(tableRows(sectionOf(page, name)), name).toEqual(tableRows(table));
  });

  it('names the section whose markers are missing, instead of comparing the wrong text', () => {
    expect(() => sectionOf('# A page\n<!-- /generated:profiles -->\n', 'profiles')).toThrow(
      'the page has no <!-- generated:profiles --> … <!-- /generated:profiles -->',
    );
  });
});
