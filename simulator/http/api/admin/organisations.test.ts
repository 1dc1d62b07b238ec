/**
 * Administrativ Adgang's authority information over real HTTP (admin.md §7; docs/admin.md, "The
 * organisation and its logo"): an employee reads and changes its organisation and logo at NgDP's
 * paths, with versions; the integration API shows the change, the sender systems that subscribe to
 * the organisation are told, and each change leaves its action-log rows. The records survive a
 * restart with a data directory.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  adminCall,
  adminUpload,
  createEmployee,
  login,
  portal,
  seededToken,
} from '../../../../test/support/admin.ts';
import { png } from '../../../../test/support/png.ts';
import {
  call,
  control,
  expectErrorMessage,
  keyOf,
  type Receiver,
  resetSimulator,
  SEED_IDS,
  startReceiver,
  startTestSimulator,
} from '../../../../test/support/simulator.ts';
import type { RunningSimulator } from '../../../index.ts';

const AUTHORITY = SEED_IDS.authority;
const COMPANY = SEED_IDS.companyWithSystem;
const organisationPath = `/organisations/${AUTHORITY}`;
const logoPath = `${organisationPath}/logo`;
const LEGAL_CONTACT = { name: 'Juridisk kontor', email: 'jura@testkommune.dk', phoneNumber: '70101010' };

let simulator: RunningSimulator;
let receiver: Receiver;
let token: string;

beforeAll(async () => {
  simulator = await startTestSimulator();
  receiver = await startReceiver();
});

afterAll(async () => {
  await simulator.stop();
  await receiver.close();
});

beforeEach(async () => {
  await resetSimulator(simulator);
  receiver.requests.length = 0;
  token = await seededToken(simulator, AUTHORITY);
});

const putLogo = (file: Buffer, ifMatch = '"1"', on: RunningSimulator = simulator, as = token) =>
  adminUpload(on, logoPath, as, file, 'logo.png', { method: 'PUT', headers: { 'if-match': ifMatch } });

/** The organisation as a system sees it on the integration API. */
async function asSystem(id = AUTHORITY): Promise<Record<string, unknown>> {
  const response = await call(`${simulator.apiUrl}/organisations/${id}`, {
    apiKey: keyOf(simulator, SEED_IDS.senderPull),
  });
  return response.json as Record<string, unknown>;
}

const actionLog = async () =>
  (
    (await control(simulator, 'GET', `/action-log/${AUTHORITY}`)).json as {
      rows: {
        subject: string;
        field: string;
        before: string;
        after: string;
        event: string;
        cprCvr: string;
      }[];
    }
  ).rows;

