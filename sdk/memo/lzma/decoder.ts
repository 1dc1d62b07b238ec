/**
 * An incremental LZMA-alone (`.lzma`) decoder: feed compressed chunks of any size with
 * {@link LzmaDecoder.write}, take decoded chunks of bounded size with {@link LzmaDecoder.read}.
 * Memory is the dictionary window (grown lazily up to the declared size) plus one input chunk;
 * output is produced only as fast as it is read, so a decompression bomb costs time only while its
 * reader keeps reading. Follows the reference decoder of the LZMA specification (LzmaSpec.cpp).
 */
import { LzmaError } from './errors.ts';
import { HEADER_SIZE, type LzmaHeader, parseHeader } from './header.ts';
import { MAX_SYMBOL_INPUT, PROBABILITY_INIT, RangeDecoder } from './range-decoder.ts';
import { OutWindow } from './window.ts';

export interface LzmaDecoderOptions {
  /** Refuse streams whose header declares a larger dictionary (default 256 MiB). */
  maxDictionarySize?: number;
  /** Largest chunk {@link LzmaDecoder.read} returns (default 64 KiB). */
  chunkSize?: number;
}

const STATES = 12;
/** States below this one follow a literal; at or above, a match or rep. */
const LITERAL_STATES = 7;
const POS_STATES_MAX = 1 << 4;
const MATCH_MIN_LENGTH = 2;
/** Distances below 4 are coded by their slot alone, slots 4…13 add bits from adaptive trees. */
const END_POS_MODEL_INDEX = 14;
const FULL_DISTANCES = 1 << (END_POS_MODEL_INDEX >>> 1);
const ALIGN_BITS = 4;
/** A match to this distance (all 32 bits set, stored as distance − 1) marks the end of the data. */
const END_MARKER_DISTANCE = 0xffff_ffff;

/** Match and rep lengths: 2…9 (low), 10…17 (mid), 18…273 (high), low and mid per position state. */
class LengthDecoder {
  private readonly probs = new Uint16Array(2 + 2 * POS_STATES_MAX * 8 + 256).fill(PROBABILITY_INIT);

  /** Returns the length minus {@link MATCH_MIN_LENGTH}. */
  decode(rc: RangeDecoder, posState: number): number {
    if (rc.decodeBit(this.probs, 0) === 0) return rc.decodeTree(this.probs, 2 + posState * 8 - 1, 3);
    if (rc.decodeBit(this.probs, 1) === 0) {
      return 8 + rc.decodeTree(this.probs, 2 + POS_STATES_MAX * 8 + posState * 8 - 1, 3);
    }
    return 16 + rc.decodeTree(this.probs, 2 + 2 * POS_STATES_MAX * 8 - 1, 8);
  }
}

type Phase = 'header' | 'start' | 'data' | 'done';

export class LzmaDecoder {
  private readonly maxDictionarySize: number;
  private readonly chunkSize: number;
  private readonly rc = new RangeDecoder();
  private phase: Phase = 'header';
  private ended = false;

  // Set from the header.
  private header!: LzmaHeader;
  private window!: OutWindow;
  private literalProbs!: Uint16Array;

  // The adaptive model.
  private readonly isMatch = new Uint16Array(STATES * POS_STATES_MAX).fill(PROBABILITY_INIT);
  private readonly isRep = new Uint16Array(STATES).fill(PROBABILITY_INIT);
  private readonly isRepG0 = new Uint16Array(STATES).fill(PROBABILITY_INIT);
  private readonly isRepG1 = new Uint16Array(STATES).fill(PROBABILITY_INIT);
  private readonly isRepG2 = new Uint16Array(STATES).fill(PROBABILITY_INIT);
  private readonly isRep0Long = new Uint16Array(STATES * POS_STATES_MAX).fill(PROBABILITY_INIT);
  private readonly posSlot = new Uint16Array(4 << 6).fill(PROBABILITY_INIT);
  private readonly posSpecial = new Uint16Array(1 + FULL_DISTANCES - END_POS_MODEL_INDEX).fill(
    PROBABILITY_INIT,
  );
  private readonly align = new Uint16Array(1 << ALIGN_BITS).fill(PROBABILITY_INIT);
  private readonly matchLength = new LengthDecoder();
  private readonly repLength = new LengthDecoder();

