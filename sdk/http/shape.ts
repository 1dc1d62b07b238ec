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

/** Where a value fails its shape, relative to the value checked, and what was expected there. */
export interface Mismatch {
  /** `.receipts[3].receiptStatus`; empty for the value itself. */
  path: string;
  expected: string;
  value: unknown;
}

export interface Shape<T> {
  readonly kind: 'string' | 'uuid' | 'integer' | 'number' | 'boolean' | 'enum' | 'object' | 'array' | 'any';
  /** For `enum`: the values taken. */
  readonly values?: readonly string[];
  /** For `object`: its checked fields, and whether each is required. */
  readonly fields?: Readonly<Record<string, Field>>;
  /** For `array`: the shape of its items. */
  readonly items?: Shape<unknown>;
  /**
   * Where `value` fails the shape, or undefined when it fits. Nothing is allocated while the value
   * fits: the path is built only on the way out of a mismatch.
   */
  check(value: unknown): Mismatch | undefined;
  /**
   * `value`, typed, when it fits.
   *
   * @throws ShapeError naming where it does not, from `at` (`$`).
   */
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

/** A shape from its kind and check; `read` is the same for every shape. */
function shape<T>(kind: Shape<T>['kind'], check: Shape<T>['check'], extra: Partial<Shape<T>> = {}): Shape<T> {
  return {
    kind,
    ...extra,
    check,
    read(value, at) {
      const mismatch = check(value);
      if (mismatch !== undefined)
        throw new ShapeError(
          `${at}${mismatch.path} must be ${mismatch.expected}, got ${describeValue(mismatch.value)}`,
        );
      return value as T;
    },
  };
}

const mismatch = (expected: string, value: unknown): Mismatch => ({ path: '', expected, value });

export const string: Shape<string> = shape('string', (value) =>
  typeof value === 'string' ? undefined : mismatch('a string', value),
);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const uuid: Shape<string> = shape('uuid', (value) =>
  typeof value === 'string' && UUID.test(value) ? undefined : mismatch('a UUID', value),
);

/** A non-negative integer (page numbers, counts). */
export const integer: Shape<number> = shape('integer', (value) =>
  Number.isSafeInteger(value) && (value as number) >= 0
    ? undefined
    : mismatch('a non-negative integer', value),
);

export const number: Shape<number> = shape('number', (value) =>
  typeof value === 'number' && Number.isFinite(value) ? undefined : mismatch('a number', value),
);

export const boolean: Shape<boolean> = shape('boolean', (value) =>
  typeof value === 'boolean' ? undefined : mismatch('true or false', value),
);

/** Anything (fields the SDK passes on without reading). */
export const any: Shape<unknown> = shape('any', () => undefined);

export function oneOf<const V extends string>(values: readonly V[]): Shape<V> {
  const allowed = new Set<string>(values);
  const expected = `one of ${values.join(', ')}`;
  return shape<V>(
    'enum',
    (value) => (typeof value === 'string' && allowed.has(value) ? undefined : mismatch(expected, value)),
    { values },
  );
}

/** An array of `item`s. */
export function array<T>(item: Shape<T>): Shape<T[]> {
  return shape<T[]>(
    'array',
    (value) => {
      if (!Array.isArray(value)) return mismatch('an array', value);
      for (let index = 0; index < value.length; index++) {
        const found = item.check(value[index]);
        if (found !== undefined) {
          found.path = `[${index}]${found.path}`;
          return found;
        }
      }
      return undefined;
    },
    { items: item as Shape<unknown> },
  );
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
    fields[name] = 'check' in field ? { shape: field, required: true } : field;
  const entries = Object.entries(fields);
  return shape<ObjectOf<F>>(
    'object',
    (value) => {
      if (typeof value !== 'object' || value === null || Array.isArray(value))
        return mismatch('an object', value);
      const record = value as Record<string, unknown>;
      for (const [name, field] of entries) {
        const member = record[name];
        if (member === undefined || (member === null && !field.required)) {
          if (field.required) return { path: `.${name}`, expected: 'present', value: member };
          if (member === null) delete record[name];
          continue;
        }
        const found = field.shape.check(member);
        if (found !== undefined) {
          found.path = `.${name}${found.path}`;
          return found;
        }
      }
      return undefined;
    },
    { fields },
  );
}
