/**
 * The admin client's organisation and look-ups against a real simulator: `organisation` (the
 * authority's information changed with the version a fetch gave, its logo uploaded, fetched and
 * removed) and `lookups` (citizens by CPR number, organisations by CVR number), with NgDP's
 * refusals as the SDK's error classes. The postkasse ids of `organisation` are part of the
 * contact structure (contact-structure.test.ts).
 */
import { describe, expect, it } from 'vitest';
import type { RunningSimulator } from '../../simulator/index.ts';
import { createEmployee, seededEmployee, seededToken } from '../../test/support/admin.ts';
import { adminClientHooks } from '../../test/support/admin-client.ts';
import { png } from '../../test/support/png.ts';
import { control, SEED_IDS } from '../../test/support/simulator.ts';
import { BadRequestError, ConflictError, NotFoundError, PermissionDeniedError } from '../errors.ts';
import { AdminClient } from './client.ts';

let simulator: RunningSimulator;
let admin: AdminClient;
const AUTHORITY = SEED_IDS.authority;
const legalContact = { name: 'Juridisk kontor', email: 'jura@testkommune.dk', phoneNumber: '70101010' };

adminClientHooks(async (started, client) => {
  simulator = started;
  admin = client;
});

/** A client of an employee of the authority with only `rights`. */
async function employeeWith(username: string, rights: string[]): Promise<AdminClient> {
  const employee = await createEmployee(simulator, await seededToken(simulator, AUTHORITY), username, rights);
  return AdminClient.login({ baseUrl: simulator.apiUrl }, employee);
}

describe('the organisation', () => {
  it('fetches the context organisation and gives it a legal contact with the version it has', async () => {
    const fetched = await admin.organisation.get(AUTHORITY);
    const changed = await admin.organisation.update(AUTHORITY, { legalContact }, { ifMatch: fetched });

    expect(fetched).toMatchObject({ id: AUTHORITY, cvrNumber: '12345678', name: 'Testkommune' });
    expect(changed).toMatchObject({ legalContact, version: (fetched.version as number) + 1 });
    expect(await admin.organisation.get(AUTHORITY)).toMatchObject({ legalContact });
  });

  it('refuses a stale version as a ConflictError', async () => {
    const fetched = await admin.organisation.get(AUTHORITY);
    await admin.organisation.update(AUTHORITY, { legalContact }, { ifMatch: fetched });

    await expect(
      admin.organisation.update(AUTHORITY, { authorityTerms: true }, { ifMatch: fetched }),
    ).rejects.toMatchObject({ constructor: ConflictError, status: 409, code: 'VERSION_CONFLICT' });
  });

  it('refuses a change of what NgDP keeps as a BadRequestError naming the field', async () => {
    const failure = await admin.organisation
      .update(AUTHORITY, { name: 'Nyt navn' }, { ifMatch: '*' })
      .catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(BadRequestError);
    expect((failure as BadRequestError).fieldErrors).toContainEqual(
      expect.objectContaining({ field: 'name', code: 'NOT_ALLOWED_VALUE' }),
    );
  });

  it('lets a company read its organisation but not change it, and refuses another organisation (PermissionDeniedError)', async () => {
    const company = await AdminClient.login(
      { baseUrl: simulator.apiUrl },
      seededEmployee(simulator, SEED_IDS.companyWithSystem),
    );
    const own = await company.organisation.get(SEED_IDS.companyWithSystem);

    await expect(
      company.organisation.update(SEED_IDS.companyWithSystem, { legalContact }, { ifMatch: own }),
    ).rejects.toMatchObject({ constructor: PermissionDeniedError, status: 403, code: 'AUTHORITY_ONLY' });
    await expect(company.organisation.get(AUTHORITY)).rejects.toMatchObject({
      constructor: PermissionDeniedError,
      code: 'WRONG_CONTEXT',
    });
  });
});

