/** A request the simulator refuses, answered as NgDP's `ErrorMessage` with this status and code. */
export interface FieldError {
  resource: string;
  field: string;
  code: string;
  message: string;
  rejectedValue?: unknown;
}

export class ApiFailure extends Error {
  readonly status: number;
  readonly code: string;
  readonly fieldErrors: FieldError[];
  /** More properties of the answer beside the ErrorMessage fields (e.g. the original receipt). */
  readonly extra: Record<string, unknown>;

  constructor(
    status: number,
    code: string,
    message: string,
    fieldErrors: FieldError[] = [],
    extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ApiFailure';
    this.status = status;
    this.code = code;
    this.fieldErrors = fieldErrors;
    this.extra = extra;
  }
}

/** The answer's body: NgDP's `ErrorMessage` and any further fields of the failure. */
export function errorMessageOf(failure: ApiFailure): {
  code: string;
  message: string;
  fieldErrors: FieldError[];
  [field: string]: unknown;
} {
  return { code: failure.code, message: failure.message, fieldErrors: failure.fieldErrors, ...failure.extra };
}

/** 400 for one bad query or body field. */
export function badField(
  resource: string,
  field: string,
  code: string,
  message: string,
  rejectedValue?: unknown,
): ApiFailure {
  return new ApiFailure(400, code, `${field}: ${message}`, [
    { resource, field, code, message, rejectedValue },
  ]);
}
