/**
 * Running the vendor's adapter command: through the shell, in the suite's working directory, with
 * the suite's environment plus the protocol's variables, until it exits or its deadline passes —
 * then SIGTERM to its process group, and SIGKILL 5 s later. Its exit and the end of its stderr
 * are kept as evidence. `--wait` replaces the command by the vendor acting by hand.
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { ConformanceSetupError } from '../../sdk/errors.ts';

/** How the adapter's run ended. */
export interface AdapterRun {
  /** Wall clock, ms. */
  startedAt: number;
  endedAt: number;
  /** The exit status; null when a signal ended it (or nothing ran: `--wait`). */
  exitCode: number | null;
  signal: string | null;
  /** It was still running at the deadline and was stopped. */
  timedOut: boolean;
  /** The last bytes of its stderr (at most {@link STDERR_KEPT}). */
  stderr: string;
}

/** How much of the end of stderr is kept. */
export const STDERR_KEPT = 8 * 1024;
/** Between SIGTERM at the deadline and SIGKILL. */
export const KILL_AFTER_MS = 5_000;

/** Shell exit statuses that mean the command itself could not start (POSIX: 126 not executable, 127 not found). */
export const COULD_NOT_START = new Set([126, 127]);

/** Keeps the last `limit` bytes written to it. */
export class Tail {
  private chunks: Buffer[] = [];
  private size = 0;
  private readonly limit: number;

  constructor(limit: number) {
    this.limit = limit;
  }

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.size - (this.chunks[0]?.length ?? 0) >= this.limit && this.chunks.length > 1) {
      this.size -= this.chunks.shift()?.length ?? 0;
    }
  }

  text(): string {
    const all = Buffer.concat(this.chunks);
    return all.subarray(Math.max(0, all.length - this.limit)).toString('utf8');
  }
}

export interface CommandRunOptions {
  command: string;
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  deadlineMs: number;
}

/**
 * Runs the adapter command once.
 *
 * @throws ConformanceSetupError when the command cannot start at all (the shell cannot find or
 *   execute it): the run stops, exit 2.
 */
export async function runCommand(options: CommandRunOptions): Promise<AdapterRun> {
  const startedAt = Date.now();
  const stderr = new Tail(STDERR_KEPT);
  const child = spawn(options.command, {
    shell: true,
    cwd: options.cwd,
    env: options.env,
    // Its own process group, so that the deadline stops the command's children too.
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));
  let timedOut = false;
  const signalGroup = (signal: NodeJS.Signals): void => {
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
    try {
      process.kill(-child.pid, signal);
    } catch {
      // The group is gone already.
    }
  };
  let killTimer: NodeJS.Timeout | undefined;
  const deadline = setTimeout(() => {
    timedOut = true;
    signalGroup('SIGTERM');
    killTimer = setTimeout(() => signalGroup('SIGKILL'), KILL_AFTER_MS);
  }, options.deadlineMs);
  const ended = await new Promise<{ code: number | null; signal: string | null } | Error>((resolve) => {
    child.once('error', (error) => resolve(error));
    child.once('close', (code, signal) => resolve({ code, signal }));
  });
  clearTimeout(deadline);
  clearTimeout(killTimer);
  if (ended instanceof Error)
    throw new ConformanceSetupError(`the adapter command could not start: ${ended.message}`, {
      cause: ended,
    });
  if (ended.code !== null && COULD_NOT_START.has(ended.code)) {
    const said = stderr.text().trim().split('\n').at(-1) ?? '';
    throw new ConformanceSetupError(
      `the adapter command could not start (the shell exited ${ended.code}${said ? `: ${said}` : ''})`,
    );
  }
  return {
    startedAt,
    endedAt: Date.now(),
    exitCode: ended.code,
    signal: ended.signal,
    timedOut,
    stderr: stderr.text(),
  };
}

export interface ManualRunOptions {
  /** The vendor report file to watch. */
  reportPath: string;
  /** How many report lines mean the vendor is done. */
  expectedLines: number;
  deadlineMs: number;
  /** How often the report file is read. */
  pollMs?: number;
}

/** `--wait`: no command; the scenario ends when the report has a line per letter, or at the deadline. */
export async function waitForVendor(options: ManualRunOptions): Promise<AdapterRun> {
  const startedAt = Date.now();
  const poll = options.pollMs ?? 500;
  let timedOut = true;
  while (Date.now() - startedAt < options.deadlineMs) {
    const text = await readFile(options.reportPath, 'utf8').catch(() => '');
    if (text.split('\n').filter((line) => line.trim() !== '').length >= options.expectedLines) {
      timedOut = false;
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, poll));
  }
  return { startedAt, endedAt: Date.now(), exitCode: null, signal: null, timedOut, stderr: '' };
}
