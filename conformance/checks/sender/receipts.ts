/** Business receipts and outcomes: followed, acknowledged or taken when pushed, and told as NgDP told them. */
import type { SenderObservation } from '../../evidence/sender.ts';
import type { SenderOutcome } from '../../evidence/vendor-report.ts';
import type { Check } from '../../model.ts';
import { type TranscriptEntry, wallOf } from '../../runner/transcript.ts';
import {
  outcomeDelivered,
  outcomeErrorCode,
  outcomeInvalid,
  outcomeNotDelivered,
  receiptsFollowed,
} from '../shared/outcomes.ts';
import {
  CLAUSES,
  failure,
  heldOf,
  judged,
  linesFor,
  messageOfLetter,
  note,
  requestEvidence,
  sameUuid,
  senderCheck,
  sendsOf,
} from './support.ts';

/** A push answered 2xx within NgDP's push timeout. */
const answered = (push: TranscriptEntry): boolean =>
  push.status !== null && push.status >= 200 && push.status <= 299 && push.durationMs < PUSH_TIMEOUT_MS;

/** The first delivery of each receipt (by messageUUID), in order. */
function firstPushes(pushes: readonly TranscriptEntry[]): TranscriptEntry[] {
  const seen = new Set<string>();
  return pushes.filter((push) => {
    const uuid = push.messageUUID?.toLowerCase() ?? '';
    if (seen.has(uuid)) return false;
    seen.add(uuid);
    return true;
  });
}

/** A push that failed as the adapter was ending (or after) is not held against it. */
const endingGrace =
  (observation: SenderObservation) =>
  (push: TranscriptEntry): boolean =>
    wallOf(push) >= observation.adapter.endedAt - PUSH_GRACE_MS;

/** Pushes this close to the adapter's end are not judged: it may be shutting down. */
const PUSH_GRACE_MS = 1_000;
/** NgDP's push timeout (docs/simulator.md). */
const PUSH_TIMEOUT_MS = 30_000;

const RECEIPT_LISTS = new Set(['GET /receipts/', 'GET /receipts-bulk/', 'GET /receipts/{id}']);
const FINAL: readonly SenderOutcome[] = ['DELIVERED', 'NOT_DELIVERED', 'INVALID'];

