/**
 * The admin client against a real simulator over HTTP: logging in, systems made, listed page after
 * page, changed with the version a fetch gave and deleted; NgDP's refusals as the SDK's error
 * classes; the test portal's employees, citizens and companies. The token never shows in what the
 * client prints or throws.
 */
import { inspect } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { makeThrowawayCertificates } from '../../examples/throwaway-certificates.ts';
import type { RunningSimulator } from '../../simulator/index.ts';
import { seededEmployee } from '../../test/support/admin.ts';
import { itWith } from '../../test/support/requirements.ts';
import { advanceClock, resetSimulator, SEED_IDS, startTestSimulator } from '../../test/support/simulator.ts';
import {
  AuthenticationError,
  BadRequestError,
  ConflictError,
  InvalidOptionsError,
  NotFoundError,
  PermissionDeniedError,
} from '../errors.ts';
import { AdminClient } from './client.ts';
import type { MailSystem, MailSystemCommand } from './types.ts';

let simulator: RunningSimulator;
let admin: AdminClient;
const AUTHORITY = SEED_IDS.authority;

/** A sender system Administrativ Adgang accepts. */
function senderSystem(name: string): MailSystemCommand {
  return {
    name,
    systemTypes: ['SENDER'],
    serviceProtocol: 'REST_PULL',
    allowedIps: [{ ip: '127.0.0.1', range: false }],
    activeFrom: '2020-01-01T00:00:00Z',
    technicalContact: { name: 'IT-drift', email: 'drift@example.dk', phoneNumber: '70000000' },
  };
}

async function all<T>(items: AsyncIterable<T>): Promise<T[]> {
  const found: T[] = [];
  for await (const item of items) found.push(item);
  return found;
}

beforeAll(async () => {
  simulator = await startTestSimulator();
});
afterAll(() => simulator.stop());

beforeEach(async () => {
  await resetSimulator(simulator);
  admin = await AdminClient.login({ baseUrl: simulator.apiUrl }, seededEmployee(simulator, AUTHORITY));
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
});

describe('systems', () => {
  it('creates a system whose API key is shown once, and fetches it without the key', async () => {
    const created = await admin.systems.create(AUTHORITY, senderSystem('Sagssystem'));
    const fetched = await admin.systems.get(AUTHORITY, created.id as string);

    expect(created.apiToken?.authenticationToken).toMatch(/\S{16,}/);
    expect(fetched).toMatchObject({ id: created.id, name: 'Sagssystem', version: 1 });
    expect(fetched.apiToken?.authenticationToken).toBeUndefined();
  });

  it('lists every system with for await, page after page, each once', async () => {
    for (let n = 0; n < 7; n++) await admin.systems.create(AUTHORITY, senderSystem(`System ${n}`));
    const { data: systems, responses } = await admin.withResponse((client) =>
      all(client.systems.list(AUTHORITY, { pageSize: 3 })),
    );

    const names = systems.map((system) => system.name);
    expect(names).toEqual(expect.arrayContaining(['System 0', 'System 6']));
    expect(new Set(systems.map((system) => system.id)).size).toBe(systems.length);
    expect(responses.length).toBe(Math.ceil(systems.length / 3));
  });

  it('changes a system with the version its fetch gave, and refuses a stale one as a ConflictError', async () => {
    const created = await admin.systems.create(AUTHORITY, senderSystem('Før'));
    const fetched = await admin.systems.get(AUTHORITY, created.id as string);
    const changed = await admin.systems.update(AUTHORITY, fetched.id as string, senderSystem('Efter'), {
      ifMatch: fetched,
    });

    expect(changed).toMatchObject({ name: 'Efter', version: 2 });
    await expect(
      admin.systems.update(AUTHORITY, fetched.id as string, senderSystem('Igen'), { ifMatch: fetched }),
    ).rejects.toMatchObject({ constructor: ConflictError, status: 409, code: 'VERSION_CONFLICT' });
  });

  it('gives the ETag of an answer through withResponse', async () => {
    const created = await admin.systems.create(AUTHORITY, senderSystem('Sagssystem'));
    const { response } = await admin.withResponse((client) =>
      client.systems.get(AUTHORITY, created.id as string),
    );

    expect(response?.headers.etag).toBe('"1"');
  });

  it('renews a key, makes a recipient system the primary one and deletes a system', async () => {
    const recipient: MailSystem = await admin.systems.create(AUTHORITY, {
      ...senderSystem('Modtager'),
      systemTypes: ['RECIPIENT'],
    });
    const renewed = await admin.systems.renewApiKey(AUTHORITY, recipient.id as string);
    const primary = await admin.systems.makeDefaultRecipient(AUTHORITY, recipient.id as string);
    const sender = await admin.systems.create(AUTHORITY, senderSystem('Afsender'));
    await admin.systems.delete(AUTHORITY, sender.id as string, { ifMatch: sender });

    expect(renewed.apiToken?.authenticationToken).not.toBe(recipient.apiToken?.authenticationToken);
    expect(primary.systemTypes).toContain('RECIPIENT_DEFAULT');
    await expect(admin.systems.get(AUTHORITY, sender.id as string)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('refuses a command missing its fields as a BadRequestError listing each field', async () => {
    const failure = await admin.systems.create(AUTHORITY, { name: '' }).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(BadRequestError);
    expect((failure as BadRequestError).fieldErrors.map((field) => field.field)).toEqual(
      expect.arrayContaining(['name', 'technicalContact']),
    );
  });

  it("refuses another organisation's systems as a PermissionDeniedError (WRONG_CONTEXT)", async () => {
    await expect(all(admin.systems.list(SEED_IDS.companyWithSystem))).rejects.toMatchObject({
      constructor: PermissionDeniedError,
      status: 403,
      code: 'WRONG_CONTEXT',
    });
  });

  it('answers a call without a token as an AuthenticationError', async () => {
    const anonymous = new AdminClient({ baseUrl: simulator.apiUrl });

    await expect(anonymous.standardSystemTemplates.list()).rejects.toMatchObject({
      constructor: AuthenticationError,
      status: 401,
    });
  });

  itWith(
    { tools: ['openssl'] },
    "uploads a system's certificate, finds the system by its serial number, and checks one",
    async () => {
      const { server } = makeThrowawayCertificates();
      // The certificate is valid from the second it was made; the manual clock may stand before it.
      await advanceClock(simulator, 'PT10M');
      const system = await admin.systems.create(AUTHORITY, senderSystem('Med certifikat'));
      const uploaded = await admin.systems.addCertificate(AUTHORITY, system.id as string, server.cert);
      const found = await all(
        admin.systems.list(AUTHORITY, {
          certificateSerialNumber: uploaded.certificateSerialNumber as string,
        }),
      );
      const checked = await admin.systems.checkCertificate('REST_PULL', server.cert.toString('utf8'));

      expect(found.map((each) => each.id)).toEqual([system.id]);
      expect(checked.ocesPublicCertificate?.certificateSerialNumber).toBe(uploaded.certificateSerialNumber);
    },
  );

  it('lists the standard-system templates', async () => {
    expect(await admin.standardSystemTemplates.list()).toEqual([]);
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
