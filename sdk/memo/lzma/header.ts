/**
 * The 13-byte header of an LZMA-alone (`.lzma`) stream: one properties byte encoding lc/lp/pb, the
 * dictionary size (uint32 LE), and the uncompressed size (uint64 LE, all ones when unknown, in
 * which case the data ends with an end marker).
 */
import { LzmaError } from './errors.ts';

export const HEADER_SIZE = 13;

/** Decoders round smaller dictionaries up to this (as liblzma and the LZMA SDK do). */
const MIN_DICTIONARY_SIZE = 4096;

export interface LzmaHeader {
  /** Literal context bits: how many high bits of the previous byte select the literal coder. */
  lc: number;
  /** Literal position bits. */
  lp: number;
  /** Position bits: how many low bits of the position select match/length probabilities. */
  pb: number;
  /** Dictionary size in bytes: the farthest back a match may reach. */
  dictionarySize: number;
  /** Uncompressed size in bytes, or undefined when the stream ends with an end marker. */
  uncompressedSize: number | undefined;
}

/**
 * Parses the header at the start of `bytes` (which must hold at least {@link HEADER_SIZE} bytes).
 *
 * @throws LzmaError LZMA_BAD_HEADER for an impossible properties byte, LZMA_DICTIONARY_TOO_LARGE
 *   when the dictionary exceeds `maxDictionarySize`.
 */
export function parseHeader(bytes: Uint8Array, maxDictionarySize: number): LzmaHeader {
  const view = new DataView(bytes.buffer, bytes.byteOffset, HEADER_SIZE);
  let properties = view.getUint8(0);
  if (properties >= 9 * 5 * 5) {
    throw new LzmaError('LZMA_BAD_HEADER', `not an LZMA-alone stream (properties byte ${properties})`);
  }
  const lc = properties % 9;
  properties = Math.floor(properties / 9);
  const lp = properties % 5;
  const pb = Math.floor(properties / 5);

  const declared = view.getUint32(1, true);
  if (declared > maxDictionarySize) {
    throw new LzmaError(
      'LZMA_DICTIONARY_TOO_LARGE',
      `the LZMA dictionary of ${declared} bytes exceeds the ${maxDictionarySize} accepted`,
    );
  }

  const size = view.getBigUint64(5, true);
  return {
    lc,
    lp,
    pb,
    dictionarySize: Math.max(declared, MIN_DICTIONARY_SIZE),
    // Sizes beyond 2^53 cannot be reached by any limit we apply; treat them as "very large".
    uncompressedSize:
      size === 0xffff_ffff_ffff_ffffn ? undefined : Number(size > 2n ** 53n ? 2n ** 53n : size),
  };
}
