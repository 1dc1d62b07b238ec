/**
 * Issue 12, items 5 and 10 (the HTTP client): secrets stay secret. A server that echoes the
 * `Authorization` header — in a header, in an error body, in an HTML page — does not get the API key
 * into an error; a printed, inspected or serialized client shows its base URL and nothing else; CPR
 * numbers are masked in both their forms; and the key is never sent in clear text to another machine.
 */
import { createPrivateKey } from 'node:crypto';
import { format, inspect } from 'node:util';
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { DigitalPostClient } from '../../sdk/client/client.ts';
import {
  ApiError,
  AuthenticationError,
  InvalidOptionsError,
  UnexpectedResponseError,
} from '../../sdk/errors.ts';
import { describeWith } from '../support/requirements.ts';
import { API_KEY, clientFor, rejection } from './client.ts';
import { type Handler, type HostileServer, json, makeCertificates, startHostileServer } from './server.ts';

let server: HostileServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Everything an error shows: message, stack, its full inspection (cause included) and its JSON. */
function everythingShown(error: unknown): string {
  const shown = error as Error;
  return `${shown.message}\n${shown.stack}\n${inspect(error, { depth: 10, showHidden: true })}\n${JSON.stringify(error)}`;
}

/** Answers `status` and echoes the request's Authorization header everywhere it can. */
const echo =
  (status: number, contentType = 'application/json'): Handler =>
  (request, response) => {
    const authorization = String(request.headers.authorization);
    const body =
      contentType === 'application/json'
        ? JSON.stringify({
            code: `BAD_${authorization}`,
            message: `you sent ${authorization}`,
            fieldErrors: [{ field: 'authorization', rejectedValue: authorization }],
          })
        : `<html><body>Denied: ${authorization}</body></html>`;
    response
      .writeHead(status, {
        'content-type': contentType,
        authorization,
        'www-authenticate': `Basic realm="${authorization}"`,
        'x-echo': authorization,
        'set-cookie': `session=${API_KEY}`,
      })
      .end(body);
  };

describe('an echoed Authorization never reaches an error', () => {
  test('401 with the key in headers and ErrorMessage: not in message, detail, code, headers or body', async () => {
    server = await startHostileServer({ 'GET /contacts/': echo(401) });
    const { client } = clientFor(server);
    const error = await rejection(client.contacts.lookup({ cvr: '12345678' }));

    expect(error).toBeInstanceOf(AuthenticationError);
    expect(server.requests[0]?.headers.authorization).toBe(`Basic ${API_KEY}`);
    expect(everythingShown(error)).not.toContain(API_KEY);
    expect((error as ApiError).headers).toMatchObject({
      authorization: '[redacted]',
      'set-cookie': '[redacted]',
    });
    expect((error as ApiError).headers['x-echo']).toBe('[redacted]');
    expect((error as ApiError).detail).toBe('you sent [redacted]');
  });

  test('an HTML error page with the key: not in the error', async () => {
    server = await startHostileServer({ 'GET /contacts/': echo(502, 'text/html') });
    const { client } = clientFor(server, { retry: false });
    const error = await rejection(client.contacts.lookup({ cvr: '12345678' }));

    expect(error).toBeInstanceOf(ApiError);
    expect(everythingShown(error)).not.toContain(API_KEY);
  });

  test('a 200 HTML page with the key: an UnexpectedResponseError without it', async () => {
    server = await startHostileServer({ 'GET /contacts/': echo(200, 'text/html') });
    const { client } = clientFor(server);
    const error = await rejection(client.contacts.lookup({ cvr: '12345678' }));

    expect(error).toBeInstanceOf(UnexpectedResponseError);
    expect((error as Error).message).toContain('Denied: [redacted]');
    expect(everythingShown(error)).not.toContain(API_KEY);
  });

  test('CPR numbers in an answer are masked in both forms, DDMMYYSSSS and DDMMYY-SSSS', async () => {
    server = await startHostileServer({
      'GET /contacts/': json(400, {
        code: 'INVALID',
        message: 'citizens 0101700001 and 010170-0002 are unknown',
      }),
    });
    const { client } = clientFor(server);
    const error = await rejection(client.contacts.lookup({ cpr: '0101700001' }));

    expect((error as Error).message).toContain('citizens 010170**** and 010170-**** are unknown');
    expect((error as Error).message).not.toMatch(/0101700001|010170-0002/);
  });
});

