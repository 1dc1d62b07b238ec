/** Where the receivers' failures go: an answer to the caller, and `onError`. */

import type { ServerResponse } from 'node:http';
import { ReceiverRefusal } from '../errors.ts';
import { maskCpr } from '../ngdp/identifiers.ts';
import { answer, answerRefusal, ClientGone } from './http.ts';

/** What an {@link ErrorHandler} is told beside the error. */
export interface ErrorContext {
  /** The MeMo the error is about, when known. */
  messageUUID?: string;
  /**
   * The MeMo's bytes exactly as they came, when the receiver holds them: with an invalid or
   * unreadable MeMo (answered with an INVALID receipt), the error `onMemo` threw, and the first
   * failure to post its business receipt. Keep them to keep what your system refused.
   */
  xml?: Buffer;
  /**
   * Set when a business receipt NgDP did not take will be posted again after this many ms; unset
   * on its last attempt (the receipt is then given up: NgDP holds none for the MeMo).
   */
  receiptRetryInMs?: number;
}

/** Receives what went wrong; it must not throw (what it throws is ignored). */
export type ErrorHandler = (error: unknown, context: ErrorContext) => void;

/** Reports to `onError` (or stderr) and never throws. */
export function reporter(onError: ErrorHandler | undefined, receiver: string): ErrorHandler {
  const handler: ErrorHandler =
    onError ??
    ((error, context) => {
      const text = error instanceof Error ? error.message : String(error);
      const about = context.messageUUID === undefined ? '' : ` (${context.messageUUID})`;
      const again =
        context.receiptRetryInMs === undefined
          ? ''
          : `; the receipt is posted again in ${Math.ceil(context.receiptRetryInMs / 1000)} s`;
      console.error(`digitalpost ${receiver}${about}: ${maskCpr(text)}${again}`);
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
  context: ErrorContext,
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
