/**
 * The contract check: an answer of the simulator's `/apis/v1` held against NgDP's OpenAPI 1.68.0
 * (`../shared/spec/ngdp-openapi-1.68.json`). The answer's status must be one its operation declares
 * — or one `docs/differences.md` lists under "Statuses NgDP does not declare" — and its JSON body
 * must match the schema declared for that status (ajv, OpenAPI 3.0's formats). An object may carry
 * only the properties its schema names, or those listed under "Fields NgDP does not declare": the
 * schemas allow any others, but a field the simulator invents is one a client could come to rely
 * on and never meet in NgDP.
 *
 * `contract-setup.ts` runs it on every answer the unit tests receive from an in-process simulator.
 */
import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { matchNgdp, NGDP_OPERATIONS } from '../../sdk/ngdp/operations.ts';
import type { ApiResponseMessage } from '../../simulator/http/api-responses.ts';

/** The OpenAPI file, relative to `../shared`. */
export const OPENAPI_SPEC = 'spec/ngdp-openapi-1.68.json';

interface Schema {
  $ref?: string;
  allOf?: Schema[];
  type?: string;
  properties?: Record<string, Schema>;
  additionalProperties?: boolean | Schema;
  items?: Schema;
  [keyword: string]: unknown;
}

interface OpenApiResponse {
  description?: string;
  content?: Record<string, { schema?: Schema }>;
}

/** The parts of the OpenAPI document the check reads. */
export interface OpenApi {
  paths: Record<string, Record<string, { operationId: string; responses: Record<string, OpenApiResponse> }>>;
  components: { schemas: Record<string, Schema> };
}

/** A status an operation answers that NgDP does not declare for it (`*`: every operation). */
export interface StatusDifference {
  operationId: string;
  status: number;
}

/** A property a schema's object may carry beyond those NgDP declares. */
export interface FieldDifference {
  schema: string;
  field: string;
}

export interface DeclaredDifferences {
  statuses: StatusDifference[];
  fields: FieldDifference[];
}

export const STATUSES_HEADING = '## Statuses NgDP does not declare';
export const FIELDS_HEADING = '## Fields NgDP does not declare';

/** The rows of the first table after `heading`, as cells (header and rule left out). */
function tableAfter(markdown: string, heading: string): string[][] {
  const lines = markdown.split('\n');
  const start = lines.findIndex((line) => line.trim() === heading);
  if (start < 0) throw new Error(`docs/differences.md has no section "${heading}"`);
  const rows: string[][] = [];
  let inTable = false;
  for (const line of lines.slice(start + 1)) {
    if (line.startsWith('#')) break;
    if (!line.startsWith('|')) {
      if (inTable) break;
      continue;
    }
    inTable = true;
    rows.push(
      line
        .slice(1, line.trimEnd().endsWith('|') ? line.trimEnd().length - 1 : undefined)
        .split('|')
        .map((cell) => cell.trim()),
    );
  }
  return rows.slice(2);
}

