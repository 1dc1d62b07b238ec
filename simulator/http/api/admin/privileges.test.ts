/**
 * Rettighedsportalen over real HTTP (docs/admin.md, "Identities" and "Rights"): rights are granted
 * and revoked with NgDP's privilege operations, and the guard lets an employee's existing token do
 * exactly what its direct and group privileges say — in both stores, across a restart. Identities
 * are read and changed with versions; nobody grants what it does not hold; every change is in the
 * action log and every CPR look-up in the search log.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { adminCall, createEmployee, login, portal, seededToken } from '../../../../test/support/admin.ts';
import {
  type ApiResponse,
  advanceClock,
  control,
  expectErrorMessage,
  resetSimulator,
  SEED_IDS,
  startTestSimulator,
} from '../../../../test/support/simulator.ts';
import { EMPLOYEES } from '../../../engine/identities.ts';
import type { RunningSimulator } from '../../../index.ts';
import { SqliteStore } from '../../../store/sqlite.ts';

const AUTHORITY = SEED_IDS.authority;
const COMPANY = SEED_IDS.companyWithSystem;
const SYSTEMS = `/organisations/${AUTHORITY}/systems/`;

interface Employee {
  id: string;
  username: string;
  password: string;
  token: string;
}

interface DirectPrivilegeJson {
  id: string;
  version: number;
  granteeId: string;
  identityGroupId: string;
  type: string;
  scopeId: string;
  activeToDateTime?: string;
}

function harness(options: { dataDir?: string } = {}) {
  const state = { simulator: undefined as unknown as RunningSimulator, admin: '', adminId: '' };
  beforeAll(async () => {
    state.simulator = await startTestSimulator(options);
  });
  afterAll(async () => {
    await state.simulator.stop();
  });
  beforeEach(async () => {
    await resetSimulator(state.simulator);
    state.admin = await seededToken(state.simulator, AUTHORITY);
    state.adminId = seededId(state.simulator, AUTHORITY);
  });
  return state;
}

function seededId(simulator: RunningSimulator, organisationId: string): string {
  return (
    simulator.fixtures.employees.find((each) => each.organisationId === organisationId) as { id: string }
  ).id;
}

/** A new test employee of the token's organisation, with `rights`, logged in. */
async function newEmployee(
  simulator: RunningSimulator,
  token: string,
  username: string,
  rights: readonly string[] = [],
  more: Record<string, unknown> = {},
): Promise<Employee> {
  const created = await createEmployee(simulator, token, username, rights, more);
  return { ...created, token: await login(simulator, created) };
}

function direct(granteeId: string, issuerId: string, type: string, more: Record<string, unknown> = {}) {
  return { granteeId, issuerId, scopeId: AUTHORITY, source: 'MANUAL', type, ...more };
}

const status = async (simulator: RunningSimulator, token: string): Promise<number> =>
  (await adminCall(simulator, 'GET', SYSTEMS, { token })).status;

const codeOf = (response: ApiResponse): string | undefined => (response.json as { code?: string }).code;

