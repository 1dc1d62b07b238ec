/**
 * Which OpenSSH public key lines hold a key (`ssh-key.ts`), as a table: keys made by node:crypto in
 * each type the SFTP server takes, and lines that only look like keys.
 */
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sshPublicKeyProblem } from './auth.ts';

const string = (data: Buffer | string): Buffer => {
  const bytes = typeof data === 'string' ? Buffer.from(data) : data;
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
};
const mpint = (unsigned: Buffer): Buffer =>
  string((unsigned[0] ?? 0) >= 0x80 ? Buffer.concat([Buffer.from([0]), unsigned]) : unsigned);
const fromJwk = (value: string | undefined): Buffer => Buffer.from(value ?? '', 'base64url');

function ed25519Blob(): Buffer {
  const jwk = generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' });
  return Buffer.concat([string('ssh-ed25519'), string(fromJwk(jwk.x))]);
}

function ecdsaBlob(curve: 'nistp256' | 'nistp384' | 'nistp521'): Buffer {
  const namedCurve = { nistp256: 'P-256', nistp384: 'P-384', nistp521: 'P-521' }[curve];
  const jwk = generateKeyPairSync('ec', { namedCurve }).publicKey.export({ format: 'jwk' });
  const point = Buffer.concat([Buffer.from([4]), fromJwk(jwk.x), fromJwk(jwk.y)]);
  return Buffer.concat([string(`ecdsa-sha2-${curve}`), string(curve), string(point)]);
}

function rsaBlob(bits: number): Buffer {
  const jwk = generateKeyPairSync('rsa', { modulusLength: bits }).publicKey.export({ format: 'jwk' });
  return Buffer.concat([string('ssh-rsa'), mpint(fromJwk(jwk.e)), mpint(fromJwk(jwk.n))]);
}

const line = (type: string, blob: Buffer, comment = ' user@host') =>
  `${type} ${blob.toString('base64')}${comment}`;

describe('an OpenSSH public key line', () => {
  it.each([
    ['ssh-ed25519', () => line('ssh-ed25519', ed25519Blob())],
    ['ecdsa-sha2-nistp256', () => line('ecdsa-sha2-nistp256', ecdsaBlob('nistp256'))],
    ['ecdsa-sha2-nistp384', () => line('ecdsa-sha2-nistp384', ecdsaBlob('nistp384'))],
    ['ecdsa-sha2-nistp521', () => line('ecdsa-sha2-nistp521', ecdsaBlob('nistp521'))],
    ['ssh-rsa of 2048 bits', () => line('ssh-rsa', rsaBlob(2048))],
    ['ssh-ed25519 without a comment', () => line('ssh-ed25519', ed25519Blob(), '')],
  ])('is taken: %s', (_name, make) => {
    expect(sshPublicKeyProblem(make())).toBeUndefined();
  });

  it.each([
    ['four bytes of base64 (ssh-ed25519 QUFBQQ==)', () => 'ssh-ed25519 QUFBQQ=='],
    ['an ed25519 key under the type ssh-rsa', () => line('ssh-rsa', ed25519Blob())],
    ['an ed25519 key cut short', () => line('ssh-ed25519', ed25519Blob().subarray(0, 40))],
    [
      'an ed25519 key with bytes after it',
      () => line('ssh-ed25519', Buffer.concat([ed25519Blob(), Buffer.from([0])])),
    ],
    [
      'an ecdsa point that is not on its curve',
      () => {
        const blob = ecdsaBlob('nistp256');
        blob[blob.length - 1] = (blob[blob.length - 1] ?? 0) ^ 0xff;
        return line('ecdsa-sha2-nistp256', blob);
      },
    ],
    [
      'an ecdsa key of another curve than its type says',
      () => line('ecdsa-sha2-nistp384', ecdsaBlob('nistp256')),
    ],
    ['an RSA key of 512 bits (OpenSSH takes 1024 and more)', () => line('ssh-rsa', rsaBlob(512))],
    ['a length field larger than the blob', () => line('ssh-ed25519', Buffer.from([0xff, 0xff, 0xff, 0xff]))],
    ['a DSA key (not taken)', () => line('ssh-dss', ed25519Blob())],
    ['two lines', () => `${line('ssh-ed25519', ed25519Blob())}\n${line('ssh-ed25519', ed25519Blob())}`],
  ])('is refused: %s', (_name, make) => {
    expect(sshPublicKeyProblem(make())).toEqual(expect.any(String));
  });
});
