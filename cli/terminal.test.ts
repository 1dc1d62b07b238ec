/** Escaping text that came from the network before it reaches a terminal. */
import { describe, expect, it } from 'vitest';
import { printable, printableJson } from './terminal.ts';

describe('printable', () => {
  it('writes escape sequences, line breaks and bidirectional controls as \\u escapes', () => {
    expect(printable('\u001b]0;pwned\u0007\u001b[2J\r\nfake COMPLETED\u009b31m\u202eabc')).toBe(
      '\\u001b]0;pwned\\u0007\\u001b[2J\\u000d\\u000afake COMPLETED\\u009b31m\\u202eabc',
    );
  });

  it('leaves printable text as it is, Danish letters and all', () => {
    const text = 'Brev til Søren Ærø: "Årsopgørelse" \\ 100 %';
    expect(printable(text)).toBe(text);
  });
});

describe('printableJson', () => {
  it('is one line of JSON that means the same, with no control character left raw', () => {
    const value = { errorMessage: 'a\u009b2Jb\u2028c\u001bd', n: 1 };

    const line = printableJson(value);

    expect(
      [...line].filter((char) => char < ' ' || (char >= '\u007f' && char <= '\u009f') || char === '\u2028'),
    ).toEqual([]);
    expect(JSON.parse(line)).toEqual(value);
  });
});
