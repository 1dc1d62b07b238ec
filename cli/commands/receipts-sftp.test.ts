/** `digitalpost receipts pull --sftp` against the simulator's SFTP server. */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { writeContainer } from '../../sdk/memo/container.ts';
import type { Memo } from '../../sdk/memo/types.ts';
import { connectSftp } from '../../test/support/sftp.ts';
import {
  letters,
  SFTP_USER,
  type SftpSimulator,
  startSftpSimulator,
  usableKeyPair,
  uuidOf,
} from '../../test/support/sftp-sender.ts';
import { letterTo } from '../../test/support/simulator.ts';
import { jsonLines, lines, run } from '../test-support.ts';

let server: SftpSimulator;
let dir: string;
let keyFile: string;

beforeAll(async () => {
  server = await startSftpSimulator();
  dir = await mkdtemp(join(tmpdir(), 'dp-cli-sftp-receipts-'));
  keyFile = join(dir, 'id_ed25519');
  await writeFile(keyFile, server.keys.private, { mode: 0o600 });
});
afterAll(async () => {
  await server.stop();
  await rm(dir, { recursive: true, force: true });
});
beforeEach(() => server.reset());

const sftp = (): string[] => [
  '--sftp',
  `${server.host}:${server.port}`,
  '--user',
  SFTP_USER,
  '--key',
  keyFile,
  '--host-key',
  server.hostKeyFingerprint,
];

/** Uploads files to /in with the test client (the server takes them at once). */
async function upload(files: Record<string, Uint8Array | string>): Promise<void> {
  const client = await connectSftp(server.simulator, {
    username: SFTP_USER,
    privateKey: server.keys.private,
  });
  try {
    for (const [name, content] of Object.entries(files)) await client.put(`/in/${name}`, content);
  } finally {
    client.end();
  }
}

async function containerOf(memos: Memo[]): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of writeContainer(memos)) chunks.push(chunk);
  return Buffer.concat(chunks);
}

const ISO = '\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z';

/** A letter to a registered citizen (COMPLETED) and one to an exempt one (NOT_ALLOWED), receipted. */
async function twoReceipts(): Promise<{ completed: string; exempt: string }> {
  const toRegistered = await letterTo({ cpr: '0101700001' });
  const toExempt = await letterTo({ cpr: '0101700002' });
  await upload({ 'two.tar.lzma': await containerOf([toRegistered, toExempt]) });
  await server.simulator.settle();
  return { completed: uuidOf(toRegistered), exempt: uuidOf(toExempt) };
}

describe('digitalpost receipts pull --sftp', () => {
  it('prints every receipt file as a line and acknowledges it by deleting the file', async () => {
    const { completed, exempt } = await twoReceipts();

    const result = await run(['receipts', 'pull', ...sftp()]);

    expect(result).toMatchObject({ code: 0, stderr: '' });
    const printed = lines(result.stdout);
    expect(printed).toHaveLength(2);
    expect(printed).toEqual(
      expect.arrayContaining([
        expect.stringMatching(new RegExp(`^${completed} COMPLETED ${ISO}$`)),
        expect.stringMatching(
          new RegExp(
            `^${exempt} NOT_ALLOWED ${ISO} RECIPIENT_EXEMPT: the citizen is exempt from Digital Post$`,
          ),
        ),
      ]),
    );
    expect(await server.list('/out/receipts')).toEqual([]);
  });

  it('leaves the files with --no-ack, prints JSON Lines with --json, and writes --out files', async () => {
    const { completed, exempt } = await twoReceipts();
    const out = join(dir, 'out');

    const result = await run(['receipts', 'pull', ...sftp(), '--no-ack', '--json', '--out', out]);

    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(
      jsonLines(result.stdout)
        .map((receipt) => receipt.messageUUID)
        .sort(),
    ).toEqual([completed, exempt].sort());
    expect((await readdir(out)).sort()).toEqual([`${completed}.json`, `${exempt}.json`].sort());
    expect(JSON.parse(await readFile(join(out, `${completed}.json`), 'utf8'))).toMatchObject({
      receiptStatus: 'COMPLETED',
    });
    expect(await server.list('/out/receipts')).toHaveLength(2);
  });

  it('prints the error files of uploads the server did not take on stderr, removes them, and exits 1', async () => {
    await upload({ 'broken.tar.lzma': 'not LZMA' });

    const result = await run(['receipts', 'pull', ...sftp()]);

    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^digitalpost: the server did not take broken\.tar\.lzma \(\/out\/errors\/broken\.tar\.lzma\.json\): CONTAINER_UNREADABLE: .+\n$/,
    );
    expect(await server.list('/out/errors')).toEqual([]);
  });

  it('keeps looking for new receipts with --wait, and prints those that come meanwhile', async () => {
    const [memo] = (await letters(1)) as [Memo];
    const later = (async () => {
      await new Promise((resolve) => setTimeout(resolve, 200));
      await upload({ 'later.tar.lzma': await containerOf([memo]) });
      await server.simulator.settle();
    })();

    const result = await run(['receipts', 'pull', ...sftp(), '--wait', '1.2']);
    await later;

    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(lines(result.stdout)).toEqual([expect.stringMatching(new RegExp(`^${uuidOf(memo)} COMPLETED `))]);
  });

  it('refuses a key the server does not know for the user: one line, exit 1', async () => {
    const stranger = join(dir, 'stranger');
    await writeFile(stranger, usableKeyPair().private);

    const result = await run([
      'receipts',
      'pull',
      ...sftp().slice(0, 4),
      '--key',
      stranger,
      ...sftp().slice(6),
    ]);

    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr: `digitalpost: the SFTP server at ${server.host}:${server.port} refused the login of user "testkommune" with this key (check --user and --key: the key must be registered for the system); nothing was done\n`,
    });
  });

  it('refuses --wait without --sftp', async () => {
    const result = await run(['receipts', 'pull', '--wait', '1']);

    expect(result).toMatchObject({ code: 2, stderr: 'digitalpost: --wait needs --sftp HOST:PORT\n' });
  });
});
