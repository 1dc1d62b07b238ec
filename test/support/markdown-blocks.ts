/**
 * The fenced code blocks of a Markdown page, for test/docs-blocks.test.ts: each with its language,
 * its text, the line it starts on, and the reason it is not run when the page says so.
 *
 * A block is marked as not run by an HTML comment on the last non-blank line before its fence:
 *
 *     <!-- docs-test: skip — needs NgDP's test environment and an OCES3 certificate -->
 *
 * (an ASCII `-` or `:` instead of the dash works too). A TypeScript block marked so is still
 * type-checked; only running it is left out.
 */

/** What the docs test does with a block, by its info string. */
export type BlockKind = 'ts' | 'shell' | 'other';

export interface CodeBlock {
  /** The page, as given (a path relative to the repository). */
  file: string;
  /** 1-based line of the block's first line of code (the line after the opening fence). */
  line: number;
  /** The info string's first word, lower case (`ts`, `sh`, `json`, …; `''` for none). */
  lang: string;
  kind: BlockKind;
  /** The block's text, with the fence's own indentation taken off each line; ends with a newline. */
  code: string;
  /** Why the block is not run, when a `docs-test: skip` comment says so. */
  skip: string | undefined;
}

const TS_LANGS = new Set(['ts', 'typescript', 'js', 'javascript', 'mjs', 'mts']);
const SHELL_LANGS = new Set(['sh', 'bash', 'shell', 'zsh']);
const FENCE = /^( *)(`{3,}|~{3,})\s*([^\s`]*)/;
const DIRECTIVE = /^\s*<!--\s*docs-test:\s*(\S+)\s*(?:[—–:-]+\s*)?(.*?)\s*-->\s*$/;

function kindOf(lang: string): BlockKind {
  if (TS_LANGS.has(lang)) return 'ts';
  if (SHELL_LANGS.has(lang)) return 'shell';
  return 'other';
}

/** The directive on the last non-blank line before `index`, if there is one. */
function directiveBefore(lines: readonly string[], index: number, file: string): string | undefined {
  for (let i = index - 1; i >= 0; i--) {
    const text = lines[i] ?? '';
    if (text.trim() === '') continue;
    const match = DIRECTIVE.exec(text);
    if (match === null) return undefined;
    const [, verb, reason] = match;
    if (verb !== 'skip')
      throw new Error(`${file}:${i + 1}: unknown docs-test directive "${verb}" (only "skip")`);
    if (reason === undefined || reason === '')
      throw new Error(`${file}:${i + 1}: "docs-test: skip" needs a reason after it`);
    return reason;
  }
  return undefined;
}

/** Every fenced code block of `markdown`, in page order. */
export function codeBlocks(markdown: string, file: string): CodeBlock[] {
  const lines = markdown.split('\n');
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i] ?? '');
    if (open === null) continue;
    const [, indent = '', fence = '```', info = ''] = open;
    const lang = info.toLowerCase();
    const body: string[] = [];
    let end = i + 1;
    for (; end < lines.length; end++) {
      const text = lines[end] ?? '';
      const close = /^( *)(`{3,}|~{3,})\s*$/.exec(text);
      if (close?.[2] !== undefined && close[2][0] === fence[0] && close[2].length >= fence.length) break;
      body.push(text.startsWith(indent) ? text.slice(indent.length) : text.trimStart());
    }
    if (end >= lines.length) throw new Error(`${file}:${i + 1}: code block never closed`);
    blocks.push({
      file,
      line: i + 2,
      lang,
      kind: kindOf(lang),
      code: `${body.join('\n')}\n`,
      skip: directiveBefore(lines, i, file),
    });
    i = end;
  }
  return blocks;
}
