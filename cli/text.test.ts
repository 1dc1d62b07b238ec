import { describe, expect, it } from 'vitest';
import { jsonLine, printable } from './text.ts';

describe('printable: text from the network on one harmless line', () => {
  it.each([
    ['an escape sequence', 'a\u001b[2Jb', 'a\\x1b[2Jb'],
    ['a title change with BEL', '\u001b]0;pwned\u0007', '\\x1b]0;pwned\\x07'],
    ['a carriage return and a newline', 'x\ry\nz', 'x\\x0dy\\x0az'],
    ['a tab', 'a\tb', 'a\\x09b'],
    ['DEL and a C1 CSI', 'a\u007f\u009b31m', 'a\\x7f\\x9b31m'],
    ['a bidirectional override and isolate', 'a\u202eb\u2066c', 'a\\u202eb\\u2066c'],
    ['line and paragraph separators', 'a\u2028b\u2029c', 'a\\u2028b\\u2029c'],
  ])('escapes %s', (_name, text, shown) => {
    expect(printable(text)).toBe(shown);
  });

  it('leaves letters, Danish included, and punctuation alone', () => {
    const text = 'Afgørelse om boligstøtte – 010170-**** (Æblevej 3, Århus) "ok" \\x1b';
    expect(printable(text)).toBe(text);
  });
});

describe('jsonLine: one JSON Lines line that parses back to the same value', () => {
  it('escapes what JSON leaves raw, and round-trips', () => {
    const value = { text: 'a\u001b[2J\u007f\u009b\u202e\u2028b', n: 1 };
    const line = jsonLine(value);
    expect(line.endsWith('\n')).toBe(true);
    expect(line.slice(0, -1)).not.toMatch(/[\p{Cc}\u202e\u2028]/u);
    expect(JSON.parse(line)).toEqual(value);
  });
});
