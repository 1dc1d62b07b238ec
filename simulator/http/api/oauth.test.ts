/**
 * NgDP's OAuth operations for test employees over real HTTP (docs/admin.md, "Employees, logins and
 * tokens"): the employee's username and password posted to `oauth/authorize` give a code, which
 * `oauth/token` exchanges (once, with PKCE) for an access token — the same bearer token the portal
 * login gives — and a refresh token; refresh tokens rotate; `oauth/revoke` and `oauth/logout` end
 * them; the discovery document and the key set describe it.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { adminCall, seededEmployee } from '../../../test/support/admin.ts';
import {
  type ApiResponse,
  call,
  expectErrorMessage,
  resetSimulator,
  SEED_IDS,
  startTestSimulator,
  transcript,
} from '../../../test/support/simulator.ts';
import type { RunningSimulator } from '../../index.ts';

const CLIENT = 'min-klient';
const REDIRECT = 'http://localhost:8080/callback';
const systemsPath = `/organisations/${SEED_IDS.authority}/systems/`;

let simulator: RunningSimulator;

beforeAll(async () => {
  simulator = await startTestSimulator();
});

afterAll(async () => {
  await simulator.stop();
});

beforeEach(async () => {
  await resetSimulator(simulator);
});

const formOf = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

function post(path: string, fields: Record<string, string>, on = simulator): Promise<ApiResponse> {
  return call(`${on.apiUrl}${path}`, {
    method: 'POST',
    body: formOf(fields),
    contentType: 'application/x-www-form-urlencoded',
  });
}

interface TokenJson {
  value: string;
  refreshToken: string;
  tokenType: string;
  expiresIn: number;
}

/** A PKCE verifier and its S256 challenge. */
function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** Posts the seeded authority employee's login to `oauth/authorize`; the answer (a 303). */
function authorize(
  query: Record<string, string> = {},
  credentials: Record<string, string> = seededEmployee(simulator, SEED_IDS.authority),
  on = simulator,
): Promise<ApiResponse> {
  const parameters = formOf({ response_type: 'code', client_id: CLIENT, redirect_uri: REDIRECT, ...query });
  return post(`/oauth/authorize?${parameters}`, credentials, on);
}

/** The code of a successful authorization (and its PKCE verifier). */
async function codeOf(on = simulator): Promise<{ code: string; verifier: string }> {
  const { verifier, challenge } = pkce();
  const answer = await authorize(
    { state: 'abcdefghijklmnopqrstuvwxyz', code_challenge: challenge, code_challenge_method: 'S256' },
    seededEmployee(on, SEED_IDS.authority),
    on,
  );
  expect(answer.status, answer.text).toBe(303);
  const location = new URL(String(answer.headers.location));
  expect(`${location.origin}${location.pathname}`).toBe(REDIRECT);
  expect(location.searchParams.get('state')).toBe('abcdefghijklmnopqrstuvwxyz');
  return { code: location.searchParams.get('code') as string, verifier };
}

async function exchange(on = simulator): Promise<TokenJson> {
  const { code, verifier } = await codeOf(on);
  const answer = await post(
    '/oauth/token',
    {
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT,
      client_id: CLIENT,
      code_verifier: verifier,
    },
    on,
  );
  expect(answer.status, answer.text).toBe(200);
  return answer.json as TokenJson;
}

const works = async (token: string, on = simulator) =>
  (await adminCall(on, 'GET', systemsPath, { token })).status;

