/**
 * Who may call Administrativ Adgang, over real HTTP (admin.md §0.2, §8, §12; docs/admin.md):
 * logging in with a test employee's username and password, bearer tokens bound to the employee
 * and its context organisation, their expiry on the simulator clock, the context switch, the test
 * portal's organisations, employees, citizens and companies — and that all of it survives a
 * restart with a data directory, goes on a reset, and never shows a token or password.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  adminCall,
  createEmployee,
  login,
  portal,
  seededEmployee,
  seededToken,
} from '../../../../test/support/admin.ts';
import {
  advanceClock,
  call,
  control,
  expectErrorMessage,
  keyOf,
  resetSimulator,
  SEED_IDS,
  startTestSimulator,
} from '../../../../test/support/simulator.ts';
import type { RunningSimulator } from '../../../index.ts';

let simulator: RunningSimulator;
const AUTHORITY = SEED_IDS.authority;
const COMPANY = SEED_IDS.companyWithSystem;
const systemsOf = (organisationId: string) => `/organisations/${organisationId}/systems/`;

beforeAll(async () => {
  simulator = await startTestSimulator();
});

afterAll(async () => {
  await simulator.stop();
});

beforeEach(async () => {
  await resetSimulator(simulator);
});

interface TokenJson {
  value: string;
  tokenType: string;
  expiresIn: number;
  expired: boolean;
  additionalInformation: { identityId: string; organisationId: string; asSystemManager?: boolean };
}

describe('POST /portal/v1/login', () => {
  it('gives the seeded employee a bearer token for its own organisation, valid for an hour', async () => {
    const response = await portal(simulator, 'POST', '/login', seededEmployee(simulator, AUTHORITY));
    expect(response.status, response.text).toBe(200);
    expect(response.json).toMatchObject({
      tokenType: 'bearer',
      expiresIn: 3600,
      expired: false,
      additionalInformation: { organisationId: AUTHORITY },
    });
    const token = (response.json as TokenJson).value;
    expect((await adminCall(simulator, 'GET', systemsOf(AUTHORITY), { token })).status).toBe(200);
  });

  it('refuses a wrong password and an unknown username alike (401 LOGIN_FAILED)', async () => {
    const { username } = seededEmployee(simulator, AUTHORITY);
    const wrong = await portal(simulator, 'POST', '/login', { username, password: 'not-the-password' });
    const unknown = await portal(simulator, 'POST', '/login', { username: 'nobody', password: 'whatever1' });
    expect(expectErrorMessage(wrong, 401, 'LOGIN_FAILED')).toEqual(
      expectErrorMessage(unknown, 401, 'LOGIN_FAILED'),
    );
    expect(wrong.text).not.toContain('not-the-password');
  });

  it('refuses a login without username or password (400 with the field)', async () => {
    const response = await portal(simulator, 'POST', '/login', { username: 'admin-12345678' });
    expect(expectErrorMessage(response, 400, 'REQUIRED').fieldErrors).toEqual([
      expect.objectContaining({ resource: 'login', field: 'password' }),
    ]);
  });
});

describe('bearer tokens', () => {
  it('are required: none, a malformed one or an unknown one is 401', async () => {
    expectErrorMessage(await adminCall(simulator, 'GET', systemsOf(AUTHORITY)), 401, 'UNAUTHENTICATED');
    const basic = await call(`${simulator.apiUrl}${systemsOf(AUTHORITY)}`, {
      apiKey: keyOf(simulator, SEED_IDS.senderPull),
    });
    expectErrorMessage(basic, 401, 'UNAUTHENTICATED');
    const unknown = await adminCall(simulator, 'GET', systemsOf(AUTHORITY), { token: 'x'.repeat(43) });
    expectErrorMessage(unknown, 401, 'UNAUTHENTICATED');
  });

  it('expire after an hour of simulator time (401 TOKEN_EXPIRED)', async () => {
    const token = await seededToken(simulator, AUTHORITY);
    await advanceClock(simulator, 'PT59M');
    expect((await adminCall(simulator, 'GET', systemsOf(AUTHORITY), { token })).status).toBe(200);
    await advanceClock(simulator, 'PT1M');
    expectErrorMessage(
      await adminCall(simulator, 'GET', systemsOf(AUTHORITY), { token }),
      401,
      'TOKEN_EXPIRED',
    );
  });

  it('live as long as the admin.tokenLifetimeMs option says', async () => {
    const brief = await startTestSimulator({ admin: { tokenLifetimeMs: 60_000 } });
    try {
      const response = await portal(brief, 'POST', '/login', seededEmployee(brief, AUTHORITY));
      expect(response.json).toMatchObject({ expiresIn: 60 });
      await advanceClock(brief, 'PT1M');
      const token = (response.json as TokenJson).value;
      expectErrorMessage(
        await adminCall(brief, 'GET', systemsOf(AUTHORITY), { token }),
        401,
        'TOKEN_EXPIRED',
      );
    } finally {
      await brief.stop();
    }
  });

  it('are dropped once expired when their employee logs in again', async () => {
    const token = await seededToken(simulator, AUTHORITY);
    await advanceClock(simulator, 'PT2H');
    await seededToken(simulator, AUTHORITY);
    expectErrorMessage(
      await adminCall(simulator, 'GET', systemsOf(AUTHORITY), { token }),
      401,
      'UNAUTHENTICATED',
    );
  });

  it("act for their context organisation only: another organisation's path is 403 WRONG_CONTEXT", async () => {
    const token = await seededToken(simulator, AUTHORITY);
    const response = await adminCall(simulator, 'GET', systemsOf(COMPANY), { token });
    expectErrorMessage(response, 403, 'WRONG_CONTEXT');
  });

  it('never show in the transcript', async () => {
    const token = await seededToken(simulator, AUTHORITY);
    await adminCall(simulator, 'GET', `${systemsOf(AUTHORITY)}?page=0`, { token });
    const entries = await control(simulator, 'GET', '/transcript');
    expect(entries.text).toContain(`${systemsOf(AUTHORITY)}?page=0`);
    expect(entries.text).not.toContain(token);
  });
});

describe('the context switch (admin.md §8)', () => {
  it('lists the organisations an employee holds rights in, and switches to one it was given rights in', async () => {
    const vendorToken = await seededToken(simulator, COMPANY);
    const vendor = await createEmployee(simulator, vendorToken, 'leverandor', ['ORGANISATION_ADMINISTRATOR']);
    // The authority's rights administrator delegates the system administrator right to the vendor.
    const authorityToken = await seededToken(simulator, AUTHORITY);
    const granted = await portal(
      simulator,
      'PUT',
      `/employees/${vendor.username}/rights`,
      { rights: ['ORGANISATION_ADMINISTRATOR'] },
      authorityToken,
    );
    expect(granted.status, granted.text).toBe(200);
    const token = await login(simulator, vendor);
    const contexts = (await portal(simulator, 'GET', '/contexts', undefined, token)).json as {
      contexts: { organisationId: string; rights: string[] }[];
    };
    expect(contexts.contexts.map((context) => context.organisationId).sort()).toEqual(
      [AUTHORITY, COMPANY].sort(),
    );
    const switched = await portal(simulator, 'POST', '/context', { cvrNumber: '12345678' }, token);
    expect(switched.status, switched.text).toBe(200);
    const authority = (switched.json as TokenJson).value;
    expect((await adminCall(simulator, 'GET', systemsOf(AUTHORITY), { token: authority })).status).toBe(200);
    expectErrorMessage(
      await adminCall(simulator, 'GET', systemsOf(COMPANY), { token: authority }),
      403,
      'WRONG_CONTEXT',
    );
  });

  it('refuses an organisation without rights there (403), and an unknown one (404)', async () => {
    const companyToken = await seededToken(simulator, COMPANY);
    const clerk = await createEmployee(simulator, companyToken, 'kontorist', ['ORGANISATION_ADMINISTRATOR']);
    const token = await login(simulator, clerk);
    expectErrorMessage(
      await portal(simulator, 'POST', '/context', { organisationId: AUTHORITY }, token),
      403,
      'RIGHT_MISSING',
    );
    expectErrorMessage(
      await portal(simulator, 'POST', '/context', { cvrNumber: '99999999' }, token),
      404,
      'NOT_FOUND',
    );
    const bad = await portal(simulator, 'POST', '/context', { cvrNumber: '123' }, token);
    expect(expectErrorMessage(bad, 400, 'INVALID_FORMAT').fieldErrors[0]).toMatchObject({
      field: 'cvrNumber',
    });
  });

  it('lets a system manager switch to any organisation, with every admin right there', async () => {
    const token = await seededToken(simulator, COMPANY);
    const switched = await portal(
      simulator,
      'POST',
      '/context',
      { organisationId: SEED_IDS.companyWithoutSystem },
      token,
    );
    expect(switched.json).toMatchObject({ additionalInformation: { asSystemManager: true } });
    const managerToken = (switched.json as TokenJson).value;
    const systems = await adminCall(simulator, 'GET', systemsOf(SEED_IDS.companyWithoutSystem), {
      token: managerToken,
    });
    expect(systems.status).toBe(200);
  });
});

describe('the test portal', () => {
  it('creates a test organisation whose first employee holds every right and logs in', async () => {
    const response = await portal(simulator, 'POST', '/organisations', {
      cvrNumber: '55555555',
      name: 'Prøvekommune',
      type: 'AUTHORITY',
      authorityType: 'MUNICIPALITY',
      employee: { username: 'certholder', password: 'hemmeligt-1' },
    });
    expect(response.status, response.text).toBe(201);
    const created = response.json as {
      organisation: { id: string; cvrNumber: string };
      employee: { rights: { organisationId: string; rights: string[] }[] };
      password: string;
    };
    expect(created.password).toBe('hemmeligt-1');
    expect(created.employee.rights[0]?.rights).toContain('ORGANISATION_USER_ADMINISTRATOR');
    const token = await login(simulator, { username: 'certholder', password: 'hemmeligt-1' });
    expect((await adminCall(simulator, 'GET', systemsOf(created.organisation.id), { token })).status).toBe(
      200,
    );
    const again = await portal(simulator, 'POST', '/organisations', { cvrNumber: '55555555', name: 'Igen' });
    expectErrorMessage(again, 409, 'CVR_NUMBER_IN_USE');
  });

  it.each([
    [{ cvrNumber: '123', name: 'X' }, 'cvrNumber', 'INVALID_FORMAT'],
    [{ cvrNumber: '55555556' }, 'name', 'REQUIRED'],
    [{ cvrNumber: '55555556', name: 'X', type: 'CITIZEN' }, 'type', 'NOT_ALLOWED_VALUE'],
    [{ cvrNumber: '55555556', name: 'X', authorityType: 'KINGDOM' }, 'authorityType', 'NOT_ALLOWED_VALUE'],
  ])('refuses test organisation %j: 400 on %s', async (body, field, code) => {
    const response = await portal(simulator, 'POST', '/organisations', body);
    expect(expectErrorMessage(response, 400, code).fieldErrors).toEqual([expect.objectContaining({ field })]);
  });

  it('creates employees with chosen rights, by the rights administrator only', async () => {
    const admin = await seededToken(simulator, AUTHORITY);
    const logReader = await createEmployee(simulator, admin, 'logreader', ['MESSAGE_LOG_ADMINISTRATOR']);
    const token = await login(simulator, logReader);
    expectErrorMessage(
      await adminCall(simulator, 'GET', systemsOf(AUTHORITY), { token }),
      403,
      'RIGHT_MISSING',
    );
    const refused = await portal(
      simulator,
      'POST',
      '/employees',
      { username: 'another', password: 'password-1', rights: [] },
      token,
    );
    expectErrorMessage(refused, 403, 'RIGHT_MISSING');
    const rows = (await control(simulator, 'GET', `/action-log/${AUTHORITY}`)).json as {
      rows: { name: string; event: string }[];
    };
    expect(rows.rows).toContainEqual(expect.objectContaining({ name: 'logreader', event: 'Oprettet' }));
  });

  it("takes the test environment's names of the rights too", async () => {
    const admin = await seededToken(simulator, AUTHORITY);
    const dpAdmin = await createEmployee(simulator, admin, 'dp-admin', ['DP Admin']);
    const token = await login(simulator, dpAdmin);
    expect((await adminCall(simulator, 'GET', systemsOf(AUTHORITY), { token })).status).toBe(200);
  });

  it.each([
    [{ username: 'x', password: 'password-1', rights: [] }, 'username', 'INVALID_FORMAT'],
    [{ username: 'admin-12345678', password: 'password-1', rights: [] }, 'username', 'ALREADY_IN_USE'],
    [{ username: 'kort', password: 'short', rights: [] }, 'password', 'INVALID_FORMAT'],
    [{ username: 'rettigheder', password: 'password-1', rights: ['GOD'] }, 'rights', 'NOT_ALLOWED_VALUE'],
  ])('refuses employee %j: 400 on %s', async (body, field, code) => {
    const admin = await seededToken(simulator, AUTHORITY);
    const response = await portal(simulator, 'POST', '/employees', body, admin);
    const error = expectErrorMessage(response, 400, code);
    expect(error.fieldErrors).toEqual([expect.objectContaining({ field })]);
    expect(response.text).not.toContain('short');
  });

  it('creates test citizens and companies with a registration status and NemSMS number, as NgDP contacts', async () => {
    const token = await seededToken(simulator, AUTHORITY);
    const citizen = await portal(
      simulator,
      'POST',
      '/citizens',
      {
        cprNumber: '0202801234',
        name: 'Fritaget Borger',
        registrationStatus: 'EXEMPT_OTHER_REASON',
        publicRegistrationStatus: 'EXEMPT',
      },
      token,
    );
    expect(citizen.status, citizen.text).toBe(201);
    const sms = await portal(
      simulator,
      'POST',
      '/citizens',
      { cprNumber: '0202801235', nemSmsMobileNumber: '20202020' },
      token,
    );
    expect(sms.json).toMatchObject({ nemSmsSubscription: { mobileNumber: '20202020' } });
    const company = await portal(
      simulator,
      'POST',
      '/companies',
      { cvrNumber: '44444444', name: 'Nyt Firma' },
      token,
    );
    expect(company.status, company.text).toBe(201);
    const found = await call(`${simulator.apiUrl}/contacts/?cprNumber=0202801234`, {
      apiKey: keyOf(simulator, SEED_IDS.senderPull),
    });
    expect(found.json).toMatchObject({
      contacts: [{ cprNumber: '0202801234', mailboxSubscription: { publicRegistrationStatus: 'EXEMPT' } }],
    });
    expectErrorMessage(
      await portal(simulator, 'POST', '/citizens', { name: 'No number' }, token),
      400,
      'REQUIRED',
    );
    expectErrorMessage(
      await portal(simulator, 'POST', '/citizens', { cprNumber: '0202801236' }),
      401,
      'UNAUTHENTICATED',
    );
  });
});

describe('state', () => {
  it('goes on a reset: created employees and tokens are gone, the seeded employee is back', async () => {
    const admin = await seededToken(simulator, AUTHORITY);
    const clerk = await createEmployee(simulator, admin, 'midlertidig', ['ORGANISATION_ADMINISTRATOR']);
    await resetSimulator(simulator);
    expectErrorMessage(await portal(simulator, 'POST', '/login', clerk), 401, 'LOGIN_FAILED');
    expectErrorMessage(
      await adminCall(simulator, 'GET', systemsOf(AUTHORITY), { token: admin }),
      401,
      'UNAUTHENTICATED',
    );
    expect(await seededToken(simulator, AUTHORITY)).toEqual(expect.any(String));
  });

  it('survives a restart with a data directory (SQLite), which holds no token or password', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'dp-admin-sqlite-'));
    try {
      let restarted = await startTestSimulator({ dataDir });
      const admin = await seededToken(restarted, AUTHORITY);
      const clerk = await createEmployee(restarted, admin, 'varig', ['ORGANISATION_ADMINISTRATOR']);
      const token = await login(restarted, clerk);
      await restarted.stop();
      restarted = await startTestSimulator({ dataDir });
      try {
        expect((await adminCall(restarted, 'GET', systemsOf(AUTHORITY), { token })).status).toBe(200);
        expect(await login(restarted, clerk)).toEqual(expect.any(String));
      } finally {
        await restarted.stop();
      }
      for (const file of readdirSync(dataDir)) {
        const bytes = readFileSync(join(dataDir, file)).toString('latin1');
        expect(bytes, file).not.toContain(token);
        expect(bytes, file).not.toContain(clerk.password);
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
