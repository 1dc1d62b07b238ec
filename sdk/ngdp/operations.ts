/**
 * NgDP's operations by name, and which one a request is: the one list the simulator's router, its
 * transcript and fault rules, the conformance proxy and the docs' coverage table share.
 *
 * A request is matched the way NgDP's paths read: segment by segment, a literal segment before a
 * parameter (`GET /contacts/subscriptions/` is `fetchContactSubscription`, not `fetchContact` with
 * the id `subscriptions`), and a trailing slash optional.
 */
import {
  NGDP_API_VERSION,
  NGDP_OPERATION_ROWS,
  NGDP_QUERY_ENUMS,
  NGDP_SCHEMA_FIELDS,
} from './operations-list.ts';

export { NGDP_API_VERSION };

/** An HTTP method NgDP's API uses. */
export type NgdpMethod = (typeof NGDP_OPERATION_ROWS)[number][0];
/** An operationId of NgDP's API. */
export type NgdpOperationId = (typeof NGDP_OPERATION_ROWS)[number][2];

/** What a declared query parameter's value must be, as the OpenAPI file says. */
export type NgdpParameterValue =
  /** Any text (most of NgDP's query parameters have no schema). */
  | { kind: 'text' }
  | { kind: 'integer' }
  | { kind: 'boolean' }
  /** Given once or repeated. */
  | { kind: 'array' }
  | { kind: 'enum'; values: readonly string[] }
  | { kind: 'pattern'; pattern: string }
  | { kind: 'maxLength'; maxLength: number };

/** A query parameter an operation declares (each property of an exploded query object is one). */
export interface NgdpQueryParameter {
  /** The wire name, as declared (`ownerOrActor ` of `queryEvents` has a trailing space, sic). */
  name: string;
  required: boolean;
  value: NgdpParameterValue;
}

/**
 * The fields of a schema, for NgDP's generic query language: each property is `true` (a value, or
 * an array of values) or the fields of the object it holds; `{ '*': true }` takes any key below it
 * (a map). Nested schemas are shared objects, so a recursive schema is a cycle.
 */
export interface NgdpFields {
  readonly [name: string]: NgdpFields | true;
}

/** One operation of NgDP's API. */
export interface NgdpOperation {
  method: NgdpMethod;
  /** The path template under `/apis/v1`, as the OpenAPI file writes it: `/memos/{id}`. */
  path: string;
  operationId: NgdpOperationId;
  /** The query parameters it declares, in the file's order. */
  query: readonly NgdpQueryParameter[];
  /**
   * For an operation with NgDP's generic query parameters (`sortFields`, `searchParameters` …): the
   * name of the schema of the items it lists (`Contact`); see {@link ngdpFields}.
   */
  items?: string;
}

function parameterOf(text: string): NgdpQueryParameter {
  const colon = text.indexOf(':');
  const head = colon < 0 ? text : text.slice(0, colon);
  const constraint = colon < 0 ? '' : text.slice(colon + 1);
  const required = head.endsWith('!');
  const name = required ? head.slice(0, -1) : head;
  const space = constraint.indexOf(' ');
  const [kind, argument] =
    space < 0 ? [constraint, ''] : [constraint.slice(0, space), constraint.slice(space + 1)];
  const value: NgdpParameterValue =
    kind === 'integer' || kind === 'boolean' || kind === 'array'
      ? { kind }
      : kind === 'enum'
        ? { kind, values: (NGDP_QUERY_ENUMS[argument] ?? '').split(' ') }
        : kind === 'pattern'
          ? { kind, pattern: argument }
          : kind === 'maxLength'
            ? { kind, maxLength: Number(argument) }
            : { kind: 'text' };
  return { name, required, value };
}

/** Every operation of NgDP's API, by path then method. */
export const NGDP_OPERATIONS: readonly NgdpOperation[] = NGDP_OPERATION_ROWS.map((row) => {
  const [method, path, operationId] = row;
  const query = row.length > 3 ? (row[3] as string).split(',').map(parameterOf) : [];
  return { method, path, operationId, query, ...(row.length > 4 ? { items: row[4] as string } : {}) };
});

const FIELDS: Record<string, Record<string, NgdpFields | true>> = Object.fromEntries(
  Object.keys(NGDP_SCHEMA_FIELDS).map((name) => [name, {}]),
);
for (const [name, text] of Object.entries(NGDP_SCHEMA_FIELDS)) {
  const fields = FIELDS[name] as Record<string, NgdpFields | true>;
  for (const entry of text.split(' ')) {
    const [field, nested] = entry.split(':') as [string, string | undefined];
    fields[field] = nested === undefined ? true : nested === '*' ? { '*': true } : (FIELDS[nested] ?? true);
  }
}

/**
 * The fields of schema `name` (one an operation's {@link NgdpOperation.items} names, or one nested
 * in it), as NgDP's OpenAPI file declares them; undefined for another name.
 */
