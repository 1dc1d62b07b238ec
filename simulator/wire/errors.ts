/** NgDP's `ErrorMessage` JSON of a rejection: the body of an error answer, and of an SFTP error file. */

import type { ErrorMessage, Receipt } from '../../sdk/ngdp/wire.ts';
import type { FieldProblem, Rejection } from '../engine/rejections.ts';
import { technicalReceiptJson } from './receipts.ts';

/** An `ErrorMessage`, with the sender's own earlier receipt when a duplicate send collided with it. */
export type ErrorMessageJson = Required<Omit<ErrorMessage, 'fieldErrors'>> & {
  fieldErrors: FieldProblem[];
  receipt?: Receipt;
};

/** Longest `rejectedValue` (as JSON) an answer repeats; a longer one is left out. */
const REJECTED_VALUE_LIMIT = 1024;

/**
 * A field's `rejectedValue` as the answer repeats it: as given when it is short, else left out. It
 * comes from the caller, and may be anything — 100 000 nested arrays, a 1 MB string.
 */
function shown(problem: FieldProblem): FieldProblem {
  const { rejectedValue, ...rest } = problem;
  if (rejectedValue === undefined || rejectedValue === null || typeof rejectedValue === 'boolean')
    return problem;
  if (typeof rejectedValue === 'number') return Number.isFinite(rejectedValue) ? problem : rest;
  if (typeof rejectedValue === 'string') return rejectedValue.length <= REJECTED_VALUE_LIMIT ? problem : rest;
  try {
    const text = JSON.stringify(rejectedValue);
    return text !== undefined && text.length <= REJECTED_VALUE_LIMIT ? problem : rest;
  } catch {
    return rest;
  }
}

export function errorMessageJson(rejection: Rejection): ErrorMessageJson {
  return {
    code: rejection.code,
    message: rejection.message,
    fieldErrors: rejection.fieldErrors.map(shown),
    ...(rejection.original === undefined ? {} : { receipt: technicalReceiptJson(rejection.original) }),
  };
}

/** An `ErrorMessage` the adapters make themselves (injected faults, unknown paths, internal errors). */
export function errorBody(code: string, message: string): ErrorMessageJson {
  return { code, message, fieldErrors: [] };
}
