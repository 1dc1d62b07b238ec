/**
 * NgDP's generic query language (ngdp-openapi-1.68.md §1.15), once for every search: parsed from a
 * request's query parameters, evaluated over the items as NgDP serves them (plain JSON), so that a
 * field the wire adds is filterable without this module knowing it.
 *
 * - `<field>=v1,v2`: any field of the item, nested with dots (`mailboxSubscription.registrationStatus`);
 *   an array matches when one of its elements does. Values are OR-ed; different fields AND-ed.
 *   A value prefixed `&` must match, one prefixed `!` must not, one prefixed `|` (or unprefixed) is
 *   one of the alternatives of which one must match (when there are any). `*` stands for any
 *   characters (`Test*`); without it the whole value must be equal.
 * - `any=v1,v2`: one of the values equals some value of any field of the item (no wildcards).
 * - `sortFields=field:asc,other:desc`: stable, ascending unless `:desc`; missing values last.
 * - `fields=id,version`: only these fields (nested with dots) of each item; `id` only if named.
 * - `page` (zero-based) and `size`.
 *
 * Text is compared without regard to case unless {@link QuerySpec.caseSensitive}. A parameter that
 * is wrong (an unknown field, a bad direction, a page out of range …) is a {@link QueryProblem}.
 */
import type { NgdpFields } from '../../sdk/ngdp/operations.ts';

/** An item as NgDP serves it. */
export type JsonObject = Record<string, unknown>;

/** A query parameter of a request that the language cannot take. */
export class QueryProblem extends Error {
  /** The query parameter at fault. */
  readonly parameter: string;
  readonly value: string | undefined;

  constructor(parameter: string, message: string, value?: string) {
    super(message);
    this.name = 'QueryProblem';
    this.parameter = parameter;
    this.value = value;
  }
}

/** The page limits: zero-based `page` up to `maxPage`, `size` 1 to `maxSize`. */
export interface PageLimits {
  defaultSize: number;
  maxSize: number;
  maxPage: number;
}

/** What one search takes. */
export interface QuerySpec {
  /** The fields of its items (NgDP's schema, and any the simulator serves beyond it). */
  fields: NgdpFields;
  /** Whether it takes field filters and `any` (it declares `searchParameters`). */
  filters: boolean;
  /** Parameters the search reads itself (its declared ones, a `next` cursor): not field filters. */
  own: readonly string[];
  limits: PageLimits;
  /** Compare text with regard to case (default: without). */
  caseSensitive?: boolean;
}

/** How a value of a field filter counts. */
export type TermRole = 'either' | 'must' | 'mustNot';

export interface Term {
  role: TermRole;
  /** The value as given, without its prefix. */
  text: string;
  /** Set when the value has `*`. */
  wildcard?: RegExp;
}

export interface FieldFilter {
  /** The parameter as given (`mailboxSubscription.registrationStatus`). */
  field: string;
  /** The fields it looks at: one for a generic filter; a search's own may look at several. */
  paths: readonly (readonly string[])[];
  terms: readonly Term[];
}

export interface SortKey {
  field: string;
  path: readonly string[];
  descending: boolean;
}

/** A parsed query: what to keep, in which order, which page, and which fields of each item. */
export interface Query {
  page: number;
  size: number;
  filters: readonly FieldFilter[];
  any: readonly string[] | undefined;
  sort: readonly SortKey[];
  /** The fields to keep (paths); undefined: all. */
  projection: readonly (readonly string[])[] | undefined;
  caseSensitive: boolean;
}

/** One page of a search's result. */
export interface QueryPage {
  items: JsonObject[];
  page: number;
  size: number;
  totalElements: number;
  totalPages: number;
}

/** The parameters of the language itself, besides field filters. */
export const GENERIC_PARAMETERS = ['page', 'size', 'sortFields', 'any', 'fields'] as const;

type QueryParameters = Readonly<Record<string, unknown>>;

/** A parameter given once, as text; undefined when absent. */
function single(parameters: QueryParameters, name: string): string | undefined {
  const value = parameters[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new QueryProblem(name, 'must be given once');
  return value;
}

function integer(text: string | undefined, name: string, min: number, max: number, fallback: number): number {
  if (text === undefined || text === '') return fallback;
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max)
    throw new QueryProblem(name, `must be an integer from ${min} to ${max}`, text);
  return Number(text);
}

/** The comma-separated values of a parameter, trimmed, none empty. */
function values(text: string, name: string): string[] {
  const parts = text.split(',').map((part) => part.trim());
  if (parts.some((part) => part === ''))
    throw new QueryProblem(name, 'needs a value (values are separated by commas)', text);
  return parts;
}

/** What `field` names in `fields`: a value, an object's fields, or nothing known. */
function resolveField(fields: NgdpFields, field: string, parameter: string): NgdpFields | true {
  let node: NgdpFields | true = fields;
  for (const segment of field.split('.')) {
    if (node === true || segment === '')
      throw new QueryProblem(parameter, `${field} is not a field of the items this search lists`, field);
    if (node['*'] === true) return true;
    const next: NgdpFields | true | undefined = Object.hasOwn(node, segment) ? node[segment] : undefined;
    if (next === undefined)
      throw new QueryProblem(parameter, `${field} is not a field of the items this search lists`, field);
    node = next;
  }
  return node;
}

