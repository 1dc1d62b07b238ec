import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import { afterEach, describe, expect, it } from 'vitest';
import { fingerprintOf, HOST_KEY_FILE, loadHostKey } from './host-key.ts';

describe('loadHostKey', () => {
  const dirs: string[] = [];
  const dataDir = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'dp-hostkey-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('only ever gives keys that sign and verify (ssh2 makes a broken one about once in 256)', () => {
    const probe = Buffer.from('probe');
    for (let i = 0; i < 600; i++) {
      const key = loadHostKey(undefined);
      const parsed = ssh2.utils.parseKey(key.privateKey);
      if (parsed instanceof Error) throw parsed;
      const publicKey = ssh2.utils.parseKey(parsed.getPublicSSH());
      if (publicKey instanceof Error) throw publicKey;
      expect(publicKey.verify(probe, parsed.sign(probe))).toBe(true);
      expect(key.fingerprint).toBe(fingerprintOf(parsed.getPublicSSH()));
    }
  });

  it('keeps the key in the data folder, mode 0600, and gives the same one next time', () => {
    const dir = dataDir();
    const first = loadHostKey(dir);
    expect(readFileSync(join(dir, HOST_KEY_FILE), 'utf8')).toBe(first.privateKey);
    expect(statSync(join(dir, HOST_KEY_FILE)).mode & 0o777).toBe(0o600);
    expect(loadHostKey(dir)).toEqual(first);
  });

  it('refuses a stored key that is not a private key, naming the file', () => {
    const dir = dataDir();
    writeFileSync(join(dir, HOST_KEY_FILE), 'not a key');
    expect(() => loadHostKey(dir)).toThrow(new RegExp(`${HOST_KEY_FILE} is not an OpenSSH private key`));
  });
});
