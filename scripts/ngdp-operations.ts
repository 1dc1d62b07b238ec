/**
 * `sdk/ngdp/operations-list.ts`, made from NgDP's OpenAPI file: every operation (method, path,
 * operationId, declared query parameters, and for a search the item schema of the generic query
 * language) of the API version the project follows, the fields of those item schemas and the enums
 * the query parameters name; and docs/differences.md's coverage table,
 * made from that list and the operations the simulator serves. `node scripts/ngdp-operations.ts
 * [SPEC]` rewrites both (SPEC defaults to ../shared/spec/ngdp-openapi-1.68.json; then
 * `npx biome format --write sdk/ngdp docs`); sdk/ngdp/operations.test.ts fails when the list and the
 * spec differ, simulator/http/api/routes.test.ts when the table and the code do.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { operationsList } from '../simulator/http/api/operations.ts';
import { table, withSections } from './docs-sections.ts';

/** Where the spec lives beside a checkout (not shipped: the list is generated from it). */
export const SPEC = new URL('../../shared/spec/ngdp-openapi-1.68.json', import.meta.url);
export const LIST = new URL('../sdk/ngdp/operations-list.ts', import.meta.url);

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

interface Schema {
  $ref?: string;
  type?: string;
  enum?: string[];
  pattern?: string;
  maxLength?: number;
  items?: Schema;
  allOf?: Schema[];
  properties?: Record<string, Schema>;
  additionalProperties?: unknown;
}

interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  explode?: boolean;
  schema?: Schema;
}

interface Operation {
  operationId?: string;
  parameters?: Parameter[];
  responses?: Record<string, { content?: Record<string, { schema?: Schema }> }>;
}

interface OpenApi {
  info: { version: string };
  paths: Record<string, Partial<Record<(typeof METHODS)[number], Operation>>>;
  components: { schemas: Record<string, Schema> };
}

/**
 * One operation as the list file holds it: method, path, operationId, then — when it has any — its
 * declared query parameters (comma-separated), then — for an operation with the generic query parameters (it
 * declares `sortFields` or `searchParameters`) — the schema of the items it lists.
 */
export type OperationRow =
  | [string, string, string]
  | [string, string, string, string]
  | [string, string, string, string, string];

/** The generic query parameters NgDP's searches declare; their items' schema is listed with them. */
const GENERIC = ['sortFields', 'searchParameters'];

const refName = (schema: Schema): string | undefined => schema.$ref?.split('/').at(-1);

/** A schema through `$ref` and a lone `allOf`. */
function resolve(spec: OpenApi, schema: Schema | undefined): Schema {
  if (schema === undefined) return {};
  const ref = refName(schema);
  if (ref !== undefined) return spec.components.schemas[ref] ?? {};
  if (schema.allOf?.length === 1) return resolve(spec, schema.allOf[0]);
  return schema;
}

/**
 * A declared query parameter as the list file writes it: its wire name, `!` when required, then
 * at most one constraint after a colon — `integer`, `boolean`, `array`, `enum <Schema>`,
 * `pattern <regex>` or `maxLength <n>` (none: any text). An object parameter sent exploded
 * (`style: form`) declares its properties, each a parameter.
 */
function parameterTexts(spec: OpenApi, parameter: Parameter): string[] {
  const schema = resolve(spec, parameter.schema);
  if (parameter.explode === true && schema.properties !== undefined)
    return Object.entries(schema.properties).map(([name, property]) => describe(spec, name, false, property));
  return [describe(spec, parameter.name, parameter.required === true, parameter.schema ?? {})];
}

function describe(spec: OpenApi, name: string, required: boolean, declared: Schema): string {
  const schema = resolve(spec, declared);
  const enumName = refName(declared);
  const constraint =
    schema.enum !== undefined && enumName !== undefined
      ? `enum ${enumName}`
      : schema.type === 'integer' || schema.type === 'boolean'
        ? schema.type
        : schema.type === 'array'
          ? 'array'
          : schema.pattern !== undefined
            ? `pattern ${schema.pattern}`
            : schema.maxLength !== undefined
              ? `maxLength ${schema.maxLength}`
              : '';
  return `${name}${required ? '!' : ''}${constraint === '' ? '' : `:${constraint}`}`;
}

/** The schema of what a search lists: its result's array items, or the result itself. */
function itemsOf(spec: OpenApi, operation: Operation): string {
  const content = Object.values(operation.responses?.['200']?.content ?? {})[0]?.schema ?? {};
  const result = resolve(spec, content);
  for (const property of Object.values(result.properties ?? {})) {
    const items =
      property.type === 'array' && property.items !== undefined ? refName(property.items) : undefined;
    if (items !== undefined) return items;
  }
  return refName(content) ?? '';
}

