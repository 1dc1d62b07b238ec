/**
 * LZMA's binary range decoder: adaptive bits coded against 11-bit probabilities, and "direct"
 * bits at probability ½. Input arrives in chunks; the caller guarantees enough is buffered before
 * each symbol (see {@link MAX_SYMBOL_INPUT}) so that a symbol never has to be suspended halfway.
 */
import { LzmaError } from './errors.ts';

/** Probabilities are 11-bit fixed point; a fresh one says "0 and 1 equally likely". */
const PROBABILITY_BITS = 11;
const PROBABILITY_ONE = 1 << PROBABILITY_BITS;
export const PROBABILITY_INIT = PROBABILITY_ONE >>> 1;
/** How fast a probability adapts: it moves 1/32 of the way towards the bit just seen. */
const MOVE_BITS = 5;
/** Flips the sign bit, so that signed comparison of int32s orders them as uint32s. */
const SIGN = 0x8000_0000 | 0;

/**
 * The most input bytes one LZMA symbol can consume: a match with the longest length and the
 * largest distance, every adaptive bit at its least likely value, renormalises at most 21 times
 * (the bound xz-embedded's LZMA_IN_REQUIRED uses). Rounded up for a margin that costs nothing.
 */
export const MAX_SYMBOL_INPUT = 32;

const EMPTY = new Uint8Array(0);

export class RangeDecoder {
  private input: Uint8Array = EMPTY;
  private position = 0;
  /**
   * The coder's 32-bit unsigned registers, held as int32 (`| 0`) so that V8 keeps them in integer
   * registers; compared through {@link SIGN}. The range is renormalised (one input byte shifted in)
   * whenever its top byte becomes zero.
   */
  private range = -1;
  private code = 0;

  /** Input bytes buffered and not yet consumed. */
  get available(): number {
    return this.input.length - this.position;
  }

  /** The unread input, e.g. for a header parsed outside the range coder. */
  peek(length: number): Uint8Array {
    return this.input.subarray(this.position, this.position + length);
  }

  skip(length: number): void {
    this.position += length;
  }

  /** Appends a chunk of input; the unread tail of the previous one (a few bytes) is carried over. */
  feed(chunk: Uint8Array): void {
    const rest = this.input.length - this.position;
    if (rest === 0) {
      this.input = chunk;
    } else {
      const joined = new Uint8Array(rest + chunk.length);
      joined.set(this.input.subarray(this.position));
      joined.set(chunk, rest);
      this.input = joined;
    }
    this.position = 0;
  }

  /** Starts the coder on the 5 bytes that open the compressed data; needs them buffered. */
  start(): void {
    if (this.input[this.position] !== 0) {
      throw new LzmaError('LZMA_CORRUPT', 'the LZMA data does not start with a zero byte');
    }
    this.position++;
    this.code = 0;
    for (let i = 0; i < 4; i++) this.code = (this.code << 8) | this.nextByte();
    this.range = -1;
    if (this.code === -1) throw new LzmaError('LZMA_CORRUPT', 'the LZMA range coder starts corrupt');
  }

  /** True when the coder ended cleanly: an encoder's flush leaves the code at zero. */
  get finishedCleanly(): boolean {
    return this.code === 0;
  }

  /** Decodes one adaptive bit with the probability `probs[index]`, and adapts it. */
  decodeBit(probs: Uint16Array, index: number): number {
    const probability = probs[index]!;
    const bound = Math.imul(this.range >>> PROBABILITY_BITS, probability);
    let bit: number;
    if ((this.code ^ SIGN) < (bound ^ SIGN)) {
      this.range = bound;
      probs[index] = probability + ((PROBABILITY_ONE - probability) >>> MOVE_BITS);
      bit = 0;
    } else {
      this.range = (this.range - bound) | 0;
      this.code = (this.code - bound) | 0;
      probs[index] = probability - (probability >>> MOVE_BITS);
      bit = 1;
    }
    if (this.range >>> 24 === 0) {
      this.range <<= 8;
      this.code = (this.code << 8) | this.nextByte();
    }
    return bit;
  }

  /*
   * The loops below keep `range`, `code` and the input position in locals and write them back once:
   * V8 keeps locals in registers, while every field access on `this` is a load and a store. Each
   * loop body is the same step as decodeBit's.
   */

