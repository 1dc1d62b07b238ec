/**
 * Every call into NgDP's API (`/apis/v1`) goes into the engine's transcript: a note is opened when
 * the request arrives, the routes add what they learn (the authenticated system, a fault), the body
 * is hashed as `readBody` reads it, and the note ends when the answer has gone out — or when the
 * connection closed without one. Calls refused before any route (a foreign Host, an unknown path)
 * are noted too.
 */
import type { NextFunction, Request, Response } from 'express';
import { isUuid } from '../../sdk/ngdp/identifiers.ts';
import { operationOf } from '../../sdk/ngdp/operations.ts';
import type { Engine } from '../engine/engine.ts';
import type { CallNote } from '../engine/transcript.ts';

const notes = new WeakMap<Request, CallNote>();

/** The transcript note of a call into NgDP's API (undefined for the control API and pages). */
export function noteOf(request: Request): CallNote | undefined {
  return notes.get(request);
}

/** The messageUUID a call names: the `memo-message-uuid` query parameter, or the id of `/memos/{id}`. */
function messageUUIDOf(request: Request, pathname: string): string | undefined {
  const query = request.query['memo-message-uuid'];
  if (typeof query === 'string' && isUuid(query)) return query.toLowerCase();
  const segments = pathname.split('/');
  return segments[1] === 'memos' && isUuid(segments[2]) ? (segments[2] as string).toLowerCase() : undefined;
}

/**
 * The secrets OAuth's operations take as query parameters (NgDP declares them there): their values
 * are cut out of the path the transcript keeps.
 */
const OAUTH_SECRETS = /([?&](?:code|refresh_token|code_verifier|id_token_hint|token|password)=)[^&#]*/g;

/** The URL as the transcript keeps it: under `/oauth/`, without the values of secrets. */
function keptUrl(pathname: string, url: string): string {
  return pathname.startsWith('/oauth/') ? url.replace(OAUTH_SECRETS, '$1[REDACTED]') : url;
}

/** Express middleware for `/apis/v1`: opens the call's note and ends it with the call. */
export function transcriptMiddleware(engine: Engine) {
  return (request: Request, response: Response, next: NextFunction): void => {
    const pathname = request.path;
    const note = engine.transcript.call({
      operation: operationOf(request.method, pathname),
      method: request.method,
      path: keptUrl(pathname, request.originalUrl),
      messageUUID: messageUUIDOf(request, pathname),
      authorization: request.headers.authorization,
      rawHeaders: request.rawHeaders,
    });
    notes.set(request, note);
    // Every refusal is an ErrorMessage sent as JSON: its code is the entry's.
    const json = response.json;
    response.json = function answer(this: Response, body: unknown) {
      const code = (body as { code?: unknown } | null)?.code;
      if (this.statusCode >= 400 && typeof code === 'string') note.code = code;
      return json.call(this, body);
    };
    const end = (): void => note.end(response.writableFinished ? response.statusCode : null);
    response.once('finish', end);
    response.once('close', end);
    next();
  };
}
