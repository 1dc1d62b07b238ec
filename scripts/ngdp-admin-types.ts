/**
 * `sdk/admin/types.ts`, made from NgDP's OpenAPI file: a TypeScript type for every schema the
 * organisation-administration operations reach (request and answer bodies, and what they nest),
 * with NgDP's descriptions as TSDoc. `node scripts/ngdp-admin-types.ts [SPEC]` rewrites it (then
 * `npx biome format --write sdk/admin/types.ts`); sdk/admin/types.test.ts fails when it and the
 * spec differ.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { ADMIN_OPERATIONS } from '../simulator/domain/admin-rights.ts';
import { SPEC } from './ngdp-operations.ts';

export const TYPES = new URL('../sdk/admin/types.ts', import.meta.url);

interface Schema {
  $ref?: string;
  type?: string;
  format?: string;
  description?: string;
  deprecated?: boolean;
  enum?: string[];
  items?: Schema;
  allOf?: Schema[];
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: Schema | boolean;
  pattern?: string;
  maxLength?: number;
  minLength?: number;
  maximum?: number;
}

interface Content {
  content?: Record<string, { schema?: Schema }>;
}

interface OpenApi {
  info: { version: string };
  paths: Record<
    string,
    Record<string, { operationId?: string; requestBody?: Content; responses?: Record<string, Content> }>
  >;
  components: { schemas: Record<string, Schema> };
}

/** Schemas whose OpenAPI name says nothing: the name they get here. */
const RENAMED: Readonly<Record<string, string>> = { Anonymous: 'PrivilegeTypeName' };

/** Schemas the SDK declares once for every API (sdk/ngdp/wire.ts): re-exported, not declared again. */
const SHARED = ['ErrorMessage', 'FieldErrorResource'];

const nameOf = (ref: string): string => {
  const name = ref.split('/').at(-1) as string;
  return RENAMED[name] ?? name;
};

/**
 * NgDP's schemas the test portal and its login use (docs/admin.md, "The test portal"), which no
 * admin operation reaches.
 */
const PORTAL_SCHEMAS = ['OAuth2AccessToken', 'TestOrganisationCommand'];

/** The schemas of the bodies the admin operations send and answer, and the portal's. */
function rootsOf(spec: OpenApi): Set<string> {
  const wanted = new Set<string>(Object.keys(ADMIN_OPERATIONS));
  const roots = new Set<string>(PORTAL_SCHEMAS);
  const take = (schema: Schema | undefined): void => {
    if (schema === undefined) return;
    if (schema.$ref !== undefined) roots.add(schema.$ref.split('/').at(-1) as string);
    take(schema.items);
    for (const part of schema.allOf ?? []) take(part);
    for (const property of Object.values(schema.properties ?? {})) take(property);
  };
  for (const item of Object.values(spec.paths))
    for (const operation of Object.values(item)) {
      if (!wanted.has(operation.operationId ?? '')) continue;
      for (const body of [operation.requestBody, ...Object.values(operation.responses ?? {})])
        for (const media of Object.values(body?.content ?? {})) take(media.schema);
    }
  return roots;
}

/** Every schema reachable from `roots`, sorted by name. */
function reachable(spec: OpenApi, roots: Set<string>): string[] {
  const seen = new Set<string>();
  const visit = (schema: Schema | boolean | undefined): void => {
    if (schema === undefined || typeof schema === 'boolean') return;
    if (schema.$ref !== undefined) {
      const name = schema.$ref.split('/').at(-1) as string;
      if (seen.has(name)) return;
      seen.add(name);
      visit(spec.components.schemas[name]);
      return;
    }
    visit(schema.items);
    visit(schema.additionalProperties);
    for (const part of schema.allOf ?? []) visit(part);
    for (const property of Object.values(schema.properties ?? {})) visit(property);
  };
  for (const root of roots) visit({ $ref: `#/components/schemas/${root}` });
  return [...seen].sort((a, b) => (nameOf(a) < nameOf(b) ? -1 : 1));
}

