/**
 * A MeMo made ready to send, shared by `memos.send` and `memos.sendBatch`: validated (unless turned
 * off), serialized once, and its messageUUID known.
 */
import { MemoValidationError } from '../errors.ts';
import { readMemo } from '../memo/reader.ts';
import type { Memo } from '../memo/types.ts';
import { type ValidateOptions, validateMemo } from '../memo/validate.ts';
import { serializeMemoToBytes } from '../memo/writer.ts';

/** How a MeMo is checked before it is sent. */
export interface PrepareOptions {
  /** Validate the MeMo locally before sending (default true): invalid ones are never sent. */
  validate?: boolean;
  /** Rules of the local validation (default: NgDP's rules). */
  validation?: ValidateOptions;
}

/** A MeMo ready to send: its bytes exactly as they go on the wire, and its messageUUID. */
export interface PreparedMemo {
  bytes: Uint8Array;
  messageUUID: string;
}

export function isMemo(input: unknown): input is Memo {
  return (
    typeof input === 'object' && input !== null && !(input instanceof Uint8Array) && 'messageHeader' in input
  );
}

const NOT_VALID = 'the MeMo was not sent: it is not valid';

/**
 * Validates (unless `validate: false`) and serializes a MeMo given as a model, XML text or bytes.
 *
 * @throws MemoValidationError when it is invalid or has no messageUUID.
 * @throws MemoParseError with `validate: false`, when the XML cannot be read at all.
 */
export function prepareMemo(input: Memo | string | Uint8Array, options: PrepareOptions): PreparedMemo {
  if (isMemo(input)) {
    if (options.validate !== false) {
      const result = validateMemo(input, options.validation);
      if (!result.valid) throw new MemoValidationError(result.issues, NOT_VALID);
    }
    return { bytes: serializeMemoToBytes(input), messageUUID: messageUUIDOf(input) };
  }
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  let memo: Memo | undefined;
  if (options.validate !== false) {
    const result = validateMemo(bytes, options.validation);
    if (!result.valid) throw new MemoValidationError(result.issues, NOT_VALID);
    memo = result.memo;
  } else {
    memo = readMemo(bytes).memo;
  }
  return { bytes, messageUUID: messageUUIDOf(memo) };
}

function messageUUIDOf(memo: Memo | undefined): string {
  const messageUUID = memo?.messageHeader?.messageUUID;
  if (typeof messageUUID !== 'string') {
    throw new MemoValidationError(
      [
        {
          path: 'MessageHeader/messageUUID',
          code: 'MISSING_ELEMENT',
          message: 'MessageHeader must contain messageUUID',
        },
      ],
      'the MeMo was not sent',
    );
  }
  return messageUUID;
}
