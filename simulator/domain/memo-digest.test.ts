/** What is kept of a MeMo read (`memo-digest.ts`): header, hash and verdict, and never a throw. */
import { createHash } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import * as validate from '../../sdk/memo/validate.ts';
import { serializeMemoToBytes } from '../../sdk/memo/writer.ts';
import { minimalMemo } from '../../test/support/memos.ts';
import { contentHashOf, digestMemo, servedSha256 } from './memo-digest.ts';

describe('digestMemo', () => {
  it('keeps the header and the hash of a valid MeMo, and no verdict', () => {
    const memo = minimalMemo('1.2');
    const xml = serializeMemoToBytes(memo);
    expect(digestMemo(xml, {})).toEqual({
      digest: { header: memo.messageHeader, contentHash: contentHashOf(xml), invalid: undefined },
    });
  });

  it('gives a MeMo that breaks a rule its INVALID receipt', () => {
    const memo = minimalMemo('1.2');
    memo.messageHeader = { ...memo.messageHeader, label: 'x'.repeat(300) };
    expect(digestMemo(serializeMemoToBytes(memo), {})).toMatchObject({
      digest: { invalid: { status: 'INVALID', code: 'MEMO_SCHEMA_INVALID' } },
    });
  });

  it('says why what is not a MeMo cannot be read', () => {
    expect(digestMemo(Buffer.from('not XML'), {})).toEqual({ unreadable: expect.any(String) });
  });

  it('makes a MeMo whose rules cannot be checked INVALID PROCESSING_FAILED, not an error', () => {
    const spy = vi.spyOn(validate, 'validateMemo').mockImplementation(() => {
      throw new RangeError('Maximum call stack size exceeded');
    });
    try {
      expect(digestMemo(serializeMemoToBytes(minimalMemo('1.2')), {})).toMatchObject({
        digest: {
          invalid: {
            status: 'INVALID',
            code: 'PROCESSING_FAILED',
            message: expect.stringContaining('RangeError: Maximum call stack size exceeded'),
          },
        },
      });
    } finally {
      spy.mockRestore();
    }
  });
});

describe('contentHashOf', () => {
  it('is the same with and without a leading UTF-8 BOM', () => {
    const xml = Buffer.from('<a/>');
    expect(contentHashOf(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), xml]))).toBe(contentHashOf(xml));
  });
});

describe('the SHA-256 of a MeMo as served', () => {
  const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
  const xml = serializeMemoToBytes(minimalMemo('1.2'));
  const withBom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), xml]);

  it.each([
    ['without a BOM: the content hash itself', xml],
    ['with a BOM: the bytes with it, which the content hash leaves out', withBom],
  ])('is that of the bytes as received %s', (_case, bytes) => {
    const reading = digestMemo(bytes, {});
    if (!('digest' in reading)) throw new Error('the MeMo is readable');
    const { contentHash, sha256: bomHash } = reading.digest;

    expect(servedSha256({ contentHash, ...(bomHash === undefined ? {} : { sha256: bomHash }) })).toBe(
      sha256(bytes),
    );
    expect(contentHash).toBe(sha256(xml));
  });

  it('is none for a message without a MeMo', () => {
    expect(servedSha256({ contentHash: '' })).toBeNull();
  });
});
