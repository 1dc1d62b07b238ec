/**
 * Administrativ Adgang's authority information at NgDP's paths (`organisations/{id}` and its
 * `logo`; admin.md §7): read the request, call `engine.organisationAdmin`, answer NgDP's JSON or
 * the PNG. `GET organisations/{id}` is shared with the integration API, which hands an employee's
 * call (a bearer token) to {@link fetchOrganisationAsEmployee}.
 */
import type { Request, RequestHandler, Response } from 'express';
import type { Engine } from '../../../engine/engine.ts';
import { logoJson } from '../../../wire/admin-organisations.ts';
import { organisationJson } from '../../../wire/organisations.ts';
import { adminCaller, type On, setVersion, uploadedFile, versionCheck } from './guard.ts';

/** `GET organisations/{id}` by an employee: its context organisation, with `ETag`. */
export async function fetchOrganisationAsEmployee(
  engine: Engine,
  request: Request,
  response: Response,
): Promise<void> {
  const caller = await adminCaller(engine, request, response, 'fetchOrganisation', 'id');
  if (caller === undefined) return;
  const organisation = engine.organisationAdmin.get(caller);
  setVersion(response, organisation.version ?? 1);
  response.json(organisationJson(engine.organisations.get(organisation.id)));
}

export function organisationRoutes(engine: Engine, on: On, json: RequestHandler): void {
  const admin = engine.organisationAdmin;

  on('updateOrganisation', json, async (request, response) => {
    const caller = await adminCaller(engine, request, response, 'updateOrganisation', 'id');
    if (caller === undefined) return;
    const organisation = admin.update(caller, request.body, versionCheck(request, 'updateOrganisation'));
    setVersion(response, organisation.version ?? 1);
    response.json(organisationJson(engine.organisations.get(organisation.id)));
  });

  on('fetchLogo', async (request, response) => {
    const caller = await adminCaller(engine, request, response, 'fetchLogo', 'id');
    if (caller === undefined) return;
    const logo = admin.logo(caller);
    setVersion(response, logo.version);
    response.type('image/png').send(logo.png);
  });

  on('updateLogo', async (request, response) => {
    const caller = await adminCaller(engine, request, response, 'updateLogo', 'id');
    if (caller === undefined) {
      request.resume();
      return;
    }
    const file = await uploadedFile(engine, request, admin.logoUploadLimit());
    const organisation = admin.putLogo(caller, file, versionCheck(request, 'updateLogo'));
    setVersion(response, organisation.version ?? 1);
    response.json(logoJson(organisation));
  });

  on('deleteLogo', async (request, response) => {
    const caller = await adminCaller(engine, request, response, 'deleteLogo', 'id');
    if (caller === undefined) return;
    admin.deleteLogo(caller, versionCheck(request, 'deleteLogo'));
    response.status(204).end();
  });
}
