import { describe, expect, it } from 'vitest';
import { copenhagenDate, copenhagenMidnight, daysBetween, valueDateOf } from './time.ts';

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
