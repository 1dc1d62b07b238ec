/**
 * Access requests at NgDP's paths over real HTTP (docs/admin.md, "Access requests"): a request is
 * drafted, submitted, approved (its target's id is the activation code), activated — and then, for a
 * citizen's mailbox, a mailbox access exists — or rejected, revoked (ending the access) and
 * withdrawn; documentation files go up and come down again; searches use NgDP's query language.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  adminCall,
  adminUpload,
  login,
  portal,
  seededToken,
  senderContact,
} from '../../../../test/support/admin.ts';
import {
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
const OWNER = '0101700001';
const HOLDER = '0101700005';

interface RequestJson {
  id: string;
  version: number;
  requestType: string;
  requestState: string;
  processedAutomatically: boolean;
  privileges: string[];
  accessTo: {
    externalId: string;
    identityTypeResolved?: string;
    firstNameResolved?: string;
    lastNameResolved?: string;
  };
  target: { id: string; targetState: string; requestParticipant: { externalId: string } };
  documentations: {
    id: string;
    documentationType: string;
    filename?: string;
    mediaType?: string;
    size?: number;
  }[];
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

/** A request that `HOLDER` may read `OWNER`'s post, with `overrides`. */
function requestBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    requestType: 'PRIVILEGE_REQUEST',
    requestState: 'SUBMITTED',
    accessTo: { externalId: OWNER, externalIdType: 'CPR' },
    target: { requestParticipant: { externalId: HOLDER, externalIdType: 'CPR' } },
    privileges: ['MESSAGE_BASIC'],
    justification: 'Værge for borgeren',
    ...overrides,
  };
}

async function request(
  overrides: Record<string, unknown> = {},
  on = simulator,
  as = token,
): Promise<RequestJson> {
  const response = await adminCall(on, 'POST', '/access-requests/', {
    token: as,
    body: requestBody(overrides),
  });
  expect(response.status, response.text).toBe(201);
  return response.json as RequestJson;
}

async function put(created: RequestJson, changes: Record<string, unknown>) {
  return adminCall(simulator, 'PUT', `/access-requests/${created.id}`, {
    token,
    headers: { 'if-match': `"${created.version}"` },
    body: { ...created, ...changes },
  });
}

const contactId = async (number: string) => (await senderContact(simulator, number)).id;

describe('POST access-requests/', () => {
  it('makes a request whose parties are resolved in the register; fetched with its ETag, and listed', async () => {
    const created = await request({ requestState: 'DRAFT' });
    expect(created).toMatchObject({
      version: 1,
      requestState: 'DRAFT',
      accessTo: {
        externalId: OWNER,
        identityTypeResolved: 'CITIZEN',
        firstNameResolved: 'Test Borger',
        lastNameResolved: 'Et',
      },
      target: { targetState: 'PENDING', requestParticipant: { externalId: HOLDER } },
    });
    const fetched = await adminCall(simulator, 'GET', `/access-requests/${created.id}`, { token });
    expect(fetched.headers.etag).toBe('"1"');
    expect(fetched.json).toEqual(created);
    const listed = await adminCall(simulator, 'GET', '/access-requests/', { token });
    expect(listed.json).toMatchObject({ totalElements: 1, accessRequests: [{ id: created.id }] });
  });

  it('approves the types NgDP approves by itself when they are submitted', async () => {
    const created = await request({ requestType: 'DELEGATION_REQUEST' });
    expect(created).toMatchObject({
      requestState: 'APPROVED',
      processedAutomatically: true,
      target: { targetState: 'ACTIVATION_CODE_SENT' },
    });
  });
});

