/**
 * NgDP's OAuth operations at its paths (`oauth/*`; docs/admin.md, "Employees, logins and tokens"):
 * read the query parameters and form fields, call `engine.oauth`, answer NgDP's JSON or a
 * redirect. Fault rules apply to them by name like to every operation; no token or right is needed.
 */
import express, { type Request, type Response } from 'express';
import { ngdpOperation, operationName } from '../../../sdk/ngdp/operations.ts';
import type { Engine } from '../../engine/engine.ts';
import type { AuthorizationRequest } from '../../engine/oauth.ts';
import { issuedTokensJson, jwkSetJson, openIdConfigurationJson } from '../../wire/oauth.ts';
import { checkQuery } from '../query.ts';
import { queryText } from '../support.ts';
import { loginPage } from '../ui/login-page.ts';
import { faultsLetThrough } from './faults.ts';
import type { SERVED_OAUTH_OPERATIONS } from './oauth-served.ts';
import type { Serve } from './serve.ts';

type OAuthOperationId = (typeof SERVED_OAUTH_OPERATIONS)[number];

/** RFC 6749's form bodies: small, never nested. */
const form = express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 20 });

/** A field of the form body, or else the query parameter of that name (NgDP declares them there). */
function parameter(request: Request, name: string): string | undefined {
  const body = request.body as Record<string, unknown> | undefined;
  const value = body?.[name];
  return typeof value === 'string' ? value : queryText(request, name);
}

/** Whether the fault rules for the operation let the call through; its query is then checked. */
async function letThrough(
  engine: Engine,
  request: Request,
  response: Response,
  operationId: OAuthOperationId,
): Promise<boolean> {
  const operation = operationName(ngdpOperation(operationId));
  if (!(await faultsLetThrough(engine, request, response, operation, undefined))) return false;
  checkQuery(request);
  return true;
}

/** What `oauth/authorize` asks for, from its query parameters. */
function authorizationOf(request: Request): AuthorizationRequest {
  return {
    responseType: queryText(request, 'response_type'),
    clientId: queryText(request, 'client_id'),
    redirectUri: queryText(request, 'redirect_uri'),
    state: queryText(request, 'state'),
    codeChallenge: queryText(request, 'code_challenge'),
    codeChallengeMethod: queryText(request, 'code_challenge_method'),
  };
}

/** Tokens are never cached on the way (RFC 6749 §5.1). */
function noStore(response: Response): Response {
  return response.setHeader('cache-control', 'no-store').setHeader('pragma', 'no-cache');
}

export function serveOAuth(engine: Engine, on: Serve): void {
  on('getOpenIdConfiguration', async (request, response) => {
    if (!(await letThrough(engine, request, response, 'getOpenIdConfiguration'))) return;
    const api = `${request.protocol}://${request.get('host') ?? 'localhost'}${request.baseUrl}`;
    response.json(openIdConfigurationJson(api));
  });

  on('getJwkSet', async (request, response) => {
    if (!(await letThrough(engine, request, response, 'getJwkSet'))) return;
    response.json(jwkSetJson());
  });

  on('getAuthorizationCode', async (request, response) => {
    if (!(await letThrough(engine, request, response, 'getAuthorizationCode'))) return;
    const { clientId } = engine.oauth.checkAuthorization(authorizationOf(request));
    // The form posts to this same URL, its query included: nothing of the request is written into
    // the page but the client id, escaped.
    noStore(response).type('html').send(loginPage(clientId));
  });

  on('postAuthorizationCode', form, async (request, response) => {
    if (!(await letThrough(engine, request, response, 'postAuthorizationCode'))) return;
    const body = (request.body ?? {}) as Record<string, unknown>;
    const target = engine.oauth.authorize(authorizationOf(request), body.username, body.password);
    // No body: NgDP declares the 303's body as JSON, and a redirect needs none.
    noStore(response).status(303).setHeader('location', target.href).end();
  });

  const token = (operationId: OAuthOperationId) => async (request: Request, response: Response) => {
    if (!(await letThrough(engine, request, response, operationId))) return;
    const issued = engine.oauth.token({
      grantType: parameter(request, 'grant_type'),
      code: parameter(request, 'code'),
      refreshToken: parameter(request, 'refresh_token'),
      clientId: parameter(request, 'client_id'),
      redirectUri: parameter(request, 'redirect_uri'),
      codeVerifier: parameter(request, 'code_verifier'),
    });
    noStore(response).json(issuedTokensJson(issued, engine.clock.now()));
  };
  on('getRefreshToken_1_1', token('getRefreshToken_1_1'));
  on('postRefreshToken_1_1', form, token('postRefreshToken_1_1'));

  on('revokeToken', form, async (request, response) => {
    if (!(await letThrough(engine, request, response, 'revokeToken'))) return;
    engine.oauth.revoke(parameter(request, 'token'));
    response.status(200).end();
  });

  const logout = (operationId: OAuthOperationId) => async (request: Request, response: Response) => {
    if (!(await letThrough(engine, request, response, operationId))) return;
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '')?.[1];
    engine.oauth.logout(queryText(request, 'id_token_hint') ?? bearer);
    response.status(200).end();
  };
  on('getEndSession', logout('getEndSession'));
  on('postEndSession', logout('postEndSession'));
}
