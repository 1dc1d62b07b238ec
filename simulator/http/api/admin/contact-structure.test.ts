/**
 * Administrativ Adgang's contact structure over real HTTP (admin.md §2; docs/admin.md, "Contact
 * structure"): groups and points made at NgDP's paths are what the integration API finds and what
 * routing sends letters by; the portal's field rules, versions and the subtree deletion of a group
 * hold, each refusal NgDP's ErrorMessage with the fields at fault; every change leaves its
 * action-log rows. Stateful behaviour runs against both stores.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { adminCall, mailSystemCommand, seededToken } from '../../../../test/support/admin.ts';
import {
  contactGroupCommand,
  contactPointCommand,
  groupsPath,
  pointsPath,
} from '../../../../test/support/contact-structure.ts';
import {
  type ApiResponse,
  call,
  control,
  expectErrorMessage,
  keyOf,
  letterTo,
  resetSimulator,
  SEED_IDS,
  sendMemo,
  startTestSimulator,
} from '../../../../test/support/simulator.ts';
import type { RunningSimulator } from '../../../index.ts';

interface PointJson {
  id: string;
  version: number;
  name: string;
  active: boolean;
  visible: boolean;
  systemId?: string;
  contactGroups: { id: string; name?: string }[];
  searchTerms: { term: string }[];
}

interface GroupJson {
  id: string;
  version: number;
  name: string;
  parent?: { id: string };
  targets: string[];
}

const AUTHORITY = SEED_IDS.authority;

for (const store of ['memory', 'sqlite'] as const) {
  describe(`the contact structure (${store} store)`, () => {
    let simulator: RunningSimulator;
    let token: string;
    let dataDir: string | undefined;

    beforeAll(async () => {
      dataDir = store === 'sqlite' ? mkdtempSync(join(tmpdir(), 'dp-cstruct-')) : undefined;
      simulator = await startTestSimulator(dataDir === undefined ? {} : { dataDir });
    });

    afterAll(async () => {
      await simulator.stop();
      if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
    });

    beforeEach(async () => {
      await resetSimulator(simulator);
      token = await seededToken(simulator, AUTHORITY);
    });

    const admin = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
      adminCall(simulator, method, path, { token, ...(body === undefined ? {} : { body }), headers });

    async function created<T>(response: ApiResponse): Promise<T> {
      expect(response.status, response.text).toBe(201);
      return response.json as T;
    }
    const createGroup = async (overrides: Record<string, unknown> = {}) =>
      created<GroupJson>(await admin('POST', groupsPath(), contactGroupCommand(overrides)));
    const createPoint = async (overrides: Record<string, unknown> = {}) =>
      created<PointJson>(await admin('POST', pointsPath(), contactPointCommand(overrides)));

    /** The integration API's search, as a sender system makes it. */
    async function integrationSearch(query: string): Promise<string[]> {
      const response = await call(`${simulator.apiUrl}/contact-points/?${query}`, {
        apiKey: keyOf(simulator, SEED_IDS.senderPull),
      });
      expect(response.status, response.text).toBe(200);
      return (response.json as { contactPoints: { id: string }[] }).contactPoints.map((point) => point.id);
    }

    /** A second recipient system of the authority (not the primary one), made in the portal. */
    async function secondRecipient(): Promise<{ id: string; key: string }> {
      const response = await adminCall(simulator, 'POST', `/organisations/${AUTHORITY}/systems/`, {
        token,
        body: mailSystemCommand({ name: 'Byggesagssystem', systemTypes: ['RECIPIENT'] }),
      });
      expect(response.status, response.text).toBe(201);
      const system = response.json as { id: string; apiToken: { authenticationToken: string } };
      return { id: system.id, key: system.apiToken.authenticationToken };
    }

    /** The `Authorization` of the authority's primary recipient system (seeded). */
    const primaryKey = () => `Basic ${keyOf(simulator, SEED_IDS.authorityRecipient)}`;

    /** Sends a letter to the authority's contact point; the messageUUIDs each `Authorization` can fetch. */
    async function letterToPoint(contactPointID: string, keys: string[]): Promise<string[][]> {
      const memo = await letterTo({ cvr: '12345678', contactPoint: { contactPointID } } as { cvr: string });
      expect((await sendMemo(simulator, keyOf(simulator, SEED_IDS.senderPull), memo)).status).toBe(201);
      await simulator.settle();
      return Promise.all(
        keys.map(async (key) => {
          const listed = await call(`${simulator.apiUrl}/memos/?size=1000`, {
            headers: { authorization: key },
          });
          return (listed.json as { content: string[] }).content;
        }),
      );
    }

    it('a point made in the portal is found by the integration search and routes letters to its system', async () => {
      const system = await secondRecipient();
      const point = await createPoint({ systemId: system.id, searchTerms: [{ term: 'Kloakering' }] });
      expect(point).toMatchObject({ version: 1, active: true, visible: true, systemId: system.id });
      expect(await integrationSearch('searchTerm=kloak')).toEqual([point.id]);
      const [second, primary] = await letterToPoint(point.id, [system.key, primaryKey()]);
      expect(second).toHaveLength(1);
      expect(primary).toHaveLength(0);
    });

    it('a deactivated point is not found and its letters go to the primary recipient system', async () => {
      const system = await secondRecipient();
      const point = await createPoint({ systemId: system.id, searchTerms: [{ term: 'Kloakering' }] });
      const changed = await admin(
        'PUT',
        `${pointsPath()}${point.id}`,
        contactPointCommand({ systemId: system.id, searchTerms: [{ term: 'Kloakering' }], active: false }),
        { 'if-match': '1' },
      );
      expect(changed.status, changed.text).toBe(200);
      expect(changed.headers.etag).toBe('"2"');
      expect(await integrationSearch('searchTerm=kloak')).toEqual([]);
      const [second, primary] = await letterToPoint(point.id, [system.key, primaryKey()]);
      expect([second?.length, primary?.length]).toEqual([0, 1]);
    });

    it('a deleted point is gone from the portal, the integration search and routing', async () => {
      const system = await secondRecipient();
      const point = await createPoint({ systemId: system.id, searchTerms: [{ term: 'Kloakering' }] });
      expect(
        (await admin('DELETE', `${pointsPath()}${point.id}`, undefined, { 'if-match': '1' })).status,
      ).toBe(204);
      expectErrorMessage(await admin('GET', `${pointsPath()}${point.id}`), 404, 'NOT_FOUND');
      expect(await integrationSearch('searchTerm=kloak')).toEqual([]);
      const [second, primary] = await letterToPoint(point.id, [system.key, primaryKey()]);
      expect([second?.length, primary?.length]).toEqual([0, 1]);
    });

    it('a group made in the portal is listed by GET contact-groups/ with its parent and the targets of its points', async () => {
      const parent = await createGroup({ name: 'Teknik og Miljø' });
      const child = await createGroup({ name: 'Byggeri', parent: { id: parent.id } });
      await createPoint({ contactGroups: [{ id: child.id }], targets: ['COMPANY'] });
      const listed = await call(`${simulator.apiUrl}/contact-groups/?name=Byggeri`, {
        apiKey: keyOf(simulator, SEED_IDS.senderPull),
      });
      const groups = (listed.json as { contactGroups: GroupJson[] }).contactGroups;
      expect(groups).toHaveLength(1);
      expect(groups[0]).toMatchObject({ id: child.id, parent: { id: parent.id }, targets: ['COMPANY'] });
      const fetched = await admin('GET', `${groupsPath()}${parent.id}`);
      expect(fetched.headers.etag).toBe('"1"');
      expect(fetched.json).toMatchObject({ id: parent.id, targets: ['COMPANY'] });
    });

    it('moves a point between groups and removes it from every group when it is deleted', async () => {
      const first = await createGroup({ name: 'A' });
      const second = await createGroup({ name: 'B' });
      const point = await createPoint({ contactGroups: [{ id: first.id }, { id: second.id }] });
      expect(point.contactGroups.map((group) => group.id)).toEqual([first.id, second.id]);
      const inFirst = await admin('GET', `${pointsPath()}?contactGroupId=${first.id}`);
      expect((inFirst.json as { contactPoints: PointJson[] }).contactPoints.map((each) => each.id)).toEqual([
        point.id,
      ]);
      await admin('DELETE', `${pointsPath()}${point.id}`, undefined, { 'if-match': '*' });
      const after = await admin('GET', `${pointsPath()}?contactGroupId=${first.id},${second.id}`);
      expect((after.json as { totalElements: number }).totalElements).toBe(0);
      expect((await admin('GET', `${groupsPath()}${first.id}`)).json).toMatchObject({ targets: [] });
    });

    it('deletes a group with its subtree, keeping a point that is also placed elsewhere (atomically, once confirmed)', async () => {
      const top = await createGroup({ name: 'Top' });
      const middle = await createGroup({ name: 'Middle', parent: { id: top.id } });
      const other = await createGroup({ name: 'Other' });
      const only = await createPoint({ name: 'Kun her', contactGroups: [{ id: middle.id }] });
      const shared = await createPoint({
        name: 'Også andetsteds',
        contactGroups: [{ id: middle.id }, { id: other.id }],
      });
      const path = `${groupsPath()}${top.id}`;
      expectErrorMessage(
        await admin('DELETE', path, undefined, { 'if-match': '1' }),
        422,
        'CONFIRMATION_REQUIRED',
      );
      expect((await admin('GET', `${pointsPath()}${only.id}`)).status).toBe(200);
      const deleted = await admin('DELETE', path, undefined, { 'if-match': '1', 'x-confirm-delete': 'true' });
      expect(deleted.status, deleted.text).toBe(204);
      for (const id of [top.id, middle.id])
        expect((await admin('GET', `${groupsPath()}${id}`)).status).toBe(404);
      expect((await admin('GET', `${pointsPath()}${only.id}`)).status).toBe(404);
      const kept = (await admin('GET', `${pointsPath()}${shared.id}`)).json as PointJson;
      expect(kept.contactGroups.map((group) => group.id)).toEqual([other.id]);
      expect(kept.version).toBe(2);
      const rows = (await actionLog()).filter((row) => row.event === 'Slettet');
      expect(new Set(rows.map((row) => row.resourceId))).toEqual(new Set([top.id, middle.id, only.id]));
    });

    if (store === 'sqlite')
      it('keeps groups and points, and their versions, across a restart with the same data folder', async () => {
        const group = await createGroup({ name: 'Varig' });
        const point = await createPoint({ name: 'Varigt punkt', contactGroups: [{ id: group.id }] });
        await simulator.stop();
        simulator = await startTestSimulator({ dataDir: dataDir as string });
        token = await seededToken(simulator, AUTHORITY);
        const fetched = await admin('GET', `${pointsPath()}${point.id}`);
        expect(fetched.json).toMatchObject({
          name: 'Varigt punkt',
          version: 1,
          contactGroups: [{ id: group.id }],
        });
        expect((await admin('GET', `${groupsPath()}${group.id}`)).json).toMatchObject({
          name: 'Varig',
          targets: ['CITIZEN', 'COMPANY'],
        });
      });

    it('deletes an empty group without confirmation', async () => {
      const group = await createGroup();
      expect(
        (await admin('DELETE', `${groupsPath()}${group.id}`, undefined, { 'if-match': '1' })).status,
      ).toBe(204);
    });

    it('writes action-log rows under Kontaktstruktur, tagged CONTACT_GROUP_CHANGED / CONTACT_POINT_CHANGED', async () => {
      const group = await createGroup({ name: 'Logget' });
      const point = await createPoint({ name: 'Logget punkt' });
      const rows = await actionLog();
      expect(rows.filter((row) => row.resourceId === group.id)[0]).toMatchObject({
        subject: 'Kontaktstruktur',
        event: 'Oprettet',
        eventTag: 'CONTACT_GROUP_CHANGED',
        actor: 'CVR:12345678-RID:10000001',
      });
      expect(rows.filter((row) => row.resourceId === point.id).map((row) => row.field)).toEqual(
        expect.arrayContaining(['name', 'targets', 'searchTerms', 'systemId']),
      );
    });

    async function actionLog() {
      return (
        (await control(simulator, 'GET', `/action-log/${AUTHORITY}`)).json as {
          rows: {
            subject: string;
            resourceId: string;
            event: string;
            field: string;
            actor: string;
            eventTag: string;
          }[];
        }
      ).rows;
    }
  });
}

