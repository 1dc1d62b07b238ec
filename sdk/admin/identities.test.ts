/**
 * `admin.identities`, `admin.identityGroups` (with `grantees` and `privileges`), `admin.privileges`
 * and `admin.privilegeTypes` against a real simulator over HTTP: every method answered as NgDP's
 * OpenAPI types it, lists read page after page with `for await`, changes made with the version a
 * fetch gave, NgDP's refusals (400 with its field errors, 403, 404, 409) as the SDK's error
 * classes — and what it is all for: a right granted to a colleague opens the colleague's calls at
 * once, and its revocation closes them.
 */
import { describe, expect, it } from 'vitest';
import type { RunningSimulator } from '../../simulator/index.ts';
import { seededEmployee } from '../../test/support/admin.ts';
import { adminClientHooks, all } from '../../test/support/admin-client.ts';
import { SEED_IDS } from '../../test/support/simulator.ts';
import { BadRequestError, ConflictError, NotFoundError, PermissionDeniedError } from '../errors.ts';
import { AdminClient } from './client.ts';
import type { TestEmployee } from './portal.ts';
import type { DirectPrivilege, DirectPrivilegeType } from './types.ts';

let simulator: RunningSimulator;
let admin: AdminClient;
/** The seeded employee's identity id: the issuer of what it grants. */
let me: string;
const AUTHORITY = SEED_IDS.authority;
const UNKNOWN = '00000000-0000-4000-8000-000000000000';

/** A new test employee of Testkommune with `rights` (none unless given). */
function colleague(
  username: string,
  rights: readonly string[] = [],
  cprNumber?: string,
): Promise<TestEmployee> {
  return admin.portal.createEmployee({
    username,
    password: `password-${username}`,
    rights,
    ...(cprNumber === undefined ? {} : { cprNumber }),
  });
}

/** The colleague's own client. */
function loggedIn(employee: TestEmployee): Promise<AdminClient> {
  return AdminClient.login(
    { baseUrl: simulator.apiUrl },
    { username: employee.username, password: `password-${employee.username}` },
  );
}

/** A direct privilege of `type` in Testkommune, for `granteeId`, given by the seeded employee. */
function direct(granteeId: string, type: DirectPrivilegeType): DirectPrivilege {
  return { granteeId, issuerId: me, scopeId: AUTHORITY, source: 'MANUAL', type };
}

/** Whether the client may list Testkommune's systems (`ORGANISATION_ADMINISTRATOR`). */
function listSystems(client: AdminClient): Promise<unknown> {
  return client.systems.list(AUTHORITY).next();
}

adminClientHooks(async (started, client) => {
  simulator = started;
  admin = client;
  me = seededEmployee(simulator, AUTHORITY).id;
});

describe('granting a colleague a right', () => {
  it("opens the colleague's calls at once by a direct privilege, and its revocation closes them", async () => {
    const mette = await colleague('mette');
    const metteClient = await loggedIn(mette);
    await expect(listSystems(metteClient)).rejects.toMatchObject({
      constructor: PermissionDeniedError,
      code: 'RIGHT_MISSING',
    });

    const granted = await admin.privileges.create(direct(mette.id, 'ORGANISATION_ADMINISTRATOR'));
    await listSystems(metteClient);
    await admin.privileges.delete(granted.id as string, { issuerId: me }, { ifMatch: granted });

    await expect(listSystems(metteClient)).rejects.toMatchObject({
      constructor: PermissionDeniedError,
      status: 403,
      code: 'RIGHT_MISSING',
    });
  });

  it("opens them through a group's privilege for every grantee, and leaving the group closes them", async () => {
    const [anna, bodil] = [await colleague('anna'), await colleague('bodil')];
    const group = await admin.identityGroups.create({ name: 'Systemer' });
    const privilege = await admin.identityGroups.privileges.create(group.id as string, {
      scopeId: AUTHORITY,
      type: 'ORGANISATION_ADMINISTRATOR',
      source: 'MANUAL',
    });
    const grantee = await admin.identityGroups.grantees.create(group.id as string, {
      identityId: anna.id,
      issuerId: me,
    });
    const [annaClient, bodilClient] = [await loggedIn(anna), await loggedIn(bodil)];
    await listSystems(annaClient);

    const moved = await admin.identityGroups.grantees.update(
      group.id as string,
      grantee.id as string,
      { identityId: bodil.id, issuerId: me },
      { ifMatch: grantee },
    );
    await listSystems(bodilClient);
    await expect(listSystems(annaClient)).rejects.toBeInstanceOf(PermissionDeniedError);

    expect(privilege).toMatchObject({ version: 1, type: 'ORGANISATION_ADMINISTRATOR', scopeId: AUTHORITY });
    expect(moved).toMatchObject({ version: 2, identityId: bodil.id, identityGroupId: group.id });
  });
});

