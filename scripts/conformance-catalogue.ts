/**
 * docs/conformance.md's generated tables, made from the code: the profiles, and each profile's
 * checks (id, level, requirement, source) and scenarios. `node scripts/conformance-catalogue.ts`
 * rewrites every table between its markers (`<!-- generated:NAME -->` … `<!-- /generated:NAME -->`)
 * and `npx biome format --write docs/conformance.md` aligns them; conformance/catalogue.test.ts
 * fails when the page and the code differ, cell by cell.
 *
 * Adding a profile's tables is one line each in {@link SECTIONS} — `checksTable(profile)` and
 * `scenariosTable(scenarios, extra columns)` — plus the markers on the page.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { listChecks, PROFILE_NAMES, type ProfileName } from '../conformance/index.ts';
import type { ScenarioInfo } from '../conformance/model.ts';
import { profileOf } from '../conformance/profiles.ts';
import { receiverScenarios } from '../conformance/scenarios/receiver.ts';
import { RECIPIENT_PULL_SCENARIOS } from '../conformance/scenarios/recipient-pull.ts';
import { SENDER_SCENARIOS } from '../conformance/scenarios/sender.ts';
import { SFTP_SCENARIOS } from '../conformance/scenarios/sender-sftp.ts';
import { cell, table, withSections } from './docs-sections.ts';

export const DOCS = new URL('../docs/conformance.md', import.meta.url);

/** Every profile: what the vendor's system is in it, and how many checks it has. */
export function profilesTable(): string {
  return table(
    ['profile', 'your system is', 'checks'],
    PROFILE_NAMES.map((profile) => {
      const checks = listChecks(profile);
      const must = checks.filter((check) => check.level === 'MUST').length;
      return [
        `\`${profile}\``,
        cell(profileOf(profile).summary),
        checks.length === 0 ? 'not yet: `run` exits 2' : `${checks.length} (${must} MUST)`,
      ];
    }),
  );
}

/** The checks of `profile`: id, level, requirement, where it comes from. */
export function checksTable(profile: ProfileName): string {
  return table(
    ['id', 'level', 'requirement', 'from'],
    listChecks(profile).map((check) => [
      `\`${check.id}\``,
      check.level,
      cell(check.title),
      cell(check.clause),
    ]),
  );
}

/**
 * A profile's scenarios: id and what the suite does, then `columns` of the profile's own (header →
 * the cell of a scenario).
 */
export function scenariosTable<S extends ScenarioInfo>(
  scenarios: readonly S[],
  columns: Readonly<Record<string, (scenario: S) => string>> = {},
): string {
  const extra = Object.entries(columns);
  return table(
    ['scenario', 'what the suite does', ...extra.map(([header]) => header)],
    scenarios.map((scenario) => [
      `\`${scenario.id}\``,
      cell(scenario.title),
      ...extra.map(([, of]) => cell(of(scenario))),
    ]),
  );
}

/** The generated sections of the page, by marker name: one line per table. */
const SECTIONS: Readonly<Record<string, () => string>> = {
  profiles: profilesTable,
  'sender-checks': () => checksTable('sender'),
  'sender-scenarios': () =>
    scenariosTable(SENDER_SCENARIOS, {
      letters: (scenario) => String(scenario.letters.length),
      receipts: (scenario) => scenario.receipts ?? 'pull and push',
    }),
  'sender-sftp-checks': () => checksTable('sender-sftp'),
  'sender-sftp-scenarios': () =>
    scenariosTable(SFTP_SCENARIOS, { letters: (scenario) => String(scenario.letters.length) }),
  'recipient-pull-checks': () => checksTable('recipient-pull'),
  'recipient-pull-scenarios': () =>
    scenariosTable(RECIPIENT_PULL_SCENARIOS, {
      MeMos: (scenario) => String(scenario.memos.length),
      deadline: (scenario) => `${scenario.deadlineMs / 1000} s`,
    }),
  'recipient-push-checks': () => checksTable('recipient-push'),
  'recipient-pubsub-checks': () => checksTable('recipient-pubsub'),
  // The push and publish/subscribe profiles play the same scenarios.
  'receiver-scenarios': () =>
    scenariosTable(receiverScenarios('recipient-push'), {
      'MeMos NgDP delivers': (scenario) => String(scenario.memos.length),
      'requests of the suite’s own': (scenario) => String(scenario.hostile?.length ?? 0),
    }),
};

/** The generated parts of the page, by marker name. */
export function generatedSections(): Record<string, string> {
  return Object.fromEntries(Object.entries(SECTIONS).map(([name, make]) => [name, make()]));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  writeFileSync(DOCS, withSections(readFileSync(DOCS, 'utf8'), generatedSections()));
}
