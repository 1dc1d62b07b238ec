/**
 * Checks a JSON value against a schema of NgDP's OpenAPI file (`../shared/spec`): types, formats
 * (uuid, date-time, date, int32/int64), enums, and no property the schema does not name. Tests that
 * use it declare the file with `describeWith({ shared: [NGDP_OPENAPI] }, …)`.
 */
import { readFileSync } from 'node:fs';
import { sharedPath } from './shared.ts';

export const NGDP_OPENAPI = 'spec/ngdp-openapi-1.68.json';

interface OpenApiSchema {
  $ref?: string;
  allOf?: OpenApiSchema[];
  type?: string;
  format?: string;
  enum?: unknown[];
  items?: OpenApiSchema;
  properties?: Record<string, OpenApiSchema>;
}

let schemas: Record<string, OpenApiSchema> | undefined;

function component(name: string): OpenApiSchema {
  schemas ??= (
    JSON.parse(readFileSync(sharedPath(NGDP_OPENAPI) as string, 'utf8')) as {
      components: { schemas: Record<string, OpenApiSchema> };
    }
  ).components.schemas;
  const schema = schemas[name];
  if (schema === undefined) throw new Error(`the OpenAPI file has no schema ${name}`);
  return schema;
}

function resolve(schema: OpenApiSchema): OpenApiSchema {
  if (schema.$ref !== undefined) return resolve(component(schema.$ref.replace('#/components/schemas/', '')));
  if (schema.allOf?.length === 1) return resolve(schema.allOf[0] as OpenApiSchema);
  return schema;
}

const FORMATS: Record<string, (value: string) => boolean> = {
  uuid: (value) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value),
  'date-time': (value) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(value),
  date: (value) => /^\d{4}-\d\d-\d\d$/.test(value),
};

function problems(schema: OpenApiSchema, value: unknown, at: string): string[] {
  const target = resolve(schema);
  if (target.enum !== undefined && !target.enum.includes(value))
    return [`${at}: ${JSON.stringify(value)} is not one of ${target.enum.join(', ')}`];
  switch (target.type) {
    case undefined:
      return [];
    case 'string': {
      if (typeof value !== 'string') return [`${at}: ${JSON.stringify(value)} is not a string`];
      const format = target.format === undefined ? undefined : FORMATS[target.format];
      return format === undefined || format(value) ? [] : [`${at}: "${value}" is not a ${target.format}`];
    }
    case 'integer':
      return Number.isInteger(value) ? [] : [`${at}: ${JSON.stringify(value)} is not an integer`];
    case 'number':
      return typeof value === 'number' ? [] : [`${at}: ${JSON.stringify(value)} is not a number`];
    case 'boolean':
      return typeof value === 'boolean' ? [] : [`${at}: ${JSON.stringify(value)} is not a boolean`];
    case 'array':
      return Array.isArray(value)
        ? value.flatMap((item, i) => problems(target.items ?? {}, item, `${at}[${i}]`))
        : [`${at}: is not an array`];
    case 'object': {
      if (typeof value !== 'object' || value === null || Array.isArray(value))
        return [`${at}: is not an object`];
      return Object.entries(value).flatMap(([name, field]) => {
        const property = target.properties?.[name];
        return property === undefined
          ? [`${at}.${name}: not a property of the schema`]
          : problems(property, field, `${at}.${name}`);
      });
    }
    default:
      return [`${at}: the schema's type ${target.type} is not checked`];
  }
}

/** Every way `value` breaks the OpenAPI schema `name`, as `$.path: problem` lines (none: it fits). */
export function openApiProblems(name: string, value: unknown): string[] {
  return problems({ $ref: `#/components/schemas/${name}` }, value, '$');
}
