/**
 * The one way into an administration operation (docs/admin.md, "Calls"): fault rules for the
 * operation first (as for every call into NgDP's API), then the employee's bearer token, its
 * context organisation against the `{organisationId}` of the path, and the right the operation
 * needs (`domain/admin-rights.ts`) — all decided by the engine; here the request is read.
 */
import type { Request, RequestHandler, Response } from 'express';
import { ngdpOperation, operationName } from '../../../../sdk/ngdp/operations.ts';
import {
  type AdminOperationId,
  IF_MATCH_OPERATIONS,
  type InterpretedAdminOperationId,
} from '../../../domain/admin-rights.ts';
import type { Engine } from '../../../engine/engine.ts';
import type { AdminCaller } from '../../../engine/identities.ts';
import type { VersionCheck } from '../../../engine/versions.ts';
import { checkQuery } from '../../query.ts';
import { multipartFile } from '../container-body.ts';
import { faultsLetThrough } from '../faults.ts';
import type { ServedOperationId } from '../operations.ts';

/** Registers the handlers of a served operation (the API router's `on`). */
export type On = (operationId: ServedOperationId & AdminOperationId, ...handlers: RequestHandler[]) => void;

/**
 * The employee making the admin call `operationId`, allowed to make it; undefined when a fault
 * rule answered instead (or closed the connection).
 *
 * @throws Rejection 401 without a valid token; 403 WRONG_CONTEXT, RIGHT_MISSING, AUTHORITY_ONLY.
 */
export async function adminCaller(
  engine: Engine,
  request: Request,
  response: Response,
  operationId: AdminOperationId,
  /** The path parameter naming the organisation the call is for (`organisations/{id}`: `id`). */
  organisationParameter = 'organisationId',
): Promise<AdminCaller | undefined> {
  const operation = operationName(ngdpOperation(operationId));
  if (!(await faultsLetThrough(engine, request, response, operation, undefined))) return undefined;
  const caller = interpretedCaller(engine, request, operationId, organisationParameter);
  // Undeclared or malformed query parameters: refused once the caller is known (401 first).
  checkQuery(request);
  return caller;
}

/**
 * The employee making an admin call, allowed to make it: the token, the context organisation
 * against the path's `{organisationId}`, the right — what {@link adminCaller} checks after the
 * fault rules. The administration's interpreted `/admin/v1` paths use it directly (fault rules
 * and NgDP's query parameters are NgDP's operations').
 *
 * @throws Rejection 401 without a valid token; 403 WRONG_CONTEXT, RIGHT_MISSING, AUTHORITY_ONLY.
 */
export function interpretedCaller(
  engine: Engine,
  request: Request,
  operationId: AdminOperationId | InterpretedAdminOperationId,
  organisationParameter = 'organisationId',
): AdminCaller {
  const organisationId = request.params[organisationParameter];
  return engine.identities.caller(
    request.headers.authorization,
    operationId,
    typeof organisationId === 'string' ? organisationId : undefined,
  );
}

/** What the request's `If-Match` says, and whether the operation's OpenAPI requires it. */
export function versionCheck(request: Request, operationId: AdminOperationId): VersionCheck {
  const header = request.headers['if-match'];
  return { header, required: IF_MATCH_OPERATIONS.has(operationId) };
}

/** Sets the ETag of a versioned resource (what a later `If-Match` repeats). */
export function setVersion(response: Response, version: number): void {
  response.setHeader('etag', `"${version}"`);
}

/** The `{id}` (or other) path parameter as text. */
export function pathParam(request: Request, name: string): string {
  return String(request.params[name] ?? '');
}

/** The part `file` of an upload of at most `limit` bytes, held against the memory budget while it is read. */
export async function uploadedFile(engine: Engine, request: Request, limit: number): Promise<Buffer> {
  const hold = engine.memory.hold('the upload');
  try {
    return await multipartFile(request, limit, hold);
  } finally {
    hold.release();
  }
}
