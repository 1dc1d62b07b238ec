/** Credentials and traffic: the API key in its header only, every call authenticated, no storms of list or fetch requests. */
import type { Check } from '../../model.ts';
import { type TranscriptEntry, wallOf } from '../../runner/transcript.ts';
import type { PullObservation } from '../../scenarios/recipient-pull.ts';
import { everyCallAuthenticated, keyOnlyInHeader } from '../credentials.ts';
import { busiestWindow } from '../shared/traffic.ts';
import { CLAUSES, callsOf, failure, judged, pullCheck, requestEvidence, uuidOf } from './support.ts';

/** The window polling rates are judged over, and the most list requests allowed in one. */
export const POLL_WINDOW_MS = 10_000;
export const MAX_LISTS_PER_WINDOW = 40;
/** While nothing changes: at most this many list requests per second, averaged over the quiet spell. */
export const MAX_IDLE_LISTS_PER_SECOND = 2;
/** The most times NgDP may serve one MeMo to the system in a scenario. */
export const MAX_FETCHES = 3;

export const trafficChecks: Check<PullObservation>[] = [
  pullCheck(
    'recipient-pull.fetch.bounded',
    'MUST',
    `No MeMo is fetched over and over: NgDP serves one MeMo to the system at most ${MAX_FETCHES} times`,
    CLAUSES.pull,
    (observation) => {
      const served = new Map<string, TranscriptEntry[]>();
      for (const entry of callsOf(observation, 'fetch').filter((e) => e.status === 200)) {
        const uuid = uuidOf(entry);
        if (uuid !== undefined) served.set(uuid, [...(served.get(uuid) ?? []), entry]);
      }
      return judged(
        served.size > 0,
        [...served.values()]
          .filter((entries) => entries.length > MAX_FETCHES)
          .map((entries) =>
            failure(`NgDP served ${entries[0]?.messageUUID} to the system ${entries.length} times`, [
              requestEvidence(entries[0] as TranscriptEntry, 'first'),
              requestEvidence(entries.at(-1) as TranscriptEntry, 'last'),
            ]),
          ),
      );
    },
  ),
  pullCheck(
    'recipient-pull.auth.header-only',
    'MUST',
    'The API key travels only in the Authorization header: never in a URL or a body',
    CLAUSES.auth,
    (observation) => keyOnlyInHeader(observation.requests),
  ),
  pullCheck(
    'recipient-pull.auth.accepted',
    'MUST',
    'Every request is authenticated as the system: none is refused 401 or 403',
    CLAUSES.auth,
    (observation) => everyCallAuthenticated(observation.requests),
  ),
  pullCheck(
    'recipient-pull.rate.polling',
    'MUST',
    `The queue is polled without a storm: at most ${MAX_LISTS_PER_WINDOW} list requests in any ${POLL_WINDOW_MS / 1000} s`,
    CLAUSES.polling,
    (observation) => {
      const lists = callsOf(observation, 'list').sort((a, b) => wallOf(a) - wallOf(b));
      const busiest = busiestWindow(lists, POLL_WINDOW_MS);
      if (busiest === undefined) return 'not-applicable';
      return busiest.count <= MAX_LISTS_PER_WINDOW
        ? []
        : [
            failure(`${busiest.count} list requests within ${POLL_WINDOW_MS / 1000} s`, [
              requestEvidence(busiest.first, 'first of the window'),
              requestEvidence(busiest.last, `last of the window (${busiest.count} in all)`),
            ]),
          ];
    },
  ),
  pullCheck(
    'recipient-pull.rate.idle',
    'SHOULD',
    `While nothing changes the queue is polled gently: at most ${MAX_IDLE_LISTS_PER_SECOND} list requests a second`,
    CLAUSES.polling,
    (observation) => {
      if (observation.quiet.length === 0) return 'not-applicable';
      const lists = callsOf(observation, 'list');
      return observation.quiet.flatMap(({ from, to }) => {
        const quiet = lists.filter((entry) => wallOf(entry) >= from && wallOf(entry) < to);
        const allowed = Math.ceil((MAX_IDLE_LISTS_PER_SECOND * (to - from)) / 1000);
        return quiet.length <= allowed
          ? []
          : [
              failure(
                `${quiet.length} list requests in ${((to - from) / 1000).toFixed(1)} s while nothing could change (at most ${allowed})`,
                [
                  requestEvidence(quiet[0] as TranscriptEntry, 'first'),
                  requestEvidence(quiet.at(-1) as TranscriptEntry, 'last'),
                ],
              ),
            ];
      });
    },
  ),
];
