/**
 * What reading a hostile or merely unusual large MeMo costs, each case in a fresh child process
 * (test/support/validate-file.ts) whose peak RSS is compared with its RSS before reading. The
 * children run with a 256 MiB heap: a reader that builds strings in proportion to its input dies
 * there (and the test fails) instead of taking gigabytes. Bounds are generous; exact figures are in
 * bench/memo.bench.ts and docs/performance.md.
 *
 * - `File/content` stays on the fast path (decoded straight from the input bytes) whatever XML
 *   allows in it: character references, an entity, line breaks, CDATA sections, comments. Memory:
 *   the decoded bytes (3/4 of the input) and little else.
 * - Text anywhere else — a label, an attribute, whitespace, an unknown element — is never held
 *   beyond its field's limit: the reader reports it and memory does not grow with it.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serializeMemo } from '../sdk/memo/writer.ts';
import { minimalMemo } from './support/memos.ts';

const run = promisify(execFile);
const MiB = 1024 * 1024;
/** Decoded size of the large file: its base64 is 32 MiB. */
const CONTENT_BYTES = 24 * MiB;
/** Size of the large text of the text cases. */
const TEXT_BYTES = 32 * MiB;
/**
 * What any child's RSS may grow by whatever it reads: V8 growing its young generation, compiling
 * hot code, malloc keeping freed pages. Measured 8–17 MiB; without it the proportional bounds below
 * failed now and then on a busy CI machine (42.7 MB against 42.5 for a 34 MB input). A reader that
 * builds strings from its input needs at least twice the input and is not hidden by it.
 */
const RUNTIME_SLACK = 16 * MiB;

interface ProbeResult {
  inputBytes: number;
  rssBeforeBytes: number;
  peakRssBytes: number;
  issues: [string, string, string][];
  contentSha256: string;
}

let dir = '';
let files = 0;
const content = Buffer.alloc(CONTENT_BYTES);
for (let i = 0; i < content.length; i++) content[i] = (i * 2654435761) >>> 24;
const base64 = content.toString('base64');
const contentSha256 = createHash('sha256').update(content).digest('hex');
const template = serializeMemo(minimalMemo('1.2'), { indent: 2 });
const PLACEHOLDER = minimalMemo('1.2').messageBody?.mainDocument.files[0]?.content;
const placeholderBase64 = Buffer.from(PLACEHOLDER ?? []).toString('base64');

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'memo-reader-memory-'));
});

afterAll(async () => {
  if (dir !== '') await rm(dir, { recursive: true, force: true });
});

/** Writes `xml`, validates it in a child process and returns what the child measured. */
async function probe(xml: string | Buffer): Promise<ProbeResult & { growth: number }> {
  const path = join(dir, `case-${files++}.xml`);
  await writeFile(path, xml);
  const script = new URL('./support/validate-file.ts', import.meta.url).pathname;
  const { stdout } = await run(process.execPath, ['--expose-gc', '--max-old-space-size=256', script, path], {
    maxBuffer: 1 << 20,
  });
  await rm(path);
  const result = JSON.parse(stdout) as ProbeResult;
  return { ...result, growth: result.peakRssBytes - result.rssBeforeBytes };
}

/** The minimal 1.2 letter with `text` as its file's base64. */
function withContent(text: string): string {
  return template.replace(placeholderBase64, text);
}

/** `text` cut into pieces of `size` characters. */
function pieces(text: string, size: number): string[] {
  const out: string[] = [];
  for (let at = 0; at < text.length; at += size) out.push(text.slice(at, at + size));
  return out;
}

describe('a large File/content stays on the fast path', () => {
  it.each<[string, () => string]>([
    ['plain', () => base64],
    ['with a decimal character reference', () => `&#${base64.charCodeAt(0)};${base64.slice(1)}`],
    [
      'with hexadecimal references throughout',
      () =>
        pieces(base64, 1000)
          .map((piece) => `&#x${piece.charCodeAt(0).toString(16)};${piece.slice(1)}`)
          .join(''),
    ],
    ['with a line break every 76 characters', () => pieces(base64, 76).join('\n')],
    ['with CRLF line breaks and indentation', () => `\r\n    ${pieces(base64, 76).join('\r\n    ')}\r\n  `],
    ['in one CDATA section', () => `<![CDATA[${base64}]]>`],
    [
      'in many CDATA sections',
      () =>
        pieces(base64, 4093)
          .map((piece) => `<![CDATA[${piece}]]>`)
          .join('\n'),
    ],
    ['with comments and processing instructions', () => pieces(base64, 8192).join('<!-- c --><?pi x?>')],
  ])(
    '%s: decodes it right, with memory growth of about the decoded bytes',
    async (_name, text) => {
      const result = await probe(withContent(text()));
      expect(result.issues).toEqual([]);
      expect(result.contentSha256).toBe(contentSha256);
      // The decoded file is 3/4 of the input; everything else is slices and small strings.
      expect(result.growth).toBeLessThan(1.25 * result.inputBytes + RUNTIME_SLACK);
    },
    60_000,
  );

  it('reports an entity that is not base64 as INVALID_BASE64, without reading the content slowly', async () => {
    const result = await probe(withContent(`${base64.slice(0, 1000)}&amp;${base64.slice(1000)}`));
    expect(result.issues).toEqual([
      ['MessageBody/MainDocument/File[1]/content', 'INVALID_BASE64', expect.stringContaining('"&"')],
    ]);
    expect(result.growth).toBeLessThan(1.5 * result.inputBytes + RUNTIME_SLACK);
  }, 60_000);
});

