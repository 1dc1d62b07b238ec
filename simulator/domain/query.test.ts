/**
 * NgDP's generic query language, as tables: each row a query string (as in a URL: the prefix `&`
 * is `%26` there) and the ids of the items it keeps, in order — over contacts and contact points
 * shaped as NgDP serves them.
 */
import { describe, expect, it } from 'vitest';
import { ngdpFields } from '../../sdk/ngdp/operations.ts';
import { evaluate, type JsonObject, parseQuery, QueryProblem, type QuerySpec } from './query.ts';

const CONTACTS: JsonObject[] = [
  {
    id: 'a',
    version: 3,
    type: 'CITIZEN',
    cprNumber: '0101700001',
    eligibleForVoluntaryRegistration: false,
    mailboxSubscription: {
      registrationStatus: 'AUTOMATIC_REGISTRATION',
      publicRegistrationStatus: 'REGISTERED',
    },
    lastUpdated: '2025-06-02T10:00:00.000Z',
  },
  {
    id: 'b',
    version: 1,
    type: 'CITIZEN',
    cprNumber: '0202800002',
    eligibleForVoluntaryRegistration: true,
    mailboxSubscription: { registrationStatus: 'EXEMPT_OTHER_REASON', publicRegistrationStatus: 'EXEMPT' },
    lastUpdated: '2025-06-01T10:00:00.000Z',
  },
  {
    id: 'c',
    version: 2,
    type: 'COMPANY',
    cvrNumber: '87654321',
    eligibleForVoluntaryRegistration: false,
    mailboxSubscription: {
      registrationStatus: 'AUTOMATIC_REGISTRATION',
      publicRegistrationStatus: 'REGISTERED',
    },
    nemSmsSubscription: { mobileNumber: '20304050' },
    lastUpdated: '2025-06-03T10:00:00.000Z',
  },
];

const POINTS: JsonObject[] = [
  {
    id: 'p1',
    name: 'Borgerservice',
    targets: ['CITIZEN'],
    searchTerms: [{ term: 'pas' }, { term: 'kørekort' }],
  },
  {
    id: 'p2',
    name: 'Byggesag',
    targets: ['COMPANY', 'AUTHORITY'],
    searchTerms: [{ term: 'byggetilladelse' }],
  },
  { id: 'p3', name: 'Skat', targets: ['CITIZEN', 'COMPANY'], searchTerms: [] },
];

const LIMITS = { defaultSize: 20, maxSize: 1000, maxPage: 1_000_000 };

const spec = (schema: string, extra: Partial<QuerySpec> = {}): QuerySpec => ({
  fields: ngdpFields(schema) ?? {},
  filters: true,
  own: [],
  limits: LIMITS,
  ...extra,
});

/** The ids `query` keeps of `items`, in order. */
function idsOf(query: string, items = CONTACTS, schema = 'Contact'): unknown[] {
  const parameters = Object.fromEntries(new URLSearchParams(query));
  return evaluate(parseQuery(parameters, spec(schema)), items).items.map((item) => item.id);
}

describe('field filters', () => {
  it.each([
    ['type=CITIZEN', ['a', 'b']],
    ['type=citizen', ['a', 'b']],
    ['cprNumber=0101700001,0202800002', ['a', 'b']],
    ['type=CITIZEN&mailboxSubscription.publicRegistrationStatus=REGISTERED', ['a']],
    ['mailboxSubscription.registrationStatus=AUTOMATIC_*', ['a', 'c']],
    ['cprNumber=*0001', ['a']],
    ['cprNumber=0101*0001', ['a']],
    ['cprNumber=*', ['a', 'b']],
    ['version=2', ['c']],
    ['eligibleForVoluntaryRegistration=true', ['b']],
    ['nemSmsSubscription.mobileNumber=20304050', ['c']],
    ['type=!COMPANY', ['a', 'b']],
    ['cvrNumber=!87654321', ['a', 'b']],
    ['type=|CITIZEN,|COMPANY', ['a', 'b', 'c']],
    ['cvrNumber=!*', ['a', 'b']],
    ['cprNumber=%260101*,%26*0001', ['a']],
    ['cprNumber=%260101*,%26*0002', []],
    ['type=CITIZEN,COMPANY&version=!1', ['a', 'c']],
    ['lastUpdated=2025-06-0*', ['a', 'b', 'c']],
  ])('%s keeps %j', (query, ids) => {
    expect(idsOf(query)).toEqual(ids);
  });

  it.each([
    ['targets=COMPANY', ['p2', 'p3']],
    ['targets=%26CITIZEN,%26COMPANY', ['p3']],
    ['targets=!CITIZEN', ['p2']],
    ['searchTerms.term=pas', ['p1']],
    ['searchTerms.term=bygge*', ['p2']],
    ['name=B*', ['p1', 'p2']],
  ])('over arrays: %s keeps %j', (query, ids) => {
    expect(idsOf(query, POINTS, 'ContactPoint')).toEqual(ids);
  });

  it('compares with regard to case when asked to', () => {
    const query = parseQuery({ type: 'citizen' }, spec('Contact', { caseSensitive: true }));
    expect(evaluate(query, CONTACTS).items).toEqual([]);
  });

  it('takes the fields of a map, whatever their names', () => {
    const events = [{ id: 'e', eventProperties: { messageUUID: 'm1' } }];
    const query = parseQuery({ 'eventProperties.messageUUID': 'm1' }, spec('EventLog'));
    expect(evaluate(query, events).items).toEqual(events);
  });
});