export function ngdpFields(name: string): NgdpFields | undefined {
  return FIELDS[name];
}

const byId = new Map<string, NgdpOperation>(
  NGDP_OPERATIONS.map((operation) => [operation.operationId, operation]),
);

/** The operation named `operationId`. */
export function ngdpOperation(operationId: NgdpOperationId): NgdpOperation {
  return byId.get(operationId) as NgdpOperation;
}

/** The name fault rules and the transcript give an operation: `GET /memos/{id}`. */
export function operationName(operation: Pick<NgdpOperation, 'method' | 'path'>): string {
  return `${operation.method} ${operation.path}`;
}

/** A path template's segments; `null` stands for a parameter. Trailing slash ignored. */
function segmentsOf(template: string): (string | null)[] {
  return trimSlash(template)
    .split('/')
    .slice(1)
    .map((segment) => (segment.startsWith('{') && segment.endsWith('}') ? null : segment));
}

const trimSlash = (path: string): string =>
  path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;

/**
 * Orders templates so that the first that matches a path is the most specific: at the first segment
 * where two differ, a literal comes before a parameter (two literals: alphabetically, so the order
 * is total; such templates never match the same path), then shorter before longer.
 */
function compareTemplates(a: (string | null)[], b: (string | null)[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const [x, y] = [a[i] as string | null, b[i] as string | null];
    if (x === y) continue;
    if (x === null) return 1;
    if (y === null) return -1;
    return x < y ? -1 : 1;
  }
  return a.length - b.length;
}

/** A path template of NgDP's API and the operations at it, by method. */
export interface NgdpPath {
  path: string;
  operations: ReadonlyMap<NgdpMethod, NgdpOperation>;
}

function pathsOf(
  operations: readonly NgdpOperation[],
): { template: NgdpPath; segments: (string | null)[]; names: string[] }[] {
  const paths = new Map<string, Map<NgdpMethod, NgdpOperation>>();
  for (const operation of operations) {
    const key = trimSlash(operation.path);
    const at = paths.get(key) ?? new Map<NgdpMethod, NgdpOperation>();
    at.set(operation.method, operation);
    paths.set(key, at);
  }
  const all = [...paths.values()].map((at) => {
    const path = (at.values().next().value as NgdpOperation).path;
    // The parameters' names in order, worked out once rather than on every request matched.
    const names = (path.match(/\{[^}]+\}/g) ?? []).map((name) => name.slice(1, -1));
    return { template: { path, operations: at }, segments: segmentsOf(path), names };
  });
  return all.sort((a, b) => compareTemplates(a.segments, b.segments));
}

const PATHS = pathsOf(NGDP_OPERATIONS);

/** Every path template of NgDP's API, most specific first (the order a router must try them in). */
export function ngdpPaths(): NgdpPath[] {
  return PATHS.map((entry) => entry.template);
}

/** What a request under `/apis/v1` is. */
export type NgdpMatch =
  /** An operation of NgDP's API, with its path parameters (decoded). */
  | { kind: 'operation'; operation: NgdpOperation; params: Record<string, string> }
  /** A path of NgDP's API that has no operation for this method. */
  | { kind: 'method-not-allowed'; path: string; allow: NgdpMethod[] }
  /** No path of NgDP's API. */
  | { kind: 'unknown' };

/**
 * Which NgDP operation `method` `pathname` (the path under `/apis/v1`, without the query) is. A
 * parameter matches one non-empty segment.
 */
export function matchNgdp(method: string, pathname: string): NgdpMatch {
  const segments = trimSlash(pathname).split('/').slice(1);
  for (const { template, segments: pattern, names } of PATHS) {
    if (pattern.length !== segments.length) continue;
    const params: Record<string, string> = {};
    let name = 0;
    let matches = true;
    for (let i = 0; i < pattern.length && matches; i++) {
      const expected = pattern[i];
      const actual = segments[i] as string;
      if (expected === null) {
        if (actual === '') matches = false;
        else params[names[name++] as string] = safeDecode(actual);
      } else matches = expected === actual;
    }
    if (!matches) continue;
    const operation = template.operations.get(method.toUpperCase() as NgdpMethod);
    return operation === undefined
      ? { kind: 'method-not-allowed', path: template.path, allow: [...template.operations.keys()] }
      : { kind: 'operation', operation, params };
  }
  return { kind: 'unknown' };
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/**
 * The name of the operation a call under `/apis/v1` is, as the simulator's fault rules and
 * transcript give it: `GET /memos/{id}` — the template of NgDP's path it matches (also for a
 * method the path does not have), or the path itself (cut to 200 characters).
 */
export function operationOf(method: string, pathname: string): string {
  const match = matchNgdp(method, pathname);
  const template =
    match.kind === 'operation'
      ? match.operation.path
      : match.kind === 'method-not-allowed'
        ? match.path
        : pathname;
  return `${method} ${template}`.slice(0, 200);
}
