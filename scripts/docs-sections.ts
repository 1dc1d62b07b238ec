/**
 * Generated sections of the docs: text between `<!-- generated:NAME -->` and
 * `<!-- /generated:NAME -->` that a script writes from the code, and tests compare with the code
 * table row by table row (alignment is biome's business, not the comparison's).
 */

/** A table cell's text with its pipes escaped. */
export const cell = (text: string): string => text.replace(/\|/g, '\\|');

/** A Markdown table of `header` and `rows` (cells already escaped). */
export function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const line = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
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
  if (from < 0 || to < from) throw new Error(`the page has no ${start} … ${end}`);
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

/** The text between a section's markers in `page`. @throws Error when its markers are missing. */
export function sectionOf(page: string, name: string): string {
  const { from, to } = spanOf(page, name);
  return page.slice(from, to);
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
        .map((each) => (/^ *-+ *$/.test(each) ? '---' : each.trim())),
    );
}
