/**
 * The admin client's contact structure against a real simulator: `contactGroups`, `contactPoints`
 * (every method, lists page after page with `for await`, changes with the version a fetch gave),
 * the postkasse ids of `organisation`, the CSV export and import of `contactStructure`, and
 * NgDP's refusals as the SDK's error classes.
 */
import { describe, expect, it } from 'vitest';
import type { RunningSimulator } from '../../simulator/index.ts';
import { seededEmployee } from '../../test/support/admin.ts';
import { adminClientHooks, all } from '../../test/support/admin-client.ts';
import { SEED_IDS } from '../../test/support/simulator.ts';
import {
  BadRequestError,
  ConflictError,
  NotFoundError,
  PermissionDeniedError,
  UnprocessableEntityError,
} from '../errors.ts';
import { AdminClient } from './client.ts';
import type { ContactGroupCommand, ContactPointCommand } from './types.ts';

let simulator: RunningSimulator;
let admin: AdminClient;
const AUTHORITY = SEED_IDS.authority;

const group = (name: string, more: ContactGroupCommand = {}): ContactGroupCommand => ({
  name,
  description: `Henvendelser om ${name.toLowerCase()}`,
  ...more,
});

const point = (name: string, more: ContactPointCommand = {}): ContactPointCommand => ({
  name,
  description: 'Spørgsmål om din byggesag',
  targets: ['CITIZEN', 'COMPANY'],
  visible: true,
  active: true,
  searchTerms: [{ term: 'byggetilladelse' }],
  systemId: SEED_IDS.authorityRecipient,
  ...more,
});

adminClientHooks(async (started, client) => {
  simulator = started;
  admin = client;
});

describe('contact groups', () => {
  it('creates a group under a parent, fetches it and lists it among the groups', async () => {
    const created = await admin.contactGroups.create(
      AUTHORITY,
      group('Byggeri', { parent: { id: SEED_IDS.contactGroupRoot }, postkasseIds: [500] }),
    );
    const fetched = await admin.contactGroups.get(AUTHORITY, created.id as string);
    const listed = await all(admin.contactGroups.list(AUTHORITY, { isRoot: false }));

    expect(created).toMatchObject({ name: 'Byggeri', version: 1, postkasseIds: [500] });
    expect(fetched).toMatchObject({
      id: created.id,
      parent: { id: SEED_IDS.contactGroupRoot },
      organisation: { id: AUTHORITY },
    });
    expect(listed.map((each) => each.id)).toContain(created.id);
  });

  it('lists every group with for await, page after page, with the query language', async () => {
    for (let n = 0; n < 5; n++) await admin.contactGroups.create(AUTHORITY, group(`Afdeling ${n}`));
    const { data: groups, responses } = await admin.withResponse((client) =>
      all(
        client.contactGroups.list(AUTHORITY, {
          pageSize: 2,
          filters: { name: 'Afdeling*' },
          sortFields: 'name:desc',
        }),
      ),
    );

    expect(groups.map((each) => each.name)).toEqual([4, 3, 2, 1, 0].map((n) => `Afdeling ${n}`));
    expect(responses).toHaveLength(3);
  });

  it('renames a group with the version its fetch gave, and refuses the stale version as a ConflictError', async () => {
    const created = await admin.contactGroups.create(AUTHORITY, group('Skoler'));
    const fetched = await admin.contactGroups.get(AUTHORITY, created.id as string);
    const renamed = await admin.contactGroups.update(AUTHORITY, created.id as string, group('Skole og SFO'), {
      ifMatch: fetched,
    });

    expect(renamed).toMatchObject({ name: 'Skole og SFO', version: 2 });
    await expect(
      admin.contactGroups.update(AUTHORITY, created.id as string, group('Igen'), { ifMatch: fetched }),
    ).rejects.toMatchObject({ constructor: ConflictError, status: 409, code: 'VERSION_CONFLICT' });
  });

  it('deletes an empty group, and a group with points below it only when confirm is given', async () => {
    const empty = await admin.contactGroups.create(AUTHORITY, group('Tom'));
    await admin.contactGroups.delete(AUTHORITY, empty.id as string, { ifMatch: empty });
    const full = await admin.contactGroups.create(AUTHORITY, group('Fuld'));
    const inside = await admin.contactPoints.create(
      AUTHORITY,
      point('Indeni', { contactGroups: [{ id: full.id as string }] }),
    );

    await expect(admin.contactGroups.get(AUTHORITY, empty.id as string)).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(
      admin.contactGroups.delete(AUTHORITY, full.id as string, { ifMatch: full }),
    ).rejects.toMatchObject({
      constructor: UnprocessableEntityError,
      status: 422,
      code: 'CONFIRMATION_REQUIRED',
    });
    await admin.contactGroups.delete(AUTHORITY, full.id as string, { ifMatch: full, confirm: true });
    await expect(admin.contactPoints.get(AUTHORITY, inside.id as string)).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });

  it('refuses a group with its fields at fault as a BadRequestError naming each field', async () => {
    const failure = await admin.contactGroups
      .create(AUTHORITY, { name: '', description: 'x'.repeat(256) })
      .catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(BadRequestError);
    expect((failure as BadRequestError).fieldErrors.map((field) => field.field)).toEqual(
      expect.arrayContaining(['name', 'description']),
    );
  });

  it("refuses another organisation's structure as a PermissionDeniedError, an unknown group as a NotFoundError", async () => {
    await expect(all(admin.contactGroups.list(SEED_IDS.companyWithSystem))).rejects.toMatchObject({
      constructor: PermissionDeniedError,
      code: 'WRONG_CONTEXT',
    });
    await expect(
      admin.contactGroups.get(AUTHORITY, '00000000-0000-4000-8000-000000000000'),
    ).rejects.toMatchObject({ constructor: NotFoundError, status: 404 });
  });
});

