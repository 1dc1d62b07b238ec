import { describe, expect, it } from 'vitest';
import { validateMemo } from '../../sdk/memo/validate.ts';
import { streamOf } from '../prng.ts';
import { buildMemo, groupOf, LARGE_ATTACHMENT_BYTES, MEMO_KINDS, type MemoKind } from './recipient-memos.ts';

const context = () => ({
  random: streamOf(7, 'corpus'),
  seed: 7,
  now: Date.parse('2026-12-07T10:00:00Z'),
  valueDate: '2026-12-08',
});
const kinds = Object.keys(MEMO_KINDS) as MemoKind[];
const small = kinds.filter((kind) => kind !== 'large');

describe('the recipient profiles’ MeMos', () => {
  it.each(small.filter((kind) => groupOf(kind) !== 'invalid'))(
    '%s is a valid MeMo by NgDP’s rules',
    (kind) => {
      const memo = buildMemo(kind, context());
      const result = validateMemo(memo.bytes);
      expect(result.issues).toEqual([]);
      expect(result.memo?.messageHeader.messageUUID).toBe(memo.messageUUID);
      expect(memo.valid).toBe(true);
    },
  );

  it.each(small.filter((kind) => groupOf(kind) === 'invalid' && kind !== 'uuid-mismatch'))(
    '%s is refused by the validator',
    (kind) => {
      const memo = buildMemo(kind, context());
      expect(memo.valid).toBe(false);
      expect(validateMemo(memo.bytes).valid).toBe(false);
    },
  );

  it('offers the uuid-mismatch MeMo under another messageUUID than its header names', () => {
    const memo = buildMemo('uuid-mismatch', context());
    const result = validateMemo(memo.bytes);
    expect(result.valid).toBe(true);
    expect(result.memo?.messageHeader.messageUUID).not.toBe(memo.messageUUID);
  });

  it('gives the same seed the same MeMos, and another seed others', () => {
    const again = buildMemo('letter-1.2', context());
    expect(buildMemo('letter-1.2', context()).bytes).toEqual(again.bytes);
    expect(buildMemo('letter-1.2', { ...context(), random: streamOf(8, 'corpus') }).messageUUID).not.toBe(
      again.messageUUID,
    );
  });

  it('makes the large MeMo at least 50 MB of valid XML', () => {
    const memo = buildMemo('large', context());
    expect(memo.bytes.byteLength).toBeGreaterThanOrEqual(50_000_000);
    const result = validateMemo(memo.bytes);
    expect(result.issues).toEqual([]);
    expect(result.memo?.messageBody?.additionalDocuments?.[0]?.files[0]?.content.byteLength).toBe(
      LARGE_ATTACHMENT_BYTES,
    );
  });
});
