/** Business receipts: one for every MeMo taken in, only for MeMos the system got, sent again when NgDP did not take it. */
import type { OfferedMemo } from '../../evidence/recipient.ts';
import type { Check, Failure } from '../../model.ts';
import type { TranscriptEntry } from '../../runner/transcript.ts';
import type { PullObservation } from '../../scenarios/recipient-pull.ts';
import {
  CLAUSES,
  callsOf,
  failure,
  judged,
  memoEvidence,
  nameOf,
  pullCheck,
  reported,
  requestEvidence,
  uuidOf,
} from './support.ts';

/** The most receipt attempts one MeMo may take in a scenario. */
export const MAX_RECEIPT_ATTEMPTS = 8;

/** The receipt calls of each MeMo, in order. */
function receiptsByUuid(observation: PullObservation): Map<string, TranscriptEntry[]> {
  const byUuid = new Map<string, TranscriptEntry[]>();
  for (const entry of callsOf(observation, 'receipt')) {
    const uuid = uuidOf(entry);
    if (uuid !== undefined) byUuid.set(uuid, [...(byUuid.get(uuid) ?? []), entry]);
  }
  return byUuid;
}

/**
 * A failure for each of `memos` NgDP holds no business receipt for; `how` says how the system got
 * it (`was taken in`; proxy mode, which has no vendor report: `was fetched`).
 */
export function withoutReceipt(
  observation: PullObservation,
  memos: readonly OfferedMemo[],
  how: string,
): Failure[] {
  return memos
    .filter((memo) => memo.receiptStatus === null)
    .map((memo) =>
      failure(`${nameOf(memo)} ${how}, but NgDP holds no business receipt for it`, [
        memoEvidence(observation, memo),
      ]),
    );
}

const unanswered = (entry: TranscriptEntry): boolean => entry.status === null || entry.status >= 500;

export const receiptChecks: Check<PullObservation>[] = [
  pullCheck(
    'recipient-pull.receipts.each',
    'MUST',
    'Every MeMo taken in gets its business receipt at NgDP (POST /memos/{id}/receipt) before the scenario ends',
    CLAUSES.receipt,
    (observation) => {
      const taken = observation.memos.filter((memo) => reported(observation, memo).length > 0);
      return judged(taken.length > 0, withoutReceipt(observation, taken, 'was taken in'));
    },
  ),
  pullCheck(
    'recipient-pull.receipts.after-fetch',
    'MUST',
    'A business receipt is given only for a MeMo the system got: after a GET /memos/{id} NgDP answered with the MeMo',
    CLAUSES.pull,
    (observation) => {
      const fetched = new Set(observation.fetchedBefore);
      const failures = [];
      for (const entry of observation.requests) {
        const uuid = uuidOf(entry);
        if (uuid === undefined) continue;
        if (entry.operation === 'GET /memos/{id}' && entry.status === 200) fetched.add(uuid);
        if (entry.operation === 'POST /memos/{id}/receipt' && !fetched.has(uuid))
          failures.push(
            failure(`a business receipt for ${uuid} was sent before NgDP had served the system that MeMo`, [
              requestEvidence(entry, 'never fetched before'),
            ]),
          );
      }
      return judged(callsOf(observation, 'receipt').length > 0, failures);
    },
  ),
  pullCheck(
    'recipient-pull.receipts.accepted',
    'MUST',
    'Every business receipt is one NgDP takes: none refused 400, 404 or 422 (receiptStatus COMPLETED or INVALID, as JSON)',
    CLAUSES.receipt,
    (observation) => {
      const receipts = callsOf(observation, 'receipt');
      const refused = receipts.filter(
        (entry) => entry.status === 400 || entry.status === 404 || entry.status === 422,
      );
      return judged(
        receipts.length > 0,
        refused.map((entry) =>
          failure(
            `NgDP refused the business receipt for ${entry.messageUUID}: ${entry.status} ${entry.code ?? ''}`.trim(),
            [requestEvidence(entry, entry.code ?? undefined)],
          ),
        ),
      );
    },
  ),
  pullCheck(
    'recipient-pull.receipts.resent',
    'MUST',
    'A business receipt NgDP answered with 5xx, or did not answer, is sent again until NgDP has it',
    CLAUSES.lostAnswers,
    (observation) => {
      const failed = [...receiptsByUuid(observation).values()].filter((entries) => entries.some(unanswered));
      // MeMos of earlier scenarios too: a receipt still pending from one may meet this one's faults.
      const held = new Map(
        [...observation.earlier.values(), ...observation.memos].map((memo) => [
          memo.messageUUID,
          memo.receiptStatus,
        ]),
      );
      return judged(
        failed.length > 0,
        failed.flatMap((entries) => {
          const last = entries.at(-1) as TranscriptEntry;
          // NgDP may hold it all the same (it did the work and the answer was lost): no harm done.
          if (!unanswered(last) || (held.get(uuidOf(last) ?? '') ?? null) !== null) return [];
          return [
            failure(
              `the business receipt for ${last.messageUUID} ${last.status === null ? 'got no answer' : `was answered ${last.status}`} and was never sent again`,
              entries.map((entry) => requestEvidence(entry)),
            ),
          ];
        }),
      );
    },
  ),
  pullCheck(
    'recipient-pull.receipts.already-given',
    'MUST',
    'A business receipt answered 409 RECEIPT_ALREADY_GIVEN counts as given: it is not sent again',
    CLAUSES.receipt,
    (observation) => {
      const met = [...receiptsByUuid(observation).values()].filter((entries) =>
        entries.some((entry) => entry.status === 409),
      );
      return judged(
        met.length > 0,
        met.flatMap((entries) => {
          const first = entries.findIndex((entry) => entry.status === 409);
          const after = entries.slice(first + 1);
          return after.length === 0
            ? []
            : [
                failure(
                  `the business receipt for ${entries[0]?.messageUUID} was sent ${after.length} more time${after.length === 1 ? '' : 's'} after NgDP said it had it`,
                  entries.map((entry) => requestEvidence(entry, entry.code ?? undefined)),
                ),
              ];
        }),
      );
    },
  ),
  pullCheck(
    'recipient-pull.receipts.bounded',
    'MUST',
    `Business receipts are not sent without end: at most ${MAX_RECEIPT_ATTEMPTS} attempts per MeMo in a scenario`,
    CLAUSES.lostAnswers,
    (observation) => {
      const byUuid = receiptsByUuid(observation);
      return judged(
        byUuid.size > 0,
        [...byUuid.values()]
          .filter((entries) => entries.length > MAX_RECEIPT_ATTEMPTS)
          .map((entries) =>
            failure(`the business receipt for ${entries[0]?.messageUUID} was sent ${entries.length} times`, [
              requestEvidence(entries[0] as TranscriptEntry, 'first'),
              requestEvidence(entries.at(-1) as TranscriptEntry, 'last'),
            ]),
          ),
      );
    },
  ),
];
