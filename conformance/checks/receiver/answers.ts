/** Answers to NgDP's deliveries, repeated deliveries, business receipts, invalid MeMos. */
import { PUSH_TIMEOUT_MS, type ReceiverObservation } from '../../evidence/receiver.ts';
import type { Check } from '../../model.ts';
import type { TranscriptEntry } from '../../runner/transcript.ts';
import type { ReceiverProfile } from './ids.ts';
import {
  CLAUSES,
  checksOf,
  entryEvidence,
  failure,
  is2xx,
  judged,
  linesOf,
  nameOf,
  note,
  realDeliveries,
  receiptPosts,
  taken,
  told,
} from './support.ts';

/** A delivery of a MeMo smaller than this should be answered within {@link QUICK_MS}. */
const SMALL_BYTES = 1_000_000;
export const QUICK_MS = 5_000;

/** Left without an answer until NgDP's push timeout (a little less: timers are not exact), or answered after it. */
const timedOut = (entry: TranscriptEntry): boolean => entry.durationMs >= PUSH_TIMEOUT_MS - 1_000;

/** A receipt NgDP did not take: a 5xx, or no answer. */
const refusedByNgdp = (status: number | null): boolean => status === null || status >= 500;

export function answerChecks(profile: ReceiverProfile): Check<ReceiverObservation>[] {
  const check = checksOf(profile);
  const delivery = profile === 'recipient-push' ? CLAUSES.push : CLAUSES.pubsub;
  const what = profile === 'recipient-push' ? 'push' : 'notification';
  return [
    check(
      'answer.success',
      'MUST',
      `A ${what} of a valid MeMo is answered 2xx: any other answer makes NgDP deliver it again, for days`,
      delivery,
      (observation) => {
        // Those that went to the push timeout are answer.timely's; the rest were answered, or cut off.
        const answered = observation.memos
          .filter((memo) => memo.valid)
          .flatMap((memo) =>
            realDeliveries(observation, memo)
              .filter((entry) => !timedOut(entry))
              .map((entry) => ({ memo, entry })),
          );
        return judged(
          answered.length > 0,
          answered
            .filter(({ entry }) => !is2xx(entry.status))
            .map(({ memo, entry }) =>
              failure(`the ${what} of valid ${nameOf(memo)} was ${told(entry)}`, [entryEvidence(entry)]),
            ),
        );
      },
    ),
    check(
      'answer.timely',
      'MUST',
      `No ${what} is left unanswered for NgDP's push timeout (30 s)`,
      CLAUSES.timeout,
      (observation) => {
        const deliveries = realDeliveries(observation);
        return judged(
          deliveries.length > 0,
          deliveries
            .filter(timedOut)
            .map((entry) => failure(`a ${what} was ${told(entry)}`, [entryEvidence(entry)])),
        );
      },
    ),
    check(
      'answer.quick',
      'SHOULD',
      `A ${what} of a MeMo under 1 MB is answered within 5 s`,
      CLAUSES.timeout,
      (observation) => {
        const small = observation.memos
          .filter((memo) => memo.bytes < SMALL_BYTES)
          .flatMap((memo) => realDeliveries(observation, memo));
        return judged(
          small.length > 0,
          small
            .filter((entry) => entry.status === null || entry.durationMs > QUICK_MS)
            .map((entry) => failure(`a ${what} of a small MeMo was ${told(entry)}`, [entryEvidence(entry)])),
        );
      },
    ),
    check(
      'redelivery.answered',
      'MUST',
      `A MeMo delivered again after it was taken is answered 2xx again`,
      CLAUSES.atLeastOnce,
      (observation) => {
        const again = observation.memos.flatMap((memo) => {
          const deliveries = realDeliveries(observation, memo);
          const first = deliveries.findIndex(taken);
          return first < 0 ? [] : deliveries.slice(first + 1).map((entry) => ({ memo, entry }));
        });
        return judged(
          again.length > 0,
          again
            .filter(({ entry }) => entry.status !== null && !is2xx(entry.status))
            .map(({ memo, entry }) =>
              failure(`${nameOf(memo)} was taken, then its repeated ${what} was ${told(entry)}`, [
                entryEvidence(entry),
              ]),
            ),
        );
      },
    ),
    check(
      'redelivery.once',
      'MUST',
      'A MeMo delivered again is not taken in again',
      CLAUSES.atLeastOnce,
      (observation) => {
        const repeated = observation.memos.filter(
          (memo) => realDeliveries(observation, memo).filter((entry) => is2xx(entry.status)).length > 1,
        );
        return judged(
          repeated.length > 0,
          repeated.flatMap((memo) => {
            const lines = linesOf(observation, memo.messageUUID);
            return lines.length > 1
              ? [
                  failure(`${nameOf(memo)} was delivered again and reported ${lines.length} times`, [
                    ...realDeliveries(observation, memo).map((entry) => entryEvidence(entry)),
                    note(`report lines ${lines.map((line) => line.line).join(', ')}`, memo.messageUUID),
                  ]),
                ]
              : [];
          }),
        );
      },
    ),
    check(
      'receipt.given',
      'MUST',
      `Every MeMo whose ${what} was answered 2xx gets the system's business receipt`,
      CLAUSES.receipts,
      (observation) => {
        const answered = observation.memos.filter((memo) =>
          realDeliveries(observation, memo).some((entry) => is2xx(entry.status)),
        );
        return judged(
          answered.length > 0,
          answered
            .filter((memo) => !memo.state?.receiptStatus)
            .map((memo) =>
              failure(`${nameOf(memo)} was answered 2xx, but NgDP got no business receipt for it`, [
                ...receiptPosts(observation, memo.messageUUID).map((entry) => entryEvidence(entry)),
                note(`message ${memo.state?.state ?? 'unknown'} at NgDP`, memo.messageUUID),
              ]),
            ),
        );
      },
    ),
    check(
      'receipt.completed',
      'MUST',
      "A valid MeMo's business receipt is COMPLETED",
      CLAUSES.receipts,
      (observation) => {
        const given = observation.memos.filter((memo) => memo.valid && memo.state?.receiptStatus);
        return judged(
          given.length > 0,
          given
            .filter((memo) => memo.state?.receiptStatus !== 'COMPLETED')
            .map((memo) =>
              failure(`${nameOf(memo)} is valid, but its business receipt is ${memo.state?.receiptStatus}`, [
                note('receipt', memo.messageUUID),
              ]),
            ),
        );
      },
    ),
    check(
      'receipt.resent',
      'SHOULD',
      'A business receipt NgDP refused (5xx or no answer) is sent again',
      CLAUSES.receipts,
      (observation) => {
        const refused = observation.memos.filter((memo) =>
          receiptPosts(observation, memo.messageUUID).some((entry) => refusedByNgdp(entry.status)),
        );
        return judged(
          refused.length > 0,
          refused.flatMap((memo) => {
            const posts = receiptPosts(observation, memo.messageUUID);
            const last = posts.at(-1);
            return last !== undefined && refusedByNgdp(last.status)
              ? [
                  failure(`NgDP refused the business receipt of ${nameOf(memo)}, and it was not sent again`, [
                    ...posts.map((entry) => entryEvidence(entry)),
                  ]),
                ]
              : [];
          }),
        );
      },
    ),
    check(
      'invalid.not-accepted',
      'MUST',
      'An invalid MeMo is never reported ACCEPTED',
      CLAUSES.invalid,
      (observation) => {
        const invalid = observation.memos.filter((memo) => !memo.valid);
        return judged(
          invalid.length > 0,
          invalid.flatMap((memo) =>
            linesOf(observation, memo.messageUUID)
              .filter((line) => line.outcome === 'ACCEPTED')
              .map((line) =>
                failure(`${nameOf(memo)} (${memo.kind}) was reported ACCEPTED (line ${line.line})`, [
                  note(memo.kind, memo.messageUUID),
                ]),
              ),
          ),
        );
      },
    ),
    check(
      'invalid.refused',
      'MUST',
      `An invalid MeMo is refused: its ${what} answered 4xx, or 2xx and an INVALID business receipt`,
      CLAUSES.invalid,
      (observation) => {
        const invalid = observation.memos.filter((memo) => !memo.valid);
        return judged(
          invalid.length > 0,
          invalid.flatMap((memo) => {
            const answered = realDeliveries(observation, memo).filter((entry) => entry.status !== null);
            const evidence = answered.map((entry) => entryEvidence(entry));
            const status = memo.state?.receiptStatus;
            const failures = answered
              .filter((entry) => entry.status !== null && entry.status >= 500)
              .map((entry) =>
                failure(`invalid ${nameOf(memo)} was ${told(entry)}: NgDP delivers it again and again`, [
                  entryEvidence(entry),
                ]),
              );
            if (answered.length === 0) failures.push(failure(`invalid ${nameOf(memo)} was never answered`));
            else if (answered.some((entry) => is2xx(entry.status)) && status !== 'INVALID')
              failures.push(
                failure(
                  `invalid ${nameOf(memo)} was answered 2xx, and its business receipt is ${status ?? 'missing'}, not INVALID`,
                  evidence,
                ),
              );
            return failures;
          }),
        );
      },
    ),
  ];
}
