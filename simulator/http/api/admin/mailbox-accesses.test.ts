/**
 * Accesses to a citizen's mailbox at NgDP's paths over real HTTP (admin.md §6; docs/admin.md,
 * "Mailbox accesses"): a citizen service employee gives a citizen or a company read, or read and
 * write, access — at most 10 per mailbox, one per holder —, changes or ends it, and an access with
 * an end date ends on the simulator clock. An exempt owner's exemption is lifted or kept, as chosen.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  adminCall,
  createEmployee,
  login,
  portal,
  seededToken,
  senderContact,
} from '../../../../test/support/admin.ts';
import {
  control,
  expectErrorMessage,
  resetSimulator,
  SEED_IDS,
  setClock,
  startTestSimulator,
} from '../../../../test/support/simulator.ts';
import type { RunningSimulator } from '../../../index.ts';

let simulator: RunningSimulator;
let token: string;
const AUTHORITY = SEED_IDS.authority;

interface AccessJson {
  id: string;
  version: number;
  accessType: string;
  mailboxId: string;
  identityId: string;
  privileges: string[];
  activeToDateTime?: string;
  intendedEmployee?: string;
  smsNotificationSubscription?: { id: string; mobileNumber: string; verificationTime?: string };
}

beforeAll(async () => {
  simulator = await startTestSimulator();
});

afterAll(async () => {
  await simulator.stop();
});

beforeEach(async () => {
  await resetSimulator(simulator);
  await setClock(simulator, '2025-03-10T10:00:00Z');
  token = await seededToken(simulator, AUTHORITY);
});

/** A contact's id (a citizen's: its mailbox's id too), as senders see it. */
const contactId = async (number: string, on = simulator) => (await senderContact(on, number)).id;

const registration = async (number: string) =>
  (await senderContact(simulator, number)).mailboxSubscription.publicRegistrationStatus;

const accessesOf = (mailboxId: string) => `/mailboxes/${mailboxId}/accesses/`;

async function give(
  mailboxId: string,
  body: Record<string, unknown>,
  on = simulator,
  as = token,
): Promise<AccessJson> {
  const response = await adminCall(on, 'POST', accessesOf(mailboxId), { token: as, body });
  expect(response.status, response.text).toBe(201);
  return response.json as AccessJson;
}

const adgangRows = async () =>
  (
    (await control(simulator, 'GET', `/action-log/${AUTHORITY}`)).json as {
      rows: { subject: string; event: string; actor: string; eventTag: string; field: string }[];
    }
  ).rows.filter((row) => row.subject === 'Adgang');

