/**
 * The recipient profiles' adapter: one long-running process for the whole run (the vendor's
 * receiver or poller), started through the shell with the protocol's environment and stopped at
 * the end with SIGTERM to its process group, then SIGKILL 5 s later. Its exit is not judged at the
 * end, but an exit during the run is evidence (it stopped taking MeMos), and the end of its stderr
 * is kept.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { ConformanceSetupError } from '../../sdk/errors.ts';
import { COULD_NOT_START, KILL_AFTER_MS, STDERR_KEPT, Tail } from './adapter.ts';

/** How the process stands. */
export interface ProcessState {
  /** Wall clock (ms) when it was started. */
  startedAt: number;
  /** Wall clock (ms) when it exited, if it has. */
  exitedAt: number | undefined;
  exitCode: number | null;
  signal: string | null;
  /** The end of its stderr so far. */
  stderr: string;
}

export class LongRunningAdapter {
  private readonly child: ChildProcess;
  private readonly tail = new Tail(STDERR_KEPT);
  private readonly startedAt = Date.now();
  private exit: { at: number; code: number | null; signal: string | null } | undefined;
  private failure: Error | undefined;
  private readonly closed: Promise<void>;

  private constructor(command: string, cwd: string, env: Readonly<Record<string, string | undefined>>) {
    this.child = spawn(command, {
      shell: true,
      cwd,
      env,
      // Its own process group, so that stopping it stops what it started too.
      detached: true,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    this.child.stderr?.on('data', (chunk: Buffer) => this.tail.push(chunk));
    this.closed = new Promise((resolve) => {
      this.child.once('error', (error) => {
        this.failure = error;
        this.exit ??= { at: Date.now(), code: null, signal: null };
        resolve();
      });
      this.child.once('close', (code, signal) => {
        this.exit = { at: Date.now(), code, signal };
        resolve();
      });
    });
  }

  /** Starts `command` through the shell. */
  static start(
    command: string,
    cwd: string,
    env: Readonly<Record<string, string | undefined>>,
  ): LongRunningAdapter {
    return new LongRunningAdapter(command, cwd, env);
  }

  state(): ProcessState {
    return {
      startedAt: this.startedAt,
      exitedAt: this.exit?.at,
      exitCode: this.exit?.code ?? null,
      signal: this.exit?.signal ?? null,
      stderr: this.tail.text(),
    };
  }

  /**
   * @throws ConformanceSetupError when the command could not start at all (the shell could not
   *   find or execute it): the run stops, exit 2.
   */
  assertStarted(): void {
    if (this.failure !== undefined)
      throw new ConformanceSetupError(`the adapter command could not start: ${this.failure.message}`, {
        cause: this.failure,
      });
    const code = this.exit?.code;
    if (code !== undefined && code !== null && COULD_NOT_START.has(code)) {
      const said = this.tail.text().trim().split('\n').at(-1) ?? '';
      throw new ConformanceSetupError(
        `the adapter command could not start (the shell exited ${code}${said ? `: ${said}` : ''})`,
      );
    }
  }

  /** SIGTERM to its group, SIGKILL after {@link KILL_AFTER_MS}; resolves once it is gone. */
  async stop(): Promise<ProcessState> {
    if (this.exit === undefined) {
      this.signal('SIGTERM');
      const kill = setTimeout(() => this.signal('SIGKILL'), KILL_AFTER_MS);
      await this.closed;
      clearTimeout(kill);
    }
    return this.state();
  }

  private signal(signal: NodeJS.Signals): void {
    const pid = this.child.pid;
    if (pid === undefined || this.exit !== undefined) return;
    try {
      process.kill(-pid, signal);
    } catch {
      // The group is gone already.
    }
  }
}
