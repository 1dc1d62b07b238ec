/**
 * Administrativ Adgang's systems operations over real HTTP (admin.md §1; docs/admin.md,
 * "Systems"): a system made at NgDP's path works on the integration API with the key it was given,
 * and the portal's rules — required fields, protocols per kind, the primary recipient system, one
 * recipient system per company, locked fields in operation, versions — are kept, each refusal
 * NgDP's ErrorMessage with the fields at fault. Every change leaves its action-log rows.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { adminCall, adminUpload, mailSystemCommand, seededToken } from '../../../../test/support/admin.ts';
import { itWith } from '../../../../test/support/requirements.ts';
import {
  type ApiResponse,
  advanceClock,
  call,
  control,
  expectErrorMessage,
  keyOf,
  resetSimulator,
  SEED_IDS,
  startTestSimulator,
} from '../../../../test/support/simulator.ts';
import { sshPublicKey } from '../../../../test/support/ssh-keys.ts';
import type { RunningSimulator } from '../../../index.ts';

let simulator: RunningSimulator;
let token: string;
const AUTHORITY = SEED_IDS.authority;
const systemsPath = `/organisations/${AUTHORITY}/systems/`;

interface MailSystemJson {
  id: string;
  version: number;
  name: string;
  systemTypes: string[];
  serviceProtocol: string;
  apiToken: { authenticationToken?: string; value?: string };
  ssh?: { sshUsername?: string; sshPublicKey: string[] };
}

beforeAll(async () => {
  simulator = await startTestSimulator();
});

afterAll(async () => {
  await simulator.stop();
});

beforeEach(async () => {
  await resetSimulator(simulator);
  token = await seededToken(simulator, AUTHORITY);
});

async function create(overrides: Record<string, unknown> = {}, path = systemsPath): Promise<MailSystemJson> {
  const response = await adminCall(simulator, 'POST', path, { token, body: mailSystemCommand(overrides) });
  expect(response.status, response.text).toBe(201);
  return response.json as MailSystemJson;
}

/** A call to the integration API with a system's `Authorization` value. */
function asSystem(authenticationToken: string, path: string): Promise<ApiResponse> {
  return call(`${simulator.apiUrl}${path}`, { headers: { authorization: authenticationToken } });
}

const actionLog = async (organisationId = AUTHORITY) =>
  (await control(simulator, 'GET', `/action-log/${organisationId}`)).json as {
    rows: {
      subject: string;
      resourceId: string;
      event: string;
      field: string;
      before: string;
      after: string;
      actor: string;
      eventTag: string;
    }[];
  };