describe('POST mailboxes/{mailboxId}/accesses/', () => {
  it('gives a citizen read access: listed, fetched with its ETag, in the action and search logs', async () => {
    const mailbox = await contactId('0101700001');
    const holder = await contactId('0101700005');
    const access = await give(mailbox, { identityId: holder, privileges: ['MESSAGE_BASIC'] });
    expect(access).toMatchObject({
      version: 1,
      accessType: 'PARTY_REPRESENTATIVE',
      mailboxId: mailbox,
      identityId: holder,
      privileges: ['MESSAGE_BASIC'],
    });
    const listed = await adminCall(simulator, 'GET', accessesOf(mailbox), { token });
    expect(listed.json).toMatchObject({ totalElements: 1, accesses: [{ id: access.id }] });
    const fetched = await adminCall(simulator, 'GET', `${accessesOf(mailbox)}${access.id}`, { token });
    expect(fetched.headers.etag).toBe('"1"');
    expect(fetched.json).toEqual(access);
    expect(await adgangRows()).toContainEqual(
      expect.objectContaining({ event: 'Oprettet', eventTag: 'READ_ACCESS_CREATED', field: 'privileges' }),
    );
    const searches = (await control(simulator, 'GET', `/search-log/${AUTHORITY}`)).json as {
      rows: { cprCvr: string; register: string; operation: string }[];
    };
    expect(searches.rows).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          cprCvr: '0101700005',
          register: 'adgangsregister',
          operation: 'createAccess',
        }),
        expect.objectContaining({
          cprCvr: '0101700001',
          register: 'adgangsregister',
          operation: 'queryAccess',
        }),
      ]),
    );
  });

  it('read and write includes read; a company holder may name its intended employee', async () => {
    const mailbox = await contactId('0101700001');
    const access = await give(mailbox, {
      identityId: await contactId('87654321'),
      privileges: ['MESSAGE_WRITE'],
      intendedEmployee: 'Karen Sagsbehandler',
      activeToDateTime: '2025-12-31T23:00:00Z',
    });
    expect(access).toMatchObject({
      privileges: ['MESSAGE_BASIC', 'MESSAGE_WRITE'],
      intendedEmployee: 'Karen Sagsbehandler',
      activeToDateTime: '2025-12-31T23:00:00.000Z',
    });
  });

  it("an exempt owner's exemption is lifted or kept, as chosen — a choice is required", async () => {
    const mailbox = await contactId('0101700002');
    const holder = await contactId('0101700001');
    const none = await adminCall(simulator, 'POST', accessesOf(mailbox), {
      token,
      body: { identityId: holder, privileges: ['MESSAGE_BASIC'] },
    });
    expect(expectErrorMessage(none, 400, 'REQUIRED').fieldErrors?.[0]?.field).toBe('liftExemption');
    await give(mailbox, { identityId: holder, privileges: ['MESSAGE_BASIC'], liftExemption: false });
    expect(await registration('0101700002')).toBe('EXEMPT');
    await give(mailbox, {
      identityId: await contactId('0101700005'),
      privileges: ['MESSAGE_BASIC'],
      liftExemption: true,
    });
    expect(await registration('0101700002')).toBe('REGISTERED');
  });

  it('one access per holder (409 ACCESS_EXISTS) and at most 10 per mailbox (409 TOO_MANY_ACCESSES)', async () => {
    const mailbox = await contactId('0101700001');
    const holders: string[] = [];
    for (let index = 1; index <= 11; index++) {
      const created = await portal(
        simulator,
        'POST',
        '/citizens',
        { cprNumber: `02027000${String(index).padStart(2, '0')}`, name: `Holder ${index}` },
        token,
      );
      holders.push((created.json as { id: string }).id);
    }
    for (const holder of holders.slice(0, 10))
      await give(mailbox, { identityId: holder, privileges: ['MESSAGE_BASIC'] });
    const again = await adminCall(simulator, 'POST', accessesOf(mailbox), {
      token,
      body: { identityId: holders[0], privileges: ['MESSAGE_BASIC'] },
    });
    expectErrorMessage(again, 409, 'ACCESS_EXISTS');
    const eleventh = await adminCall(simulator, 'POST', accessesOf(mailbox), {
      token,
      body: { identityId: holders[10], privileges: ['MESSAGE_BASIC'] },
    });
    expectErrorMessage(eleventh, 409, 'TOO_MANY_ACCESSES');
  });
});

describe('GET mailboxes/{mailboxId}/accesses/ with the query language', () => {
  it('pages and sorts; a parameter queryAccess does not take is refused', async () => {
    const mailbox = await contactId('0101700001');
    const holders = [await contactId('0101700005'), await contactId('0101700006')].sort();
    for (const holder of holders) await give(mailbox, { identityId: holder, privileges: ['MESSAGE_BASIC'] });
    const sorted = await adminCall(
      simulator,
      'GET',
      `${accessesOf(mailbox)}?sortFields=identityId:desc&size=1`,
      {
        token,
      },
    );
    expect(sorted.status, sorted.text).toBe(200);
    expect(sorted.json).toMatchObject({
      totalElements: 2,
      totalPages: 2,
      elementsOnPage: 1,
      accesses: [{ identityId: holders[1] }],
    });
    expectErrorMessage(
      await adminCall(simulator, 'GET', `${accessesOf(mailbox)}?identityId=${holders[0]}`, { token }),
      400,
      'INVALID_PARAMETER',
    );
  });
});

