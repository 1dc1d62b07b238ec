/**
 * The MeMos the recipient profiles deliver: letters from the suite's sender to the vendor's company
 * (small, with ten attachments, over 50 MB), and MeMos NgDP's own checks would stop — an invalid
 * one and bytes that are no MeMo — which the suite hands over unchecked. Every document's bytes are
 * drawn from the scenario's random stream, so a seed makes the same MeMos (messageUUIDs included).
 */
import { createLetter } from '../../sdk/memo/builder.ts';
import { serializeMemoToBytes } from '../../sdk/memo/writer.ts';
import { below, type Random } from '../prng.ts';
import { type HostileKind, type HostileRequest, multipartOf, OVERSIZED_BYTES } from '../runner/hostile.ts';
import { RECIPIENT_PARTIES as PARTIES, uuidFrom } from './recipient-memos.ts';

/** What the suite delivers to the vendor's system, and how. */
export type MemoKind =
  /** A valid letter, sent through NgDP (`POST /memos/`) by the suite's sender system. */
  | 'letter'
  /** A MeMo that breaks the schema (a 300-character label), delivered unchecked. */
  | 'invalid'
  /** Bytes that are no MeMo at all, delivered unchecked. */
  | 'not-xml';

export interface MemoPlan {
  /** The suite's name for it, unique in the scenario. */
  ref: string;
  kind: MemoKind;
  /** Attachments (default none). */
  attachments?: number;
  /** The main document's size in bytes (default about 2 KiB). */
  documentBytes?: number;
  /** NgDP pushes (or notifies) it this many times more once the first was taken. */
  redeliver?: number;
}

/** A MeMo the suite built for a plan. */
export interface BuiltMemo {
  ref: string;
  kind: MemoKind;
  messageUUID: string;
  xml: Uint8Array;
  /** Valid by NgDP's rules: the vendor must take it. */
  valid: boolean;
  attachments: number;
  redeliver: number;
}

/** `size` bytes drawn from `random`, four at a time. */
export function bytesFrom(random: Random, size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  const view = new DataView(bytes.buffer);
  let at = 0;
  for (; at + 4 <= size; at += 4) view.setUint32(at, Math.floor(random() * 4_294_967_296));
  for (; at < size; at++) bytes[at] = below(random, 256);
  return bytes;
}

/** A PDF-looking document: a header, then `size` random bytes. */
const pdf = (random: Random, size: number): Uint8Array =>
  Buffer.concat([Buffer.from('%PDF-1.4\n%conformance\n'), bytesFrom(random, size), Buffer.from('\n%%EOF\n')]);

/** A label marker the invalid MeMo's label replaces. */
const BREAK = 'LABEL-TO-BREAK';

/** Builds the MeMo of `plan`, its bytes and messageUUID drawn from `random`. */
export async function buildMemo(plan: MemoPlan, random: Random): Promise<BuiltMemo> {
  const messageUUID = uuidFrom(random);
  const base = {
    ref: plan.ref,
    kind: plan.kind,
    messageUUID,
    attachments: plan.attachments ?? 0,
    redeliver: plan.redeliver ?? 0,
  };
  if (plan.kind === 'not-xml') {
    return { ...base, xml: Buffer.concat([Buffer.from('GARBAGE '), bytesFrom(random, 2048)]), valid: false };
  }
  const memo = await createLetter({
    messageUUID,
    sender: PARTIES.sender,
    recipient: { cvr: PARTIES.recipient.cvr, label: PARTIES.recipient.label },
    label: plan.kind === 'invalid' ? BREAK : `Brev ${plan.ref} fra conformance-suiten`,
    document: { filename: `${plan.ref}.pdf`, content: pdf(random, plan.documentBytes ?? 2048) },
    attachments: Array.from({ length: plan.attachments ?? 0 }, (_, index) => ({
      filename: `bilag-${index + 1}.pdf`,
      content: pdf(random, 1024),
    })),
  });
  const xml = serializeMemoToBytes(memo);
  if (plan.kind === 'invalid')
    return { ...base, xml: Buffer.from(xml.toString('utf8').replace(BREAK, 'x'.repeat(300))), valid: false };
  return { ...base, xml, valid: true };
}

