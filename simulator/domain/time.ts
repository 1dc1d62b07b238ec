/**
 * Time rules of the simulator's own: ISO durations (control API) and calendar months (event-log
 * periods). The Danish calendar of value dates is NgDP's vocabulary, in `sdk/ngdp/time.ts`.
 */

/**
 * The simulator clock's range: 1970-01-01 to the last millisecond of 9999. Every date it writes then
 * has a four-digit year, and the instants it computes from the clock (retries over days, value
 * dates) stay far from where `Date` ends (year 275760), beyond which every answer would fail.
 */
export const EARLIEST_INSTANT = 0;
export const LATEST_INSTANT = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

export function withinClockRange(instant: number): boolean {
  return Number.isFinite(instant) && instant >= EARLIEST_INSTANT && instant <= LATEST_INSTANT;
}

const DURATION = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

/** Milliseconds of an ISO-8601 duration such as `PT1H`, `P2D`, `PT90S`; undefined if invalid. */
export function parseDuration(text: string): number | undefined {
  const match = DURATION.exec(text);
  if (match === null || text === 'P' || text.endsWith('T')) return undefined;
  const [, days = '0', hours = '0', minutes = '0', seconds = '0'] = match;
  return ((Number(days) * 24 + Number(hours)) * 60 + Number(minutes)) * 60_000 + Number(seconds) * 1000;
}

/** Adds calendar months to an instant (UTC), for "at most 3 months" periods. */
export function addMonths(instant: number, months: number): number {
  const date = new Date(instant);
  date.setUTCMonth(date.getUTCMonth() + months);
  return date.getTime();
}
