/**
 * What the HTTP adapters share to read a request: bounded body reading, the media type, query
 * parameters and paging. A request that cannot be read is refused with a rejection from the
 * engine's catalogue, answered by `rejections.ts`.
 */
import type { Request } from 'express';
import { reject } from '../engine/rejections.ts';
import { MAX_PAGE, MAX_PAGE_SIZE } from '../wire/paging.ts';

/**
 * Reads a request body into one buffer, refusing more than `limit` bytes (MESSAGE_TOO_LARGE). With
 * a Content-Length the buffer is allocated once and filled, so a 99 MB MeMo costs 99 MB, not
 * twice that.
 */
export function readBody(request: Request, limit: number, what = 'the request body'): Promise<Buffer> {
  const declared = Number(request.headers['content-length']);
  const known =
    request.headers['content-length'] !== undefined && Number.isInteger(declared) && declared >= 0;
  const tooLarge = () => reject.tooLarge(`${what} is larger than ${limit} bytes`);
  if (known && declared > limit) return Promise.reject(tooLarge());
  return new Promise((resolve, fail) => {
    const target = known ? Buffer.allocUnsafe(declared) : undefined;
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      if (size + chunk.length > (target?.length ?? limit)) {
        request.off('data', onData);
        request.resume();
        fail(
          target === undefined ? tooLarge() : reject.badRequest('the body is longer than its Content-Length'),
        );
        return;
      }
      if (target === undefined) chunks.push(chunk);
      else chunk.copy(target, size);
      size += chunk.length;
    };
    request.on('data', onData);
    request.once('end', () => {
      if (target !== undefined) resolve(size === target.length ? target : target.subarray(0, size));
      else resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
    });
    request.once('error', fail);
  });
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

/** A JSON body that must be an object. */
export function objectBody(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw reject.invalidBody();
  return body as Record<string, unknown>;
}
