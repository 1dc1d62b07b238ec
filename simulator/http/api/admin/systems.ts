/**
 * Administrativ Adgang's systems operations at NgDP's paths (`organisations/{organisationId}/
 * systems/**`, the certificate check and the standard-system templates; admin.md §1): read the
 * request, call `engine.systemAdmin`, answer NgDP's JSON.
 */
import type { RequestHandler } from 'express';
import type { Engine } from '../../../engine/engine.ts';
import { certificateJson, mailSystemJson, sshJson } from '../../../wire/admin.ts';
import { standardSystemTemplateJson } from '../../../wire/admin-templates.ts';
import { queryFrameJson } from '../../../wire/paging.ts';
import { queryPage } from '../../query.ts';
import { queryText } from '../../support.ts';
import { adminCaller, type On, pathParam, setVersion, uploadedFile, versionCheck } from './guard.ts';

/** Largest upload of an SSH public key or a certificate. */
const UPLOAD_LIMIT = 64 * 1024;

export function systemRoutes(engine: Engine, on: On, json: RequestHandler): void {
  const { systemAdmin } = engine;

  const upload = (request: Parameters<RequestHandler>[0]) => uploadedFile(engine, request, UPLOAD_LIMIT);

  on('querySystems', async (request, response) => {
    const caller = await adminCaller(engine, request, response, 'querySystems');
    if (caller === undefined) return;
    const systems = systemAdmin.list(caller, {
      certificateSerialNumber: queryText(request, 'certificateSerialNumber'),
      authenticationToken: queryText(request, 'authenticationToken'),
    });
    const page = queryPage(
      request,
      systems.map((system) => mailSystemJson(system)),
    );
    response.json(queryFrameJson(page, 'systems'));
  });

  on('createMailSystem', json, async (request, response) => {
    const caller = await adminCaller(engine, request, response, 'createMailSystem');
    if (caller === undefined) return;
    const { system, apiKey } = systemAdmin.create(caller, request.body);
    setVersion(response, system.version ?? 1);
    response.status(201).json(mailSystemJson(system, apiKey));
  });

  on('fetchMailSystem', async (request, response) => {
    const caller = await adminCaller(engine, request, response, 'fetchMailSystem');
    if (caller === undefined) return;
    const system = systemAdmin.get(caller, pathParam(request, 'id'));
    setVersion(response, system.version ?? 1);
    response.json(mailSystemJson(system));
  });

  on('updateMailSystem', json, async (request, response) => {
    const caller = await adminCaller(engine, request, response, 'updateMailSystem');
    if (caller === undefined) return;
    const system = systemAdmin.update(
      caller,
      pathParam(request, 'id'),
      request.body,
      versionCheck(request, 'updateMailSystem'),
    );
    setVersion(response, system.version ?? 1);
    response.json(mailSystemJson(system));
  });

  on('deleteMailSystem', async (request, response) => {
    const caller = await adminCaller(engine, request, response, 'deleteMailSystem');
    if (caller === undefined) return;
    systemAdmin.remove(caller, pathParam(request, 'id'), versionCheck(request, 'deleteMailSystem'));
    response.status(204).end();
  });

  on('changeToDefaultRecipient', async (request, response) => {
    const caller = await adminCaller(engine, request, response, 'changeToDefaultRecipient');
    if (caller === undefined) return;
    const system = systemAdmin.makeDefault(caller, pathParam(request, 'id'));
    setVersion(response, system.version ?? 1);
    response.json(mailSystemJson(system));
  });

  on('renewApiToken', async (request, response) => {
    const caller = await adminCaller(engine, request, response, 'renewApiToken');
    if (caller === undefined) return;
    const { system, apiKey } = systemAdmin.renewKey(caller, pathParam(request, 'id'));
    setVersion(response, system.version ?? 1);
    response.json(mailSystemJson(system, apiKey));
  });

  on('createSsh', async (request, response) => {
    const caller = await adminCaller(engine, request, response, 'createSsh');
    if (caller === undefined) {
      request.resume();
      return;
    }
    const system = systemAdmin.get(caller, pathParam(request, 'systemId'));
    const updated = systemAdmin.uploadSshKey(caller, system.id, await upload(request));
    response.status(201).json(sshJson(updated));
  });

  on('createOcesPublicCertificate', async (request, response) => {
    const caller = await adminCaller(engine, request, response, 'createOcesPublicCertificate');
    if (caller === undefined) {
      request.resume();
      return;
    }
    const system = systemAdmin.get(caller, pathParam(request, 'systemId'));
    const certificate = systemAdmin.uploadCertificate(caller, system.id, await upload(request));
    response.status(201).json(certificateJson(certificate));
  });

  on('checkOcesPublicCertificate', async (request, response) => {
    const caller = await adminCaller(engine, request, response, 'checkOcesPublicCertificate');
    if (caller === undefined) {
      request.resume();
      return;
    }
    const certificate = systemAdmin.checkCertificate(
      pathParam(request, 'protocolType'),
      await upload(request),
    );
    response.json({
      cvrNumber: caller.organisation.cvrNumber,
      ocesPublicCertificate: certificateJson(certificate),
    });
  });

  on('listStandardSystemTemplates', async (request, response) => {
    const caller = await adminCaller(engine, request, response, 'listStandardSystemTemplates');
    if (caller === undefined) return;
    response.json({ standardSystemTemplates: standardSystemTemplatesJson(engine) });
  });
}

/** Every vendor's standard system template as NgDP lists them (the control API shows the same). */
export function standardSystemTemplatesJson(engine: Engine) {
  return engine.standardSystems
    .list()
    .map((template) =>
      standardSystemTemplateJson(template, engine.organisations.get(template.organisationId)),
    );
}
