/** Rates of requests over time windows: how the sender profiles tell polling from a storm. */
import type { Evidence, Failure } from '../../model.ts';
import { type TranscriptEntry, wallOf } from '../../runner/transcript.ts';
import { failure } from './support.ts';

/** The window polling rates are judged over, and the most list requests allowed in one. */
export const POLL_WINDOW_MS = 10_000;
export const MAX_POLLS_PER_WINDOW = 30;
/** Holds shorter than this are not judged on their own. */
const SHORTEST_QUIET_MS = 2_000;

const _LISTS = new Set(['GET /receipts/', 'GET /receipts-bulk/']);

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

/**
 * The failures of `entries` (requests of one kind) against a ceiling: more than `limit` (default
 * {@link MAX_POLLS_PER_WINDOW}) in a window of {@link POLL_WINDOW_MS}, or more than that rate while
 * the suite held NgDP still (`holds`, wall-clock spells, when nothing can change). `[]` when they
 * keep within it, not applicable when there are none.
 */
export function rateFailures(
  entries: readonly TranscriptEntry[],
  holds: ReadonlyArray<{ from: number; to: number }>,
  what: string,
  evidence: (entry: TranscriptEntry, note: string) => Evidence,
  limit = MAX_POLLS_PER_WINDOW,
): Failure[] | 'not-applicable' {
  const sorted = [...entries].sort((a, b) => wallOf(a) - wallOf(b));
  const busiest = busiestWindow(sorted, POLL_WINDOW_MS);
  if (busiest === undefined) return 'not-applicable';
  const perSecond = limit / (POLL_WINDOW_MS / 1000);
  const failures =
    busiest.count <= limit
      ? []
      : [
          failure(`${busiest.count} ${what} within ${POLL_WINDOW_MS / 1000} s`, [
            evidence(busiest.first, 'first of the window'),
            evidence(busiest.last, `last of the window (${busiest.count} in all)`),
          ]),
        ];
  for (const { from, to } of holds) {
    if (to - from < SHORTEST_QUIET_MS) continue;
    const quiet = sorted.filter((entry) => wallOf(entry) >= from && wallOf(entry) < to);
    const allowed = Math.ceil((perSecond * (to - from)) / 1000);
    if (quiet.length > allowed)
      failures.push(
        failure(
          `${quiet.length} ${what} in ${((to - from) / 1000).toFixed(1)} s while nothing could change (at most ${allowed})`,
          [evidence(quiet[0] as TranscriptEntry, 'first'), evidence(quiet.at(-1) as TranscriptEntry, 'last')],
        ),
      );
  }
  return failures;
}