  // The coder's state: the last four match distances (each minus one) and the state machine.
  private state = 0;
  private rep0 = 0;
  private rep1 = 0;
  private rep2 = 0;
  private rep3 = 0;
  /** Bytes of the current match still to copy when the window limit cut it short. */
  private pendingLength = 0;

  constructor(options: LzmaDecoderOptions = {}) {
    this.maxDictionarySize = options.maxDictionarySize ?? 256 * 1024 * 1024;
    this.chunkSize = options.chunkSize ?? 64 * 1024;
  }

  /** True once the end of the stream was decoded (its end marker, or its declared size). */
  get finished(): boolean {
    return this.phase === 'done';
  }

  /** Adds compressed input. Call {@link read} until it returns undefined before writing more. */
  write(chunk: Uint8Array): void {
    if (this.ended) throw new Error('LzmaDecoder: write after end');
    if (chunk.length > 0) this.rc.feed(chunk);
  }

  /** Declares that no more input will come. */
  end(): void {
    this.ended = true;
  }

  /**
   * Decodes the next chunk (at most `chunkSize` bytes). Returns undefined when more input is needed,
   * or when the stream is finished.
   *
   * @throws LzmaError when the data is corrupt, or ends (after {@link end}) before the stream does.
   */
  read(): Uint8Array | undefined {
    if (this.phase === 'header' && !this.readHeader()) return undefined;
    if (this.phase === 'start' && !this.startCoder()) return undefined;
    if (this.phase === 'done') return undefined;
    const window = this.window;
    for (;;) {
      const stopped = this.decodeUntil(window.writeLimit(this.chunkSize));
      if (window.untaken > 0) return window.take();
      if (stopped !== 'limit') return undefined;
    }
  }

  private readHeader(): boolean {
    if (this.rc.available < HEADER_SIZE) {
      if (this.ended) throw truncated();
      return false;
    }
    const header = parseHeader(this.rc.peek(HEADER_SIZE), this.maxDictionarySize);
    this.rc.skip(HEADER_SIZE);
    this.header = header;
    // No match reaches back further than the data is long, so a known size caps the window too.
    this.window = new OutWindow(Math.min(header.dictionarySize, header.uncompressedSize ?? Infinity) || 1);
    this.literalProbs = new Uint16Array(0x300 << (header.lc + header.lp)).fill(PROBABILITY_INIT);
    this.phase = 'start';
    return true;
  }

  private startCoder(): boolean {
    if (this.rc.available < 5) {
      if (this.ended) throw truncated();
      return false;
    }
    this.rc.start();
    this.phase = 'data';
    return true;
  }

  /** Decodes symbols until the window reaches `limit`, the input runs short, or the stream ends. */
  private decodeUntil(limit: number): 'limit' | 'input' | 'done' {
    const window = this.window;
    const rc = this.rc;
    const size = this.header.uncompressedSize;
    while (window.position < limit) {
      if (this.pendingLength > 0) {
        const length = Math.min(this.pendingLength, limit - window.position);
        window.copy(this.rep0 + 1, length);
        this.pendingLength -= length;
        continue;
      }
      // With a declared size the end marker is optional: a clean coder at that size ends it.
      if (window.total === size && rc.finishedCleanly) return this.finish();
      if (!this.ended && rc.available < MAX_SYMBOL_INPUT) return 'input';
      if (this.decodeSymbol(limit)) return this.finish();
    }
    return 'limit';
  }

  private finish(): 'done' {
    this.phase = 'done';
    return 'done';
  }

