/**
 * Character data read straight from the input bytes, a slice at a time: the texts and attribute
 * values the reader lifts out of a document before its XML parser runs (xml-reader.ts). A lifted
 * text is what XML allows between two tags — character data, references, CDATA sections, comments,
 * processing instructions — and reads as an XML parser would give it: references decoded, line
 * breaks normalized, comments and processing instructions dropped. Nothing here holds more than a
 * slice; what to keep of the text is the caller's choice ({@link BoundedText}, the base64 decoder).
 */
import { codePointLength } from './simple-types.ts';

/** Bytes `[start, end)` of the input. */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

/** Receives the text a chunk at a time; returning `false` stops the reading. */
export type ChunkSink = (chunk: string) => boolean | undefined;

/** Text is handed on in chunks of about this many characters. */
const SLICE = 1 << 16;
/** Character data shorter than this is gathered with its neighbours into one chunk… */
const SMALL = 1 << 10;
/** …of at most this many pieces, so that few of them live long enough to be copied by the GC. */
const PIECES = 4096;

const LT = 0x3c;
const AMP = 0x26;
const SEMICOLON = 0x3b;
const HASH = 0x23;
const CR = 0x0d;
const LINE_BREAK = /\r\n?/g;

const NAMED: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', apos: "'", quot: '"' };

/** What {@link readReference} read: one object, reused, so that a text of references makes no garbage. */
const reference = { code: 0, end: 0 };

/**
 * The reference starting at `bytes[at]` (an `&`) and ending before `limit`: its character's code
 * point and the offset after its `;` (valid until the next call), or undefined when it is not
 * `&lt; &gt; &amp; &apos; &quot;`, `&#…;` or `&#x…;`. The code point is not checked against XML's
 * characters.
 */
export function readReference(
  bytes: Uint8Array,
  at: number,
  limit: number,
): { readonly code: number; readonly end: number } | undefined {
  let i = at + 1;
  if (bytes[i] === HASH) {
    i++;
    const hex = bytes[i] === 0x78;
    if (hex) i++;
    const digitsStart = i;
    let code = 0;
    for (; i < limit; i++) {
      const digit = digitValue(bytes[i] as number, hex);
      if (digit < 0) break;
      // Past U+10FFFF it names no character; stop growing so the number stays exact.
      if (code <= 0x10ffff) code = code * (hex ? 16 : 10) + digit;
    }
    if (i === digitsStart || i >= limit || bytes[i] !== SEMICOLON) return undefined;
    reference.code = code;
    reference.end = i + 1;
    return reference;
  }
  const nameStart = i;
  while (i < limit && i - nameStart < 5 && bytes[i] !== SEMICOLON) i++;
  if (i >= limit || bytes[i] !== SEMICOLON) return undefined;
  const character = NAMED[String.fromCharCode(...bytes.subarray(nameStart, i))];
  if (character === undefined) return undefined;
  reference.code = character.charCodeAt(0);
  reference.end = i + 1;
  return reference;
}

/**
 * `bytes.indexOf(byte, from)`, looking at the next few bytes first: Node's `indexOf` allocates a
 * little on every call, which adds up to megabytes of garbage over a text of a million references.
 */
export function indexOfByte(bytes: Buffer, byte: number, from: number): number {
  const near = Math.min(from + 16, bytes.length);
  for (let at = from; at < near; at++) if (bytes[at] === byte) return at;
  return near === bytes.length ? -1 : bytes.indexOf(byte, near);
}

function digitValue(byte: number, hex: boolean): number {
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  if (!hex) return -1;
  if (byte >= 0x61 && byte <= 0x66) return byte - 0x57;
  if (byte >= 0x41 && byte <= 0x46) return byte - 0x37;
  return -1;
}

/**
 * Reads the lifted text `range` of `bytes` and hands it to `sink` in chunks. `latin1` reads bytes as
 * characters one to one (for base64, where only ASCII is valid and whitespace does not matter), `utf8`
 * decodes them and normalizes line breaks as XML does. The text must have passed the reader's scan:
 * every reference, CDATA section, comment and processing instruction in it is complete.
 */
