/**
 * The sender catalogue as a whole: stable, well-formed ids; every check judged by some scenario and
 * made to fail by some broken adapter (a check no broken adapter can make fail is not yet a check);
 * and docs/conformance.md's tables equal to the code.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DOCS, generatedSections } from '../scripts/conformance-catalogue.ts';
import { sectionOf, tableRows } from '../scripts/docs-sections.ts';
import { BROKEN_CASES } from '../test/support/conformance/broken-cases.ts';
import { SENDER_CHECK_IDS } from './checks/sender/ids.ts';
import { SENDER_CHECKS } from './checks/sender/index.ts';
import { listChecks } from './run.ts';
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