/** The operations of `spec`, by path then method, as the list file holds them. */
export function operationsOf(spec: OpenApi): OperationRow[] {
  return Object.entries(spec.paths)
    .flatMap(([path, item]) =>
      METHODS.flatMap((method): OperationRow[] => {
        const operation = item[method];
        if (operation === undefined) return [];
        if (operation.operationId === undefined)
          throw new Error(`${method.toUpperCase()} ${path} has no operationId`);
        const row: OperationRow = [method.toUpperCase(), path, operation.operationId];
        const query = (operation.parameters ?? []).filter((parameter) => parameter.in === 'query');
        if (query.length === 0) return [row];
        // A name declared twice (lookupCitizen: plain and in its exploded command): the one that says more.
        const byName = new Map<string, string>();
        for (const text of query.flatMap((parameter) => parameterTexts(spec, parameter))) {
          const name = text.split(':')[0] as string;
          if (!byName.get(name)?.includes(':')) byName.set(name, text);
        }
        const texts = [...byName.values()];
        if (texts.some((text) => text.includes(',')))
          throw new Error(`${operation.operationId}: a parameter's text has a comma: ${texts.join(' ')}`);
        const list = texts.join(',');
        return query.some((parameter) => GENERIC.includes(parameter.name))
          ? [[...row, list, itemsOf(spec, operation)]]
          : [[...row, list]];
      }),
    )
    .sort((a, b) =>
      a[1] === b[1] ? METHODS.indexOf(lower(a[0])) - METHODS.indexOf(lower(b[0])) : a[1] < b[1] ? -1 : 1,
    );
}

const lower = (method: string): (typeof METHODS)[number] => method.toLowerCase() as (typeof METHODS)[number];

/**
 * The fields of the schemas searches list, and of the schemas nested in them, as the list file
 * holds them: space-separated property names, `name:Schema` for a nested object (or array of
 * objects), `name:*` for a map with keys of its own.
 */
export function schemaFieldsOf(spec: OpenApi): Record<string, string> {
  const fields: Record<string, string> = {};
  const visit = (name: string): void => {
    const schema = spec.components.schemas[name];
    if (name in fields || schema?.properties === undefined) return;
    fields[name] = '';
    const names = Object.entries(schema.properties).map(([property, declared]) => {
      const inner = declared.type === 'array' && declared.items !== undefined ? declared.items : declared;
      const nested = refName(inner.allOf?.length === 1 ? (inner.allOf[0] as Schema) : inner);
      if (nested !== undefined && spec.components.schemas[nested]?.properties !== undefined) {
        visit(nested);
        return `${property}:${nested}`;
      }
      const resolved = resolve(spec, inner);
      return resolved.type === 'object' && resolved.properties === undefined ? `${property}:*` : property;
    });
    fields[name] = names.join(' ');
  };
  for (const row of operationsOf(spec)) if (row[4] !== undefined && row[4] !== '') visit(row[4]);
  return Object.fromEntries(Object.entries(fields).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** The enums the query parameters of `spec` name, each as its space-separated values. */
export function queryEnumsOf(spec: OpenApi): Record<string, string> {
  const names = new Set(
    operationsOf(spec).flatMap((row) =>
      (row[3]?.split(',') ?? []).flatMap((text) => /:enum (\S+)$/.exec(text)?.slice(1) ?? []),
    ),
  );
  return Object.fromEntries(
    [...names].sort().map((name) => [name, (spec.components.schemas[name]?.enum ?? []).join(' ')]),
  );
}

/** The list file's text for `spec`. */
export function listModule(spec: OpenApi): string {
  const rows = operationsOf(spec).map((row) => `  ${JSON.stringify(row).replaceAll('"', "'")},`);
  const record = (entries: Record<string, string>): string[] =>
    Object.entries(entries).map(([name, text]) => `  ${name}: '${text}',`);
  return [
    '/**',
    ` * Every operation of NgDP's API ${spec.info.version} as [method, path under /apis/v1, operationId,`,
    ' * declared query parameters (comma-separated)?, schema of the items a search lists?], the fields of those schemas',
    ' * and the enums the query parameters name (sdk/ngdp/operations.ts reads them).',
    ' * Generated by scripts/ngdp-operations.ts from the OpenAPI file: do not edit by hand.',
    ' */',
    `export const NGDP_API_VERSION = '${spec.info.version}';`,
    '',
    'export const NGDP_OPERATION_ROWS = [',
    ...rows,
    '] as const;',
    '',
    'export const NGDP_SCHEMA_FIELDS: Readonly<Record<string, string>> = {',
    ...record(schemaFieldsOf(spec)),
    '};',
    '',
    'export const NGDP_QUERY_ENUMS: Readonly<Record<string, string>> = {',
    ...record(queryEnumsOf(spec)),
    '};',
    '',
  ].join('\n');
}

export const DIFFERENCES = new URL('../docs/differences.md', import.meta.url);

/**
 * The simulator's coverage of NgDP's API as a Markdown table: per resource (the path's first
 * segment), the operations it serves and those it answers 501.
 */
export function coverageTable(): string {
  const byResource = new Map<string, { served: string[]; notServed: string[] }>();
  for (const operation of operationsList()) {
    const resource = `/${operation.path.split('/')[1]}/`;
    const row = byResource.get(resource) ?? { served: [], notServed: [] };
    (operation.served ? row.served : row.notServed).push(`\`${operation.operationId}\``);
    byResource.set(resource, row);
  }
  return table(
    ['resource', 'served', 'operations served', 'answered 501 `NOT_SERVED`'],
    [...byResource].map(([resource, { served, notServed }]) => [
      `\`${resource}\``,
      `${served.length} of ${served.length + notServed.length}`,
      served.join(', ') || '—',
      notServed.join(', ') || '—',
    ]),
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const spec = JSON.parse(readFileSync(process.argv[2] ?? SPEC, 'utf8')) as OpenApi;
  writeFileSync(LIST, listModule(spec));
  writeFileSync(
    DIFFERENCES,
    withSections(readFileSync(DIFFERENCES, 'utf8'), { 'ngdp-coverage': coverageTable() }),
  );
}
