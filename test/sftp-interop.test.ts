/**
 * Interop with OpenSSH (issue 5): the `sftp` client in batch mode, logging in with a key made by
 * `ssh-keygen` and registered through the control API, uploads a container made by the system `tar`
 * and `xz --format=lzma` under a temporary name and renames it; then reads the receipts back the same
 * way (`ls`, `get`, `rm`). The tools come from the operating system; without them the suite fails
 * in CI and is skipped elsewhere, saying which is missing.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Memo } from '../sdk/memo/types.ts';
import { serializeMemoToBytes } from '../sdk/memo/writer.ts';
import type { RunningSimulator } from '../simulator/index.ts';
import { describeWith } from './support/requirements.ts';
import { registerKey } from './support/sftp.ts';
import {
  keyOf,
  letterTo,
  mailbox,
  pullReceipts,
  type ReceiptBody,
  SEED_IDS,
  startTestSimulator,
} from './support/simulator.ts';

const run = promisify(execFile);
const TOOLS = ['sftp', 'ssh', 'ssh-keygen', 'xz', 'tar'];

describeWith({ tools: TOOLS }, 'the OpenSSH sftp client against the simulator', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dp-sftp-interop-'));
  const key = join(dir, 'id_ed25519');
  const knownHosts = join(dir, 'known_hosts');
  let simulator: RunningSimulator;
  let memos: Memo[];

  /**
   * The options of an OpenSSH client that logs in with the test key and accepts the host key, or,
   * given a known_hosts file, accepts only the host key it holds.
   */
  function sshOptions(strictKnownHosts?: string): string[] {
    return [
      '-F',
      '/dev/null',
      '-i',
      key,
      '-o',
      'IdentitiesOnly=yes',
      '-o',
      'BatchMode=yes',
      '-o',
      `StrictHostKeyChecking=${strictKnownHosts === undefined ? 'no' : 'yes'}`,
      '-o',
      `UserKnownHostsFile=${strictKnownHosts ?? knownHosts}`,
      '-o',
      'ConnectTimeout=5',
      '-o',
      'LogLevel=ERROR',
    ];
  }

  /** Runs `sftp -b` with these commands; resolves to its stdout. */
  async function sftpBatch(commands: string[], strictKnownHosts?: string): Promise<string> {
    const batch = join(dir, 'batch.txt');
    writeFileSync(batch, `${commands.join('\n')}\n`);
    const address = simulator.sftp;
    if (address === null) throw new Error('no SFTP server');
    const { stdout } = await run(
      'sftp',
      [
        ...sshOptions(strictKnownHosts),
        '-b',
        batch,
        '-P',
        String(address.port),
        `testkommune@${address.host}`,
      ],
      { cwd: dir, timeout: 20_000 },
    );
    return stdout;
  }

  beforeAll(async () => {
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'interop@digitalpost', '-f', key]);
    simulator = await startTestSimulator({ sftpPort: 0 });
    await registerKey(simulator, SEED_IDS.senderSftp, readFileSync(`${key}.pub`, 'utf8'));
    memos = await Promise.all(
      [1, 2, 3].map((n) => letterTo({ cpr: '0101700001' }, { label: `Masseforsendelse ${n}` })),
    );
    const names = memos.map((memo) => `${memo.messageHeader.messageUUID}.xml`);
    memos.forEach((memo, i) => {
      writeFileSync(join(dir, names[i] as string), serializeMemoToBytes(memo));
    });
    await run('tar', ['-cf', 'batch.tar', ...names], { cwd: dir });
    await run('xz', ['--format=lzma', '-k', 'batch.tar'], { cwd: dir });
  });
  afterAll(async () => {
    await simulator?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('uploads a tar + xz container as *.part, renames it, and the letters are delivered', async () => {
    await sftpBatch([
      'cd /in',
      'put batch.tar.lzma batch.tar.lzma.part',
      'rename batch.tar.lzma.part batch.tar.lzma',
    ]);
    await simulator.settle();
    const delivered = (await mailbox(simulator, '0101700001')).map((entry) => entry.messageUUID);
    expect(delivered.sort()).toEqual(memos.map((memo) => memo.messageHeader.messageUUID).sort());
    expect(await sftpBatch(['ls -1 /in', 'ls -1 /out/errors'])).not.toMatch(/batch/);
  });

  it('presents the host key whose fingerprint the simulator reports, as ssh-keygen computes it', async () => {
    const { stdout } = await run('ssh-keygen', ['-l', '-f', knownHosts]);
    expect(stdout).toContain(simulator.sftp?.hostKeyFingerprint);
  });

  it('is trusted by OpenSSH with strict host key checking, given the known_hosts line the simulator reports', async () => {
    const file = join(dir, 'reported_known_hosts');
    writeFileSync(file, `${simulator.sftp?.knownHostsLine}\n`);

    expect(await sftpBatch(['ls -1 /'], file)).toMatch(/\/in\s+\/out/);
  });

  it('runs no commands: ssh with a command is refused', async () => {
    const address = simulator.sftp;
    if (address === null) throw new Error('no SFTP server');
    const ssh = run(
      'ssh',
      [...sshOptions(), '-p', String(address.port), `testkommune@${address.host}`, 'id'],
      {
        timeout: 20_000,
      },
    );
    await expect(ssh).rejects.toMatchObject({ code: expect.any(Number) });
  });

  it('lists, downloads and removes the receipts with ls, get and rm', async () => {
    const uuids = memos.map((memo) => memo.messageHeader.messageUUID);
    const listing = await sftpBatch(['ls -1 /out/receipts']);
    for (const uuid of uuids) expect(listing).toContain(`${uuid}.json`);

    await sftpBatch(uuids.map((uuid) => `get /out/receipts/${uuid}.json receipt-${uuid}.json`));
    for (const uuid of uuids) {
      const receipt = JSON.parse(readFileSync(join(dir, `receipt-${uuid}.json`), 'utf8')) as ReceiptBody;
      expect(receipt).toMatchObject({
        messageUUID: uuid,
        receiptStatus: 'COMPLETED',
        id: expect.any(String),
      });
    }

    await sftpBatch(uuids.map((uuid) => `rm /out/receipts/${uuid}.json`));
    expect(await sftpBatch(['ls -1 /out/receipts'])).not.toMatch(/\.json/);
    expect(await pullReceipts(simulator, keyOf(simulator, SEED_IDS.senderSftp))).toEqual([]);
  });
});
