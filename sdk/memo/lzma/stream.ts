/**
 * LZMA-alone (`.lzma`) as async streams of chunks. Decoding is our own {@link LzmaDecoder}: the input
 * comes from untrusted senders, and every limit must bite while decoding. Encoding is @napi-rs/lzma's
 * native streaming compressor, several times faster than an encoder in JavaScript could be, running
 * on a worker thread.
 */

import { InvalidOptionsError } from '../../errors.ts';
import { LzmaDecoder, type LzmaDecoderOptions } from './decoder.ts';

/**
 * Decodes an LZMA-alone stream, yielding its bytes in chunks of at most `chunkSize` as the input
 * arrives. Decoding runs only as far ahead as the consumer reads: stop iterating and it stops.
 *
 * @throws LzmaError when the stream is corrupt, truncated, or declares too large a dictionary.
 */
export async function* decompressLzmaAlone(
  source: Iterable<Uint8Array> | AsyncIterable<Uint8Array>,
  options: LzmaDecoderOptions = {},
): AsyncGenerator<Buffer> {
  const decoder = new LzmaDecoder(options);
  for await (const chunk of source) {
    decoder.write(chunk);
    for (let out = decoder.read(); out !== undefined; out = decoder.read()) yield asBuffer(out);
    if (decoder.finished) return;
  }
  decoder.end();
  for (let out = decoder.read(); out !== undefined; out = decoder.read()) yield asBuffer(out);
}

export interface LzmaEncoderOptions {
  /** xz's presets 0–9 (default 1: fast mode, 1 MiB dictionary). 0–3 are the fast modes. */
  level?: number;
}

/**
 * Encodes bytes as LZMA-alone with an unknown size in the header and an end marker, which is how
 * NgDP's own containers are written. Yields compressed chunks as they are produced, and pulls input
 * only as its output is consumed (the compressor's thread reads ahead about 2 MB).
 *
 * It uses @napi-rs/lzma's `compressStream`, not its `LzmaCompressor` class: in 1.5.3 the class keeps
 * every byte it has produced in native memory until it is dropped (measured: RSS grows by the size
 * of the output), while the stream stays flat. On targets without a native build (WebAssembly) the
 * library buffers the whole stream instead.
 */
export async function* compressLzmaAlone(
  source: Iterable<Uint8Array> | AsyncIterable<Uint8Array>,
  options: LzmaEncoderOptions = {},
): AsyncGenerator<Buffer> {
  const level = options.level ?? 1;
  if (!Number.isInteger(level) || level < 0 || level > 9) {
    throw new InvalidOptionsError(`LZMA level must be an integer 0–9, got ${level}`);
  }
  // Loaded here, not when the module is: the native addon costs ≈ 10 MiB of memory, and most programs
  // that import the package never write a container.
  const { lzma } = await import('@napi-rs/lzma');
  const input = pullStream(inBlocks(source, INPUT_BLOCK_SIZE));
  const reader = lzma.compressStream(input.stream, { preset: level }).getReader();
  let done = false;
  try {
    for (;;) {
      const next = await reader.read();
      if (next.done) break;
      yield next.value;
    }
    done = true;
  } catch (error) {
    // The compressor reports a failure of its input as its own; pass on the original.
    throw input.failure() ?? error;
  } finally {
    if (!done) await reader.cancel().catch(() => undefined);
  }
}

/**
 * Handing a chunk to the compressor's thread has a cost of its own; tar streams come in 512-byte
 * headers and small bodies, so they are gathered into blocks of this size first.
 */
const INPUT_BLOCK_SIZE = 64 * 1024;

/**
 * `source` regrouped into blocks of `size` bytes (the last one shorter), each chunk copied as it
 * arrives. It is one block, refilled: a block is valid only until the next one is asked for.
 *
 * That is all the compressor needs — its reader copies a chunk when it takes it, before it asks
 * for the next (`stream.test.ts` checks this) — and it matters for memory. A fresh block for every
 * 64 KiB lives while the compressor's thread works through the ≈ 1 MB it has read ahead, long
 * enough to be promoted to V8's old generation; promoted blocks are freed only by a full GC, which
 * comes rarely, and meanwhile a batch of 10,000 small letters had left ≈ 25 MB of them in the
 * C heap, which keeps the space (measured: the sender's peak RSS grew with the batch).
 */
async function* inBlocks(
  source: Iterable<Uint8Array> | AsyncIterable<Uint8Array>,
  size: number,
): AsyncGenerator<Uint8Array> {
  const block = new Uint8Array(size);
  let filled = 0;
  for await (const chunk of source) {
    for (let at = 0; at < chunk.length; ) {
      const taken = Math.min(size - filled, chunk.length - at);
      block.set(chunk.subarray(at, at + taken), filled);
      filled += taken;
      at += taken;
      if (filled === size) {
        yield block;
        filled = 0;
      }
    }
  }
  if (filled > 0) yield block.subarray(0, filled);
}

/**
 * `source` as a web ReadableStream that pulls one item at a time when asked. A failure of the
 * source errors the stream, and is kept for {@link compressLzmaAlone} to rethrow as it was.
 */
function pullStream(source: AsyncIterable<Uint8Array>): {
  stream: ReadableStream<Uint8Array>;
  failure: () => unknown;
} {
  const iterator = source[Symbol.asyncIterator]();
  let failure: unknown;
  const stream = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const next = await iterator.next();
          if (next.done) controller.close();
          else controller.enqueue(next.value);
        } catch (error) {
          failure = error;
          throw error;
        }
      },
      async cancel() {
        await iterator.return?.();
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, failure: () => failure };
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