describe('POST organisations/{organisationId}/systems/', () => {
  it('creates a system whose API key, shown once, works on the integration API at once', async () => {
    const created = await create({
      name: 'Modtager',
      systemTypes: ['RECIPIENT'],
      serviceProtocol: 'REST_PULL',
    });
    expect(created).toMatchObject({
      version: 1,
      name: 'Modtager',
      serviceProtocol: 'REST_PULL',
      receiptFormat: 'MEMO',
    });
    const key = created.apiToken.authenticationToken as string;
    expect(key).toMatch(/^Basic [A-Za-z0-9+/=]+$/);
    expect((await asSystem(key, '/memos/')).status).toBe(200);
    const fetched = await adminCall(simulator, 'GET', `${systemsPath}${created.id}`, { token });
    expect(fetched.headers.etag).toBe('"1"');
    expect((fetched.json as MailSystemJson).apiToken.authenticationToken).toBeUndefined();
  });

  it('writes an action-log row per field and a SYSTEM_CHANGED event naming the employee', async () => {
    const created = await create();
    const rows = (await actionLog()).rows.filter((row) => row.resourceId === created.id);
    expect(rows.map((row) => row.field)).toEqual(
      expect.arrayContaining(['name', 'systemTypes', 'serviceProtocol', 'allowedIps', 'technicalContact']),
    );
    expect(rows[0]).toMatchObject({
      subject: 'System',
      event: 'Oprettet',
      before: '',
      actor: 'CVR:12345678-RID:10000001',
      eventTag: 'SYSTEM_CHANGED',
    });
    const events = await call(`${simulator.apiUrl}/events/?eventTag=SYSTEM_CHANGED`, {
      apiKey: keyOf(simulator, SEED_IDS.senderPull),
    });
    expect((events.json as { events: { message?: string }[] }).events).toContainEqual(
      expect.objectContaining({ message: `system ${created.id} created by CVR:12345678-RID:10000001` }),
    );
  });

  it('refuses a command with every field at fault listed', async () => {
    const response = await adminCall(simulator, 'POST', systemsPath, {
      token,
      body: {
        systemTypes: ['SENDER', 'OTHER'],
        allowedIps: [{ ip: '10.0.0.0/8', range: true }],
        endpoint: 'ftp://x',
      },
    });
    const body = expectErrorMessage(response, 400, 'REQUIRED');
    expect(body.fieldErrors.map((error) => `${error.field}:${error.code}`)).toEqual(
      expect.arrayContaining([
        'name:REQUIRED',
        'systemTypes:NOT_ALLOWED_VALUE',
        'serviceProtocol:REQUIRED',
        'endpoint:INVALID_FORMAT',
        'allowedIps[0].ip:INVALID_FORMAT',
        'technicalContact:REQUIRED',
      ]),
    );
  });

  it.each([
    [['RECIPIENT'], 'SFTP', {}, 'serviceProtocol', 'NOT_ALLOWED_VALUE'],
    [['SENDER', 'RECIPIENT'], 'SFTP', {}, 'serviceProtocol', 'NOT_ALLOWED_VALUE'],
    [['RECIPIENT'], 'REST_PUSH', {}, 'endpoint', 'REQUIRED'],
    [['SENDER'], 'REST_PUSH', {}, 'receiptEndpoint', 'REQUIRED'],
    [['SENDER'], 'REST_PULL', { endpoint: 'http://example.dk/in' }, 'endpoint', 'INVALID_FORMAT'],
    [
      ['SENDER'],
      'REST_PULL',
      { activeFrom: null, activeTo: '2030-01-01T00:00:00Z' },
      'activeTo',
      'NOT_ALLOWED_VALUE',
    ],
    [['SENDER'], 'REST_PULL', { allowedIps: [] }, 'allowedIps', 'REQUIRED'],
    [
      ['SENDER'],
      'REST_PULL',
      { allowedIps: [{ ip: '10.0.0.0/27' }, { ip: '10.1.1.1' }] },
      'allowedIps',
      'TOO_MANY',
    ],
    [
      ['SENDER'],
      'REST_PULL',
      { technicalContact: { name: 'IT', email: 'no-at', phoneNumber: '1' } },
      'technicalContact.email',
      'INVALID_FORMAT',
    ],
    [['SENDER'], 'REST_PULL', { delegatedCVR: '123' }, 'delegatedCVR', 'INVALID_FORMAT'],
    [['SENDER'], 'REST_PULL', { receiptFormat: 'DP2' }, 'receiptFormat', 'NOT_ALLOWED_VALUE'],
    [
      ['SENDER'],
      'REST_PULL',
      { organisationId: SEED_IDS.companyWithSystem },
      'organisationId',
      'NOT_ALLOWED_VALUE',
    ],
  ])('refuses systemTypes %j with %s and %j: 400 on %s (%s)', async (types, protocol, extra, field, code) => {
    const response = await adminCall(simulator, 'POST', systemsPath, {
      token,
      body: mailSystemCommand({ systemTypes: types, serviceProtocol: protocol, ...extra }),
    });
    expect(response.status, response.text).toBe(400);
    expect((response.json as { fieldErrors: { field: string; code: string }[] }).fieldErrors).toContainEqual(
      expect.objectContaining({ field, code }),
    );
  });

  it("makes a company's first recipient system its primary, and refuses a second (409)", async () => {
    const company = SEED_IDS.companyWithoutSystem;
    token = await seededToken(simulator, company);
    const path = `/organisations/${company}/systems/`;
    const first = await create({ systemTypes: ['RECIPIENT'] }, path);
    expect(first.systemTypes).toEqual(['RECIPIENT', 'RECIPIENT_DEFAULT']);
    const second = await adminCall(simulator, 'POST', path, {
      token,
      body: mailSystemCommand({ systemTypes: ['RECIPIENT'] }),
    });
    expectErrorMessage(second, 409, 'COMPANY_HAS_RECIPIENT_SYSTEM');
    expect((await create({ systemTypes: ['SENDER'] }, path)).systemTypes).toEqual(['SENDER']);
  });
});