describe('the authorization-code grant', () => {
  it('gives a bearer token that works on the admin operations, and a refresh token', async () => {
    const tokens = await exchange();
    expect(tokens).toMatchObject({ tokenType: 'bearer', expiresIn: 3600, refreshToken: expect.any(String) });
    expect(await works(tokens.value)).toBe(200);
  });

  it('takes the parameters as query parameters too, as NgDP declares them', async () => {
    const { code, verifier } = await codeOf();
    const query = formOf({
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT,
      code_verifier: verifier,
    });
    const answer = await call(`${simulator.apiUrl}/oauth/token?${query}`);
    expect(answer.status, answer.text).toBe(200);
    expect(answer.headers['cache-control']).toBe('no-store');
    const kept = (await transcript(simulator)).entries.find((entry) => entry.path.includes('/oauth/token'));
    expect(kept?.path).toContain('code=[REDACTED]');
    expect(kept?.path).not.toContain(code);
    expect(kept?.path).not.toContain(verifier);
  });

  it('uses a code once', async () => {
    const { code, verifier } = await codeOf();
    const fields = {
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT,
      code_verifier: verifier,
    };
    expect((await post('/oauth/token', fields)).status).toBe(200);
    expectErrorMessage(await post('/oauth/token', fields), 401, 'INVALID_GRANT');
  });

  it.each([
    ['a wrong PKCE verifier', { code_verifier: 'x'.repeat(43) }],
    ['another redirect URI', { redirect_uri: 'http://localhost:8080/other' }],
    ['another client', { client_id: 'en-anden' }],
  ])('refuses a code with %s (401 INVALID_GRANT)', async (_, wrong) => {
    const { code, verifier } = await codeOf();
    const fields = {
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT,
      code_verifier: verifier,
      ...wrong,
    };
    expectErrorMessage(await post('/oauth/token', fields), 401, 'INVALID_GRANT');
  });

  it('shows a login page at GET oauth/authorize that posts back to the same URL', async () => {
    const query = formOf({ response_type: 'code', client_id: '<b>klient</b>', redirect_uri: REDIRECT });
    const page = await call(`${simulator.apiUrl}/oauth/authorize?${query}`);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.text).toContain('<form method="post">');
    expect(page.text).toContain('name="password" type="password"');
    expect(page.text).toContain('&lt;b&gt;klient&lt;/b&gt;');
    expect(page.text).not.toContain('<b>klient</b>');
  });

  it('shows no login page for a request it would refuse (400)', async () => {
    const query = formOf({ response_type: 'token', client_id: CLIENT, redirect_uri: REDIRECT });
    expectErrorMessage(await call(`${simulator.apiUrl}/oauth/authorize?${query}`), 400, 'NOT_ALLOWED_VALUE');
  });

  it('refuses a wrong password with 401 LOGIN_FAILED, giving no code', async () => {
    const answer = await authorize({}, { username: 'admin-12345678', password: 'forkert-kodeord' });
    expectErrorMessage(answer, 401, 'LOGIN_FAILED');
    expect(answer.headers.location).toBeUndefined();
  });

  it.each([
    ['response_type other than code', { response_type: 'token' }, 'response_type'],
    ['no redirect URI', { redirect_uri: '' }, 'redirect_uri'],
    [
      'a PKCE method other than S256',
      { code_challenge: pkce().challenge, code_challenge_method: 'plain' },
      'code_challenge_method',
    ],
  ])('refuses an authorization request with %s (400)', async (_, query, field) => {
    const answer = await authorize(query);
    expect(answer.status, answer.text).toBe(400);
    expect(answer.json).toMatchObject({ fieldErrors: [expect.objectContaining({ field })] });
  });

  it.each([
    ['no grant type', {}, 'REQUIRED'],
    ['a grant type NgDP does not have', { grant_type: 'password' }, 'NOT_ALLOWED_VALUE'],
    ['no code', { grant_type: 'authorization_code' }, 'REQUIRED'],
  ])('refuses a token request with %s (400)', async (_, fields, code) => {
    expectErrorMessage(await post('/oauth/token', fields), 400, code);
  });
});

