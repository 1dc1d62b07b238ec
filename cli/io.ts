/** What a command may touch of the outside world; tests pass their own. */
export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Environment variables (only `cli/` reads them). */
  env: Readonly<Record<string, string | undefined>>;
  /**
   * Resolves once everything written to stdout so far reached the operating system; rejects when
   * stdout is closed (a reader like `head` went away). Commands call it before acting on what they
   * printed, e.g. acknowledging a receipt.
   */
  flushed?: () => Promise<void>;
  /** Whether stderr is a terminal (progress bars are drawn only there). */
  stderrIsTTY?: boolean;
  /** Resolves when a long-running command should stop (SIGINT/SIGTERM for the real process). */
  untilStopped?: () => Promise<void>;
}

/** A failure to report as one line on stderr with this exit code. */
export class CliError extends Error {
  readonly exitCode: number;

  constructor(message: string, exitCode = 2) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

/** Exit codes shared by every command. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;