describe('PUT organisations/{organisationId}/systems/{id}', () => {
  it('changes the system at the version If-Match names, one version on', async () => {
    const created = await create();
    const response = await adminCall(simulator, 'PUT', `${systemsPath}${created.id}`, {
      token,
      body: mailSystemCommand({ name: 'Nyt navn' }),
      headers: { 'if-match': '"1"' },
    });
    expect(response.status, response.text).toBe(200);
    expect(response.json).toMatchObject({ name: 'Nyt navn', version: 2 });
    expect(response.headers.etag).toBe('"2"');
    const rows = (await actionLog()).rows.filter((row) => row.event === 'Redigeret');
    expect(rows).toEqual([
      expect.objectContaining({ field: 'name', before: 'Sagssystem', after: 'Nyt navn' }),
    ]);
  });

  it('refuses a stale version with 409 VERSION_CONFLICT, and a missing If-Match with 400', async () => {
    const created = await create();
    const url = `${systemsPath}${created.id}`;
    const stale = await adminCall(simulator, 'PUT', url, {
      token,
      body: mailSystemCommand(),
      headers: { 'if-match': '7' },
    });
    expect(expectErrorMessage(stale, 409, 'VERSION_CONFLICT').fieldErrors).toEqual([
      expect.objectContaining({ resource: 'header', field: 'If-Match', rejectedValue: '7' }),
    ]);
    const missing = await adminCall(simulator, 'PUT', url, { token, body: mailSystemCommand() });
    expect(expectErrorMessage(missing, 400, 'REQUIRED').fieldErrors).toEqual([
      expect.objectContaining({ resource: 'header', field: 'If-Match', code: 'REQUIRED' }),
    ]);
    const unreadable = await adminCall(simulator, 'PUT', url, {
      token,
      body: mailSystemCommand(),
      headers: { 'if-match': 'abc' },
    });
    expectErrorMessage(unreadable, 400, 'INVALID_FORMAT');
  });

  it('keeps protocol and activation time of a system in operation (409), but lets it be deactivated', async () => {
    const created = await create();
    const url = `${systemsPath}${created.id}`;
    const protocol = await adminCall(simulator, 'PUT', url, {
      token,
      body: mailSystemCommand({ serviceProtocol: 'SFTP' }),
      headers: { 'if-match': '1' },
    });
    expect(expectErrorMessage(protocol, 409, 'SYSTEM_IN_OPERATION').fieldErrors).toEqual([
      expect.objectContaining({ field: 'serviceProtocol', rejectedValue: 'SFTP' }),
    ]);
    const deactivate = await adminCall(simulator, 'PUT', url, {
      token,
      body: mailSystemCommand({ activeTo: '2021-01-01T00:00:00Z' }),
      headers: { 'if-match': '1' },
    });
    expect(deactivate.status, deactivate.text).toBe(200);
    const key = created.apiToken.authenticationToken as string;
    expectErrorMessage(await asSystem(key, '/receipts/'), 403, 'SYSTEM_NOT_ACTIVE');
    // Out of operation now: the protocol may change.
    const again = await adminCall(simulator, 'PUT', url, {
      token,
      body: mailSystemCommand({ serviceProtocol: 'SFTP', activeTo: '2021-01-01T00:00:00Z' }),
      headers: { 'if-match': '2' },
    });
    expect(again.status, again.text).toBe(200);
  });

  it('answers 404 for a system of another organisation, even in the right context', async () => {
    const response = await adminCall(simulator, 'PUT', `${systemsPath}${SEED_IDS.companyRecipient}`, {
      token,
      body: mailSystemCommand(),
      headers: { 'if-match': '1' },
    });
    expectErrorMessage(response, 404, 'NOT_FOUND');
  });
});

