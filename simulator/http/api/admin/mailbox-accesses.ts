/**
 * Administrativ Adgang's accesses to citizens' mailboxes at NgDP's paths
 * (`mailboxes/{mailboxId}/accesses/**`; admin.md §6): read the request, call
 * `engine.mailboxAccesses`, answer NgDP's `Access`.
 */
import type { RequestHandler } from 'express';
import type { Engine } from '../../../engine/engine.ts';
import { accessJson } from '../../../wire/admin-access.ts';
import { queryFrameJson } from '../../../wire/paging.ts';
import { queryPage } from '../../query.ts';
import { adminCaller, type On, pathParam, setVersion, versionCheck } from './guard.ts';

export function mailboxAccessRoutes(engine: Engine, on: On, json: RequestHandler): void {
  const { mailboxAccesses } = engine;

  on('queryAccess', async (request, response) => {
    const caller = await adminCaller(engine, request, response, 'queryAccess');
    if (caller === undefined) return;
    const accesses = mailboxAccesses.list(caller, pathParam(request, 'mailboxId'));
    response.json(queryFrameJson(queryPage(request, accesses.map(accessJson)), 'accesses'));
  });

  on('createAccess', json, async (request, response) => {
    const caller = await adminCaller(engine, request, response, 'createAccess');
    if (caller === undefined) return;
    const access = mailboxAccesses.create(caller, pathParam(request, 'mailboxId'), request.body);
    setVersion(response, access.version);
    response.status(201).json(accessJson(access));
  });

  on('fetchAccess', async (request, response) => {
    const caller = await adminCaller(engine, request, response, 'fetchAccess');
    if (caller === undefined) return;
    const access = mailboxAccesses.get(caller, pathParam(request, 'mailboxId'), pathParam(request, 'id'));
    setVersion(response, access.version);
    response.json(accessJson(access));
  });

  on('updateAccess', json, async (request, response) => {
    const caller = await adminCaller(engine, request, response, 'updateAccess');
    if (caller === undefined) return;
    const access = mailboxAccesses.update(
      caller,
      pathParam(request, 'mailboxId'),
      pathParam(request, 'id'),
      request.body,
      versionCheck(request, 'updateAccess'),
    );
    setVersion(response, access.version);
    response.json(accessJson(access));
  });

  on('verifyAccessSubscription', json, async (request, response) => {
    const caller = await adminCaller(engine, request, response, 'verifyAccessSubscription');
    if (caller === undefined) return;
    const access = mailboxAccesses.verify(
      pathParam(request, 'mailboxId'),
      pathParam(request, 'accessId'),
      pathParam(request, 'subscriptionId'),
      request.body,
    );
    setVersion(response, access.version);
    response.json(accessJson(access));
  });
}
