/**
 * The SFTP server's host key: ed25519, made on the first start. With a data folder it is kept there,
 * so that the `known_hosts` entries of clients stay valid across restarts.
 */
import { createHash } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ssh2 from 'ssh2';

/** The host key's file in a data folder (OpenSSH's name for it). */
export const HOST_KEY_FILE = 'ssh_host_ed25519_key';

export interface HostKey {
  /** The private key in OpenSSH's format. */
  privateKey: string;
  /** `SHA256:<base64>`, as `ssh-keygen -l` and OpenSSH's first-connection prompt show it. */
  fingerprint: string;
  /** The public key as an OpenSSH line without comment: `ssh-ed25519 AAAA…`. */
  publicKeyLine: string;
}

/** The OpenSSH fingerprint of a public key given in SSH wire format. */
export function fingerprintOf(publicKey: Uint8Array): string {
  return `SHA256:${createHash('sha256').update(publicKey).digest('base64').replace(/=+$/, '')}`;
}

function hostKeyOf(privateKey: string, where: string): HostKey {
  const parsed = ssh2.utils.parseKey(privateKey);
  if (parsed instanceof Error || !parsed.isPrivateKey())
    throw new Error(
      `${where} is not an OpenSSH private key${parsed instanceof Error ? `: ${parsed.message}` : ''}`,
    );
  // The key must sign what its public half verifies: a key that fails this would lock every client out.
  const publicKey = ssh2.utils.parseKey(parsed.getPublicSSH());
  const probe = Buffer.from('digitalpost host key check');
  if (publicKey instanceof Error || publicKey.verify(probe, parsed.sign(probe)) !== true)
    throw new Error(`${where} does not verify its own signature`);
  const wire = parsed.getPublicSSH();
  return {
    privateKey,
    fingerprint: fingerprintOf(wire),
    publicKeyLine: `${parsed.type} ${Buffer.from(wire).toString('base64')}`,
  };
}

/**
 * A new ed25519 host key. ssh2's generator writes a key its own parser cannot read about once in 256
 * times (mscdex/ssh2#1390): such a key is thrown away and another made, so none is ever used or
 * stored.
 */
function newHostKey(): HostKey {
  for (let attempt = 1; ; attempt++) {
    try {
      return hostKeyOf(ssh2.utils.generateKeyPairSync('ed25519').private, 'the new key');
    } catch (error) {
      if (attempt >= 16) throw error;
    }
  }
}

/**
 * The host key of `dataDir`, made and stored there (mode 0600) when it has none; without a data
 * folder, a new key.
 *
 * @throws Error when the stored key cannot be read or is not a private key.
 */
export function loadHostKey(dataDir: string | undefined): HostKey {
  if (dataDir === undefined) return newHostKey();
  const file = join(dataDir, HOST_KEY_FILE);
  let stored: string | undefined;
  try {
    stored = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
      throw new Error(`cannot read the SFTP host key ${file}: ${(error as NodeJS.ErrnoException).code}`);
  }
  if (stored !== undefined) return hostKeyOf(stored, `the SFTP host key file ${file}`);
  const key = newHostKey();
  // Complete under its final name or not at all: a half-written key would lock clients out.
  const temporary = `${file}.${process.pid}.part`;
  writeFileSync(temporary, key.privateKey, { mode: 0o600 });
  renameSync(temporary, file);
  return key;
}
