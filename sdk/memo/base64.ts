/**
 * Strict `xs:base64Binary` decoding. Node's own base64 decoder skips characters it does not know,
 * which would let a malformed `File/content` through; this one accepts exactly the XSD lexical space
 * (the 64 characters, whitespace anywhere, correct `=` padding with zero trailing bits) and decodes
 * large inputs chunk by chunk into one preallocated buffer, so memory stays at the decoded size.
 */

export type Base64Result = { ok: true; bytes: Uint8Array } | { ok: false; reason: string };

const WHITESPACE = /[\t\n\r ]/;
const WHITESPACE_RUNS = /[\t\n\r ]+/g;
const DATA_THEN_PADDING = /^([A-Za-z0-9+/]*)(=*)$/;
/** Characters whose low 2 bits are zero: what may end the data before one `=`. */
const ZERO_LOW_2_BITS = 'AEIMQUYcgkosw048';
/** Characters whose low 4 bits are zero: what may end the data before `==`. */
const ZERO_LOW_4_BITS = 'AQgw';
const CHUNK_CHARS = 1 << 18;

class Base64Decoder {
  private readonly out: Buffer;
  private written = 0;
  private carry = '';
  private padding = 0;
  private failure: string | undefined;

  constructor(maxChars: number) {
    this.out = Buffer.allocUnsafe(Math.floor((maxChars * 3) / 4) + 3);
  }

  push(chunk: string): void {
    if (this.failure !== undefined) return;
    const compact = WHITESPACE.test(chunk) ? chunk.replace(WHITESPACE_RUNS, '') : chunk;
    if (compact.length === 0) return;
    if (this.padding > 0) {
      if (/[^=]/.test(compact)) this.failure = 'data follows the = padding';
      else this.padding += compact.length;
      return;
    }
    const match = DATA_THEN_PADDING.exec(compact);
    if (match === null) {
      const bad = /[^A-Za-z0-9+/=]/.exec(compact);
      this.failure =
        bad === null ? 'data follows the = padding' : `it contains the character ${JSON.stringify(bad[0])}`;
      return;
    }
    const data = match[1] ?? '';
    this.padding = (match[2] ?? '').length;
    let from = 0;
    if (this.carry.length > 0) {
      // Complete the quad left over from the previous chunk without copying this one.
      from = Math.min(4 - this.carry.length, data.length);
      this.carry += data.slice(0, from);
      if (this.carry.length < 4) return;
      this.written += this.out.write(this.carry, this.written, 'base64');
      this.carry = '';
    }
    const whole = data.length - ((data.length - from) % 4);
    if (whole > from) this.written += this.out.write(data.slice(from, whole), this.written, 'base64');
    this.carry = data.slice(whole);
  }

  end(): Base64Result {
    if (this.failure !== undefined) return { ok: false, reason: this.failure };
    const { carry, padding } = this;
    const last = carry.at(-1) ?? '';
    const complete =
      (padding === 0 && carry.length === 0) ||
      (padding === 1 && carry.length === 3 && ZERO_LOW_2_BITS.includes(last)) ||
      (padding === 2 && carry.length === 2 && ZERO_LOW_4_BITS.includes(last));
    if (!complete) {
      return { ok: false, reason: 'its length or = padding is wrong' };
    }
    if (carry.length > 0) this.written += this.out.write(carry, this.written, 'base64');
    return { ok: true, bytes: this.out.subarray(0, this.written) };
  }
}

/** Decodes base64 text strictly. */
export function decodeBase64(text: string): Base64Result {
  const decoder = new Base64Decoder(text.length);
  for (let start = 0; start < text.length; start += CHUNK_CHARS) {
    decoder.push(text.slice(start, start + CHUNK_CHARS));
  }
  return decoder.end();
}

/** Decodes the base64 text held in `bytes[start, end)` (ASCII) strictly, without one big string. */
export function decodeBase64Bytes(bytes: Uint8Array, start: number, end: number): Base64Result {
  const source = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const decoder = new Base64Decoder(end - start);
  for (let at = start; at < end; at += CHUNK_CHARS) {
    decoder.push(source.toString('latin1', at, Math.min(at + CHUNK_CHARS, end)));
  }
  return decoder.end();
}

/** Encodes bytes as base64 (no line breaks). */
export function encodeBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}
