/**
 * JSON request bodies, read the one way for every route that takes them: bounded in size and in
 * nesting, identity-encoded UTF-8, and — on the control API — only as `application/json`, the one
 * JSON type a browser cannot send cross-site without asking first (a form or `text/plain` post needs
 * no preflight). Every refusal is a rejection of the engine's catalogue.
 */
import type { NextFunction, Request, Response } from 'express';
import { reject } from '../engine/rejections.ts';
import { requireIdentityEncoding } from './encoding.ts';
import { mediaType, readBody } from './support.ts';

/** Largest JSON body (the control API's and a recipient's receipt are a few hundred bytes). */
const JSON_LIMIT = 1024 * 1024;
/** Deepest nesting of arrays and objects; the simulator's JSON bodies are two or three levels deep. */
export const MAX_JSON_DEPTH = 64;

/** Whether a request has a body at all (a bare `POST /reset` has none). */
export function hasBody(request: Request): boolean {
  const length = request.headers['content-length'];
  return request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/** The deepest nesting of arrays and objects in JSON text, counted without parsing it. */
export function jsonDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (inString) {
      if (code === 0x5c) index++;
      else if (code === 0x22) inString = false;
    } else if (code === 0x22) inString = true;
    else if (code === 0x5b || code === 0x7b) deepest = Math.max(deepest, ++depth);
    else if (code === 0x5d || code === 0x7d) depth--;
  }
  return deepest;
}

/** Parses JSON text within the nesting bound. */
export function parseJson(text: string): unknown {
  if (jsonDepth(text) > MAX_JSON_DEPTH)
    throw reject.invalidJson(`nested deeper than ${MAX_JSON_DEPTH} levels`);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw reject.invalidJson((error as Error).message);
  }
}

/**
 * Express middleware setting `request.body` to the parsed JSON, or undefined when there is no body.
 * With `strictType`, a body of any type but `application/json` is refused.
 */
export function jsonBody(options: { strictType: boolean }) {
  return async (request: Request, _response: Response, next: NextFunction): Promise<void> => {
    request.body = undefined;
    if (!hasBody(request)) {
      next();
      return;
    }
    try {
      const type = mediaType(request);
      if (options.strictType && type !== 'application/json')
        throw reject.contentTypeNotSupported(
          `Content-Type must be application/json${type ? `, not ${type}` : ''} (curl: -H 'Content-Type: application/json')`,
        );
      requireIdentityEncoding(request);
      const charset = /;\s*charset="?([^";\s]+)/i.exec(request.headers['content-type'] ?? '')?.[1];
      if (charset !== undefined && !/^utf-?8$/i.test(charset))
        throw reject.unsupportedEncoding(`charset ${charset} is not supported; send UTF-8`);
      const body = await readBody(request, JSON_LIMIT, 'the JSON body');
      request.body = body.length === 0 ? undefined : parseJson(body.toString('utf8'));
      next();
    } catch (error) {
      request.resume();
      next(error);
    }
  };
}
