/**
 * The family of exemptions, mailbox accesses and access requests (admin.md §4, §6; docs/admin.md):
 * each in its own module, registered here together.
 */
import type { RequestHandler } from 'express';
import type { Engine } from '../../../engine/engine.ts';
import { accessRequestRoutes } from './access-requests.ts';
import { exemptionRoutes } from './exemptions.ts';
import type { On } from './guard.ts';
import { mailboxAccessRoutes } from './mailbox-accesses.ts';

export function accessRoutes(engine: Engine, on: On, json: RequestHandler): void {
  exemptionRoutes(engine, on, json);
  mailboxAccessRoutes(engine, on, json);
  accessRequestRoutes(engine, on, json);
}