describe('GET and PUT organisations/{id}', () => {
  it('shows an employee its organisation with its version as ETag', async () => {
    const response = await adminCall(simulator, 'GET', organisationPath, { token });
    expect(response.status, response.text).toBe(200);
    expect(response.headers.etag).toBe('"1"');
    expect(response.json).toMatchObject({
      id: AUTHORITY,
      version: 1,
      cvrNumber: '12345678',
      type: 'AUTHORITY',
      logoAvailable: false,
    });
  });

  it('changes the legal contact at the version If-Match names; the integration API shows it', async () => {
    const response = await adminCall(simulator, 'PUT', organisationPath, {
      token,
      body: { legalContact: LEGAL_CONTACT, authorityTerms: true },
      headers: { 'if-match': '"1"' },
    });
    expect(response.status, response.text).toBe(200);
    expect(response.headers.etag).toBe('"2"');
    expect(response.json).toMatchObject({ version: 2, legalContact: LEGAL_CONTACT, name: 'Testkommune' });
    expect(await asSystem()).toMatchObject({ version: 2, legalContact: LEGAL_CONTACT });
    const listed = await call(`${simulator.apiUrl}/organisations/?cvrNumber=12345678`, {
      apiKey: keyOf(simulator, SEED_IDS.senderPull),
    });
    expect((listed.json as { organisations: unknown[] }).organisations).toEqual([
      expect.objectContaining({ version: 2, legalContact: LEGAL_CONTACT }),
    ]);
  });

  it('writes an action-log row "Myndighedsinformation" per changed field', async () => {
    await adminCall(simulator, 'PUT', organisationPath, {
      token,
      body: { legalContact: LEGAL_CONTACT },
      headers: { 'if-match': '1' },
    });
    expect(await actionLog()).toEqual([
      expect.objectContaining({
        subject: 'Myndighedsinformation',
        cprCvr: '12345678',
        event: 'Redigeret',
        field: 'legalContact',
        before: '',
      }),
    ]);
  });

  it.each([
    ['a field NgDP keeps', { name: 'Nyt navn' }, 'name', 'NOT_ALLOWED_VALUE'],
    ['the logo flag', { logoAvailable: true }, 'logoAvailable', 'NOT_ALLOWED_VALUE'],
    ['a field OrganisationCommand lacks', { colour: 'blå' }, 'colour', 'UNKNOWN_FIELD'],
    [
      'a contact without e-mail',
      { legalContact: { ...LEGAL_CONTACT, email: 'nej' } },
      'legalContact.email',
      'INVALID_FORMAT',
    ],
    ['a text for a flag', { authorityTerms: 'ja' }, 'authorityTerms', 'INVALID_FORMAT'],
  ])('refuses %s with 400 naming the field', async (_, body, field, code) => {
    const response = await adminCall(simulator, 'PUT', organisationPath, {
      token,
      body,
      headers: { 'if-match': '1' },
    });
    expectErrorMessage(response, 400, code);
    expect(response.json).toMatchObject({ fieldErrors: [expect.objectContaining({ field, code })] });
  });

  it('accepts the values NgDP keeps repeated unchanged', async () => {
    const response = await adminCall(simulator, 'PUT', organisationPath, {
      token,
      body: { name: 'Testkommune', type: 'AUTHORITY', legalNotificationAllowed: true, logoAvailable: false },
      headers: { 'if-match': '1' },
    });
    expect(response.status, response.text).toBe(200);
  });

  it('refuses a stale version with 409 and a change without If-Match with 400', async () => {
    const body = { authorityTerms: true };
    await adminCall(simulator, 'PUT', organisationPath, { token, body, headers: { 'if-match': '1' } });
    expectErrorMessage(
      await adminCall(simulator, 'PUT', organisationPath, { token, body, headers: { 'if-match': '1' } }),
      409,
      'VERSION_CONFLICT',
    );
    expectErrorMessage(await adminCall(simulator, 'PUT', organisationPath, { token, body }), 400, 'REQUIRED');
  });

  it('needs a right that opens the authority information (403 RIGHT_MISSING)', async () => {
    const clerk = await createEmployee(simulator, token, 'kun-log', ['MESSAGE_LOG_ADMINISTRATOR']);
    const clerkToken = await login(simulator, clerk);
    expectErrorMessage(
      await adminCall(simulator, 'GET', organisationPath, { token: clerkToken }),
      403,
      'RIGHT_MISSING',
    );
    const reader = await createEmployee(simulator, token, 'kontakt', ['CONTACT_ADMINISTRATOR']);
    const readerToken = await login(simulator, reader);
    expect((await adminCall(simulator, 'GET', organisationPath, { token: readerToken })).status).toBe(200);
  });

  it('refuses another organisation than the context (403 WRONG_CONTEXT)', async () => {
    expectErrorMessage(
      await adminCall(simulator, 'GET', `/organisations/${COMPANY}`, { token }),
      403,
      'WRONG_CONTEXT',
    );
  });

  it('lets a company read its organisation but not change it (403 AUTHORITY_ONLY)', async () => {
    const companyToken = await seededToken(simulator, COMPANY);
    const path = `/organisations/${COMPANY}`;
    expect((await adminCall(simulator, 'GET', path, { token: companyToken })).status).toBe(200);
    expectErrorMessage(
      await adminCall(simulator, 'PUT', path, {
        token: companyToken,
        body: {},
        headers: { 'if-match': '1' },
      }),
      403,
      'AUTHORITY_ONLY',
    );
  });
});

