/**
 * Generated sections of the docs: text between `<!-- generated:NAME -->` and
 * `<!-- /generated:NAME -->` that a script writes from the code, and tests compare with the code
 * table row by table row (alignment is biome's business, not the comparison's).
 */

/** A table cell's text with its pipes escaped. */
export const cell = (text: string): string => text.replace(/\|/g, '\\|');

/** `page` with each generated section put between its markers. */
export function withSections(page: string, sections: Record<string, string>): string {
  let result = page;
  for (const [name, text] of Object.entries(sections)) {
    const start = `<!-- generated:${name} -->`;
    const end = `<!-- /generated:${name} -->`;
    const from = result.indexOf(start);
    const to = result.indexOf(end);
    if (from < 0 || to < from) throw new Error(`the page has no ${start} … ${end}`);
    result = `${result.slice(0, from + start.length)}\n${text}\n${result.slice(to)}`;
  }
  return result;
}

/** The text between a section's markers in `page`. */
export function sectionOf(page: string, name: string): string {
  const start = `<!-- generated:${name} -->`;
  return page.slice(page.indexOf(start) + start.length, page.indexOf(`<!-- /generated:${name} -->`));
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
