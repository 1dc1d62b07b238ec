/**
 * The contact structure's export and import over real HTTP (admin.md §2.5; docs/admin.md, "Export
 * and import"): `GET|PUT /admin/v1/organisations/{organisationId}/contact-structure`. An exported
 * sheet imports back to the same structure; a file with any bad row changes nothing and names each
 * problem by row and column; a file holds at most 2,000 groups and 2,000 points; the calls need the
 * contact-structure right, as the operations at NgDP's paths do. Both stores.
 */

import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { adminCall, createEmployee, login, seededToken } from '../../../test/support/admin.ts';
import {
  contactGroupCommand,
  contactPointCommand,
  groupsPath,
  pointsPath,
} from '../../../test/support/contact-structure.ts';
import {
  type ApiResponse,
  call,
  expectErrorMessage,
  resetSimulator,
  SEED_IDS,
  startTestSimulator,
} from '../../../test/support/simulator.ts';
import type { RunningSimulator } from '../../index.ts';

const AUTHORITY = SEED_IDS.authority;
const HEADER =
  'Type,ID,Parent ID,Name,Description,Internal description,Organisational unit,Postkasse IDs,Targets,Visible,Active,System ID,Max size MB,Max attachments,Search terms,Input field 1,Input field 2,Codes,Translations,Link heading,Link description,Link text,Link URL';

function structureUrl(simulator: RunningSimulator, organisationId: string = AUTHORITY): string {
  return `${simulator.apiUrl.replace(/\/apis\/v1$/, '/admin/v1')}/organisations/${organisationId}/contact-structure`;
}

function exportCsv(
  simulator: RunningSimulator,
  token: string,
  organisationId?: string,
): Promise<ApiResponse> {
  return call(structureUrl(simulator, organisationId), { headers: { authorization: `Bearer ${token}` } });
}

function importCsv(
  simulator: RunningSimulator,
  token: string,
  csv: string,
  contentType = 'text/csv',
  organisationId?: string,
): Promise<ApiResponse> {
  return call(structureUrl(simulator, organisationId), {
    method: 'PUT',
    headers: { authorization: `Bearer ${token}` },
    body: csv,
    contentType,
  });
}

/** A point's fields that an import carries (not its dates, version or derived ids). */
function carried(point: Record<string, unknown>): Record<string, unknown> {
  const { createdDate: _1, lastUpdated: _2, version: _3, transactionId: _4, ...rest } = point;
  const strip = (value: unknown): unknown =>
    Array.isArray(value)
      ? value.map(strip)
      : typeof value === 'object' && value !== null
        ? Object.fromEntries(
            Object.entries(value)
              .filter(
                ([key]) => !['id', 'version', 'createdDate', 'lastUpdated', 'transactionId'].includes(key),
              )
              .map(([key, each]) => [key, strip(each)]),
          )
        : value;
  return { id: point.id, ...(strip(rest) as Record<string, unknown>) };
}