/** The names in a cell: `` `a`, `b` `` → a, b. */
function codeNames(cell: string): string[] {
  return [...cell.matchAll(/`([^`]+)`/g)].map((match) => match[1] as string);
}

/**
 * The differences `docs/differences.md` declares for the contract check: the table under
 * {@link STATUSES_HEADING} (`| operation | status | why |`, the operation `` `operationId` `` or
 * "every operation") and the one under {@link FIELDS_HEADING} (`| schema | field | why |`).
 *
 * @throws Error when a section is missing, or a row names an operation NgDP does not have, a status
 *   that is not a number, or no reason.
 */
export function readDeclaredDifferences(markdown: string): DeclaredDifferences {
  const known = new Set<string>(NGDP_OPERATIONS.map((operation) => operation.operationId));
  const statuses = tableAfter(markdown, STATUSES_HEADING).flatMap(([operations = '', status = '', why]) => {
    const ids = operations === 'every operation' ? ['*'] : codeNames(operations);
    const codes = status.split(',').map((code) => Number(code.trim()));
    if (ids.length === 0 || ids.some((id) => id !== '*' && !known.has(id)))
      throw new Error(`differences.md, "${STATUSES_HEADING}": ${operations} names no operation of NgDP`);
    if (codes.some((code) => !Number.isInteger(code) || code < 100 || code > 599))
      throw new Error(`differences.md, "${STATUSES_HEADING}": ${status} is not a list of statuses`);
    if (!why) throw new Error(`differences.md, "${STATUSES_HEADING}": ${operations} ${status} says no why`);
    return ids.flatMap((operationId) => codes.map((code) => ({ operationId, status: code })));
  });
  const fields = tableAfter(markdown, FIELDS_HEADING).flatMap(([schema = '', field = '', why]) => {
    const [name] = codeNames(schema);
    if (name === undefined || !why)
      throw new Error(`differences.md, "${FIELDS_HEADING}": the row of ${schema} ${field} is incomplete`);
    return codeNames(field).map((one) => ({ schema: name, field: one }));
  });
  return { statuses, fields };
}

const SCHEMAS = 'ngdp';
const REF_PREFIX = '#/components/schemas/';
const ERROR_MESSAGE: Schema = { $ref: `${REF_PREFIX}ErrorMessage` };

/** `schema` with its component `$ref`s pointing into the schema the check adds as {@link SCHEMAS}. */
function rebased<T>(schema: T): T {
  return JSON.parse(JSON.stringify(schema), (key, value) =>
    key === '$ref' && typeof value === 'string' && value.startsWith(REF_PREFIX)
      ? `${SCHEMAS}#/definitions/${value.slice(REF_PREFIX.length)}`
      : value,
  ) as T;
}

/** `$.events[0].channel` for ajv's `/events/0/channel`. */
function jsonPath(pointer: string): string {
  return (
    '$' +
    pointer
      .split('/')
      .slice(1)
      .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
      .map((part) => (/^\d+$/.test(part) ? `[${part}]` : `.${part}`))
      .join('')
  );
}

function describeError(error: ErrorObject): string {
  const detail =
    error.keyword === 'enum'
      ? `${error.message}: ${(error.params as { allowedValues: unknown[] }).allowedValues.join(', ')}`
      : error.message;
  return `${jsonPath(error.instancePath)} ${detail}`;
}

const isJsonType = (type: string | undefined): boolean =>
  type !== undefined && (type === 'application/json' || type.endsWith('+json'));

/** Holds answers of the simulator's `/apis/v1` against NgDP's OpenAPI file. */
export class ContractChecker {
  private readonly spec: OpenApi;
  private readonly statuses: Set<string>;
  private readonly fields: Set<string>;
  private readonly ajv: Ajv;
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(spec: OpenApi, differences: DeclaredDifferences) {
    this.spec = spec;
    this.statuses = new Set(
      differences.statuses.map(({ operationId, status }) => `${operationId} ${status}`),
    );
    this.fields = new Set(differences.fields.map(({ schema, field }) => `${schema}.${field}`));
    this.ajv = new Ajv({ allErrors: true, strict: true });
    addFormats.default(this.ajv);
    this.ajv.addSchema({ $id: SCHEMAS, definitions: rebased(spec.components.schemas) });
  }

