import { execFileSync } from 'node:child_process';
import { LzmaCompressor, lzma } from '@napi-rs/lzma';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { describeWith } from '../../../test/support/requirements.ts';
import { LzmaDecoder, type LzmaDecoderOptions } from './decoder.ts';
import { LzmaError } from './errors.ts';

/** Decodes `input` fed in the given chunks; returns the output and the size of every read. */
function decode(
  chunks: Uint8Array[],
  options: LzmaDecoderOptions = {},
): { output: Buffer; reads: number[]; finished: boolean } {
  const decoder = new LzmaDecoder(options);
  const parts: Uint8Array[] = [];
  const drain = (): void => {
    for (let out = decoder.read(); out !== undefined; out = decoder.read()) parts.push(out);
  };
  for (const chunk of chunks) {
    decoder.write(chunk);
    drain();
  }
  decoder.end();
  drain();
  return {
    output: Buffer.concat(parts),
    reads: parts.map((part) => part.length),
    finished: decoder.finished,
  };
}

function splitAt(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let start = 0;
  for (const point of [...points, bytes.length]) {
    chunks.push(bytes.subarray(start, point));
    start = point;
  }
  return chunks;
}

function decodeError(chunks: Uint8Array[], options?: LzmaDecoderOptions): LzmaError {
  try {
    decode(chunks, options);
  } catch (error) {
    if (error instanceof LzmaError) return error;
    throw error;
  }
  throw new Error('decoding succeeded');
}

/** A text with long and short repeats, literals after matches, and varied distances. */
function sampleText(size: number): Buffer {
  const words = [
    'Digital Post',
    'MeMo',
    'messageUUID',
    'Aarhus',
    'kommune',
    'afgørelse',
    '<Label>',
    '</Label>',
  ];
  const parts: string[] = [];
  let length = 0;
  for (let i = 0; length < size; i++) {
    const word = `${words[(i * 7) % words.length]}${i % 13 === 0 ? i : ''} `;
    parts.push(word);
    length += word.length;
  }
  return Buffer.from(parts.join('')).subarray(0, size);
}

const TEXT = sampleText(300_000);
const TEXT_LZMA = await lzma.compress(TEXT);

describe('LzmaDecoder', () => {
  it('decodes what @napi-rs/lzma writes', () => {
    expect(decode([TEXT_LZMA]).output.equals(TEXT)).toBe(true);
  });

  it('gives the same output however the input is split into chunks', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(), { maxLength: 30 }), (cuts) => {
        expect(decode(splitAt(TEXT_LZMA, cuts)).output.equals(TEXT)).toBe(true);
      }),
      { numRuns: 40 },
    );
  });

  it('decodes input fed one byte at a time', () => {
    const bytes = [...TEXT_LZMA.subarray(0, 4000)].map((byte) => Uint8Array.of(byte));
    const decoder = new LzmaDecoder();
    let produced = 0;
    for (const byte of bytes) {
      decoder.write(byte);
      for (let out = decoder.read(); out !== undefined; out = decoder.read()) produced += out.length;
    }
    expect(produced).toBeGreaterThan(4000);
  });

  it('never returns more than its chunk size from one read', () => {
    const { reads, output } = decode([TEXT_LZMA], { chunkSize: 1000 });
    expect(output.equals(TEXT)).toBe(true);
    expect(Math.max(...reads)).toBeLessThanOrEqual(1000);
  });

  it('produces output only as it is read, however much the input holds', async () => {
    const compressor = new LzmaCompressor({ preset: 0 });
    const zeros = Buffer.concat([
      compressor.update(Buffer.alloc(16 * 1024 * 1024)),
      await compressor.finish(),
    ]);
    const decoder = new LzmaDecoder();
    decoder.write(zeros);
    expect(decoder.read()?.length).toBe(64 * 1024);
    expect(decoder.finished).toBe(false);
  });

  it('decodes an empty stream', async () => {
    const { output, finished } = decode([await lzma.compress(Buffer.alloc(0))]);
    expect(output.length).toBe(0);
    expect(finished).toBe(true);
  });

  it('accepts a declared uncompressed size followed by an end marker', () => {
    const declared = Buffer.from(TEXT_LZMA);
    declared.writeBigUInt64LE(BigInt(TEXT.length), 5);
    expect(decode([declared]).output.equals(TEXT)).toBe(true);
  });

  it('rejects data that continues past its declared size', () => {
    const declared = Buffer.from(TEXT_LZMA);
    declared.writeBigUInt64LE(BigInt(TEXT.length - 10), 5);
    expect(decodeError([declared]).code).toBe('LZMA_CORRUPT');
  });

  it('rejects an end marker before the declared size', () => {
    const declared = Buffer.from(TEXT_LZMA);
    declared.writeBigUInt64LE(BigInt(TEXT.length + 10), 5);
    expect(decodeError([declared]).code).toBe('LZMA_CORRUPT');
  });

  it('rejects a properties byte no LZMA encoder writes', () => {
    const bad = Buffer.from(TEXT_LZMA);
    bad[0] = 225;
    expect(decodeError([bad]).code).toBe('LZMA_BAD_HEADER');
  });

  it('refuses a dictionary larger than allowed, before decoding anything', () => {
    const huge = Buffer.from(TEXT_LZMA);
    huge.writeUInt32LE(0xffff_ffff, 1);
    expect(decodeError([huge]).code).toBe('LZMA_DICTIONARY_TOO_LARGE');
    expect(decodeError([TEXT_LZMA], { maxDictionarySize: 1024 * 1024 }).code).toBe(
      'LZMA_DICTIONARY_TOO_LARGE',
    );
  });

  it('reports input that ends anywhere before the stream does as truncated', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: TEXT_LZMA.length - 1 }), (length) => {
        expect(decodeError([TEXT_LZMA.subarray(0, length)]).code).toBe('LZMA_TRUNCATED');
      }),
      { numRuns: 60 },
    );
  });

  it('ends corrupted input with an LzmaError or a finished stream, never anything else', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(fc.integer({ min: 13, max: TEXT_LZMA.length - 1 }), fc.integer({ min: 1, max: 255 })),
          {
            minLength: 1,
            maxLength: 8,
          },
        ),
        (flips) => {
          const corrupt = Buffer.from(TEXT_LZMA);
          for (const [at, mask] of flips) corrupt[at]! ^= mask;
          try {
            decode([corrupt]);
          } catch (error) {
            expect(error).toBeInstanceOf(LzmaError);
          }
        },
      ),
      { numRuns: 100 },
    );
  });

  it('stops a write after end', () => {
    const decoder = new LzmaDecoder();
    decoder.end();
    expect(() => decoder.write(Uint8Array.of(1))).toThrow(/after end/);
  });

  describeWith({ tools: ['xz'] }, 'with xz', () => {
    it.each([
      ['lc=3,lp=0,pb=2 (the default)', 'preset=6'],
      ['lc=0,lp=2,pb=0', 'preset=1,lc=0,lp=2,pb=0'],
      ['lc=4,lp=0,pb=4', 'preset=9,lc=4,lp=0,pb=4'],
      ['lc=1,lp=3,pb=1 and a 4 KiB dictionary that wraps', 'preset=2,lc=1,lp=3,pb=1,dict=4KiB'],
      ['a 128 MiB dictionary, as NgDP writes', 'preset=1,dict=128MiB'],
    ])('decodes what xz --format=lzma writes with %s', (_label, filter) => {
      const compressed = execFileSync('xz', ['--format=lzma', `--lzma1=${filter}`, '-c'], { input: TEXT });
      expect(decode([compressed]).output.equals(TEXT)).toBe(true);
    });
  });
});
