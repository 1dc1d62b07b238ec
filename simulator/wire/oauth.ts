/**
 * NgDP's JSON of its OAuth operations (`oauth/*`): the `OpenIdConfiguration` (NgDP's own nesting of
 * OpenID Connect Discovery's fields, not the flat snake_case document), the `JWKSet` and the
 * `OAuth2AccessToken` with its refresh token.
 */
import type { IssuedTokens } from '../engine/oauth.ts';
import { accessTokenJson } from './admin.ts';

/** `OpenIdConfiguration` of the simulator's OAuth endpoints under `api` (`http://host:port/apis/v1`). */
export function openIdConfigurationJson(api: string) {
  return {
    requiredConfiguration: {
      issuer: `${api}/oauth`,
      authorizationEndpoint: `${api}/oauth/authorize`,
      tokenEndpoint: `${api}/oauth/token`,
      jwksUri: `${api}/oauth/jwks.json`,
      responseTypesSupported: ['code'],
      subjectTypesSupported: ['public'],
      // The simulator's tokens are opaque: it issues no ID tokens and signs nothing.
      idTokenSigningAlgValuesSupported: ['none'],
    },
    recommendedConfiguration: { scopesSupported: ['openid'], claimsSupported: [] },
    optionalConfiguration: {
      grantTypesSupported: ['authorization_code', 'refresh_token'],
      codeChallengeMethodsSupported: ['S256'],
      tokenEndpointAuthMethodsSupported: ['none'],
      responseModesSupported: ['query'],
      endSessionEndpoint: `${api}/oauth/logout`,
      checkSessionIframeSupported: false,
      frontchannelLogoutSupported: false,
    },
  };
}

/** `JWKSet`: empty, as the simulator signs no tokens. */
export function jwkSetJson() {
  return { keys: [] };
}

/** `OAuth2AccessToken` of an access token and its refresh token. */
export function issuedTokensJson(issued: IssuedTokens, now: number) {
  return { ...accessTokenJson(issued.token, issued.session, now), refreshToken: issued.refreshToken };
}