describe('the logo', () => {
  it('uploads a square PNG with the organisation version, fetches the same bytes, and removes it', async () => {
    const file = png(200, 200);
    const organisation = await admin.organisation.get(AUTHORITY);
    const logo = await admin.organisation.updateLogo(AUTHORITY, file, { ifMatch: organisation });
    const fetched = await admin.organisation.logo(AUTHORITY);

    expect(logo).toMatchObject({ version: (organisation.version as number) + 1, fileSize: file.length });
    expect(Buffer.from(fetched).equals(file)).toBe(true);
    expect(await admin.organisation.get(AUTHORITY)).toMatchObject({ logoAvailable: true });
    await admin.organisation.deleteLogo(AUTHORITY, { ifMatch: logo });
    await expect(admin.organisation.logo(AUTHORITY)).rejects.toMatchObject({
      constructor: NotFoundError,
      status: 404,
    });
  });

  it('refuses a PNG that is not square as a BadRequestError on the file, and a stale version as a ConflictError', async () => {
    const organisation = await admin.organisation.get(AUTHORITY);
    const failure = await admin.organisation
      .updateLogo(AUTHORITY, png(300, 200), { ifMatch: organisation })
      .catch((error: unknown) => error);
    await admin.organisation.updateLogo(AUTHORITY, png(200, 200), { ifMatch: organisation });

    expect(failure).toBeInstanceOf(BadRequestError);
    expect((failure as BadRequestError).fieldErrors).toContainEqual(
      expect.objectContaining({ field: 'file', code: 'NOT_SQUARE' }),
    );
    await expect(
      admin.organisation.updateLogo(AUTHORITY, png(256, 256), { ifMatch: organisation }),
    ).rejects.toMatchObject({ constructor: ConflictError, code: 'VERSION_CONFLICT' });
  });

  it('answers removing a logo the organisation does not have as a NotFoundError', async () => {
    await expect(admin.organisation.deleteLogo(AUTHORITY, { ifMatch: '*' })).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });
});

describe('look-ups', () => {
  it('looks a citizen up by CPR number, and writes the look-up to the search log', async () => {
    const found = await admin.lookups.citizen({ cprNumber: '0101700001' });
    const named = await admin.lookups.citizen({
      cprNumber: '0101700001',
      firstNameProvided: 'test',
      lastNameProvided: 'et',
    });
    const log = await control(simulator, 'GET', `/search-log/${AUTHORITY}`);

    expect(found).toEqual({ identityId: expect.any(String), name: 'Test Borger Et', closed: false });
    expect(named).toEqual(found);
    expect(JSON.stringify(log.json)).toContain('CPR_LOOKED_UP');
  });

  it('answers an unknown citizen, or a name that does not match, with an empty result', async () => {
    expect(await admin.lookups.citizen({ cprNumber: '0101709999' })).toEqual({});
    expect(await admin.lookups.citizen({ cprNumber: '0101700001', lastNameProvided: 'Andersen' })).toEqual(
      {},
    );
  });

  it.each(['010170-0001', '0101700001x', '01017000012'])(
    'refuses the malformed CPR number %s as a BadRequestError that does not repeat it whole',
    async (cprNumber) => {
      const failure = await admin.lookups.citizen({ cprNumber }).catch((error: unknown) => error);

      expect(failure).toBeInstanceOf(BadRequestError);
      expect((failure as BadRequestError).fieldErrors.map((field) => field.field)).toContain('cprNumber');
      expect(JSON.stringify(failure)).not.toMatch(/010170-?0001/);
      expect(String((failure as Error).message)).not.toMatch(/010170-?0001/);
    },
  );

  it('looks an organisation up by CVR number; an unknown one is a NotFoundError', async () => {
    expect(await admin.lookups.organisation('87654321')).toMatchObject({
      organisationId: SEED_IDS.companyWithSystem,
      organisationName: 'Testfirma ApS',
      status: 'ACTIVE',
    });
    await expect(admin.lookups.organisation('99999999')).rejects.toMatchObject({
      constructor: NotFoundError,
      status: 404,
    });
    await expect(admin.lookups.organisation('1234')).rejects.toBeInstanceOf(BadRequestError);
  });

  it('refuses an employee without a service right as a PermissionDeniedError', async () => {
    const contacts = await employeeWith('kirsten', ['CONTACT_ADMINISTRATOR']);

    await expect(contacts.lookups.citizen({ cprNumber: '0101700001' })).rejects.toMatchObject({
      constructor: PermissionDeniedError,
      code: 'RIGHT_MISSING',
    });
    await expect(contacts.lookups.organisation('87654321')).rejects.toBeInstanceOf(PermissionDeniedError);
  });
});
