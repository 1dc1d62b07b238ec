/**
 * The administration's functions that NgDP's OpenAPI has no operation for, at the simulator's
 * interpreted paths under `/admin/v1` (admin.md §0.2; docs/differences.md): the contact
 * structure's export and import (admin.md §2.5) and the preview of a group's deletion (§2.4). The same bearer tokens and rights as the
 * operations at NgDP's paths (`api/admin/guard.ts`).
 */
import express, { type Request, type Router } from 'express';
import type { Engine } from '../../engine/engine.ts';
import { reject } from '../../engine/rejections.ts';
import {
  CONTACT_STRUCTURE_CSV,
  CsvUnreadable,
  contactStructureCsv,
  groupDeletionJson,
  readCsv,
} from '../../wire/admin-contact-structure.ts';
import { interpretedCaller } from '../api/admin/guard.ts';
import { requireIdentityEncoding } from '../encoding.ts';
import { mediaType, readBody } from '../support.ts';

/** The largest contact-structure file taken (2,000 groups and 2,000 points are a few MB). */
const IMPORT_LIMIT = 16 * 1024 * 1024;

/** The media types an import is taken as. */
const CSV_TYPES = ['text/csv', 'application/csv'];

export function adminRouter(engine: Engine): Router {
  const router = express.Router({ caseSensitive: true });
  const path = '/organisations/:organisationId/contact-structure';

  /** The CSV text of an import's body, read within its limit and the memory budget. */
  async function csvText(request: Request): Promise<string> {
    try {
      if (!CSV_TYPES.includes(mediaType(request)))
        throw reject.contentTypeNotSupported(
          `the contact-structure file must be sent as text/csv, not ${mediaType(request) || 'without a Content-Type'}`,
        );
      requireIdentityEncoding(request);
    } catch (error) {
      request.resume();
      throw error;
    }
    const hold = engine.memory.hold('the contact-structure file');
    try {
      const body = await readBody(request, IMPORT_LIMIT, 'the contact-structure file', hold);
      try {
        return new TextDecoder('utf-8', { fatal: true }).decode(body);
      } catch {
        throw reject.importInvalid([
          { resource: 'file', field: 'file', code: 'INVALID_FORMAT', message: 'must be UTF-8 text' },
        ]);
      }
    } finally {
      hold.release();
    }
  }

  router.get(path, (request, response) => {
    const caller = interpretedCaller(engine, request, 'exportContactStructure');
    response.type(CONTACT_STRUCTURE_CSV).send(contactStructureCsv(engine.contactSheet.export(caller)));
  });

  router.put(path, async (request, response) => {
    let caller: ReturnType<typeof interpretedCaller>;
    try {
      caller = interpretedCaller(engine, request, 'importContactStructure');
    } catch (error) {
      request.resume();
      throw error;
    }
    const text = await csvText(request);
    let sheet: ReturnType<typeof readCsv>;
    try {
      sheet = readCsv(text);
    } catch (error) {
      if (!(error instanceof CsvUnreadable)) throw error;
      throw reject.importInvalid([
        {
          resource: error.line === undefined ? 'file' : `line ${error.line}`,
          field: 'file',
          code: 'INVALID_FORMAT',
          message: `is not CSV: ${error.message}`,
        },
      ]);
    }
    response.json(engine.contactSheet.import(caller, sheet));
  });

  router.get('/organisations/:organisationId/contact-groups/:id/delete-preview', (request, response) => {
    const caller = interpretedCaller(engine, request, 'previewContactGroupDeletion');
    response.json(
      groupDeletionJson(engine.contactStructure.groupDeletion(caller, String(request.params.id))),
    );
  });

  return router;
}
