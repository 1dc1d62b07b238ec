/**
 * Access requests at NgDP's paths (`access-requests/**`; docs/admin.md, "Access requests"): read
 * the request, call `engine.accessRequests`, answer NgDP's `AccessRequest` — or, for a
 * documentation's content, the file itself.
 */
import type { Request, RequestHandler } from 'express';
import type { Engine } from '../../../engine/engine.ts';
import { accessRequestJson } from '../../../wire/admin-access.ts';
import { queryFrameJson } from '../../../wire/paging.ts';
import { queryPage } from '../../query.ts';
import { multipartUpload, type UploadedFile } from '../container-body.ts';
import { adminCaller, type On, pathParam, setVersion, versionCheck } from './guard.ts';

/** Largest documentation file (INTERPRETED, docs/differences.md). */
export const DOCUMENTATION_LIMIT = 5 * 1024 * 1024;

export function accessRequestRoutes(engine: Engine, on: On, json: RequestHandler): void {
  const { accessRequests } = engine;

  /** The part `file` of an upload, held against the memory budget while it is read. */
  async function upload(request: Request): Promise<UploadedFile> {
    const hold = engine.memory.hold('the documentation upload');
    try {
      return await multipartUpload(request, DOCUMENTATION_LIMIT, hold);
    } finally {
      hold.release();
    }
  }

  on('queryAccessRequests', async (request, response) => {
    const caller = await adminCaller(engine, request, response, 'queryAccessRequests');
    if (caller === undefined) return;
    const items = accessRequests.list(caller).map(accessRequestJson);
    response.json(queryFrameJson(queryPage(request, items), 'accessRequests'));
  });

  on('createAccessRequest', json, async (request, response) => {
    const caller = await adminCaller(engine, request, response, 'createAccessRequest');
    if (caller === undefined) return;
    const created = accessRequests.create(caller, request.body);
    setVersion(response, created.version);
    response.status(201).json(accessRequestJson(created));
  });

  on('activateAccessRequest', json, async (request, response) => {
    const caller = await adminCaller(engine, request, response, 'activateAccessRequest');
    if (caller === undefined) return;
    const activated = accessRequests.activate(caller, request.body);
    setVersion(response, activated.version);
    response.json(accessRequestJson(activated));
  });

  on('fetchAccessRequest', async (request, response) => {
    const caller = await adminCaller(engine, request, response, 'fetchAccessRequest');
    if (caller === undefined) return;
    const found = accessRequests.get(caller, pathParam(request, 'id'));
    setVersion(response, found.version);
    response.json(accessRequestJson(found));
  });

  on('updateAccessRequest', json, async (request, response) => {
    const caller = await adminCaller(engine, request, response, 'updateAccessRequest');
    if (caller === undefined) return;
    const updated = accessRequests.update(
      caller,
      pathParam(request, 'id'),
      request.body,
      versionCheck(request, 'updateAccessRequest'),
    );
    setVersion(response, updated.version);
    response.json(accessRequestJson(updated));
  });

  on('deleteAccessRequest', async (request, response) => {
    const caller = await adminCaller(engine, request, response, 'deleteAccessRequest');
    if (caller === undefined) return;
    accessRequests.remove(caller, pathParam(request, 'id'), versionCheck(request, 'deleteAccessRequest'));
    response.status(204).end();
  });

  on('fetchAccessRequestDocumentationContent', async (request, response) => {
    const caller = await adminCaller(engine, request, response, 'fetchAccessRequestDocumentationContent');
    if (caller === undefined) return;
    const file = accessRequests.documentation(
      caller,
      pathParam(request, 'accessRequestId'),
      pathParam(request, 'id'),
    );
    response.setHeader('content-type', file.mediaType);
    response.setHeader(
      'content-disposition',
      `attachment; filename="${file.filename.replace(/["\\\r\n]/g, '_')}"`,
    );
    response.send(file.content);
  });

  on('updateAccessRequestDocumentationContent', async (request, response) => {
    const caller = await adminCaller(engine, request, response, 'updateAccessRequestDocumentationContent');
    if (caller === undefined) {
      request.resume();
      return;
    }
    const id = pathParam(request, 'accessRequestId');
    // Refusals that need no body (unknown request, stale version) come before it is read.
    const check = versionCheck(request, 'updateAccessRequestDocumentationContent');
    accessRequests.get(caller, id);
    const file = await upload(request);
    const updated = accessRequests.uploadDocumentation(caller, id, pathParam(request, 'id'), file, check);
    setVersion(response, updated.version);
    response.json(accessRequestJson(updated));
  });
}
