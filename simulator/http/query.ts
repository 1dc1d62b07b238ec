/**
 * The query parameters of a call into NgDP's API, read once for every operation: a parameter the
 * operation does not declare (`sdk/ngdp/operations-list.ts`, from the OpenAPI file) is refused with
 * 400 `INVALID_PARAMETER` naming it — never ignored — and so is a declared one whose value is not
 * what the OpenAPI declares; an operation with NgDP's generic query parameters gets them parsed
 * (`domain/query.ts`). The refusal waits until the caller is authenticated (`checkQuery`), so that
 * a call without credentials is still 401.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { maskCpr, maskCprValue } from '../../sdk/ngdp/identifiers.ts';
import {
  type NgdpFields,
  type NgdpOperation,
  type NgdpOperationId,
  type NgdpQueryParameter,
  ngdpFields,
} from '../../sdk/ngdp/operations.ts';
import {
  evaluate,
  GENERIC_PARAMETERS,
  isItemField,
  type JsonObject,
  parseQuery,
  type Query,
  type QueryPage,
  QueryProblem,
  type QuerySpec,
} from '../domain/query.ts';
import { Rejection, reject } from '../engine/rejections.ts';
import { MAX_PAGE, MAX_PAGE_SIZE } from '../wire/paging.ts';

/**
 * Query parameters the simulator takes although NgDP does not declare them (docs/differences.md):
 * the `next` cursor the search frames hand out (NgDP's own text calls it a query parameter), and
 * `ownerOrActor` without the trailing space NgDP's declared name has.
 */
export const TAKEN_UNDECLARED: Partial<Record<NgdpOperationId, readonly string[]>> = {
  queryContacts: ['next'],
  queryAllContactPoints: ['next'],
  queryEvents: ['next', 'ownerOrActor'],
  queryOrganisations: ['next'],
  queryAllContactGroups: ['next'],
  queryIdentities: ['next'],
  queryIdentityGroups: ['next'],
  queryDirectPrivileges: ['next'],
};

/**
 * Fields NgDP serves beyond its schema, by schema: filterable and sortable like the declared ones.
 * A real contact carries `address` (ngdp-api.md §7.2), which the 1.68.0 schema does not declare.
 */
export const FIELDS_BEYOND_SCHEMA: Readonly<Record<string, NgdpFields>> = {
  Contact: { address: { '*': true } },
};

/** The page limits of every list: zero-based `page` to 1,000,000, `size` 1 to 1000, default 20. */
export const PAGE_LIMITS = { defaultSize: 20, maxSize: MAX_PAGE_SIZE, maxPage: MAX_PAGE } as const;

/** What one request's query is, once read. */
type Reading = { query: Query | undefined } | { rejection: Rejection };

const readings = new WeakMap<Request, Reading>();

/** The fields of the items `operation` lists: NgDP's schema and what the simulator serves beyond it. */
export function itemFields(items: string): NgdpFields {
  return { ...(ngdpFields(items) ?? {}), ...FIELDS_BEYOND_SCHEMA[items] };
}

/** What the generic query language takes for `operation`, or undefined if it has no generic parameters. */
export function querySpecOf(operation: NgdpOperation): QuerySpec | undefined {
  if (operation.items === undefined) return undefined;
  const generic: readonly string[] = [...GENERIC_PARAMETERS, 'searchParameters'];
  return {
    fields: itemFields(operation.items),
    filters: operation.query.some((parameter) => parameter.name === 'searchParameters'),
    own: [
      ...operation.query.map((parameter) => parameter.name).filter((name) => !generic.includes(name)),
      ...(TAKEN_UNDECLARED[operation.operationId] ?? []),
    ],
    limits: PAGE_LIMITS,
  };
}

/** @throws Rejection when `value` is not what `parameter` declares. */
function checkValue(parameter: NgdpQueryParameter, value: string | string[]): void {
  const { name, value: declared } = parameter;
  if (Array.isArray(value)) {
    if (declared.kind !== 'array') throw reject.invalidParameter(name, 'must be given once');
    return;
  }
  if (value === '') return;
  // A value that is nearly a CPR number (`010170-0001`) is not shown whole in the refusal, nor is
  // anything given for a CPR parameter (`0101700001x`).
  const wrong = (message: string): never => {
    throw reject.invalidParameter(name, message, /^cpr/i.test(name) ? maskCprValue(value) : maskCpr(value));
  };
  switch (declared.kind) {
    case 'integer':
      if (!/^-?\d+$/.test(value)) wrong('must be an integer');
      break;
    case 'boolean':
      if (value !== 'true' && value !== 'false') wrong('must be true or false');
      break;
    case 'enum':
      if (!declared.values.includes(value)) wrong(`must be one of NgDP's ${declared.values.length} values`);
      break;
    case 'pattern':
      if (!new RegExp(declared.pattern).test(value)) wrong(`must match ${declared.pattern}`);
      break;
    case 'maxLength':
      if (value.length > declared.maxLength) wrong(`must be at most ${declared.maxLength} characters`);
      break;
    default:
      break;
  }
}

