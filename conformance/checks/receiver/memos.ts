/** The report, the MeMos taken in, and (publish/subscribe) how they were fetched. */
import type { DeliveredMemo, ReceiverObservation } from '../../evidence/receiver.ts';
import type { Check, Failure } from '../../model.ts';
import type { ReceiverProfile } from './ids.ts';
import {
  CLAUSES,
  checksOf,
  entryEvidence,
  failure,
  fetchesOf,
  judged,
  linesOf,
  nameOf,
  note,
  realDeliveries,
  taken,
} from './support.ts';

/** A MeMo of over this many bytes is a large one. */
export const LARGE_BYTES = 50_000_000;

/** Why `memo` was not taken in whole: undefined when it was (one ACCEPTED line with NgDP's SHA-256). */
function notTakenWhole(observation: ReceiverObservation, memo: DeliveredMemo): Failure | undefined {
  const lines = linesOf(observation, memo.messageUUID);
  const accepted = lines.find((line) => line.outcome === 'ACCEPTED');
  const answers = realDeliveries(observation, memo).map((entry) => entryEvidence(entry));
  if (accepted === undefined)
    return failure(
      lines.length === 0
        ? `${nameOf(memo)} was never reported taken in`
        : `${nameOf(memo)} is valid, but was reported ${lines[0]?.outcome}`,
      answers,
    );
  if (accepted.sha256 !== memo.sha256)
    return failure(`${nameOf(memo)} was reported with another SHA-256 than the bytes NgDP delivered`, [
      note(`reported ${accepted.sha256}, delivered ${memo.sha256}`, memo.messageUUID),
    ]);
  return undefined;
}

function whole(observation: ReceiverObservation, concerned: (memo: DeliveredMemo) => boolean) {
  const memos = observation.memos.filter((memo) => memo.valid && concerned(memo));
  return judged(
    memos.length > 0,
    memos.flatMap((memo) => notTakenWhole(observation, memo) ?? []),
  );
}

export function memoChecks(profile: ReceiverProfile): Check<ReceiverObservation>[] {
  const check = checksOf(profile);
  const delivery = profile === 'recipient-push' ? CLAUSES.push : CLAUSES.pubsub;
  const checks = [
    check(
      'report.well-formed',
      'MUST',
      'Every report line is {"messageUUID","sha256","outcome":"ACCEPTED"|"REJECTED"}',
      CLAUSES.protocol,
      (observation) =>
        observation.newProblems.map((problem) =>
          failure(`report line ${problem.line}: ${problem.reason}`, [note(problem.text)]),
        ),
    ),
    check(
      'report.known-messages',
      'MUST',
      'Report lines name only MeMos NgDP delivered',
      CLAUSES.protocol,
      (observation) =>
        observation.newLines
          .filter((line) => !observation.knownUuids.has(line.messageUUID))
          .map((line) =>
            failure(`report line ${line.line} names ${line.messageUUID}, which NgDP never delivered`, [
              note(`${line.outcome}`, line.messageUUID),
            ]),
          ),
    ),
    check(
      'memo.taken',
      'MUST',
      'Every valid MeMo NgDP delivers is taken in and reported ACCEPTED',
      delivery,
      (observation) => {
        const valid = observation.memos.filter((memo) => memo.valid);
        return judged(
          valid.length > 0,
          valid.flatMap((memo) => {
            const lines = linesOf(observation, memo.messageUUID);
            if (lines.some((line) => line.outcome === 'ACCEPTED')) return [];
            return [
              failure(
                lines.length === 0
                  ? `${nameOf(memo)} was never reported taken in`
                  : `${nameOf(memo)} is valid, but was reported ${lines[0]?.outcome}`,
                realDeliveries(observation, memo).map((entry) => entryEvidence(entry)),
              ),
            ];
          }),
        );
      },
    ),
    check(
      'memo.once',
      'MUST',
      'A MeMo is taken in once: never two report lines for one messageUUID',
      CLAUSES.atLeastOnce,
      (observation) => {
        const uuids = new Set([
          ...observation.memos.map((memo) => memo.messageUUID),
          ...observation.newLines.map((line) => line.messageUUID),
        ]);
        return judged(
          observation.memos.length > 0 || observation.newLines.length > 0,
          [...uuids].flatMap((uuid) => {
            const lines = linesOf(observation, uuid);
            return lines.length > 1
              ? [
                  failure(
                    `${uuid} was reported ${lines.length} times (lines ${lines.map((line) => line.line).join(', ')})`,
                    [note(lines.map((line) => line.outcome).join(', '), uuid)],
                  ),
                ]
              : [];
          }),
        );
      },
    ),
    check(
      'memo.sha256',
      'MUST',
      'The reported SHA-256 is that of the MeMo’s bytes exactly as NgDP delivered them',
      CLAUSES.protocol,
      (observation) => {
        const reported = observation.memos.filter(
          (memo) => linesOf(observation, memo.messageUUID).length > 0,
        );
        return judged(
          reported.length > 0,
          reported.flatMap((memo) =>
            linesOf(observation, memo.messageUUID)
              .filter((line) => line.sha256 !== memo.sha256)
              .map((line) =>
                failure(`${nameOf(memo)}: report line ${line.line} has another SHA-256 than NgDP's bytes`, [
                  note(`reported ${line.sha256}, delivered ${memo.sha256}`, memo.messageUUID),
                ]),
              ),
          ),
        );
      },
    ),
    check('memo.large', 'MUST', 'A MeMo of over 50 MB is taken in whole', CLAUSES.memoRules, (observation) =>
      whole(observation, (memo) => memo.bytes >= LARGE_BYTES),
    ),
    check(
      'memo.attachments',
      'MUST',
      'A letter with ten attachments is taken in whole',
      CLAUSES.memoRules,
      (observation) => whole(observation, (memo) => memo.attachments >= 10),
    ),
  ];
  if (profile === 'recipient-pubsub')
    checks.push(
      check(
        'fetch.fetched',
        'MUST',
        'Each notified MeMo is fetched from NgDP (GET /memos/{id}) before it is taken in',
        CLAUSES.pubsub,
        (observation) => {
          const notified = observation.memos.filter(
            (memo) => memo.valid && realDeliveries(observation, memo).some(taken),
          );
          return judged(
            notified.length > 0,
            notified.flatMap((memo) =>
              fetchesOf(observation, memo.messageUUID).some((entry) => entry.status === 200)
                ? []
                : [
                    failure(`${nameOf(memo)} was notified and the notification answered, but never fetched`, [
                      ...realDeliveries(observation, memo).map((entry) => entryEvidence(entry)),
                    ]),
                  ],
            ),
          );
        },
      ),
      check(
        'fetch.no-storm',
        'MUST',
        'A notified MeMo is fetched at most twice per notification (plus one): no fetch storms',
        CLAUSES.pubsub,
        (observation) => {
          const notified = observation.memos.filter((memo) => realDeliveries(observation, memo).length > 0);
          return judged(
            notified.length > 0,
            notified.flatMap((memo) => {
              const fetches = fetchesOf(observation, memo.messageUUID);
              const allowed = 2 * realDeliveries(observation, memo).length + 1;
              return fetches.length > allowed
                ? [
                    failure(
                      `${nameOf(memo)} was fetched ${fetches.length} times for ${realDeliveries(observation, memo).length} notification(s)`,
                      fetches.slice(0, 20).map((entry) => entryEvidence(entry)),
                    ),
                  ]
                : [];
            }),
          );
        },
      ),
    );
  return checks;
}
