/**
 * The MeMos the recipient profiles deliver and the hostile requests they send: what each is (valid,
 * invalid, no MeMo at all), and the same from the same seed.
 */
import { describe, expect, it } from 'vitest';
import { validateMemo } from '../../sdk/memo/validate.ts';
import { streamOf } from '../prng.ts';
import { PUBSUB_HOSTILE, PUSH_HOSTILE } from '../runner/hostile.ts';
import { buildHostile, buildMemo } from './receiver-memos.ts';

describe('the MeMos of the recipient scenarios', () => {
  it('are a valid letter, one that breaks the schema, and bytes that are no MeMo', async () => {
    const random = streamOf(1, 'memos');
    const letter = await buildMemo({ ref: 'M1', kind: 'letter', attachments: 10 }, random);
    const invalid = await buildMemo({ ref: 'M2', kind: 'invalid' }, random);
    const garbage = await buildMemo({ ref: 'M3', kind: 'not-xml' }, random);

    expect(validateMemo(letter.xml).issues).toEqual([]);
    expect(letter).toMatchObject({ valid: true, attachments: 10 });
    expect(validateMemo(invalid.xml).issues.length).toBeGreaterThan(0);
    expect(invalid.valid).toBe(false);
    expect(validateMemo(garbage.xml).valid).toBe(false);
    expect(new Set([letter.messageUUID, invalid.messageUUID, garbage.messageUUID]).size).toBe(3);
  });

  it('are the same from the same seed, and others from another', async () => {
    const build = (seed: number) =>
      buildMemo({ ref: 'M1', kind: 'letter', attachments: 1 }, streamOf(seed, 'x'));
    const [first, again, other] = await Promise.all([build(5), build(5), build(6)]);

    expect(again.messageUUID).toBe(first.messageUUID);
    expect(Buffer.from(again.xml).equals(Buffer.from(first.xml))).toBe(true);
    expect(other.messageUUID).not.toBe(first.messageUUID);
  });

  it('include one of over 50 MB', async () => {
    const large = await buildMemo(
      { ref: 'M1', kind: 'letter', documentBytes: 38_000_000 },
      streamOf(1, 'large'),
    );

    expect(large.xml.length).toBeGreaterThan(50_000_000);
  });
});

describe('the hostile requests', () => {
  it('name UUIDs no MeMo of NgDP has, and each is of its own kind', async () => {
    const random = streamOf(1, 'hostile');
    for (const [pubsub, kinds] of [
      [false, PUSH_HOSTILE],
      [true, PUBSUB_HOSTILE],
    ] as const) {
      const requests = await Promise.all(kinds.map((kind) => buildHostile(kind, pubsub, random)));
      expect(requests.map((request) => request.kind)).toEqual([...kinds]);
      for (const request of requests) expect(request.what.length, request.kind).toBeGreaterThan(10);
    }
    const mismatch = await buildHostile('filename-mismatch', false, random);
    expect(mismatch.uuids).toHaveLength(2);
    expect(mismatch.body.toString()).toContain(`filename="${mismatch.uuids[0]}"`);
    const oversized = await buildHostile('oversized', false, random);
    expect(oversized.declaredLength).toBe(1024 ** 3);
  });
});
