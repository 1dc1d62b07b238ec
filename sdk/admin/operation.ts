/**
 * One call of an organisation-administration operation, made from NgDP's operations list
 * (`sdk/ngdp/operations.ts`: method and path template by operationId) through the SDK's transport:
 * path parameters filled in, the generic query language's parameters, `If-Match` from a version,
 * JSON and multipart bodies, and `for await` lists on the SDK's one paginator. Calls that
 * change something say so, so that a create whose answer was lost is never sent twice.
 */
import { randomUUID } from 'node:crypto';
import { type ListOptions, listSettings, numberedPages, paginate } from '../client/pagination.ts';
import { reading } from '../client/responses.ts';
import { InvalidOptionsError } from '../errors.ts';
import { array, integer, object, optional, type Shape } from '../http/shape.ts';
import type { Effect, HttpRequest, HttpResponse, RequestOptions, Transport } from '../http/transport.ts';
import { type NgdpOperationId, ngdpOperation } from '../ngdp/operations.ts';

/**
 * The version a change applies to, sent as `If-Match`: a number (`3` → `"3"`), the ETag text as
 * given (`'"3"'`, `'W/"3"'`, `'*'` for any version), or the resource as fetched (its `version`).
 */
export type Version = number | string | { readonly version?: number | undefined };

/** Options of a change NgDP guards with `If-Match` (optimistic locking). */
export interface VersionedOptions extends RequestOptions {
  /**
   * The version of the resource the change applies to (what a fetch answered); another version
   * at NgDP is a `ConflictError` (409 `VERSION_CONFLICT`).
   */
  ifMatch: Version;
}

/** A value of a query parameter: several values are sent comma-separated (NgDP's OR). */
export type QueryValue = string | number | boolean | readonly (string | number)[];

/** A list NgDP only pages and sorts (`queryAccess`): the page size and bound, and the sort order. */
export interface SortOptions extends RequestOptions, ListOptions {
  /** Sort order, e.g. `['name:asc', 'createdDate:desc']`. */
  sortFields?: string | readonly string[];
}

/**
 * NgDP's generic query language (OpenAPI §1.15) for a list: field filters, free text, sorting and
 * projection, besides the page size and page bound of every list.
 */
export interface SearchOptions extends SortOptions {
  /**
   * Filters by field, e.g. `{ name: 'Jour*' }`, `{ systemTypes: ['SENDER', 'RECIPIENT'] }` (OR):
   * `*` matches any text; a value may start with `|` (or), `&` (and) or `!` (not).
   */
  filters?: Readonly<Record<string, QueryValue>>;
  /** Text matched against every field. */
  any?: string;
  /** Only these fields of each item (projection). */
  fields?: string | readonly string[];
}

/** A body of a call. */
export type Body =
  | { json: unknown }
  /** multipart/form-data with the part `file` (NgDP's uploads). */
  | { file: Uint8Array | string; fileName: string; contentType?: string };

/** Path parameters by the names of NgDP's path template. */
export type Params = Readonly<Record<string, string>>;

/** One call of an operation. */
export interface Call {
  operationId: NgdpOperationId;
  params?: Params;
  query?: Readonly<Record<string, QueryValue | undefined>>;
  body?: Body;
  ifMatch?: Version;
  accept?: string;
  /** Further headers of the call (lower-case names). */
  headers?: Readonly<Record<string, string>>;
}

/** The text of `If-Match` for a version. */
export function ifMatchOf(version: Version): string {
  if (typeof version === 'number') {
    if (!Number.isSafeInteger(version) || version < 0)
      throw new InvalidOptionsError(`ifMatch must be a version number, got ${version}`);
    return `"${version}"`;
  }
  if (typeof version === 'string') {
    if (version.trim() === '' || /[\r\n]/.test(version))
      throw new InvalidOptionsError('ifMatch must be a version such as 3, "3" or *');
    return version;
  }
  if (typeof version?.version !== 'number')
    throw new InvalidOptionsError(
      'ifMatch: the resource given has no version (pass the version number, or * for any)',
    );
  return ifMatchOf(version.version);
}

/** The version an answer's `ETag` names (`"3"` or `W/"3"` → 3), if any. */
export function versionOfEtag(etag: string | string[] | undefined): number | undefined {
  const text = Array.isArray(etag) ? etag[0] : etag;
  const match = /^(?:W\/)?"?(\d+)"?$/.exec(text?.trim() ?? '');
  return match === null ? undefined : Number(match[1]);
}

/** The path of an operation with its parameters filled in. */
export function pathOf(operationId: NgdpOperationId, params: Readonly<Record<string, string>> = {}): string {
  return ngdpOperation(operationId).path.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const value = params[name];
    if (typeof value !== 'string' || value === '')
      throw new InvalidOptionsError(`${operationId}: ${name} is required (a non-empty string)`);
    return encodeURIComponent(value);
  });
}

function queryText(value: QueryValue): string | number | boolean {
  return typeof value === 'object' ? value.join(',') : value;
}

/** The query of a call, undefined values left out. */
function queryOf(query: Call['query']): HttpRequest['query'] {
  const result: Record<string, string | number | boolean> = {};
  for (const [name, value] of Object.entries(query ?? {}))
    if (value !== undefined) result[name] = queryText(value);
  return result;
}

/** The query parameters of the generic query language given in `options`. */
export function searchQuery(options: SearchOptions): Record<string, QueryValue | undefined> {
  return {
    ...options.filters,
    any: options.any,
    sortFields: options.sortFields,
    fields: options.fields,
  };
}

