/**
 * Fault rules and chaos on a call into NgDP's API (docs/simulator.md, "Fault rules"): asks the
 * engine what to do with the call, and does it — answers instead of the route, closes the
 * connection, or lets the call through (perhaps losing its answer afterwards).
 */
import { randomUUID } from 'node:crypto';
import type { Request, Response } from 'express';
import type { Engine } from '../../engine/engine.ts';
import type { CallVerdict } from '../../engine/faults.ts';
import type { TranscriptFault } from '../../engine/transcript.ts';
import { errorBody } from '../../wire/errors.ts';
import { unavailableReceiptJson } from '../../wire/receipts.ts';
import { noteOf } from '../transcript.ts';

/** What the transcript calls what a verdict did to the call. */
function faultOf(verdict: CallVerdict): TranscriptFault | undefined {
  switch (verdict.kind) {
    case 'proceed':
      return verdict.delayed ? 'delay' : undefined;
    case 'unavailable':
      return verdict.chaos ? 'chaos-503' : 'status';
    case 'answer':
      return 'status';
    default:
      return verdict.kind;
  }
}

/**
 * Makes the answer to this call go nowhere (`drop: AFTER`): whatever the route answers — a success
 * or a refusal — is held for `delayMs`, then the connection is closed instead of it. The route runs
 * to its end first, so the call's effect is committed even if the client has gone meanwhile.
 */
function loseAnswer(response: Response, delayMs: number): void {
  const close = (): Response => {
    setTimeout(() => response.destroy(), delayMs).unref();
    response.end = () => response;
    response.write = () => true;
    return response;
  };
  response.end = close;
  response.write = () => {
    close();
    return true;
  };
}

/**
 * Whether the call `operation` (by `systemId`, when a system makes it) goes on to its route, after
 * any fault rule or chaos had its say; false when that answered the call instead, or closed its
 * connection. With `drop: AFTER` the call is served in full, but its answer is lost.
 */
export async function faultsLetThrough(
  engine: Engine,
  request: Request,
  response: Response,
  operation: string,
  systemId: string | undefined,
): Promise<boolean> {
  const note = noteOf(request);
  const verdict = await engine.faults.forCall(operation, systemId);
  if (note !== undefined) note.fault = faultOf(verdict);
  switch (verdict.kind) {
    case 'proceed':
      return true;
    case 'drop-after':
      loseAnswer(response, verdict.delayMs);
      return true;
    case 'drop-before':
      response.destroy();
      return false;
    default:
      break;
  }
  // Whatever of the body was not read is dropped, so the answer can go out.
  request.resume();
  if (verdict.retryAfter !== undefined) response.setHeader('retry-after', String(verdict.retryAfter));
  if (verdict.kind === 'unavailable') {
    response.status(503).json(unavailableReceiptJson(randomUUID(), engine.clock.now()));
  } else {
    response.status(verdict.status).json(errorBody('INJECTED_FAULT', `fault injected for ${operation}`));
  }
  return false;
}
