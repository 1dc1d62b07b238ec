/**
 * `GET /organisations/`, `GET /organisations/{id}` and `GET /contact-groups/` as any system sees
 * them: NgDP's `Organisation` and `ContactGroup` filled from the seed (organisations, the default
 * seed's contact-group tree, its contact point placed in a group), the operation's own filters, and
 * `page`/`size` — every answer held to its schema in NgDP's OpenAPI file by the contract test.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPENAPI_SPEC } from '../../../test/support/contract.ts';
import { describeWith } from '../../../test/support/requirements.ts';
import {
  call,
  expectErrorMessage,
  keyOf,
  SEED_IDS,
  startTestSimulator,
} from '../../../test/support/simulator.ts';
import { DEFAULT_SEED, type SeedData } from '../../domain/seed.ts';
import type { RunningSimulator } from '../../index.ts';

interface Frame {
  currentPage: number;
  next?: string;
  totalPages: number;
  elementsOnPage: number;
  totalElements: number;
}
type OrganisationBody = Record<string, unknown> & { id: string; name: string };
type GroupBody = Record<string, unknown> & { id: string; name: string; parent?: GroupBody };

describeWith({ shared: [OPENAPI_SPEC] }, 'organisations and contact groups', () => {
  let simulator: RunningSimulator;
  let key: string;

  beforeAll(async () => {
    simulator = await startTestSimulator();
    key = keyOf(simulator, SEED_IDS.senderPull);
  });
  afterAll(() => simulator.stop());

  /** GET `path` as the seeded sender, expecting 200 (the contract test holds the body to its schema). */
  async function get<T>(path: string): Promise<T> {
    const response = await call(`${simulator.apiUrl}${path}`, { apiKey: key });
    expect(response.status, response.text).toBe(200);
    return response.json as T;
  }

  const organisations = (query = '') =>
    get<Frame & { organisations: OrganisationBody[] }>(`/organisations/${query}`);
  const groups = (query = '') => get<Frame & { contactGroups: GroupBody[] }>(`/contact-groups/${query}`);

  describe('GET /organisations/{id}', () => {
    it("answers NgDP's Organisation, filled from the seed", async () => {
      const body = await get<OrganisationBody>(`/organisations/${SEED_IDS.authority}`);

      expect(body).toEqual({
        id: SEED_IDS.authority,
        version: 1,
        transactionId: SEED_IDS.authority,
        createdDate: '2024-01-01T00:00:00.000Z',
        lastUpdated: '2024-01-01T00:00:00.000Z',
        name: 'Testkommune',
        cvrNumber: '12345678',
        type: 'AUTHORITY',
        authorityType: 'MUNICIPALITY',
        authorityTerms: true,
        legalNotificationAllowed: true,
        mandatoryPostAllowed: true,
        logoAvailable: false,
        targets: ['CITIZEN', 'COMPANY', 'AUTHORITY'],
        statusType: 'ACTIVE',
        statusDate: '2024-01-01',
      });
    });

    it('shows a company without the fields only authorities have', async () => {
      const body = await get<OrganisationBody>(`/organisations/${SEED_IDS.companyWithSystem}`);

      expect(body).toMatchObject({ type: 'COMPANY', name: 'Testfirma ApS', mandatoryPostAllowed: false });
      expect(body).not.toHaveProperty('authorityType');
      expect(body).not.toHaveProperty('targets');
    });

    it('answers 404 for an id that names no organisation, a malformed one too', async () => {
      for (const id of ['10000000-0000-4000-8000-000000000099', 'not-an-id']) {
        const response = await call(`${simulator.apiUrl}/organisations/${id}`, { apiKey: key });
        expectErrorMessage(response, 404, 'NOT_FOUND');
      }
    });

    it('asks for an API key like every call: 401 without one', async () => {
      const response = await call(`${simulator.apiUrl}/organisations/${SEED_IDS.authority}`);
      expect(response.status).toBe(401);
    });
  });

  describe('GET /organisations/', () => {
    it('lists every organisation in the frame of a search', async () => {
      const body = await organisations();

      expect(body).toMatchObject({ currentPage: 0, totalPages: 1, elementsOnPage: 3, totalElements: 3 });
      expect(body.organisations.map((o) => o.name)).toEqual([
        'Testkommune',
        'Testfirma ApS',
        'Testbutik ApS',
      ]);
    });

    it('filters by cvrNumber, one or more', async () => {
      const body = await organisations('?cvrNumber=87654321,11223344');
      expect(body.organisations.map((o) => o.cvrNumber)).toEqual(['87654321', '11223344']);
    });

    it('filters by type', async () => {
      const body = await organisations('?type=COMPANY');
      expect(body.organisations.map((o) => o.type)).toEqual(['COMPANY', 'COMPANY']);
    });

    it('filters by name, case-insensitively, with * for any text', async () => {
      expect((await organisations('?name=testkommune')).organisations.map((o) => o.name)).toEqual([
        'Testkommune',
      ]);
      expect((await organisations('?name=test*aps')).totalElements).toBe(2);
      expect((await organisations('?name=Test')).totalElements).toBe(0);
    });

    it('finds by search terms in the name or CVR number, every term narrowing', async () => {
      expect((await organisations('?searchTerm=firma')).organisations.map((o) => o.name)).toEqual([
        'Testfirma ApS',
      ]);
      expect((await organisations('?searchTerm=aps,butik')).totalElements).toBe(1);
      expect((await organisations('?searchTerm=1234')).organisations.map((o) => o.cvrNumber)).toEqual([
        '12345678',
      ]);
    });

    it('pages by page and size, and next names the next page', async () => {
      const first = await organisations('?size=2');
      const second = await organisations(`?next=${encodeURIComponent(first.next as string)}`);
      const last = await organisations('?page=1&size=2');

      expect(first).toMatchObject({ currentPage: 0, totalPages: 2, elementsOnPage: 2, totalElements: 3 });
      expect(last).toEqual(second);
      expect(last).not.toHaveProperty('next');
      expect(last.organisations.map((o) => o.name)).toEqual(['Testbutik ApS']);
    });

    it.each([
      ['type=PERSON', 'type'],
      ['cvrNumber=123', 'cvrNumber'],
      ['size=0', 'size'],
    ])('refuses %s with 400 naming the parameter', async (query, field) => {
      const response = await call(`${simulator.apiUrl}/organisations/?${query}`, { apiKey: key });
      const error = expectErrorMessage(response, 400, 'INVALID_PARAMETER');
      expect(error.fieldErrors).toMatchObject([{ resource: 'query', field }]);
    });
  });

  describe('GET /contact-groups/', () => {
    it("lists the default seed's tree: each group with its organisation, its parent in full and its targets", async () => {
      const body = await groups();

      expect(body).toMatchObject({ currentPage: 0, totalPages: 1, elementsOnPage: 3, totalElements: 3 });
      const [root, citizens, technical] = body.contactGroups;
      expect(root).toMatchObject({
        id: SEED_IDS.contactGroupRoot,
        version: 1,
        name: 'Testkommune',
        description: 'Hele kommunen',
        organisationalUnit: true,
        organisation: { id: SEED_IDS.authority, name: 'Testkommune' },
        targets: ['CITIZEN', 'COMPANY', 'AUTHORITY'],
        postkasseIds: [],
      });
      expect(root).not.toHaveProperty('parent');
      expect(citizens).toMatchObject({
        id: SEED_IDS.contactGroupCitizens,
        name: 'Borger og familie',
        organisationalUnit: false,
        parent: {
          id: SEED_IDS.contactGroupRoot,
          name: 'Testkommune',
          organisation: { id: SEED_IDS.authority },
        },
        targets: ['CITIZEN', 'COMPANY', 'AUTHORITY'],
      });
      expect(technical).toMatchObject({ id: SEED_IDS.contactGroupTechnical, targets: [] });
    });

    it('with isRoot=true lists the groups without a parent, with false the others', async () => {
      expect((await groups('?isRoot=true')).contactGroups.map((g) => g.id)).toEqual([
        SEED_IDS.contactGroupRoot,
      ]);
      expect((await groups('?isRoot=false')).contactGroups.map((g) => g.id)).toEqual([
        SEED_IDS.contactGroupCitizens,
        SEED_IDS.contactGroupTechnical,
      ]);
    });

    it('filters by name, case-insensitively, with * for any text', async () => {
      expect((await groups('?name=teknik*')).contactGroups.map((g) => g.name)).toEqual(['Teknik og miljø']);
    });

    it('pages by page and size', async () => {
      const body = await groups('?page=1&size=2');
      expect(body).toMatchObject({ currentPage: 1, totalPages: 2, elementsOnPage: 1, totalElements: 3 });
      expect(body.contactGroups.map((g) => g.id)).toEqual([SEED_IDS.contactGroupTechnical]);
    });

    it('refuses an isRoot that is neither true nor false with 400', async () => {
      const response = await call(`${simulator.apiUrl}/contact-groups/?isRoot=yes`, { apiKey: key });
      expect(expectErrorMessage(response, 400, 'INVALID_PARAMETER').fieldErrors).toMatchObject([
        { field: 'isRoot' },
      ]);
    });
  });
});