describe('an access on the simulator clock', () => {
  it('ends at its activeToDateTime: no longer listed or fetched, and the log says System ended it', async () => {
    const mailbox = await contactId('0101700001');
    const access = await give(mailbox, {
      identityId: await contactId('0101700005'),
      privileges: ['MESSAGE_BASIC'],
      activeToDateTime: '2025-03-11T00:00:00Z',
    });
    await setClock(simulator, '2025-03-11T00:00:01Z');
    token = await seededToken(simulator, AUTHORITY);
    expect((await adminCall(simulator, 'GET', accessesOf(mailbox), { token })).json).toMatchObject({
      totalElements: 0,
    });
    expectErrorMessage(
      await adminCall(simulator, 'GET', `${accessesOf(mailbox)}${access.id}`, { token }),
      404,
      'NOT_FOUND',
    );
    expect(await adgangRows()).toContainEqual(
      expect.objectContaining({ event: 'Slettet', actor: 'System', eventTag: 'READ_ACCESS_DELETED' }),
    );
  });
});

describe('PUT mailboxes/{mailboxId}/accesses/{id}', () => {
  it('changes the privileges (Redigeret), and no privileges end the access (Slettet)', async () => {
    const mailbox = await contactId('0101700001');
    const holder = await contactId('0101700005');
    const access = await give(mailbox, { identityId: holder, privileges: ['MESSAGE_BASIC'] });
    const path = `${accessesOf(mailbox)}${access.id}`;
    const changed = await adminCall(simulator, 'PUT', path, {
      token,
      headers: { 'if-match': '"1"' },
      body: { ...access, privileges: ['MESSAGE_BASIC', 'MESSAGE_WRITE'] },
    });
    expect(changed.status, changed.text).toBe(200);
    expect(changed.json).toMatchObject({ version: 2, privileges: ['MESSAGE_BASIC', 'MESSAGE_WRITE'] });
    const ended = await adminCall(simulator, 'PUT', path, {
      token,
      headers: { 'if-match': '"2"' },
      body: { identityId: holder, privileges: [] },
    });
    expect(ended.status, ended.text).toBe(200);
    expectErrorMessage(await adminCall(simulator, 'GET', path, { token }), 404, 'NOT_FOUND');
    expect((await adgangRows()).map((row) => row.event)).toEqual(
      expect.arrayContaining(['Oprettet', 'Redigeret', 'Slettet']),
    );
  });

  it('409 VERSION_CONFLICT for a stale If-Match; 400 to move the access to another holder', async () => {
    const mailbox = await contactId('0101700001');
    const access = await give(mailbox, {
      identityId: await contactId('0101700005'),
      privileges: ['MESSAGE_BASIC'],
    });
    const path = `${accessesOf(mailbox)}${access.id}`;
    const stale = await adminCall(simulator, 'PUT', path, {
      token,
      headers: { 'if-match': '"9"' },
      body: { ...access },
    });
    expectErrorMessage(stale, 409, 'VERSION_CONFLICT');
    const moved = await adminCall(simulator, 'PUT', path, {
      token,
      headers: { 'if-match': '"1"' },
      body: { ...access, identityId: await contactId('0101700006') },
    });
    expectErrorMessage(moved, 400, 'NOT_ALLOWED_VALUE');
  });
});

describe('PUT …/accesses/{accessId}/subscriptions/{subscriptionId}/verification', () => {
  it('verifies an SMS subscription with the PIN 123456; another PIN is refused', async () => {
    const mailbox = await contactId('0101700001');
    const access = await give(mailbox, {
      identityId: await contactId('0101700005'),
      privileges: ['MESSAGE_BASIC'],
      smsNotificationSubscription: { mobileNumber: '20700005' },
    });
    const subscription = access.smsNotificationSubscription?.id as string;
    expect(access.smsNotificationSubscription?.verificationTime).toBeUndefined();
    const path = `${accessesOf(mailbox)}${access.id}/subscriptions/${subscription}/verification`;
    expectErrorMessage(
      await adminCall(simulator, 'PUT', path, { token, body: { pin: '000000' } }),
      400,
      'PIN_INVALID',
    );
    const verified = await adminCall(simulator, 'PUT', path, { token, body: { pin: '123456' } });
    expect(verified.status, verified.text).toBe(200);
    expect((verified.json as AccessJson).smsNotificationSubscription?.verificationTime).toBe(
      '2025-03-10T10:00:00.000Z',
    );
    const unknown = `${accessesOf(mailbox)}${access.id}/subscriptions/${mailbox}/verification`;
    expectErrorMessage(
      await adminCall(simulator, 'PUT', unknown, { token, body: { pin: '123456' } }),
      404,
      'NOT_FOUND',
    );
  });
});

