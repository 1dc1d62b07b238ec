/**
 * Time rules: Danish calendar dates (value dates) and ISO durations. NgDP reasons about value dates
 * in Europe/Copenhagen; the simulator stores epoch milliseconds.
 */

/** Made on first use: ICU's time-zone data costs ≈ 9 MiB of RSS once loaded (see sdk/memo/builder.ts). */
let formatter: Intl.DateTimeFormat | undefined;

/** The Copenhagen wall-clock fields of an instant: `year`, `month`, `day`, `hour`, `minute`, `second`. */
function partsAt(instant: number): Record<string, string> {
  formatter ??= new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Europe/Copenhagen',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  });
  return Object.fromEntries(formatter.formatToParts(new Date(instant)).map((p) => [p.type, p.value]));
}

function offsetAt(instant: number): number {
  const parts = partsAt(instant);
  const asUtc = Date.UTC(
    Number(parts.year),
    Number(parts.month) - 1,
    Number(parts.day),
    Number(parts.hour),
    Number(parts.minute),
    Number(parts.second),
  );
  return asUtc - Math.floor(instant / 1000) * 1000;
}

/** The Copenhagen calendar date of an instant, `YYYY-MM-DD`. */
export function copenhagenDate(instant: number): string {
  const parts = partsAt(instant);
  return `${parts.year}-${parts.month}-${parts.day}`;
}

/** The instant of 00:00 Copenhagen time on `date` (`YYYY-MM-DD`). */
export function copenhagenMidnight(date: string): number {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  const utcMidnight = Date.UTC(year, month - 1, day);
  // Midnight is never inside a DST gap in Denmark (changes happen at 02:00/03:00).
  return utcMidnight - offsetAt(utcMidnight - offsetAt(utcMidnight));
}

/** Whole calendar days from `from` to `to` (both `YYYY-MM-DD`). */
export function daysBetween(from: string, to: string): number {
  const day = (date: string): number => {
    const [y, m, d] = date.split('-').map(Number) as [number, number, number];
    return Date.UTC(y, m - 1, d) / 86_400_000;
  };
  return day(to) - day(from);
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