/** A field that holds values (not objects): for filtering and sorting. */
/** Whether `field` (dots for nested) names a field of the items. */
export function isItemField(fields: NgdpFields, field: string): boolean {
  try {
    resolveField(fields, field, field);
    return true;
  } catch (error) {
    if (error instanceof QueryProblem) return false;
    throw error;
  }
}

function valueField(fields: NgdpFields, field: string, parameter: string): string[] {
  if (resolveField(fields, field, parameter) !== true)
    throw new QueryProblem(parameter, `${field} is an object: name one of its fields (${field}.…)`, field);
  return field.split('.');
}

const wildcardOf = (text: string, caseSensitive: boolean): RegExp =>
  new RegExp(
    `^${text
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
    caseSensitive ? 's' : 'is',
  );

function termOf(value: string, parameter: string, caseSensitive: boolean): Term {
  const prefix = value[0];
  const role: TermRole = prefix === '&' ? 'must' : prefix === '!' ? 'mustNot' : 'either';
  const text = prefix === '&' || prefix === '!' || prefix === '|' ? value.slice(1) : value;
  if (text === '') throw new QueryProblem(parameter, `"${value}" has a prefix but no value`, value);
  return text.includes('*') ? { role, text, wildcard: wildcardOf(text, caseSensitive) } : { role, text };
}

/**
 * The query `parameters` (a request's query, as Express parses it) ask of a search that takes
 * `spec`. Parameters in `spec.own` are left to the search.
 *
 * @throws QueryProblem for a parameter the language cannot take.
 */
export function parseQuery(parameters: QueryParameters, spec: QuerySpec): Query {
  const caseSensitive = spec.caseSensitive === true;
  const { limits } = spec;
  const filters: FieldFilter[] = [];
  for (const [name, value] of Object.entries(parameters)) {
    if (value === undefined) continue;
    if (spec.own.includes(name) || (GENERIC_PARAMETERS as readonly string[]).includes(name)) continue;
    if (!spec.filters) throw new QueryProblem(name, 'is not a parameter of this operation');
    const text = single(parameters, name) as string;
    filters.push({
      field: name,
      paths: [valueField(spec.fields, name, name)],
      terms: values(text, name).map((value) => termOf(value, name, caseSensitive)),
    });
  }
  const anyText = single(parameters, 'any');
  if (anyText !== undefined && !spec.filters)
    throw new QueryProblem('any', 'is not a parameter of this operation');
  const sortText = single(parameters, 'sortFields');
  const fieldsText = single(parameters, 'fields');
  return {
    page: integer(single(parameters, 'page'), 'page', 0, limits.maxPage, 0),
    size: integer(single(parameters, 'size'), 'size', 1, limits.maxSize, limits.defaultSize),
    filters,
    any: anyText === undefined ? undefined : values(anyText, 'any'),
    sort:
      sortText === undefined ? [] : values(sortText, 'sortFields').map((key) => sortKey(key, spec.fields)),
    projection:
      fieldsText === undefined
        ? undefined
        : values(fieldsText, 'fields').map((field) => {
            resolveField(spec.fields, field, 'fields');
            return field.split('.');
          }),
    caseSensitive,
  };
}

function sortKey(key: string, fields: NgdpFields): SortKey {
  const colon = key.lastIndexOf(':');
  const field = colon < 0 ? key : key.slice(0, colon);
  const direction = colon < 0 ? 'asc' : key.slice(colon + 1).toLowerCase();
  if (direction !== 'asc' && direction !== 'desc')
    throw new QueryProblem('sortFields', `${key}: the order is asc or desc`, key);
  return { field, path: valueField(fields, field, 'sortFields'), descending: direction === 'desc' };
}

/** The values (strings, numbers, booleans) at `path` of `value`; arrays give each element's. */
function valuesAt(value: unknown, path: readonly string[], from = 0): unknown[] {
  if (Array.isArray(value)) return value.flatMap((element) => valuesAt(element, path, from));
  if (from === path.length) return value === undefined || value === null ? [] : [value];
  if (typeof value !== 'object' || value === null) return [];
  return valuesAt((value as JsonObject)[path[from] as string], path, from + 1);
}

/** Every value anywhere in `value`. */
function allValues(value: unknown): unknown[] {
  if (Array.isArray(value)) return value.flatMap(allValues);
  if (typeof value === 'object' && value !== null) return Object.values(value).flatMap(allValues);
  return value === undefined || value === null ? [] : [value];
}

function textOf(value: unknown, caseSensitive: boolean): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return caseSensitive ? text : text.toLowerCase();
}

function termMatches(term: Term, found: readonly unknown[], caseSensitive: boolean): boolean {
  const wanted = caseSensitive ? term.text : term.text.toLowerCase();
  return found.some((value) =>
    term.wildcard === undefined
      ? textOf(value, caseSensitive) === wanted
      : term.wildcard.test(textOf(value, true)),
  );
}

function filterMatches(filter: FieldFilter, item: JsonObject, caseSensitive: boolean): boolean {
  const found = filter.paths.flatMap((path) => valuesAt(item, path));
  const either = filter.terms.filter((term) => term.role === 'either');
  return (
    (either.length === 0 || either.some((term) => termMatches(term, found, caseSensitive))) &&
    filter.terms.every((term) => term.role !== 'must' || termMatches(term, found, caseSensitive)) &&
    filter.terms.every((term) => term.role !== 'mustNot' || !termMatches(term, found, caseSensitive))
  );
}

/** Whether `item` is one `query` keeps (its filters and `any`). */
export function matches(query: Query, item: JsonObject): boolean {
  if (!query.filters.every((filter) => filterMatches(filter, item, query.caseSensitive))) return false;
  if (query.any === undefined) return true;
  const wanted = new Set(query.any.map((value) => (query.caseSensitive ? value : value.toLowerCase())));
  return allValues(item).some((value) => wanted.has(textOf(value, query.caseSensitive)));
}

/**
 * A filter of a search's own parameter (`contactGroupId=a,b`, `searchTermOrName=skat`): one of
 * `values` is (or, with `contains`, is part of) a value of one of the fields at `paths`.
 */
export function ownFilter(
  parameter: string,
  paths: readonly string[],
  values: readonly string[],
  options: { contains?: boolean; caseSensitive?: boolean } = {},
): FieldFilter {
  return {
    field: parameter,
    paths: paths.map((path) => path.split('.')),
    terms: values.map((text) =>
      options.contains === true
        ? {
            role: 'either',
            text,
            wildcard: wildcardOf(`*${text.replaceAll('*', '')}*`, options.caseSensitive === true),
          }
        : { role: 'either', text },
    ),
  };
}

/** A filter of a search's own yes/no parameter: whether the fields at `paths` hold any value. */
export function presenceFilter(parameter: string, paths: readonly string[], present: boolean): FieldFilter {
  return {
    field: parameter,
    paths: paths.map((path) => path.split('.')),
    terms: [{ role: present ? 'must' : 'mustNot', text: '*', wildcard: /^/ }],
  };
}

/** `query` with `filters` of the search's own parameters added (AND-ed with its others). */
export function withFilters(query: Query, filters: readonly FieldFilter[]): Query {
  return filters.length === 0 ? query : { ...query, filters: [...query.filters, ...filters] };
}

/** Whether `query` filters or orders (beyond paging and projection). */
export function selects(query: Query): boolean {
  return query.filters.length > 0 || query.any !== undefined || query.sort.length > 0;
}

function compareValues(a: unknown, b: unknown): number {
  if (a === undefined) return b === undefined ? 0 : 1;
  if (b === undefined) return -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  const [x, y] = [String(a), String(b)];
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * The items `query` keeps, in its order (stable; missing values last in either direction): records
 * of any kind, each judged as `json` shows it (as NgDP serves it).
 */
export function select<T>(query: Query, items: readonly T[], json: (item: T) => JsonObject): T[] {
  const kept = items
    .map((item) => ({ item, shown: json(item) }))
    .filter(({ shown }) => matches(query, shown));
  if (query.sort.length > 0)
    kept.sort((a, b) => {
      for (const key of query.sort) {
        const [x, y] = [valuesAt(a.shown, key.path)[0], valuesAt(b.shown, key.path)[0]];
        const order = compareValues(x, y);
        if (order !== 0) return key.descending && x !== undefined && y !== undefined ? -order : order;
      }
      return 0;
    });
  return kept.map(({ item }) => item);
}

function pick(value: unknown, paths: readonly (readonly string[])[]): unknown {
  if (Array.isArray(value)) return value.map((element) => pick(element, paths));
  if (typeof value !== 'object' || value === null || paths.some((path) => path.length === 0)) return value;
  const picked: JsonObject = {};
  for (const [name, field] of Object.entries(value as JsonObject)) {
    const below = paths.filter((path) => path[0] === name).map((path) => path.slice(1));
    if (below.length > 0) picked[name] = pick(field, below);
  }
  return picked;
}

/** `item` with only the fields `query` asks for (all when it names none). */
export function project(query: Query, item: JsonObject): JsonObject {
  return query.projection === undefined ? item : (pick(item, query.projection) as JsonObject);
}

/**
 * `query` over every item of a search: filtered, sorted, the page asked for (of `size`, or of a
 * smaller `pageSize` when chaos shrinks pages), projected.
 */
export function evaluate(query: Query, items: readonly JsonObject[], pageSize = query.size): QueryPage {
  const kept = select(query, items, (item) => item);
  const from = query.page * pageSize;
  return {
    items: kept.slice(from, from + pageSize).map((item) => project(query, item)),
    page: query.page,
    size: pageSize,
    totalElements: kept.length,
    totalPages: Math.ceil(kept.length / pageSize),
  };
}
