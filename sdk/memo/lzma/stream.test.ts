import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { describeWith } from '../../../test/support/requirements.ts';
import { InvalidOptionsError } from '../../errors.ts';
import { LzmaError } from './errors.ts';
import { compressLzmaAlone, decompressLzmaAlone } from './stream.ts';

async function collect(chunks: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const chunk of chunks) parts.push(chunk);
  return Buffer.concat(parts);
}

async function roundTrip(data: Uint8Array, level?: number): Promise<Buffer> {
  const compressed = await collect(compressLzmaAlone([data], level === undefined ? {} : { level }));
  return collect(decompressLzmaAlone([compressed]));
}

describe('compressLzmaAlone → decompressLzmaAlone', () => {
  it('round-trips any bytes, including none', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 5000 }),
        fc.integer({ min: 0, max: 3 }),
        async (data, level) => {
          expect((await roundTrip(data, level)).equals(data)).toBe(true);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('round-trips 32 MiB of highly compressible data', async () => {
    const data = Buffer.alloc(32 * 1024 * 1024, 'Digital Post ');
    expect((await roundTrip(data)).equals(data)).toBe(true);
  });

  it('round-trips 4 MiB of incompressible data', async () => {
    const data = randomBytes(4 * 1024 * 1024);
    expect((await roundTrip(data)).equals(data)).toBe(true);
  });

  it('round-trips input given in many small chunks', async () => {
    const data = randomBytes(100_000);
    const chunks = Array.from({ length: 1000 }, (_, i) => data.subarray(i * 100, (i + 1) * 100));
    const compressed = await collect(compressLzmaAlone(chunks));
    const pieces = Array.from({ length: Math.ceil(compressed.length / 7) }, (_, i) =>
      compressed.subarray(i * 7, (i + 1) * 7),
    );
    expect((await collect(decompressLzmaAlone(pieces))).equals(data)).toBe(true);
  });
});

describe('compressLzmaAlone', () => {
  it('is not disturbed by a source that refills one buffer for every chunk', async () => {
    // compressLzmaAlone hands the compressor one 64 KiB block, refilled (no garbage per block): this
    // holds only while the compressor copies a chunk before it asks for the next. Varied content in
    // chunks of every size (≈ 1.8 MB, many blocks), yielded without a pause, would come out wrong if
    // it kept a reference.
    const expected: Buffer[] = [];
    const reused = Buffer.alloc(30_000);
    function* source(): Generator<Uint8Array> {
      for (let i = 0; i < 120; i++) {
        const size = 1 + ((i * 7919) % reused.length);
        const chunk = i % 3 === 0 ? randomBytes(size) : Buffer.alloc(size, `chunk ${i} `);
        chunk.copy(reused);
        expected.push(chunk);
        yield reused.subarray(0, size);
      }
    }
    const compressed = await collect(compressLzmaAlone(source()));
    expect((await collect(decompressLzmaAlone([compressed]))).equals(Buffer.concat(expected))).toBe(true);
  });

  it('writes an LZMA-alone header with lc=3 lp=0 pb=2 and an unknown size (ended by a marker)', async () => {
    const compressed = await collect(compressLzmaAlone([Buffer.from('hello')]));
    expect(compressed[0]).toBe(0x5d);
    expect(compressed.subarray(5, 13).equals(Buffer.alloc(8, 0xff))).toBe(true);
  });

  it('uses a 1 MiB dictionary by default', async () => {
    const compressed = await collect(compressLzmaAlone([Buffer.from('hello')]));
    expect(compressed.readUInt32LE(1)).toBe(1024 * 1024);
  });

  it('pulls its input only as its output is read, a few megabytes ahead at most', async () => {
    let pulled = 0;
    function* endless(): Generator<Uint8Array> {
      for (;;) {
        pulled += 16 * 1024;
        yield randomBytes(16 * 1024);
      }
    }
    const output = compressLzmaAlone(endless());
    expect((await output.next()).done).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(pulled).toBeLessThan(8 * 1024 * 1024);
    await output.return(undefined);
    const atReturn = pulled;
    await new Promise((resolve) => setTimeout(resolve, 100));
    // A block the compressor's thread had asked for before the return may still arrive; then no more.
    const settled = pulled;
    expect(settled - atReturn).toBeLessThanOrEqual(64 * 1024);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(pulled).toBe(settled);
  });

  it('passes on an error of its input as it was', async () => {
    function* failing(): Generator<Uint8Array> {
      yield randomBytes(100_000);
      throw new Error('the disk went away');
    }
    await expect(collect(compressLzmaAlone(failing()))).rejects.toThrow('the disk went away');
  });

  it('refuses a level outside 0–9', async () => {
    await expect(collect(compressLzmaAlone([], { level: 10 }))).rejects.toThrow(InvalidOptionsError);
  });
});

describe('decompressLzmaAlone', () => {
  it('stops decoding when its reader stops', async () => {
    // 64 MiB of zeros in about 10 KB: each input byte decodes to kilobytes.
    const bomb = await collect(compressLzmaAlone([Buffer.alloc(64 * 1024 * 1024)], { level: 0 }));
    let pulled = 0;
    function* slices(): Generator<Uint8Array> {
      for (let at = 0; at < bomb.length; at += 256) {
        const slice = bomb.subarray(at, at + 256);
        pulled += slice.length;
        yield slice;
      }
    }
    let read = 0;
    for await (const chunk of decompressLzmaAlone(slices())) {
      read += chunk.length;
      if (read >= 1024 * 1024) break;
    }
    expect(read).toBeLessThan(2 * 1024 * 1024);
    // The work is bounded by the input it took: the start of the bomb, and nothing after the break.
    expect(pulled).toBeLessThan(bomb.length / 4);
    const atBreak = pulled;
    await new Promise((resolve) => setImmediate(resolve));
    expect(pulled).toBe(atBreak);
  });

  it('rejects a truncated stream with LZMA_TRUNCATED', async () => {
    const compressed = await collect(compressLzmaAlone([randomBytes(10_000)]));
    const error = await collect(decompressLzmaAlone([compressed.subarray(0, compressed.length - 3)])).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(LzmaError);
    expect((error as LzmaError).code).toBe('LZMA_TRUNCATED');
  });

  it('ignores bytes after the end of the stream', async () => {
    const compressed = await collect(compressLzmaAlone([Buffer.from('hello')]));
    const output = await collect(decompressLzmaAlone([compressed, Buffer.from('trailing')]));
    expect(output.toString()).toBe('hello');
  });
});

describeWith({ tools: ['xz'] }, 'interop with xz --format=lzma', () => {
  const data = Buffer.concat([Buffer.alloc(300_000, '<Label>Afgørelse</Label>'), randomBytes(300_000)]);

  it('xz decodes what compressLzmaAlone writes', async () => {
    const compressed = await collect(compressLzmaAlone([data]));
    expect(
      execFileSync('xz', ['--format=lzma', '-dc'], { input: compressed, maxBuffer: 1 << 30 }).equals(data),
    ).toBe(true);
  });

  it('decompressLzmaAlone decodes what xz writes', async () => {
    const compressed = execFileSync('xz', ['--format=lzma', '-c'], { input: data, maxBuffer: 1 << 30 });
    expect((await collect(decompressLzmaAlone([compressed]))).equals(data)).toBe(true);
  });
});
