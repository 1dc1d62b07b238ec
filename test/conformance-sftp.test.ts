/**
 * The sender-sftp profile against its reference adapter (examples/conformance-sender-sftp.ts): every
 * MUST check passes with chaos on, whatever the seed; and the options the profile needs are checked
 * before anything runs.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InvalidOptionsError, runConformance } from '../conformance/index.ts';
import {
  failedIds,
  failureLines,
  REFERENCE_SFTP_ADAPTER,
  runSenderSftp,
  vendorKeyFiles,
} from './support/conformance/adapters.ts';

describe('the reference SFTP sender adapter', () => {
  for (const seed of [7, 2026]) {
    it(`passes every check of the sender-sftp profile, chaos on, seed ${seed}`, {
      timeout: 300_000,
    }, async () => {
      const report = await runSenderSftp(REFERENCE_SFTP_ADAPTER, { seed });
      expect(report.chaos).toBe(true);
      expect(failedIds(report), failureLines(report)).toEqual([]);
      expect(report.summary.skipped).toBe(0);
    });
  }
});

describe('the sender-sftp profile’s options', () => {
  it('needs --ssh-public-key', async () => {
    await expect(runConformance({ profile: 'sender-sftp', run: 'true' })).rejects.toThrow(
      new InvalidOptionsError(
        'the sender-sftp profile needs --ssh-public-key FILE: the public half of the key your system logs in with',
      ),
    );
  });

  it('refuses a key file it cannot read, naming it', async () => {
    await expect(
      runConformance({ profile: 'sender-sftp', run: 'true', sshPublicKey: '/nonexistent/key.pub' }),
    ).rejects.toThrow('--ssh-public-key /nonexistent/key.pub: cannot be read (ENOENT)');
  });

  it('refuses a private key given as the public one, without showing it', async () => {
    const { privateKey } = vendorKeyFiles();
    const error = await runConformance({
      profile: 'sender-sftp',
      run: 'true',
      sshPublicKey: privateKey,
    }).catch((caught: unknown) => caught as Error);
    expect(error).toBeInstanceOf(InvalidOptionsError);
    expect((error as Error).message).toMatch(/not an OpenSSH public key line/);
    expect((error as Error).message).not.toMatch(/PRIVATE KEY/);
  });

  it('refuses a file that is no key', async () => {
    const { publicKey } = vendorKeyFiles();
    const garbage = join(publicKey, '..', 'garbage.pub');
    writeFileSync(garbage, 'hello\n');
    await expect(
      runConformance({ profile: 'sender-sftp', run: 'true', sshPublicKey: garbage }),
    ).rejects.toThrow(/not an OpenSSH public key line/);
  });

  it('refuses --receipts push: receipts come as files', async () => {
    const { publicKey } = vendorKeyFiles();
    await expect(
      runConformance({
        profile: 'sender-sftp',
        run: 'true',
        sshPublicKey: publicKey,
        receipts: 'push',
        receiptEndpoint: 'http://127.0.0.1:1/receipts',
      }),
    ).rejects.toThrow(/--receipts and --receipt-endpoint are for the sender profile/);
  });
});