describe('any', () => {
  it.each([
    ['any=87654321', ['c']],
    ['any=exempt,20304050', ['b', 'c']],
    ['any=0101*', []],
    ['any=3', ['a']],
  ])('%s keeps %j (every field, whole values, no wildcards)', (query, ids) => {
    expect(idsOf(query)).toEqual(ids);
  });
});

describe('sortFields', () => {
  it.each([
    ['sortFields=lastUpdated', ['b', 'a', 'c']],
    ['sortFields=lastUpdated:desc', ['c', 'a', 'b']],
    ['sortFields=version:asc', ['b', 'c', 'a']],
    ['sortFields=type:desc,lastUpdated:desc', ['c', 'a', 'b']],
    ['sortFields=eligibleForVoluntaryRegistration', ['a', 'c', 'b']],
    ['sortFields=cvrNumber', ['c', 'a', 'b']],
    ['sortFields=cvrNumber:desc', ['c', 'a', 'b']],
    ['sortFields=type:DESC', ['c', 'a', 'b']],
  ])('%s orders %j (stable; missing values last)', (query, ids) => {
    expect(idsOf(query)).toEqual(ids);
  });
});

describe('fields', () => {
  it('keeps only the fields named, nested ones with dots; id only if named', () => {
    const query = parseQuery(
      { fields: 'version,mailboxSubscription.publicRegistrationStatus', type: 'COMPANY' },
      spec('Contact'),
    );
    expect(evaluate(query, CONTACTS).items).toEqual([
      { version: 2, mailboxSubscription: { publicRegistrationStatus: 'REGISTERED' } },
    ]);
  });

  it('keeps a nested object whole when it is named, and projects inside arrays', () => {
    const query = parseQuery({ fields: 'id,searchTerms.term', id: 'p1' }, spec('ContactPoint'));
    expect(evaluate(query, POINTS).items).toEqual([
      { id: 'p1', searchTerms: [{ term: 'pas' }, { term: 'kørekort' }] },
    ]);
    const whole = parseQuery({ fields: 'mailboxSubscription', cvrNumber: '87654321' }, spec('Contact'));
    expect(evaluate(whole, CONTACTS).items).toEqual([
      { mailboxSubscription: CONTACTS[2]?.mailboxSubscription },
    ]);
  });
});

describe('page and size', () => {
  it('pages zero-based after filtering and sorting, and counts what matched', () => {
    const query = parseQuery({ page: '1', size: '1', sortFields: 'lastUpdated' }, spec('Contact'));
    expect(evaluate(query, CONTACTS)).toEqual({
      items: [CONTACTS[0]],
      page: 1,
      size: 1,
      totalElements: 3,
      totalPages: 3,
    });
  });

  it('defaults to the first page of the default size', () => {
    expect(parseQuery({}, spec('Contact'))).toMatchObject({ page: 0, size: 20 });
  });

  it('pages by a smaller size when the search is given one (chaos)', () => {
    const query = parseQuery({ size: '3' }, spec('Contact'));
    expect(evaluate(query, CONTACTS, 2)).toMatchObject({
      size: 2,
      totalPages: 2,
      items: [{ id: 'a' }, { id: 'b' }],
    });
  });
});

describe('refusals', () => {
  it.each([
    ['noSuchField=1', 'noSuchField', 'noSuchField is not a field of the items this search lists'],
    ['mailboxSubscription.nope=1', 'mailboxSubscription.nope', 'is not a field'],
    ['cprNumber.x=1', 'cprNumber.x', 'is not a field'],
    ['mailboxSubscription=REGISTERED', 'mailboxSubscription', 'is an object'],
    ['type=CITIZEN,', 'type', 'needs a value'],
    ['type=!', 'type', 'has a prefix but no value'],
    ['sortFields=lastUpdated:up', 'sortFields', 'the order is asc or desc'],
    ['sortFields=nope', 'sortFields', 'is not a field'],
    ['fields=id,nope', 'fields', 'is not a field'],
    ['page=-1', 'page', 'must be an integer from 0 to 1000000'],
    ['page=x', 'page', 'must be an integer'],
    ['size=0', 'size', 'must be an integer from 1 to 1000'],
    ['size=1001', 'size', 'must be an integer from 1 to 1000'],
    ['size=1&size=2', 'size', 'must be given once'],
  ])('%s is refused, naming %s', (query, parameter, message) => {
    const parameters: Record<string, string | string[]> = {};
    for (const [name, value] of new URLSearchParams(query)) {
      const before = parameters[name];
      parameters[name] = before === undefined ? value : [before as string, value];
    }
    let problem: unknown;
    try {
      parseQuery(parameters, spec('Contact'));
    } catch (error) {
      problem = error;
    }
    expect(problem).toBeInstanceOf(QueryProblem);
    expect(problem).toMatchObject({ parameter });
    expect((problem as QueryProblem).message).toContain(message);
  });

  it('refuses field filters and any where the search takes none', () => {
    expect(() => parseQuery({ type: 'CITIZEN' }, spec('Contact', { filters: false }))).toThrow(
      'is not a parameter of this operation',
    );
    expect(() => parseQuery({ any: 'x' }, spec('Contact', { filters: false }))).toThrow(
      'is not a parameter of this operation',
    );
  });

  it("leaves the search's own parameters to it", () => {
    const query = parseQuery(
      { cprNumber: '0101700001', next: 'abc' },
      spec('Contact', { own: ['cprNumber', 'next'] }),
    );
    expect(query.filters).toEqual([]);
  });
});