describe.each([
  ['memory', false],
  ['SQLite', true],
])('rights granted at NgDP paths apply to existing tokens (%s store)', (_store, sqlite) => {
  const dataDir = sqlite ? mkdtempSync(join(tmpdir(), 'dp-privileges-')) : undefined;
  const state = harness(dataDir === undefined ? {} : { dataDir });
  afterAll(() => {
    if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
  });

  it('a direct privilege opens the guard for the next call; its revocation is 403 RIGHT_MISSING', async () => {
    const { simulator, admin, adminId } = state;
    const clerk = await newEmployee(simulator, admin, 'kontorist');
    expectErrorMessage(
      await adminCall(simulator, 'GET', SYSTEMS, { token: clerk.token }),
      403,
      'RIGHT_MISSING',
    );
    const granted = await adminCall(simulator, 'POST', '/privileges/direct/', {
      token: admin,
      body: direct(clerk.id, adminId, 'ORGANISATION_ADMINISTRATOR'),
    });
    expect(granted.status, granted.text).toBe(201);
    const privilege = granted.json as DirectPrivilegeJson;
    expect(privilege).toMatchObject({
      granteeId: clerk.id,
      scopeId: AUTHORITY,
      type: 'ORGANISATION_ADMINISTRATOR',
    });
    expect(await status(simulator, clerk.token)).toBe(200);
    const revoked = await adminCall(simulator, 'DELETE', `/privileges/direct/${privilege.id}`, {
      token: admin,
      body: { issuerId: adminId },
      headers: { 'if-match': `"${privilege.version}"` },
    });
    expect(revoked.status, revoked.text).toBe(204);
    expectErrorMessage(
      await adminCall(simulator, 'GET', SYSTEMS, { token: clerk.token }),
      403,
      'RIGHT_MISSING',
    );
  });

  it("a group's privilege applies to every grantee, and leaving the group takes it away", async () => {
    const { simulator, admin, adminId } = state;
    const [first, second] = [
      await newEmployee(simulator, admin, 'forste'),
      await newEmployee(simulator, admin, 'anden'),
    ];
    const group = await adminCall(simulator, 'POST', '/identity-groups/', {
      token: admin,
      body: { name: 'Drift' },
    });
    expect(group.status, group.text).toBe(201);
    const groupId = (group.json as { id: string }).id;
    const privilege = await adminCall(simulator, 'POST', `/identity-groups/${groupId}/privileges/`, {
      token: admin,
      body: { scopeId: AUTHORITY, type: 'ORGANISATION_ADMINISTRATOR', source: 'MANUAL' },
    });
    expect(privilege.status, privilege.text).toBe(201);
    const grantees: { id: string; version: number }[] = [];
    for (const member of [first, second]) {
      const grantee = await adminCall(simulator, 'POST', `/identity-groups/${groupId}/grantees/`, {
        token: admin,
        body: { identityId: member.id, issuerId: adminId },
      });
      expect(grantee.status, grantee.text).toBe(201);
      grantees.push(grantee.json as { id: string; version: number });
    }
    expect([await status(simulator, first.token), await status(simulator, second.token)]).toEqual([200, 200]);
    const left = await adminCall(
      simulator,
      'DELETE',
      `/identity-groups/${groupId}/grantees/${grantees[0]?.id}`,
      {
        token: admin,
        headers: { 'if-match': '1' },
      },
    );
    expect(left.status, left.text).toBe(204);
    expect([await status(simulator, first.token), await status(simulator, second.token)]).toEqual([403, 200]);
    const fetched = await adminCall(simulator, 'GET', `/identity-groups/${groupId}`, { token: admin });
    expect(fetched.json).toMatchObject({
      name: 'Drift',
      type: 'MANUAL',
      ownerId: AUTHORITY,
      grantees: [{ identityId: second.id }],
      privileges: [{ type: 'ORGANISATION_ADMINISTRATOR', scopeId: AUTHORITY }],
    });
  });

  if (dataDir !== undefined)
    it('keeps direct privileges, groups, grantees and identities over a restart', async () => {
      const { admin, adminId } = state;
      const clerk = await newEmployee(state.simulator, admin, 'varig');
      const member = await newEmployee(state.simulator, admin, 'medlem');
      const granted = await adminCall(state.simulator, 'POST', '/privileges/direct/', {
        token: admin,
        body: direct(clerk.id, adminId, 'ORGANISATION_ADMINISTRATOR'),
      });
      expect(granted.status, granted.text).toBe(201);
      const group = await adminCall(state.simulator, 'POST', '/identity-groups/', {
        token: admin,
        body: { name: 'Varig gruppe' },
      });
      const groupId = (group.json as { id: string }).id;
      await adminCall(state.simulator, 'POST', `/identity-groups/${groupId}/privileges/`, {
        token: admin,
        body: { scopeId: AUTHORITY, type: 'ORGANISATION_ADMINISTRATOR', source: 'MANUAL' },
      });
      await adminCall(state.simulator, 'POST', `/identity-groups/${groupId}/grantees/`, {
        token: admin,
        body: { identityId: member.id, issuerId: adminId },
      });
      await adminCall(state.simulator, 'PUT', `/identities/${member.id}`, {
        token: admin,
        body: { type: 'EMPLOYEE', alias: 'MM' },
        headers: { 'if-match': '1' },
      });
      await state.simulator.stop();
      state.simulator = await startTestSimulator({ dataDir });
      expect([
        await status(state.simulator, clerk.token),
        await status(state.simulator, member.token),
      ]).toEqual([200, 200]);
      const token = await seededToken(state.simulator, AUTHORITY);
      const held = await adminCall(state.simulator, 'GET', `/privileges/direct/grantee/${clerk.id}`, {
        token,
      });
      expect(held.json).toMatchObject({
        totalElements: 1,
        directPrivileges: [{ type: 'ORGANISATION_ADMINISTRATOR' }],
      });
      const kept = await adminCall(state.simulator, 'GET', `/identity-groups/${groupId}`, { token });
      expect(kept.json).toMatchObject({ name: 'Varig gruppe', grantees: [{ identityId: member.id }] });
      const identity = await adminCall(state.simulator, 'GET', `/identities/${member.id}`, { token });
      expect(identity.json).toMatchObject({ alias: 'MM', version: 2 });
    });
});

