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

/**
 * Logs a test employee in with `digitalpost login`, keeping the token under `configHome` (the
 * `XDG_CONFIG_HOME` of later runs); resolves to the environment those runs use.
 */
export async function loggedIn(
  baseUrl: string,
  configHome: string,
  credentials: { username: string; password: string },
): Promise<Record<string, string>> {
  const env = { XDG_CONFIG_HOME: configHome };
  const result = await run(['login', '--base-url', baseUrl, '--username', credentials.username], {
    ...env,
    DIGITALPOST_PASSWORD: credentials.password,
  });
  if (result.code !== 0) throw new Error(`login failed: ${result.stderr}`);
  return env;
}
