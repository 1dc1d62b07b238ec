/**
 * Every command under `--json` on its error paths: a usage error and a failure each end with
 * stderr as JSON Lines — `{"error":{"code","message"}}` — nothing on stdout that is not JSON, and an
 * exit code its `--help` names. The table below must name a failure for every command that takes
 * `--json`, so a new command cannot skip this.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sshPublicKey } from '../test/support/ssh-keys.ts';
import { commandPaths } from './program.ts';
import { jsonLines, run } from './test-support.ts';

let dir: string;
let letter: string;
let publicKey: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dp-cli-json-errors-'));
  letter = join(dir, 'letter.xml');
  await writeFile(letter, '<not-a-memo/>');
  publicKey = join(dir, 'key.pub');
  await writeFile(publicKey, `${sshPublicKey()}\n`);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Nothing listens on the discard port of loopback. */
const NOWHERE = 'http://127.0.0.1:9';
const API_ENV = { DIGITALPOST_BASE_URL: `${NOWHERE}/apis/v1`, DIGITALPOST_API_KEY: 'test-key-1234' };
const CONTROL = ['--url', NOWHERE];
const ADMIN_ENV = { DIGITALPOST_BASE_URL: `${NOWHERE}/apis/v1`, DIGITALPOST_ADMIN_TOKEN: 'test-token-1234' };
const ORGANISATION = ['--organisation', '10000000-0000-4000-8000-000000000001', '--retries', '0'];
const unreachable = (argv: () => string[]): Failure => ({
  argv,
  env: ADMIN_ENV,
  exit: 1,
  code: 'CONNECTION_FAILED',
});

interface Failure {
  /** The arguments after the command's words (with --json). */
  argv: () => string[];
  env?: Record<string, string>;
  exit: 1 | 2;
  /** The code of the last error line, when the command's failure has one code. */
  code?: string;
}

/** A way each command that takes --json fails, other than a usage error. */
const FAILURES: Record<string, Failure> = {
  'memo validate': { argv: () => [join(dir, 'missing.xml')], exit: 2, code: 'FILE_UNREADABLE' },
  'sim start': {
    argv: () => ['--port', '0', '--no-sftp', '--seed', join(dir, 'missing-seed.json')],
    exit: 1,
  },
  'sim clock': { argv: () => CONTROL, exit: 1, code: 'SIMULATOR_UNREACHABLE' },
  'sim clock advance': { argv: () => ['P1D', ...CONTROL], exit: 1, code: 'SIMULATOR_UNREACHABLE' },
  'sim clock set': {
    argv: () => ['2025-06-02T08:00:00Z', ...CONTROL],
    exit: 1,
    code: 'SIMULATOR_UNREACHABLE',
  },
  'sim faults': { argv: () => CONTROL, exit: 1, code: 'SIMULATOR_UNREACHABLE' },
  'sim faults list': { argv: () => CONTROL, exit: 1, code: 'SIMULATOR_UNREACHABLE' },
  'sim faults add': {
    argv: () => ['--operation', 'POST /memos/', '--status', '503', ...CONTROL],
    exit: 1,
    code: 'SIMULATOR_UNREACHABLE',
  },
  'sim faults clear': { argv: () => CONTROL, exit: 1, code: 'SIMULATOR_UNREACHABLE' },
  'sim mailbox': { argv: () => ['0101700001', ...CONTROL], exit: 1, code: 'SIMULATOR_UNREACHABLE' },
  'sim contact': {
    argv: () => ['0101700001', '--status', 'EXEMPT', ...CONTROL],
    exit: 1,
    code: 'SIMULATOR_UNREACHABLE',
  },
  'sim message': {
    argv: () => ['3f2b8c1e-9d4a-4e7b-a1c5-6d8e2f4b7a90', ...CONTROL],
    exit: 1,
    code: 'SIMULATOR_UNREACHABLE',
  },
  'sim ssh-key add': {
    argv: () => ['testkommune', publicKey, ...CONTROL],
    exit: 1,
    code: 'SIMULATOR_UNREACHABLE',
  },
  'sim reset': { argv: () => CONTROL, exit: 1, code: 'SIMULATOR_UNREACHABLE' },
  send: { argv: () => [letter, '--no-validate', '--retries', '0'], env: API_ENV, exit: 1 },
  'receipts pull': { argv: () => ['--retries', '0'], env: API_ENV, exit: 1, code: 'CONNECTION_FAILED' },
  'inbox pull': {
    argv: () => ['--out', join(dir, 'inbox'), '--retries', '0'],
    env: API_ENV,
    exit: 1,
    code: 'CONNECTION_FAILED',
  },
  'contacts lookup': {
    argv: () => ['0101700001', '--retries', '0'],
    env: API_ENV,
    exit: 1,
    code: 'CONNECTION_FAILED',
  },
  login: {
    argv: () => ['--username', 'admin-12345678', '--retries', '0'],
    env: { ...ADMIN_ENV, DIGITALPOST_PASSWORD: 'test-12345678' },
    exit: 1,
    code: 'CONNECTION_FAILED',
  },
  'identity create citizen': unreachable(() => ['--generate', '--retries', '0']),
  'identity create company': unreachable(() => ['--generate', '--retries', '0']),
  'identity create employee': unreachable(() => ['jens', '--retries', '0']),
  'identity create organisation': unreachable(() => ['--generate', '--retries', '0']),
  'identity list': unreachable(() => ['--retries', '0']),
  'identity delete employee': unreachable(() => ['jens', '--retries', '0']),
  'identity delete citizen': unreachable(() => ['0101700001', '--retries', '0']),
  'identity delete company': unreachable(() => ['12345678', '--retries', '0']),
  'system create': unreachable(() => ORGANISATION),
  'system list': unreachable(() => ORGANISATION),
  'system renew-key': unreachable(() => ['some-system', ...ORGANISATION]),
  'system make-default': unreachable(() => ['some-system', ...ORGANISATION]),
  'system add-ssh-key': unreachable(() => ['some-system', publicKey, ...ORGANISATION]),
  'contact-structure export': unreachable(() => ORGANISATION),
  'contact-structure import': unreachable(() => [letter, ...ORGANISATION]),
  'conformance list': { argv: () => ['--profile', 'no-such-profile'], exit: 2, code: 'INVALID_ARGUMENT' },
};