describe('the contact structure: rules and refusals', () => {
  let simulator: RunningSimulator;
  let token: string;

  beforeAll(async () => {
    simulator = await startTestSimulator();
  });
  afterAll(() => simulator.stop());
  beforeEach(async () => {
    await resetSimulator(simulator);
    token = await seededToken(simulator, AUTHORITY);
  });

  const admin = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    adminCall(simulator, method, path, { token, ...(body === undefined ? {} : { body }), headers });

  const pointRefusals: [string, Record<string, unknown>, string, string][] = [
    ['a missing name', { name: undefined }, 'name', 'REQUIRED'],
    ['a name over 50 characters', { name: 'x'.repeat(51) }, 'name', 'TOO_LONG'],
    ['a description over 250 characters', { description: 'x'.repeat(251) }, 'description', 'TOO_LONG'],
    ['no targets', { targets: [] }, 'targets', 'REQUIRED'],
    ['an unknown target', { targets: ['UNKNOWN'] }, 'targets', 'NOT_ALLOWED_VALUE'],
    ['no visibility', { visible: undefined }, 'visible', 'REQUIRED'],
    ['no keywords', { searchTerms: [] }, 'searchTerms', 'REQUIRED'],
    [
      'a keyword with special characters',
      { searchTerms: [{ term: 'byg!' }] },
      'searchTerms[0].term',
      'INVALID_FORMAT',
    ],
    [
      'a keyword over 30 characters',
      { searchTerms: [{ term: 'a'.repeat(31) }] },
      'searchTerms[0].term',
      'TOO_LONG',
    ],
    [
      'two KLE codes',
      {
        contactPointCodes: [
          { type: 'KLE', code: '01' },
          { type: 'KLE', code: '02' },
        ],
      },
      'contactPointCodes',
      'TOO_MANY',
    ],
    [
      'eleven custom codes',
      { contactPointCodes: Array.from({ length: 11 }, (_, i) => ({ type: 'CUSTOM', code: `c${i}` })) },
      'contactPointCodes',
      'TOO_MANY',
    ],
    [
      'a GLN that is not 1–13 digits',
      { contactPointCodes: [{ type: 'GLN', code: '12ab' }] },
      'contactPointCodes[0].code',
      'INVALID_FORMAT',
    ],
    [
      'three input fields',
      { recommendedAttributes: [{ name: 'a' }, { name: 'b' }, { name: 'c' }] },
      'recommendedAttributes',
      'TOO_MANY',
    ],
    ['a size over 99.5 MB', { memoSizeThresholdMB: 100 }, 'memoSizeThresholdMB', 'NOT_ALLOWED_VALUE'],
    ['a size of 0 MB', { memoSizeThresholdMB: 0 }, 'memoSizeThresholdMB', 'NOT_ALLOWED_VALUE'],
    [
      'eleven attachments',
      { allowedNumberOfAttachments: 11 },
      'allowedNumberOfAttachments',
      'NOT_ALLOWED_VALUE',
    ],
    [
      'a link that is no URL',
      { reportLink: { label: 'Læs mere', externalLink: 'not a url' } },
      'reportLink.externalLink',
      'INVALID_FORMAT',
    ],
    ['a sender system', { systemId: SEED_IDS.senderPull }, 'systemId', 'NOT_FOUND'],
    ["another organisation's system", { systemId: SEED_IDS.companyRecipient }, 'systemId', 'NOT_FOUND'],
    [
      'an unknown group',
      { contactGroups: [{ id: '00000000-0000-4000-8000-000000000000' }] },
      'contactGroups',
      'NOT_FOUND',
    ],
  ];
  for (const [what, overrides, field, code] of pointRefusals)
    it(`refuses a contact point with ${what} (400, ${field} ${code})`, async () => {
      const response = await admin('POST', pointsPath(), contactPointCommand(overrides));
      const error = expectErrorMessage(response, 400, code);
      expect(error.fieldErrors).toContainEqual(
        expect.objectContaining({ resource: 'ContactPointCommand', field, code }),
      );
    });

  it('refuses a group with every field at fault at once', async () => {
    const response = await admin('POST', groupsPath(), {
      name: 'x'.repeat(51),
      description: '',
      parent: { id: 'nope' },
    });
    const error = expectErrorMessage(response, 400, 'TOO_LONG');
    expect(error.fieldErrors?.map((problem) => [problem.field, problem.code])).toEqual([
      ['name', 'TOO_LONG'],
      ['description', 'REQUIRED'],
      ['parent', 'INVALID_FORMAT'],
    ]);
  });

  it('refuses to place a group under itself or a group below it (400 CYCLE)', async () => {
    const top = (await admin('POST', groupsPath(), contactGroupCommand({ name: 'Top' }))).json as GroupJson;
    const below = (
      await admin('POST', groupsPath(), contactGroupCommand({ name: 'Below', parent: { id: top.id } }))
    ).json as GroupJson;
    for (const parent of [top.id, below.id]) {
      const response = await admin(
        'PUT',
        `${groupsPath()}${top.id}`,
        contactGroupCommand({ parent: { id: parent } }),
        {
          'if-match': '1',
        },
      );
      expect(expectErrorMessage(response, 400, 'CYCLE').fieldErrors).toMatchObject([
        { field: 'parent', code: 'CYCLE' },
      ]);
    }
  });

  it("refuses a parent of another organisation's structure (400 NOT_FOUND)", async () => {
    const companyToken = await seededToken(simulator, SEED_IDS.companyWithSystem);
    expect(companyToken).not.toBe(token);
    const response = await admin(
      'POST',
      groupsPath(),
      contactGroupCommand({ parent: { id: SEED_IDS.contactPoint } }),
    );
    expect(expectErrorMessage(response, 400, 'NOT_FOUND').fieldErrors).toMatchObject([{ field: 'parent' }]);
  });

  it('refuses a change without If-Match (400) or with a stale one (409 VERSION_CONFLICT)', async () => {
    const point = (await admin('POST', pointsPath(), contactPointCommand())).json as PointJson;
    const path = `${pointsPath()}${point.id}`;
    expectErrorMessage(await admin('PUT', path, contactPointCommand()), 400, 'REQUIRED');
    expect((await admin('PUT', path, contactPointCommand({ name: 'Ny' }), { 'if-match': '1' })).status).toBe(
      200,
    );
    expectErrorMessage(
      await admin('PUT', path, contactPointCommand(), { 'if-match': '1' }),
      409,
      'VERSION_CONFLICT',
    );
    expectErrorMessage(await admin('DELETE', path, undefined, { 'if-match': '1' }), 409, 'VERSION_CONFLICT');
    expectErrorMessage(
      await admin('DELETE', `${groupsPath()}${SEED_IDS.contactGroupRoot}`, undefined, { 'if-match': '7' }),
      409,
      'VERSION_CONFLICT',
    );
  });

  it('answers 404 for an id that is no group or point of the organisation', async () => {
    const unknown = '00000000-0000-4000-8000-000000000000';
    expectErrorMessage(await admin('GET', `${groupsPath()}${unknown}`), 404, 'NOT_FOUND');
    expectErrorMessage(await admin('GET', `${pointsPath()}not-a-uuid`), 404, 'NOT_FOUND');
    expectErrorMessage(
      await admin('DELETE', `${pointsPath()}${unknown}`, undefined, { 'if-match': '1' }),
      404,
      'NOT_FOUND',
    );
  });

  it('is refused in another organisation (403 WRONG_CONTEXT)', async () => {
    const response = await admin('GET', groupsPath(SEED_IDS.companyWithSystem));
    expectErrorMessage(response, 403, 'WRONG_CONTEXT');
  });

  it('searches points with the query language: own filters, visibility, field filters, sort and projection', async () => {
    await admin(
      'POST',
      pointsPath(),
      contactPointCommand({ name: 'Affald', searchTerms: [{ term: 'skrald' }] }),
    );
    await admin('POST', pointsPath(), contactPointCommand({ name: 'Skjult', visible: false }));
    await admin('POST', pointsPath(), contactPointCommand({ name: 'Byggesag' }));
    const names = async (query: string) => {
      const response = await admin('GET', `${pointsPath()}?${query}`);
      expect(response.status, response.text).toBe(200);
      return (response.json as { contactPoints: { name?: string }[] }).contactPoints.map(
        (point) => point.name,
      );
    };
    expect(await names('visibility=HIDDEN')).toEqual(['Skjult']);
    expect(await names('visibility=VISIBLE&searchTermOrName=skrald&fields=name')).toEqual(['Affald']);
    expect(await names('name=Byg*,Aff*&sortFields=name:desc')).toEqual(['Byggesag', 'Affald']);
    expect(await names('sortFields=name:asc&size=2')).toHaveLength(2);
    const projected = await admin('GET', `${pointsPath()}?fields=name&name=Affald`);
    expect((projected.json as { contactPoints: unknown[] }).contactPoints).toEqual([{ name: 'Affald' }]);
    expectErrorMessage(await admin('GET', `${pointsPath()}?colour=red`), 400, 'INVALID_PARAMETER');
  });

  it('searches groups by isRoot and visibility (a group is visible when a visible point is in or below it)', async () => {
    const top = (await admin('POST', groupsPath(), contactGroupCommand({ name: 'Synlig top' })))
      .json as GroupJson;
    const below = (
      await admin('POST', groupsPath(), contactGroupCommand({ name: 'Under', parent: { id: top.id } }))
    ).json as GroupJson;
    await admin('POST', groupsPath(), contactGroupCommand({ name: 'Tom' }));
    await admin('POST', pointsPath(), contactPointCommand({ contactGroups: [{ id: below.id }] }));
    const names = async (query: string) =>
      (
        (await admin('GET', `${groupsPath()}?${query}`)).json as { contactGroups: GroupJson[] }
      ).contactGroups.map((group) => group.name);
    expect(await names('isRoot=false&name=Under')).toEqual(['Under']);
    expect(await names('visibility=VISIBLE&name=Synlig*,Under,Tom')).toEqual(['Synlig top', 'Under']);
    expect(await names('visibility=HIDDEN&name=Tom')).toEqual(['Tom']);
  });

  it('lists the postkasse ids of the structure and the postkasseEmneIds under one', async () => {
    await admin('POST', groupsPath(), contactGroupCommand({ postkasseIds: [500] }));
    await admin(
      'POST',
      pointsPath(),
      contactPointCommand({
        translations: [
          { postkasseId: 42, postkasseEmneId: 7 },
          { postkasseId: 42, postkasseEmneId: 3 },
        ],
      }),
    );
    const ids = await admin('GET', `/organisations/${AUTHORITY}/postkasse-ids/`);
    expect(ids.json).toEqual({ postkasseIds: [42, 500] });
    const emner = await admin('GET', `/organisations/${AUTHORITY}/postkasse-ids/42/postkasse-emne-ids/`);
    expect(emner.json).toEqual({ postkasseEmnneIds: [3, 7] });
    expectErrorMessage(
      await admin('GET', `/organisations/${AUTHORITY}/postkasse-ids/9/postkasse-emne-ids/`),
      404,
      'NOT_FOUND',
    );
    expectErrorMessage(
      await admin('GET', `/organisations/${AUTHORITY}/postkasse-ids/x/postkasse-emne-ids/`),
      400,
      'INVALID_FORMAT',
    );
  });

  it('deletes a group with its subtree without the confirmation when admin.confirmGroupDeletion is false', async () => {
    const relaxed = await startTestSimulator({ admin: { confirmGroupDeletion: false } });
    try {
      const relaxedToken = await seededToken(relaxed, AUTHORITY);
      const response = await adminCall(relaxed, 'DELETE', `${groupsPath()}${SEED_IDS.contactGroupRoot}`, {
        token: relaxedToken,
        headers: { 'if-match': '*' },
      });
      expect(response.status, response.text).toBe(204);
    } finally {
      await relaxed.stop();
    }
  });
});