export const receiptChecks: Check<SenderObservation>[] = [
  senderCheck(
    'sender.receipts.polled',
    'MUST',
    'A system that pulls receipts polls NgDP for them (GET /receipts-bulk/ or /receipts/) once its letters are accepted',
    CLAUSES.receiptsPull,
    (observation) => {
      if (observation.receipts !== 'pull') return 'not-applicable';
      // A letter recalled at once has no receipt to come.
      const awaited = (entry: TranscriptEntry): boolean =>
        entry.status === 201 && heldOf(observation, entry.messageUUID)?.state.state !== 'RECALLED';
      const accepted = sendsOf(observation).find(awaited);
      if (accepted === undefined) return 'not-applicable';
      const polled = observation.requests.some(
        (entry) => entry.seq > accepted.seq && RECEIPT_LISTS.has(entry.operation),
      );
      return polled
        ? []
        : [
            failure('letters were accepted, but the system never asked NgDP for their business receipts', [
              requestEvidence(accepted, 'accepted'),
            ]),
          ];
    },
  ),
  senderCheck(
    'sender.receipts.followed',
    'MUST',
    'Business receipts are followed: a letter whose receipt NgDP had made is not reported PENDING',
    CLAUSES.receiptsPull,
    receiptsFollowed,
  ),
  senderCheck(
    'sender.receipts.acknowledged',
    'MUST',
    'Every business receipt the system acted on is acknowledged (DELETE /receipts/{id}), so NgDP stops offering it',
    CLAUSES.receiptsPull,
    (observation) => {
      const left = observation.leftoverReceipts;
      if (left === undefined) return 'not-applicable';
      const finals = observation.report.lines.filter(
        (line) => FINAL.includes(line.outcome) && line.messageUUID !== null,
      );
      return judged(
        finals.length > 0,
        finals.flatMap((line) =>
          left
            .filter((receipt) => sameUuid(receipt.messageUUID, line.messageUUID))
            .map((receipt) =>
              failure(
                `${line.ref} was reported ${line.outcome}, but its ${receipt.receiptStatus} receipt was never acknowledged`,
                [note(`receipt ${receipt.id ?? '?'} still listed by GET /receipts-bulk/`, line.messageUUID)],
              ),
            ),
        ),
      );
    },
  ),
  senderCheck(
    'sender.receipts.push-answered',
    'MUST',
    'Every receipt NgDP pushes to the receipt endpoint is answered 2xx within NgDP’s push timeout (30 s) the first time',
    CLAUSES.receiptsPush,
    (observation) => {
      if (observation.receipts !== 'push') return 'not-applicable';
      const firsts = firstPushes(observation.pushes);
      const excused = endingGrace(observation);
      return judged(
        firsts.length > 0,
        firsts
          .filter((push) => !answered(push) && !excused(push))
          .map((push) =>
            failure(
              `NgDP pushed the receipt of ${push.messageUUID ?? '?'} and the endpoint answered ${push.status ?? 'nothing'} after ${push.durationMs} ms`,
              [requestEvidence(push, 'the first delivery of this receipt')],
            ),
          ),
      );
    },
  ),
  senderCheck(
    'sender.receipts.push-idempotent',
    'MUST',
    'A receipt pushed again after the endpoint took it is answered 2xx again, and its letter is still reported once',
    CLAUSES.atLeastOnce,
    (observation) => {
      const firsts = new Set(firstPushes(observation.pushes));
      const excused = endingGrace(observation);
      const takenBefore = new Set<string>();
      const repeats: TranscriptEntry[] = [];
      for (const push of observation.pushes) {
        const uuid = push.messageUUID?.toLowerCase() ?? '';
        if (!firsts.has(push) && takenBefore.has(uuid)) repeats.push(push);
        if (answered(push)) takenBefore.add(uuid);
      }
      return judged(
        repeats.length > 0,
        repeats.flatMap((push) => {
          if (!answered(push) && !excused(push))
            return [
              failure(
                `the receipt of ${push.messageUUID}, pushed again, was answered ${push.status ?? 'not at all'}`,
                [requestEvidence(push, 'the same receipt, again')],
              ),
            ];
          const letter = heldOf(observation, push.messageUUID)?.letter;
          const lines = letter === undefined ? [] : linesFor(observation, letter);
          return lines.length > 1
            ? [
                failure(`${letter} was reported ${lines.length} times after its receipt came twice`, [
                  requestEvidence(push),
                ]),
              ]
            : [];
        }),
      );
    },
  ),
  senderCheck(
    'sender.outcome.delivered',
    'MUST',
    'A letter NgDP completed is reported DELIVERED',
    CLAUSES.outcomes,
    outcomeDelivered,
  ),
  senderCheck(
    'sender.outcome.not-delivered',
    'MUST',
    'A letter NgDP refused for its recipient (NOT_ALLOWED: exempt, closed, unknown, not reachable) is reported NOT_DELIVERED, so the system can fall back to print',
    CLAUSES.outcomes,
    outcomeNotDelivered,
  ),
  senderCheck(
    'sender.outcome.invalid',
    'MUST',
    'A letter NgDP found INVALID is reported INVALID',
    CLAUSES.outcomes,
    outcomeInvalid,
  ),
  senderCheck(
    'sender.outcome.recalled',
    'MUST',
    'A letter is reported RECALLED exactly when NgDP recalled it',
    CLAUSES.recall,
    (observation) => {
      const recalled = (ref: string): boolean =>
        messageOfLetter(observation, ref)?.state.state === 'RECALLED';
      const concerned = observation.letters.filter(
        (letter) =>
          recalled(letter.ref) ||
          linesFor(observation, letter.ref).some((line) => line.outcome === 'RECALLED'),
      );
      return judged(
        concerned.length > 0,
        concerned.flatMap((letter) =>
          linesFor(observation, letter.ref)
            .filter((line) => (line.outcome === 'RECALLED') !== recalled(letter.ref))
            .map((line) =>
              failure(
                recalled(letter.ref)
                  ? `${letter.ref} was recalled at NgDP, but reported ${line.outcome}`
                  : `${letter.ref} was reported RECALLED, but NgDP did not recall it (${messageOfLetter(observation, letter.ref)?.state.state ?? 'not held'})`,
                [note(`report line ${line.line}`, line.messageUUID)],
              ),
            ),
        ),
      );
    },
  ),
  senderCheck(
    'sender.outcome.error-code',
    'SHOULD',
    'A letter reported NOT_DELIVERED or INVALID carries NgDP’s errorCode, so the system can tell why',
    CLAUSES.outcomes,
    outcomeErrorCode,
  ),
];
