/**
 * What the sender checks share: how a check is declared, where its clauses point, and views of a
 * scenario's observation — the sends, the message NgDP holds for each letter, the report's lines.
 */
import type { HeldMessage, ScenarioLetter, SenderObservation } from '../../evidence/sender.ts';
import type { SenderReportLine } from '../../evidence/vendor-report.ts';
import type { Check, Evidence, Failure, Judgement, Level } from '../../model.ts';
import { evidenceOf, type TranscriptEntry } from '../../runner/transcript.ts';
import type { SenderCheckId } from './ids.ts';

/** Where the sender checks' requirements come from. */
export const CLAUSES = {
  protocol: 'digitalpost conformance protocol (docs/conformance.md, "Writing the adapter")',
  sendMemo: 'NgDP API POST /memos/ (OpenAPI 1.68 SendMemo): Content-Type, memo-message-uuid',
  memoSchema: 'MeMo 1.1/1.2 schema and NgDP’s MeMo rules R1–R18 (docs/memo.md)',
  memoParties: 'MeMo MessageHeader/Sender and Recipient (docs/memo.md §3.3–3.4)',
  memoDocuments:
    'MeMo MessageBody/MainDocument and AdditionalDocument, File/content (docs/memo.md §3.13–3.14)',
  resend:
    'interpreted: see differences.md, "Idempotent resend" (NgDP’s answer to a resend is not documented)',
  unavailable:
    'NgDP API POST /memos/ 503 (OpenAPI 1.68: Receipt body, retry later) and Retry-After (RFC 9110 §10.2.3)',
  outage: 'interpreted: see differences.md, "The conformance suite" (bounded retries)',
  receiptsPull: 'NgDP API GET /receipts-bulk/, DELETE /receipts/{id} (OpenAPI 1.68; docs/sdk.md, "Receipts")',
  receiptsPush:
    'NgDP pushes receipts to the system’s receiptEndpoint (OpenAPI 1.68 MailSystem.receiptEndpoint)',
  atLeastOnce: 'interpreted: see differences.md, "Delivery retries" (NgDP’s deliveries are at least once)',
  outcomes: 'NgDP API Receipt.receiptStatus: COMPLETED, INVALID, NOT_ALLOWED (OpenAPI 1.68)',
  valueDate:
    'Digitaliseringsstyrelsen: value date up to five days ahead, no time of day (MeMo doNotDeliverUntilDate, xs:date)',
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

export const failure = (message: string, evidence: Evidence[] = []): Failure => ({ message, evidence });

export const note = (text: string, messageUUID?: string | null): Evidence => ({
  note: text,
  ...(messageUUID === undefined ? {} : { messageUUID }),
});

export const requestEvidence = (entry: TranscriptEntry, text?: string): Evidence => evidenceOf(entry, text);

/** The vendor's `POST /memos/` requests, in order. */
export function sendsOf(observation: SenderObservation): TranscriptEntry[] {
  return observation.requests.filter((entry) => entry.operation === 'POST /memos/');
}

export const sameUuid = (a: string | null | undefined, b: string | null | undefined): boolean =>
  a !== null && a !== undefined && b !== null && b !== undefined && a.toLowerCase() === b.toLowerCase();

/** The message NgDP holds under `uuid`. */
export function heldOf(
  observation: SenderObservation,
  uuid: string | null | undefined,
): HeldMessage | undefined {
  return uuid === null || uuid === undefined ? undefined : observation.held.get(uuid.toLowerCase());
}

/** Every message NgDP holds for `ref` (more than one: the letter went twice). */
export function heldForLetter(observation: SenderObservation, ref: string): HeldMessage[] {
  return [...observation.held.values()].filter((message) => message.letter === ref);
}

/** The report's lines for `ref`. */
export function linesFor(observation: SenderObservation, ref: string): SenderReportLine[] {
  return observation.report.lines.filter((line) => line.ref === ref);
}

/**
 * The letter's message at NgDP: the one the report names when NgDP holds it for this letter, else
 * the first NgDP holds for it.
 */
export function messageOfLetter(observation: SenderObservation, ref: string): HeldMessage | undefined {
  const held = heldForLetter(observation, ref);
  const reported = linesFor(observation, ref)[0]?.messageUUID;
  return held.find((message) => sameUuid(message.messageUUID, reported)) ?? held[0];
}

/** The letter the suite gave as `ref`. */
export function letterOf(observation: SenderObservation, ref: string): ScenarioLetter | undefined {
  return observation.letters.find((letter) => letter.ref === ref);
}

/** A short name for a letter in messages: `L2 (to 0101700002)`. */
export function nameOf(letter: ScenarioLetter): string {
  return `${letter.ref} (to ${letter.recipient.id})`;
}

/** `[]` when nothing failed, else the failures; not applicable when `applicable` is false. */
export function judged(applicable: boolean, failures: Failure[]): Judgement {
  return applicable ? failures : 'not-applicable';
}
