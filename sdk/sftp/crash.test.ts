/**
 * "Safe to re-run after a crash": a sender process killed with SIGKILL in the middle of a batch —
 * while writing, between a rename and its journal line, or at a random moment from outside — and
 * then run again with the same input and journal delivers every message exactly once, and the
 * server takes no container twice.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CrashChildConfig } from '../../test/support/sftp-crash-child.ts';
import {
  letters,
  SFTP_USER,
  type SftpSimulator,
  startSftpSimulator,
  uuidOf,
  writeMemoFiles,
} from '../../test/support/sftp-sender.ts';
import type { Memo } from '../memo/types.ts';

const CHILD = fileURLToPath(new URL('../../test/support/sftp-crash-child.ts', import.meta.url));
const MESSAGES = 30;
const PER_CONTAINER = 5;

let server: SftpSimulator;
let dir: string;
let keyFile: string;

beforeAll(async () => {
  server = await startSftpSimulator();
  dir = await mkdtemp(join(tmpdir(), 'dp-sftp-crash-'));
  keyFile = join(dir, 'id_ed25519');
  await writeFile(keyFile, server.keys.private, { mode: 0o600 });
});
afterAll(async () => {
  await server.stop();
  await rm(dir, { recursive: true, force: true });
});
beforeEach(() => server.reset());

interface Outcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  lines: Array<Record<string, unknown>>;
  stderr: string;
}

/** Runs the child; `whenLine` may kill it from outside as its output comes. */
function runChild(
  config: CrashChildConfig,
  whenLine?: (line: Record<string, unknown>, child: ChildProcess) => void,
): Promise<Outcome> {
  const file = join(dir, `config-${Math.random().toString(36).slice(2)}.json`);
  return writeFile(file, JSON.stringify(config)).then(
    () =>
      new Promise<Outcome>((resolve, reject) => {
        const child = spawn(process.execPath, [CHILD, file], { stdio: ['ignore', 'pipe', 'pipe'] });
        const lines: Array<Record<string, unknown>> = [];
        let stdout = '';
        let stderr = '';
        const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
        child.stdout.on('data', (chunk: Buffer) => {
          stdout += chunk.toString('utf8');
          for (let end = stdout.indexOf('\n'); end >= 0; end = stdout.indexOf('\n')) {
            const line = JSON.parse(stdout.slice(0, end)) as Record<string, unknown>;
            stdout = stdout.slice(end + 1);
            lines.push(line);
            whenLine?.(line, child);
          }
        });
        child.stderr.on('data', (chunk: Buffer) => {
          stderr += chunk.toString('utf8');
        });
        child.once('error', reject);
        child.once('close', (code, signal) => {
          clearTimeout(timer);
          resolve({ code, signal, lines, stderr });
        });
      }),
  );
}

/** A batch of MeMo files and the configuration that sends them with a fresh journal. */
async function batch(name: string): Promise<{ memos: Memo[]; config: CrashChildConfig }> {
  const memos = await letters(MESSAGES);
  const folder = join(dir, name);
  await writeMemoFiles(folder, memos);
  return {
    memos,
    config: {
      host: server.host,
      port: server.port,
      username: SFTP_USER,
      privateKeyFile: keyFile,
      hostKey: server.hostKeyFingerprint,
      journal: join(dir, `${name}.journal`),
      dir: folder,
      maxMessagesPerContainer: PER_CONTAINER,
    },
  };
}

/** Every message delivered once, no container taken twice, nothing left in /in. */
async function expectExactlyOnce(memos: Memo[]): Promise<void> {
  const taken = server.taken();
  const names = taken.map((entry) => entry.name);
  expect(new Set(names).size, `containers taken: ${names.join(', ')}`).toBe(names.length);
  expect(taken.reduce((sum, entry) => sum + entry.stored, 0)).toBe(MESSAGES);
  expect([...(await server.delivered())].sort()).toEqual(memos.map(uuidOf).sort());
  expect(await server.list('/in')).toEqual([]);
}

describe('a sender process killed mid-batch, then run again with the same journal', () => {
  it('crashed while writing the third container: its .part is removed and it is sent again, once', async () => {
    const { memos, config } = await batch('mid-upload');

    const crashed = await runChild({ ...config, crash: { at: 'upload-progress', nth: 3 } });

    expect(crashed.signal, crashed.stderr).toBe('SIGKILL');
    expect(crashed.lines.filter((line) => 'uploaded' in line)).toHaveLength(2);
    expect((await server.list('/in')).filter((name) => name.endsWith('.part'))).toHaveLength(1);

    const rerun = await runChild(config);

    expect(rerun.code, rerun.stderr).toBe(0);
    expect(rerun.lines.at(-1)).toEqual({
      done: true,
      messages: MESSAGES - 2 * PER_CONTAINER,
      alreadySent: 10,
    });
    await expectExactlyOnce(memos);
  });

  it('crashed after renaming the third container, before the journal recorded it: it is not sent again', async () => {
    const { memos, config } = await batch('after-rename');

    const crashed = await runChild({ ...config, crash: { at: 'renamed', nth: 3 } });

    expect(crashed.signal, crashed.stderr).toBe('SIGKILL');
    expect(server.taken()).toHaveLength(3);

    const rerun = await runChild(config);

    expect(rerun.code, rerun.stderr).toBe(0);
    expect(rerun.lines.at(-1)).toEqual({
      done: true,
      messages: MESSAGES - 3 * PER_CONTAINER,
      alreadySent: 15,
    });
    await expectExactlyOnce(memos);
  });

  it('killed with kill -9 from outside after two containers, wherever it was: every message once', async () => {
    const { memos, config } = await batch('kill-9');
    let uploads = 0;

    const crashed = await runChild(config, (line, child) => {
      if (line.uploaded !== undefined && ++uploads === 2) child.kill('SIGKILL');
    });

    expect(crashed.signal === 'SIGKILL' || crashed.code === 0, crashed.stderr).toBe(true);
    const rerun = await runChild(config);

    expect(rerun.code, rerun.stderr).toBe(0);
    await expectExactlyOnce(memos);
  });
});