describe('the refresh-token grant', () => {
  it('gives a new access token and a new refresh token; the old refresh token is used up', async () => {
    const first = await exchange();
    const refreshed = await post('/oauth/token', {
      grant_type: 'refresh_token',
      refresh_token: first.refreshToken,
    });
    expect(refreshed.status, refreshed.text).toBe(200);
    const second = refreshed.json as TokenJson;
    expect(second.value).not.toBe(first.value);
    expect(await works(second.value)).toBe(200);
    expectErrorMessage(
      await post('/oauth/token', { grant_type: 'refresh_token', refresh_token: first.refreshToken }),
      401,
      'INVALID_GRANT',
    );
  });

  it('survives a restart with a data directory (SQLite)', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'dp-oauth-'));
    try {
      let restarted = await startTestSimulator({ dataDir });
      const tokens = await exchange(restarted);
      await restarted.stop();
      restarted = await startTestSimulator({ dataDir });
      try {
        const refreshed = await post(
          '/oauth/token',
          { grant_type: 'refresh_token', refresh_token: tokens.refreshToken },
          restarted,
        );
        expect(refreshed.status, refreshed.text).toBe(200);
        expect(await works((refreshed.json as TokenJson).value, restarted)).toBe(200);
      } finally {
        await restarted.stop();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('oauth/revoke and oauth/logout', () => {
  it('revokes an access token', async () => {
    const tokens = await exchange();
    expect((await post('/oauth/revoke', { token: tokens.value })).status).toBe(200);
    expect(await works(tokens.value)).toBe(401);
  });

  it('revokes a refresh token with its access token', async () => {
    const tokens = await exchange();
    expect((await post('/oauth/revoke', { token: tokens.refreshToken })).status).toBe(200);
    expect(await works(tokens.value)).toBe(401);
    expectErrorMessage(
      await post('/oauth/token', { grant_type: 'refresh_token', refresh_token: tokens.refreshToken }),
      401,
      'INVALID_GRANT',
    );
  });

  it('answers 200 for a token it does not know (RFC 7009), 400 without one', async () => {
    expect((await post('/oauth/revoke', { token: 'ukendt' })).status).toBe(200);
    expectErrorMessage(await post('/oauth/revoke', {}), 400, 'REQUIRED');
  });

  it('logs out the bearer of a token, and its refresh token', async () => {
    const tokens = await exchange();
    const answer = await call(`${simulator.apiUrl}/oauth/logout`, {
      headers: { authorization: `Bearer ${tokens.value}` },
    });
    expect(answer.status, answer.text).toBe(200);
    expect(await works(tokens.value)).toBe(401);
    expect(
      (await post('/oauth/token', { grant_type: 'refresh_token', refresh_token: tokens.refreshToken }))
        .status,
    ).toBe(401);
  });

  it('logs out the token named by id_token_hint', async () => {
    const tokens = await exchange();
    const answer = await post(`/oauth/logout?id_token_hint=${tokens.value}`, {});
    expect(answer.status, answer.text).toBe(200);
    expect(await works(tokens.value)).toBe(401);
  });

  it('refuses a logout naming no token (400)', async () => {
    expectErrorMessage(await call(`${simulator.apiUrl}/oauth/logout`), 400, 'REQUIRED');
  });
});

describe('discovery', () => {
  it("describes the endpoints in NgDP's OpenIdConfiguration", async () => {
    const answer = await call(`${simulator.apiUrl}/oauth/.well-known/openid-configuration`);
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({
      requiredConfiguration: {
        issuer: `${simulator.apiUrl}/oauth`,
        authorizationEndpoint: `${simulator.apiUrl}/oauth/authorize`,
        tokenEndpoint: `${simulator.apiUrl}/oauth/token`,
        jwksUri: `${simulator.apiUrl}/oauth/jwks.json`,
      },
      optionalConfiguration: {
        grantTypesSupported: ['authorization_code', 'refresh_token'],
        codeChallengeMethodsSupported: ['S256'],
      },
    });
  });

  it('has an empty key set: the tokens are opaque', async () => {
    expect((await call(`${simulator.apiUrl}/oauth/jwks.json`)).json).toEqual({ keys: [] });
  });

  it('lists the OAuth operations it serves at GET /simulator/v1/operations', async () => {
    const answer = await call(`${simulator.apiUrl.replace('/apis/v1', '/simulator/v1')}/operations`);
    const served = (answer.json as { operations: { operationId: string; served: boolean }[] }).operations
      .filter((operation) => operation.served)
      .map((operation) => operation.operationId);
    expect(served).toEqual(
      expect.arrayContaining(['postAuthorizationCode', 'postRefreshToken_1_1', 'revokeToken']),
    );
    expect(served).not.toContain('getSessionStateChangeIframe');
  });
});
