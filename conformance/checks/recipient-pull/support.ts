/**
 * What the recipient-pull checks share: how a check is declared, where its clauses point, and views
 * of a scenario's observation — the system's calls by operation, a MeMo's report lines, whether a
 * MeMo was taken in as valid.
 */
import { linesOf, type OfferedMemo } from '../../evidence/recipient.ts';
import type { RecipientReportLine } from '../../evidence/recipient-report.ts';
import type { Check, Evidence, Judgement, Level } from '../../model.ts';
import { RECIPIENT_OPERATIONS } from '../../runner/recipient-session.ts';
import type { TranscriptEntry } from '../../runner/transcript.ts';
import type { PullObservation } from '../../scenarios/recipient-pull.ts';
import type { RecipientPullCheckId } from './ids.ts';

export { failure, judged, note, requestEvidence } from '../sender/support.ts';

/** Where the recipient-pull checks' requirements come from. */
export const CLAUSES = {
  protocol: 'digitalpost conformance protocol (docs/conformance.md, "Writing the adapter (recipient-pull)")',
  pull: 'NgDP API GET /memos/, GET /memos/{id} (OpenAPI 1.68; REST PULL, docs/sdk.md "PULL")',
  memo: 'MeMo 1.1/1.2 schema and NgDP’s MeMo rules R1–R18 (docs/memo.md)',
  limits: 'Bekendtgørelse om Digital Post: 99.5 MB and 10 attachments per message (docs/memo.md R12)',
  invalid:
    'NgDP’s reference recipient: an unreadable MeMo is answered with an INVALID business receipt (ngdp-api §5.1, §5.2)',
  receipt:
    'NgDP API POST /memos/{id}/receipt (OpenAPI 1.68): COMPLETED or INVALID, 200; 409 receipt already given',
  lostAnswers: 'interpreted: see differences.md, "The conformance suite" (NgDP’s answers may be lost)',
  unavailable: 'NgDP API 503 (OpenAPI 1.68: retry later) and Retry-After (RFC 9110 §10.2.3)',
  auth: 'NgDP API authentication: Authorization: Basic <API key> (Technical integration; docs/sdk.md)',
  polling:
    'interpreted: see differences.md, "The conformance suite" (polling judged as rates over 10 s windows)',
} as const;

/** Declares a recipient-pull check. */
export function pullCheck(
  id: RecipientPullCheckId,
  level: Level,
  title: string,
  clause: string,
  judge: (observation: PullObservation) => Judgement,
): Check<PullObservation> {
  return { id, profile: 'recipient-pull', level, title, clause, judge };
}

/** The system's calls of one kind, in the order they ended. */
export function callsOf(
  observation: PullObservation,
  kind: keyof typeof RECIPIENT_OPERATIONS,
): TranscriptEntry[] {
  return observation.requests.filter((entry) => entry.operation === RECIPIENT_OPERATIONS[kind]);
}

/** The lower-cased messageUUID a call concerns. */
export const uuidOf = (entry: TranscriptEntry): string | undefined => entry.messageUUID?.toLowerCase();

/** The report's lines for `memo` so far in the run. */
export const reported = (observation: PullObservation, memo: OfferedMemo): RecipientReportLine[] =>
  linesOf(observation, memo.messageUUID);

/** A short name for a MeMo in messages: `3f2b8c1e… (large)`. */
export const nameOf = (memo: OfferedMemo): string => `${memo.messageUUID.slice(0, 8)}… (${memo.kind})`;

/** Evidence naming a MeMo and where it stands. */
export function memoEvidence(observation: PullObservation, memo: OfferedMemo): Evidence {
  const lines = reported(observation, memo);
  const said =
    lines.length === 0
      ? 'not reported'
      : lines.map((line) => `line ${line.line}: ${line.outcome}`).join(', ');
  return {
    messageUUID: memo.messageUUID,
    note: `${memo.kind}, ${memo.size} bytes; ${said}; business receipt at NgDP: ${memo.receiptStatus ?? 'none'}`,
  };
}

/** How a MeMo that had to be taken as valid fell short, or undefined when it was accepted. */
export function notAccepted(observation: PullObservation, memo: OfferedMemo): string | undefined {
  const lines = reported(observation, memo);
  if (lines.length === 0 && memo.receiptStatus === null) return 'was never taken in';
  if (lines.some((line) => line.outcome === 'REJECTED')) return 'was reported REJECTED';
  if (memo.receiptStatus === 'INVALID') return 'was refused with an INVALID business receipt';
  return undefined;
}
