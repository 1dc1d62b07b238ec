import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { collapseWhitespace } from './simple-types.ts';
import { BoundedText, readText } from './xml-text.ts';

/** Every chunk `readText` hands on for `xml`, read whole. */
function chunksOf(xml: string, encoding: 'utf8' | 'latin1' = 'utf8'): string[] {
  const bytes = Buffer.from(xml, encoding === 'utf8' ? 'utf8' : 'latin1');
  const chunks: string[] = [];
  readText(bytes, { start: 0, end: bytes.length }, encoding, (chunk) => {
    chunks.push(chunk);
    return undefined;
  });
  return chunks;
}

describe('readText', () => {
  it('decodes references, keeps CDATA as it is, drops comments and processing instructions', () => {
    expect(
      chunksOf('a&lt;&gt;&amp;&apos;&quot;&#65;&#x1F600;<![CDATA[&amp;<x>]]><!-- c --><?p d?>z').join(''),
    ).toBe('a<>&\'"A😀&amp;<x>z');
  });

  it('normalizes CRLF and CR to LF, but not a CR written as a reference', () => {
    expect(chunksOf('a\r\nb\rc&#13;\n<![CDATA[d\r\ne]]>').join('')).toBe('a\nb\nc\r\nd\ne');
  });

  it('never splits a UTF-8 sequence or a CRLF between two chunks', () => {
    const text = `${'æ'.repeat(40_000)}\r\n${'😀'.repeat(40_000)}${'x\r\n'.repeat(30_000)}`;
    const chunks = chunksOf(text);
    expect(chunks.length).toBeGreaterThan(2);
    expect(chunks.join('')).toBe(text.replaceAll('\r\n', '\n'));
    expect(chunks.some((chunk) => chunk.includes('\ufffd'))).toBe(false);
  });

  it('reads bytes one to one as latin1 (for base64)', () => {
    expect(chunksOf('QU&#74;D<![CDATA[QQ]]>\r\n==', 'latin1').join('')).toBe('QUJDQQ\r\n==');
  });

  it('stops when the sink says so', () => {
    const bytes = Buffer.from('x'.repeat(1 << 20));
    let calls = 0;
    readText(bytes, { start: 0, end: bytes.length }, 'utf8', () => {
      calls++;
      return false;
    });
    expect(calls).toBe(1);
  });
});

describe('BoundedText', () => {
  /** `text` cut into pieces at `cuts` (fractions of its length), between code points as chunks are. */
  const cut = (text: string, cuts: number[]): string[] => {
    const points = [...text];
    const at = [...new Set(cuts.map((c) => Math.floor(c * points.length)))].sort((a, b) => a - b);
    return [0, ...at].map((from, i) => points.slice(from, at[i] ?? points.length).join(''));
  };
  const textArbitrary = fc.string({
    unit: fc.constantFrom('a', 'b', ' ', '\t', '\n', 'ø', '😀'),
    maxLength: 60,
  });

  it('collapses whitespace across chunks as collapseWhitespace does on the whole', () => {
    fc.assert(
      fc.property(textArbitrary, fc.array(fc.double({ min: 0, max: 1, noNaN: true })), (text, cuts) => {
        const bounded = new BoundedText(1000, true);
        for (const piece of cut(text, cuts)) bounded.append(piece);
        const expected = collapseWhitespace(text);
        expect(bounded.value).toBe(expected);
        expect(bounded.length).toBe([...expected].length);
      }),
    );
  });

  it('keeps the first characters, whole code points only, and counts them all', () => {
    fc.assert(
      fc.property(
        textArbitrary,
        fc.array(fc.double({ min: 0, max: 1, noNaN: true })),
        fc.nat({ max: 70 }),
        (text, cuts, keep) => {
          const bounded = new BoundedText(keep, false);
          for (const piece of cut(text, cuts)) bounded.append(piece);
          expect(bounded.value).toBe([...text].slice(0, keep).join(''));
          expect(bounded.length).toBe([...text].length);
        },
      ),
    );
  });
});
