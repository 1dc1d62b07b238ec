/**
 * What the modules that serve some of NgDP's operations get from the API router (`router.ts`):
 * `on` to serve an operation, and `caller` to authenticate a call and let fault rules have their say.
 */
import type { Request, RequestHandler, Response } from 'express';
import type { SystemRecord } from '../../domain/model.ts';
import type { RequiredRoles } from '../../engine/access.ts';
import type { ServedOperationId } from './operations.ts';

/** The router's `caller()`: the authenticated system after fault rules, or undefined when answered. */
export type Caller = (
  request: Request,
  response: Response,
  roles: RequiredRoles,
  operation: string,
) => Promise<SystemRecord | undefined>;

/** Serves an operation with handlers (the router's `on`). */
export type Serve = (operationId: ServedOperationId, ...handlers: RequestHandler[]) => void;
