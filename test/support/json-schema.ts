/**
 * A small JSON Schema checker — the keywords the report schemas use (type, enum, required,
 * properties, additionalProperties, items, minimum) — so that a report's shape is tested against
 * a schema written as the spec writes it, without a validator dependency.
 */
type JsonType = 'object' | 'array' | 'string' | 'number' | 'integer' | 'boolean' | 'null';

export interface Schema {
  type?: JsonType | JsonType[];
  enum?: readonly unknown[];
  required?: readonly string[];
  properties?: Readonly<Record<string, Schema>>;
  additionalProperties?: boolean;
  items?: Schema;
  minimum?: number;
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

/** Every way `value` breaks `schema`, as `$.path: problem` lines (none: it conforms). */
export function schemaProblems(schema: Schema, value: unknown, path = '$'): string[] {
  const problems: string[] = [];
  const actual = typeOf(value);
  if (schema.type !== undefined) {
    const allowed = Array.isArray(schema.type) ? schema.type : [schema.type];
    const fits = allowed.some((type) => type === actual || (type === 'number' && actual === 'integer'));
    if (!fits) return [`${path}: is ${actual}, not ${allowed.join(' or ')}`];
  }
  if (schema.enum !== undefined && !schema.enum.includes(value))
    problems.push(`${path}: ${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`);
  if (schema.minimum !== undefined && typeof value === 'number' && value < schema.minimum)
    problems.push(`${path}: ${value} is below ${schema.minimum}`);
  if (actual === 'object') {
    const object = value as Record<string, unknown>;
    for (const name of schema.required ?? [])
      if (!(name in object)) problems.push(`${path}: ${name} is missing`);
    for (const [name, item] of Object.entries(object)) {
      const property = schema.properties?.[name];
      if (property !== undefined) problems.push(...schemaProblems(property, item, `${path}.${name}`));
      else if (schema.additionalProperties === false) problems.push(`${path}: ${name} is not in the schema`);
    }
  }
  if (actual === 'array' && schema.items !== undefined) {
    (value as unknown[]).forEach((item, index) => {
      problems.push(...schemaProblems(schema.items as Schema, item, `${path}[${index}]`));
    });
  }
  return problems;
}
