/**
 * What the sender checks share: how a check is declared, where its clauses point, the sends; the
 * views they share with the sender-sftp profile are in ../shared/support.ts.
 */
import type { SenderObservation } from '../../evidence/sender.ts';
import type { Check, Evidence, Judgement, Level } from '../../model.ts';
import { evidenceOf, type TranscriptEntry } from '../../runner/transcript.ts';
import type { SenderCheckId } from './ids.ts';

export {
  failure,
  heldForLetter,
  heldOf,
  judged,
  letterOf,
  linesFor,
  messageOfLetter,
  nameOf,
  note,
  sameUuid,
} from '../shared/support.ts';

import { SHARED_CLAUSES } from '../shared/support.ts';

/** Where the sender checks' requirements come from. */
export const CLAUSES = {
  ...SHARED_CLAUSES,
  sendMemo: 'NgDP API POST /memos/ (OpenAPI 1.68 SendMemo): Content-Type, memo-message-uuid',
  resend:
    'interpreted: see differences.md, "Idempotent resend" (NgDP’s answer to a resend is not documented)',
  unavailable:
    'NgDP API POST /memos/ 503 (OpenAPI 1.68: Receipt body, retry later) and Retry-After (RFC 9110 §10.2.3)',
  outage: 'interpreted: see differences.md, "The conformance suite" (bounded retries)',
  receiptsPull: 'NgDP API GET /receipts-bulk/, DELETE /receipts/{id} (OpenAPI 1.68; docs/sdk.md, "Receipts")',
  receiptsPush:
    'NgDP pushes receipts to the system’s receiptEndpoint (OpenAPI 1.68 MailSystem.receiptEndpoint)',
  atLeastOnce: 'interpreted: see differences.md, "Delivery retries" (NgDP’s deliveries are at least once)',
  recall: 'interpreted: see differences.md, "Recall" (DELETE /memos/{messageUUID} before the value date)',
  auth: 'NgDP API authentication: Authorization: Basic <API key> (Technical integration; docs/sdk.md)',
  polling:
    'interpreted: see differences.md, "The conformance suite" (polling judged as rates over 10 s windows)',
} as const;

/** Declares a sender check. */
export function senderCheck(
  id: SenderCheckId,
  level: Level,
  title: string,
  clause: string,
  judge: (observation: SenderObservation) => Judgement,
): Check<SenderObservation> {
  return { id, profile: 'sender', level, title, clause, judge };
}

export const requestEvidence = (entry: TranscriptEntry, text?: string): Evidence => evidenceOf(entry, text);

/** The vendor's `POST /memos/` requests, in order. */
export function sendsOf(observation: SenderObservation): TranscriptEntry[] {
  return observation.requests.filter((entry) => entry.operation === 'POST /memos/');
}
