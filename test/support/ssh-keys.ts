/** SSH public keys for tests, made with node:crypto. */
import { generateKeyPairSync } from 'node:crypto';

/** A length-prefixed field of the SSH wire format. */
function field(data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  return Buffer.concat([length, data]);
}

/** A new OpenSSH `ssh-ed25519 AAAA… comment` public key line. */
export function sshPublicKey(comment = 'test@digitalpost'): string {
  const { publicKey } = generateKeyPairSync('ed25519');
  const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x as string, 'base64url');
  const blob = Buffer.concat([field(Buffer.from('ssh-ed25519')), field(raw)]);
  return `ssh-ed25519 ${blob.toString('base64')} ${comment}`;
}