describe('GET access-requests/ with the query language', () => {
  it('filters, sorts and projects; an unknown field is refused', async () => {
    await request({ requestState: 'DRAFT' });
    const submitted = await request();
    const filtered = await adminCall(
      simulator,
      'GET',
      '/access-requests/?requestState=SUBMITTED&fields=id,requestType,requestState,requester,accessTo,target',
      {
        token,
      },
    );
    expect(filtered.status, filtered.text).toBe(200);
    expect(filtered.json).toMatchObject({
      totalElements: 1,
      accessRequests: [{ id: submitted.id, requestState: 'SUBMITTED' }],
    });
    expect((filtered.json as { accessRequests: object[] }).accessRequests[0]).not.toHaveProperty(
      'privileges',
    );
    const sorted = await adminCall(simulator, 'GET', '/access-requests/?sortFields=requestState:desc', {
      token,
    });
    expect(
      (sorted.json as { accessRequests: RequestJson[] }).accessRequests.map((each) => each.requestState),
    ).toEqual(['SUBMITTED', 'DRAFT']);
    expectErrorMessage(
      await adminCall(simulator, 'GET', '/access-requests/?colour=red', { token }),
      400,
      'INVALID_PARAMETER',
    );
  });
});

describe('from request to access', () => {
  it('submitted → approved → activated with the code: the holder has access to the mailbox; revoked ends it', async () => {
    const created = await request();
    const approved = await put(created, { requestState: 'APPROVED' });
    expect(approved.status, approved.text).toBe(200);
    const code = (approved.json as RequestJson).target.id;
    expect(approved.json).toMatchObject({
      requestState: 'APPROVED',
      target: { targetState: 'ACTIVATION_CODE_SENT' },
    });
    const activated = await adminCall(simulator, 'POST', '/access-requests/target/activate', {
      token,
      body: { code },
    });
    expect(activated.status, activated.text).toBe(200);
    expect(activated.json).toMatchObject({ target: { targetState: 'GRANTED' } });
    const mailbox = await contactId(OWNER);
    const accesses = await adminCall(simulator, 'GET', `/mailboxes/${mailbox}/accesses/`, { token });
    expect(accesses.json).toMatchObject({
      totalElements: 1,
      accesses: [{ identityId: await contactId(HOLDER), privileges: ['MESSAGE_BASIC'] }],
    });
    const revoked = await put(activated.json as RequestJson, {
      requestState: 'REVOKED',
      revocationReason: 'Værgemål ophørt',
    });
    expect(revoked.status, revoked.text).toBe(200);
    expect(
      (await adminCall(simulator, 'GET', `/mailboxes/${mailbox}/accesses/`, { token })).json,
    ).toMatchObject({
      totalElements: 0,
    });
  });

  it('an access from a request ends at its privilegeEndDateTime; the request can still be revoked after', async () => {
    const created = await request({ privilegeEndDateTime: '2025-03-20T00:00:00Z' });
    const approved = (await put(created, { requestState: 'APPROVED' })).json as RequestJson;
    const activated = await adminCall(simulator, 'POST', '/access-requests/target/activate', {
      token,
      body: { code: approved.target.id },
    });
    expect(activated.status, activated.text).toBe(200);
    const mailbox = await contactId(OWNER);
    const listed = await adminCall(simulator, 'GET', `/mailboxes/${mailbox}/accesses/`, { token });
    expect(listed.json).toMatchObject({ accesses: [{ activeToDateTime: '2025-03-20T00:00:00.000Z' }] });
    await setClock(simulator, '2025-03-21T00:00:00Z');
    token = await seededToken(simulator, AUTHORITY);
    expect(
      (await adminCall(simulator, 'GET', `/mailboxes/${mailbox}/accesses/`, { token })).json,
    ).toMatchObject({
      totalElements: 0,
    });
    const revoked = await put(activated.json as RequestJson, { requestState: 'REVOKED' });
    expect(revoked.status, revoked.text).toBe(200);
  });

  it('404 for a code no approved request waits for; 400 without a code', async () => {
    const created = await request();
    const early = await adminCall(simulator, 'POST', '/access-requests/target/activate', {
      token,
      body: { code: created.target.id },
    });
    expectErrorMessage(early, 404, 'NOT_FOUND');
    expectErrorMessage(
      await adminCall(simulator, 'POST', '/access-requests/target/activate', { token, body: {} }),
      400,
      'REQUIRED',
    );
  });

  it('409 REQUEST_STATE for a state that cannot follow, REQUEST_SUBMITTED for a change of what is asked', async () => {
    const created = await request();
    const rejected = await put(created, { requestState: 'REJECTED', rejectionReason: 'Mangler fuldmagt' });
    expect(rejected.json).toMatchObject({ requestState: 'REJECTED' });
    expectErrorMessage(
      await put(rejected.json as RequestJson, { requestState: 'APPROVED' }),
      409,
      'REQUEST_STATE',
    );
    const other = await request();
    expectErrorMessage(await put(other, { privileges: ['MESSAGE_WRITE'] }), 409, 'REQUEST_SUBMITTED');
  });

  it('a draft can change what it asks for', async () => {
    const draft = await request({ requestState: 'DRAFT' });
    const changed = await put(draft, { privileges: ['MESSAGE_WRITE'] });
    expect(changed.json).toMatchObject({ version: 2, privileges: ['MESSAGE_WRITE'] });
  });
});