/** A TSDoc comment of `text` (and the constraints worth knowing), indented, or nothing. */
function doc(schema: Schema, indent: string): string[] {
  const notes = [
    schema.description?.trim(),
    schema.format === 'date-time' ? 'An ISO-8601 date-time.' : undefined,
    schema.format === 'date' ? 'An ISO-8601 date (`YYYY-MM-DD`).' : undefined,
    schema.format === 'byte' ? 'Base64.' : undefined,
    schema.pattern === undefined ? undefined : `Pattern: \`${schema.pattern}\`.`,
    schema.maxLength === undefined ? undefined : `At most ${schema.maxLength} characters.`,
    schema.deprecated === true ? '@deprecated NgDP marks it deprecated.' : undefined,
  ].filter((note): note is string => note !== undefined && note !== '');
  if (notes.length === 0) return [];
  const lines = notes
    .join('\n\n')
    .replaceAll('*/', '*\\/')
    .split('\n')
    .map((line) => line.trimEnd());
  return [
    `${indent}/**`,
    ...lines.map((line) => `${indent} *${line === '' ? '' : ` ${line}`}`),
    `${indent} */`,
  ];
}

/**
 * Whether a schema is written out where it is used rather than declared: the enums NgDP's generator
 * hoisted from a property under the property's lower-case name (`privileges`, `systemTypes3`).
 */
const inlined = (name: string): boolean => /^[a-z]/.test(name);

let schemas: Record<string, Schema> = {};

/** The TypeScript type of a schema used in place. */
function typeOf(schema: Schema | boolean | undefined): string {
  if (schema === undefined || schema === true || schema === false) return 'unknown';
  if (schema.$ref !== undefined) {
    const name = schema.$ref.split('/').at(-1) as string;
    return inlined(name) ? typeOf(schemas[name]) : nameOf(name);
  }
  if (schema.allOf?.length === 1) return typeOf(schema.allOf[0]);
  if (schema.allOf !== undefined) return schema.allOf.map(typeOf).join(' & ');
  if (schema.enum !== undefined) return schema.enum.map((value) => `'${value}'`).join(' | ');
  switch (schema.type) {
    case 'string':
      return 'string';
    case 'integer':
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'array': {
      const item = typeOf(schema.items);
      return /[ |&]/.test(item) ? `Array<${item}>` : `${item}[]`;
    }
  }
  if (schema.properties !== undefined) return `{ ${fields(schema, '').join(' ')} }`;
  if (schema.additionalProperties !== undefined)
    return `Record<string, ${typeOf(schema.additionalProperties)}>`;
  return 'unknown';
}

const safeName = (name: string): string => (/^[A-Za-z_$][\w$]*$/.test(name) ? name : `'${name}'`);

function fields(schema: Schema, indent: string): string[] {
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties ?? {}).flatMap(([name, property]) => [
    ...doc(property, indent),
    `${indent}${safeName(name)}${required.has(name) ? '' : '?'}: ${typeOf(property)};`,
  ]);
}

/** One schema as an exported interface or type. */
function declaration(name: string, schema: Schema): string[] {
  const exported = nameOf(name);
  const comment = doc({ ...schema, description: schema.description ?? `NgDP's \`${name}\`.` }, '');
  if (schema.properties !== undefined && schema.allOf === undefined)
    return [...comment, `export interface ${exported} {`, ...fields(schema, '  '), '}'];
  return [...comment, `export type ${exported} = ${typeOf({ ...schema, description: undefined })};`];
}

/** The text of `sdk/admin/types.ts` for `spec`. */
export function typesModule(spec: OpenApi): string {
  schemas = spec.components.schemas;
  const names = reachable(spec, rootsOf(spec)).filter((name) => !inlined(name) && !SHARED.includes(name));
  return [
    '/**',
    ` * NgDP's JSON shapes of the organisation-administration operations (API ${spec.info.version}), with`,
    " * NgDP's field names and descriptions. Date-times are ISO-8601 strings as on the wire.",
    ' * Generated by scripts/ngdp-admin-types.ts from the OpenAPI file: do not edit by hand.',
    ' *',
    ' * @module',
    ' */',
    '',
    `export type { ${SHARED.join(', ')} } from '../ngdp/wire.ts';`,
    '',
    ...names.flatMap((name) => [...declaration(name, spec.components.schemas[name] ?? {}), '']),
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const spec = JSON.parse(readFileSync(process.argv[2] ?? SPEC, 'utf8')) as OpenApi;
  writeFileSync(TYPES, typesModule(spec));
}
