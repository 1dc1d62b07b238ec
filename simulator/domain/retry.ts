/**
 * The delivery retry schedule for pushes (MeMos to recipient systems, receipts to sender systems,
 * publish/subscribe notifications): docs/differences.md, "Delivery, receipts and retries".
 */

export interface RetrySchedule {
  /** Offsets from the first attempt of the attempts in the first period, in ms. */
  firstDay: number[];
  /** Interval of the attempts after those, in ms. */
  interval: number;
  /** How long after the first attempt retries go on, in ms. */
  window: number;
  /** Offsets of the attempts at the organisation's default recipient system, in ms. */
  fallback: number[];
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export const DEFAULT_RETRY_SCHEDULE: RetrySchedule = {
  firstDay: [0, 10 * MINUTE, HOUR, 4 * HOUR, 12 * HOUR],
  interval: DAY,
  window: 7 * DAY,
  fallback: [0, 10 * MINUTE, HOUR],
};

/**
 * When the attempt after `attempt` (1-based, at the current target) is due, or undefined when the
 * schedule is exhausted. `firstAttemptAt` is when attempt 1 was made.
 */
export function nextAttemptAt(
  schedule: RetrySchedule,
  attempt: number,
  firstAttemptAt: number,
  fallback: boolean,
): number | undefined {
  if (fallback) {
    const offset = schedule.fallback[attempt];
    return offset === undefined ? undefined : firstAttemptAt + offset;
  }
  const early = schedule.firstDay[attempt];
  if (early !== undefined) return firstAttemptAt + early;
  // After the burst, one attempt per interval counted from the first attempt (+1 day, +2 days, …),
  // or from the burst's last attempt if that lies beyond the first interval.
  const lastEarly = schedule.firstDay.at(-1) ?? 0;
  const base = lastEarly < schedule.interval ? 0 : lastEarly;
  const offset = base + (attempt - schedule.firstDay.length + 1) * schedule.interval;
  return offset <= schedule.window ? firstAttemptAt + offset : undefined;
}