describe('the logo: GET, PUT and DELETE organisations/{id}/logo', () => {
  it('takes a square PNG, serves it back and shows it on the organisation', async () => {
    const file = png(200, 200);
    const response = await putLogo(file);
    expect(response.status, response.text).toBe(200);
    expect(response.headers.etag).toBe('"2"');
    expect(response.json).toEqual({ id: expect.any(String), version: 2, fileSize: file.length });

    const fetched = await fetch(`${simulator.apiUrl}${logoPath}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(fetched.status).toBe(200);
    expect(fetched.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await fetched.arrayBuffer()).equals(file)).toBe(true);
    expect(await asSystem()).toMatchObject({ version: 2, logoAvailable: true, logoMediaType: 'IMAGE_PNG' });
  });

  it('deletes the logo: 204, then 404 and logoAvailable false', async () => {
    await putLogo(png(256, 256));
    const deleted = await adminCall(simulator, 'DELETE', logoPath, { token, headers: { 'if-match': '2' } });
    expect(deleted.status, deleted.text).toBe(204);
    expectErrorMessage(await adminCall(simulator, 'GET', logoPath, { token }), 404, 'NOT_FOUND');
    expect(await asSystem()).toMatchObject({ version: 3, logoAvailable: false });
    expectErrorMessage(
      await adminCall(simulator, 'DELETE', logoPath, { token, headers: { 'if-match': '3' } }),
      404,
      'NOT_FOUND',
    );
  });

  it.each([
    ['a file that is no PNG', 'INVALID_FORMAT', Buffer.from('GIF89a, not a PNG, but long enough to be read')],
    ['a PNG that is not square', 'NOT_SQUARE', png(300, 200)],
    ['a PNG smaller than 200 × 200', 'TOO_SMALL', png(100, 100)],
    ['a PNG larger than 512 KiB', 'TOO_LARGE', png(200, 200, 530_000)],
  ])('refuses %s with 400 %s on file', async (_, code, file) => {
    const response = await putLogo(file);
    expectErrorMessage(response, 400, code);
    expect(response.json).toMatchObject({ fieldErrors: [expect.objectContaining({ field: 'file', code })] });
  });

  it('refuses an upload far over the limit unread', async () => {
    expectErrorMessage(await putLogo(png(200, 200, 3_000_000)), 400, 'MESSAGE_TOO_LARGE');
  });

  it('refuses a stale version (409) and a missing If-Match (400)', async () => {
    expectErrorMessage(await putLogo(png(200, 200), '"7"'), 409, 'VERSION_CONFLICT');
    const response = await adminUpload(simulator, logoPath, token, png(200, 200), 'logo.png', {
      method: 'PUT',
    });
    expectErrorMessage(response, 400, 'REQUIRED');
  });

  it('writes an action-log row for the logo', async () => {
    const file = png(200, 200);
    await putLogo(file);
    expect(await actionLog()).toEqual([
      expect.objectContaining({
        subject: 'Myndighedsinformation',
        field: 'logo',
        after: `PNG, ${file.length} bytes`,
      }),
    ]);
  });
});

describe('organisation subscriptions', () => {
  async function subscribe(body: Record<string, unknown>): Promise<string> {
    const response = await call(`${simulator.apiUrl}/organisations/subscriptions/`, {
      method: 'POST',
      apiKey: keyOf(simulator, SEED_IDS.senderPull),
      body: JSON.stringify({ notificationUrl: receiver.url, ...body }),
      contentType: 'application/json',
    });
    expect(response.status, response.text).toBe(201);
    return (response.json as { id: string }).id;
  }

  it('tell a subscribing sender system of a change to the organisation, over HTTP', async () => {
    const subscriptionId = await subscribe({ organisationSubscriptions: ['12345678'] });
    await adminCall(simulator, 'PUT', organisationPath, {
      token,
      body: { legalContact: LEGAL_CONTACT },
      headers: { 'if-match': '1' },
    });
    await simulator.settle();
    expect(receiver.requests).toHaveLength(1);
    expect(JSON.parse(receiver.requests[0]?.body.toString() ?? '')).toEqual({
      subscriptionId,
      organisationId: AUTHORITY,
      cvrNumber: '12345678',
      organisationUrl: `${simulator.apiUrl}/organisations/${AUTHORITY}`,
      change: 'UPDATED',
      version: 2,
      timeStamp: expect.stringMatching(/Z$/),
    });
  });

  it('tell ALL_ORGANISATIONS subscribers of a new logo, and no one who subscribes to another CVR', async () => {
    await subscribe({ subscriptionOperations: ['ALL_ORGANISATIONS'] });
    await subscribe({ organisationSubscriptions: ['87654321'] });
    await putLogo(png(200, 200));
    await simulator.settle();
    expect(receiver.requests.map((request) => JSON.parse(request.body.toString()).version)).toEqual([2]);
  });

  it('tell NEW_ORGANISATIONS subscribers of a test organisation made in the portal', async () => {
    const subscriptionId = await subscribe({ subscriptionOperations: ['NEW_ORGANISATIONS'] });
    const created = await portal(simulator, 'POST', '/organisations', {
      cvrNumber: '55667788',
      name: 'Ny kommune',
    });
    expect(created.status, created.text).toBe(201);
    await simulator.settle();
    expect(JSON.parse(receiver.requests[0]?.body.toString() ?? '')).toMatchObject({
      subscriptionId,
      cvrNumber: '55667788',
      change: 'CREATED',
      version: 1,
    });
  });
});

describe('with a data directory (SQLite)', () => {
  it('keeps the authority information and the logo across a restart', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'dp-admin-organisation-'));
    try {
      let restarted = await startTestSimulator({ dataDir });
      const first = await seededToken(restarted, AUTHORITY);
      const file = png(200, 200);
      expect((await putLogo(file, '1', restarted, first)).status).toBe(200);
      await restarted.stop();
      restarted = await startTestSimulator({ dataDir });
      try {
        const again = await seededToken(restarted, AUTHORITY);
        const fetched = await fetch(`${restarted.apiUrl}${logoPath}`, {
          headers: { authorization: `Bearer ${again}` },
        });
        expect(Buffer.from(await fetched.arrayBuffer()).equals(file)).toBe(true);
        const organisation = await adminCall(restarted, 'GET', organisationPath, { token: again });
        expect(organisation.json).toMatchObject({ version: 2, logoAvailable: true });
      } finally {
        await restarted.stop();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
