/** NgDP's `ErrorMessage` JSON of a rejection: the body of an error answer, and of an SFTP error file. */

import type { ErrorMessage, Receipt } from '../../sdk/ngdp/wire.ts';
import type { FieldProblem, Rejection } from '../engine/rejections.ts';
import { technicalReceiptJson } from './receipts.ts';

/** An `ErrorMessage`, with the sender's own earlier receipt when a duplicate send collided with it. */
export type ErrorMessageJson = Required<Omit<ErrorMessage, 'fieldErrors'>> & {
  fieldErrors: FieldProblem[];
  receipt?: Receipt;
};

export function errorMessageJson(rejection: Rejection): ErrorMessageJson {
  return {
    code: rejection.code,
    message: rejection.message,
    fieldErrors: [...rejection.fieldErrors],
    ...(rejection.original === undefined ? {} : { receipt: technicalReceiptJson(rejection.original) }),
  };
}

/** An `ErrorMessage` the adapters make themselves (injected faults, unknown paths, internal errors). */
export function errorBody(code: string, message: string): ErrorMessageJson {
  return { code, message, fieldErrors: [] };
}
