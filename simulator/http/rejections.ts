/**
 * The one table from the engine's rejections to HTTP: a status per kind, and NgDP's `ErrorMessage`
 * as the body. Whatever else a handler throws becomes a specific 400 when it is a request the
 * framework could not read, and otherwise a 500 that says to look in the log — never a stack trace.
 */
import type { NextFunction, Request, Response } from 'express';
import { Rejection, type RejectionKind, reject } from '../engine/rejections.ts';
import { errorBody, errorMessageJson } from '../wire/errors.ts';

export const STATUS_OF: Readonly<Record<RejectionKind, number>> = {
  invalid: 400,
  'too-large': 400,
  unauthenticated: 401,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  unprocessable: 422,
  unavailable: 503,
};

/** How long a caller refused for want of room should wait before trying again, seconds. */
const RETRY_AFTER_SECONDS = 1;

/**
 * Answers a rejection. A body too large, or one there is no room for now, is not read further: the
 * connection closes after the answer. A refusal for now says when to try again.
 */
export function sendRejection(response: Response, rejection: Rejection): void {
  if (rejection.kind === 'too-large' || rejection.kind === 'unavailable')
    response.setHeader('connection', 'close');
  if (rejection.kind === 'unavailable') response.setHeader('retry-after', String(RETRY_AFTER_SECONDS));
  response.status(STATUS_OF[rejection.kind]).json(errorMessageJson(rejection));
}

/** What the framework (express, body-parser) throws for a request it cannot read, as a rejection. */
function frameworkRejection(error: unknown): Rejection | undefined {
  const type = (error as { type?: unknown }).type;
  const message = error instanceof Error ? error.message : String(error);
  if (type === 'entity.parse.failed') return reject.invalidJson(message);
  if (type === 'entity.too.large') return reject.tooLarge('the request body is too large');
  if (type === 'encoding.unsupported' || type === 'charset.unsupported')
    return reject.unsupportedEncoding(message);
  const status = (error as { status?: unknown }).status;
  if (
    error instanceof URIError ||
    (typeof status === 'number' && status >= 400 && status < 500 && type === undefined)
  )
    return reject.badRequest(`the request cannot be read: ${message}`);
  return undefined;
}

/**
 * Whether the request failed because its client went away (it closed the connection while sending
 * the body): nobody is left to answer, and nothing went wrong in the simulator.
 */
function clientGone(request: Request, error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'ECONNRESET' || request.socket.destroyed;
}

/**
 * Express error middleware: a rejection → its answer; a client that went away → one log line;
 * anything else → 400 or a logged 500.
 */
export function errorMiddleware(log: (line: string) => void) {
  return (error: unknown, request: Request, response: Response, _next: NextFunction): void => {
    if (clientGone(request, error)) {
      log(
        `${request.method} ${request.originalUrl.split('?')[0]}: the client closed the connection before the request was read`,
      );
      response.destroy();
      return;
    }
    if (response.headersSent) {
      response.destroy();
      return;
    }
    const rejection = error instanceof Rejection ? error : frameworkRejection(error);
    if (rejection !== undefined) {
      sendRejection(response, rejection);
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
