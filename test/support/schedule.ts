/**
 * The delivery retry schedule of docs/differences.md ("Delivery, receipts and retries"), written
 * out for tests to hold the simulator against — independently of the code's own schedule.
 */

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** +0, +10 min, +1 h, +4 h, +12 h (5 on day 1), then daily on days 2 to 7: +1 d … +6 d. */
export const RETRY_OFFSETS = [
  0,
  10 * MINUTE,
  HOUR,
  4 * HOUR,
  12 * HOUR,
  DAY,
  2 * DAY,
  3 * DAY,
  4 * DAY,
  5 * DAY,
  6 * DAY,
];
/** Then, when the 7 days are over, 3 attempts at the organisation's default recipient system: +0, +10 min, +1 h. */
export const FALLBACK_OFFSETS = [0, 10 * MINUTE, HOUR];