  /**
   * What is wrong with an answer, one line each naming the operation, the status, where in the body
   * and what (none: it keeps the contract). An answer to a request that names no operation (an
   * unknown path, a method the path does not have) and one a fault rule or chaos gave are not held
   * against the file: neither is the operation's answer.
   */
  problems(answer: ApiResponseMessage): string[] {
    if (answer.fault === 'status' || answer.fault === 'chaos-503') return [];
    const match = matchNgdp(answer.method, answer.path);
    if (match.kind !== 'operation') return [];
    const { operation } = match;
    const responses =
      this.spec.paths[operation.path]?.[operation.method.toLowerCase()]?.responses ??
      ({} as Record<string, OpenApiResponse>);
    const at = `${operation.operationId} (${operation.method} ${operation.path}) answered ${answer.status}`;
    const declared = responses[String(answer.status)];
    if (declared === undefined) {
      const listed =
        this.statuses.has(`${operation.operationId} ${answer.status}`) ||
        this.statuses.has(`* ${answer.status}`);
      if (!listed)
        return [
          `${at}: NgDP declares ${Object.keys(responses).join(', ')} for it, and docs/differences.md ("${STATUSES_HEADING.slice(3)}") does not list ${answer.status}`,
        ];
      // A refusal NgDP does not declare is still NgDP's ErrorMessage.
      return answer.hasJson && answer.status >= 400
        ? this.bodyProblems(at, 'ErrorMessage', ERROR_MESSAGE, answer.json)
        : [];
    }
    const content = declared.content;
    if (content === undefined || answer.contentType === undefined) return [];
    const mediaType =
      answer.contentType in content
        ? answer.contentType
        : isJsonType(answer.contentType) && 'application/json' in content
          ? 'application/json'
          : '*/*' in content
            ? '*/*'
            : undefined;
    if (mediaType === undefined)
      return [`${at}: the body is ${answer.contentType}, NgDP declares ${Object.keys(content).join(', ')}`];
    const schema = content[mediaType]?.schema;
    if (schema === undefined || !answer.hasJson) return [];
    const key = `${operation.operationId} ${answer.status} ${mediaType}`;
    // Many operations declare for 401 and 403 the schema of their 200 (how the file was generated):
    // a refusal must fit it, but is NgDP's ErrorMessage, whose fields it may carry.
    const fields = answer.status >= 400 ? ERROR_MESSAGE : schema;
    // An answer projected with `fields` lacks required properties on purpose.
    const projected = answer.projected && answer.status < 300;
    return [
      ...this.bodyProblems(at, key, schema, answer.json, fields, projected),
      ...(fields === schema ? [] : this.bodyProblems(at, 'ErrorMessage', ERROR_MESSAGE, answer.json, fields)),
    ].filter((problem, i, all) => all.indexOf(problem) === i);
  }

  /** How `body` breaks `schema`, and the properties it carries that `fields` does not name. */
  private bodyProblems(
    at: string,
    key: string,
    schema: Schema,
    body: unknown,
    fields = schema,
    projected = false,
  ): string[] {
    let validate = this.validators.get(key);
    if (validate === undefined) {
      validate = this.ajv.compile(rebased(schema));
      this.validators.set(key, validate);
    }
    const problems = validate(body)
      ? []
      : (validate.errors ?? [])
          .filter((error) => !(projected && error.keyword === 'required'))
          .map(describeError);
    problems.push(...this.undeclared(fields, body, '$', undefined));
    return problems.map((problem) => `${at}: ${problem}`);
  }

  /** A component's schema by `$ref`, and single-entry `allOf`s followed; with the component's name. */
  private resolve(schema: Schema, name: string | undefined): { schema: Schema; name: string | undefined } {
    if (schema.$ref?.startsWith(REF_PREFIX)) {
      const component = schema.$ref.slice(REF_PREFIX.length);
      return this.resolve(this.spec.components.schemas[component] ?? {}, component);
    }
    if (schema.allOf?.length === 1) return this.resolve(schema.allOf[0] as Schema, name);
    return { schema, name };
  }

  /** The properties of `value` that its schema does not name (and differences.md does not list). */
  private undeclared(given: Schema, value: unknown, path: string, outer: string | undefined): string[] {
    const { schema, name } = this.resolve(given, outer);
    if (Array.isArray(value))
      return schema.items === undefined
        ? []
        : value.flatMap((item, i) =>
            this.undeclared(schema.items as Schema, item, `${path}[${i}]`, undefined),
          );
    if (typeof value !== 'object' || value === null || schema.properties === undefined) return [];
    return Object.entries(value).flatMap(([field, item]) => {
      const property = schema.properties?.[field];
      if (property !== undefined) return this.undeclared(property, item, `${path}.${field}`, undefined);
      if (typeof schema.additionalProperties === 'object')
        return this.undeclared(schema.additionalProperties, item, `${path}.${field}`, undefined);
      if (name !== undefined && this.fields.has(`${name}.${field}`)) return [];
      return [
        `${path}.${field} is not a property of ${name ?? 'the schema'} (docs/differences.md, "${FIELDS_HEADING.slice(3)}", does not list it)`,
      ];
    });
  }
}

/** The check over the OpenAPI file at `specPath` and this repository's docs/differences.md. */
export function loadContractChecker(specPath: string): ContractChecker {
  const spec = JSON.parse(readFileSync(specPath, 'utf8')) as OpenApi;
  const differences = readDeclaredDifferences(
    readFileSync(new URL('../../docs/differences.md', import.meta.url), 'utf8'),
  );
  return new ContractChecker(spec, differences);
}
