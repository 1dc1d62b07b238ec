/**
 * `digitalpost receipts pull --sftp` against an SFTP server that misbehaves on purpose
 * (test/hostile-server/sftp-server.ts): what it writes is printed escaped, and it cannot hold the
 * command past its --wait.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type HostileSftpServer, startHostileSftpServer } from '../../test/hostile-server/sftp-server.ts';
import { usableKeyPair } from '../../test/support/sftp-sender.ts';
import { settlesBefore } from '../../test/support/timers.ts';
import { lines, run } from '../test-support.ts';
import { printable } from '../text.ts';

const UUID = '8d0c6a52-0000-4000-8000-00000000000a';
/** What a hostile server writes to take over a terminal: a new title, a cleared screen, a forged line. */
const TAKEOVER = '\u001b]0;pwned\u0007\u001b[2J\r\nall letters COMPLETED\u009b1A';
/** A control character other than the line feed that ends each line. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it finds.
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

let server: HostileSftpServer;
let dir: string;
let keyFile: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dp-cli-sftp-hostile-'));
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

const sftp = (): string[] => [
  '--sftp',
  `${server.host}:${server.port}`,
  '--user',
  'testkommune',
  '--key',
  keyFile,
  '--host-key',
  server.hostKeyFingerprint,
];

const receipt = {
  messageUUID: UUID,
  receiptStatus: 'INVALID',
  timeStamp: '2025-06-01T10:00:00Z',
  errorCode: `CODE${TAKEOVER}`,
  errorMessage: TAKEOVER,
};

describe('digitalpost receipts pull --sftp against a hostile server', () => {
  it('prints what the server wrote with its control characters escaped: no escape sequence, no forged line', async () => {
    server.files.set(`/out/receipts/${UUID}.json`, Buffer.from(JSON.stringify(receipt)));
    server.files.set(`/out/receipts/${TAKEOVER}.json`, Buffer.from(JSON.stringify(receipt)));
    server.files.set(
      '/out/errors/x.tar.lzma.json',
      Buffer.from(JSON.stringify({ code: `E${TAKEOVER}`, message: TAKEOVER })),
    );

    const result = await run(['receipts', 'pull', ...sftp()]);

    expect(result.code).toBe(1);
    expect(`${result.stdout}${result.stderr}`).not.toMatch(RAW_CONTROL);
    const escaped = printable(TAKEOVER);
    expect(lines(result.stdout)).toEqual([`${UUID} INVALID 2025-06-01T10:00:00Z CODE${escaped}: ${escaped}`]);
    expect(lines(result.stderr)).toEqual([
      expect.stringMatching(
        /^digitalpost: warning: \/out\/receipts on \S+ lists ".*", which is not a plain file name: it was neither read nor deleted$/,
      ),
      `digitalpost: the server did not take x.tar.lzma (/out/errors/x.tar.lzma.json): E${escaped}: ${escaped}`,
    ]);
  });

  it('keeps --json lines valid JSON that mean what the server wrote, with nothing raw', async () => {
    server.files.set(`/out/receipts/${UUID}.json`, Buffer.from(JSON.stringify(receipt)));

    const result = await run(['receipts', 'pull', ...sftp(), '--json']);

    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).not.toMatch(RAW_CONTROL);
    expect(lines(result.stdout).map((line) => JSON.parse(line))).toEqual([receipt]);
  });

  it('--wait ends when its time is up, though the server never answers a listing', async () => {
    server.misbehave.hold = (operation) => operation === 'READDIR';

    const pulling = run(['receipts', 'pull', ...sftp(), '--wait', '0.3']);

    // The held answer would only end with the SFTP request timeout (60 s).
    expect(await settlesBefore(pulling, 20_000)).toBe(true);
    expect(await pulling).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('a listing that never ends stops with one line, exit 1', async () => {
    server.misbehave.listing = (_, page) =>
      Array.from({ length: 100 }, (__, i) => ({ filename: `${page}-${i}.txt` }));

    const result = await run(['receipts', 'pull', ...sftp()]);

    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr: `digitalpost: the listing of /out/receipts on ${server.host}:${server.port} went on past 100000 entries (a server whose listing does not end?): acknowledge what was read and list again, or raise maxEntries\n`,
    });
  });

  it('an impostor is refused before the login: exit 1', async () => {
    const impostor = server;
    server = await startHostileSftpServer();
    const pinnedToOther = [...sftp().slice(0, 6), '--host-key', server.hostKeyFingerprint];
    pinnedToOther[1] = `${impostor.host}:${impostor.port}`;

    const result = await run(['receipts', 'pull', ...pinnedToOther]);
    await impostor.close();

    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`presented the host key ${impostor.hostKeyFingerprint}, not the pinned`);
    expect(impostor.log).toEqual(['CONNECTION']);
  });
});
