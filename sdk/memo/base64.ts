/**
 * Strict `xs:base64Binary` decoding. Node's own base64 decoder skips characters it does not know,
 * which would let a malformed `File/content` through; this one accepts exactly the XSD lexical space
 * (the 64 characters, whitespace anywhere, correct `=` padding with zero trailing bits).
 *
 * It lets Node decode slice by slice into one preallocated buffer and checks each slice by encoding
 * the result again: valid base64 — and only valid base64 — survives that round trip unchanged. All
 * the work is native, so 100 MB take well under a second, and memory stays at the decoded size.
 * Only an invalid slice is walked character by character, to say what is wrong.
 */

export type Base64Result = { ok: true; bytes: Uint8Array } | { ok: false; reason: string };

/** Text is decoded in slices of this many characters. */
const SLICE = 1 << 16;
const WHITESPACE = /[\t\n\r ]/;
const WHITESPACE_RUNS = /[\t\n\r ]+/g;
const BASE64_CHARACTER = /[A-Za-z0-9+/=]/;

/** Why `quads` (whitespace removed) is not base64. */
function reasonOf(quads: string): string {
  for (const character of quads) {
    if (!BASE64_CHARACTER.test(character)) {
      const code = character.codePointAt(0) as number;
      return `it contains the character ${code > 0x20 && code < 0x7f ? JSON.stringify(character) : `U+${code.toString(16).toUpperCase().padStart(4, '0')}`}`;
    }
  }
  const padding = quads.indexOf('=');
  if (padding !== -1 && /[^=]/.test(quads.slice(padding))) return 'data follows the = padding';
  return 'its length or = padding is wrong';
}

/**
 * Decodes base64 text handed to it in pieces of any size (whitespace anywhere) into one buffer of
 * at most 3/4 of `maxChars` bytes, the most characters it will be given.
 */
export class Base64Decoder {
  private readonly out: Buffer;
  private written = 0;
  /** Up to 3 characters that did not fill a quad yet. */
  private carry = '';
  private ended = false;
  private failure: string | undefined;

  constructor(maxChars: number) {
    this.out = Buffer.allocUnsafe(Math.floor((maxChars * 3) / 4) + 3);
  }

  /** Takes the next piece of the text. */
  write(text: string): void {
    if (this.failure !== undefined) return;
    for (let at = 0; at < text.length; at += SLICE) {
      const slice = text.length <= SLICE ? text : text.slice(at, at + SLICE);
      this.push(WHITESPACE.test(slice) ? slice.replace(WHITESPACE_RUNS, '') : slice);
    }
  }

  /** Takes the next piece of text without whitespace. */
  private push(text: string): void {
    if (this.failure !== undefined) return;
    const compact = this.carry + text;
    const whole = compact.length - (compact.length % 4);
    this.carry = compact.slice(whole);
    if (whole === 0) return;
    if (this.ended) {
      this.failure = 'data follows the = padding';
      return;
    }
    const quads = whole === compact.length ? compact : compact.slice(0, whole);
    const padding = quads.indexOf('=', whole - 2);
    const firstPadding = quads.indexOf('=');
    if (firstPadding !== -1 && firstPadding < whole - 2) {
      this.failure = reasonOf(quads);
      return;
    }
    const count = this.out.write(quads, this.written, 'base64');
    if (this.out.toString('base64', this.written, this.written + count) !== quads) {
      this.failure = reasonOf(quads);
      return;
    }
    this.written += count;
    this.ended = padding !== -1;
  }

  end(): Base64Result {
    if (this.failure === undefined && this.carry.length > 0) this.failure = reasonOf(this.carry + '====');
    if (this.failure !== undefined) return { ok: false, reason: this.failure };
    return { ok: true, bytes: this.out.subarray(0, this.written) };
  }
}

/** Decodes base64 text strictly. */
export function decodeBase64(text: string): Base64Result {
  const decoder = new Base64Decoder(text.length);
  decoder.write(text);
  return decoder.end();
}

/** Encodes bytes as base64 (no line breaks). */
export function encodeBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}
