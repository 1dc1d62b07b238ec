/**
 * What every command that talks to NgDP shares: credentials from flags or the environment, the
 * connection flags, mutual TLS files, and one-line errors that never show a secret.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer as createHttpsServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serializeMemoToBytes } from '../sdk/memo/writer.ts';
import type { RunningSimulator } from '../simulator/index.ts';
import { describeWith } from '../test/support/requirements.ts';
import { addFault, keyOf, letterTo, SEED_IDS, startTestSimulator } from '../test/support/simulator.ts';
import { type ConnectionFlags, connect } from './connection.ts';
import { jsonLines, lines, run } from './test-support.ts';

let simulator: RunningSimulator;
let dir: string;
let apiKey: string;
let env: Record<string, string>;
let letter: string;

beforeAll(async () => {
  simulator = await startTestSimulator();
  dir = await mkdtemp(join(tmpdir(), 'dp-cli-connection-'));
  apiKey = keyOf(simulator, SEED_IDS.senderPull);
  env = { DIGITALPOST_BASE_URL: simulator.apiUrl, DIGITALPOST_API_KEY: apiKey };
  letter = join(dir, 'letter.xml');
  await writeFile(letter, serializeMemoToBytes(await letterTo({ cpr: '0101700001' })));
});
afterAll(async () => {
  await simulator.stop();
  await rm(dir, { recursive: true, force: true });
});

const UNREACHABLE = 'http://127.0.0.1:1/apis/v1';
const lookup = ['contacts', 'lookup', '0101700001'];

describe.each([
  ['send', () => ['send', letter]],
  ['receipts pull', () => ['receipts', 'pull']],
  ['inbox pull', () => ['inbox', 'pull', '--out', join(dir, 'inbox')]],
  ['contacts lookup', () => lookup],
])('digitalpost %s', (_name, argv) => {
  it('exits 2 naming --api-key and DIGITALPOST_API_KEY when no API key is given', async () => {
    expect(await run(argv(), { DIGITALPOST_BASE_URL: simulator.apiUrl, DIGITALPOST_API_KEY: '' })).toEqual({
      code: 2,
      stdout: '',
      stderr: 'digitalpost: no API key: pass --api-key or set DIGITALPOST_API_KEY\n',
    });
  });

  it('exits 2 naming --base-url, --environment and DIGITALPOST_BASE_URL when no address is given', async () => {
    expect(await run(argv(), { DIGITALPOST_API_KEY: apiKey })).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'digitalpost: no NgDP address: pass --base-url URL or --environment test|production, or set DIGITALPOST_BASE_URL\n',
    });
  });

  it('exits 1 with one line, no stack, when NgDP cannot be reached', async () => {
    const result = await run([...argv(), '--retries', '0'], { ...env, DIGITALPOST_BASE_URL: UNREACHABLE });

    expect(result.code).toBe(1);
    expect(lines(result.stderr)).toEqual([
      expect.stringMatching(
        /^digitalpost: cannot reach NgDP at http:\/\/127\.0\.0\.1:1\/apis\/v1: connect ECONNREFUSED 127\.0\.0\.1:1/,
      ),
    ]);
  });

  it('exits 1 with one line when NgDP refuses the API key, without printing the key', async () => {
    const wrongKey = 'not-the-right-key-d9c1';
    const result = await run(argv(), { ...env, DIGITALPOST_API_KEY: wrongKey });

    expect(result.code).toBe(1);
    expect(lines(result.stderr)).toEqual([
      expect.stringMatching(
        /^digitalpost: NgDP refused the API key \(401 .+\); check --api-key or DIGITALPOST_API_KEY/,
      ),
    ]);
    expect(result.stdout + result.stderr).not.toContain(wrongKey);
  });

  it('documents its exit codes and the environment variables in --help', async () => {
    const help = await run([...argv(), '--help']);

    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Exit codes: 0 .+\n[\s\S]*2 /);
    expect(help.stdout).toContain(
      'Environment: DIGITALPOST_API_KEY, DIGITALPOST_BASE_URL, DIGITALPOST_CERT_PASSPHRASE',
    );
  });
});

describe('connection flags', () => {
  it('uses NgDP itself with --environment, whatever DIGITALPOST_BASE_URL says', async () => {
    const flags: ConnectionFlags = { environment: 'test', apiKey: 'key', timeout: 30, retries: 0 };
    const connection = await connect(flags, { stdout: () => {}, stderr: () => {}, env });

    expect(connection.url).toBe('https://api.test.digitalpost.dk/apis/v1');
  });

  it('refuses --base-url together with --environment (exit 2)', async () => {
    const result = await run([...lookup, '--base-url', simulator.apiUrl, '--environment', 'test'], env);

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^digitalpost: option '--environment <name>' cannot be used with option '--base-url <url>'/,
    );
  });

  it.each([
    [
      ['--base-url', '127.0.0.1:4500'],
      'digitalpost: --base-url must be an http(s) URL such as http://127.0.0.1:4500/apis/v1\n',
    ],
    [
      ['--environment', 'staging'],
      expect.stringMatching(/^digitalpost: option '--environment <name>' argument 'staging' is invalid/),
    ],
    [['--timeout', '0'], expect.stringMatching(/--timeout must be a positive number of seconds/)],
    [['--retries', 'many'], expect.stringMatching(/--retries must be a non-negative integer/)],
    [['--cert', 'cert.pem'], 'digitalpost: --cert and --key go together (or give --pfx)\n'],
    [['--passphrase', 'secret'], 'digitalpost: --passphrase is for the private key of --key or --pfx\n'],
    [['--unknown'], "digitalpost: unknown option '--unknown' (see --help)\n"],
  ])('rejects %j with one line, exit 2', async (flags, stderr) => {
    expect(await run([...lookup, ...flags], env)).toEqual({ code: 2, stdout: '', stderr });
  });

  it('names DIGITALPOST_BASE_URL when that is the malformed address', async () => {
    const result = await run(lookup, { ...env, DIGITALPOST_BASE_URL: 'localhost:4500' });

    expect(result).toMatchObject({
      code: 2,
      stderr:
        'digitalpost: DIGITALPOST_BASE_URL must be an http(s) URL such as http://127.0.0.1:4500/apis/v1\n',
    });
  });

  it('refuses an API key with spaces without echoing it', async () => {
    const result = await run([...lookup, '--api-key', 'my secret key'], env);

    expect(result).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'digitalpost: the API key (--api-key or DIGITALPOST_API_KEY) must not be empty or contain spaces\n',
    });
  });

  it('gives up after --timeout seconds when NgDP does not answer', async () => {
    await addFault(simulator, { operation: 'GET /contacts/', delayMs: 500, times: 1 });

    const result = await run([...lookup, '--timeout', '0.1', '--retries', '0'], env);

    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^digitalpost: 0101700001: GET \/contacts\/\?cprNumber=010170\*{4}: no answer within 100 ms\n$/,
    );
  });

  it('logs each attempt with --verbose, masking CPR numbers and never showing the key', async () => {
    await addFault(simulator, { operation: 'GET /contacts/', status: 503, times: 1 });

    const result = await run([...lookup, '--verbose', '--retries', '0'], env);

    expect(result.code).toBe(1);
    expect(lines(result.stderr)).toEqual([
      expect.stringMatching(/^GET \/contacts\/\?cprNumber=010170\*{4} → 503 \(\d+ ms\)$/),
      expect.stringMatching(/^digitalpost: 0101700001: 503 GET \/contacts\/\?cprNumber=010170\*{4}: /),
    ]);
    expect(result.stderr).not.toContain(apiKey);
  });

  it('logs each request with DIGITALPOST_LOG=debug, as --verbose does', async () => {
    const result = await run(lookup, { ...env, DIGITALPOST_LOG: 'debug' });

    expect(result.code).toBe(0);
    expect(lines(result.stderr)).toEqual([
      expect.stringMatching(/^GET \/contacts\/\?cprNumber=010170\*{4} → 200 \(\d+ ms\)$/),
    ]);
    expect(result.stderr).not.toContain(apiKey);
  });

  it('logs requests as {"debug": …} JSON lines under --json, without the key', async () => {
    const result = await run([...lookup, '--json'], { ...env, DIGITALPOST_LOG: 'debug' });

    expect(result.code).toBe(0);
    expect(jsonLines(result.stderr)).toEqual([
      {
        debug: expect.objectContaining({
          method: 'GET',
          path: '/contacts/?cprNumber=010170****',
          status: 200,
          attempt: 0,
          requestId: expect.any(String),
          durationMs: expect.any(Number),
        }),
      },
    ]);
    expect(result.stderr).not.toContain(apiKey);
  });

  it('logs nothing with DIGITALPOST_LOG=info, and refuses any other level (exit 2)', async () => {
    expect((await run(lookup, { ...env, DIGITALPOST_LOG: 'info' })).stderr).toBe('');
    expect(await run(lookup, { ...env, DIGITALPOST_LOG: 'loud' })).toMatchObject({
      code: 2,
      stderr: 'digitalpost: DIGITALPOST_LOG="loud": must be debug or info\n',
    });
  });
});

describeWith({ tools: ['openssl'] }, 'mutual TLS files', () => {
  const passphrase = 'correct-horse-7';
  let cert: string;
  let key: string;
  let pfx: string;
  let otherKey: string;

  beforeAll(async () => {
    const sh = promisify(execFile);
    cert = join(dir, 'cert.pem');
    key = join(dir, 'key.pem');
    pfx = join(dir, 'cert.p12');
    otherKey = join(dir, 'other-key.pem');
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'];
    await sh('openssl', [
      'req',
      '-x509',
      ...ec,
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '1',
      '-subj',
      '/CN=test',
      '-passout',
      `pass:${passphrase}`,
    ]);
    await sh('openssl', [
      'pkcs12',
      '-export',
      '-in',
      cert,
      '-inkey',
      key,
      '-passin',
      `pass:${passphrase}`,
      '-out',
      pfx,
      '-passout',
      `pass:${passphrase}`,
    ]);
    await sh('openssl', [
      'genpkey',
      '-algorithm',
      'EC',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-out',
      otherKey,
    ]);
  });

  it('accepts a PEM certificate with the passphrase from DIGITALPOST_CERT_PASSPHRASE', async () => {
    const result = await run([...lookup, '--cert', cert, '--key', key], {
      ...env,
      DIGITALPOST_CERT_PASSPHRASE: passphrase,
    });

    expect(result).toMatchObject({ code: 0, stderr: '' });
  });

  it('accepts a PKCS#12 file with --passphrase', async () => {
    expect(await run([...lookup, '--pfx', pfx, '--passphrase', passphrase], env)).toMatchObject({
      code: 0,
      stderr: '',
    });
  });

  it('says "wrong passphrase" (exit 2) without printing the passphrase', async () => {
    const wrong = 'wrong-passphrase-3';
    for (const flags of [
      ['--cert', cert, '--key', key, '--passphrase', wrong],
      ['--pfx', pfx, '--passphrase', wrong],
    ]) {
      expect(await run([...lookup, ...flags], env)).toEqual({
        code: 2,
        stdout: '',
        stderr: 'digitalpost: cannot use the client certificate or CA files: wrong passphrase\n',
      });
    }
  });

  it('says when the key does not belong to the certificate (exit 2)', async () => {
    const result = await run([...lookup, '--cert', cert, '--key', otherKey], env);

    expect(result).toMatchObject({
      code: 2,
      stderr:
        'digitalpost: cannot use the client certificate or CA files: the key does not belong to the certificate\n',
    });
  });

  it('names an unreadable certificate file (exit 2)', async () => {
    const missing = join(dir, 'missing.p12');

    expect(await run([...lookup, '--pfx', missing], env)).toMatchObject({
      code: 2,
      stderr: `digitalpost: cannot read the --pfx file ${missing}: no such file\n`,
    });
  });
});

describeWith({ tools: ['openssl'] }, 'TLS failures, explained in one line', () => {
  let tlsDir: string;
  let server: Server;
  let tlsEnv: Record<string, string>;
  const file = (name: string): string => join(tlsDir, name);

  beforeAll(async () => {
    tlsDir = await mkdtemp(join(tmpdir(), 'dp-cli-tls-'));
    const sh = promisify(execFile);
    const newKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
    const selfSigned = (name: string) =>
      sh(
        'openssl',
        [
          'req',
          '-x509',
          ...newKey,
          '-keyout',
          `${name}.key`,
          '-out',
          `${name}.crt`,
          '-days',
          '1',
          '-subj',
          `/CN=${name}`,
        ],
        { cwd: tlsDir },
      );
    await selfSigned('ca');
    await selfSigned('stranger');
    await writeFile(file('server.ext'), 'subjectAltName=IP:127.0.0.1\n');
    await writeFile(file('client.ext'), 'extendedKeyUsage=clientAuth\n');
    for (const name of ['server', 'client']) {
      await sh(
        'openssl',
        ['req', ...newKey, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`],
        { cwd: tlsDir },
      );
      await sh(
        'openssl',
        [
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
          '1',
          '-out',
          `${name}.crt`,
          '-extfile',
          `${name}.ext`,
        ],
        { cwd: tlsDir },
      );
    }
    const read = async (name: string) => readFile(file(name));
    server = createHttpsServer(
      {
        cert: await read('server.crt'),
        key: await read('server.key'),
        ca: await read('ca.crt'),
        requestCert: true,
        rejectUnauthorized: true,
      },
      (_request, response) => response.end('{}'),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    tlsEnv = {
      DIGITALPOST_BASE_URL: `https://127.0.0.1:${(server.address() as AddressInfo).port}/apis/v1`,
      DIGITALPOST_API_KEY: apiKey,
    };
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await rm(tlsDir, { recursive: true, force: true });
  });

  const once = [...lookup, '--retries', '0'];

  it('says an untrusted server certificate needs --ca', async () => {
    const result = await run(once, tlsEnv);
    expect(result.code).toBe(1);
    expect(lines(result.stderr)).toEqual([
      expect.stringMatching(
        /: the server's certificate is not trusted \(.+\): give the CA that issued it with --ca FILE$/,
      ),
    ]);
  });

  it('says a server that closes the connection over https likely requires a client certificate', async () => {
    const result = await run([...once, '--ca', file('ca.crt')], tlsEnv);
    expect(result.code).toBe(1);
    expect(lines(result.stderr)).toEqual([
      expect.stringMatching(
        /usually means it requires a client certificate: pass --cert and --key, or --pfx$/,
      ),
    ]);
  });

  it('says so when the server refuses the client certificate given', async () => {
    const result = await run(
      [...once, '--ca', file('ca.crt'), '--cert', file('stranger.crt'), '--key', file('stranger.key')],
      tlsEnv,
    );
    expect(result.code).toBe(1);
    expect(lines(result.stderr)).toEqual([
      expect.stringMatching(
        /usually means it refused the client certificate: is it the one registered for this system/,
      ),
    ]);
  });

  it('gets through with the CA and the registered client certificate', async () => {
    const result = await run(
      [...once, '--ca', file('ca.crt'), '--cert', file('client.crt'), '--key', file('client.key')],
      tlsEnv,
    );
    expect(result.stderr).not.toMatch(/certificate|closed the connection/);
  });
});