describeWith({ tools: ['openssl'] }, 'a client shows its base URL, never its secrets', () => {
  const PASSPHRASE = 'tls-passphrase-b41f';
  let client: DigitalPostClient;
  /** A line of the private key's PEM. */
  let keyLine: string;

  beforeAll(() => {
    const { clientCert, clientKey } = makeCertificates();
    // The client reads the key (with its passphrase) when it is made: a real one, encrypted.
    const key = createPrivateKey(clientKey).export({
      format: 'pem',
      type: 'pkcs8',
      cipher: 'aes-256-cbc',
      passphrase: PASSPHRASE,
    });
    keyLine = key.toString().split('\n')[1] ?? 'unreachable';
    client = new DigitalPostClient({
      baseUrl: 'https://ngdp.example/apis/v1',
      apiKey: API_KEY,
      tls: { cert: clientCert, key, passphrase: PASSPHRASE },
    });
  });

  test.each([
    ['console.log', () => format(client)],
    ['console.log %o', () => format('%o', client)],
    ['util.inspect, everything', () => inspect(client, { depth: Infinity, showHidden: true, getters: true })],
    ['JSON.stringify', () => JSON.stringify(client)],
    ['String', () => String(client)],
    ['a template string', () => `${client}`],
  ])('%s: [DigitalPostClient baseUrl=…]', (_name, show) => {
    const shown = show();
    expect(shown).toContain('[DigitalPostClient baseUrl=https://ngdp.example/apis/v1]');
    expect(shown).not.toContain(API_KEY);
    expect(shown).not.toContain(PASSPHRASE);
    expect(shown).not.toContain(keyLine);
  });

  test.each(['memos', 'receipts', 'inbox', 'contacts', 'contactPoints'] as const)(
    'client.%s printed or serialized shows no secret',
    (resource) => {
      const shown = `${inspect(client[resource], { depth: Infinity, showHidden: true })}${JSON.stringify(client[resource])}`;
      expect(shown).not.toContain(API_KEY);
      expect(shown).not.toContain(PASSPHRASE);
    },
  );
});

describe('the API key never travels in clear text to another machine', () => {
  test.each(['http://ngdp.example/apis/v1', 'http://10.0.0.5:4500/apis/v1', 'http://[fe80::1]/apis/v1'])(
    '%s is refused with an InvalidOptionsError naming allowInsecureHttp',
    (baseUrl) => {
      expect(() => new DigitalPostClient({ baseUrl, apiKey: API_KEY })).toThrow(InvalidOptionsError);
      expect(() => new DigitalPostClient({ baseUrl, apiKey: API_KEY })).toThrow(/allowInsecureHttp/);
    },
  );

  test.each([
    'http://127.0.0.1:4500/apis/v1',
    'http://127.1.2.3/apis/v1',
    'http://localhost:4500/apis/v1',
    'http://[::1]:4500/apis/v1',
    'https://ngdp.example/apis/v1',
  ])('%s is allowed', (baseUrl) => {
    expect(new DigitalPostClient({ baseUrl, apiKey: API_KEY }).baseUrl).toBe(baseUrl);
  });

  test('allowInsecureHttp: true allows plain http to another machine', () => {
    const client = new DigitalPostClient({
      baseUrl: 'http://sim.test.lan/apis/v1',
      apiKey: API_KEY,
      allowInsecureHttp: true,
    });
    expect(client.baseUrl).toBe('http://sim.test.lan/apis/v1');
  });

  test('a baseUrl with credentials in it is refused', () => {
    expect(
      () => new DigitalPostClient({ baseUrl: 'https://user:pw@ngdp.example/apis/v1', apiKey: API_KEY }),
    ).toThrow(/must not contain credentials/);
  });
});
