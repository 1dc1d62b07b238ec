/**
 * NgDP's mutual TLS (ngdp-api.md §2.1): a client certificate as PEM `{ cert, key, ca }` or as
 * PKCS#12 `{ pfx, passphrase }`, against a local HTTPS server that demands one and passes calls on
 * to the simulator. The certificates are throwaways made with the system's openssl.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { inspect } from 'node:util';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { RunningSimulator } from '../../simulator/index.ts';
import { FAST_RETRY } from '../../test/support/client.ts';
import { describeWith } from '../../test/support/requirements.ts';
import { keyOf, SEED_IDS, startTestSimulator } from '../../test/support/simulator.ts';
import { ConnectionError, InvalidOptionsError } from '../errors.ts';
import { type ClientOptions, DigitalPostClient } from './client.ts';

const PASSPHRASE = 'pkcs12-test-passphrase';

interface Certificates {
  ca: Buffer;
  serverCert: Buffer;
  serverKey: Buffer;
  clientCert: Buffer;
  clientKey: Buffer;
  clientPfx: Buffer;
  /** clientKey encrypted with PASSPHRASE. */
  clientKeyEncrypted: Buffer;
  strangerCert: Buffer;
  strangerKey: Buffer;
}

/** A CA, a server certificate for 127.0.0.1 and client certificates, in a temp dir. */
function makeCertificates(dir: string): Certificates {
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=Test CA');
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  writeFileSync(join(dir, 'client.ext'), 'extendedKeyUsage=clientAuth\n');
  for (const [name, subject] of [
    ['server', '/CN=127.0.0.1'],
    ['client', '/CN=Testkommune sagssystem/serialNumber=CVR:12345678-FID:1'],
  ] as const) {
    openssl('req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject);
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
      `${name}.ext`,
    );
  }
  openssl(
    'req',
    '-x509',
    ...ec,
    '-keyout',
    'stranger.key',
    '-out',
    'stranger.crt',
    '-days',
    '2',
    '-subj',
    '/CN=Stranger',
  );
  openssl(
    'pkcs12',
    '-export',
    '-in',
    'client.crt',
    '-inkey',
    'client.key',
    '-out',
    'client.p12',
    '-passout',
    `pass:${PASSPHRASE}`,
  );
  openssl('pkey', '-in', 'client.key', '-aes256', '-passout', `pass:${PASSPHRASE}`, '-out', 'client-enc.key');
  const read = (file: string) => readFileSync(join(dir, file));
  return {
    ca: read('ca.crt'),
    serverCert: read('server.crt'),
    serverKey: read('server.key'),
    clientCert: read('client.crt'),
    clientKey: read('client.key'),
    clientPfx: read('client.p12'),
    clientKeyEncrypted: read('client-enc.key'),
    strangerCert: read('stranger.crt'),
    strangerKey: read('stranger.key'),
  };
}

interface SeenRequest {
  httpVersion: string;
  clientCommonName: string | undefined;
  authorization: string | undefined;
}

