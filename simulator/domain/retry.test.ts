/** The delivery retry schedule: when each attempt is due, and which schedules are refused. */
import { describe, expect, it } from 'vitest';
import { DAY, FALLBACK_OFFSETS, RETRY_OFFSETS } from '../../test/support/schedule.ts';
import {
  DEFAULT_RETRY_SCHEDULE,
  nextAttemptAt,
  retrySchedule,
  retryScheduleProblem,
  windowEndsAt,
} from './retry.ts';

/** Every attempt's offset from the first (attempt 1 at 0), at the target or at the fallback. */
function attempts(schedule: ReturnType<typeof retrySchedule>, fallback: boolean): number[] {
  const found = [0];
  for (let attempt = 1; attempt < 100; attempt++) {
    const next = nextAttemptAt(schedule, attempt, 0, fallback);
    if (next === undefined) return found;
    found.push(next);
  }
  throw new Error('the schedule does not end');
}

describe('the default schedule (admin.md §13: 5 on day 1, then daily until 7 days)', () => {
  it('makes 5 attempts in the first 24 hours, then one a day on days 2 to 7: 11 in all', () => {
    expect(attempts(DEFAULT_RETRY_SCHEDULE, false)).toEqual(RETRY_OFFSETS);
  });

  it('makes no attempt at +7 days: the window is over then, and the primary system takes over', () => {
    expect(attempts(DEFAULT_RETRY_SCHEDULE, false)).not.toContain(7 * DAY);
    expect(windowEndsAt(DEFAULT_RETRY_SCHEDULE, 1_000)).toBe(1_000 + 7 * DAY);
  });

  it('then tries the primary system 3 times: at once, +10 min, +1 h', () => {
    expect(attempts(DEFAULT_RETRY_SCHEDULE, true)).toEqual(FALLBACK_OFFSETS);
  });
});

describe('retrySchedule', () => {
  it('makes exactly the retries given, then none', () => {
    expect(attempts(retrySchedule([1_000, 5_000, 30_000]), false)).toEqual([0, 1_000, 5_000, 30_000]);
  });

  it('ends its window at the last retry, so the fallback follows at once', () => {
    expect(windowEndsAt(retrySchedule([1_000, 5_000]), 100)).toBe(5_100);
  });

  it('falls back at once and at the first two offsets, as the default schedule does', () => {
    expect(attempts(retrySchedule([1_000, 5_000, 30_000]), true)).toEqual([0, 1_000, 5_000]);
    expect(attempts(DEFAULT_RETRY_SCHEDULE, true)).toEqual(DEFAULT_RETRY_SCHEDULE.firstDay.slice(0, 3));
  });

  it('with no retries makes one attempt, at the target and at the fallback', () => {
    expect(attempts(retrySchedule([]), false)).toEqual([0]);
    expect(attempts(retrySchedule([]), true)).toEqual([0]);
  });
});

describe('retryScheduleProblem', () => {
  it('accepts the default schedule and one made by retrySchedule', () => {
    expect(retryScheduleProblem(DEFAULT_RETRY_SCHEDULE)).toBeUndefined();
    expect(retryScheduleProblem(retrySchedule([1_000]))).toBeUndefined();
  });

  it.each([
    [{ interval: 0 }, 'interval must be a number of ms of at least 1, got 0'],
    [{ window: Number.NaN }, 'window must be a number of ms of at least 0, got NaN'],
    [{ firstDay: [] }, 'firstDay must be a non-empty list of ms'],
    [{ firstDay: [0, -5] }, 'firstDay[1] must be a non-negative number of ms, got -5'],
    [{ fallback: [0, 10, 5] }, 'fallback must be in ascending order (fallback[2] is before fallback[1])'],
  ])('refuses %o', (change, problem) => {
    expect(retryScheduleProblem({ ...DEFAULT_RETRY_SCHEDULE, ...change })).toBe(problem);
  });
});
