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
import type { MessageRecord } from './model.ts';

export interface MemoDigest {
  /** The MessageHeader as read (the reader is lenient: it may be incomplete or missing). */
  header: MessageHeader | undefined;
  /** {@link contentHashOf} the MeMo's bytes. */
  contentHash: string;
  /** SHA-256 of the bytes as they are, when a leading BOM makes it differ from `contentHash`. */
  sha256: string | undefined;
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
  return sha256Of(hasBom(xml) ? xml.subarray(3) : xml);
}

/**
 * The hashes a message keeps of its MeMo: the content hash, and the hash of the bytes as they are
 * when a leading BOM makes it differ ({@link servedSha256}).
 */
export function hashesOf(xml: Uint8Array): { contentHash: string; sha256?: string } {
  const contentHash = contentHashOf(xml);
  return hasBom(xml) ? { contentHash, sha256: sha256Of(xml) } : { contentHash };
}

function hasBom(xml: Uint8Array): boolean {
  return xml[0] === 0xef && xml[1] === 0xbb && xml[2] === 0xbf;
}

function sha256Of(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
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
      sha256: undefined,
      ...hashesOf(xml),
      invalid,
    },
  };
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/**
 * The SHA-256 (hex) of a message's MeMo as the simulator serves and pushes it — the bytes as
 * received — without reading them again: its content hash, unless a BOM made them differ. Null for
 * a message without a MeMo (a container entry refused before it was read).
 */
export function servedSha256(message: Pick<MessageRecord, 'contentHash' | 'sha256'>): string | null {
  if (message.contentHash === '') return null;
  return message.sha256 ?? message.contentHash;
}
