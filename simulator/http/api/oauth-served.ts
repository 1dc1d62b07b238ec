/**
 * NgDP's OAuth operations the simulator serves (a part of `SERVED_OPERATIONS`, `operations.ts`;
 * their handlers are `oauth.ts`). They need no right: they are how a test employee gets and gives
 * up its token. `check_session`, `check_session_iframe` and `userinfo` are not served
 * (docs/differences.md).
 */
import type { NgdpOperationId } from '../../../sdk/ngdp/operations.ts';

export const SERVED_OAUTH_OPERATIONS = [
  'getOpenIdConfiguration',
  'getAuthorizationCode',
  'postAuthorizationCode',
  'getJwkSet',
  'getEndSession',
  'postEndSession',
  'revokeToken',
  'getRefreshToken_1_1',
  'postRefreshToken_1_1',
] as const satisfies readonly NgdpOperationId[];