/** multipart/form-data with one part `file`. */
function multipart(body: Extract<Body, { file: unknown }>): { bytes: Uint8Array; contentType: string } {
  const boundary = `digitalpost-${randomUUID()}`;
  const name = body.fileName.replace(/["\r\n\\]/g, '_');
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\n` +
      `Content-Type: ${body.contentType ?? 'application/octet-stream'}\r\n\r\n`,
  );
  const content = typeof body.file === 'string' ? Buffer.from(body.file) : body.file;
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  return {
    bytes: Buffer.concat([head, content, tail]),
    contentType: `multipart/form-data; boundary=${boundary}`,
  };
}

/** What a call changes: creates are not repeated once they may have arrived; PUTs and DELETEs may be. */
function effectOf(operationId: NgdpOperationId, method: string): Effect | undefined {
  if (method === 'GET') return undefined;
  return {
    operation: operationId,
    check: 'fetch or list the resource to see whether the change was made',
    repeatable: method !== 'POST',
  };
}

const anObject: Shape<object> = object({});

/** The calls of the admin client, over one transport. */
export class Operations {
  readonly #transport: Transport;

  constructor(transport: Transport) {
    this.#transport = transport;
  }

  /** The request of a call. */
  request(call: Call): HttpRequest {
    const { method } = ngdpOperation(call.operationId);
    const http: HttpRequest = {
      method: method as HttpRequest['method'],
      path: pathOf(call.operationId, call.params),
      query: queryOf(call.query),
    };
    const effect = effectOf(call.operationId, method);
    if (effect !== undefined) http.effect = effect;
    if (call.accept !== undefined) http.accept = call.accept;
    if (call.ifMatch !== undefined) http.ifMatch = ifMatchOf(call.ifMatch);
    if (call.headers !== undefined) http.headers = call.headers;
    const body = call.body;
    if (body === undefined) return http;
    if ('json' in body) {
      http.body = JSON.stringify(body.json);
      http.contentType = 'application/json';
    } else {
      const { bytes, contentType } = multipart(body);
      http.body = bytes;
      http.contentType = contentType;
    }
    return http;
  }

  /**
   * Makes a call and reads its JSON answer: an object (or, with `shape`, what it checks), typed as
   * NgDP's OpenAPI declares it (sdk/admin/types.ts).
   */
  async json<T>(call: Call, options: RequestOptions = {}, shape: Shape<unknown> = anObject): Promise<T> {
    return await this.#transport.json(this.request(call), options, (value) => shape.read(value, '$') as T);
  }

  /** A call without a body (a fetch, an action), answered with JSON. */
  call<T>(operationId: NgdpOperationId, params: Params, options?: RequestOptions): Promise<T> {
    return this.json({ operationId, params }, options);
  }

  /** A call sending `json` (a create, an action), answered with a resource. */
  send<T>(operationId: NgdpOperationId, params: Params, json: unknown, options?: RequestOptions): Promise<T> {
    return this.json({ operationId, params, body: { json } }, options);
  }

  /** A change guarded by `If-Match`, answered with the changed resource. */
  change<T>(
    operationId: NgdpOperationId,
    params: Params,
    json: unknown,
    options: VersionedOptions,
  ): Promise<T> {
    return this.json({ operationId, params, body: { json }, ifMatch: options.ifMatch }, options);
  }

  /** A delete guarded by `If-Match` (204). */
  remove(operationId: NgdpOperationId, params: Params, options: VersionedOptions): Promise<void> {
    return this.none({ operationId, params, ifMatch: options.ifMatch }, options);
  }

  /** Makes a call whose answer carries nothing (204). */
  async none(call: Call, options: RequestOptions = {}): Promise<void> {
    await this.#transport.send({ ...this.request(call), answer: 'none' }, options);
  }

  /** Makes a call and gives its answer as it came (a logo, a document). */
  async raw(call: Call, options: RequestOptions = {}): Promise<HttpResponse> {
    return await this.#transport.send(this.request(call), options);
  }

  /**
   * Every item of a search, page after page (`page` from 0, `size`), each once: the items are in
   * the answer's array `key` (`systems`).
   */
  list<T>(call: Call, key: string, options: SearchOptions, caller: string): AsyncGenerator<T> {
    const base = this.request({ ...call, query: { ...call.query, ...searchQuery(options) } });
    return pagedList<T>(this.#transport, base, key, options, caller);
  }
}

/**
 * Every item of a list the server answers by page (`page` from 0, `size`, and `totalPages`), each
 * once: the items are in the answer's array `key` (`systems`). `base` is the request of any page.
 */
export async function* pagedList<T>(
  transport: Transport,
  base: HttpRequest,
  key: string,
  options: ListOptions & RequestOptions,
  caller: string,
): AsyncGenerator<T> {
  const { size, maxPages } = listSettings(options, transport.limits.maxPages, caller);
  const read = reading(object({ [key]: optional(array(anObject)), totalPages: optional(integer) }));
  let index = 0;
  yield* paginate<T, number>(
    numberedPages(async (page) => {
      const http: HttpRequest = { ...base, query: { ...base.query, page, size } };
      const response = await transport.send(http, options);
      const result = transport.read(http, response, read) as Record<string, unknown> & {
        totalPages?: number;
      };
      const items = (result[key] ?? []) as T[];
      if (items.length > size)
        throw transport.unexpected(
          http,
          response,
          `the page has ${items.length} items, ${size} were asked for`,
        );
      return { items, totalPages: result.totalPages };
    }),
    {
      name: { method: base.method, path: base.path },
      // Items without an id (projections leaving it out) are each their own.
      keyOf: (item) => {
        const id = (item as { id?: unknown }).id;
        return typeof id === 'string' ? id : `#${index++}`;
      },
      maxPages,
    },
  );
}
