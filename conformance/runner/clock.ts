/**
 * Simulator time during a scenario. The simulator runs on its manual clock and the suite moves it:
 * by default as a time-lapse (simulated minutes per real second, so that NgDP's delays under chaos
 * pass in a blink), and where a scenario scripts it, held still while the vendor's system waits and
 * then moved on by hours or days at once. Every move is logged, so that a simulator time (when a
 * receipt was made) can be told as the wall time the vendor's system saw it.
 */
import type { ControlClient } from './control.ts';
import type { TranscriptEntry } from './transcript.ts';

/** One step of a scenario's script for the clock; the last step lasts until the scenario ends. */
export type ClockStep =
  /** Time-lapse: the clock runs {@link TIME_LAPSE} times faster than real time. */
  | { kind: 'lapse'; forMs?: number }
  /** The clock stands still for this long (real ms). */
  | { kind: 'hold'; forMs: number }
  /** The clock jumps on by this many simulated ms, running what falls due on the way. */
  | { kind: 'advance'; byMs: number }
  /** The clock stands still (or runs, with `lapse`) until the vendor has done what `done` looks for. */
  | {
      kind: 'until';
      done: (entries: readonly TranscriptEntry[]) => boolean;
      lapse?: boolean;
      timeoutMs?: number;
    };

/** Simulated ms per real ms while the time-lapse runs: five minutes a second. */
export const TIME_LAPSE = 300;
/** How often the time-lapse moves the clock (real ms). */
const TICK_MS = 100;
/** How long an `until` step waits at most by default (real ms). */
const UNTIL_TIMEOUT_MS = 15_000;

/** A point where wall time and simulator time met. */
export interface ClockMark {
  wall: number;
  sim: number;
}

/** The clock's moves during a scenario, in order, and the spells it was held still by the script. */
export class ClockLog {
  readonly marks: ClockMark[] = [];
  /** Wall-clock spells (ms) in which the script held the clock: nothing NgDP does can change then. */
  readonly holds: Array<{ from: number; to: number }> = [];

  mark(sim: number, wall = Date.now()): void {
    this.marks.push({ wall, sim });
  }

  /**
   * A wall time by which something NgDP did at simulator time `sim` had certainly happened: when
   * the clock was first seen past it. (While the clock stands still, NgDP's work of that moment may
   * come at any real time: this errs towards later, in the vendor's favour.) Undefined when the
   * clock never got past it.
   */
  wallAfter(sim: number): number | undefined {
    return this.marks.find((mark) => mark.sim > sim)?.wall;
  }
}

/** What the clock driver needs: the control API, and the vendor's requests so far. */
export interface ClockDriverContext {
  control: ControlClient;
  /** Reads the transcript on and resolves to every entry of the scenario so far. */
  requests(): Promise<readonly TranscriptEntry[]>;
}

/** Runs a script for the clock in the background until `stop()`. */
export class ClockDriver {
  readonly log = new ClockLog();
  private stopped = false;
  private wake: (() => void) | undefined;
  private readonly running: Promise<void>;
  private readonly context: ClockDriverContext;

  constructor(context: ClockDriverContext, steps: readonly ClockStep[], start: number) {
    this.context = context;
    this.log.mark(start);
    this.running = this.play(steps.length === 0 ? [{ kind: 'lapse' }] : steps);
  }

  /** Stops the script (after the move under way) and resolves to the log. */
  async stop(): Promise<ClockLog> {
    this.stopped = true;
    this.wake?.();
    await this.running;
    return this.log;
  }

  private async play(steps: readonly ClockStep[]): Promise<void> {
    for (const [index, step] of steps.entries()) {
      if (this.stopped) return;
      const last = index === steps.length - 1;
      switch (step.kind) {
        case 'lapse':
          await this.lapse(last ? Number.POSITIVE_INFINITY : (step.forMs ?? 0));
          break;
        case 'hold': {
          const from = Date.now();
          await this.sleep(step.forMs);
          this.log.holds.push({ from, to: Date.now() });
          break;
        }
        case 'advance':
          this.log.mark(await this.context.control.advance(step.byMs));
          break;
        case 'until':
          await this.until(step);
          break;
      }
    }
    if (!this.stopped && steps.at(-1)?.kind !== 'lapse') await this.lapse(Number.POSITIVE_INFINITY);
  }

  private async lapse(forMs: number): Promise<void> {
    const ends = Date.now() + forMs;
    let last = Date.now();
    while (!this.stopped && Date.now() < ends) {
      await this.sleep(TICK_MS);
      const now = Date.now();
      this.log.mark(await this.context.control.advance((now - last) * TIME_LAPSE));
      last = now;
    }
  }

  private async until(step: Extract<ClockStep, { kind: 'until' }>): Promise<void> {
    const ends = Date.now() + (step.timeoutMs ?? UNTIL_TIMEOUT_MS);
    let last = Date.now();
    while (!this.stopped && Date.now() < ends) {
      if (step.done(await this.context.requests())) return;
      await this.sleep(TICK_MS);
      if (step.lapse) {
        const now = Date.now();
        this.log.mark(await this.context.control.advance((now - last) * TIME_LAPSE));
        last = now;
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = undefined;
        resolve();
      }, ms);
      this.wake = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
    });
  }
}