describe('DELETE organisations/{organisationId}/systems/{id}', () => {
  it('deletes a system: its key stops working and the administration no longer shows it', async () => {
    const created = await create();
    const url = `${systemsPath}${created.id}`;
    const response = await adminCall(simulator, 'DELETE', url, { token, headers: { 'if-match': '"1"' } });
    expect(response.status, response.text).toBe(204);
    expectErrorMessage(
      await asSystem(created.apiToken.authenticationToken as string, '/receipts/'),
      401,
      'UNAUTHENTICATED',
    );
    expectErrorMessage(await adminCall(simulator, 'GET', url, { token }), 404, 'NOT_FOUND');
    const list = (await adminCall(simulator, 'GET', systemsPath, { token })).json as {
      systems: { id: string }[];
    };
    expect(list.systems.map((system) => system.id)).not.toContain(created.id);
    expect((await actionLog()).rows.filter((row) => row.event === 'Slettet').length).toBeGreaterThan(0);
  });

  it('refuses to delete the primary recipient system while another recipient system exists (409)', async () => {
    await create({ systemTypes: ['RECIPIENT'] });
    const primary = `${systemsPath}${SEED_IDS.authorityRecipient}`;
    expectErrorMessage(
      await adminCall(simulator, 'DELETE', primary, { token, headers: { 'if-match': '1' } }),
      409,
      'PRIMARY_SYSTEM',
    );
  });

  it('refuses to delete a system contact points use (409 CONTACT_POINTS_ATTACHED)', async () => {
    const other = await create({ systemTypes: ['RECIPIENT'] });
    await adminCall(simulator, 'POST', `${systemsPath}${other.id}/makedefaultrecipient`, { token });
    // No longer the primary (one version on), but the seeded contact point still uses it.
    const response = await adminCall(simulator, 'DELETE', `${systemsPath}${SEED_IDS.authorityRecipient}`, {
      token,
      headers: { 'if-match': '2' },
    });
    expectErrorMessage(response, 409, 'CONTACT_POINTS_ATTACHED');
  });
});

