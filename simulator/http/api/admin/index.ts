/**
 * Administrativ Adgang's operations at NgDP's paths (docs/admin.md): each family of operations in
 * its own module, registered on the API router with the router's `on`.
 */
import type { RequestHandler } from 'express';
import type { Engine } from '../../../engine/engine.ts';
import { accessRoutes } from './access.ts';
import { contactStructureRoutes } from './contact-structure.ts';
import type { On } from './guard.ts';
import { lookupRoutes } from './lookups.ts';
import { organisationRoutes } from './organisations.ts';
import { privilegeRoutes } from './privileges.ts';
import { systemRoutes } from './systems.ts';

export function adminRoutes(engine: Engine, on: On, json: RequestHandler): void {
  systemRoutes(engine, on, json);
  privilegeRoutes(engine, on, json);
  accessRoutes(engine, on, json);
  organisationRoutes(engine, on, json);
  lookupRoutes(engine, on);
  contactStructureRoutes(engine, on, json);
}
