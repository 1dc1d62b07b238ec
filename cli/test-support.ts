/** Running the CLI in-process in tests, with its output captured. */
import type { CliIO } from './io.ts';
import { runCli } from './program.ts';

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `digitalpost …argv` with only `env` as its environment (and `io` replacing parts of the IO). */
export async function run(
  argv: readonly string[],
  env: Record<string, string | undefined> = {},
  io: Pick<CliIO, 'flushed' | 'stderrIsTTY' | 'untilStopped'> = {},
): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    env,
    ...io,
  });
  return { code, stdout, stderr };
}

/** The non-empty lines of an output. */
export function lines(text: string): string[] {
  return text.split('\n').filter((line) => line !== '');
}

/** The JSON Lines of an output, parsed. */
export function jsonLines(text: string): Array<Record<string, unknown>> {
  return lines(text).map((line) => JSON.parse(line) as Record<string, unknown>);
}
