/**
 * docs/conformance.md's catalogue tables, made from the code: each profile's checks (id, level,
 * requirement, source) and its scenarios. `node scripts/conformance-catalogue.ts` rewrites the
 * tables between their markers (then `npx biome format --write docs/conformance.md` aligns them);
 * conformance/catalogue.test.ts fails when the page and the code differ, cell by cell.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { listChecks, type ProfileName } from '../conformance/index.ts';
import { SENDER_SCENARIOS } from '../conformance/scenarios/sender.ts';
import { SFTP_SCENARIOS } from '../conformance/scenarios/sender-sftp.ts';

export const DOCS = new URL('../docs/conformance.md', import.meta.url);

const cell = (text: string): string => text.replace(/\|/g, '\\|');

/** The checks of `profile` as a Markdown table. */
export function checksTable(profile: ProfileName): string {
  const rows = listChecks(profile).map(
    (check) => `| \`${check.id}\` | ${check.level} | ${cell(check.title)} | ${cell(check.clause)} |`,
  );
  return ['| id | level | requirement | from |', '| --- | --- | --- | --- |', ...rows].join('\n');
}

/** The sender profile's scenarios as a Markdown table. */
export function senderScenariosTable(): string {
  const rows = SENDER_SCENARIOS.map(
    (scenario) =>
      `| \`${scenario.id}\` | ${cell(scenario.title)} | ${scenario.letters.length} | ${scenario.receipts ?? 'pull and push'} |`,
  );
  return ['| scenario | what NgDP does | letters | receipts |', '| --- | --- | --- | --- |', ...rows].join(
    '\n',
  );
}

/** The sender-sftp profile's scenarios as a Markdown table. */
export function sftpScenariosTable(): string {
  const rows = SFTP_SCENARIOS.map(
    (scenario) => `| \`${scenario.id}\` | ${cell(scenario.title)} | ${scenario.letters.length} |`,
  );
  return ['| scenario | what NgDP does | letters |', '| --- | --- | --- |', ...rows].join('\n');
}

/** The generated parts of the page, by marker name. */
export function generatedSections(): Record<string, string> {
  return {
    'sender-checks': checksTable('sender'),
    'sender-scenarios': senderScenariosTable(),
    'sender-sftp-checks': checksTable('sender-sftp'),
    'sender-sftp-scenarios': sftpScenariosTable(),
  };
}

/** `page` with each generated section put between its markers. */
export function withSections(page: string, sections: Record<string, string>): string {
  let result = page;
  for (const [name, text] of Object.entries(sections)) {
    const start = `<!-- generated:${name} -->`;
    const end = `<!-- /generated:${name} -->`;
    const from = result.indexOf(start);
    const to = result.indexOf(end);
    if (from < 0 || to < from) throw new Error(`docs/conformance.md has no ${start} … ${end}`);
    result = `${result.slice(0, from + start.length)}\n${text}\n${result.slice(to)}`;
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

/** The text between a section's markers in `page`. */
export function sectionOf(page: string, name: string): string {
  const start = `<!-- generated:${name} -->`;
  return page.slice(page.indexOf(start) + start.length, page.indexOf(`<!-- /generated:${name} -->`));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  writeFileSync(DOCS, withSections(readFileSync(DOCS, 'utf8'), generatedSections()));
}
