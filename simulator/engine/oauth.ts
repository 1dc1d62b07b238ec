/**
 * NgDP's OAuth operations for test employees (`oauth/*`; docs/admin.md, "Employees, logins and
 * tokens"): the authorization-code grant — the employee's username and password posted to
 * `oauth/authorize` give a one-time code for the client's redirect URI, with PKCE (S256) — the
 * refresh-token grant, revocation and logout. The access tokens are the test portal's sessions
 * (`identities.ts`); codes and refresh tokens are kept as SHA-256 like them.
 */
import { createHash } from 'node:crypto';
import { newToken, sessionIdOf } from '../domain/employees.ts';
import { collection } from '../store/store.ts';
import type { EngineContext } from './context.ts';
import { ADMIN_SESSIONS, type Identities, type IssuedToken } from './identities.ts';
import { reject } from './rejections.ts';

/** How long an authorization code may be exchanged: 10 minutes of simulator time. */
const CODE_LIFETIME_MS = 10 * 60_000;
/** How long a refresh token is valid: 24 hours of simulator time. */
const REFRESH_LIFETIME_MS = 24 * 3_600_000;

/** An authorization code waiting to be exchanged (id: SHA-256 of the code). */
interface CodeRecord {
  id: string;
  employeeId: string;
  organisationId: string;
  clientId: string;
  redirectUri: string;
  codeChallenge?: string;
  expiresAt: number;
}

/** A refresh token (id: SHA-256 of the token) and the access token it came with. */
interface RefreshRecord {
  id: string;
  employeeId: string;
  organisationId: string;
  asSystemManager?: boolean;
  clientId: string;
  /** The session (access token) issued with it: logging out ends both. */
  sessionId: string;
  expiresAt: number;
}

/** Authorization codes (scope: the employee). */
export const OAUTH_CODES = collection<CodeRecord>('oauth-codes', (code) => code.employeeId);
/** Refresh tokens (scope: the employee). */
export const REFRESH_TOKENS = collection<RefreshRecord>('oauth-refresh-tokens', (token) => token.employeeId);

/** What `oauth/authorize` asks for (its query parameters). */
export interface AuthorizationRequest {
  responseType: string | undefined;
  clientId: string | undefined;
  redirectUri: string | undefined;
  state?: string | undefined;
  codeChallenge?: string | undefined;
  codeChallengeMethod?: string | undefined;
}

/** What `oauth/token` is given (query parameters or form fields). */
export interface TokenRequest {
  grantType: string | undefined;
  code?: string | undefined;
  refreshToken?: string | undefined;
  clientId?: string | undefined;
  redirectUri?: string | undefined;
  codeVerifier?: string | undefined;
}

/** An access token with the refresh token that renews it. */
export interface IssuedTokens extends IssuedToken {
  refreshToken: string;
}

/** RFC 7636: a code verifier or S256 challenge is 43–128 of these characters. */
const PKCE_TEXT = /^[A-Za-z0-9._~-]{43,128}$/;

function s256(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

/** An absolute http(s) URL without a fragment (RFC 6749 §3.1.2). */
function isRedirectUri(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.hash === '';
  } catch {
    return false;
  }
}

export class OAuth {
  private readonly context: EngineContext;
  private readonly identities: Identities;

  constructor(context: EngineContext, identities: Identities) {
    this.context = context;
    this.identities = identities;
  }

  /**
   * Checks an authorization request before the employee is asked to log in (the login page of
   * `GET oauth/authorize`).
   *
   * @throws Rejection 400 for a request that is not `response_type=code` with a client id and an
   *   absolute redirect URI, or a PKCE challenge not S256.
   */
  checkAuthorization(request: AuthorizationRequest): { clientId: string; redirectUri: string } {
    const { responseType, clientId, redirectUri, codeChallenge, codeChallengeMethod } = request;
    if (responseType !== 'code')
      throw reject.invalidField('query', 'response_type', 'NOT_ALLOWED_VALUE', 'must be code', responseType);
    if (clientId === undefined || clientId === '') throw reject.requiredField('query', 'client_id');
    if (redirectUri === undefined || !isRedirectUri(redirectUri))
      throw reject.invalidField(
        'query',
        'redirect_uri',
        'INVALID_FORMAT',
        'must be an absolute http(s) URL without a fragment',
        redirectUri,
      );
    if (codeChallenge !== undefined && !PKCE_TEXT.test(codeChallenge))
      throw reject.invalidField(
        'query',
        'code_challenge',
        'INVALID_FORMAT',
        'must be 43–128 characters of base64url',
      );
    if (codeChallenge !== undefined && codeChallengeMethod !== 'S256')
      throw reject.invalidField(
        'query',
        'code_challenge_method',
        'NOT_ALLOWED_VALUE',
        'must be S256',
        codeChallengeMethod,
      );
    return { clientId, redirectUri };
  }

  /**
   * The authorization step: the employee's username and password for the client's request give a
   * one-time code. Returns where to send the employee's browser (the redirect URI with `code` and
   * `state`).
   *
   * @throws Rejection 400 for a request that is not `response_type=code` with a client id and an
   *   absolute redirect URI, or a PKCE challenge not S256; LOGIN_FAILED for wrong credentials.
   */
  authorize(request: AuthorizationRequest, username: unknown, password: unknown): URL {
    const { clientId, redirectUri } = this.checkAuthorization(request);
    const { state, codeChallenge } = request;
    const employee = this.identities.employeeLoggingIn(username, password);
    const code = newToken();
    const record: CodeRecord = {
      id: sessionIdOf(code),
      employeeId: employee.id,
      organisationId: employee.organisationId,
      clientId,
      redirectUri,
      ...(codeChallenge === undefined ? {} : { codeChallenge }),
      expiresAt: this.context.now() + CODE_LIFETIME_MS,
    };
    this.context.change(() => this.context.store.putRecord(OAUTH_CODES, record));
    const target = new URL(redirectUri);
    target.searchParams.set('code', code);
    if (state !== undefined) target.searchParams.set('state', state);
    return target;
  }

