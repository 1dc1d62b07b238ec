/**
 * Throwaway certificates for running `receive-push-mtls.ts` without NgDP: a private CA standing in
 * for the one that issues NgDP's client certificate, the endpoint's server certificate for
 * 127.0.0.1, "NgDP's" client certificate, and an impostor's from the same CA. Made with the
 * system's `openssl`, valid for two days. Not part of what the example shows: in production the
 * server certificate is your endpoint's, and NgDP's CA and certificate are the ones Digitaliseringsstyrelsen
 * gives you.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ThrowawayCertificates {
  /** The CA that issued every certificate below. */
  ca: Buffer;
  server: { cert: Buffer; key: Buffer };
  /** What NgDP presents when it pushes. */
  ngdp: { cert: Buffer; key: Buffer };
  /** Another organisation's certificate from the same CA. */
  impostor: { cert: Buffer; key: Buffer };
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

export function makeThrowawayCertificates(): ThrowawayCertificates {
  const dir = mkdtempSync(join(tmpdir(), 'digitalpost-mtls-'));
  try {
    const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
    openssl(
      'req',
      '-x509',
      ...EC,
      '-keyout',
      'ca.key',
      '-out',
      'ca.crt',
      '-days',
      '2',
      '-subj',
      '/CN=Test OCES CA',
    );
    writeFileSync(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
    writeFileSync(join(dir, 'client.ext'), 'extendedKeyUsage=clientAuth\n');
    const issue = (name: string, subject: string, extensions: string) => {
      openssl('req', ...EC, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject);
      openssl(
        'x509',
        '-req',
        '-in',
        `${name}.csr`,
        '-CA',
        'ca.crt',
        '-CAkey',
        'ca.key',
        '-CAcreateserial',
        '-days',
        '2',
        '-out',
        `${name}.crt`,
        '-extfile',
        extensions,
      );
      return { cert: readFileSync(join(dir, `${name}.crt`)), key: readFileSync(join(dir, `${name}.key`)) };
    };
    return {
      server: issue('server', '/CN=127.0.0.1', 'server.ext'),
      ngdp: issue('ngdp', '/CN=NgDP stand-in', 'client.ext'),
      impostor: issue('impostor', '/CN=Another organisation', 'client.ext'),
      ca: readFileSync(join(dir, 'ca.crt')),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
