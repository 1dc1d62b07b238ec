/**
 * The organisation-administration operations the simulator serves (a part of
 * `SERVED_OPERATIONS`, `../operations.ts`): each has its handler in this folder. Kept apart so that
 * families of operations can be added without touching the integration API's list.
 */
import type { AdminOperationId } from '../../../domain/admin-rights.ts';

export const SERVED_ADMIN_OPERATIONS = [
  'checkOcesPublicCertificate',
  'querySystems',
  'createMailSystem',
  'fetchMailSystem',
  'updateMailSystem',
  'deleteMailSystem',
  'changeToDefaultRecipient',
  'renewApiToken',
  'createOcesPublicCertificate',
  'createSsh',
  'listStandardSystemTemplates',
  'queryContactGroups',
  'createContactGroup',
  'fetchContactGroup',
  'updateContactGroup',
  'deleteContactGroup',
  'queryContactPoints',
  'createContactPoint',
  'fetchContactPoint',
  'updateContactPoint',
  'deleteContactPoint',
  'fetchPostkasseIds',
  'fetchPostkasseEmneIds',
] as const satisfies readonly AdminOperationId[];
