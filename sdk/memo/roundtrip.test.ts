import { describe, expect, it } from 'vitest';
import { minimalMemo, richMemo } from '../../test/support/memos.ts';
import { parseMemo } from './parse.ts';
import type { Memo, MemoVersion } from './types.ts';
import { validateMemo } from './validate.ts';
import { serializeMemo, serializeMemoToBytes } from './writer.ts';

/** The model with file contents as plain arrays, so Buffers and Uint8Arrays compare by content. */
function plain(value: unknown): unknown {
  if (value instanceof Uint8Array) return [...value];
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, plain(item)]));
  }
  return value;
}

describe.each<MemoVersion>(['1.1', '1.2'])('MeMo %s round trip', (version) => {
  it('a rich message survives serialize → parse unchanged', () => {
    const memo = richMemo(version);
    expect(plain(parseMemo(serializeMemo(memo)))).toEqual(plain(memo));
  });

  it('the rich message is valid under NgDP rules with no warnings', () => {
    const result = validateMemo(richMemo(version));
    expect(result.issues).toEqual([]);
    expect(result.warnings).toEqual([]);
  });

  it('indented output parses to the same model', () => {
    const memo = richMemo(version);
    expect(plain(parseMemo(serializeMemo(memo, { indent: 4 })))).toEqual(plain(memo));
  });

  it('bytes and string serializations are the same document', () => {
    const memo = richMemo(version);
    expect(serializeMemoToBytes(memo).toString('utf8')).toBe(serializeMemo(memo));
  });

  it('a minimal message survives the round trip', () => {
    const memo = minimalMemo(version);
    const expected =
      version === '1.1'
        ? {
            ...memo,
            messageHeader: { ...memo.messageHeader, mandatory: false, legalNotification: false },
            schemaVersion: '1.1.0',
          }
        : memo;
    expect(plain(parseMemo(serializeMemo(memo)))).toEqual(plain(expected as Memo));
  });
});