  /**
   * The token endpoint: an authorization code (once, by the client it was given to, for the same
   * redirect URI, with the PKCE verifier when it had a challenge) or a refresh token (which is
   * replaced by a new one) for an access token and a refresh token.
   *
   * @throws Rejection 400 for a missing or unknown grant type; INVALID_GRANT (401) for a code or
   *   refresh token that is unknown, used, expired or presented wrongly.
   */
  token(request: TokenRequest): IssuedTokens {
    const { grantType } = request;
    if (grantType === undefined || grantType === '') throw reject.requiredField('query', 'grant_type');
    if (grantType === 'authorization_code') return this.exchangeCode(request);
    if (grantType === 'refresh_token') return this.refresh(request);
    throw reject.invalidField(
      'query',
      'grant_type',
      'NOT_ALLOWED_VALUE',
      'must be authorization_code or refresh_token',
      grantType,
    );
  }

  /**
   * Revokes an access token or a refresh token (RFC 7009: an unknown one is no error). Revoking a
   * refresh token ends its access token too.
   */
  revoke(token: string | undefined): void {
    if (token === undefined || token === '') throw reject.requiredField('TokenRevocation', 'token');
    const refresh = this.context.store.getRecord(REFRESH_TOKENS, sessionIdOf(token));
    if (refresh === undefined) {
      this.logout(token);
      return;
    }
    this.context.change(() => {
      this.context.store.deleteRecord(REFRESH_TOKENS, refresh.id);
      this.context.store.deleteRecord(ADMIN_SESSIONS, refresh.sessionId);
    });
  }

  /**
   * Ends an access token's session and the refresh tokens that came with it (an unknown or expired
   * one is already ended).
   *
   * @throws Rejection REQUIRED without a token.
   */
  logout(token: string | undefined): void {
    if (token === undefined || token === '') throw reject.requiredField('query', 'id_token_hint');
    const sessionId = sessionIdOf(token);
    const { store } = this.context;
    const refreshes = store.listRecords(REFRESH_TOKENS).filter((record) => record.sessionId === sessionId);
    this.identities.endSession(token);
    if (refreshes.length > 0)
      this.context.change(() => {
        for (const record of refreshes) store.deleteRecord(REFRESH_TOKENS, record.id);
      });
  }

  // ---------------------------------------------------------------- helpers

  private exchangeCode(request: TokenRequest): IssuedTokens {
    const { code, clientId, redirectUri, codeVerifier } = request;
    if (code === undefined || code === '') throw reject.requiredField('query', 'code');
    const { store } = this.context;
    const record = store.getRecord(OAUTH_CODES, sessionIdOf(code));
    if (record === undefined) throw reject.invalidGrant('the authorization code is unknown or was used');
    // A code is used once, whatever comes of it.
    this.context.change(() => store.deleteRecord(OAUTH_CODES, record.id));
    if (record.expiresAt <= this.context.now())
      throw reject.invalidGrant('the authorization code has expired');
    if (clientId !== undefined && clientId !== record.clientId)
      throw reject.invalidGrant('the authorization code was given to another client_id');
    if (redirectUri !== record.redirectUri)
      throw reject.invalidGrant('redirect_uri must be the one the authorization code was given for');
    if (
      record.codeChallenge !== undefined &&
      (codeVerifier === undefined || s256(codeVerifier) !== record.codeChallenge)
    )
      throw reject.invalidGrant('code_verifier does not match the code_challenge (S256)');
    return this.issue(record.employeeId, record.organisationId, false, record.clientId);
  }

  private refresh(request: TokenRequest): IssuedTokens {
    const { refreshToken, clientId } = request;
    if (refreshToken === undefined || refreshToken === '')
      throw reject.requiredField('query', 'refresh_token');
    const { store } = this.context;
    const record = store.getRecord(REFRESH_TOKENS, sessionIdOf(refreshToken));
    if (record === undefined) throw reject.invalidGrant('the refresh token is unknown or was used');
    if (record.expiresAt <= this.context.now()) {
      this.context.change(() => store.deleteRecord(REFRESH_TOKENS, record.id));
      throw reject.invalidGrant('the refresh token has expired; log in again');
    }
    if (clientId !== undefined && clientId !== record.clientId)
      throw reject.invalidGrant('the refresh token was given to another client_id');
    // Rotation: the old refresh token goes; its access token stays valid until it expires.
    this.context.change(() => store.deleteRecord(REFRESH_TOKENS, record.id));
    return this.issue(
      record.employeeId,
      record.organisationId,
      record.asSystemManager === true,
      record.clientId,
    );
  }

  private issue(
    employeeId: string,
    organisationId: string,
    asSystemManager: boolean,
    clientId: string,
  ): IssuedTokens {
    const employee = this.identities.employee(employeeId);
    if (employee === undefined) throw reject.invalidGrant('the employee no longer exists');
    const refreshToken = newToken();
    const issued = this.context.change(() => {
      const access = this.identities.issue(employee, organisationId, asSystemManager);
      this.context.store.putRecord(REFRESH_TOKENS, {
        id: sessionIdOf(refreshToken),
        employeeId,
        organisationId,
        ...(asSystemManager ? { asSystemManager: true } : {}),
        clientId,
        sessionId: access.session.id,
        expiresAt: this.context.now() + REFRESH_LIFETIME_MS,
      });
      return access;
    });
    return { ...issued, refreshToken };
  }
}