describe('refusals', () => {
  it('404 for a mailbox that is not a registered citizen’s (a company, a closed citizen, nothing)', async () => {
    for (const mailbox of [
      await contactId('87654321'),
      await contactId('0101700003'),
      '00000000-0000-4000-8000-000000000000',
    ])
      expectErrorMessage(await adminCall(simulator, 'GET', accessesOf(mailbox), { token }), 404, 'NOT_FOUND');
  });

  const bodies: [string, Record<string, unknown>, string, string][] = [
    ['no holder', { identityId: null, privileges: ['MESSAGE_BASIC'] }, 'identityId', 'REQUIRED'],
    [
      'an unknown holder',
      { identityId: '00000000-0000-4000-8000-000000000000', privileges: ['MESSAGE_BASIC'] },
      'identityId',
      'NOT_FOUND',
    ],
    [
      'an OWNER access',
      { accessType: 'OWNER', privileges: ['MESSAGE_BASIC'] },
      'accessType',
      'NOT_ALLOWED_VALUE',
    ],
    ['no privileges', { privileges: [] }, 'privileges', 'REQUIRED'],
    ['another privilege', { privileges: ['ORGANISATION_ADMINISTRATOR'] }, 'privileges', 'NOT_ALLOWED_VALUE'],
    [
      'an end in the past',
      { privileges: ['MESSAGE_BASIC'], activeToDateTime: '2020-01-01T00:00:00Z' },
      'activeToDateTime',
      'NOT_ALLOWED_VALUE',
    ],
    [
      'an intended employee of a citizen',
      { privileges: ['MESSAGE_BASIC'], intendedEmployee: 'Karen' },
      'intendedEmployee',
      'NOT_ALLOWED_VALUE',
    ],
    [
      'a bad mobile number',
      { privileges: ['MESSAGE_BASIC'], smsNotificationSubscription: { mobileNumber: '123' } },
      'smsNotificationSubscription.mobileNumber',
      'INVALID_FORMAT',
    ],
    ['an unknown field', { privileges: ['MESSAGE_BASIC'], expires: 'never' }, 'expires', 'UNKNOWN_FIELD'],
  ];
  it.each(bodies)('400 for %s, naming the field', async (_name, body, field, code) => {
    const mailbox = await contactId('0101700001');
    const holder = await contactId('0101700005');
    const response = await adminCall(simulator, 'POST', accessesOf(mailbox), {
      token,
      body: { identityId: holder, ...body },
    });
    const error = expectErrorMessage(response, 400, code);
    expect(error.fieldErrors?.map((each) => each.field)).toContain(field);
  });

  it('400 for the owner as holder', async () => {
    const mailbox = await contactId('0101700001');
    const response = await adminCall(simulator, 'POST', accessesOf(mailbox), {
      token,
      body: { identityId: mailbox, privileges: ['MESSAGE_BASIC'] },
    });
    expectErrorMessage(response, 400, 'NOT_ALLOWED_VALUE');
  });

  it('403 for an employee without CITIZEN_SERVICE_EMPLOYEE', async () => {
    const clerk = await createEmployee(simulator, token, 'erhverv2', [
      'DANISH_BUSINESS_AUTHORITY_SERVICE_EMPLOYEE',
    ]);
    const response = await adminCall(simulator, 'GET', accessesOf(await contactId('0101700001')), {
      token: await login(simulator, clerk),
    });
    expectErrorMessage(response, 403, 'RIGHT_MISSING');
  });
});

describe('with a data directory (SQLite)', () => {
  it('keeps accesses across a restart', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'dp-accesses-'));
    try {
      let restarted = await startTestSimulator({ dataDir });
      const mailbox = await contactId('0101700001', restarted);
      const access = await give(
        mailbox,
        { identityId: await contactId('0101700005', restarted), privileges: ['MESSAGE_BASIC'] },
        restarted,
        await seededToken(restarted, AUTHORITY),
      );
      await restarted.stop();
      restarted = await startTestSimulator({ dataDir });
      try {
        const again = await seededToken(restarted, AUTHORITY);
        const fetched = await adminCall(restarted, 'GET', `${accessesOf(mailbox)}${access.id}`, {
          token: again,
        });
        expect(fetched.json).toEqual(access);
      } finally {
        await restarted.stop();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
