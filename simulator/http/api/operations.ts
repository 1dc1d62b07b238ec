/**
 * The operations of NgDP's API the simulator serves, and how every path of that API is routed:
 * most specific template first (sdk/ngdp/operations.ts), so no route shadows another; an operation
 * the simulator does not serve answers 501 naming it, and a method a path does not have 405 with
 * `Allow`. Paths outside NgDP's API fall through to 404.
 */
import type { Request, RequestHandler, Response, Router } from 'express';
import {
  NGDP_OPERATIONS,
  type NgdpOperation,
  type NgdpOperationId,
  ngdpPaths,
  operationName,
} from '../../../sdk/ngdp/operations.ts';
import { errorBody } from '../../wire/errors.ts';
import { queryReader } from '../query.ts';
import { notFound } from '../rejections.ts';
import { SERVED_ADMIN_OPERATIONS } from './admin/served.ts';
import { SERVED_OAUTH_OPERATIONS } from './oauth-served.ts';

/** The operations of NgDP's API the simulator serves, in the order of the API's paths. */
export const SERVED_OPERATIONS = [
  'listAvailableMemos',
  'sendMemo',
  'fetchMemo',
  'deleteMemo',
  'createReceipt',
  'listAvailableReceipts',
  'fetchReceipt',
  'deleteReceipt',
  'bulkFetchReceipts',
  'validate',
  'queryContacts',
  'fetchContactSubscription',
  'createContactSubscription',
  'updateContactSubscription',
  'deleteContactSubscription',
  'fetchContact',
  'queryAllContactPoints',
  'queryAllContactGroups',
  'queryOrganisations',
  'fetchOrganisation',
  'queryEvents',
  'listSystemFetches',
  'createSystemFetch',
  'messageCount',
  'fetchSystemFetch',
  'updateSystemFetch',
  'deleteSystemFetch',
  'listOrganisationSenderSystemSubscriptions',
  'createOrganisationSenderSystemSubscription',
  'updateOrganisationSenderSystemSubscription',
  ...SERVED_ADMIN_OPERATIONS,
  ...SERVED_OAUTH_OPERATIONS,
] as const satisfies readonly NgdpOperationId[];

export type ServedOperationId = (typeof SERVED_OPERATIONS)[number];

const SERVED = new Set<NgdpOperationId>(SERVED_OPERATIONS);

/** Whether the simulator serves NgDP's operation `operationId`. */
export function isServed(operationId: NgdpOperationId): boolean {
  return SERVED.has(operationId);
}

/** Every operation of NgDP's API, with whether the simulator serves it. */
export function operationsList(): (Pick<NgdpOperation, 'method' | 'path' | 'operationId'> & {
  name: string;
  served: boolean;
})[] {
  return NGDP_OPERATIONS.map(({ method, path, operationId }) => ({
    method,
    path,
    operationId,
    name: operationName({ method, path }),
    served: SERVED.has(operationId),
  }));
}

/** An OpenAPI path template as an Express path: `{id}` → `:id`. */
function expressPath(template: string): string {
  return template.replace(/\{([^}]+)\}/g, ':$1');
}

const notServed =
  (operation: NgdpOperation): RequestHandler =>
  (request: Request, response: Response) => {
    request.resume();
    response
      .status(501)
      .json(
        errorBody(
          'NOT_SERVED',
          `the simulator does not serve NgDP's ${operation.operationId} (${operationName(operation)}); GET /simulator/v1/operations lists what it serves`,
        ),
      );
  };

const methodNotAllowed =
  (path: string, allow: string[]): RequestHandler =>
  (request: Request, response: Response) => {
    request.resume();
    response
      .status(405)
      .setHeader('allow', allow.join(', '))
      .json(errorBody('METHOD_NOT_ALLOWED', `${path} takes ${allow.join(', ')}, not ${request.method}`));
  };

/**
 * Routes every path of NgDP's API on `router`, most specific first: each served operation to its
 * handlers (after the one reading its query parameters), the others to 501, other methods to 405, and anything else to 404.
 *
 * @throws Error when `served` and {@link SERVED_OPERATIONS} differ (a programming error).
 */
export function routeNgdpPaths(
  router: Router,
  served: ReadonlyMap<ServedOperationId, RequestHandler[]>,
  undeclaredParameters: () => 'refuse' | 'ignore' = () => 'refuse',
): void {
  const missing = SERVED_OPERATIONS.filter((id) => !served.has(id));
  if (missing.length > 0 || served.size !== SERVED_OPERATIONS.length)
    throw new Error(`the API router and SERVED_OPERATIONS disagree: ${missing.join(', ')}`);
  for (const { path, operations } of ngdpPaths()) {
    const route = router.route(expressPath(path));
    for (const [method, operation] of operations) {
      // A served operation's query is read first, against what it declares (../query.ts).
      const handlers = isServed(operation.operationId)
        ? [
            queryReader(operation, undeclaredParameters),
            ...(served.get(operation.operationId as ServedOperationId) ?? []),
          ]
        : [notServed(operation)];
      switch (method) {
        case 'GET':
          route.get(...handlers);
          break;
        case 'POST':
          route.post(...handlers);
          break;
        case 'PUT':
          route.put(...handlers);
          break;
        case 'PATCH':
          route.patch(...handlers);
          break;
        case 'DELETE':
          route.delete(...handlers);
          break;
      }
    }
    const allow: string[] = [...operations.keys()];
    if (allow.includes('GET')) allow.splice(allow.indexOf('GET') + 1, 0, 'HEAD');
    route.all(methodNotAllowed(path, allow));
  }
  router.use(notFound);
}
