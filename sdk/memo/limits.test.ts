import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { minimalMemo } from '../../test/support/memos.ts';
import { InvalidOptionsError, MemoParseError } from '../errors.ts';
import { DEFAULT_LIMITS, MAX_MARKUP_BYTES, MAX_NAME_BYTES, VALUE_LIMITS } from './limits.ts';
import { parseMemo } from './parse.ts';
import { readMemo } from './reader.ts';
import { validateMemo } from './validate.ts';

const minimal = readFileSync(new URL('../../test/fixtures/memo/minimal-1.2.xml', import.meta.url), 'utf8');
const LABEL = 'Afgørelse om boligstøtte';

function issuesOf(xml: string, options = {}) {
  return validateMemo(xml, { rules: 'schema', ...options }).issues;
}

function parseError(xml: string, options = {}): MemoParseError {
  try {
    readMemo(xml, options);
  } catch (error) {
    if (error instanceof MemoParseError) return error;
    throw error;
  }
  throw new Error('expected a MemoParseError');
}

describe('a value longer than its limit', () => {
  const long = 'x'.repeat(300_000);
  const withLabel = (label: string): string => minimal.replace(LABEL, label);

  it('is reported once, with its whole length, however long it is', () => {
    for (const label of ['x'.repeat(257), long, `<![CDATA[${long}]]>`, '&#120;'.repeat(300_000)]) {
      const length = label.startsWith('x') ? label.length : 300_000;
      expect(issuesOf(withLabel(label))).toEqual([
        {
          path: 'MessageHeader/label',
          code: 'VALUE_TOO_LONG',
          message: `label is ${length} characters long; at most 256 are allowed`,
        },
      ]);
    }
  });

  it('is kept cut to its limit plus one character, so the model still breaks the rule', () => {
    const memo = parseMemo(withLabel(`${'ø'.repeat(255)}😀😀${long}`), { lenient: true });
    expect(memo.messageHeader.label).toBe(`${'ø'.repeat(255)}😀😀`);
    expect(validateMemo(memo).issues).toEqual([
      expect.objectContaining({
        code: 'VALUE_TOO_LONG',
        message: `label is ${255 + 2 + long.length} characters long; at most 256 are allowed`,
      }),
    ]);
    // A copy of the model has lost the whole length, not the problem.
    expect(validateMemo(structuredClone(memo)).issues).toEqual([
      expect.objectContaining({
        code: 'VALUE_TOO_LONG',
        message: expect.stringMatching(/is 257 characters/),
      }),
    ]);
  });

  it('is kept whole up to one character past its limit', () => {
    const memo = parseMemo(withLabel('x'.repeat(257)), { lenient: true });
    expect(memo.messageHeader.label).toHaveLength(257);
  });

  it('is measured after whitespace is collapsed, for the types that collapse it', () => {
    const reply = `<memo:reply>${' \n'.repeat(100_000)}true${' '.repeat(100_000)}</memo:reply>`;
    const xml = minimal.replace('</memo:label>', `</memo:label>${reply}`);
    expect(issuesOf(xml)).toEqual([]);
    expect(parseMemo(xml).messageHeader.reply).toBe(true);
  });

  it('is read as the validator is configured: notificationMaxLength', () => {
    const notification = (length: number): string =>
      minimal.replace(
        '</memo:label>',
        `</memo:label><memo:notification>${'n'.repeat(length)}</memo:notification>`,
      );
    expect(issuesOf(notification(155))).toEqual([expect.objectContaining({ code: 'VALUE_TOO_LONG' })]);
    expect(issuesOf(notification(155), { notificationMaxLength: 160 })).toEqual([]);
    // Read without options (as receivers do before validating), a notification is kept up to
    // maxValueLength, so a validator allowing 160 still finds it whole.
    const { memo } = readMemo(notification(155));
    expect(memo.messageHeader.notification).toHaveLength(155);
    expect(validateMemo(memo, { notificationMaxLength: 160 }).issues).toEqual([]);
  });

  it('limits values the schema gives no length to maxValueLength (configurable)', () => {
    const uuid = minimal.replace(/<memo:messageUUID>[^<]*/, `<memo:messageUUID>${'a'.repeat(1001)}`);
    expect(issuesOf(uuid)).toEqual([
      {
        path: 'MessageHeader/messageUUID',
        code: 'VALUE_TOO_LONG',
        message: 'messageUUID is 1001 characters long; at most 1000 are allowed',
      },
    ]);
    expect(issuesOf(uuid, { maxValueLength: 2000 })).toEqual([
      expect.objectContaining({ code: 'INVALID_UUID' }),
    ]);
  });

  it('applies to attributes: memoSchVersion as text, memoVersion as maxValueLength', () => {
    const memo11 = (attributes: string): string => minimal.replace('memoVersion="1.2"', attributes);
    expect(
      issuesOf(memo11(`memoVersion="1.1" memoSchVersion="${'1'.repeat(300)}"`), { version: '1.1' }),
    ).toEqual(
      expect.arrayContaining([
        {
          path: '@memoSchVersion',
          code: 'VALUE_TOO_LONG',
          message: 'memoSchVersion is 300 characters long; at most 256 are allowed',
        },
      ]),
    );
    expect(issuesOf(memo11(`memoVersion="1.${'0'.repeat(2000)}"`))).toEqual([
      {
        path: '@memoVersion',
        code: 'VALUE_TOO_LONG',
        message: 'memoVersion is 2002 characters long; at most 1000 are allowed',
      },
    ]);
  });

  it('holds in the model input too: the validator applies the same table', () => {
    const memo = minimalMemo('1.2');
    memo.messageHeader.messageUUID = 'a'.repeat(1001);
    expect(validateMemo(memo).issues).toEqual([
      expect.objectContaining({ path: 'MessageHeader/messageUUID', code: 'VALUE_TOO_LONG' }),
    ]);
  });
});