describe('the primary recipient system, API keys, SSH keys', () => {
  it('moves the primary mark with makedefaultrecipient, and refuses a sender system (422)', async () => {
    const other = await create({ systemTypes: ['RECIPIENT'] });
    expect(other.systemTypes).toEqual(['RECIPIENT']);
    const moved = await adminCall(simulator, 'POST', `${systemsPath}${other.id}/makedefaultrecipient`, {
      token,
    });
    expect(moved.status, moved.text).toBe(200);
    expect((moved.json as MailSystemJson).systemTypes).toEqual(['RECIPIENT', 'RECIPIENT_DEFAULT']);
    const old = (await adminCall(simulator, 'GET', `${systemsPath}${SEED_IDS.authorityRecipient}`, { token }))
      .json;
    expect((old as MailSystemJson).systemTypes).toEqual(['RECIPIENT']);
    const sender = await adminCall(
      simulator,
      'POST',
      `${systemsPath}${SEED_IDS.senderPull}/makedefaultrecipient`,
      { token },
    );
    expectErrorMessage(sender, 422, 'NOT_A_RECIPIENT_SYSTEM');
  });

  it('renews the API key: the new one works at once, the old one no more', async () => {
    const created = await create();
    const renewed = await adminCall(simulator, 'POST', `${systemsPath}${created.id}/renewapitoken`, {
      token,
    });
    expect(renewed.status, renewed.text).toBe(200);
    const key = (renewed.json as MailSystemJson).apiToken.authenticationToken as string;
    expect(key).not.toBe(created.apiToken.authenticationToken);
    expect((await asSystem(key, '/receipts/')).status).toBe(200);
    expectErrorMessage(
      await asSystem(created.apiToken.authenticationToken as string, '/receipts/'),
      401,
      'UNAUTHENTICATED',
    );
  });

  it("uploads an SFTP system's public key (multipart file), which the SFTP server then takes", async () => {
    const created = await create({ serviceProtocol: 'SFTP' });
    const line = sshPublicKey();
    const response = await adminUpload(simulator, `${systemsPath}${created.id}/sshkey/`, token, `${line}\n`);
    const ssh = response.json as { sshUsername: string; sshPublicKey: string[] };
    expect(response.status).toBe(201);
    expect(Buffer.from(ssh.sshPublicKey[0] as string, 'base64').toString()).toBe(line);
    const systems = (await control(simulator, 'GET', '/systems')).json as {
      id: string;
      sshUsername: string;
    }[];
    expect(systems.find((system) => system.id === created.id)?.sshUsername).toBe(ssh.sshUsername);
  });

  it('refuses an SSH key that is no public key line, and one for a system that does not use SFTP (400)', async () => {
    const sftp = await create({ serviceProtocol: 'SFTP' });
    const upload = (id: string, text: string) =>
      adminUpload(simulator, `${systemsPath}${id}/sshkey/`, token, text);
    const bad = expectErrorMessage(await upload(sftp.id, 'not a key'), 400, 'INVALID_FORMAT');
    expect(bad.fieldErrors).toHaveLength(1);
    expectErrorMessage(await upload(SEED_IDS.senderPull, sshPublicKey()), 400, 'NOT_ALLOWED_VALUE');
  });
});

describe('OCES certificates', () => {
  itWith(
    { tools: ['openssl'] },
    'uploads a certificate, finds the system by its serial number, and checks one',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'oces-'));
      try {
        const made = spawnSync(
          'openssl',
          [
            'req',
            '-x509',
            '-newkey',
            'ec',
            '-pkeyopt',
            'ec_paramgen_curve:prime256v1',
            '-nodes',
            '-days',
            '36500',
            '-subj',
            '/CN=Sagssystem/serialNumber=UI:DK-O:G:12345678',
            '-keyout',
            join(dir, 'key.pem'),
            '-out',
            join(dir, 'cert.pem'),
          ],
          { encoding: 'utf8' },
        );
        expect(made.status, made.stderr).toBe(0);
        // The certificate is valid from the second it was made; the manual clock may stand before it.
        await advanceClock(simulator, 'PT10M');
        const created = await create();
        const pem = readFileSync(join(dir, 'cert.pem'));
        const response = await adminUpload(simulator, `${systemsPath}${created.id}/certificate/`, token, pem);
        const check = response.json as {
          certificateSerialNumber: string;
          subjectDistinguishedNameSerialNumber: string;
        };
        expect(response.status, response.text).toBe(201);
        expect(check.subjectDistinguishedNameSerialNumber).toBe('UI:DK-O:G:12345678');
        const found = await adminCall(
          simulator,
          'GET',
          `${systemsPath}?certificateSerialNumber=${check.certificateSerialNumber}`,
          { token },
        );
        expect((found.json as { systems: { id: string }[] }).systems.map((system) => system.id)).toEqual([
          created.id,
        ]);
        const checked = await adminUpload(
          simulator,
          '/organisations/oces-public-certificate/check/REST_PULL',
          token,
          pem,
        );
        expect(checked.status).toBe(200);
        expect(checked.json).toMatchObject({
          cvrNumber: '12345678',
          ocesPublicCertificate: { certificateSerialNumber: check.certificateSerialNumber },
        });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  it('refuses a file that is no certificate (400 with the field at fault)', async () => {
    const created = await create();
    const response = await adminUpload(
      simulator,
      `${systemsPath}${created.id}/certificate/`,
      token,
      'no certificate',
    );
    expect(expectErrorMessage(response, 400, 'INVALID_FORMAT').fieldErrors).toMatchObject([
      { field: 'file' },
    ]);
  });
});