describe('DELETE access-requests/{id}', () => {
  it('withdraws a draft; an approved request must be revoked first (409 REQUEST_APPROVED)', async () => {
    const draft = await request({ requestState: 'DRAFT' });
    const deleted = await adminCall(simulator, 'DELETE', `/access-requests/${draft.id}`, {
      token,
      headers: { 'if-match': '"1"' },
    });
    expect(deleted.status, deleted.text).toBe(204);
    expectErrorMessage(
      await adminCall(simulator, 'GET', `/access-requests/${draft.id}`, { token }),
      404,
      'NOT_FOUND',
    );
    const approved = await request({ requestType: 'DELEGATION_REQUEST' });
    const refused = await adminCall(simulator, 'DELETE', `/access-requests/${approved.id}`, {
      token,
      headers: { 'if-match': `"${approved.version}"` },
    });
    expectErrorMessage(refused, 409, 'REQUEST_APPROVED');
  });
});

describe('documentation content', () => {
  it('uploads a file to an entry and downloads it again, with its name, type and size', async () => {
    const created = await request({ documentations: [{ documentationType: 'POWER_OF_ATTORNEY' }] });
    const entry = created.documentations[0] as RequestJson['documentations'][number];
    const path = `/access-requests/${created.id}/documentations/${entry.id}/content`;
    expectErrorMessage(await adminCall(simulator, 'GET', path, { token }), 404, 'NOT_FOUND');
    const pdf = Buffer.from('%PDF-1.4 fuldmagt');
    const uploaded = await adminUpload(simulator, path, token, pdf, 'fuldmagt.pdf', {
      method: 'PUT',
      headers: { 'if-match': '"1"' },
    });
    expect(uploaded.status, uploaded.text).toBe(200);
    expect((uploaded.json as RequestJson).documentations[0]).toMatchObject({
      filename: 'fuldmagt.pdf',
      mediaType: 'application/pdf',
      size: pdf.length,
    });
    const downloaded = await adminCall(simulator, 'GET', path, { token });
    expect(downloaded.status).toBe(200);
    expect(downloaded.headers['content-type']).toMatch(/^application\/pdf/);
    expect(downloaded.text).toBe(pdf.toString());
  });

  it('refuses an upload without If-Match, to an unknown entry, or over 5 MB', async () => {
    const created = await request({ documentations: [{ documentationType: 'OTHER' }] });
    const entry = created.documentations[0]?.id as string;
    const path = (id: string) => `/access-requests/${created.id}/documentations/${id}/content`;
    const bare = await adminUpload(simulator, path(entry), token, 'x', 'a.txt', { method: 'PUT' });
    expect(bare.status).toBe(400);
    const unknown = await adminUpload(simulator, path(created.id), token, 'x', 'a.txt', {
      method: 'PUT',
      headers: { 'if-match': '"1"' },
    });
    expectErrorMessage(unknown, 404, 'NOT_FOUND');
    const huge = await adminUpload(
      simulator,
      path(entry),
      token,
      new Uint8Array(5 * 1024 * 1024 + 1),
      'big.pdf',
      {
        method: 'PUT',
        headers: { 'if-match': '"1"' },
      },
    );
    expect(huge.status).toBe(400);
  });
});

