import { describe, expect, it } from 'vitest';
import {
  addDays,
  copenhagenDate,
  copenhagenHour,
  copenhagenMidnight,
  copenhagenTime,
  daysBetween,
  valueDateOf,
} from './time.ts';

describe('the Danish calendar of value dates', () => {
  it.each([
    // Winter (CET, UTC+1) and summer (CEST, UTC+2).
    ['2025-01-15', '2025-01-14T23:00:00.000Z'],
    ['2025-07-01', '2025-06-30T22:00:00.000Z'],
    // The days daylight saving time begins (last Sunday of March) and ends (last Sunday of October).
    ['2025-03-30', '2025-03-29T23:00:00.000Z'],
    ['2025-03-31', '2025-03-30T22:00:00.000Z'],
    ['2025-10-26', '2025-10-25T22:00:00.000Z'],
    ['2025-10-27', '2025-10-26T23:00:00.000Z'],
  ])('00:00 in Copenhagen on %s is %s', (date, instant) => {
    expect(new Date(copenhagenMidnight(date)).toISOString()).toBe(instant);
    expect(copenhagenDate(copenhagenMidnight(date))).toBe(date);
  });

  it.each([
    ['2025-03-29T22:59:59.999Z', '2025-03-29'],
    ['2025-03-29T23:00:00.000Z', '2025-03-30'],
    ['2025-10-25T21:59:59.999Z', '2025-10-25'],
    ['2025-10-25T22:00:00.000Z', '2025-10-26'],
    ['2025-12-31T23:00:00.000Z', '2026-01-01'],
  ])('the instant %s falls on %s in Copenhagen', (instant, date) => {
    expect(copenhagenDate(Date.parse(instant))).toBe(date);
  });

  it.each([
    ['2025-03-29', '2025-04-01', 3],
    ['2025-10-25', '2025-10-28', 3],
    ['2025-12-30', '2026-01-02', 3],
    ['2025-06-02', '2025-06-02', 0],
    ['2025-06-03', '2025-06-02', -1],
  ])('from %s to %s is %i days, across DST changes and years alike', (from, to, days) => {
    expect(daysBetween(from, to)).toBe(days);
  });

  it('a value date given as a date-time names its date', () => {
    expect(valueDateOf(' 2025-06-02T00:00:00+02:00 ')).toBe('2025-06-02');
    expect(valueDateOf('2025-06-02')).toBe('2025-06-02');
  });
});

describe('Copenhagen hours and days', () => {
  it('reads the Copenhagen hour of an instant, in summer (CEST) and winter (CET)', () => {
    expect(copenhagenHour(Date.UTC(2025, 5, 2, 16, 0))).toBe(18);
    expect(copenhagenHour(Date.UTC(2025, 0, 15, 17, 0))).toBe(18);
    expect(copenhagenHour(Date.UTC(2025, 0, 15, 23, 30))).toBe(0);
  });

  it('finds the instant of an hour on a Danish date, across the DST changes', () => {
    expect(copenhagenTime('2025-06-02', 8)).toBe(Date.UTC(2025, 5, 2, 6, 0));
    expect(copenhagenTime('2025-01-15', 8)).toBe(Date.UTC(2025, 0, 15, 7, 0));
    // The clocks go forward at 02:00 on 2025-03-30 and back at 03:00 on 2025-10-26.
    expect(copenhagenTime('2025-03-30', 8)).toBe(Date.UTC(2025, 2, 30, 6, 0));
    expect(copenhagenTime('2025-10-26', 8)).toBe(Date.UTC(2025, 9, 26, 7, 0));
  });

  it('counts calendar days forward and back, over months and years', () => {
    expect(addDays('2025-06-30', 1)).toBe('2025-07-01');
    expect(addDays('2024-12-31', 1)).toBe('2025-01-01');
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2025-03-01', -1)).toBe('2025-02-28');
  });
});