describe('large text outside File/content is bounded by its field', () => {
  const big = 'x'.repeat(TEXT_BYTES);
  const minimal = template;

  it.each<[string, () => string, [string, string, RegExp][]]>([
    [
      'a 32 MiB label',
      () => minimal.replace('<memo:label>', `<memo:label>${big}`),
      [['MessageHeader/label', 'VALUE_TOO_LONG', /is 335544\d\d characters long; at most 256/]],
    ],
    [
      'a 32 MiB label written as character references and CDATA',
      () =>
        minimal.replace(
          '<memo:label>',
          `<memo:label>${'&#120;'.repeat(TEXT_BYTES / 12)}<![CDATA[${'x'.repeat(TEXT_BYTES / 2)}]]>`,
        ),
      [['MessageHeader/label', 'VALUE_TOO_LONG', /is 195\d{5} characters long; at most 256/]],
    ],
    [
      'a 32 MiB messageUUID',
      () => minimal.replace('<memo:messageUUID>', `<memo:messageUUID>${big}`),
      [['MessageHeader/messageUUID', 'VALUE_TOO_LONG', /characters long; at most 1000/]],
    ],
    [
      'a boolean in 32 MiB of whitespace (valid: a boolean collapses whitespace)',
      () =>
        minimal.replace(
          '</memo:label>',
          `</memo:label><memo:reply>${' '.repeat(TEXT_BYTES)}true </memo:reply>`,
        ),
      [],
    ],
    [
      'a 32 MiB unknown attribute',
      () => minimal.replace('memoVersion="1.2"', `memoVersion="1.2" foo="${big}"`),
      [['@foo', 'UNEXPECTED_ATTRIBUTE', /may not have the attribute foo/]],
    ],
    [
      'a 32 MiB memoVersion',
      () => minimal.replace('memoVersion="1.2"', `memoVersion="1.${'0'.repeat(TEXT_BYTES)}"`),
      [['@memoVersion', 'VALUE_TOO_LONG', /at most 1000/]],
    ],
    [
      '32 MiB of whitespace between elements',
      () => minimal.replace('<memo:Sender>', `${' \n'.repeat(TEXT_BYTES / 2)}<memo:Sender>`),
      [],
    ],
    ['a 32 MiB comment', () => minimal.replace('<memo:Sender>', `<!--${big}--><memo:Sender>`), []],
    [
      '32 MiB of text between elements',
      () => minimal.replace('<memo:Sender>', `${big}<memo:Sender>`),
      [['MessageHeader', 'UNEXPECTED_TEXT', /elements only/]],
    ],
    [
      'a 32 MiB unknown element',
      () => minimal.replace('<memo:Sender>', `<memo:x>${big}</memo:x><memo:Sender>`),
      [['MessageHeader/x', 'UNEXPECTED_ELEMENT', /not allowed in MessageHeader/]],
    ],
  ])(
    '%s: reported, and memory does not grow with it',
    async (_name, xml, expected) => {
      const result = await probe(xml());
      expect(result.issues).toEqual(
        expected.map(([path, code, message]) => [path, code, expect.stringMatching(message)]),
      );
      expect(result.growth).toBeLessThan(0.5 * result.inputBytes + RUNTIME_SLACK);
    },
    60_000,
  );

  it.each<[string, () => string, RegExp]>([
    [
      'a namespace name of 32 MiB',
      () => minimal.replace('memoVersion="1.2"', `memoVersion="1.2" xmlns:q="urn:${big}"`),
      /namespace name/,
    ],
    [
      'an element name of 32 MiB',
      () => minimal.replace('<memo:Sender>', `<memo:${big}/><memo:Sender>`),
      /name/,
    ],
    [
      '3.7 million elements',
      () => minimal.replace('<memo:Sender>', `${'<memo:x/>'.repeat(TEXT_BYTES / 9)}<memo:Sender>`),
      /elements/,
    ],
    [
      '3.7 million attributes',
      () =>
        minimal.replace(
          'memoVersion="1.2"',
          `memoVersion="1.2"${pieces(big, 9)
            .map((_, i) => ` a${i}=""`)
            .join('')}`,
        ),
      /attributes/,
    ],
  ])(
    '%s: refused as XML_LIMIT_EXCEEDED, and memory does not grow with it',
    async (_name, xml, message) => {
      const result = await probe(xml());
      expect(result.issues).toEqual([['', 'XML_LIMIT_EXCEEDED', expect.stringMatching(message)]]);
      expect(result.growth).toBeLessThan(0.5 * result.inputBytes + RUNTIME_SLACK);
    },
    60_000,
  );
});
