/**
 * Simulator time. Everything in the domain and engine reads the clock, never `Date.now()`, so a
 * manual clock can move a whole scenario (value dates, retries over days) in milliseconds.
 */

export interface Clock {
  readonly mode: 'real' | 'manual';
  /** Epoch milliseconds. */
  now(): number;
}

/** Wall-clock time. */
export class RealClock implements Clock {
  readonly mode = 'real' as const;

  now(): number {
    return Date.now();
  }
}

/** Time that moves only when told to; starts at the given instant (default: now). */
export class ManualClock implements Clock {
  readonly mode = 'manual' as const;
  private current: number;

  constructor(start: number = Date.now()) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  set(instant: number): void {
    this.current = instant;
  }
}

/**
 * Real time in epoch milliseconds, monotonic within the process (no jumps when the system clock
 * is set): when the transcript's requests really happened and how long they took, whatever the
 * simulator clock says.
 */
export function wallTime(): number {
  return performance.timeOrigin + performance.now();
}
