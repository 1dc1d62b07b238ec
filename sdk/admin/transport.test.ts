/**
 * The admin client on the SDK's transport, against a loopback server that misbehaves on purpose:
 * reads are retried after a 503, a create whose answer was lost is never sent again (an
 * `UnknownOutcomeError` says it may have been made), and a token echoed back by the server never
 * shows in an error.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BadRequestError, UnknownOutcomeError } from '../errors.ts';
import { AdminClient } from './client.ts';

const TOKEN = 'secret-bearer-token-0123456789';
let server: Server;
let baseUrl: string;
let requests: string[];
let respond: (request: IncomingMessage, response: ServerResponse, count: number) => void;

beforeAll(async () => {
  server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      requests.push(`${request.method} ${request.url}`);
      respond(request, response, requests.length);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/apis/v1`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  requests = [];
});

const client = () =>
  new AdminClient({ baseUrl, token: TOKEN, retry: { initialDelayMs: 1, maxDelayMs: 1, maxRetries: 2 } });

describe('the admin client on the SDK transport', () => {
  it('retries a read after 503 and answers its result', async () => {
    respond = (_request, response, count) => {
      if (count === 1) response.writeHead(503, { 'retry-after': '0' }).end();
      else response.writeHead(200, { 'content-type': 'application/json' }).end('{"id":"s1","name":"System"}');
    };

    expect(await client().systems.get('org', 's1')).toEqual({ id: 's1', name: 'System' });
    expect(requests).toEqual([
      'GET /apis/v1/organisations/org/systems/s1',
      'GET /apis/v1/organisations/org/systems/s1',
    ]);
  });

  it('never sends a create again once its answer was lost: UnknownOutcomeError', async () => {
    respond = (request) => request.socket.destroy();
    const failure = await client()
      .systems.create('org', { name: 'System' })
      .catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(UnknownOutcomeError);
    expect(requests).toEqual(['POST /apis/v1/organisations/org/systems/']);
  });

  it('keeps the token out of an error whose answer repeats it', async () => {
    respond = (request, response) =>
      response
        .writeHead(400, {
          'content-type': 'application/json',
          'x-echo': String(request.headers.authorization),
        })
        .end(
          JSON.stringify({
            code: 'BAD',
            message: `you sent ${request.headers.authorization}`,
            fieldErrors: [],
          }),
        );
    const failure = await client()
      .systems.get('org', 's1')
      .catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(BadRequestError);
    expect(inspect(failure, { depth: 5 })).not.toContain(TOKEN);
    expect(JSON.stringify((failure as BadRequestError).headers)).not.toContain(TOKEN);
  });

  it('exports and imports the contact structure as CSV at /admin/v1, beside the API', async () => {
    const bodies: string[] = [];
    respond = (request, response) => {
      if (request.method === 'GET') {
        response.writeHead(200, { 'content-type': 'text/csv' }).end('type;name\r\nGROUP;Borgerservice\r\n');
        return;
      }
      bodies.push(String(request.headers['content-type']));
      response
        .writeHead(200, { 'content-type': 'application/json' })
        .end('{"groupsCreated":1,"groupsUpdated":0,"pointsCreated":2,"pointsUpdated":3}');
    };
    const csv = await client().contactStructure.export('org');
    const result = await client().contactStructure.import('org', csv);

    expect(csv).toBe('type;name\r\nGROUP;Borgerservice\r\n');
    expect(result).toEqual({ groupsCreated: 1, groupsUpdated: 0, pointsCreated: 2, pointsUpdated: 3 });
    expect(requests).toEqual([
      'GET /admin/v1/organisations/org/contact-structure',
      'PUT /admin/v1/organisations/org/contact-structure',
    ]);
    expect(bodies).toEqual(['text/csv']);
  });

  it('gives a refused import as a BadRequestError naming each row and field', async () => {
    const fieldErrors = [{ resource: 'row 3', field: 'name', code: 'REQUIRED', message: 'is required' }];
    respond = (_request, response) =>
      response
        .writeHead(400, { 'content-type': 'application/json' })
        .end(JSON.stringify({ code: 'INVALID_IMPORT', message: 'the import has errors', fieldErrors }));
    const failure = await client()
      .contactStructure.import('org', 'type;name\r\nGROUP;\r\n')
      .catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(BadRequestError);
    expect(failure).toMatchObject({ code: 'INVALID_IMPORT', fieldErrors });
  });

  it('keeps a renewed token out of errors too, however often it was renewed', async () => {
    let renewals = 0;
    const renewing = new AdminClient({
      baseUrl,
      token: () => `renewed-token-${++renewals}-abcdef`,
      retry: false,
    });
    respond = (request, response) =>
      response
        .writeHead(400, { 'content-type': 'application/json' })
        .end(JSON.stringify({ code: 'BAD', message: `you sent ${request.headers.authorization}` }));
    const failures: unknown[] = [];
    for (let n = 0; n < 20; n++)
      failures.push(await renewing.systems.get('org', 's1').catch((error: unknown) => error));

    for (const failure of failures) expect((failure as BadRequestError).detail).toBe('you sent [redacted]');
  });

  it('refuses a path parameter that is empty before sending anything', async () => {
    await expect(client().systems.get('', 's1')).rejects.toThrow(/organisationId is required/);
    expect(requests).toEqual([]);
  });
});
