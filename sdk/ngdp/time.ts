/**
 * NgDP reasons about value dates (`doNotDeliverUntilDate`) as Danish calendar dates: a letter dated
 * 2025-06-02 is delivered at 00:00 Copenhagen time that day, whatever the offset (CET or CEST).
 */

/**
 * Made on first use, not when the module loads: a formatter with a time zone makes ICU load its
 * time-zone and locale data, ≈ 9 MiB of RSS (measured on Node 24), which every program importing
 * the package would pay while few ever need a Copenhagen date.
 */
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

/** Copenhagen's offset from UTC at an instant, in ms (1 or 2 hours). */
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

/** The Copenhagen calendar date of an instant (epoch ms), `YYYY-MM-DD`. */
export function copenhagenDate(instant: number): string {
  const parts = partsAt(instant);
  return `${parts.year}-${parts.month}-${parts.day}`;
}

/** The Copenhagen wall-clock hour (0–23) of an instant. */
export function copenhagenHour(instant: number): number {
  return Number(partsAt(instant).hour);
}

/**
 * The instant (epoch ms) of `hour`:00 Copenhagen time on `date` (`YYYY-MM-DD`); not for an hour
 * inside the spring-forward gap (02:00 on the last Sunday of March).
 */
export function copenhagenTime(date: string, hour: number): number {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  const utc = Date.UTC(year, month - 1, day, hour);
  return utc - offsetAt(utc - offsetAt(utc));
}

/** The instant (epoch ms) of 00:00 Copenhagen time on `date` (`YYYY-MM-DD`). */
export function copenhagenMidnight(date: string): number {
  // Midnight is never inside a DST gap in Denmark (changes happen at 02:00/03:00).
  return copenhagenTime(date, 0);
}

/** The calendar date `days` after `date` (both `YYYY-MM-DD`). */
export function addDays(date: string, days: number): string {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(year, month - 1, day + days)).toISOString().slice(0, 10);
}

/** Whole calendar days from `from` to `to` (both `YYYY-MM-DD`). */
export function daysBetween(from: string, to: string): number {
  const day = (date: string): number => {
    const [y, m, d] = date.split('-').map(Number) as [number, number, number];
    return Date.UTC(y, m - 1, d) / 86_400_000;
  };
  return day(to) - day(from);
}

/**
 * The calendar date a `doNotDeliverUntilDate` names: its first ten characters (`YYYY-MM-DD`), as
 * MeMo allows a date-time there too.
 */
export function valueDateOf(doNotDeliverUntilDate: string): string {
  return doNotDeliverUntilDate.trim().slice(0, 10);
}
