import { DigitalPostError } from '../sdk/errors.ts';
import { jsonLine, printable } from './text.ts';

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
  /** Whether the command runs under `--json` (set by `runCli`; stderr is then JSON Lines). */
  readonly json?: boolean;
}

/** Exit codes shared by every command. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/**
 * A failure to report as one line on stderr with this exit code; under `--json` as
 * `{"error":{"code","message"}}` with `code` (default `USAGE_ERROR` for exit 2, `FAILED` otherwise).
 */
export class CliError extends Error {
  readonly exitCode: number;
  readonly code: string;

  constructor(message: string, exitCode: number = EXIT.usage, code?: string) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
    this.code = code ?? (exitCode === EXIT.usage ? 'USAGE_ERROR' : 'FAILED');
  }
}

/** The stable `code` of an error of this package, for a CliError that reports it. */
export function errorCode(error: unknown): string | undefined {
  return error instanceof DigitalPostError ? error.code : undefined;
}

/** The JSON line of a problem on stderr under `--json`. */
export function errorJsonLine(code: string, message: string): string {
  return jsonLine({ error: { code, message } });
}

/**
 * Reports a problem with one item of several (the command goes on): `digitalpost: message`, or
 * under `--json` `{"error":{"code","message"}}`.
 */
export function reportItemProblem(io: CliIO, code: string, message: string): void {
  io.stderr(io.json === true ? errorJsonLine(code, message) : `digitalpost: ${printable(message)}\n`);
}

const PREFIX = 'digitalpost: ';
const KINDS = [
  ['warning: ', 'warning'],
  ['progress: ', 'progress'],
] as const;

/**
 * Under `--json`, what commands write to stderr as JSON Lines too, so that a program reading
 * stderr never meets free text: `digitalpost: warning: …` becomes `{"warning":{"message"}}`,
 * `digitalpost: progress: …` `{"progress":{"message"}}`, any other `digitalpost: …` line (a
 * problem with one item of several) `{"error":{"code":"ITEM_FAILED","message"}}`, and any other line
 * `{"log":{"message"}}`. Text is collected up to its newline.
 */
export function jsonStderr(write: (text: string) => void): (text: string) => void {
  let pending = '';
  return (text) => {
    pending += text;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      if (line.trim() === '') continue;
      if (line.startsWith('{')) {
        write(`${line}\n`);
        continue;
      }
      if (!line.startsWith(PREFIX)) {
        write(jsonLine({ log: { message: line } }));
        continue;
      }
      const rest = line.slice(PREFIX.length);
      const kind = KINDS.find(([prefix]) => rest.startsWith(prefix));
      write(
        kind === undefined
          ? errorJsonLine('ITEM_FAILED', rest)
          : jsonLine({ [kind[1]]: { message: rest.slice(kind[0].length) } }),
      );
    }
  };
}
