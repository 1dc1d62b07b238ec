/**
 * `digitalpost send --sftp` against an SFTP server that misbehaves on purpose
 * (test/hostile-server/sftp-server.ts): no letter to an impostor, what the server says printed
 * escaped, and --wait bounded by --wait-timeout.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type HostileSftpServer, startHostileSftpServer } from '../../test/hostile-server/sftp-server.ts';
import { letters, usableKeyPair, writeMemoFiles } from '../../test/support/sftp-sender.ts';
import { settlesBefore } from '../../test/support/timers.ts';
import { lines, run } from '../test-support.ts';
import { printable } from '../text.ts';

const TAKEOVER = '\u001b]0;pwned\u0007\u001b[2J\r\nall letters COMPLETED';
const ESCAPED = printable(TAKEOVER);

let server: HostileSftpServer;
let dir: string;
let keyFile: string;
let folders = 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dp-cli-send-sftp-hostile-'));
  keyFile = join(dir, 'id_ed25519');
  await writeFile(keyFile, usableKeyPair().private, { mode: 0o600 });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
beforeEach(async () => {
  server = await startHostileSftpServer();
});
afterEach(() => server.close());

const sftp = (hostKey = server.hostKeyFingerprint): string[] => [
  '--sftp',
  `${server.host}:${server.port}`,
  '--user',
  'testkommune',
  '--key',
  keyFile,
  '--host-key',
  hostKey,
];

async function oneLetter(): Promise<string> {
  const folder = join(dir, `batch-${++folders}`);
  await mkdir(folder);
  const [file] = (await writeMemoFiles(folder, await letters(1))) as [string];
  return file;
}

describe('digitalpost send --sftp against a hostile server', () => {
  it('uploads nothing to a server with another host key than the pinned one: exit 1, no login', async () => {
    const genuine = await startHostileSftpServer();
    await genuine.close();

    const result = await run(['send', ...sftp(genuine.hostKeyFingerprint), await oneLetter()]);

    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `digitalpost: the SFTP server at ${server.host}:${server.port} presented the host key ${server.hostKeyFingerprint}, not the pinned ${genuine.hostKeyFingerprint}: it may not be the server you mean (--host-key); nothing was sent\n`,
    );
    expect(server.log).toEqual(['CONNECTION']);
  });

  it('prints the message of a refused rename escaped', async () => {
    server.misbehave.refuse = (operation) =>
      operation === 'RENAME' ? { status: 'FAILURE', message: TAKEOVER } : undefined;

    const result = await run(['send', ...sftp(), await oneLetter()]);

    expect(result.code).toBe(1);
    expect(lines(result.stderr)).toEqual([expect.stringContaining(`refused to rename`)]);
    expect(result.stderr).toContain(ESCAPED);
    expect(result.stderr).not.toContain('\u001b');
  });

  it('prints the error file the server wrote for an upload escaped', async () => {
    server.misbehave.renamed = (to, files) => {
      files.delete(to);
      files.set(
        `/out/errors/${to.slice('/in/'.length)}.json`,
        Buffer.from(JSON.stringify({ code: `BAD${TAKEOVER}`, message: TAKEOVER })),
      );
    };
    const file = await oneLetter();

    const result = await run(['send', ...sftp(), file]);

    expect(result.code).toBe(1);
    expect(lines(result.stderr)).toEqual([
      expect.stringMatching(
        new RegExp(
          `^digitalpost: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: not taken by the server \\(/out/errors/[0-9a-f-]+\\.tar\\.lzma\\.json\\): BAD\\\\x1b`,
        ),
      ),
    ]);
    expect(result.stderr).toContain(`: ${ESCAPED}\n`);
    expect(`${result.stdout}${result.stderr}`).not.toContain('\u001b');
  });

  it('--wait ends at --wait-timeout, though the server never answers the listing of receipts', async () => {
    server.misbehave.hold = (operation, path) => operation === 'READDIR' && path === '/out/receipts';
    const file = await oneLetter();

    const sending = run(['send', ...sftp(), '--wait', '--wait-timeout', '0.3', file]);

    // The held answer would only end with the SFTP request timeout (60 s).
    expect(await settlesBefore(sending, 20_000)).toBe(true);
    const result = await sending;
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/: no business receipt within 0\.3 s; it may still come/);
  });
});