  /**
   * Decodes the bits of a tree `probs[offset + 1 … offset + 2^bits − 1]` starting at node `node`
   * until the node reaches `end`, most significant bit first; returns the final node. The shared
   * core of bit trees and plain literals.
   */
  private walkTree(probs: Uint16Array, offset: number, node: number, end: number): number {
    const input = this.input;
    let position = this.position;
    let range = this.range;
    let code = this.code;
    while (node < end) {
      const index = offset + node;
      const probability = probs[index]!;
      const bound = Math.imul(range >>> PROBABILITY_BITS, probability);
      if ((code ^ SIGN) < (bound ^ SIGN)) {
        range = bound;
        probs[index] = probability + ((PROBABILITY_ONE - probability) >>> MOVE_BITS);
        node <<= 1;
      } else {
        range = (range - bound) | 0;
        code = (code - bound) | 0;
        probs[index] = probability - (probability >>> MOVE_BITS);
        node = (node << 1) | 1;
      }
      if (range >>> 24 === 0) {
        if (position >= input.length) throw truncatedInput();
        range <<= 8;
        code = (code << 8) | input[position++]!;
      }
    }
    this.position = position;
    this.range = range;
    this.code = code;
    return node;
  }

  /** Decodes a `bits`-bit number most significant bit first, from the tree at `probs[offset + 1…]`. */
  decodeTree(probs: Uint16Array, offset: number, bits: number): number {
    return this.walkTree(probs, offset, 1, 1 << bits) - (1 << bits);
  }

  /** Decodes a literal byte from its 0x300 probabilities at `probs[offset…]` (the plain third). */
  decodeLiteral(probs: Uint16Array, offset: number): number {
    return this.walkTree(probs, offset, 1, 0x100) - 0x100;
  }

  /**
   * Decodes a literal that follows a match: while its bits agree with `matchByte` (the byte the
   * match would have continued with), they are coded with the other two thirds of the literal's
   * probabilities; from the first difference on, with the plain third.
   */
  decodeMatchedLiteral(probs: Uint16Array, offset: number, matchByte: number): number {
    const input = this.input;
    let position = this.position;
    let range = this.range;
    let code = this.code;
    let symbol = 1;
    let match = matchByte;
    do {
      const matchBit = (match >>> 7) & 1;
      match <<= 1;
      const index = offset + ((1 + matchBit) << 8) + symbol;
      const probability = probs[index]!;
      const bound = Math.imul(range >>> PROBABILITY_BITS, probability);
      let bit: number;
      if ((code ^ SIGN) < (bound ^ SIGN)) {
        range = bound;
        probs[index] = probability + ((PROBABILITY_ONE - probability) >>> MOVE_BITS);
        bit = 0;
      } else {
        range = (range - bound) | 0;
        code = (code - bound) | 0;
        probs[index] = probability - (probability >>> MOVE_BITS);
        bit = 1;
      }
      if (range >>> 24 === 0) {
        if (position >= input.length) throw truncatedInput();
        range <<= 8;
        code = (code << 8) | input[position++]!;
      }
      symbol = (symbol << 1) | bit;
      if (matchBit !== bit) break;
    } while (symbol < 0x100);
    this.position = position;
    this.range = range;
    this.code = code;
    return this.walkTree(probs, offset, symbol, 0x100) - 0x100;
  }

  /** As {@link decodeTree}, least significant bit first (used for distances' low bits). */
  decodeReverseTree(probs: Uint16Array, offset: number, bits: number): number {
    const input = this.input;
    let position = this.position;
    let range = this.range;
    let code = this.code;
    let node = 1;
    let result = 0;
    for (let i = 0; i < bits; i++) {
      const index = offset + node;
      const probability = probs[index]!;
      const bound = Math.imul(range >>> PROBABILITY_BITS, probability);
      if ((code ^ SIGN) < (bound ^ SIGN)) {
        range = bound;
        probs[index] = probability + ((PROBABILITY_ONE - probability) >>> MOVE_BITS);
        node <<= 1;
      } else {
        range = (range - bound) | 0;
        code = (code - bound) | 0;
        probs[index] = probability - (probability >>> MOVE_BITS);
        node = (node << 1) | 1;
        result |= 1 << i;
      }
      if (range >>> 24 === 0) {
        if (position >= input.length) throw truncatedInput();
        range <<= 8;
        code = (code << 8) | input[position++]!;
      }
    }
    this.position = position;
    this.range = range;
    this.code = code;
    return result;
  }

  /** Decodes `count` bits at probability ½, most significant first. */
  decodeDirectBits(count: number): number {
    const input = this.input;
    let position = this.position;
    let range = this.range;
    let code = this.code;
    let result = 0;
    for (let i = 0; i < count; i++) {
      range = range >>> 1;
      let bit = 0;
      if (code >>> 0 >= range) {
        code = (code - range) | 0;
        bit = 1;
      }
      result = result * 2 + bit;
      if (range >>> 24 === 0) {
        if (position >= input.length) throw truncatedInput();
        range <<= 8;
        code = (code << 8) | input[position++]!;
      }
    }
    this.position = position;
    this.range = range;
    this.code = code;
    return result;
  }

  private nextByte(): number {
    if (this.position >= this.input.length) throw truncatedInput();
    return this.input[this.position++]!;
  }
}

function truncatedInput(): LzmaError {
  return new LzmaError('LZMA_TRUNCATED', 'the LZMA data ends in the middle of the stream');
}
