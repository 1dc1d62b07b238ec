/**
 * What the HTTP adapters share to read a request: bounded body reading, the media type, query
 * parameters and paging. A request that cannot be read is refused with a rejection from the
 * engine's catalogue, answered by `rejections.ts`.
 */
import type { Request } from 'express';
import type { Hold } from '../engine/memory-budget.ts';
import { reject } from '../engine/rejections.ts';
import { MAX_PAGE, MAX_PAGE_SIZE, readPageCursor } from '../wire/paging.ts';
import { noteOf } from './transcript.ts';

/** The body's declared length, when the request declares a valid one. */
export function declaredLength(request: Request): number | undefined {
  const header = request.headers['content-length'];
  const declared = Number(header);
  return header !== undefined && Number.isInteger(declared) && declared >= 0 ? declared : undefined;
}

/**
 * Refuses (400 `LENGTH_REQUIRED`) a body without the `Content-Length` that `operation` declares
 * required, unless `required` is false (`--accept-chunked`); the body is not read.
 */
export function requireLength(request: Request, operation: string, required: boolean): void {
  if (!required || declaredLength(request) !== undefined) return;
  request.resume();
  throw reject.lengthRequired(operation);
}

/** For small bodies whose limit is their bound: held against nothing. */
const UNCOUNTED: Hold = { what: 'a small body', bytes: 0, grow() {}, shrink() {}, release() {} };

/**
 * Reads a request body into one buffer, refusing more than `limit` bytes (MESSAGE_TOO_LARGE). The
 * bytes are held against the engine's memory budget (`hold`) before they are read: with a
 * Content-Length all at once, and the buffer is then allocated once and filled, so a 99 MB MeMo
 * costs 99 MB, not twice that; without one, chunk by chunk. No room in the budget is the
 * rejection `unavailable` (503). The caller releases the hold once it is done with the body. The
 * body of a call into NgDP's API is hashed for the transcript on the way.
 */
export function readBody(
  request: Request,
  limit: number,
  what = 'the request body',
  hold: Hold = UNCOUNTED,
): Promise<Buffer> {
  const declared = declaredLength(request);
  const tooLarge = () => reject.tooLarge(`${what} is larger than ${limit} bytes`);
  if (declared !== undefined && declared > limit) return Promise.reject(tooLarge());
  let target: Buffer | undefined;
  try {
    if (declared !== undefined) {
      hold.grow(declared);
      target = allocate(declared, what);
    }
  } catch (error) {
    return Promise.reject(error);
  }
  const note = noteOf(request);
  return new Promise((resolve, fail) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = (rejection: unknown): void => {
      request.off('data', onData);
      request.resume();
      fail(rejection);
    };
    const onData = (chunk: Buffer): void => {
      if (size + chunk.length > (target?.length ?? limit)) {
        stop(
          target === undefined ? tooLarge() : reject.badRequest('the body is longer than its Content-Length'),
        );
        return;
      }
      if (target === undefined) {
        try {
          hold.grow(chunk.length);
        } catch (error) {
          stop(error);
          return;
        }
        chunks.push(chunk);
      } else chunk.copy(target, size);
      size += chunk.length;
      note?.body(chunk);
    };
    request.on('data', onData);
    request.once('end', () => {
      note?.bodyEnd();
      if (target !== undefined) resolve(size === target.length ? target : target.subarray(0, size));
      else resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
    });
    request.once('error', fail);
    // A client that goes away mid-body: settled, so that whatever holds the body lets it go.
    request.once('close', () => {
      if (!request.complete) fail(reject.badRequest('the connection closed before the body ended'));
    });
  });
}

/** A buffer of `size` bytes; a failed allocation is a refusal for now, not an internal error. */
function allocate(size: number, what: string): Buffer {
  try {
    return Buffer.allocUnsafe(size);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    throw reject.noMemory(what);
  }
}

/** The media type of a Content-Type header, lower case, without parameters. */
export function mediaType(request: Request): string {
  return (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

/** A query parameter as a single string (repeated parameters are an error). */
export function queryText(request: Request, name: string): string | undefined {
  const value = request.query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw reject.invalidParameter(name, 'must be given once');
  return value;
}

/** Comma-separated values of a query parameter, each checked by `valid` when given. */
export function queryList(
  request: Request,
  name: string,
  valid?: (value: string) => boolean,
): string[] | undefined {
  const text = queryText(request, name);
  if (text === undefined) return undefined;
  const values = text
    .split(',')
    .map((value) => value.trim())
    .filter(Boolean);
  for (const value of values) {
    if (valid !== undefined && !valid(value))
      throw reject.invalidParameter(name, `"${value}" is not valid`, value);
  }
  return values;
}

/** Zero-based `page` and `size` (1..1000, default 20). */
export function paging(request: Request, defaultSize = 20): { page: number; size: number } {
  const integer = (name: string, min: number, max: number, fallback: number): number => {
    const text = queryText(request, name);
    if (text === undefined || text === '') return fallback;
    if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max)
      throw reject.invalidParameter(name, `must be an integer from ${min} to ${max}`, text);
    return Number(text);
  };
  return { page: integer('page', 0, MAX_PAGE, 0), size: integer('size', 1, MAX_PAGE_SIZE, defaultSize) };
}

/** `page`/`size`, or the `next` cursor of a search frame. */
export function pagingWithCursor(request: Request): { page: number; size: number } {
  const next = queryText(request, 'next');
  return next === undefined ? paging(request) : readPageCursor(next);
}

/** A JSON body that must be an object. */
export function objectBody(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw reject.invalidBody();
  return body as Record<string, unknown>;
}

/** A date or date-time query parameter (`2025-06-01`, `2025-06-01T00:00:00.000Z`) as epoch ms. */
export function instantParameter(request: Request, name: string): number | undefined {
  const text = queryText(request, name);
  if (text === undefined || text === '') return undefined;
  const time = Date.parse(text);
  if (!/^\d{4}-\d\d-\d\d(T[\d:.]+(Z|[+-]\d\d:\d\d))?$/.test(text) || Number.isNaN(time))
    throw reject.invalidParameter(
      name,
      'must be a date (2025-06-01) or a date-time (2025-06-01T00:00:00.000Z)',
      text,
    );
  return time;
}
