/**
 * Administrativ Adgang's exemptions at NgDP's paths (`exemptions/**`; admin.md §4): read the
 * request, call `engine.exemptions`, answer NgDP's `Exemption`.
 */
import type { RequestHandler } from 'express';
import type { Engine } from '../../../engine/engine.ts';
import { exemptionJson } from '../../../wire/admin-access.ts';
import { adminCaller, type On, pathParam, setVersion, versionCheck } from './guard.ts';

export function exemptionRoutes(engine: Engine, on: On, json: RequestHandler): void {
  const { exemptions } = engine;

  on('createExemption', json, async (request, response) => {
    const caller = await adminCaller(engine, request, response, 'createExemption');
    if (caller === undefined) return;
    const exemption = exemptions.create(caller, request.body);
    setVersion(response, exemption.version);
    response.status(201).json(exemptionJson(exemption));
  });

  on('fetchExemption', async (request, response) => {
    const caller = await adminCaller(engine, request, response, 'fetchExemption');
    if (caller === undefined) return;
    const exemption = exemptions.get(caller, pathParam(request, 'id'));
    setVersion(response, exemption.version);
    response.json(exemptionJson(exemption));
  });

  on('updateExemption', json, async (request, response) => {
    const caller = await adminCaller(engine, request, response, 'updateExemption');
    if (caller === undefined) return;
    const exemption = exemptions.update(
      caller,
      pathParam(request, 'id'),
      request.body,
      versionCheck(request, 'updateExemption'),
    );
    setVersion(response, exemption.version);
    response.json(exemptionJson(exemption));
  });

  on('deleteExemption', async (request, response) => {
    const caller = await adminCaller(engine, request, response, 'deleteExemption');
    if (caller === undefined) return;
    exemptions.remove(caller, pathParam(request, 'id'), versionCheck(request, 'deleteExemption'));
    response.status(204).end();
  });
}
