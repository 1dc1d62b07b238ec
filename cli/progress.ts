/**
 * Progress of a long run on stderr: a bar redrawn in place when stderr is a terminal, otherwise a
 * plain line now and then (logs and CI keep every line they are given).
 */
import type { CliIO } from './io.ts';

/** Where a run is. */
export interface ProgressState {
  /** Items handled (uploaded, left out as already sent, or refused). */
  done: number;
  total: number;
  /** Bytes uploaded. */
  bytes: number;
  uploads: number;
}

export interface Progress {
  update(state: ProgressState): void;
  /** Takes the bar off the screen (a terminal) before the final lines are printed. */
  finish(): void;
}

const BAR_WIDTH = 24;
/** A terminal is redrawn at most this often. */
const REDRAW_MS = 100;
/** Without a terminal, a line at most this often. */
const LINE_MS = 2_000;

/** `1.2 MB`, `340 kB`, `512 B`. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
  if (bytes >= 1e3) return `${(bytes / 1e3).toFixed(1)} kB`;
  return `${bytes} B`;
}

function summary(state: ProgressState, unit: string): string {
  const count = `${state.done.toLocaleString('en')}/${state.total.toLocaleString('en')} ${unit}`;
  return `${count} · ${state.uploads} uploaded · ${formatBytes(state.bytes)}`;
}

const silent: Progress = { update: () => {}, finish: () => {} };

/**
 * A progress display for `unit`s (`files`). `now` is the clock (tests pass their own). Nothing at all
 * when `quiet`.
 */
export function progressDisplay(
  io: CliIO,
  options: { unit: string; quiet: boolean; now?: () => number },
): Progress {
  if (options.quiet) return silent;
  const now = options.now ?? Date.now;
  let last = Number.NEGATIVE_INFINITY;
  let shown = false;
  if (io.stderrIsTTY === true) {
    return {
      update(state) {
        const time = now();
        if (time - last < REDRAW_MS && state.done < state.total) return;
        last = time;
        shown = true;
        const filled = state.total === 0 ? BAR_WIDTH : Math.round((state.done / state.total) * BAR_WIDTH);
        const bar = `${'█'.repeat(filled)}${'░'.repeat(BAR_WIDTH - filled)}`;
        io.stderr(`\r\x1b[K${bar} ${summary(state, options.unit)}`);
      },
      finish() {
        if (shown) io.stderr('\r\x1b[K');
        shown = false;
      },
    };
  }
  return {
    update(state) {
      const time = now();
      if (time - last < LINE_MS) return;
      last = time;
      io.stderr(`digitalpost: progress: ${summary(state, options.unit)}\n`);
    },
    finish() {},
  };
}
