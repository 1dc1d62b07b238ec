/**
 * Reading NgDP's answers without trusting them: a body is taken as it streams in and refused the
 * moment it passes its limit (a body announced larger is refused before a byte is read); an error
 * answer is read only as far as its first bytes; JSON is checked for what NgDP never sends —
 * compression nobody asked for, another media type (a proxy's HTML page), nesting deeper than any
 * DTO — before it is parsed.
 */
import type { Readable } from 'node:stream';
import { MAX_JSON_DEPTH } from './limits.ts';

/** Why a body was not taken: too large, or (for JSON) not JSON. */
export class BodyProblem extends Error {
  readonly tooLarge: boolean;

  constructor(message: string, tooLarge = false) {
    super(message);
    this.name = 'BodyProblem';
    this.tooLarge = tooLarge;
  }
}

type Headers = Record<string, string | string[] | undefined>;

function header(headers: Headers, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

/**
 * The whole body, at most `maxBytes` of it.
 *
 * @throws BodyProblem (`tooLarge`) when `content-length` announces more, or as soon as more arrives;
 *   the rest is never read (the connection is closed).
 */
export async function readBody(body: Readable, headers: Headers, maxBytes: number): Promise<Buffer> {
  const announced = Number(header(headers, 'content-length'));
  if (Number.isFinite(announced) && announced > maxBytes) {
    body.destroy();
    throw tooLarge(maxBytes, `announced ${announced} bytes`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    size += chunk.length;
    // Leaving the loop destroys the stream: nothing more is downloaded.
    if (size > maxBytes) throw tooLarge(maxBytes, 'more arrived');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
}

function tooLarge(maxBytes: number, detail: string): BodyProblem {
  return new BodyProblem(`the body is larger than the ${maxBytes} bytes the client takes (${detail})`, true);
}

/**
 * The first `maxBytes` of a body (an error answer's), and whether there was more; the rest is never
 * read. A body that breaks off gives what came.
 */
export async function readBodyStart(
  body: Readable,
  maxBytes: number,
): Promise<{ bytes: Buffer; truncated: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      const room = maxBytes - size;
      if (chunk.length > room) {
        chunks.push(chunk.subarray(0, room));
        size = maxBytes;
        return { bytes: Buffer.concat(chunks, size), truncated: true };
      }
      chunks.push(chunk);
      size += chunk.length;
    }
  } catch {
    // The status says what happened; a body cut short is still worth its first bytes.
  }
  return { bytes: Buffer.concat(chunks, size), truncated: false };
}

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

/**
 * A 2xx body as JSON.
 *
 * @throws BodyProblem when it is empty, compressed, of another media type, nested deeper than
 *   {@link MAX_JSON_DEPTH}, or not JSON.
 */
export function parseJsonBody(status: number, headers: Headers, body: Buffer): unknown {
  const encoding = header(headers, 'content-encoding');
  if (encoding !== undefined && encoding.trim().toLowerCase() !== 'identity')
    throw new BodyProblem(
      `the answer is compressed (content-encoding ${encoding}), which the client never asks for`,
    );
  if (body.length === 0)
    throw new BodyProblem(`the answer (${status}) has no body where NgDP answers with JSON`);
  const type = header(headers, 'content-type');
  if (type !== undefined && !JSON_TYPE.test(type))
    throw new BodyProblem(`the answer is ${type.split(';')[0]?.trim()}, not JSON${excerptOf(body)}`);
  const depth = nestingDepth(body);
  if (depth > MAX_JSON_DEPTH)
    throw new BodyProblem(`the JSON is nested deeper than ${MAX_JSON_DEPTH} levels`);
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new BodyProblem(`the answer is not valid JSON (${(error as Error).message})${excerptOf(body)}`);
  }
}

/** The deepest nesting of arrays and objects in JSON text (strings skipped), stopping early past the limit. */
export function nestingDepth(body: Uint8Array): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    const byte = body[i];
    if (inString) {
      if (byte === 0x5c) i++;
      else if (byte === 0x22) inString = false;
      continue;
    }
    if (byte === 0x22) inString = true;
    else if (byte === 0x5b || byte === 0x7b) {
      depth++;
      if (depth > deepest) {
        deepest = depth;
        if (deepest > MAX_JSON_DEPTH) return deepest;
      }
    } else if (byte === 0x5d || byte === 0x7d) depth--;
  }
  return deepest;
}

/** The first `length` characters of text from the network, whitespace collapsed, `…` when cut. */
export function shortText(text: string, length: number): string {
  const collapsed = text
    .slice(0, length * 4)
    .replace(/\s+/g, ' ')
    .trim();
  const cut = [...collapsed].slice(0, length).join('');
  return cut.length < collapsed.length || text.length > length * 4 ? `${cut}…` : cut;
}

/** `: "<first characters>"` of a body that is text, for a message. */
function excerptOf(body: Uint8Array, length = 80): string {
  const text = shortText(Buffer.from(body.subarray(0, length * 4)).toString('utf8'), length);
  return text === '' ? '' : `: "${text}"`;
}