describe('a data directory of an earlier version', () => {
  it("has its employees' rights adopted as direct privileges as the simulator starts", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'dp-legacy-rights-'));
    try {
      const first = await startTestSimulator({ dataDir });
      const seededEmployeeId = seededId(first, AUTHORITY);
      await first.stop();
      const store = SqliteStore.open(join(dataDir, 'digitalpost.sqlite'));
      const seeded = store.getRecord(EMPLOYEES, seededEmployeeId);
      // As an earlier version kept an employee: its rights on the record, no privileges.
      store.putRecord(EMPLOYEES, {
        ...(seeded as NonNullable<typeof seeded>),
        id: '80000000-0000-4000-8000-000000000099',
        username: 'gammel',
        rid: '19999999',
        rights: { [AUTHORITY]: ['ORGANISATION_ADMINISTRATOR'] },
      } as NonNullable<typeof seeded>);
      store.close();
      const restarted = await startTestSimulator({ dataDir });
      try {
        const token = await login(restarted, { username: 'gammel', password: 'test-12345678' });
        expect(await status(restarted, token)).toBe(200);
        expectErrorMessage(
          await adminCall(restarted, 'GET', '/identity-groups/', { token }),
          403,
          'RIGHT_MISSING',
        );
      } finally {
        await restarted.stop();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('direct privileges', () => {
  const state = harness();

  it('in bulk are added and revoked in one change, and one bad item changes nothing (400)', async () => {
    const { simulator, admin, adminId } = state;
    const clerk = await newEmployee(simulator, admin, 'bulk', ['CONTACT_ADMINISTRATOR']);
    const before = await adminCall(simulator, 'GET', `/privileges/direct/grantee/${clerk.id}`, {
      token: admin,
    });
    const [contact] = (before.json as { directPrivileges: DirectPrivilegeJson[] }).directPrivileges;
    const bad = await adminCall(simulator, 'POST', '/privileges/direct/bulk', {
      token: admin,
      body: {
        privilegesToAdd: [
          direct(clerk.id, adminId, 'ORGANISATION_ADMINISTRATOR'),
          direct(clerk.id, adminId, 'KING'),
        ],
        privilegesToRemove: [{ id: contact?.id, issuerId: adminId }],
      },
    });
    expect(expectErrorMessage(bad, 400, 'NOT_ALLOWED_VALUE').fieldErrors).toEqual([
      expect.objectContaining({ field: 'privilegesToAdd[1].type', rejectedValue: 'KING' }),
    ]);
    const unchanged = await adminCall(simulator, 'GET', `/privileges/direct/grantee/${clerk.id}`, {
      token: admin,
    });
    expect(unchanged.json).toEqual(before.json);
    expect(await status(simulator, clerk.token)).toBe(403);

    const good = await adminCall(simulator, 'POST', '/privileges/direct/bulk', {
      token: admin,
      body: {
        privilegesToAdd: [direct(clerk.id, adminId, 'ORGANISATION_ADMINISTRATOR')],
        privilegesToRemove: [{ id: contact?.id, version: 1, issuerId: adminId }],
      },
    });
    expect(good.status, good.text).toBe(200);
    expect(good.json).toEqual([
      expect.objectContaining({ type: 'ORGANISATION_ADMINISTRATOR', granteeId: clerk.id }),
    ]);
    expect(await status(simulator, clerk.token)).toBe(200);
    const after = await adminCall(simulator, 'GET', `/privileges/direct/grantee/${clerk.id}`, {
      token: admin,
    });
    expect((after.json as { directPrivileges: unknown[] }).directPrivileges).toEqual([
      expect.objectContaining({ type: 'ORGANISATION_ADMINISTRATOR' }),
    ]);
  });

  it('in bulk refuse a stale version of a privilege to revoke (409), changing nothing', async () => {
    const { simulator, admin, adminId } = state;
    const clerk = await newEmployee(simulator, admin, 'foraeldet', ['CONTACT_ADMINISTRATOR']);
    const held = await adminCall(simulator, 'GET', `/privileges/direct/grantee/${clerk.id}`, {
      token: admin,
    });
    const [privilege] = (held.json as { directPrivileges: DirectPrivilegeJson[] }).directPrivileges;
    const response = await adminCall(simulator, 'POST', '/privileges/direct/bulk', {
      token: admin,
      body: {
        privilegesToAdd: [direct(clerk.id, adminId, 'ORGANISATION_ADMINISTRATOR')],
        privilegesToRemove: [{ id: privilege?.id, version: 7, issuerId: adminId }],
      },
    });
    expectErrorMessage(response, 409, 'VERSION_CONFLICT');
    expect(await status(simulator, clerk.token)).toBe(403);
  });

  it('end at activeToDateTime on the simulator clock', async () => {
    const { simulator, admin, adminId } = state;
    const clerk = await newEmployee(simulator, admin, 'vikar');
    const now = Date.parse(((await control(simulator, 'GET', '/clock')).json as { now: string }).now);
    const granted = await adminCall(simulator, 'POST', '/privileges/direct/', {
      token: admin,
      body: direct(clerk.id, adminId, 'ORGANISATION_ADMINISTRATOR', {
        activeToDateTime: new Date(now + 3_600_000).toISOString(),
      }),
    });
    expect(granted.json).toMatchObject({ activeToDateTime: new Date(now + 3_600_000).toISOString() });
    expect(await status(simulator, clerk.token)).toBe(200);
    await advanceClock(simulator, 'PT30M');
    const fresh = await login(simulator, clerk);
    await advanceClock(simulator, 'PT30M');
    expectErrorMessage(await adminCall(simulator, 'GET', SYSTEMS, { token: fresh }), 403, 'RIGHT_MISSING');
  });

  it('cannot be granted by an employee who lacks the privilege (403 PRIVILEGE_NOT_HELD)', async () => {
    const { simulator, admin } = state;
    const rightsAdmin = await newEmployee(simulator, admin, 'rettighedsadm', [
      'ORGANISATION_USER_ADMINISTRATOR',
    ]);
    const clerk = await newEmployee(simulator, admin, 'modtager');
    const types = await adminCall(simulator, 'GET', '/privilege-types/', { token: rightsAdmin.token });
    expect(types.json).toEqual(['ORGANISATION_USER_ADMINISTRATOR']);
    const escalation = await adminCall(simulator, 'POST', '/privileges/direct/', {
      token: rightsAdmin.token,
      body: direct(clerk.id, rightsAdmin.id, 'ORGANISATION_ADMINISTRATOR'),
    });
    expectErrorMessage(escalation, 403, 'PRIVILEGE_NOT_HELD');
    const same = await adminCall(simulator, 'POST', '/privileges/direct/', {
      token: rightsAdmin.token,
      body: direct(clerk.id, rightsAdmin.id, 'ORGANISATION_USER_ADMINISTRATOR'),
    });
    expect(same.status, same.text).toBe(201);
    const portalEscalation = await portal(
      simulator,
      'PUT',
      `/employees/${clerk.username}/rights`,
      { rights: ['SYSTEM_MANAGER'] },
      rightsAdmin.token,
    );
    expectErrorMessage(portalEscalation, 403, 'PRIVILEGE_NOT_HELD');
  });

  it('need ORGANISATION_USER_ADMINISTRATOR to be granted at all (403 RIGHT_MISSING)', async () => {
    const { simulator, admin } = state;
    const dpAdmin = await newEmployee(simulator, admin, 'dpadmin', ['ORGANISATION_ADMINISTRATOR']);
    const response = await adminCall(simulator, 'POST', '/privileges/direct/', {
      token: dpAdmin.token,
      body: direct(dpAdmin.id, dpAdmin.id, 'ORGANISATION_ADMINISTRATOR'),
    });
    expectErrorMessage(response, 403, 'RIGHT_MISSING');
  });

  it.each([
    [{}, ['scopeId', 'type', 'source', 'granteeId', 'issuerId']],
    [{ scopeId: COMPANY }, ['scopeId']],
    [{ issuerId: '10000000-0000-4000-8000-000000000099' }, ['issuerId']],
    [{ granteeId: AUTHORITY }, ['granteeId']],
    [{ source: 'UNKNOWN' }, ['source']],
    [{ activeToDateTime: 'tomorrow' }, ['activeToDateTime']],
  ])('refuse %j naming every field at fault (400)', async (change, fields) => {
    const { simulator, admin, adminId } = state;
    const body =
      Object.keys(change).length === 0
        ? {}
        : { ...direct(adminId, adminId, 'ORGANISATION_ADMINISTRATOR'), ...change };
    const response = await adminCall(simulator, 'POST', '/privileges/direct/', { token: admin, body });
    expect(response.status, response.text).toBe(400);
    expect(
      (response.json as { fieldErrors: { field: string }[] }).fieldErrors.map((each) => each.field),
    ).toEqual(fields);
  });

  it('refuse a privilege the grantee holds already (409 PRIVILEGE_EXISTS)', async () => {
    const { simulator, admin, adminId } = state;
    const response = await adminCall(simulator, 'POST', '/privileges/direct/', {
      token: admin,
      body: direct(adminId, adminId, 'ORGANISATION_ADMINISTRATOR'),
    });
    expectErrorMessage(response, 409, 'PRIVILEGE_EXISTS');
  });

  it('refuse to revoke an unknown one (404), without If-Match (400) or with a stale one (409)', async () => {
    const { simulator, admin, adminId } = state;
    const clerk = await newEmployee(simulator, admin, 'tilbage', ['CONTACT_ADMINISTRATOR']);
    const held = await adminCall(simulator, 'GET', `/privileges/direct/grantee/${clerk.id}`, {
      token: admin,
    });
    const [privilege] = (held.json as { directPrivileges: DirectPrivilegeJson[] }).directPrivileges;
    const path = `/privileges/direct/${privilege?.id}`;
    const body = { issuerId: adminId };
    expectErrorMessage(
      await adminCall(simulator, 'DELETE', '/privileges/direct/00000000-0000-4000-8000-000000000000', {
        token: admin,
        body,
        headers: { 'if-match': '1' },
      }),
      404,
      'NOT_FOUND',
    );
    expectErrorMessage(await adminCall(simulator, 'DELETE', path, { token: admin, body }), 400, 'REQUIRED');
    expectErrorMessage(
      await adminCall(simulator, 'DELETE', path, { token: admin, body, headers: { 'if-match': '"2"' } }),
      409,
      'VERSION_CONFLICT',
    );
    expectErrorMessage(
      await adminCall(simulator, 'DELETE', path, { token: admin, body: {}, headers: { 'if-match': '"1"' } }),
      400,
      'REQUIRED',
    );
  });

  it('are what the portal gives an employee with rights, and the portal takes them back', async () => {
    const { simulator, admin, adminId } = state;
    const clerk = await newEmployee(simulator, admin, 'portal', ['DP Admin', 'CONTACT_ADMINISTRATOR']);
    const held = await adminCall(
      simulator,
      'GET',
      `/privileges/direct/grantee/${clerk.id}?sortFields=type:desc`,
      {
        token: admin,
      },
    );
    expect((held.json as { directPrivileges: DirectPrivilegeJson[] }).directPrivileges).toEqual([
      expect.objectContaining({ type: 'ORGANISATION_ADMINISTRATOR', issuerId: adminId, source: 'MANUAL' }),
      expect.objectContaining({ type: 'CONTACT_ADMINISTRATOR' }),
    ]);
    const taken = await portal(
      simulator,
      'PUT',
      `/employees/${clerk.username}/rights`,
      { rights: [] },
      admin,
    );
    expect(taken.json).toMatchObject({ rights: [] });
    expect(await status(simulator, clerk.token)).toBe(403);
  });

  it('write action-log rows under the subject Rettigheder', async () => {
    const { simulator, admin, adminId } = state;
    const clerk = await newEmployee(simulator, admin, 'logget');
    await adminCall(simulator, 'POST', '/privileges/direct/', {
      token: admin,
      body: direct(clerk.id, adminId, 'ORGANISATION_ADMINISTRATOR'),
    });
    const rows = (await control(simulator, 'GET', `/action-log/${AUTHORITY}`)).json as {
      rows: {
        subject: string;
        name: string;
        event: string;
        field: string;
        after: string;
        eventTag: string;
      }[];
    };
    expect(rows.rows).toContainEqual(
      expect.objectContaining({
        subject: 'Rettigheder',
        name: 'logget',
        event: 'Oprettet',
        field: 'type',
        after: 'ORGANISATION_ADMINISTRATOR',
        eventTag: 'PRIVILEGES_GRANTED',
      }),
    );
  });
});

describe('identity groups', () => {
  const state = harness();

  async function group(name = 'Gruppe'): Promise<{ id: string; version: number }> {
    const response = await adminCall(state.simulator, 'POST', '/identity-groups/', {
      token: state.admin,
      body: { name },
    });
    expect(response.status, response.text).toBe(201);
    expect(response.headers.etag).toBe('"1"');
    return response.json as { id: string; version: number };
  }

  it('are renamed with the version read, and a stale version is 409', async () => {
    const { simulator, admin } = state;
    const { id } = await group();
    const path = `/identity-groups/${id}`;
    const renamed = await adminCall(simulator, 'PUT', path, {
      token: admin,
      body: { name: 'Nyt navn' },
      headers: { 'if-match': '"1"' },
    });
    expect(renamed.status, renamed.text).toBe(200);
    expect(renamed.json).toMatchObject({ name: 'Nyt navn', version: 2 });
    expectErrorMessage(
      await adminCall(simulator, 'PUT', path, {
        token: admin,
        body: { name: 'Igen' },
        headers: { 'if-match': '"1"' },
      }),
      409,
      'VERSION_CONFLICT',
    );
    expectErrorMessage(
      await adminCall(simulator, 'PUT', path, { token: admin, body: { name: 'Igen' } }),
      400,
      'REQUIRED',
    );
  });

  it('are listed with the query language; an unknown field is 400', async () => {
    const { simulator, admin } = state;
    await group('Alfa');
    await group('Beta');
    const listed = await adminCall(
      simulator,
      'GET',
      '/identity-groups/?type=MANUAL&sortFields=name:desc&fields=name',
      {
        token: admin,
      },
    );
    expect(listed.json).toMatchObject({
      totalElements: 2,
      identityGroups: [{ name: 'Beta' }, { name: 'Alfa' }],
    });
    const defaults = await adminCall(simulator, 'GET', '/identity-groups/?type=DEFAULT', { token: admin });
    expect(defaults.json).toMatchObject({
      totalElements: 1,
      identityGroups: [{ ownerId: state.adminId, parentOwnerId: AUTHORITY }],
    });
    const unknown = await adminCall(simulator, 'GET', '/identity-groups/?colour=red', { token: admin });
    expectErrorMessage(unknown, 400, 'INVALID_PARAMETER');
  });

  it('are deleted with their grantees and privileges', async () => {
    const { simulator, admin, adminId } = state;
    const { id } = await group();
    const clerk = await newEmployee(simulator, admin, 'medlem');
    await adminCall(simulator, 'POST', `/identity-groups/${id}/privileges/`, {
      token: admin,
      body: { scopeId: AUTHORITY, type: 'ORGANISATION_ADMINISTRATOR', source: 'MANUAL' },
    });
    await adminCall(simulator, 'POST', `/identity-groups/${id}/grantees/`, {
      token: admin,
      body: { identityId: clerk.id, issuerId: adminId },
    });
    expect(await status(simulator, clerk.token)).toBe(200);
    const deleted = await adminCall(simulator, 'DELETE', `/identity-groups/${id}`, {
      token: admin,
      headers: { 'if-match': '1' },
    });
    expect(deleted.status, deleted.text).toBe(204);
    expect(await status(simulator, clerk.token)).toBe(403);
    expectErrorMessage(
      await adminCall(simulator, 'GET', `/identity-groups/${id}`, { token: admin }),
      404,
      'NOT_FOUND',
    );
  });

  it('change and revoke a group privilege for every grantee', async () => {
    const { simulator, admin, adminId } = state;
    const { id } = await group();
    const clerk = await newEmployee(simulator, admin, 'skift');
    const created = await adminCall(simulator, 'POST', `/identity-groups/${id}/privileges/`, {
      token: admin,
      body: { scopeId: AUTHORITY, type: 'CONTACT_ADMINISTRATOR', source: 'MANUAL' },
    });
    const privilegeId = (created.json as { id: string }).id;
    await adminCall(simulator, 'POST', `/identity-groups/${id}/grantees/`, {
      token: admin,
      body: { identityId: clerk.id, issuerId: adminId },
    });
    expect(await status(simulator, clerk.token)).toBe(403);
    const changed = await adminCall(simulator, 'PUT', `/identity-groups/${id}/privileges/${privilegeId}`, {
      token: admin,
      body: { scopeId: AUTHORITY, type: 'ORGANISATION_ADMINISTRATOR', source: 'MANUAL' },
      headers: { 'if-match': '1' },
    });
    expect(changed.json).toMatchObject({ type: 'ORGANISATION_ADMINISTRATOR', version: 2 });
    expect(await status(simulator, clerk.token)).toBe(200);
    const revoked = await adminCall(simulator, 'DELETE', `/identity-groups/${id}/privileges/${privilegeId}`, {
      token: admin,
      headers: { 'if-match': '2' },
    });
    expect(revoked.status, revoked.text).toBe(204);
    expect(await status(simulator, clerk.token)).toBe(403);
  });

  it('move a grantee to another employee (updateGrantee)', async () => {
    const { simulator, admin, adminId } = state;
    const { id } = await group();
    const [from, to] = [
      await newEmployee(simulator, admin, 'fra'),
      await newEmployee(simulator, admin, 'til'),
    ];
    await adminCall(simulator, 'POST', `/identity-groups/${id}/privileges/`, {
      token: admin,
      body: { scopeId: AUTHORITY, type: 'ORGANISATION_ADMINISTRATOR', source: 'MANUAL' },
    });
    const grantee = await adminCall(simulator, 'POST', `/identity-groups/${id}/grantees/`, {
      token: admin,
      body: { identityId: from.id, issuerId: adminId },
    });
    const moved = await adminCall(
      simulator,
      'PUT',
      `/identity-groups/${id}/grantees/${(grantee.json as { id: string }).id}`,
      {
        token: admin,
        body: { identityId: to.id, issuerId: adminId },
        headers: { 'if-match': '1' },
      },
    );
    expect(moved.json).toMatchObject({ identityId: to.id, version: 2 });
    expect([await status(simulator, from.token), await status(simulator, to.token)]).toEqual([403, 200]);
  });

  it('refuse what breaks their rules', async () => {
    const { simulator, admin, adminId } = state;
    const { id } = await group();
    const clerk = await newEmployee(simulator, admin, 'regel');
    const grantee = { identityId: clerk.id, issuerId: adminId };
    const post = (path: string, body: unknown) => adminCall(simulator, 'POST', path, { token: admin, body });
    expect(codeOf(await post('/identity-groups/', {}))).toBe('REQUIRED');
    expect(codeOf(await post('/identity-groups/', { name: 'X', type: 'DEFAULT' }))).toBe('NOT_ALLOWED_VALUE');
    expect(codeOf(await post('/identity-groups/', { name: 'X', grantees: [grantee] }))).toBe(
      'NOT_ALLOWED_VALUE',
    );
    expect((await post(`/identity-groups/${id}/grantees/`, grantee)).status).toBe(201);
    expectErrorMessage(await post(`/identity-groups/${id}/grantees/`, grantee), 409, 'GRANTEE_EXISTS');
    const unknownEmployee = await post(`/identity-groups/${id}/grantees/`, {
      identityId: AUTHORITY,
      issuerId: adminId,
    });
    expect(expectErrorMessage(unknownEmployee, 400, 'NOT_FOUND').fieldErrors[0]).toMatchObject({
      field: 'identityId',
    });
    expectErrorMessage(
      await post('/identity-groups/00000000-0000-4000-8000-000000000000/grantees/', grantee),
      404,
      'NOT_FOUND',
    );
    const privilege = { scopeId: AUTHORITY, type: 'CONTACT_ADMINISTRATOR', source: 'MANUAL' };
    expect((await post(`/identity-groups/${id}/privileges/`, privilege)).status).toBe(201);
    expectErrorMessage(await post(`/identity-groups/${id}/privileges/`, privilege), 409, 'PRIVILEGE_EXISTS');
    const defaults = await adminCall(simulator, 'GET', '/identity-groups/?type=DEFAULT', { token: admin });
    const defaultId = (defaults.json as { identityGroups: { id: string }[] }).identityGroups[0]?.id;
    expectErrorMessage(
      await post(`/identity-groups/${defaultId}/privileges/`, privilege),
      409,
      'DEFAULT_GROUP',
    );
  });

  it('with a privilege the caller lacks cannot be joined by it (403 PRIVILEGE_NOT_HELD)', async () => {
    const { simulator, admin } = state;
    const { id } = await group();
    await adminCall(simulator, 'POST', `/identity-groups/${id}/privileges/`, {
      token: admin,
      body: { scopeId: AUTHORITY, type: 'SYSTEM_MANAGER', source: 'MANUAL' },
    });
    const rightsAdmin = await newEmployee(simulator, admin, 'lille-adm', ['ORGANISATION_USER_ADMINISTRATOR']);
    const joined = await adminCall(simulator, 'POST', `/identity-groups/${id}/grantees/`, {
      token: rightsAdmin.token,
      body: { identityId: rightsAdmin.id, issuerId: rightsAdmin.id },
    });
    expectErrorMessage(joined, 403, 'PRIVILEGE_NOT_HELD');
  });
});

describe('identities', () => {
  const state = harness();

  it('lists the organisation and its employees, filtered by NgDP parameters and the query language', async () => {
    const { simulator, admin } = state;
    const clerk = await newEmployee(simulator, admin, 'soeg');
    const all = await adminCall(simulator, 'GET', '/identities/?sortFields=type', { token: admin });
    expect(all.json).toMatchObject({
      totalElements: 3,
      identities: [
        { type: 'COMPANY', id: AUTHORITY, identifiers: [{ type: 'CVR_NUMBER', value: '12345678' }] },
        { type: 'EMPLOYEE', parentIdentityId: AUTHORITY },
        { type: 'EMPLOYEE', parentIdentityId: AUTHORITY },
      ],
    });
    const rid = (
      (await adminCall(simulator, 'GET', `/identities/${clerk.id}`, { token: admin })).json as {
        identifiers: { type: string; value: string }[];
      }
    ).identifiers.find((each) => each.type === 'EMPLOYEE_ID')?.value;
    const byRid = await adminCall(simulator, 'GET', `/identities/?ridNumber=${rid}&fields=id,type`, {
      token: admin,
    });
    expect(byRid.json).toMatchObject({ totalElements: 1, identities: [{ id: clerk.id }] });
    const byName = await adminCall(simulator, 'GET', '/identities/?name=soe*', { token: admin });
    expect(byName.json).toMatchObject({ totalElements: 1 });
    expectErrorMessage(
      await adminCall(simulator, 'GET', '/identities/?colour=red', { token: admin }),
      400,
      'INVALID_PARAMETER',
    );
  });

  it('shows employees of other organisations once they hold privileges here', async () => {
    const { simulator, admin, adminId } = state;
    const vendorId = seededId(simulator, COMPANY);
    const before = await adminCall(simulator, 'GET', `/identities/${vendorId}`, { token: admin });
    expectErrorMessage(before, 404, 'NOT_FOUND');
    await adminCall(simulator, 'POST', '/privileges/direct/', {
      token: admin,
      body: direct(vendorId, adminId, 'ORGANISATION_ADMINISTRATOR'),
    });
    const after = await adminCall(simulator, 'GET', `/identities/${vendorId}`, { token: admin });
    expect(after.json).toMatchObject({ type: 'EMPLOYEE', parentIdentityId: COMPANY });
  });

  it('are changed with the version read: name, alias, e-mail; the organisation is not (409)', async () => {
    const { simulator, admin } = state;
    const clerk = await newEmployee(simulator, admin, 'aendres');
    const path = `/identities/${clerk.id}`;
    const fetched = await adminCall(simulator, 'GET', path, { token: admin });
    expect(fetched.headers.etag).toBe('"1"');
    const body = {
      ...(fetched.json as object),
      name: 'Karen Blixen',
      alias: 'KB',
      subscription: { channel: 'kb@example.dk' },
    };
    const updated = await adminCall(simulator, 'PUT', path, {
      token: admin,
      body,
      headers: { 'if-match': '"1"' },
    });
    expect(updated.status, updated.text).toBe(200);
    expect(updated.json).toMatchObject({
      name: 'Karen Blixen',
      alias: 'KB',
      version: 2,
      subscription: { channel: 'kb@example.dk' },
    });
    expectErrorMessage(
      await adminCall(simulator, 'PUT', path, { token: admin, body, headers: { 'if-match': '"1"' } }),
      409,
      'VERSION_CONFLICT',
    );
    const bad = await adminCall(simulator, 'PUT', path, {
      token: admin,
      body: { type: 'CITIZEN', subscription: { channel: 'not-an-address' } },
      headers: { 'if-match': '"2"' },
    });
    expect((bad.json as { fieldErrors: { field: string }[] }).fieldErrors.map((each) => each.field)).toEqual([
      'type',
      'subscription.channel',
    ]);
    expectErrorMessage(
      await adminCall(simulator, 'PUT', `/identities/${AUTHORITY}`, {
        token: admin,
        body: { type: 'COMPANY' },
        headers: { 'if-match': '1' },
      }),
      409,
      'IDENTITY_NOT_EDITABLE',
    );
  });

  it('made INACTIVE can neither call with its token nor log in, until made ACTIVE again', async () => {
    const { simulator, admin } = state;
    const clerk = await newEmployee(simulator, admin, 'pause', ['ORGANISATION_ADMINISTRATOR']);
    const path = `/identities/${clerk.id}`;
    await adminCall(simulator, 'PUT', path, {
      token: admin,
      body: { type: 'EMPLOYEE', status: 'INACTIVE' },
      headers: { 'if-match': '1' },
    });
    expectErrorMessage(
      await adminCall(simulator, 'GET', SYSTEMS, { token: clerk.token }),
      403,
      'IDENTITY_INACTIVE',
    );
    expectErrorMessage(await portal(simulator, 'POST', '/login', clerk), 403, 'IDENTITY_INACTIVE');
    await adminCall(simulator, 'PUT', path, {
      token: admin,
      body: { type: 'EMPLOYEE', status: 'ACTIVE' },
      headers: { 'if-match': '2' },
    });
    expect(await status(simulator, clerk.token)).toBe(200);
    const rows = (await control(simulator, 'GET', `/action-log/${AUTHORITY}`)).json as {
      rows: { eventTag: string }[];
    };
    expect(rows.rows.map((row) => row.eventTag)).toEqual(
      expect.arrayContaining(['IDENTITY_DEACTIVATED', 'IDENTITY_REACTIVATED']),
    );
  });

  it('verify an e-mail subscription with the PIN: any six digits but 000000', async () => {
    const { simulator, admin } = state;
    const clerk = await newEmployee(simulator, admin, 'post');
    const verify = (pin: string) =>
      adminCall(simulator, 'PUT', `/identities/${clerk.id}/verification`, { token: admin, body: { pin } });
    expect(expectErrorMessage(await verify('123456'), 400, 'REQUIRED').fieldErrors[0]).toMatchObject({
      field: 'subscription',
    });
    await adminCall(simulator, 'PUT', `/identities/${clerk.id}`, {
      token: admin,
      body: { type: 'EMPLOYEE', subscription: { channel: 'post@example.dk' } },
      headers: { 'if-match': '1' },
    });
    expectErrorMessage(await verify('000000'), 400, 'PIN_MISMATCH');
    expectErrorMessage(await verify('12'), 400, 'INVALID_FORMAT');
    const verified = await verify('424242');
    expect(verified.status, verified.text).toBe(200);
    expect(verified.json).toMatchObject({
      subscription: { channel: 'post@example.dk', verificationTime: expect.any(String) },
    });
  });

  it("validateCPR compares with the caller's own CPR number and logs the look-up, never echoing it", async () => {
    const { simulator, admin } = state;
    const rightsAdmin = await newEmployee(simulator, admin, 'cpr-tjek', ['ORGANISATION_USER_ADMINISTRATOR'], {
      cprNumber: '0101801234',
    });
    const validate = (cprNumber: unknown) =>
      adminCall(simulator, 'POST', '/identities/validation/cpr', {
        token: rightsAdmin.token,
        body: { cprNumber },
      });
    expect((await validate('0101801234')).json).toEqual({ status: 'MATCHED' });
    expect((await validate('0202802345')).json).toEqual({ status: 'NOT_MATCHED' });
    const malformed = await validate('01018012345');
    expectErrorMessage(malformed, 400, 'INVALID_FORMAT');
    expect(malformed.text).not.toContain('01018012345');
    await adminCall(simulator, 'GET', '/identities/?cprNumber=0101801234', { token: admin });
    const searched = (await control(simulator, 'GET', `/search-log/${AUTHORITY}`)).json as {
      rows: { cprCvr: string; operation: string; results: number; eventTag: string }[];
    };
    expect(searched.rows).toEqual([
      expect.objectContaining({
        cprCvr: '0101801234',
        operation: 'validateCPR',
        results: 1,
        eventTag: 'CPR_LOOKED_UP',
      }),
      expect.objectContaining({ cprCvr: '0202802345', operation: 'validateCPR', results: 0 }),
      expect.objectContaining({ cprCvr: '0101801234', operation: 'queryIdentities', results: 1 }),
    ]);
    const badQuery = await adminCall(simulator, 'GET', '/identities/?cprNumber=010180123', { token: admin });
    expectErrorMessage(badQuery, 400, 'INVALID_PARAMETER');
    expect(badQuery.text).not.toContain('010180123');
  });
});
