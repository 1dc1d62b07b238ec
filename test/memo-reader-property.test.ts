/**
 * Properties of the MeMo reader's two ways of reading text: short texts through fast-xml-parser,
 * long ones (at least 128 bytes) straight from the input bytes (sdk/memo/xml-text.ts). Whichever way
 * a text goes, and however XML lets it be written, the document reads the same.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoParseError } from '../sdk/memo/index.ts';
import { readMemo } from '../sdk/memo/reader.ts';
import type { Memo, MemoVersion } from '../sdk/memo/types.ts';
import { validateMemo } from '../sdk/memo/validate.ts';
import { serializeMemo } from '../sdk/memo/writer.ts';
import { differentialCaseArbitrary, memoArbitrary } from './support/memo-arbitraries.ts';

/** The model with file contents as plain arrays, so Buffers and Uint8Arrays compare by content. */
function plain(value: unknown): unknown {
  if (value instanceof Uint8Array) return [...value];
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, plain(item)]));
  }
  return value;
}

/** What the reader and the validator make of `xml`: the model and every issue, or the parse error. */
function outcome(xml: string, options: { version?: MemoVersion; liftThreshold?: number } = {}): unknown {
  try {
    const { memo, issues } = readMemo(xml, options);
    const checked = validateMemo(memo, { rules: 'schema' });
    return { memo: plain(memo), issues: [...issues, ...checked.issues] };
  } catch (error) {
    if (!(error instanceof MemoParseError)) throw error;
    return { code: error.code, message: error.message, line: error.line, column: error.column };
  }
}

/** One way of writing a piece of base64 text, as XML allows it in `File/content`. */
type Style =
  | 'plain'
  | 'decimal reference'
  | 'hexadecimal reference'
  | 'CDATA'
  | 'LF'
  | 'CRLF'
  | 'spaces'
  | 'comment'
  | 'processing instruction';

const STYLES: readonly Style[] = [
  'plain',
  'decimal reference',
  'hexadecimal reference',
  'CDATA',
  'LF',
  'CRLF',
  'spaces',
  'comment',
  'processing instruction',
];

function written(piece: string, style: Style): string {
  const first = piece.charCodeAt(0);
  switch (style) {
    case 'plain':
      return piece;
    case 'decimal reference':
      return `&#${first};${piece.slice(1)}`;
    case 'hexadecimal reference':
      return `&#x${first.toString(16).toUpperCase()};${piece.slice(1)}`;
    case 'CDATA':
      return `<![CDATA[${piece}]]>`;
    case 'LF':
      return `${piece}\n`;
    case 'CRLF':
      return `${piece}\r\n`;
    case 'spaces':
      return ` \t${piece}  `;
    case 'comment':
      return `${piece}<!-- ${piece.length} -->`;
    case 'processing instruction':
      return `${piece}<?split here?>`;
  }
}

/** Rewrites the text of every `memo:content` in pieces of `sizes` characters, written in `styles`. */
function rewriteContents(xml: string, sizes: readonly number[], styles: readonly Style[]): string {
  let turn = 0;
  return xml.replace(/(<memo:content>)([^<]*)(<\/memo:content>)/g, (_all, open, base64: string, close) => {
    const out: string[] = [];
    for (let at = 0; at < base64.length; turn++) {
      const size = sizes[turn % sizes.length] as number;
      out.push(written(base64.slice(at, at + size), styles[turn % styles.length] as Style));
      at += size;
    }
    return `${open}${out.join('')}${close}`;
  });
}

describe('File/content written any way XML allows', () => {
  it('reads as the same document as its plain base64, on both reading paths', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<MemoVersion>('1.1', '1.2').chain((version) => memoArbitrary(version)),
        fc.constantFrom(0, 2),
        fc.array(fc.integer({ min: 1, max: 90 }), { minLength: 1, maxLength: 8 }),
        fc.array(fc.constantFrom(...STYLES), { minLength: 1, maxLength: 8 }),
        (memo: Memo, indent, sizes, styles) => {
          const xml = serializeMemo(memo, { indent });
          const rewritten = rewriteContents(xml, sizes, styles);
          const expected = outcome(xml);
          expect(outcome(rewritten)).toEqual(expected);
          expect(outcome(rewritten, { liftThreshold: 1 })).toEqual(expected);
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('any document, valid or broken', () => {
  it('reads the same whether its texts go through the XML parser or are read from the bytes', () => {
    fc.assert(
      fc.property(differentialCaseArbitrary(), ({ xml, schema }) => {
        expect(outcome(xml, { version: schema, liftThreshold: 1 })).toEqual(
          outcome(xml, { version: schema }),
        );
      }),
      { numRuns: 400 },
    );
  });
});