for (const store of ['memory', 'sqlite'] as const) {
  describe(`export and import (${store} store)`, () => {
    let simulator: RunningSimulator;
    let token: string;
    let dataDir: string | undefined;

    beforeAll(async () => {
      dataDir = store === 'sqlite' ? mkdtempSync(join(tmpdir(), 'dp-cstruct-sheet-')) : undefined;
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

    const admin = (method: string, path: string, body?: unknown) =>
      adminCall(simulator, method, path, { token, ...(body === undefined ? {} : { body }) });

    it('exports a structure that imports back to the same groups and points, every field', async () => {
      const group = (
        await admin(
          'POST',
          groupsPath(),
          contactGroupCommand({
            name: 'Teknik, "miljø" og veje',
            organisationalUnit: true,
            postkasseIds: [17, 4],
            parent: { id: SEED_IDS.contactGroupRoot },
          }),
        )
      ).json as { id: string };
      const point = (
        await admin(
          'POST',
          pointsPath(),
          contactPointCommand({
            name: 'Byggesag',
            description: 'Linje et,\nlinje "to"',
            internalDescription: 'Kun for os; ikke offentlig',
            targets: ['CITIZEN', 'AUTHORITY'],
            visible: false,
            active: true,
            memoSizeThresholdMB: 25.5,
            allowedNumberOfAttachments: 3,
            contactGroups: [{ id: group.id }, { id: SEED_IDS.contactGroupCitizens }],
            searchTerms: [{ term: 'byggetilladelse' }, { term: 'tag-renovering' }],
            recommendedAttributes: [{ name: 'Matrikelnummer' }, { name: 'Sagsnummer' }],
            contactPointCodes: [
              { type: 'KLE', code: '02.00.00', codeVersion: '2024', name: 'Byggeri' },
              { type: 'GLN', code: '5790000000000' },
              { type: 'CUSTOM', code: 'intern;1', name: 'Kode, med komma' },
            ],
            translations: [{ postkasseId: 42, postkasseEmneId: 7 }, { postkasseId: 43 }],
            reportLink: {
              label: 'Læs mere',
              description: 'Om byggesager',
              externalLinkText: 'Til kommunen',
              externalLink: 'https://example.dk/byg?a=1,2',
            },
          }),
        )
      ).json as { id: string };
      const before = (await admin('GET', `${pointsPath()}${point.id}`)).json as Record<string, unknown>;
      const groupBefore = (await admin('GET', `${groupsPath()}${group.id}`)).json as Record<string, unknown>;

      const exported = await exportCsv(simulator, token);
      expect(exported.status, exported.text).toBe(200);
      expect(exported.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(exported.text.split('\n')[0]).toBe(HEADER);

      await resetSimulator(simulator);
      token = await seededToken(simulator, AUTHORITY);
      const imported = await importCsv(simulator, token, exported.text);
      expect(imported.status, imported.text).toBe(200);
      expect(imported.json).toEqual({
        groupsCreated: 1,
        groupsUpdated: 0,
        pointsCreated: 1,
        pointsUpdated: 0,
      });

      expect(
        carried((await admin('GET', `${pointsPath()}${point.id}`)).json as Record<string, unknown>),
      ).toEqual(carried(before));
      expect(
        carried((await admin('GET', `${groupsPath()}${group.id}`)).json as Record<string, unknown>),
      ).toEqual(carried(groupBefore));
      expect((await exportCsv(simulator, token)).text).toBe(exported.text);
    });

    it('changes nothing for an unchanged sheet, and updates the rows that changed', async () => {
      const exported = (await exportCsv(simulator, token)).text;
      expect((await importCsv(simulator, token, exported)).json).toEqual({
        groupsCreated: 0,
        groupsUpdated: 0,
        pointsCreated: 0,
        pointsUpdated: 0,
      });
      const renamed = exported.replace(',Borgerservice,', ',Borgerservice og pas,');
      expect((await importCsv(simulator, token, renamed)).json).toMatchObject({ pointsUpdated: 1 });
      const point = (await admin('GET', `${pointsPath()}${SEED_IDS.contactPoint}`)).json as {
        name: string;
        version: number;
      };
      expect(point).toMatchObject({ name: 'Borgerservice og pas', version: 2 });
    });

    it('creates objects from rows without an ID, and from rows whose new ID other rows name as parent', async () => {
      const newGroup = randomUUID();
      const csv = [
        'Type,ID,Parent ID,Name,Description,Targets,Visible,Active,Search terms',
        `GROUP,${newGroup},${SEED_IDS.contactGroupRoot},Skoler,Skoler og SFO,,,,`,
        `POINT,,${newGroup},Skoleindskrivning,Indskrivning til skole,CITIZEN,true,true,skole;indskrivning`,
        'GROUP,,,Løs gruppe,Uden forælder,,,,',
      ].join('\r\n');
      const response = await importCsv(simulator, token, csv);
      expect(response.status, response.text).toBe(200);
      expect(response.json).toEqual({
        groupsCreated: 2,
        groupsUpdated: 0,
        pointsCreated: 1,
        pointsUpdated: 0,
      });
      const inGroup = await admin('GET', `${pointsPath()}?contactGroupId=${newGroup}`);
      expect(
        (inGroup.json as { contactPoints: { name: string }[] }).contactPoints.map((p) => p.name),
      ).toEqual(['Skoleindskrivning']);
    });

    it('refuses a file with bad rows as a whole, naming each row and column, and changes nothing', async () => {
      const before = (await exportCsv(simulator, token)).text;
      const csv = [
        'Type,ID,Parent ID,Name,Description,Targets,Visible,Search terms,Max size MB',
        'POINT,,,Godt punkt,Fint,CITIZEN,true,fint,',
        `POINT,,,${'x'.repeat(51)},Langt navn,CITIZEN,true,navn,`,
        'POINT,,,Ugyldigt,Søgeord,CITIZEN,maybe,hvad?,200',
        `GROUP,${SEED_IDS.contactGroupRoot},${SEED_IDS.contactGroupCitizens},Testkommune,Hele kommunen,,,,`,
        'FOLDER,,,Mappe,Ukendt type,,,,',
        `POINT,,${randomUUID()},Forældreløs,Ukendt gruppe,CITIZEN,true,x,`,
      ].join('\n');
      const response = await importCsv(simulator, token, csv);
      const error = expectErrorMessage(response, 400, 'INVALID_IMPORT');
      expect(error.fieldErrors?.map((each) => [each.resource, each.field, each.code])).toEqual([
        ['row 3', 'Name', 'TOO_LONG'],
        ['row 4', 'Visible', 'INVALID_FORMAT'],
        ['row 4', 'Search terms', 'INVALID_FORMAT'],
        ['row 4', 'Max size MB', 'NOT_ALLOWED_VALUE'],
        ['row 5', 'Parent ID', 'CYCLE'],
        ['row 6', 'Type', 'NOT_ALLOWED_VALUE'],
        ['row 7', 'Parent ID', 'NOT_FOUND'],
      ]);
      expect((await exportCsv(simulator, token)).text).toBe(before);
    });

    it('refuses more than 2,000 points in one file (400 TOO_MANY) and takes 2,000', async () => {
      const row = (i: number) => `POINT,,,Punkt ${i},Beskrivelse,CITIZEN,true,punkt`;
      const header = 'Type,ID,Parent ID,Name,Description,Targets,Visible,Search terms';
      const rows = Array.from({ length: 2001 }, (_, i) => row(i));
      expectErrorMessage(await importCsv(simulator, token, [header, ...rows].join('\n')), 400, 'TOO_MANY');
      const taken = await importCsv(simulator, token, [header, ...rows.slice(1)].join('\n'));
      expect(taken.json).toMatchObject({ pointsCreated: 2000 });
      const listed = await admin('GET', `${pointsPath()}?size=1`);
      expect((listed.json as { totalElements: number }).totalElements).toBe(2001);
    });
  });
}

describe('export and import: who may, and what is read', () => {
  let simulator: RunningSimulator;
  let token: string;

  beforeAll(async () => {
    simulator = await startTestSimulator();
    token = await seededToken(simulator, AUTHORITY);
  });
  afterAll(() => simulator.stop());

  it('needs a token (401), the contact-structure right (403 RIGHT_MISSING), the context (403 WRONG_CONTEXT) and an authority (403 AUTHORITY_ONLY)', async () => {
    expectErrorMessage(await call(structureUrl(simulator)), 401, 'UNAUTHENTICATED');
    const employee = await createEmployee(simulator, token, 'only-systems', ['ORGANISATION_ADMINISTRATOR']);
    const systemsOnly = await login(simulator, employee);
    expectErrorMessage(await exportCsv(simulator, systemsOnly), 403, 'RIGHT_MISSING');
    expectErrorMessage(await importCsv(simulator, systemsOnly, HEADER), 403, 'RIGHT_MISSING');
    expectErrorMessage(await exportCsv(simulator, token, SEED_IDS.companyWithSystem), 403, 'WRONG_CONTEXT');
    const company = await seededToken(simulator, SEED_IDS.companyWithSystem);
    expectErrorMessage(
      await exportCsv(simulator, company, SEED_IDS.companyWithSystem),
      403,
      'AUTHORITY_ONLY',
    );
  });

  it("previews a group's deletion: what it deletes, and which points only lose their place", async () => {
    const create = async (path: string, body: Record<string, unknown>) =>
      ((await adminCall(simulator, 'POST', path, { token, body })).json as { id: string }).id;
    const top = await create(groupsPath(), contactGroupCommand({ name: 'Top' }));
    const middle = await create(groupsPath(), contactGroupCommand({ name: 'Midte', parent: { id: top } }));
    const only = await create(
      pointsPath(),
      contactPointCommand({ name: 'Kun her', contactGroups: [{ id: middle }] }),
    );
    const shared = await create(
      pointsPath(),
      contactPointCommand({
        name: 'Også andetsteds',
        contactGroups: [{ id: middle }, { id: SEED_IDS.contactGroupRoot }],
      }),
    );
    const url = `${simulator.apiUrl.replace(/\/apis\/v1$/, '/admin/v1')}/organisations/${AUTHORITY}/contact-groups`;
    const preview = await call(`${url}/${top}/delete-preview`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(preview.status, preview.text).toBe(200);
    expect(preview.json).toEqual({
      contactGroup: { id: top, name: 'Top' },
      confirmationRequired: true,
      items: [
        { type: 'GROUP', id: top, name: 'Top', action: 'DELETE' },
        { type: 'GROUP', id: middle, name: 'Midte', action: 'DELETE' },
        { type: 'POINT', id: only, name: 'Kun her', action: 'DELETE' },
        { type: 'POINT', id: shared, name: 'Også andetsteds', action: 'REMOVE_REFERENCE' },
      ],
    });
    const unknown = await call(`${url}/${randomUUID()}/delete-preview`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expectErrorMessage(unknown, 404, 'NOT_FOUND');
  });

  it('refuses a body that is not CSV text', async () => {
    expectErrorMessage(
      await importCsv(simulator, token, '{}', 'application/json'),
      400,
      'CONTENT_TYPE_NOT_SUPPORTED',
    );
    const unclosed = expectErrorMessage(
      await importCsv(simulator, token, `${HEADER}\nPOINT,"open`),
      400,
      'INVALID_IMPORT',
    );
    expect(unclosed.fieldErrors).toMatchObject([{ field: 'file', code: 'INVALID_FORMAT' }]);
  });

  it('refuses a header with unknown columns or without Type', async () => {
    const response = await importCsv(simulator, token, 'Name,Colour\nBorgerservice,blå');
    const error = expectErrorMessage(response, 400, 'INVALID_IMPORT');
    expect(error.fieldErrors?.map((each) => [each.resource, each.field, each.code])).toEqual([
      ['row 1', 'Colour', 'NOT_ALLOWED_VALUE'],
      ['row 1', 'Type', 'REQUIRED'],
    ]);
  });

  it('refuses an ID of another kind of object, one given twice, and one that is no UUID', async () => {
    const csv = [
      'Type,ID,Name,Description,Targets,Visible,Search terms',
      `GROUP,${SEED_IDS.contactPoint},Gruppe,Er et punkt,,,`,
      `POINT,${SEED_IDS.contactPoint},Punkt,To gange,CITIZEN,true,to`,
      'POINT,not-a-uuid,Punkt,Forkert ID,CITIZEN,true,x',
    ].join('\n');
    const error = expectErrorMessage(await importCsv(simulator, token, csv), 400, 'INVALID_IMPORT');
    expect(error.fieldErrors?.map((each) => [each.resource, each.field, each.code])).toEqual([
      ['row 2', 'ID', 'NOT_ALLOWED_VALUE'],
      ['row 3', 'ID', 'DUPLICATE'],
      ['row 4', 'ID', 'INVALID_FORMAT'],
    ]);
  });
});
