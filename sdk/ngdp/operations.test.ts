/**
 * NgDP's operations list and which operation a request is: the list is NgDP's OpenAPI file's, and
 * every path of it is matched to its own operation — no template shadows another.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { operationsOf, queryEnumsOf, SPEC, schemaFieldsOf } from '../../scripts/ngdp-operations.ts';
import { samplePath } from '../../test/support/ngdp-paths.ts';
import { describeWith } from '../../test/support/requirements.ts';
import {
  matchNgdp,
  NGDP_API_VERSION,
  NGDP_OPERATIONS,
  ngdpFields,
  ngdpOperation,
  ngdpPaths,
  operationOf,
} from './operations.ts';
import { NGDP_OPERATION_ROWS, NGDP_QUERY_ENUMS, NGDP_SCHEMA_FIELDS } from './operations-list.ts';

describeWith(
  { shared: ['spec/ngdp-openapi-1.68.json'] },
  "the operations list and NgDP's OpenAPI file",
  () => {
    it('has every operation of the file, and nothing else (node scripts/ngdp-operations.ts makes it)', () => {
      const spec = JSON.parse(readFileSync(SPEC, 'utf8'));
      expect(NGDP_API_VERSION).toBe(spec.info.version);
      expect(NGDP_OPERATION_ROWS).toEqual(operationsOf(spec));
      expect(NGDP_SCHEMA_FIELDS).toEqual(schemaFieldsOf(spec));
      expect(NGDP_QUERY_ENUMS).toEqual(queryEnumsOf(spec));
    });
  },
);

describe("an operation's declared query parameters", () => {
  it('lists what the operation declares, with the generic ones and the schema of its items', () => {
    const contacts = ngdpOperation('queryContacts');
    expect(contacts.query.map((parameter) => parameter.name)).toEqual([
      'id',
      'cprNumber',
      'cvrNumber',
      'lastUpdated',
      'isBulkLookup',
      'page',
      'size',
      'sortFields',
      'any',
      'searchParameters',
      'fields',
    ]);
    expect(contacts.items).toBe('Contact');
  });

  it('says which are required and what their values must be', () => {
    expect(ngdpOperation('sendMemo').query).toEqual([
      { name: 'memo-message-uuid', required: true, value: { kind: 'text' } },
    ]);
    expect(ngdpOperation('listAvailableMemos').query).toEqual([
      { name: 'page', required: false, value: { kind: 'integer' } },
      { name: 'size', required: false, value: { kind: 'integer' } },
      { name: 'sort', required: false, value: { kind: 'array' } },
    ]);
    const eventTag = ngdpOperation('queryEvents').query.find((parameter) => parameter.name === 'eventTag');
    expect(eventTag?.value).toMatchObject({ kind: 'enum' });
    expect(eventTag?.value.kind === 'enum' && eventTag.value.values).toContain('MEMO_SEND_RECEIVED');
  });

  it("declares an exploded query object's properties, each a parameter", () => {
    expect(ngdpOperation('bulkFetchReceipts').query.map((parameter) => parameter.name)).toEqual([
      'page',
      'size',
    ]);
    expect(ngdpOperation('lookupCitizen').query[0]).toEqual({
      name: 'cprNumber',
      required: false,
      value: { kind: 'pattern', pattern: '^(\\d{10})$' },
    });
  });

  it('gives an operation without query parameters none, and no items', () => {
    expect(ngdpOperation('fetchMemo')).toEqual({
      method: 'GET',
      path: '/memos/{id}',
      operationId: 'fetchMemo',
      query: [],
    });
  });
});

describe('ngdpFields', () => {
  it("gives a search's item schema with its nested objects and maps", () => {
    const contact = ngdpFields('Contact');
    expect(contact?.cprNumber).toBe(true);
    expect(contact?.mailboxSubscription).toMatchObject({ publicRegistrationStatus: true });
    expect(ngdpFields('EventLog')?.eventProperties).toEqual({ '*': true });
  });

  it('shares a recursive schema instead of copying it', () => {
    const group = ngdpFields('ContactGroup');
    expect(group?.parent).toBe(group);
  });

  it('knows no schema the searches do not list', () => {
    expect(ngdpFields('NoSuchSchema')).toBeUndefined();
  });
});

describe('matchNgdp', () => {
  it('matches every path of the API to its own operation, for every method it has', () => {
    expect(NGDP_OPERATIONS.length).toBeGreaterThan(150);
    for (const operation of NGDP_OPERATIONS) {
      const match = matchNgdp(operation.method, samplePath(operation.path));
      expect(match.kind === 'operation' && match.operation, `${operation.method} ${operation.path}`).toEqual(
        operation,
      );
    }
  });

  it('prefers a literal segment to a parameter', () => {
    expect(matchNgdp('GET', '/contacts/subscriptions/')).toMatchObject({
      kind: 'operation',
      operation: { operationId: 'fetchContactSubscription' },
    });
    expect(matchNgdp('GET', '/contacts/0101700001')).toMatchObject({
      kind: 'operation',
      operation: { operationId: 'fetchContact' },
      params: { id: '0101700001' },
    });
  });

  it('takes a path with or without its trailing slash, and decodes parameters', () => {
    expect(matchNgdp('GET', '/memos')).toMatchObject({ operation: { operationId: 'listAvailableMemos' } });
    expect(matchNgdp('GET', '/memos/')).toMatchObject({ operation: { operationId: 'listAvailableMemos' } });
    expect(matchNgdp('GET', '/memos/a%20b')).toMatchObject({ params: { id: 'a b' } });
    expect(matchNgdp('GET', '/memos/%E0%A4%A')).toMatchObject({ params: { id: '%E0%A4%A' } });
  });

  it('names the methods of a path that does not have the one asked for', () => {
    expect(matchNgdp('PATCH', '/memos/x')).toEqual({
      kind: 'method-not-allowed',
      path: '/memos/{id}',
      allow: ['GET', 'DELETE'],
    });
  });

  it('knows no path outside the API, and no empty parameter', () => {
    expect(matchNgdp('GET', '/nothing/here')).toEqual({ kind: 'unknown' });
    expect(matchNgdp('POST', '/memos//receipt')).toEqual({ kind: 'unknown' });
  });

  it('lists each path once, every literal before a parameter at the same place', () => {
    const paths = ngdpPaths().map((path) => path.path.replace(/\/$/, ''));
    expect(new Set(paths).size).toBe(paths.length);
    const contacts = paths.indexOf('/contacts/subscriptions');
    expect(contacts).toBeLessThan(paths.indexOf('/contacts/{id}'));
  });
});

describe('operationOf', () => {
  it.each([
    ['POST', '/memos/', 'POST /memos/'],
    ['GET', '/memos/0f0f0f0f-0000-4000-8000-00000000abcd', 'GET /memos/{id}'],
    ['POST', '/memos/x/receipt', 'POST /memos/{id}/receipt'],
    ['GET', '/receipts-bulk/', 'GET /receipts-bulk/'],
    ['GET', '/contacts', 'GET /contacts/'],
    ['GET', '/contacts/subscriptions/', 'GET /contacts/subscriptions/'],
    ['PATCH', '/memos/x', 'PATCH /memos/{id}'],
    ['GET', '/', 'GET /'],
    ['GET', '/a/b/c/d', 'GET /a/b/c/d'],
  ])('names %s %s as %s', (method, path, operation) => {
    expect(operationOf(method, path)).toBe(operation);
  });
});