/** The commands, by their words, and whether --json is a switch of theirs. */
async function commands(): Promise<Array<{ name: string; words: string[]; json: boolean; help: string }>> {
  return Promise.all(
    commandPaths().map(async (words) => {
      const help = (await run([...words, '--help'])).stdout;
      return { name: words.join(' '), words, json: /^\s+--json\s{2,}/m.test(help), help };
    }),
  );
}

/** Every stderr line is one JSON object; the last is an error with a code and a message. */
function expectJsonErrors(stderr: string): { code: string; message: string } {
  const entries = jsonLines(stderr);
  expect(entries.length).toBeGreaterThan(0);
  const last = entries.at(-1) as { error?: { code: unknown; message: unknown } };
  expect(last.error).toEqual({
    code: expect.stringMatching(/^[A-Z][A-Z0-9_]*$/),
    message: expect.any(String),
  });
  return last.error as { code: string; message: string };
}

describe('every command under --json', () => {
  it('has a failure in this table, and every command states its exit codes in --help', async () => {
    const all = await commands();
    expect(Object.keys(FAILURES).sort()).toEqual(
      all
        .filter((c) => c.json)
        .map((c) => c.name)
        .sort(),
    );
    for (const command of all) expect(command.help, command.name).toMatch(/Exit codes: 0 /);
  });

  it('reports a usage error as one JSON line with exit 2', async () => {
    for (const command of (await commands()).filter((c) => c.json)) {
      const result = await run([...command.words, '--json', '--no-such-option']);
      expect(result.code, command.name).toBe(2);
      expect(result.stdout, command.name).toBe('');
      // Commander checks required options before unknown ones.
      expect(expectJsonErrors(result.stderr), command.name).toEqual({
        code: expect.stringMatching(/^(UNKNOWN_OPTION|MISSING_MANDATORY_OPTION_VALUE|MISSING_ARGUMENT)$/),
        message: expect.stringMatching(/ \(see --help\)$/),
      });
    }
  });

  it.each(Object.entries(FAILURES))(
    '%s reports its failure as JSON Lines, with the exit code its --help names',
    async (name, failure) => {
      const result = await run([...name.split(' '), '--json', ...failure.argv()], failure.env ?? {});
      expect(result.code).toBe(failure.exit);
      const error = expectJsonErrors(result.stderr);
      if (failure.code !== undefined) expect(error.code).toBe(failure.code);
      expect(result.stderr).not.toContain('test-key-1234');
      expect(result.stderr).not.toContain('test-token-1234');
      expect(result.stderr).not.toContain('test-12345678');
      expect(() => jsonLines(result.stdout)).not.toThrow();
      expect((await run([...name.split(' '), '--help'])).stdout).toMatch(
        new RegExp(`Exit codes:[^]*\\b${failure.exit} `),
      );
    },
  );

  it('switches sim start to JSON by DIGITALPOST_SIM_JSON as by --json', async () => {
    const result = await run(
      ['sim', 'start', '--port', '0', '--no-sftp', '--seed', join(dir, 'missing-seed.json')],
      {
        DIGITALPOST_SIM_JSON: 'true',
      },
    );
    expect(result.code).toBe(1);
    expect(expectJsonErrors(result.stderr).message).toMatch(/cannot read the seed file/);
  });

  it('keeps text errors without --json, and a --json that names a file does not switch', async () => {
    const text = await run(['memo', 'validate', join(dir, 'missing.xml')]);
    expect(text.stderr).toBe(`digitalpost: cannot read ${join(dir, 'missing.xml')}: no such file\n`);
    const report = await run(['conformance', 'run', '--json', join(dir, 'report.json'), '--no-such-option']);
    expect(report).toMatchObject({ code: 2, stderr: expect.stringMatching(/^digitalpost: required option/) });
  });
});
