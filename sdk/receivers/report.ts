/** Where the receivers' failures go: an answer to the caller, and `onError`. */

import type { ServerResponse } from 'node:http';
import { ReceiverRefusal } from '../errors.ts';
import { maskCpr } from '../ngdp/identifiers.ts';
import { answer, answerRefusal, ClientGone } from './http.ts';

/** Receives what went wrong; it must not throw (what it throws is ignored). */
export type ErrorHandler = (error: unknown, context: { messageUUID?: string }) => void;

/** Reports to `onError` (or stderr) and never throws. */
export function reporter(onError: ErrorHandler | undefined, receiver: string): ErrorHandler {
  const handler: ErrorHandler =
    onError ??
    ((error, context) => {
      const text = error instanceof Error ? error.message : String(error);
      const about = context.messageUUID === undefined ? '' : ` (${context.messageUUID})`;
      console.error(`digitalpost ${receiver}${about}: ${maskCpr(text)}`);
    });
  return (error, context) => {
    try {
      handler(error, context);
    } catch {
      // onError's own failure has nowhere left to go.
    }
  };
}

/**
 * Answers a failed request and reports it: a refusal with its status (reporting the error behind
 * it, if any), anything else as 500. A 405 is not reported (probes and health checks), nor a
 * client that went away.
 */
export function refuse(
  res: ServerResponse,
  error: unknown,
  report: ErrorHandler,
  context: { messageUUID?: string },
): void {
  if (error instanceof ClientGone) return;
  if (error instanceof ReceiverRefusal) {
    answerRefusal(res, error);
    if (error.status !== 405) report(error.cause ?? error, context);
    return;
  }
  answer(res, 500, { code: 'INTERNAL_ERROR', message: 'the receiver failed' });
  report(error, context);
}