describeWith({ tools: ['openssl'] }, 'mutual TLS', () => {
  let dir: string;
  let certificates: Certificates;
  let simulator: RunningSimulator;
  let apiKey: string;
  let server: Server;
  let baseUrl: string;
  const upstream = new Agent();
  const seen: SeenRequest[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'digitalpost-tls-'));
    certificates = makeCertificates(dir);
    simulator = await startTestSimulator();
    apiKey = keyOf(simulator, SEED_IDS.senderPull);
    // Like NgDP: no answer without a client certificate signed by the CA; then the API itself.
    server = createServer(
      {
        key: certificates.serverKey,
        cert: certificates.serverCert,
        ca: certificates.ca,
        requestCert: true,
        rejectUnauthorized: true,
      },
      async (req, res) => {
        const peer = (req.socket as TLSSocket).getPeerCertificate();
        seen.push({
          httpVersion: req.httpVersion,
          clientCommonName: [peer.subject?.CN].flat()[0],
          authorization: req.headers.authorization,
        });
        const answer = await request(`${new URL(simulator.apiUrl).origin}${req.url}`, {
          headers: { authorization: req.headers.authorization ?? '' },
          dispatcher: upstream,
        });
        res.writeHead(answer.statusCode, { 'content-type': 'application/json' });
        res.end(Buffer.from(await answer.body.arrayBuffer()));
      },
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    baseUrl = `https://127.0.0.1:${(server.address() as AddressInfo).port}/apis/v1`;
  });

  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await upstream.close();
    await simulator?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  function client(options: Partial<ClientOptions>): DigitalPostClient {
    return new DigitalPostClient({ baseUrl, apiKey, retry: { ...FAST_RETRY, maxRetries: 0 }, ...options });
  }

  async function failure(promise: Promise<unknown>): Promise<Error> {
    try {
      await promise;
    } catch (error) {
      return error as Error;
    }
    throw new Error('expected the call to fail');
  }

  test('a client with tls { cert, key, ca } gets through', async () => {
    const tls = { cert: certificates.clientCert, key: certificates.clientKey, ca: certificates.ca };
    const contact = await client({ tls }).contacts.lookup({ cvr: '87654321' });
    expect(contact.mailboxSubscription?.publicRegistrationStatus).toBe('REGISTERED');
    expect(seen.at(-1)?.clientCommonName).toBe('Testkommune sagssystem');
  });

  test('a client with tls { pfx, passphrase } gets through', async () => {
    const tls = { pfx: certificates.clientPfx, passphrase: PASSPHRASE, ca: certificates.ca };
    const contact = await client({ tls }).contacts.lookup({ cvr: '87654321' });
    expect(contact.cvrNumber).toBe('87654321');
    expect(seen.at(-1)?.clientCommonName).toBe('Testkommune sagssystem');
  });

  test('the server sees HTTP/1.1 with the API key beside the certificate', async () => {
    const tls = { cert: certificates.clientCert, key: certificates.clientKey, ca: certificates.ca };
    await client({ tls }).contacts.lookup({ cvr: '87654321' });
    expect(seen.at(-1)).toMatchObject({ httpVersion: '1.1', authorization: `Basic ${apiKey}` });
  });

  test('without a client certificate the call fails with ConnectionError', async () => {
    const dispatcher = new Agent({ connect: { ca: certificates.ca } });
    try {
      const error = await failure(client({ dispatcher }).contacts.lookup({ cvr: '87654321' }));
      expect(error).toBeInstanceOf(ConnectionError);
    } finally {
      await dispatcher.close();
    }
  });

  test('a client certificate from another CA fails with ConnectionError', async () => {
    const tls = { cert: certificates.strangerCert, key: certificates.strangerKey, ca: certificates.ca };
    const error = await failure(client({ tls }).contacts.lookup({ cvr: '87654321' }));
    expect(error).toBeInstanceOf(ConnectionError);
  });

  test('a server certificate the client does not trust fails with ConnectionError', async () => {
    const tls = { cert: certificates.clientCert, key: certificates.clientKey };
    const error = await failure(client({ tls }).contacts.lookup({ cvr: '87654321' }));
    expect(error).toBeInstanceOf(ConnectionError);
  });

  test('a connection error is retried like any other', async () => {
    const events: unknown[] = [];
    const dispatcher = new Agent({ connect: { ca: certificates.ca } });
    try {
      const noCertificate = new DigitalPostClient({
        baseUrl,
        apiKey,
        dispatcher,
        retry: { ...FAST_RETRY, maxRetries: 1 },
        logger: (event) => events.push(event),
      });
      await expect(noCertificate.contacts.lookup({ cvr: '87654321' })).rejects.toBeInstanceOf(
        ConnectionError,
      );
      expect(events).toHaveLength(2);
    } finally {
      await dispatcher.close();
    }
  });

  /** The error constructing a client with these options throws. */
  function constructionError(options: Partial<ClientOptions>): Error {
    try {
      client(options);
    } catch (error) {
      return error as Error;
    }
    throw new Error('expected the constructor to throw');
  }

  test('an encrypted key with its passphrase gets through', async () => {
    const tls = {
      cert: certificates.clientCert,
      key: certificates.clientKeyEncrypted,
      passphrase: PASSPHRASE,
      ca: certificates.ca,
    };
    const contact = await client({ tls }).contacts.lookup({ cvr: '87654321' });
    expect(contact.cvrNumber).toBe('87654321');
  });

  test('a wrong PKCS#12 passphrase is an InvalidOptionsError at once, showing neither passphrase nor key', () => {
    const tls = { pfx: certificates.clientPfx, passphrase: 'not-the-passphrase', ca: certificates.ca };
    const error = constructionError({ tls });
    expect(error).toBeInstanceOf(InvalidOptionsError);
    expect(error.message).toBe(
      'DigitalPostClient: tls.pfx cannot be opened with tls.passphrase (wrong passphrase)',
    );
    const shown = `${error.message}\n${error.stack}\n${inspect(error, { depth: 10 })}`;
    expect(shown).not.toContain('not-the-passphrase');
    expect(shown).not.toContain(certificates.clientPfx.toString('base64').slice(0, 40));
  });

  test('a PKCS#12 file without its passphrase is an InvalidOptionsError that asks for it', () => {
    const error = constructionError({ tls: { pfx: certificates.clientPfx } });
    expect(error).toBeInstanceOf(InvalidOptionsError);
    expect(error.message).toContain('give tls.passphrase');
  });

  test('a wrong passphrase of a PEM key is an InvalidOptionsError at once, showing neither', () => {
    const tls = {
      cert: certificates.clientCert,
      key: certificates.clientKeyEncrypted,
      passphrase: 'nope-nope',
    };
    const error = constructionError({ tls });
    expect(error).toBeInstanceOf(InvalidOptionsError);
    expect(error.message).toBe(
      'DigitalPostClient: tls.passphrase does not decrypt tls.key (wrong passphrase)',
    );
    const shown = `${error.message}\n${error.stack}\n${inspect(error, { depth: 10 })}`;
    expect(shown).not.toContain('nope-nope');
    expect(shown).not.toContain(certificates.clientKeyEncrypted.toString('utf8').split('\n')[1]);
  });

  test('an encrypted PEM key without a passphrase is an InvalidOptionsError', () => {
    const error = constructionError({
      tls: { cert: certificates.clientCert, key: certificates.clientKeyEncrypted },
    });
    expect(error).toBeInstanceOf(InvalidOptionsError);
    expect(error.message).toBe('DigitalPostClient: tls.key is encrypted and no tls.passphrase was given');
  });

  test('a key that is not the certificate’s is an InvalidOptionsError naming the certificate', () => {
    const error = constructionError({
      tls: { cert: certificates.clientCert, key: certificates.strangerKey },
    });
    expect(error).toBeInstanceOf(InvalidOptionsError);
    expect(error.message).toMatch(
      /^DigitalPostClient: tls\.key is not the private key of tls\.cert \(.*Testkommune/,
    );
  });

  test.each([
    ['cert', { cert: 'not a certificate' }, /tls\.cert is not a certificate/],
    ['key', { key: 'not a key' }, /tls\.key is not a PEM private key/],
    ['ca', { ca: ['not a certificate'] }, /tls\.ca is not a certificate/],
  ])('an unreadable %s is an InvalidOptionsError', (_name, change, message) => {
    const tls = {
      cert: certificates.clientCert,
      key: certificates.clientKey,
      ca: certificates.ca,
      ...change,
    };
    const error = constructionError({ tls });
    expect(error).toBeInstanceOf(InvalidOptionsError);
    expect(error.message).toMatch(message);
  });

  test('an unreadable PKCS#12 file is an InvalidOptionsError', () => {
    const error = constructionError({ tls: { pfx: Buffer.from('not PKCS#12'), passphrase: 'x' } });
    expect(error).toBeInstanceOf(InvalidOptionsError);
    expect(error.message).toMatch(/^DigitalPostClient: tls\.pfx is not a PKCS#12 file/);
  });

  test('a failed handshake shows neither the private key nor the API key', async () => {
    const tls = { cert: certificates.clientCert, key: certificates.clientKey };
    const error = await failure(client({ tls }).contacts.lookup({ cvr: '87654321' }));
    const shown = `${error.message}\n${error.stack}\n${inspect(error, { depth: 10 })}`;
    const keyBody = certificates.clientKey.toString('utf8').split('\n')[1] ?? 'unreachable';
    expect(shown).not.toContain(keyBody);
    expect(shown).not.toContain(apiKey);
  });
});
