/**
 * The one table from the engine's rejections to SFTP: the status a refused request answers with,
 * and the error file (`/out/errors/<file>.json`, NgDP's `ErrorMessage`) of an upload not taken.
 */
import ssh2 from 'ssh2';
import type { FileErrorRecord } from '../domain/model.ts';
import type { Rejection, RejectionKind } from '../engine/rejections.ts';
import { errorMessageJson } from '../wire/errors.ts';

const { STATUS_CODE } = ssh2.utils.sftp;

export const SFTP_STATUS_OF: Readonly<Record<RejectionKind, number>> = {
  invalid: STATUS_CODE.FAILURE,
  'too-large': STATUS_CODE.FAILURE,
  unauthenticated: STATUS_CODE.PERMISSION_DENIED,
  forbidden: STATUS_CODE.PERMISSION_DENIED,
  'not-found': STATUS_CODE.NO_SUCH_FILE,
  conflict: STATUS_CODE.FAILURE,
  unprocessable: STATUS_CODE.FAILURE,
};

/** The content of the error file of an upload the engine refused. */
export function errorFileOf(rejection: Rejection): FileErrorRecord['errorMessage'] {
  return errorMessageJson(rejection);
}
