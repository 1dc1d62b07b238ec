/**
 * Answers held against NgDP's OpenAPI 1.68.0 (`../shared/spec`): the response schema an operation
 * declares for a status, and where a JSON answer breaks it — a field the DTO does not have, a type,
 * a `uuid` or `date-time` format, an enum value. A small checker for the keywords the spec uses
 * ($ref, allOf, type, format, enum, items, properties), so that no validator dependency is needed.
 */
import { readFileSync } from 'node:fs';
import { isUuid } from '../../sdk/ngdp/identifiers.ts';
import { sharedPath } from './shared.ts';

export const OPENAPI = 'spec/ngdp-openapi-1.68.json';

interface Schema {
  $ref?: string;
  allOf?: Schema[];
  type?: string;
  format?: string;
  enum?: unknown[];
  items?: Schema;
  properties?: Record<string, Schema>;
  additionalProperties?: boolean | Schema;
}

interface Spec {
  paths: Record<
    string,
    Record<
      string,
      { operationId?: string; responses?: Record<string, { content?: Record<string, { schema?: Schema }> }> }
    >
  >;
  components: { schemas: Record<string, Schema> };
}

let loaded: Spec | undefined;
function spec(): Spec {
  loaded ??= JSON.parse(readFileSync(sharedPath(OPENAPI) as string, 'utf8')) as Spec;
  return loaded;
}

function resolve(schema: Schema): Schema {
  if (schema.$ref !== undefined)
    return resolve(spec().components.schemas[schema.$ref.split('/').pop() as string] as Schema);
  if (schema.allOf?.length === 1) return resolve(schema.allOf[0] as Schema);
  return schema;
}

/** The response schema `operationId` declares for `status`, if it declares one. */
export function responseSchema(operationId: string, status: number): Schema | undefined {
  for (const item of Object.values(spec().paths))
    for (const operation of Object.values(item))
      if (operation.operationId === operationId) {
        const content = operation.responses?.[String(status)]?.content;
        return content === undefined ? undefined : Object.values(content)[0]?.schema;
      }
  throw new Error(`no operation ${operationId}`);
}

/** Every way `value` breaks `schema`, as `$.path: problem` lines (none: it conforms). */
export function openApiProblems(schema: Schema, value: unknown, path = '$'): string[] {
  const resolved = resolve(schema);
  if (value === null || value === undefined) return [];
  const { type } = resolved;
  if (type === 'object' || resolved.properties !== undefined) {
    if (typeof value !== 'object' || Array.isArray(value)) return [`${path}: is not an object`];
    const problems: string[] = [];
    for (const [name, item] of Object.entries(value)) {
      const property = resolved.properties?.[name];
      if (property !== undefined) problems.push(...openApiProblems(property, item, `${path}.${name}`));
      else if (resolved.additionalProperties === undefined || resolved.additionalProperties === false)
        problems.push(`${path}: ${name} is not a field of the DTO`);
    }
    return problems;
  }
  if (type === 'array') {
    if (!Array.isArray(value)) return [`${path}: is not an array`];
    return value.flatMap((item, index) => openApiProblems(resolved.items ?? {}, item, `${path}[${index}]`));
  }
  if (resolved.enum !== undefined && !resolved.enum.includes(value))
    return [`${path}: ${JSON.stringify(value)} is not one of the enum's values`];
  if (type === 'string') {
    if (typeof value !== 'string') return [`${path}: is not a string`];
    if (resolved.format === 'uuid' && !isUuid(value)) return [`${path}: is not a UUID`];
    if (resolved.format === 'date-time' && Number.isNaN(Date.parse(value)))
      return [`${path}: is not a date-time`];
  }
  if ((type === 'integer' || type === 'number') && typeof value !== 'number')
    return [`${path}: is not a number`];
  if (type === 'boolean' && typeof value !== 'boolean') return [`${path}: is not a boolean`];
  return [];
}

/** Where an answer of `operationId` breaks the schema the OpenAPI declares for its status. */
export function answerProblems(operationId: string, status: number, body: unknown): string[] {
  const schema = responseSchema(operationId, status);
  if (schema === undefined)
    return body === undefined ? [] : [`${operationId} ${status}: the OpenAPI declares no body`];
  return openApiProblems(schema, body);
}