describe('contact points', () => {
  it('creates a point in a group, fetches it and finds it by search term and group', async () => {
    const created = await admin.contactPoints.create(
      AUTHORITY,
      point('Byggetilladelse', { contactGroups: [{ id: SEED_IDS.contactGroupTechnical }] }),
    );
    const fetched = await admin.contactPoints.get(AUTHORITY, created.id as string);
    const found = await all(
      admin.contactPoints.list(AUTHORITY, {
        searchTerm: 'byggetill',
        contactGroupId: SEED_IDS.contactGroupTechnical,
        fields: ['id', 'name'],
      }),
    );

    expect(fetched).toMatchObject({
      id: created.id,
      version: 1,
      name: 'Byggetilladelse',
      contactGroups: [expect.objectContaining({ id: SEED_IDS.contactGroupTechnical })],
    });
    expect(found).toEqual([{ id: created.id, name: 'Byggetilladelse' }]);
  });

  it('lists every point with for await, page after page, each once', async () => {
    for (let n = 0; n < 5; n++) await admin.contactPoints.create(AUTHORITY, point(`Punkt ${n}`));
    const { data: points, responses } = await admin.withResponse((client) =>
      all(client.contactPoints.list(AUTHORITY, { pageSize: 2, visibility: 'ALL' })),
    );

    expect(points.map((each) => each.name)).toEqual(expect.arrayContaining(['Punkt 0', 'Punkt 4']));
    expect(new Set(points.map((each) => each.id)).size).toBe(points.length);
    expect(responses).toHaveLength(Math.ceil(points.length / 2));
  });

  it('changes a point with the version it has, refuses a stale one, and deletes it', async () => {
    const created = await admin.contactPoints.create(AUTHORITY, point('Før'));
    const changed = await admin.contactPoints.update(AUTHORITY, created.id as string, point('Efter'), {
      ifMatch: created,
    });

    expect(changed).toMatchObject({ name: 'Efter', version: 2 });
    await expect(
      admin.contactPoints.delete(AUTHORITY, created.id as string, { ifMatch: created }),
    ).rejects.toMatchObject({ constructor: ConflictError, code: 'VERSION_CONFLICT' });
    await admin.contactPoints.delete(AUTHORITY, created.id as string, { ifMatch: changed });
    await expect(admin.contactPoints.get(AUTHORITY, created.id as string)).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });

  it('refuses a point with its fields at fault as a BadRequestError naming each field', async () => {
    const failure = await admin.contactPoints
      .create(AUTHORITY, point('', { searchTerms: [{ term: 'hvad?!' }] }))
      .catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(BadRequestError);
    expect((failure as BadRequestError).fieldErrors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: 'name', code: 'REQUIRED' }),
        expect.objectContaining({ field: 'searchTerms[0].term', code: 'INVALID_FORMAT' }),
      ]),
    );
  });

  it("refuses a company's employee as a PermissionDeniedError (contact structures are authorities')", async () => {
    const company = await AdminClient.login(
      { baseUrl: simulator.apiUrl },
      seededEmployee(simulator, SEED_IDS.companyWithSystem),
    );

    await expect(all(company.contactPoints.list(SEED_IDS.companyWithSystem))).rejects.toMatchObject({
      constructor: PermissionDeniedError,
      status: 403,
      code: 'AUTHORITY_ONLY',
    });
  });
});

