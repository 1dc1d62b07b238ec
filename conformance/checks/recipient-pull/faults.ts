/** Lost answers and unavailability: nothing lost or taken twice across a cut answer; 503 met with patience, not despair. */
import type { Check } from '../../model.ts';
import { type TranscriptEntry, wallOf } from '../../runner/transcript.ts';
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

/** Timers on the two sides differ a little. */
const CLOCK_SLACK_MS = 50;
/** How soon after NgDP answers again the system must be back. */
export const RESUME_MS = 10_000;

const cut = (entry: TranscriptEntry): boolean => entry.status === null;

export const faultChecks: Check<PullObservation>[] = [
  pullCheck(
    'recipient-pull.cut.fetch',
    'MUST',
    'A MeMo whose fetch lost its answer is fetched again and taken in once: nothing lost, nothing taken twice',
    CLAUSES.lostAnswers,
    (observation) => {
      const fetches = callsOf(observation, 'fetch');
      const lost = fetches.filter(cut);
      const uuids = new Set(lost.map(uuidOf).filter((uuid) => uuid !== undefined));
      return judged(
        lost.length > 0,
        [...uuids].flatMap((uuid) => {
          const shown = fetches
            .filter((entry) => uuidOf(entry) === uuid)
            .map((entry) => requestEvidence(entry));
          const memo = [...observation.memos, ...observation.earlier.values()].find(
            (m) => m.messageUUID === uuid,
          );
          const firstCut = lost.find((entry) => uuidOf(entry) === uuid) as TranscriptEntry;
          const again = fetches.some(
            (entry) => entry.seq > firstCut.seq && uuidOf(entry) === uuid && entry.status === 200,
          );
          if (!again)
            return [
              failure(`the fetch of ${uuid} lost its answer and the MeMo was never fetched again`, shown),
            ];
          if (memo === undefined) return [];
          const lines = reported(observation, memo).length;
          if (lines === 1) return [];
          return [
            failure(
              `${nameOf(memo)}, whose fetch lost its answer, was ${lines === 0 ? 'never taken in' : `taken in ${lines} times`}`,
              [...shown, memoEvidence(observation, memo)],
            ),
          ];
        }),
      );
    },
  ),
  pullCheck(
    'recipient-pull.cut.list',
    'MUST',
    'After a list request that lost its answer the system lists again, and finds and takes every MeMo of the queue once',
    CLAUSES.lostAnswers,
    (observation) => {
      const lists = callsOf(observation, 'list');
      const lost = lists.filter(cut);
      if (lost.length === 0) return 'not-applicable';
      const last = lost.at(-1) as TranscriptEntry;
      const failures = lists.some((entry) => entry.seq > last.seq)
        ? []
        : [
            failure('the system never listed its MeMos again after a list request lost its answer', [
              requestEvidence(last, 'no answer'),
            ]),
          ];
      // A MeMo the system fetched was not lost to the list (cut.fetch judges what became of it).
      const fetched = new Set(callsOf(observation, 'fetch').map(uuidOf));
      for (const memo of observation.memos) {
        const lines = reported(observation, memo).length;
        if (lines !== 1 && !fetched.has(memo.messageUUID))
          failures.push(
            failure(
              `${nameOf(memo)} was ${lines === 0 ? 'never taken in' : `taken in ${lines} times`} after a list lost its answer`,
              [requestEvidence(lost[0] as TranscriptEntry, 'no answer'), memoEvidence(observation, memo)],
            ),
          );
      }
      return failures;
    },
  ),
  pullCheck(
    'recipient-pull.retry.honours-retry-after',
    'MUST',
    'After a 503 with Retry-After the same request (the list, or the same MeMo’s fetch or receipt) is not made again before that time has passed',
    CLAUSES.unavailable,
    (observation) => {
      const refused = observation.requests.filter((entry) => entry.status === 503);
      return judged(
        refused.length > 0,
        refused.flatMap((entry) => {
          const next = observation.requests.find(
            (later) =>
              later.seq > entry.seq &&
              later.operation === entry.operation &&
              (entry.operation === 'GET /memos/' || uuidOf(later) === uuidOf(entry)),
          );
          if (next === undefined) return [];
          // From the 503's start: its recorded end can trail the answer the system got.
          const waited = wallOf(next) - wallOf(entry);
          const asked = entry.retryAfterMs ?? observation.retryAfterMs;
          return waited + CLOCK_SLACK_MS >= asked
            ? []
            : [
                failure(
                  `${entry.operation} was made again ${Math.max(0, waited)} ms after a 503 with Retry-After: ${asked / 1000}`,
                  [
                    requestEvidence(entry, `Retry-After: ${asked / 1000}`),
                    requestEvidence(next, `${Math.max(0, waited)} ms later`),
                  ],
                ),
              ];
        }),
      );
    },
  ),
  pullCheck(
    'recipient-pull.retry.resumes',
    'MUST',
    `After NgDP answered every call 503 for a while, the system is back within ${RESUME_MS / 1000} s of NgDP answering again (its backoff is bounded)`,
    CLAUSES.unavailable,
    (observation) => {
      const { outage } = observation;
      if (outage === undefined) return 'not-applicable';
      const back = observation.requests.find((entry) => wallOf(entry) >= outage.to);
      const during = observation.requests.filter(
        (entry) => wallOf(entry) < outage.to && entry.status === 503,
      );
      const shown = during.slice(-3).map((entry) => requestEvidence(entry, 'during the outage'));
      if (back === undefined)
        return [
          failure(
            `the system made no request in the ${((observation.endedAt - outage.to) / 1000).toFixed(1)} s after NgDP answered again`,
            shown,
          ),
        ];
      const after = wallOf(back) - outage.to;
      return after <= RESUME_MS
        ? []
        : [
            failure(`the system was back ${(after / 1000).toFixed(1)} s after NgDP answered again`, [
              ...shown,
              requestEvidence(back, 'first after'),
            ]),
          ];
    },
  ),
];
