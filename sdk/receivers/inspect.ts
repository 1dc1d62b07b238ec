/**
 * What a recipient system makes of a delivered MeMo: which message it is, and whether it is valid.
 * The verdict becomes the business receipt (`COMPLETED`, or `INVALID` with the problems).
 */
import { MemoParseError, MemoValidationError } from '../errors.ts';
import { clip, describeIssues } from '../memo/issues.ts';
import { readMemo } from '../memo/reader.ts';
import type { Memo, MemoIssue } from '../memo/types.ts';
import { type ValidateOptions, validateMemo } from '../memo/validate.ts';
import { isUuid, maskCpr } from '../ngdp/identifiers.ts';

/** The receipt codes are the project's (simulator.md "Error codes"); NgDP's are not public. */
export type Inspection =
  | { valid: true; messageUUID: string; memo: Memo }
  | {
      valid: false;
      messageUUID: string;
      errorCode: 'MEMO_SCHEMA_INVALID' | 'MEMO_UUID_MISMATCH';
      problem: MemoParseError | MemoValidationError;
      /** What the reader or validator threw other than its documented errors (a bug to report). */
      cause?: unknown;
    };

/**
 * Reads and validates a MeMo delivered as `deliveredAs` (the push's filename or the notified id,
 * when that is a UUID). The message is the one the MeMo names itself; a MeMo naming another than
 * `deliveredAs` is invalid. Undefined when neither names a message. Whatever the bytes, it does not
 * throw: a failure of the reader or validator makes the MeMo unreadable (INVALID, and the failure
 * reported), never a 500 that NgDP would answer with the same bytes again and again.
 */
export function inspectMemo(
  xml: Uint8Array,
  deliveredAs: string,
  validation: ValidateOptions | undefined,
): Inspection;
export function inspectMemo(
  xml: Uint8Array,
  deliveredAs: string | undefined,
  validation: ValidateOptions | undefined,
): Inspection | undefined;
export function inspectMemo(
  xml: Uint8Array,
  deliveredAs: string | undefined,
  validation: ValidateOptions | undefined,
): Inspection | undefined {
  try {
    return inspect(xml, deliveredAs, validation);
  } catch (error) {
    if (deliveredAs === undefined) return undefined;
    const problem = new MemoParseError('XML_MALFORMED', 'the MeMo cannot be read');
    return {
      valid: false,
      messageUUID: deliveredAs,
      errorCode: 'MEMO_SCHEMA_INVALID',
      problem,
      cause: error,
    };
  }
}

function inspect(
  xml: Uint8Array,
  deliveredAs: string | undefined,
  validation: ValidateOptions | undefined,
): Inspection | undefined {
  let memo: Memo;
  let issues: MemoIssue[];
  try {
    // The reader's field limits and version are the validation's.
    ({ memo, issues } = readMemo(xml, validation ?? {}));
  } catch (error) {
    if (!(error instanceof MemoParseError)) throw error;
    return deliveredAs === undefined
      ? undefined
      : { valid: false, messageUUID: deliveredAs, errorCode: 'MEMO_SCHEMA_INVALID', problem: error };
  }
  const own = memo.messageHeader?.messageUUID;
  const messageUUID = isUuid(own) ? own : deliveredAs;
  if (messageUUID === undefined) return undefined;
  if (isUuid(own) && deliveredAs !== undefined && own.toLowerCase() !== deliveredAs.toLowerCase()) {
    const mismatch = {
      path: 'MessageHeader/messageUUID',
      code: 'MEMO_UUID_MISMATCH',
      message: `the MeMo's messageUUID ${own} is not the one it was delivered as (${deliveredAs})`,
    };
    return {
      valid: false,
      messageUUID,
      errorCode: 'MEMO_UUID_MISMATCH',
      problem: new MemoValidationError([mismatch], 'MeMo delivered under another messageUUID'),
    };
  }
  const all = [...issues, ...validateMemo(memo, validation).issues];
  if (all.length > 0) {
    return {
      valid: false,
      messageUUID,
      errorCode: 'MEMO_SCHEMA_INVALID',
      problem: new MemoValidationError(all),
    };
  }
  return { valid: true, messageUUID, memo };
}

const LISTED_ISSUES = 10;
const MAX_ERROR_MESSAGE = 2_000;
const NOT_VALID = 'MeMo is not valid: ';

/**
 * The `errorMessage` of an INVALID receipt: the problems (the first ten), CPR numbers masked — the
 * receipt travels back to the sender and into logs.
 */
export function receiptMessage(problem: MemoParseError | MemoValidationError): string {
  if (problem instanceof MemoParseError)
    return clip(maskCpr(`MeMo cannot be read: ${problem.message}`), MAX_ERROR_MESSAGE);
  const issues = describeIssues(problem.issues, {
    limit: LISTED_ISSUES,
    maxLength: MAX_ERROR_MESSAGE - NOT_VALID.length,
  });
  return `${NOT_VALID}${issues}`;
}
