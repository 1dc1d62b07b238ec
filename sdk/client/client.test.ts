/**
 * `new DigitalPostClient(options)`: the options validated once at the boundary (environments,
 * API key, TLS or dispatcher, timeouts, retries), and what every request puts on the wire
 * (ngdp-api.md §2.1: `Authorization: Basic <apiKey>` verbatim, JSON, HTTP/1.1).
 */

import { Agent, type Dispatcher, getGlobalDispatcher, setGlobalDispatcher } from 'undici';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import packageJson from '../../package.json' with { type: 'json' };
import type { RunningSimulator } from '../../simulator/index.ts';
import { loggedClient, startRecorder } from '../../test/support/client.ts';
import { keyOf, SEED_IDS, startTestSimulator } from '../../test/support/simulator.ts';
import { InvalidOptionsError } from '../errors.ts';
import { type ClientOptions, DigitalPostClient, ENVIRONMENTS } from './client.ts';

let simulator: RunningSimulator;
let apiKey: string;

beforeAll(async () => {
  simulator = await startTestSimulator();
  apiKey = keyOf(simulator, SEED_IDS.senderPull);
});
afterAll(() => simulator.stop());

const KEY =
  'MjAwMDAwMDAtMDAwMC00MDAwLTgwMDAtMDAwMDAwMDAwMDAxOjMwMDAwMDAwLTAwMDAtNDAwMC04MDAwLTAwMDAwMDAwMDAwMQ==';

/** The InvalidOptionsError a constructor call throws. */
function constructionError(options: unknown): InvalidOptionsError {
  try {
    new DigitalPostClient(options as ClientOptions);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidOptionsError);
    return error as InvalidOptionsError;
  }
  throw new Error('expected the constructor to throw');
}

/** A dispatcher that counts the requests going through it. */
function countingDispatcher(base: Dispatcher): { dispatcher: Dispatcher; count: () => number } {
  let requests = 0;
  const dispatcher = base.compose((dispatch) => (options, handler) => {
    requests++;
    return dispatch(options, handler);
  });
  return { dispatcher, count: () => requests };
}

describe('choosing NgDP', () => {
  test("environment 'test' uses NgDP's test environment", () => {
    const client = new DigitalPostClient({ environment: 'test', apiKey: KEY });
    expect(client.baseUrl).toBe('https://api.test.digitalpost.dk/apis/v1');
  });

  test("environment 'production' uses NgDP's production environment", () => {
    const client = new DigitalPostClient({ environment: 'production', apiKey: KEY });
    expect(client.baseUrl).toBe(ENVIRONMENTS.production);
    expect(client.baseUrl).toBe('https://api.digitalpost.dk/apis/v1');
  });

  test('neither baseUrl nor environment is an InvalidOptionsError: production is never chosen for you', () => {
    expect(constructionError({ apiKey: KEY }).message).toMatch(/production is never chosen/);
  });

  test('both baseUrl and environment is an InvalidOptionsError', () => {
    constructionError({ apiKey: KEY, environment: 'test', baseUrl: 'http://127.0.0.1:4500/apis/v1' });
  });

  test('an unknown environment is an InvalidOptionsError', () => {
    expect(constructionError({ apiKey: KEY, environment: 'staging' }).message).toMatch(/staging/);
  });

  test.each(['not a url', 'ftp://example.com/apis/v1'])(
    'the baseUrl "%s" is an InvalidOptionsError',
    (baseUrl) => {
      constructionError({ apiKey: KEY, baseUrl });
    },
  );

  test('trailing slashes of the baseUrl are dropped', () => {
    const client = new DigitalPostClient({ apiKey: KEY, baseUrl: 'http://127.0.0.1:4500/apis/v1//' });
    expect(client.baseUrl).toBe('http://127.0.0.1:4500/apis/v1');
  });
});