describe('direct privileges', () => {
  it("lists a grantee's privileges with for await, filtered by type", async () => {
    const mette = await colleague('mette', ['CONTACT_ADMINISTRATOR', 'ORGANISATION_ADMINISTRATOR']);
    const { data: listed, responses } = await admin.withResponse((client) =>
      all(client.privileges.list(mette.id, { pageSize: 1 })),
    );
    const contacts = await all(
      admin.privileges.list(mette.id, { type: ['CONTACT_ADMINISTRATOR', 'SYSTEM_MANAGER'], issuer: me }),
    );

    expect(listed.map((privilege) => privilege.type).sort()).toEqual([
      'CONTACT_ADMINISTRATOR',
      'ORGANISATION_ADMINISTRATOR',
    ]);
    expect(responses).toHaveLength(2);
    expect(contacts).toEqual([
      expect.objectContaining({ granteeId: mette.id, scopeId: AUTHORITY, type: 'CONTACT_ADMINISTRATOR' }),
    ]);
  });

  it('adds and revokes privileges in one bulk change', async () => {
    const mette = await colleague('mette', ['CONTACT_ADMINISTRATOR']);
    const [old] = await all(admin.privileges.list(mette.id));

    const added = await admin.privileges.bulk({
      privilegesToAdd: [direct(mette.id, 'ORGANISATION_ADMINISTRATOR')],
      privilegesToRemove: [{ id: old?.id as string, version: old?.version, issuerId: me }],
    });

    expect(added).toEqual([expect.objectContaining({ type: 'ORGANISATION_ADMINISTRATOR', version: 1 })]);
    expect((await all(admin.privileges.list(mette.id))).map((privilege) => privilege.type)).toEqual([
      'ORGANISATION_ADMINISTRATOR',
    ]);
  });

  it('refuses a bulk change with an item at fault as a BadRequestError naming it, changing nothing', async () => {
    const mette = await colleague('mette');
    const failure = await admin.privileges
      .bulk({
        privilegesToAdd: [
          direct(mette.id, 'CONTACT_ADMINISTRATOR'),
          { ...direct(mette.id, 'ORGANISATION_ADMINISTRATOR'), scopeId: SEED_IDS.companyWithSystem },
        ],
      })
      .catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(BadRequestError);
    expect((failure as BadRequestError).fieldErrors.map((field) => field.field)).toContain(
      'privilegesToAdd[1].scopeId',
    );
    expect(await all(admin.privileges.list(mette.id))).toEqual([]);
  });

  it('refuses a privilege the grantee holds already, and a stale version, as ConflictErrors', async () => {
    const mette = await colleague('mette');
    const granted = await admin.privileges.create(direct(mette.id, 'CONTACT_ADMINISTRATOR'));

    await expect(admin.privileges.create(direct(mette.id, 'CONTACT_ADMINISTRATOR'))).rejects.toMatchObject({
      constructor: ConflictError,
      code: 'PRIVILEGE_EXISTS',
    });
    await expect(
      admin.privileges.delete(granted.id as string, { issuerId: me }, { ifMatch: 7 }),
    ).rejects.toMatchObject({ constructor: ConflictError, code: 'VERSION_CONFLICT' });
  });

  it('refuses to revoke a privilege it does not have as a NotFoundError', async () => {
    await expect(admin.privileges.delete(UNKNOWN, { issuerId: me }, { ifMatch: '*' })).rejects.toMatchObject({
      constructor: NotFoundError,
      status: 404,
    });
  });

  it('refuses a grant by an employee without ORGANISATION_USER_ADMINISTRATOR as a PermissionDeniedError', async () => {
    const mette = await colleague('mette', ['ORGANISATION_ADMINISTRATOR']);
    const metteClient = await loggedIn(mette);

    await expect(
      metteClient.privileges.create({ ...direct(mette.id, 'CONTACT_ADMINISTRATOR'), issuerId: mette.id }),
    ).rejects.toMatchObject({ constructor: PermissionDeniedError, code: 'RIGHT_MISSING' });
  });
});