describe('contact groups of a seed file', () => {
  const GROUP = 'aaaaaaaa-0000-4000-8000-000000000001';
  const CHILD = 'aaaaaaaa-0000-4000-8000-000000000002';
  let simulator: RunningSimulator | undefined;
  afterAll(() => simulator?.stop());

  it('are optional: a seed without them has none', async () => {
    const { contactGroups: _, ...older } = DEFAULT_SEED;
    const contactPoints = older.contactPoints.map(({ contactGroupIds: __, ...point }) => point);
    simulator = await startTestSimulator({ seed: { ...older, contactPoints } });
    const response = await call(`${simulator.apiUrl}/contact-groups/`, {
      apiKey: keyOf(simulator, SEED_IDS.senderPull),
    });
    expect(response.json).toMatchObject({ totalElements: 0, contactGroups: [] });
    await simulator.stop();
    simulator = undefined;
  });

  it('are checked: a parent that makes a cycle, or a group of a company, stops the start', async () => {
    const seed = (contactGroups: SeedData['contactGroups']): SeedData => ({ ...DEFAULT_SEED, contactGroups });
    const group = { organisationId: SEED_IDS.authority, name: 'A' };
    await expect(
      startTestSimulator({
        seed: seed([
          { ...group, id: GROUP, parentId: CHILD },
          { ...group, id: CHILD, parentId: GROUP },
        ]),
      }),
    ).rejects.toThrow(/contactGroups: contact group .* is below itself \(CYCLE\)/);
    await expect(
      startTestSimulator({
        seed: seed([{ ...group, id: GROUP, organisationId: SEED_IDS.companyWithSystem }]),
      }),
    ).rejects.toThrow(/contactGroups\[0\]\.organisationId names no authority of the seed/);
  });

  it("are checked where a contact point names them: a group of another organisation's is refused", async () => {
    await expect(
      startTestSimulator({
        seed: {
          ...DEFAULT_SEED,
          contactPoints: [{ ...DEFAULT_SEED.contactPoints[0]!, contactGroupIds: [GROUP] }],
        },
      }),
    ).rejects.toThrow(/contactPoints\[0\]\.contactGroupIds\[0\] names no contact group of its organisation/);
  });
});
