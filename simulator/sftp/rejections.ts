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
  unavailable: STATUS_CODE.FAILURE,
};

/** A request refused with an SFTP status. */
export class Refusal extends Error {
  readonly status: number;

  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

export const denied = (message: string): Refusal => new Refusal(STATUS_CODE.PERMISSION_DENIED, message);
export const missing = (path: string): Refusal =>
  new Refusal(STATUS_CODE.NO_SUCH_FILE, `${path}: no such file`);

/** A rejection by the engine as the refusal of a request. */
export function refusalOf(rejection: Rejection): Refusal {
  return new Refusal(SFTP_STATUS_OF[rejection.kind], rejection.message);
}

/** The content of the error file of an upload the engine refused. */
export function errorFileOf(rejection: Rejection): FileErrorRecord['errorMessage'] {
  return errorMessageJson(rejection);
}
