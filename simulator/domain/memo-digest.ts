/**
 * What the simulator keeps of a MeMo it has read: the header that routing and the event log need,
 * the hash that tells a repeat from a conflict, and — when the MeMo breaks the schema or NgDP's
 * rules — the INVALID receipt it will get. Not the model: its decoded files can be as large as the
 * MeMo, and a digest is small enough to keep for every message waiting to be processed and to pass
 * between threads.
 */
import { createHash } from 'node:crypto';
import { MemoParseError } from '../../sdk/errors.ts';
import { readMemo } from '../../sdk/memo/reader.ts';
import type { MessageHeader } from '../../sdk/memo/types.ts';
import { type ValidateOptions, validateMemo } from '../../sdk/memo/validate.ts';
import { type Rejection as Refusal, validationRejection } from './acceptance.ts';

export interface MemoDigest {
  /** The MessageHeader as read (the reader is lenient: it may be incomplete or missing). */
  header: MessageHeader | undefined;
  /** {@link contentHashOf} the MeMo's bytes. */
  contentHash: string;
  /** The receipt of a MeMo that breaks the schema or NgDP's rules; undefined when it is valid. */
  invalid: Refusal | undefined;
}

/** A MeMo read: its digest, or why it cannot be read at all. */
export type MemoReading = { digest: MemoDigest } | { unreadable: string };

/** The MeMo rules received messages are held to (the engine's `validation` setting). */
export type ValidationRules = Pick<
  ValidateOptions,
  'notificationMaxLength' | 'maxAttachments' | 'maxTotalContentBytes'
>;

/**
 * What makes two sends "the same message": the XML's bytes, less a leading UTF-8 BOM, so a MeMo
 * sent alone and again inside a container (whose tooling adds a BOM) is one message.
 */
export function contentHashOf(xml: Uint8Array): string {
  const bom = xml[0] === 0xef && xml[1] === 0xbb && xml[2] === 0xbf;
  return createHash('sha256')
    .update(bom ? xml.subarray(3) : xml)
    .digest('hex');
}

/**
 * Reads a MeMo leniently, checks it against the schema and NgDP's rules, and hashes it. The work
 * is the same on whichever thread it runs, so this is the one place it is written.
 *
 * It never throws for what the MeMo holds. A MeMo the reader fails on otherwise than with a
 * MemoParseError (a bug, or more than it foresaw) is unreadable with that reason; one whose rules
 * cannot be checked is `INVALID` `PROCESSING_FAILED`, as when processing itself fails: the sender
 * hears why, and nothing is tried again for ever.
 */
export function digestMemo(xml: Uint8Array, rules: ValidationRules): MemoReading {
  let read: ReturnType<typeof readMemo>;
  try {
    // The reader's field limits are the validation's (notificationMaxLength and the rest).
    read = readMemo(xml, rules);
  } catch (error) {
    return { unreadable: error instanceof MemoParseError ? error.message : reasonOf(error) };
  }
  const { memo, issues: structural } = read;
  const header = memo.messageHeader as MessageHeader | undefined;
  let invalid: Refusal | undefined;
  try {
    const issues = [...structural, ...validateMemo(memo, rules).issues];
    invalid = issues.length > 0 ? validationRejection({ issues }) : undefined;
  } catch (error) {
    invalid = {
      status: 'INVALID',
      code: 'PROCESSING_FAILED',
      message: `the simulator could not check the MeMo (${reasonOf(error).slice(0, 500)})`,
    };
  }
  return {
    digest: {
      header: typeof header === 'object' && header !== null ? header : undefined,
      contentHash: contentHashOf(xml),
      invalid,
    },
  };
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/**
 * The SHA-256 (hex) of a stored MeMo's bytes as the simulator serves and pushes them. That is its
 * content hash unless the bytes begin with a BOM (which the content hash leaves out), so a 100 MB
 * MeMo is hashed only once, when it is received.
 */
export function servedSha256(xml: Uint8Array, contentHash: string): string {
  const bom = xml[0] === 0xef && xml[1] === 0xbb && xml[2] === 0xbf;
  return bom || contentHash === '' ? createHash('sha256').update(xml).digest('hex') : contentHash;
}
