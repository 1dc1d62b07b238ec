/**
 * The delivery retry schedule for pushes (MeMos to recipient systems, receipts to sender systems,
 * publish/subscribe notifications): docs/differences.md, "Delivery, receipts and retries".
 */

export interface RetrySchedule {
  /** Offsets from the first attempt of the attempts in the first period, in ms. */
  firstDay: number[];
  /** Interval of the attempts after those, in ms. */
  interval: number;
  /**
   * How long after the first attempt the resend window lasts, in ms: the attempts after the first
   * period fall before its end (not at it), and the fallback begins when it ends.
   */
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
 *
 * The default schedule is admin.md §13 read exactly: 5 attempts in the first 24 hours, then one a
 * day while the 7 days last — on days 2 to 7, at +1 d … +6 d, 11 in all; at +7 d the window is over
 * and the message goes to the primary system ({@link windowEndsAt}), so there is no attempt at +7 d.
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
  return offset < schedule.window ? firstAttemptAt + offset : undefined;
}

/**
 * When the resend window of a push first attempted at `firstAttemptAt` ends: the time its message
 * goes to the organisation's primary recipient system (or fails), at the earliest.
 */
export function windowEndsAt(schedule: RetrySchedule, firstAttemptAt: number): number {
  return firstAttemptAt + schedule.window;
}

/**
 * A schedule that makes exactly these retries, each `retries[i]` ms after the first attempt
 * (ascending), and no more; the organisation's primary recipient system then gets an attempt at
 * once and at the first two of these offsets, as the default schedule's fallback mirrors its own
 * start. For tests of slow or failing receivers that must not wait real minutes (`sim start
 * --retry-schedule`).
 */
export function retrySchedule(retries: readonly number[]): RetrySchedule {
  const last = retries.at(-1) ?? 0;
  return {
    firstDay: [0, ...retries],
    // The window ends at the last retry; an interval from it adds none.
    interval: Math.max(last, 1),
    window: last,
    fallback: [0, ...retries.slice(0, 2)],
  };
}

/** Why `schedule` cannot be used, or undefined when it can. */
export function retryScheduleProblem(schedule: RetrySchedule): string | undefined {
  const offsets = (name: string, list: unknown): string | undefined => {
    if (!Array.isArray(list) || list.length === 0) return `${name} must be a non-empty list of ms`;
    for (const [index, value] of list.entries()) {
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
        return `${name}[${index}] must be a non-negative number of ms, got ${String(value)}`;
      if (index > 0 && value < (list[index - 1] as number))
        return `${name} must be in ascending order (${name}[${index}] is before ${name}[${index - 1}])`;
    }
    return undefined;
  };
  const number = (name: string, value: unknown, least: number): string | undefined =>
    typeof value === 'number' && Number.isFinite(value) && value >= least
      ? undefined
      : `${name} must be a number of ms of at least ${least}, got ${String(value)}`;
  return (
    offsets('firstDay', schedule.firstDay) ??
    offsets('fallback', schedule.fallback) ??
    number('interval', schedule.interval, 1) ??
    number('window', schedule.window, 0)
  );
}