describe('validating the other options', () => {
  test.each([
    ['missing', undefined],
    ['empty', ''],
    ['blank', '   '],
    ['containing a space', 'abc def'],
    ['not a string', 42],
  ])('an apiKey %s is an InvalidOptionsError', (_what, key) => {
    constructionError({ apiKey: key, environment: 'test' });
  });

  test('the InvalidOptionsError for a malformed apiKey does not show the key', () => {
    const secret = 'c2VjcmV0 LXZhbHVl';
    expect(constructionError({ apiKey: secret, environment: 'test' }).message).not.toContain('c2VjcmV0');
  });

  test('tls together with a dispatcher is an InvalidOptionsError', () => {
    const dispatcher = new Agent();
    expect(
      constructionError({
        apiKey: KEY,
        environment: 'test',
        tls: { cert: 'cert', key: 'key' },
        dispatcher,
      }).message,
    ).toMatch(/tls or dispatcher/);
  });

  test('tls without cert and key, or pfx, is an InvalidOptionsError', () => {
    constructionError({ apiKey: KEY, environment: 'test', tls: { cert: 'cert' } });
  });

  test.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY])(
    'timeoutMs %d is an InvalidOptionsError',
    (timeoutMs) => {
      constructionError({ apiKey: KEY, environment: 'test', timeoutMs });
    },
  );

  test('a negative retry setting is an InvalidOptionsError', () => {
    expect(
      constructionError({ apiKey: KEY, environment: 'test', retry: { maxRetries: -1 } }).message,
    ).toMatch(/retry\.maxRetries/);
  });

  test('a per-request timeoutMs that is not positive is an InvalidOptionsError', async () => {
    const { client, events } = loggedClient(simulator.apiUrl, apiKey);
    await expect(client.contacts.lookup({ cvr: '87654321' }, { timeoutMs: 0 })).rejects.toBeInstanceOf(
      InvalidOptionsError,
    );
    expect(events).toEqual([]);
  });
});

describe('what goes on the wire', () => {
  async function recordOneLookup(options: Partial<ClientOptions> = {}) {
    const recorder = await startRecorder(simulator.apiUrl);
    try {
      const client = new DigitalPostClient({ baseUrl: recorder.apiUrl, apiKey, ...options });
      await client.contacts.lookup({ cvr: '87654321' });
      const [request] = recorder.requests;
      if (request === undefined) throw new Error('nothing was recorded');
      return request;
    } finally {
      await recorder.close();
    }
  }

  test('the API key goes verbatim into Authorization: Basic', async () => {
    const request = await recordOneLookup();
    expect(request.headers.authorization).toBe(`Basic ${apiKey}`);
  });

  test('requests are HTTP/1.1 and accept JSON', async () => {
    const request = await recordOneLookup();
    expect(request.httpVersion).toBe('1.1');
    expect(request.headers.accept).toBe('application/json');
  });

  test('the User-Agent names digitalpost, its version and Node, then the caller’s own', async () => {
    const request = await recordOneLookup({ userAgent: 'kommune-sag/2.1' });
    expect(request.headers['user-agent']).toBe(
      `digitalpost/${packageJson.version} node/${process.versions.node} kommune-sag/2.1`,
    );
  });

  test('the query is built from NgDP’s names', async () => {
    const request = await recordOneLookup();
    expect(request.url).toBe('/apis/v1/contacts/?cvrNumber=87654321');
  });
});

describe('dispatchers and logging', () => {
  test('a dispatcher given is used for every request', async () => {
    const base = new Agent();
    const { dispatcher, count } = countingDispatcher(base);
    try {
      const client = new DigitalPostClient({ baseUrl: simulator.apiUrl, apiKey, dispatcher });
      await client.contacts.lookup({ cvr: '87654321' });
      await client.contacts.lookup({ cpr: '0101700001' });
      expect(count()).toBe(2);
    } finally {
      await base.close();
    }
  });

  test("without tls or a dispatcher undici's global dispatcher is used", async () => {
    const previous = getGlobalDispatcher();
    const { dispatcher, count } = countingDispatcher(previous);
    setGlobalDispatcher(dispatcher);
    try {
      const client = new DigitalPostClient({ baseUrl: simulator.apiUrl, apiKey });
      await client.contacts.lookup({ cvr: '87654321' });
      expect(count()).toBe(1);
    } finally {
      setGlobalDispatcher(previous);
    }
  });

  test('the logger gets one event per attempt with method, path, status and timing', async () => {
    const { client, events } = loggedClient(simulator.apiUrl, apiKey);
    await client.contacts.lookup({ cvr: '87654321' });
    expect(events).toEqual([
      {
        requestId: expect.any(String),
        method: 'GET',
        path: '/contacts/?cvrNumber=87654321',
        attempt: 0,
        status: 200,
        durationMs: expect.any(Number),
      },
    ]);
  });

  test('a logger that throws does not fail the request', async () => {
    const client = new DigitalPostClient({
      baseUrl: simulator.apiUrl,
      apiKey,
      logger: () => {
        throw new Error('log sink is down');
      },
    });
    await expect(client.contacts.lookup({ cvr: '87654321' })).resolves.toMatchObject({
      cvrNumber: '87654321',
    });
  });
});
