/**
 * Checking the shape of a JSON answer at the edge, before anything else reads it: small composable
 * readers (`string`, `uuid`, `integer`, `oneOf`, `object`, `array`) that either return the value,
 * typed, or throw a {@link ShapeError} naming where (`$.receipts[3].receiptStatus`) and what was
 * wrong. Objects keep the fields they do not name (NgDP's DTOs carry extension data). Each reader
 * also describes itself (`kind`, `fields`, `values`) so that a test can hold the shapes against
 * NgDP's OpenAPI file.
 */

/** A value is not the shape expected; the transport turns it into an UnexpectedResponseError. */
export class ShapeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ShapeError';
  }
}

export interface Shape<T> {
  readonly kind: 'string' | 'uuid' | 'integer' | 'number' | 'boolean' | 'enum' | 'object' | 'array' | 'any';
  /** For `enum`: the values taken. */
  readonly values?: readonly string[];
  /** For `object`: its checked fields, and whether each is required. */
  readonly fields?: Readonly<Record<string, Field>>;
  /** For `array`: the shape of its items. */
  readonly items?: Shape<unknown>;
  read(value: unknown, at: string): T;
}

export interface Field {
  shape: Shape<unknown>;
  required: boolean;
}

/** What a value is, for a message: `a string`, `null`, `an array`, `the number 3`. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'string':
      return value.length > 40 ? 'a long string' : `the string ${JSON.stringify(value)}`;
    case 'number':
    case 'boolean':
      return `${typeof value} ${String(value)}`;
    case 'undefined':
      return 'nothing';
    default:
      return `an ${typeof value}`;
  }
}

function fail(at: string, expected: string, value: unknown): never {
  throw new ShapeError(`${at} must be ${expected}, got ${describeValue(value)}`);
}

export const string: Shape<string> = {
  kind: 'string',
  read(value, at) {
    return typeof value === 'string' ? value : fail(at, 'a string', value);
  },
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const uuid: Shape<string> = {
  kind: 'uuid',
  read(value, at) {
    return typeof value === 'string' && UUID.test(value) ? value : fail(at, 'a UUID', value);
  },
};

/** A non-negative integer (page numbers, counts). */
export const integer: Shape<number> = {
  kind: 'integer',
  read(value, at) {
    return Number.isSafeInteger(value) && (value as number) >= 0
      ? (value as number)
      : fail(at, 'a non-negative integer', value);
  },
};

export const number: Shape<number> = {
  kind: 'number',
  read(value, at) {
    return typeof value === 'number' && Number.isFinite(value) ? value : fail(at, 'a number', value);
  },
};

export const boolean: Shape<boolean> = {
  kind: 'boolean',
  read(value, at) {
    return typeof value === 'boolean' ? value : fail(at, 'true or false', value);
  },
};

/** Anything (fields the SDK passes on without reading). */
export const any: Shape<unknown> = { kind: 'any', read: (value) => value };

export function oneOf<const V extends string>(values: readonly V[]): Shape<V> {
  const allowed = new Set<string>(values);
  return {
    kind: 'enum',
    values,
    read(value, at) {
      return typeof value === 'string' && allowed.has(value)
        ? (value as V)
        : fail(at, `one of ${values.join(', ')}`, value);
    },
  };
}

/** An array of `item`s. */
export function array<T>(item: Shape<T>): Shape<T[]> {
  return {
    kind: 'array',
    items: item,
    read(value, at) {
      if (!Array.isArray(value)) fail(at, 'an array', value);
      for (const [index, element] of value.entries()) item.read(element, `${at}[${index}]`);
      return value as T[];
    },
  };
}

/** Marks a field of {@link object} as optional: absent (or null) is fine, anything else is checked. */
export function optional<T>(shape: Shape<T>): Field & { shape: Shape<T | undefined> } {
  return { shape: shape as Shape<T | undefined>, required: false };
}

type FieldSpec = Shape<unknown> | Field;
type Value<S> = S extends Field & { shape: Shape<infer T> } ? T : S extends Shape<infer T> ? T : never;
type Required<F> = { [K in keyof F as F[K] extends Field ? never : K]: Value<F[K]> };
type Optional<F> = { [K in keyof F as F[K] extends Field ? K : never]?: Value<F[K]> };
export type ObjectOf<F> = Required<F> & Optional<F>;

/**
 * An object with these fields (a bare shape is required, {@link optional} is not); other fields are
 * kept as they are. An optional field that is `null` is taken as absent and removed, so that the
 * result's types hold.
 */
export function object<const F extends Record<string, FieldSpec>>(spec: F): Shape<ObjectOf<F>> {
  const fields: Record<string, Field> = {};
  for (const [name, field] of Object.entries(spec))
    fields[name] = 'read' in field ? { shape: field, required: true } : field;
  return {
    kind: 'object',
    fields,
    read(value, at) {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(at, 'an object', value);
      const record = value as Record<string, unknown>;
      for (const [name, field] of Object.entries(fields)) {
        const member = record[name];
        if (member === undefined || (member === null && !field.required)) {
          if (field.required) fail(`${at}.${name}`, 'present', member);
          delete record[name];
          continue;
        }
        field.shape.read(member, `${at}.${name}`);
      }
      return record as ObjectOf<F>;
    },
  };
}