describe('refusals', () => {
  const bodies: [string, Record<string, unknown>, string, string][] = [
    ['no type', { requestType: undefined }, 'requestType', 'REQUIRED'],
    ['an unknown state', { requestState: 'MAYBE' }, 'requestState', 'NOT_ALLOWED_VALUE'],
    ['a new request that is approved', { requestState: 'APPROVED' }, 'requestState', 'NOT_ALLOWED_VALUE'],
    [
      'a party without a number type',
      { accessTo: { externalId: OWNER } },
      'accessTo.externalIdType',
      'NOT_ALLOWED_VALUE',
    ],
    ['no target', { target: {} }, 'target.requestParticipant', 'REQUIRED'],
    [
      'an organisation right to a mailbox',
      { privileges: ['ORGANISATION_ADMINISTRATOR'] },
      'privileges',
      'NOT_ALLOWED_VALUE',
    ],
    [
      'an end in the past',
      { privilegeEndDateTime: '2020-01-01T00:00:00Z' },
      'privilegeEndDateTime',
      'NOT_ALLOWED_VALUE',
    ],
    [
      'an unknown documentation type',
      { documentations: [{ documentationType: 'SELFIE' }] },
      'documentations[0].documentationType',
      'NOT_ALLOWED_VALUE',
    ],
    ['an unknown field', { colour: 'red' }, 'colour', 'UNKNOWN_FIELD'],
  ];
  it.each(bodies)('400 for %s, naming the field', async (_name, overrides, field, code) => {
    const response = await adminCall(simulator, 'POST', '/access-requests/', {
      token,
      body: requestBody(overrides),
    });
    const error = expectErrorMessage(response, 400, code);
    expect(error.fieldErrors?.map((each) => each.field)).toContain(field);
    expect(response.text).not.toContain(OWNER);
  });

  it("another organisation's request is not found", async () => {
    const created = await request();
    const other = await portal(simulator, 'POST', '/organisations', {
      cvrNumber: '55555555',
      name: 'Andenkommune',
      type: 'AUTHORITY',
      authorityType: 'MUNICIPALITY',
      employee: { username: 'anden', password: 'hemmeligt-2' },
    });
    expect(other.status, other.text).toBe(201);
    const theirs = await login(simulator, { username: 'anden', password: 'hemmeligt-2' });
    expectErrorMessage(
      await adminCall(simulator, 'GET', `/access-requests/${created.id}`, { token: theirs }),
      404,
      'NOT_FOUND',
    );
  });
});

describe('with a data directory (SQLite)', () => {
  it('keeps a request and its documentation across a restart', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'dp-access-requests-'));
    try {
      let restarted = await startTestSimulator({ dataDir });
      const admin = await seededToken(restarted, AUTHORITY);
      const created = await request({ documentations: [{ documentationType: 'OTHER' }] }, restarted, admin);
      const path = `/access-requests/${created.id}/documentations/${created.documentations[0]?.id}/content`;
      const uploaded = await adminUpload(restarted, path, admin, 'bevis', 'bevis.txt', {
        method: 'PUT',
        headers: { 'if-match': '"1"' },
      });
      expect(uploaded.status, uploaded.text).toBe(200);
      await restarted.stop();
      restarted = await startTestSimulator({ dataDir });
      try {
        const again = await seededToken(restarted, AUTHORITY);
        const fetched = await adminCall(restarted, 'GET', `/access-requests/${created.id}`, { token: again });
        expect(fetched.json).toMatchObject({ id: created.id, version: 2 });
        expect((await adminCall(restarted, 'GET', path, { token: again })).text).toBe('bevis');
      } finally {
        await restarted.stop();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