export function readText(
  bytes: Buffer,
  range: ByteRange,
  encoding: 'utf8' | 'latin1',
  sink: ChunkSink,
): void {
  const { end } = range;
  const utf8 = encoding === 'utf8';
  // Small pieces (references, short character data) are gathered and joined: concatenating them
  // one by one would build a rope of as many nodes, garbage the size of the text.
  const pending: string[] = [];
  let pendingLength = 0;
  let stopped = false;
  const emit = (chunk: string): void => {
    if (!stopped && sink(chunk) === false) stopped = true;
  };
  const gather = (piece: string): void => {
    pending.push(piece);
    pendingLength += piece.length;
    if (pendingLength >= SLICE || pending.length >= PIECES) flush();
  };
  const flush = (): void => {
    if (pending.length === 0) return;
    emit(pending.length === 1 ? (pending[0] as string) : pending.join(''));
    pending.length = 0;
    pendingLength = 0;
  };
  const decode = (from: number, to: number): string => {
    const text = bytes.toString(encoding, from, to);
    return utf8 && text.includes('\r') ? text.replace(LINE_BREAK, '\n') : text;
  };
  /** Character data `[from, to)`: no markup, no references. */
  const characters = (from: number, to: number): void => {
    if (to - from < SMALL) {
      gather(decode(from, to));
      return;
    }
    flush();
    for (let at = from; at < to && !stopped; ) {
      let cut = Math.min(at + SLICE, to);
      if (cut < to && utf8) {
        // Neither inside a UTF-8 sequence nor between the CR and LF of a line break.
        while (cut > at + 1 && ((bytes[cut] as number) & 0xc0) === 0x80) cut--;
        if (bytes[cut - 1] === CR && cut > at + 1) cut--;
      }
      emit(decode(at, cut));
      at = cut;
    }
  };

  const find = (byte: number, from: number): number => {
    const at = indexOfByte(bytes, byte, from);
    return at === -1 || at >= end ? end : at;
  };
  let nextAmp = find(AMP, range.start);
  let nextLt = find(LT, range.start);
  for (let pos = range.start; pos < end && !stopped; ) {
    if (nextAmp < pos) nextAmp = find(AMP, pos);
    if (nextLt < pos) nextLt = find(LT, pos);
    const next = Math.min(nextAmp, nextLt);
    if (next > pos) {
      characters(pos, next);
      pos = next;
    } else if (pos === nextAmp) {
      const read = readReference(bytes, pos, end);
      if (read === undefined) throw new Error(`xml-text: no reference at ${pos}`);
      // fromCharCode returns V8's cached string for one-byte characters: no garbage per reference.
      const { code } = read;
      gather(code < 0x10000 ? String.fromCharCode(code) : String.fromCodePoint(code));
      pos = read.end;
    } else if (bytes[pos + 2] === 0x5b) {
      // <![CDATA[ … ]]>: its characters as they are.
      const close = bytes.indexOf(']]>', pos + 9);
      characters(pos + 9, close);
      pos = close + 3;
    } else if (bytes[pos + 1] === 0x21) pos = bytes.indexOf('-->', pos + 4) + 3;
    else pos = bytes.indexOf('?>', pos + 2) + 2;
  }
  flush();
}

const WHITESPACE_RUNS = /[\t\n\r ]+/g;
const SURROGATE = /[\ud800-\udfff]/;

/**
 * Builds a value from chunks while keeping at most `keep` characters of it (code points, never half
 * a surrogate pair), and counts its whole length. With `collapse`, whitespace is collapsed as XSD
 * does for types derived from non-string built-ins (runs become one space, none at either end), so
 * the value and its length are the collapsed ones.
 */
export class BoundedText {
  /** The value's length so far, in code points. */
  length = 0;
  /**
   * Nothing has been appended: the text was absent, or only comments and processing instructions.
   * (An empty CDATA section is appended as `''`: like libxml2, the reader takes it for text.)
   */
  empty = true;
  private kept = '';
  private readonly keep: number;
  private readonly collapse: boolean;
  private started = false;
  private pendingSpace = false;

  constructor(keep: number, collapse: boolean) {
    this.keep = keep;
    this.collapse = collapse;
  }

  /** The value, or its first `keep` characters when it is longer. */
  get value(): string {
    return this.kept;
  }

  append(chunk: string): void {
    this.empty = false;
    const text = this.collapse ? this.collapsed(chunk) : chunk;
    if (text === '') return;
    // Counting code points walks the string; a native search finds whether there is anything to count.
    const length = SURROGATE.test(text) ? codePointLength(text) : text.length;
    if (this.length < this.keep) {
      const room = this.keep - this.length;
      this.kept += length <= room ? text : firstCodePoints(text, room);
    }
    this.length += length;
  }

  /** The part of `chunk` that belongs to the collapsed value, given what came before. */
  private collapsed(chunk: string): string {
    const runs = chunk.replace(WHITESPACE_RUNS, ' ');
    const leading = runs.charCodeAt(0) === 0x20;
    const trailing = runs.length > 1 && runs.charCodeAt(runs.length - 1) === 0x20;
    const body = runs.slice(leading ? 1 : 0, trailing ? -1 : runs.length);
    if (body === '') {
      if (leading) this.pendingSpace = this.started;
      return '';
    }
    const out = this.started && (this.pendingSpace || leading) ? ` ${body}` : body;
    this.started = true;
    this.pendingSpace = trailing;
    return out;
  }
}

/** The first `count` code points of `text`. */
function firstCodePoints(text: string, count: number): string {
  let units = 0;
  for (let seen = 0; seen < count && units < text.length; seen++) {
    const unit = text.charCodeAt(units);
    units += unit >= 0xd800 && unit <= 0xdbff && units + 1 < text.length ? 2 : 1;
  }
  return text.slice(0, units);
}
