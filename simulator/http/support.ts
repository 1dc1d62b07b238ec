/**
 * What every HTTP adapter shares: NgDP's `ErrorMessage` answers, bounded body reading, paging
 * parameters, and the error middleware that turns anything thrown into a specific answer — never a
 * stack trace, never a crash.
 */
import type { NextFunction, Request, Response } from 'express';
import { ApiFailure, badField, errorMessageOf, type FieldError } from '../engine/errors.ts';

export interface ErrorMessage {
  code: string;
  message: string;
  fieldErrors: FieldError[];
}

export function errorBody(code: string, message: string, fieldErrors: FieldError[] = []): ErrorMessage {
  return { code, message, fieldErrors };
}

/**
 * Reads a request body into one buffer, refusing more than `limit` bytes with 400 MESSAGE_TOO_LARGE.
 * With a Content-Length the buffer is allocated once and filled, so a 99 MB MeMo costs 99 MB, not
 * twice that.
 */
export function readBody(request: Request, limit: number): Promise<Buffer> {
  const declared = Number(request.headers['content-length']);
  const known =
    request.headers['content-length'] !== undefined && Number.isInteger(declared) && declared >= 0;
  if (known && declared > limit) return Promise.reject(tooLarge(limit));
  return new Promise((resolve, reject) => {
    const target = known ? Buffer.allocUnsafe(declared) : undefined;
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      if (size + chunk.length > (target?.length ?? limit)) {
        request.off('data', onData);
        request.resume();
        reject(
          target === undefined
            ? tooLarge(limit)
            : new ApiFailure(400, 'BAD_REQUEST', 'the body is longer than its Content-Length'),
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
    request.once('error', reject);
  });
}

function tooLarge(limit: number): ApiFailure {
  return new ApiFailure(400, 'MESSAGE_TOO_LARGE', `the request body is larger than ${limit} bytes`);
}

/** The media type of a Content-Type header, lower case, without parameters. */
export function mediaType(request: Request): string {
  return (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

/** A query parameter as a single string (repeated parameters are an error). */
export function queryText(request: Request, name: string): string | undefined {
  const value = request.query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw badField('query', name, 'INVALID_PARAMETER', 'must be given once');
  return value;
}

/** Zero-based `page` and `size` (1..1000, default 20). */
export function paging(request: Request, defaultSize = 20): { page: number; size: number } {
  const integer = (name: string, min: number, max: number, fallback: number): number => {
    const text = queryText(request, name);
    if (text === undefined || text === '') return fallback;
    if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) {
      throw badField('query', name, 'INVALID_PARAMETER', `must be an integer from ${min} to ${max}`, text);
    }
    return Number(text);
  };
  return { page: integer('page', 0, 1_000_000, 0), size: integer('size', 1, 1000, defaultSize) };
}

export function sendFailure(response: Response, failure: ApiFailure): void {
  response.status(failure.status).json(errorMessageOf(failure));
}

/** Express error middleware: ApiFailure → its answer; body-parser errors → 400; the rest → 500. */
export function errorMiddleware(log: (line: string) => void) {
  return (error: unknown, _request: Request, response: Response, _next: NextFunction): void => {
    if (response.headersSent) {
      response.destroy();
      return;
    }
    if (error instanceof ApiFailure) {
      if (error.code === 'MESSAGE_TOO_LARGE') response.setHeader('connection', 'close');
      sendFailure(response, error);
      return;
    }
    const status = (error as { status?: unknown }).status;
    if (
      error instanceof URIError ||
      (typeof status === 'number' && status >= 400 && status < 500 && !('type' in (error as object)))
    ) {
      response
        .status(400)
        .json(errorBody('BAD_REQUEST', `the request cannot be read: ${(error as Error).message}`));
      return;
    }
    const type = (error as { type?: string }).type;
    if (type === 'entity.parse.failed') {
      response
        .status(400)
        .json(errorBody('INVALID_JSON', `the body is not valid JSON: ${(error as Error).message}`));
      return;
    }
    if (type === 'entity.too.large') {
      response.status(400).json(errorBody('MESSAGE_TOO_LARGE', 'the request body is too large'));
      return;
    }
    if (type === 'encoding.unsupported' || type === 'charset.unsupported') {
      response.status(400).json(errorBody('UNSUPPORTED_ENCODING', (error as Error).message));
      return;
    }
    log(`internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    response
      .status(500)
      .json(errorBody('INTERNAL_ERROR', 'the simulator failed to handle the request; see its log'));
  };
}

/** 404 in ErrorMessage form for paths nobody serves. */
export function notFound(request: Request, response: Response): void {
  response
    .status(404)
    .json(errorBody('NOT_FOUND', `no such resource: ${request.method} ${request.originalUrl.split('?')[0]}`));
}