describe('GET organisations/{organisationId}/systems/ and standard-system-templates', () => {
  it("lists the context organisation's systems in NgDP's search frame, by page", async () => {
    const first = await adminCall(simulator, 'GET', `${systemsPath}?size=2`, { token });
    expect(first.status).toBe(200);
    expect(first.json).toMatchObject({ currentPage: 0, totalElements: 4, elementsOnPage: 2, totalPages: 2 });
    const second = (await adminCall(simulator, 'GET', `${systemsPath}?size=2&page=1`, { token })).json as {
      systems: MailSystemJson[];
    };
    expect(second.systems).toHaveLength(2);
  });

  const byName = (systems: MailSystemJson[]) => systems.map((system) => system.name);
  it.each([
    [
      'sorts by a field, descending',
      'sortFields=name:desc',
      (all: MailSystemJson[]) => byName(all).sort().reverse(),
    ],
    [
      'filters a field with a wildcard',
      'name=*pull*',
      (all: MailSystemJson[]) => byName(all).filter((name) => /pull/i.test(name)),
    ],
    [
      'finds a value in any field',
      'any=REST_PUSH',
      (all: MailSystemJson[]) => byName(all.filter((system) => system.serviceProtocol === 'REST_PUSH')),
    ],
  ])('%s with the query language (%s)', async (_, query, expected) => {
    const all = (await adminCall(simulator, 'GET', `${systemsPath}?sortFields=name`, { token })).json as {
      systems: MailSystemJson[];
    };
    const response = await adminCall(simulator, 'GET', `${systemsPath}?${query}`, { token });
    expect(response.status, response.text).toBe(200);
    const found = byName((response.json as { systems: MailSystemJson[] }).systems);
    expect(found.length).toBeGreaterThan(0);
    expect(found).toEqual(expected(all.systems));
  });

  it('projects the fields asked for', async () => {
    const response = await adminCall(simulator, 'GET', `${systemsPath}?fields=id,name`, { token });
    for (const system of (response.json as { systems: Record<string, unknown>[] }).systems)
      expect(Object.keys(system).sort()).toEqual(['id', 'name']);
  });

  it('refuses an unknown field to filter or sort by with 400 naming it', async () => {
    const filter = await adminCall(simulator, 'GET', `${systemsPath}?colour=red`, { token });
    expectErrorMessage(filter, 400, 'INVALID_PARAMETER');
    expect(filter.text).toContain('colour');
    const sort = await adminCall(simulator, 'GET', `${systemsPath}?sortFields=colour:asc`, { token });
    expectErrorMessage(sort, 400, 'INVALID_PARAMETER');
    expect(sort.text).toContain('colour');
  });

  it('has no standard system templates', async () => {
    const response = await adminCall(simulator, 'GET', '/standard-system-templates', { token });
    expect(response.json).toEqual({ standardSystemTemplates: [] });
  });
});

describe('with If-Match optional (admin.ifMatchRequired: false)', () => {
  it('applies a change without If-Match to the current version, and still refuses a stale one', async () => {
    const relaxed = await startTestSimulator({ admin: { ifMatchRequired: false } });
    try {
      const relaxedToken = await seededToken(relaxed, AUTHORITY);
      const url = `${systemsPath}${SEED_IDS.senderPull}`;
      const body = mailSystemCommand({ name: 'Uden If-Match', activeFrom: '1970-01-01T00:00:00Z' });
      const changed = await adminCall(relaxed, 'PUT', url, { token: relaxedToken, body });
      expect(changed.status, changed.text).toBe(200);
      const stale = await adminCall(relaxed, 'PUT', url, {
        token: relaxedToken,
        body,
        headers: { 'if-match': '1' },
      });
      expectErrorMessage(stale, 409, 'VERSION_CONFLICT');
    } finally {
      await relaxed.stop();
    }
  });
});