  /** Decodes one literal, match or rep. Returns true on the end marker. */
  private decodeSymbol(limit: number): boolean {
    const rc = this.rc;
    const window = this.window;
    const header = this.header;
    const posState = window.total & ((1 << header.pb) - 1);
    const remaining =
      header.uncompressedSize === undefined ? Infinity : header.uncompressedSize - window.total;

    if (rc.decodeBit(this.isMatch, (this.state << 4) + posState) === 0) {
      if (remaining === 0) throw corrupt('data continues past the declared size');
      this.decodeLiteral();
      return false;
    }

    let length: number;
    if (rc.decodeBit(this.isRep, this.state) !== 0) {
      if (remaining === 0) throw corrupt('data continues past the declared size');
      if (window.isEmpty) throw corrupt('a repeated match before any data');
      if (rc.decodeBit(this.isRepG0, this.state) === 0) {
        if (rc.decodeBit(this.isRep0Long, (this.state << 4) + posState) === 0) {
          // "Short rep": one byte from the last distance.
          this.state = this.state < LITERAL_STATES ? 9 : 11;
          window.put(window.byteAt(this.rep0 + 1));
          return false;
        }
      } else {
        let distance: number;
        if (rc.decodeBit(this.isRepG1, this.state) === 0) {
          distance = this.rep1;
        } else {
          if (rc.decodeBit(this.isRepG2, this.state) === 0) {
            distance = this.rep2;
          } else {
            distance = this.rep3;
            this.rep3 = this.rep2;
          }
          this.rep2 = this.rep1;
        }
        this.rep1 = this.rep0;
        this.rep0 = distance;
      }
      length = this.repLength.decode(rc, posState);
      this.state = this.state < LITERAL_STATES ? 8 : 11;
    } else {
      this.rep3 = this.rep2;
      this.rep2 = this.rep1;
      this.rep1 = this.rep0;
      length = this.matchLength.decode(rc, posState);
      this.state = this.state < LITERAL_STATES ? 7 : 10;
      this.rep0 = this.decodeDistance(length);
      if (this.rep0 === END_MARKER_DISTANCE) {
        if (!rc.finishedCleanly) throw corrupt('the end marker is followed by inconsistent data');
        if (remaining !== Infinity && remaining !== 0) throw corrupt('the end marker comes before the size');
        return true;
      }
      if (remaining === 0) throw corrupt('data continues past the declared size');
      if (this.rep0 >= header.dictionarySize || !window.reaches(this.rep0 + 1)) {
        throw corrupt('a match reaches back beyond the data');
      }
    }

    length += MATCH_MIN_LENGTH;
    if (length > remaining) throw corrupt('a match runs past the declared size');
    const now = Math.min(length, limit - window.position);
    window.copy(this.rep0 + 1, now);
    this.pendingLength = length - now;
    return false;
  }

  private decodeLiteral(): void {
    const rc = this.rc;
    const window = this.window;
    const { lc, lp } = this.header;
    const previous = window.isEmpty ? 0 : window.byteAt(1);
    const context = ((window.total & ((1 << lp) - 1)) << lc) + (previous >>> (8 - lc));
    const offset = 0x300 * context;
    // After a match, the byte the match would have continued with steers the coding.
    const byte =
      this.state >= LITERAL_STATES
        ? rc.decodeMatchedLiteral(this.literalProbs, offset, window.byteAt(this.rep0 + 1))
        : rc.decodeLiteral(this.literalProbs, offset);
    window.put(byte);
    this.state = this.state < 4 ? 0 : this.state < 10 ? this.state - 3 : this.state - 6;
  }

  /** Decodes a match distance (minus one) for a match of `length` − 2. */
  private decodeDistance(length: number): number {
    const rc = this.rc;
    const lengthState = Math.min(length, 3);
    const slot = rc.decodeTree(this.posSlot, (lengthState << 6) - 1, 6);
    if (slot < 4) return slot;
    const directBits = (slot >>> 1) - 1;
    const base = ((2 | (slot & 1)) << directBits) >>> 0;
    if (slot < END_POS_MODEL_INDEX) {
      return base + rc.decodeReverseTree(this.posSpecial, base - slot - 1, directBits);
    }
    const middle = rc.decodeDirectBits(directBits - ALIGN_BITS) * (1 << ALIGN_BITS);
    return base + middle + rc.decodeReverseTree(this.align, -1, ALIGN_BITS);
  }
}

function truncated(): LzmaError {
  return new LzmaError('LZMA_TRUNCATED', 'the LZMA data ends before the stream does');
}

function corrupt(detail: string): LzmaError {
  return new LzmaError('LZMA_CORRUPT', `the LZMA data is corrupt: ${detail}`);
}
