/**
 * Whether the base64 of an OpenSSH public key line holds a public key of its type: the SSH wire
 * format (RFC 4253 §6.6, RFC 5656 §3.1, RFC 8709 §4) read field by field, and the key handed to
 * node:crypto, which checks it as a key (an EC point on its curve, an RSA modulus). A line such as
 * `ssh-ed25519 QUFBQQ==` looks like a key and is none: registered, it would lock out the user who
 * thinks they gave theirs.
 */
import { createPublicKey, type JsonWebKey } from 'node:crypto';

/** The curves of `ecdsa-sha2-*` keys: JWK name and coordinate length. */
const CURVES: Readonly<Record<string, { crv: string; bytes: number }>> = {
  nistp256: { crv: 'P-256', bytes: 32 },
  nistp384: { crv: 'P-384', bytes: 48 },
  nistp521: { crv: 'P-521', bytes: 66 },
};

/** OpenSSH's smallest RSA key. */
const MIN_RSA_BITS = 1024;

/** Reads length-prefixed fields (`string`, `mpint`) of the SSH wire format. */
class WireReader {
  private offset = 0;
  private readonly bytes: Buffer;

  constructor(bytes: Buffer) {
    this.bytes = bytes;
  }

  field(): Buffer | undefined {
    if (this.offset + 4 > this.bytes.length) return undefined;
    const length = this.bytes.readUInt32BE(this.offset);
    const start = this.offset + 4;
    if (start + length > this.bytes.length) return undefined;
    this.offset = start + length;
    return this.bytes.subarray(start, start + length);
  }

  get done(): boolean {
    return this.offset === this.bytes.length;
  }
}

const b64url = (bytes: Buffer): string => bytes.toString('base64url');

/** An unsigned integer without its leading zero bytes (an `mpint` is two's complement). */
const unsigned = (mpint: Buffer): Buffer => {
  let start = 0;
  while (start < mpint.length - 1 && mpint[start] === 0) start++;
  return mpint.subarray(start);
};

/** The key of a blob as a JWK, or undefined when the blob is not a key of `type`. */
function jwkOf(type: string, blob: Buffer): JsonWebKey | undefined {
  const reader = new WireReader(blob);
  if (reader.field()?.toString('latin1') !== type) return undefined;
  let jwk: JsonWebKey | undefined;
  if (type === 'ssh-ed25519') {
    const key = reader.field();
    if (key?.length === 32) jwk = { kty: 'OKP', crv: 'Ed25519', x: b64url(key) };
  } else if (type === 'ssh-rsa') {
    const e = reader.field();
    const n = reader.field();
    if (e !== undefined && n !== undefined && e.length > 0 && (n[0] ?? 0) < 0x80) {
      const modulus = unsigned(n);
      if (modulus.length * 8 >= MIN_RSA_BITS)
        jwk = { kty: 'RSA', e: b64url(unsigned(e)), n: b64url(modulus) };
    }
  } else if (type.startsWith('ecdsa-sha2-')) {
    const curveName = reader.field()?.toString('latin1') ?? '';
    const curve = CURVES[curveName];
    const point = reader.field();
    if (type === `ecdsa-sha2-${curveName}` && curve !== undefined && point !== undefined) {
      if (point.length === 1 + 2 * curve.bytes && point[0] === 0x04)
        jwk = {
          kty: 'EC',
          crv: curve.crv,
          x: b64url(point.subarray(1, 1 + curve.bytes)),
          y: b64url(point.subarray(1 + curve.bytes)),
        };
    }
  }
  return jwk !== undefined && reader.done ? jwk : undefined;
}

/** Whether `blob` (the decoded base64 of a key line) is a public key of `type`. */
export function isSshPublicKey(type: string, blob: Buffer): boolean {
  const jwk = jwkOf(type, blob);
  if (jwk === undefined) return false;
  try {
    createPublicKey({ key: jwk, format: 'jwk' });
    return true;
  } catch {
    return false;
  }
}