/** The hostile request of `kind`, its MeMos and ids drawn from `random` (none of them NgDP knows). */
export async function buildHostile(
  kind: HostileKind,
  pubsub: boolean,
  random: Random,
): Promise<HostileRequest> {
  const letter = async (): Promise<BuiltMemo> =>
    buildMemo({ ref: `hostile-${kind}`, kind: 'letter' }, random);
  if (pubsub) {
    const notification = (messageUUID: string): Buffer =>
      Buffer.from(
        JSON.stringify({
          messageUUID,
          memoUrl: `https://example.invalid/apis/v1/memos/${messageUUID}`,
          timeStamp: '2026-01-01T00:00:00Z',
        }),
      );
    const id = uuidFrom(random);
    switch (kind) {
      case 'garbage':
        return {
          kind,
          what: 'a body that is not JSON',
          contentType: 'application/json',
          body: Buffer.from('{"messageUUID": '),
          uuids: [],
        };
      case 'not-a-uuid':
        return {
          kind,
          what: 'a notification whose messageUUID is no UUID',
          contentType: 'application/json',
          body: Buffer.from(
            JSON.stringify({ messageUUID: '../../receipts/?x=1', memoUrl: 'x', timeStamp: 'x' }),
          ),
          uuids: [],
        };
      case 'unknown-id':
        return {
          kind,
          what: 'a notification of a MeMo NgDP does not hold',
          contentType: 'application/json',
          body: notification(id),
          uuids: [id],
        };
      case 'oversized':
        return {
          kind,
          what: `a notification declaring ${OVERSIZED_BYTES} bytes`,
          contentType: 'application/json',
          body: Buffer.from('{"messageUUID":"'),
          declaredLength: OVERSIZED_BYTES,
          uuids: [],
        };
      default:
        return {
          kind,
          what: 'a notification sent as text/plain',
          contentType: 'text/plain',
          body: notification(id),
          uuids: [id],
        };
    }
  }
  switch (kind) {
    case 'garbage': {
      const id = uuidFrom(random);
      const { body, contentType } = multipartOf({
        name: 'file',
        filename: id,
        content: bytesFrom(random, 4096),
      });
      return { kind, what: 'a part "file" holding bytes that are no MeMo', contentType, body, uuids: [id] };
    }
    case 'filename-mismatch': {
      const memo = await letter();
      const filename = uuidFrom(random);
      const { body, contentType } = multipartOf({ name: 'file', filename, content: memo.xml });
      return {
        kind,
        what: 'a valid MeMo in part "file" named by another messageUUID than its own',
        contentType,
        body,
        uuids: [filename, memo.messageUUID],
      };
    }
    case 'missing-part': {
      const memo = await letter();
      const { body, contentType } = multipartOf({
        name: 'document',
        filename: memo.messageUUID,
        content: memo.xml,
      });
      return {
        kind,
        what: 'a valid MeMo in a part named "document", none named "file"',
        contentType,
        body,
        uuids: [memo.messageUUID],
      };
    }
    case 'oversized': {
      const id = uuidFrom(random);
      const { body, contentType } = multipartOf({
        name: 'file',
        filename: id,
        content: Buffer.from('<?xml version="1.0"?>'),
      });
      return {
        kind,
        what: `a push declaring ${OVERSIZED_BYTES} bytes`,
        contentType,
        body: body.subarray(0, body.length - 20),
        declaredLength: OVERSIZED_BYTES,
        uuids: [id],
      };
    }
    default: {
      const memo = await letter();
      return {
        kind,
        what: 'a valid MeMo sent as application/xml, not multipart',
        contentType: 'application/xml',
        body: memo.xml,
        uuids: [memo.messageUUID],
      };
    }
  }
}
