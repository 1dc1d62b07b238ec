/**
 * The client's response shapes held against NgDP's OpenAPI 1.68.0 (`../shared/spec`): every field a
 * shape checks is a property of the DTO it stands for, with a compatible type — a UUID where the spec
 * says `format: uuid`, the spec's own enum values, nested DTOs and arrays alike. So the checks at the
 * edge never refuse a field NgDP documents, nor invent one it does not.
 */
import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { describeWith } from '../../test/support/requirements.ts';
import { sharedPath } from '../../test/support/shared.ts';
import type { Shape } from '../http/shape.ts';
import {
  bulkReceiptShape,
  contactPointSearchResultShape,
  contactPointShape,
  contactSearchResultShape,
  contactShape,
  contactSubscriptionShape,
  errorMessageShape,
  organisationSubscriptionShape,
  pagingResultUUIDShape,
  receiptSearchResultShape,
  receiptShape,
} from './responses.ts';

const SPEC = 'spec/ngdp-openapi-1.68.json';

interface Schema {
  $ref?: string;
  allOf?: Schema[];
  type?: string;
  format?: string;
  enum?: string[];
  items?: Schema;
  properties?: Record<string, Schema>;
}

describeWith({ shared: [SPEC] }, "the response shapes match NgDP's OpenAPI 1.68.0", () => {
  const spec = JSON.parse(readFileSync(sharedPath(SPEC) as string, 'utf8')) as {
    components: { schemas: Record<string, Schema> };
  };

  /** A schema with its `$ref` and single-entry `allOf` followed. */
  function resolve(schema: Schema): Schema {
    if (schema.$ref !== undefined) {
      const name = schema.$ref.replace('#/components/schemas/', '');
      return resolve(spec.components.schemas[name] as Schema);
    }
    if (schema.allOf?.length === 1) return resolve(schema.allOf[0] as Schema);
    return schema;
  }

  /** Where `shape` disagrees with `schema`, as lines naming the field. */
  function mismatches(shape: Shape<unknown>, schema: Schema, at: string): string[] {
    const target = resolve(schema);
    switch (shape.kind) {
      case 'any':
        return [];
      case 'string':
        return target.type === 'string' ? [] : [`${at}: a string in the client, ${target.type} in the spec`];
      case 'uuid':
        return target.type === 'string' && target.format === 'uuid'
          ? []
          : [`${at}: a UUID in the client, not in the spec`];
      case 'integer':
        return target.type === 'integer'
          ? []
          : [`${at}: an integer in the client, ${target.type} in the spec`];
      case 'number':
        return target.type === 'number' || target.type === 'integer'
          ? []
          : [`${at}: a number in the client, ${target.type} in the spec`];
      case 'boolean':
        return target.type === 'boolean'
          ? []
          : [`${at}: a boolean in the client, ${target.type} in the spec`];
      case 'enum': {
        const values = [...(shape.values ?? [])].sort();
        const documented = [...(target.enum ?? [])].sort();
        return JSON.stringify(values) === JSON.stringify(documented)
          ? []
          : [`${at}: the client takes ${values.join(', ')}, the spec has ${documented.join(', ')}`];
      }
      case 'array':
        return target.type === 'array' && target.items !== undefined
          ? mismatches(shape.items as Shape<unknown>, target.items, `${at}[]`)
          : [`${at}: an array in the client, ${target.type} in the spec`];
      case 'object':
        return Object.entries(shape.fields ?? {}).flatMap(([name, field]) => {
          const property = target.properties?.[name];
          return property === undefined
            ? [`${at}.${name}: checked by the client, not a property in the spec`]
            : mismatches(field.shape, property, `${at}.${name}`);
        });
    }
  }

  test.each([
    ['Receipt', receiptShape],
    ['BulkReceipt', bulkReceiptShape],
    ['ReceiptSearchResult', receiptSearchResultShape],
    ['PagingResultUUID', pagingResultUUIDShape],
    ['Contact', contactShape],
    ['ContactSearchResult', contactSearchResultShape],
    ['ContactPoint', contactPointShape],
    ['ContactPointSearchResult', contactPointSearchResultShape],
    ['ContactSubscription', contactSubscriptionShape],
    ['OrganisationSenderSystemSubscription', organisationSubscriptionShape],
    ['ErrorMessage', errorMessageShape],
  ] as Array<[string, Shape<unknown>]>)('%s', (name, shape) => {
    const schema = spec.components.schemas[name];
    expect(schema, `${name} in the spec`).toBeDefined();
    expect(mismatches(shape, schema as Schema, name)).toEqual([]);
  });
});