describe('postkasse ids', () => {
  it("lists the structure's postkasse ids and the postkasseEmneIds under one; an unknown one is a NotFoundError", async () => {
    await admin.contactGroups.create(AUTHORITY, group('Post', { postkasseIds: [500] }));
    await admin.contactPoints.create(
      AUTHORITY,
      point('Oversat', {
        translations: [
          { postkasseId: 42, postkasseEmneId: 7 },
          { postkasseId: 42, postkasseEmneId: 3 },
        ],
      }),
    );

    expect(await admin.organisation.postkasseIds(AUTHORITY)).toEqual([42, 500]);
    expect(await admin.organisation.postkasseEmneIds(AUTHORITY, '42')).toEqual([3, 7]);
    await expect(admin.organisation.postkasseEmneIds(AUTHORITY, '9')).rejects.toMatchObject({
      constructor: NotFoundError,
      code: 'NOT_FOUND',
    });
  });
});

describe('the contact structure as CSV', () => {
  it('exports the structure, and an import of the export with a row added (CRLF after LF) makes that row only', async () => {
    const csv = await admin.contactStructure.export(AUTHORITY);
    const header = csv.split(/\r?\n/)[0] as string;
    const columns = header.split(',');
    const row = columns.map((column) =>
      column === 'Type'
        ? 'GROUP'
        : column === 'Name'
          ? 'Skoler'
          : column === 'Description'
            ? 'Skoler og SFO'
            : '',
    );
    const imported = await admin.contactStructure.import(
      AUTHORITY,
      `${csv.trimEnd()}\r\n${row.join(',')}\r\n`,
    );

    expect(header).toMatch(/^Type,ID,Parent ID,Name,Description,/);
    expect(imported).toEqual({ groupsCreated: 1, groupsUpdated: 0, pointsCreated: 0, pointsUpdated: 0 });
    expect(
      (await all(admin.contactGroups.list(AUTHORITY, { filters: { name: 'Skoler' } }))).map(
        (each) => each.name,
      ),
    ).toEqual(['Skoler']);
  });

  it('refuses a file with a row at fault as a BadRequestError naming the row and column, changing nothing', async () => {
    const before = await admin.contactStructure.export(AUTHORITY);
    const failure = await admin.contactStructure
      .import(AUTHORITY, 'Type,ID,Name,Description\r\nGROUP,,,Uden navn\r\n')
      .catch((error: unknown) => error);

    expect(failure).toMatchObject({ constructor: BadRequestError, code: 'INVALID_IMPORT' });
    expect((failure as BadRequestError).fieldErrors).toContainEqual(
      expect.objectContaining({ resource: 'row 2', field: 'Name', code: 'REQUIRED' }),
    );
    expect(await admin.contactStructure.export(AUTHORITY)).toBe(before);
  });

  it("refuses another organisation's structure as a PermissionDeniedError", async () => {
    await expect(admin.contactStructure.export(SEED_IDS.companyWithSystem)).rejects.toMatchObject({
      constructor: PermissionDeniedError,
      code: 'WRONG_CONTEXT',
    });
  });
});
