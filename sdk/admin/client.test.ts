/**
 * The admin client against a real simulator over HTTP: logging in, and the test portal's
 * employees, citizens and companies. The token never shows in what the client prints or throws.
 * Each family of operations has its own file beside this one (systems.test.ts,
 * contact-structure.test.ts, organisation.test.ts, …).
 */
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { RunningSimulator } from '../../simulator/index.ts';
import { seededEmployee } from '../../test/support/admin.ts';
import { adminClientHooks, all } from '../../test/support/admin-client.ts';
import { SEED_IDS } from '../../test/support/simulator.ts';
import { AuthenticationError, InvalidOptionsError, NotFoundError, PermissionDeniedError } from '../errors.ts';
import { AdminClient } from './client.ts';

let simulator: RunningSimulator;
let admin: AdminClient;
const AUTHORITY = SEED_IDS.authority;

adminClientHooks(async (started, client) => {
  simulator = started;
  admin = client;
});

describe('logging in', () => {
  it('gives a client with the employee token for its organisation', async () => {
    const token = await new AdminClient({ baseUrl: simulator.apiUrl }).portal.login(
      seededEmployee(simulator, AUTHORITY),
    );

    expect(token.value).toMatch(/^\S{20,}$/);
    expect(token.additionalInformation?.organisationId).toBe(AUTHORITY);
  });

  it('refuses a wrong password with an AuthenticationError that does not repeat it', async () => {
    const { username } = seededEmployee(simulator, AUTHORITY);
    const failure = await AdminClient.login(
      { baseUrl: simulator.apiUrl },
      { username, password: 'wrong-password-123' },
    ).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(AuthenticationError);
    expect(failure).toMatchObject({ status: 401, code: 'LOGIN_FAILED' });
    expect(inspect(failure)).not.toContain('wrong-password-123');
  });

  it('takes the token from a function, asked for each call', async () => {
    const { value } = await admin.portal.login(seededEmployee(simulator, AUTHORITY));
    let asked = 0;
    const client = new AdminClient({
      baseUrl: simulator.apiUrl,
      token: () => {
        asked++;
        return value;
      },
    });

    await client.standardSystemTemplates.list();
    await client.standardSystemTemplates.list();

    expect(asked).toBe(2);
  });

  it('refuses a token that is not one before any call', () => {
    expect(() => new AdminClient({ baseUrl: simulator.apiUrl, token: 'has spaces' })).toThrow(
      InvalidOptionsError,
    );
  });

  it('shows only its base URL when printed, never the token', async () => {
    const { value } = await admin.portal.login(seededEmployee(simulator, AUTHORITY));
    const client = new AdminClient({ baseUrl: simulator.apiUrl, token: value });

    for (const shown of [inspect(client), JSON.parse(JSON.stringify(client)), String(client)])
      expect(shown).toBe(`[AdminClient baseUrl=${simulator.apiUrl}]`);
  });

  it('answers a call without a token as an AuthenticationError', async () => {
    const anonymous = new AdminClient({ baseUrl: simulator.apiUrl });

    await expect(anonymous.standardSystemTemplates.list()).rejects.toMatchObject({
      constructor: AuthenticationError,
      status: 401,
    });
  });
});

describe('the test portal', () => {
  it('creates an employee with rights, who logs in and is refused what its rights do not open', async () => {
    const employee = await admin.portal.createEmployee({
      username: 'jens',
      password: 'hemmelig-1',
      rights: ['CONTACT_ADMINISTRATOR'],
    });
    const jens = await AdminClient.login(
      { baseUrl: simulator.apiUrl },
      { username: 'jens', password: 'hemmelig-1' },
    );

    expect(employee).toMatchObject({ username: 'jens', organisationId: AUTHORITY });
    await expect(all(jens.systems.list(AUTHORITY))).rejects.toMatchObject({
      constructor: PermissionDeniedError,
      code: 'RIGHT_MISSING',
    });
  });

  it('lists the employees of the organisation and deletes one, whose logins end', async () => {
    await admin.portal.createEmployee({ username: 'karen', password: 'hemmelig-2', rights: ['DP Admin'] });
    const karen = await AdminClient.login(
      { baseUrl: simulator.apiUrl },
      { username: 'karen', password: 'hemmelig-2' },
    );

    expect((await admin.portal.employees()).map((employee) => employee.username)).toContain('karen');
    await admin.portal.deleteEmployee('karen');

    expect((await admin.portal.employees()).map((employee) => employee.username)).not.toContain('karen');
    await expect(karen.standardSystemTemplates.list()).rejects.toBeInstanceOf(AuthenticationError);
  });

  it('creates test citizens and companies with a chosen registration', async () => {
    const citizen = await admin.portal.createCitizen('0202801234', {
      registrationStatus: 'EXEMPT_OTHER_REASON',
      publicRegistrationStatus: 'EXEMPT',
    });
    const company = await admin.portal.createCompany('55667788', { name: 'Prøvefirma ApS' });

    expect(citizen).toMatchObject({
      cprNumber: '0202801234',
      mailboxSubscription: { publicRegistrationStatus: 'EXEMPT' },
    });
    expect(company).toMatchObject({ cvrNumber: '55667788', type: 'COMPANY' });
  });

  it('lists test citizens and companies page after page, and deletes one of each', async () => {
    await admin.portal.createCitizen('0202801234');
    await admin.portal.createCompany('55667788');
    const citizens = await all(admin.portal.citizens({ pageSize: 2 }));

    expect(citizens.map((citizen) => citizen.cprNumber)).toEqual(
      expect.arrayContaining(['0101700001', '0202801234']),
    );
    expect(new Set(citizens.map((citizen) => citizen.id)).size).toBe(citizens.length);
    await admin.portal.deleteCitizen('0202801234');
    await admin.portal.deleteCompany('55667788');

    expect((await all(admin.portal.citizens())).map((citizen) => citizen.cprNumber)).not.toContain(
      '0202801234',
    );
    expect((await all(admin.portal.companies())).map((company) => company.cvrNumber)).not.toContain(
      '55667788',
    );
  });

  it('refuses to delete a number not registered (NotFoundError) or malformed (before any call), masking the CPR number', async () => {
    const unknown = await admin.portal.deleteCitizen('3112999999').catch((error: unknown) => error);
    const malformed = await admin.portal.deleteCitizen('31129999990').catch((error: unknown) => error);

    expect(unknown).toBeInstanceOf(NotFoundError);
    expect(malformed).toBeInstanceOf(InvalidOptionsError);
    expect(String(malformed)).toContain('311299*****');
    await expect(admin.portal.deleteCompany('1234')).rejects.toBeInstanceOf(InvalidOptionsError);
    for (const failure of [unknown, malformed]) expect(inspect(failure)).not.toContain('3112999999');
    await expect(admin.portal.deleteCompany('99887766')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('creates a test organisation whose first employee can log in with the password shown once', async () => {
    const created = await new AdminClient({ baseUrl: simulator.apiUrl }).portal.createOrganisation({
      cvrNumber: '55555555',
      name: 'Prøvekommune',
      type: 'AUTHORITY',
    });
    const first = await AdminClient.login(
      { baseUrl: simulator.apiUrl },
      { username: created.employee.username, password: created.password },
    );

    expect(await first.portal.contexts()).toEqual([
      expect.objectContaining({ organisationId: created.organisation.id, cvrNumber: '55555555' }),
    ]);
  });
});