/** Whether `operation` takes the parameter `name`: declared, taken though undeclared, or a field filter. */
function takes(operation: NgdpOperation, spec: QuerySpec | undefined, name: string): boolean {
  if (operation.query.some((parameter) => parameter.name === name)) return true;
  if ((TAKEN_UNDECLARED[operation.operationId] ?? []).includes(name)) return true;
  return spec?.filters === true && isItemField(spec.fields, name);
}

/**
 * Reads `parameters` (a request's query) as `operation` takes them: the generic query when it has
 * one. With `undeclared: 'ignore'`, a parameter the operation does not take is left out instead of
 * refused (a declared one with a wrong value is still refused).
 *
 * @throws Rejection INVALID_PARAMETER naming the first parameter at fault.
 */
export function readQuery(
  operation: NgdpOperation,
  given: Readonly<Record<string, string | string[] | undefined>>,
  undeclared: 'refuse' | 'ignore' = 'refuse',
): Query | undefined {
  const spec = querySpecOf(operation);
  const taken = TAKEN_UNDECLARED[operation.operationId] ?? [];
  const parameters =
    undeclared === 'refuse'
      ? given
      : Object.fromEntries(Object.entries(given).filter(([name]) => takes(operation, spec, name)));
  for (const [name, value] of Object.entries(parameters)) {
    if (value === undefined) continue;
    const declared = operation.query.find((parameter) => parameter.name === name);
    if (name === 'searchParameters' && declared !== undefined)
      throw reject.invalidParameter(
        name,
        'is not used: give each field as a parameter of its own (type=CITIZEN)',
      );
    if (declared !== undefined) checkValue(declared, value);
    else if (!taken.includes(name) && !spec?.filters)
      throw reject.invalidParameter(
        name,
        `is not a parameter of ${operation.operationId}, which takes ${namesOf(operation, taken)}`,
        value,
      );
  }
  if (spec === undefined) return undefined;
  try {
    return parseQuery(parameters, spec);
  } catch (error) {
    if (!(error instanceof QueryProblem)) throw error;
    throw reject.invalidParameter(error.parameter, error.message, error.value);
  }
}

function namesOf(operation: NgdpOperation, taken: readonly string[]): string {
  const names = new Set(
    [...operation.query.map((parameter) => parameter.name.trim()), ...taken].filter(
      (name) => name !== 'searchParameters',
    ),
  );
  return names.size === 0 ? 'no query parameters' : [...names].join(', ');
}

/**
 * The handler that reads the query of every call of `operation`, before its own handlers; what it
 * finds wrong is refused by {@link checkQuery}, once the caller is known.
 */
export function queryReader(
  operation: NgdpOperation,
  undeclared: () => 'refuse' | 'ignore' = () => 'refuse',
): RequestHandler {
  return (request: Request, _response: Response, next: NextFunction): void => {
    try {
      readings.set(request, {
        query: readQuery(operation, request.query as Record<string, string | string[]>, undeclared()),
      });
    } catch (error) {
      if (!(error instanceof Rejection)) throw error;
      readings.set(request, { rejection: error });
    }
    next();
  };
}

/** @throws Rejection for the request's query parameters, as {@link queryReader} read them. */
export function checkQuery(request: Request): void {
  const reading = readings.get(request);
  if (reading !== undefined && 'rejection' in reading) throw reading.rejection;
}

/**
 * The generic query of a call whose operation has NgDP's generic query parameters.
 *
 * @throws Rejection when its parameters were wrong; Error when the operation has none (a bug).
 */
export function queryOf(request: Request): Query {
  const reading = readings.get(request);
  if (reading === undefined) throw new Error('queryOf: no query was read for this request');
  if ('rejection' in reading) throw reading.rejection;
  if (reading.query === undefined) throw new Error('queryOf: the operation has no generic query');
  return reading.query;
}

/**
 * The page a request's generic query asks for of `items` (all the items of its search, as NgDP
 * serves them): filtered, sorted, paged and projected — for a search whose items are few enough to
 * hold in memory (the administration's collections). Answer it with `queryFrameJson` (wire/paging.ts).
 *
 * @throws Rejection when the request's query parameters were wrong.
 */
export function queryPage(request: Request, items: readonly JsonObject[], pageSize?: number): QueryPage {
  return evaluate(queryOf(request), items, pageSize);
}
