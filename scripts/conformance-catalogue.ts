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
import { SENDER_SCENARIOS } from '../conformance/scenarios/sender.ts';

export const DOCS = new URL('../docs/conformance.md', import.meta.url);

const cell = (text: string): string => text.replace(/\|/g, '\\|');

function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const line = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

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
};

/** The generated parts of the page, by marker name. */
export function generatedSections(): Record<string, string> {
  return Object.fromEntries(Object.entries(SECTIONS).map(([name, make]) => [name, make()]));
}

const markers = (name: string) => ({
  start: `<!-- generated:${name} -->`,
  end: `<!-- /generated:${name} -->`,
});

/** Where section `name` sits in `page`. @throws Error when its markers are missing or out of order. */
function spanOf(page: string, name: string): { from: number; to: number } {
  const { start, end } = markers(name);
  const from = page.indexOf(start);
  const to = page.indexOf(end);
  if (from < 0 || to < from) throw new Error(`docs/conformance.md has no ${start} … ${end}`);
  return { from: from + start.length, to };
}

/** `page` with each generated section put between its markers. */
export function withSections(page: string, sections: Record<string, string>): string {
  let result = page;
  for (const [name, text] of Object.entries(sections)) {
    const { from, to } = spanOf(result, name);
    result = `${result.slice(0, from)}\n${text}\n${result.slice(to)}`;
  }
  return result;
}

/** The rows of the Markdown tables in `text`, each as its trimmed cells (alignment does not matter). */
export function tableRows(text: string): string[][] {
  return text
    .split('\n')
    .filter((line) => line.trimStart().startsWith('|'))
    .map((line) =>
      line
        .trim()
        .slice(1, -1)
        .split(/(?<!\\)\|/)
        .map((cell) => (/^ *-+ *$/.test(cell) ? '---' : cell.trim())),
    );
}

/** The text between a section's markers in `page`. @throws Error when its markers are missing. */
export function sectionOf(page: string, name: string): string {
  const { from, to } = spanOf(page, name);
  return page.slice(from, to);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  writeFileSync(DOCS, withSections(readFileSync(DOCS, 'utf8'), generatedSections()));
}