describe('limits of the document', () => {
  it('refuses more elements and attributes than maxElements', () => {
    const count = (minimal.match(/<memo:/g)?.length ?? 0) + 2; // and xmlns:memo, memoVersion
    expect(readMemo(minimal, { maxElements: count }).issues).toEqual([]);
    const error = parseError(minimal, { maxElements: count - 1 });
    expect(error.code).toBe('XML_LIMIT_EXCEEDED');
    expect(error.message).toBe(`the document has more than ${count - 1} elements and attributes`);
    expect(error.line).toBe(minimal.trimEnd().split('\n').length - 4);
    expect(DEFAULT_LIMITS.maxElements).toBe(10_000);
  });

  it('refuses a name longer than 1,000 bytes, of an element or an attribute', () => {
    const element = minimal.replace('<memo:Sender>', `<memo:${'x'.repeat(MAX_NAME_BYTES)}/><memo:Sender>`);
    expect(parseError(element)).toMatchObject({ code: 'XML_LIMIT_EXCEEDED', line: 7, column: 6 });
    const attribute = minimal.replace(
      'memoVersion="1.2"',
      `memoVersion="1.2" ${'a'.repeat(MAX_NAME_BYTES + 1)}=""`,
    );
    expect(parseError(attribute).code).toBe('XML_LIMIT_EXCEEDED');
    const fits = minimal.replace('<memo:Sender>', `<memo:${'x'.repeat(MAX_NAME_BYTES - 5)}/><memo:Sender>`);
    expect(readMemo(fits).issues).toEqual([expect.objectContaining({ code: 'UNEXPECTED_ELEMENT' })]);
  });

  it('refuses a namespace name longer than maxValueLength', () => {
    const xml = minimal.replace('memoVersion="1.2"', `memoVersion="1.2" xmlns:q="urn:${'q'.repeat(1000)}"`);
    expect(parseError(xml).code).toBe('XML_LIMIT_EXCEEDED');
    expect(readMemo(xml, { maxValueLength: 2000 }).issues).toEqual([]);
  });

  it('refuses more than 1 MiB of markup', () => {
    const xml = minimal.replace('memoVersion="1.2"', `memoVersion="1.2"${' '.repeat(MAX_MARKUP_BYTES)}`);
    expect(parseError(xml)).toMatchObject({
      code: 'XML_LIMIT_EXCEEDED',
      message: expect.stringMatching(/markup/),
    });
  });

  it('reports a refusal as one issue from validateMemo', () => {
    expect(validateMemo(minimal, { maxElements: 5 }).issues).toEqual([
      { path: '', code: 'XML_LIMIT_EXCEEDED', message: expect.any(String) },
    ]);
  });

  it('rejects invalid limits with an InvalidOptionsError', () => {
    expect(() => validateMemo(minimal, { maxValueLength: -1 })).toThrow(InvalidOptionsError);
    expect(() => validateMemo(minimal, { maxElements: 0 })).toThrow(InvalidOptionsError);
    expect(() => readMemo(minimal, { maxElements: 1.5 })).toThrow(InvalidOptionsError);
    expect(() => parseMemo(minimal, { notificationMaxLength: Number.NaN })).toThrow(InvalidOptionsError);
  });
});

describe('docs/memo.md', () => {
  const docs = readFileSync(new URL('../../docs/memo.md', import.meta.url), 'utf8');

  it('lists the limit of every simple type as the table in limits.ts has it', () => {
    const section = docs.slice(docs.indexOf('### Limits'));
    for (const [type, limit] of Object.entries(VALUE_LIMITS)) {
      const row = section.split('\n').find((line) => line.startsWith(`| \`${type}\``));
      expect(row, `a row for ${type}`).toBeDefined();
      const cell = row?.split('|')[3]?.trim();
      expect(cell).toBe(typeof limit === 'number' ? String(limit) : `\`${limit}\``);
    }
  });
});