describe('privilege types', () => {
  it('lists what the caller may grant, in its organisation and for an identity of it', async () => {
    const mette = await colleague('mette');

    const types = await admin.privilegeTypes.list();

    expect(types).toEqual(expect.arrayContaining(['ORGANISATION_ADMINISTRATOR', 'CONTACT_ADMINISTRATOR']));
    expect(await admin.privilegeTypes.list({ scopeIdentityId: AUTHORITY })).toEqual(types);
    expect(await admin.privilegeTypes.list({ scopeIdentityId: mette.id })).toEqual([]);
  });

  it('answers an identity it does not know as a NotFoundError', async () => {
    await expect(admin.privilegeTypes.list({ scopeIdentityId: UNKNOWN })).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });

  it('refuses an employee without ORGANISATION_USER_ADMINISTRATOR as a PermissionDeniedError', async () => {
    const mette = await loggedIn(await colleague('mette', ['ORGANISATION_ADMINISTRATOR']));

    await expect(mette.privilegeTypes.list()).rejects.toMatchObject({
      constructor: PermissionDeniedError,
      code: 'RIGHT_MISSING',
    });
  });
});

describe('identity groups', () => {
  it('are made, fetched with grantees and privileges, renamed with the fetched version and deleted', async () => {
    const mette = await colleague('mette');
    const created = await admin.identityGroups.create({ name: 'Log' });
    const privilege = await admin.identityGroups.privileges.create(created.id as string, {
      scopeId: AUTHORITY,
      type: 'MESSAGE_LOG_ADMINISTRATOR',
      source: 'MANUAL',
    });
    const changedPrivilege = await admin.identityGroups.privileges.update(
      created.id as string,
      privilege.id as string,
      { scopeId: AUTHORITY, type: 'ACTION_LOG_ADMINISTRATOR', source: 'MANUAL' },
      { ifMatch: privilege },
    );
    const grantee = await admin.identityGroups.grantees.create(created.id as string, {
      identityId: mette.id,
      issuerId: me,
    });
    const fetched = await admin.identityGroups.get(created.id as string);
    const renamed = await admin.identityGroups.update(
      fetched.id as string,
      { name: 'Logadministratorer' },
      { ifMatch: fetched },
    );
    await admin.identityGroups.grantees.delete(created.id as string, grantee.id as string, {
      ifMatch: grantee,
    });
    await admin.identityGroups.privileges.delete(created.id as string, privilege.id as string, {
      ifMatch: changedPrivilege,
    });
    await admin.identityGroups.delete(renamed.id as string, { ifMatch: renamed });

    expect(created).toMatchObject({ version: 1, name: 'Log', type: 'MANUAL' });
    expect(changedPrivilege).toMatchObject({ version: 2, type: 'ACTION_LOG_ADMINISTRATOR' });
    expect(fetched.grantees).toEqual([expect.objectContaining({ identityId: mette.id })]);
    expect(fetched.privileges).toEqual([expect.objectContaining({ type: 'ACTION_LOG_ADMINISTRATOR' })]);
    expect(renamed).toMatchObject({ name: 'Logadministratorer', version: (fetched.version as number) + 1 });
    await expect(admin.identityGroups.get(created.id as string)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('are listed with for await and the query language', async () => {
    for (const name of ['Alfa', 'Beta', 'Gamma']) await admin.identityGroups.create({ name });

    const groups = await all(
      admin.identityGroups.list({ pageSize: 2, filters: { type: 'MANUAL' }, sortFields: 'name:desc' }),
    );

    expect(groups.map((group) => group.name)).toEqual(['Gamma', 'Beta', 'Alfa']);
  });

  it('refuse a group without a name as a BadRequestError naming the field', async () => {
    const failure = await admin.identityGroups.create({ name: '' }).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(BadRequestError);
    expect((failure as BadRequestError).fieldErrors.map((field) => field.field)).toContain('name');
  });

  it('refuse an employee already a grantee, and a stale version, as ConflictErrors', async () => {
    const mette = await colleague('mette');
    const group = await admin.identityGroups.create({ name: 'Gruppe' });
    await admin.identityGroups.grantees.create(group.id as string, { identityId: mette.id, issuerId: me });
    await admin.identityGroups.update(group.id as string, { name: 'Nyt navn' }, { ifMatch: group });

    await expect(
      admin.identityGroups.grantees.create(group.id as string, { identityId: mette.id, issuerId: me }),
    ).rejects.toMatchObject({ constructor: ConflictError, code: 'GRANTEE_EXISTS' });
    await expect(admin.identityGroups.delete(group.id as string, { ifMatch: group })).rejects.toMatchObject({
      constructor: ConflictError,
      code: 'VERSION_CONFLICT',
    });
  });

  it('answer a group it does not have as a NotFoundError', async () => {
    await expect(
      admin.identityGroups.grantees.create(UNKNOWN, { identityId: me, issuerId: me }),
    ).rejects.toMatchObject({ constructor: NotFoundError, status: 404 });
  });

  it('refuse an employee without ORGANISATION_USER_ADMINISTRATOR as a PermissionDeniedError', async () => {
    const mette = await loggedIn(await colleague('mette', ['CONTACT_ADMINISTRATOR']));

    await expect(all(mette.identityGroups.list())).rejects.toMatchObject({
      constructor: PermissionDeniedError,
      code: 'RIGHT_MISSING',
    });
  });
});

describe('identities', () => {
  it('lists the employees with for await, filtered by NgDP parameters and sorted', async () => {
    await colleague('anna');
    await colleague('bodil');

    const employees = await all(
      admin.identities.list({ type: 'EMPLOYEE', sortFields: 'name:asc', pageSize: 2 }),
    );

    expect(employees.length).toBeGreaterThanOrEqual(3);
    expect(employees.every((identity) => identity.type === 'EMPLOYEE')).toBe(true);
    expect(employees.map((identity) => identity.id)).toContain(me);
  });

  it('takes several values of a filter: rightsAdmin names who issued the privileges', async () => {
    const anna = await colleague('anna', ['CONTACT_ADMINISTRATOR']);
    const bodil = await colleague('bodil');

    const given = await all(admin.identities.list({ rightsAdmin: [me, UNKNOWN], type: ['EMPLOYEE'] }));
    const both = await all(admin.identities.list({ type: ['EMPLOYEE', 'COMPANY'], fields: ['id', 'type'] }));

    expect(given.map((identity) => identity.id)).toContain(anna.id);
    expect(given.map((identity) => identity.id)).not.toContain(bodil.id);
    expect(new Set(both.map((identity) => identity.type))).toEqual(new Set(['EMPLOYEE', 'COMPANY']));
  });

  it('changes an identity with the fetched version, and verifies its new e-mail with the PIN', async () => {
    const mette = await colleague('mette');
    const fetched = await admin.identities.get(mette.id);
    const changed = await admin.identities.update(
      mette.id,
      { type: 'EMPLOYEE', alias: 'MH', subscription: { channel: 'mette@example.dk' } },
      { ifMatch: fetched },
    );
    const verified = await admin.identities.verifyEmailSubscription(mette.id, { pin: '424242' });

    expect(fetched).toMatchObject({ id: mette.id, type: 'EMPLOYEE', parentIdentityId: AUTHORITY });
    expect(changed).toMatchObject({ version: (fetched.version as number) + 1, alias: 'MH' });
    expect(changed.subscription?.verificationTime).toBeUndefined();
    expect(verified.subscription).toMatchObject({
      channel: 'mette@example.dk',
      verificationTime: expect.any(String),
    });
  });

  it("validates a CPR number against the caller's own", async () => {
    const jonas = await colleague('jonas', ['ORGANISATION_USER_ADMINISTRATOR'], '0101801234');
    const jonasClient = await loggedIn(jonas);

    expect(await jonasClient.identities.validateCpr({ cprNumber: '0101801234' })).toEqual({
      status: 'MATCHED',
    });
    expect(await jonasClient.identities.validateCpr({ cprNumber: '0202802345' })).toEqual({
      status: 'NOT_MATCHED',
    });
  });

  it('refuses a wrong PIN as a BadRequestError', async () => {
    const mette = await colleague('mette');
    const fetched = await admin.identities.get(mette.id);
    await admin.identities.update(
      mette.id,
      { type: 'EMPLOYEE', subscription: { channel: 'mette@example.dk' } },
      { ifMatch: fetched },
    );

    await expect(admin.identities.verifyEmailSubscription(mette.id, { pin: '000000' })).rejects.toMatchObject(
      {
        constructor: BadRequestError,
        code: 'PIN_MISMATCH',
      },
    );
  });

  it('refuses a malformed CPR number as a BadRequestError that does not repeat it', async () => {
    const failure = await admin.identities
      .validateCpr({ cprNumber: '01018012345' })
      .catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(BadRequestError);
    expect((failure as BadRequestError).fieldErrors.map((field) => field.field)).toEqual(['cprNumber']);
    expect(JSON.stringify(failure)).not.toContain('01018012345');
  });

  it('refuses the organisation, and a stale version, as ConflictErrors', async () => {
    const organisation = await admin.identities.get(AUTHORITY);
    const mette = await colleague('mette');
    const fetched = await admin.identities.get(mette.id);
    await admin.identities.update(mette.id, { type: 'EMPLOYEE', alias: 'M' }, { ifMatch: fetched });

    await expect(
      admin.identities.update(AUTHORITY, { ...organisation, name: 'Andet' }, { ifMatch: organisation }),
    ).rejects.toMatchObject({ constructor: ConflictError, code: 'IDENTITY_NOT_EDITABLE' });
    await expect(
      admin.identities.update(mette.id, { type: 'EMPLOYEE', alias: 'N' }, { ifMatch: fetched }),
    ).rejects.toMatchObject({ constructor: ConflictError, code: 'VERSION_CONFLICT' });
  });

  it('answers an identity it does not know as a NotFoundError', async () => {
    await expect(admin.identities.get(UNKNOWN)).rejects.toMatchObject({
      constructor: NotFoundError,
      status: 404,
    });
  });

  it('refuses an employee without ORGANISATION_USER_ADMINISTRATOR as a PermissionDeniedError', async () => {
    const mette = await loggedIn(await colleague('mette', ['ORGANISATION_ADMINISTRATOR']));

    await expect(mette.identities.get(me)).rejects.toMatchObject({
      constructor: PermissionDeniedError,
      code: 'RIGHT_MISSING',
    });
  });
});
