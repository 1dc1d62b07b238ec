/** Credentials and traffic: the API key in its header only, every call authenticated, no storms of polls. */
import type { SenderObservation } from '../../evidence/sender.ts';
import type { Check } from '../../model.ts';
import { type TranscriptEntry, wallOf } from '../../runner/transcript.ts';
import { everyCallAuthenticated, keyOnlyInHeader } from '../credentials.ts';
import { CLAUSES, failure, requestEvidence, senderCheck } from './support.ts';

/** The window polling rates are judged over, and the most list requests allowed in one. */
export const POLL_WINDOW_MS = 10_000;
export const MAX_POLLS_PER_WINDOW = 30;
/** The same rate, per second: the ceiling while the suite holds NgDP still (nothing can change). */
const MAX_POLLS_PER_SECOND = MAX_POLLS_PER_WINDOW / (POLL_WINDOW_MS / 1000);
/** Holds shorter than this are not judged on their own. */
const SHORTEST_QUIET_MS = 2_000;

const LISTS = new Set(['GET /receipts/', 'GET /receipts-bulk/']);

/** The busiest window of `entries` (sorted by time): its first and last entry and how many it holds. */
export function busiestWindow(
  entries: readonly TranscriptEntry[],
  windowMs: number,
): { count: number; first: TranscriptEntry; last: TranscriptEntry } | undefined {
  let best: { count: number; first: TranscriptEntry; last: TranscriptEntry } | undefined;
  let start = 0;
  for (let end = 0; end < entries.length; end++) {
    const last = entries[end] as TranscriptEntry;
    while (wallOf(last) - wallOf(entries[start] as TranscriptEntry) >= windowMs) start++;
    const count = end - start + 1;
    if (best === undefined || count > best.count)
      best = { count, first: entries[start] as TranscriptEntry, last };
  }
  return best;
}

export const trafficChecks: Check<SenderObservation>[] = [
  senderCheck(
    'sender.auth.header-only',
    'MUST',
    'The API key travels only in the Authorization header: never in a URL or a body',
    CLAUSES.auth,
    (observation) => keyOnlyInHeader(observation.requests),
  ),
  senderCheck(
    'sender.auth.accepted',
    'MUST',
    'Every request is authenticated as the system: none is refused 401 or 403',
    CLAUSES.auth,
    (observation) => everyCallAuthenticated(observation.requests),
  ),
  senderCheck(
    'sender.rate.polling',
    'MUST',
    `Receipts are polled without a storm: at most ${MAX_POLLS_PER_WINDOW} list requests in any ${POLL_WINDOW_MS / 1000} s, and no more than that rate while nothing changes`,
    CLAUSES.polling,
    (observation) => {
      const polls = observation.requests
        .filter((entry) => LISTS.has(entry.operation))
        .sort((a, b) => wallOf(a) - wallOf(b));
      const busiest = busiestWindow(polls, POLL_WINDOW_MS);
      if (busiest === undefined) return 'not-applicable';
      const failures =
        busiest.count <= MAX_POLLS_PER_WINDOW
          ? []
          : [
              failure(`${busiest.count} receipt list requests within ${POLL_WINDOW_MS / 1000} s`, [
                requestEvidence(busiest.first, 'first of the window'),
                requestEvidence(busiest.last, `last of the window (${busiest.count} in all)`),
              ]),
            ];
      for (const { from, to } of observation.clock.holds) {
        if (to - from < SHORTEST_QUIET_MS) continue;
        const quiet = polls.filter((entry) => wallOf(entry) >= from && wallOf(entry) < to);
        const allowed = Math.ceil((MAX_POLLS_PER_SECOND * (to - from)) / 1000);
        if (quiet.length > allowed)
          failures.push(
            failure(
              `${quiet.length} receipt list requests in ${((to - from) / 1000).toFixed(1)} s while nothing could change (at most ${allowed})`,
              [
                requestEvidence(quiet[0] as TranscriptEntry, 'first'),
                requestEvidence(quiet.at(-1) as TranscriptEntry, 'last'),
              ],
            ),
          );
      }
      return failures;
    },
  ),
];
