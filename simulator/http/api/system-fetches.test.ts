/**
 * `mailboxes/{mailboxId}/system-fetches/` over real HTTP (admin.md §11): the count of letters to
 * move, a fetch created (201), read, listed, refused a change (422) and deleted (204), with NgDP's
 * `SystemFetch` and `SystemFetchListResult`. Testbutik ApS (CVR 11223344) has letters in its mailbox
 * and is given a recipient system and a contact point through the control API.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import {
  type ApiResponse,
  call,
  control,
  createSystem,
  expectErrorMessage,
  keyOf,
  letterTo,
  resetSimulator,
  SEED_IDS,
  sendMemo,
  startTestSimulator,
} from '../../../test/support/simulator.ts';
import type { RunningSimulator } from '../../index.ts';

const CVR = '11223344';
const ISO_MS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

let simulator: RunningSimulator;
let mailboxId: string;
let apiKey: string;
let contactPointId: string;

beforeAll(async () => {
  simulator = await startTestSimulator({ clockStart: '2025-06-02T08:00:00Z' });
});
afterAll(() => simulator.stop());
beforeEach(async () => {
  await resetSimulator(simulator);
  const sender = keyOf(simulator, SEED_IDS.senderPull);
  for (let i = 0; i < 2; i++)
    expect((await sendMemo(simulator, sender, await letterTo({ cvr: CVR }))).status).toBe(201);
  await simulator.settle();
  const system = await createSystem(simulator, {
    organisationId: SEED_IDS.companyWithoutSystem,
    roles: ['RECIPIENT'],
    protocol: 'REST_PULL',
  });
  apiKey = system.apiKey;
  const point = await control(simulator, 'POST', '/contact-points', {
    organisationId: SEED_IDS.companyWithoutSystem,
    name: 'Indbakke',
    systemId: system.id,
  });
  contactPointId = (point.json as { id: string }).id;
  const fixtures = (await control(simulator, 'GET', '/fixtures')).json as {
    organisations: Array<{ id: string; mailboxId: string }>;
  };
  mailboxId = fixtures.organisations.find((o) => o.id === SEED_IDS.companyWithoutSystem)?.mailboxId as string;
});

function api(method: string, path: string, body?: unknown, key = apiKey): Promise<ApiResponse> {
  return call(`${simulator.apiUrl}/mailboxes/${mailboxId}/system-fetches/${path}`, {
    method,
    apiKey: key,
    ...(body === undefined ? {} : { body: JSON.stringify(body), contentType: 'application/json' }),
  });
}

const create = () => api('POST', '', { organisationId: SEED_IDS.companyWithoutSystem, contactPointId });

describe('GET …/system-fetches/message-count', () => {
  test('answers a SystemFetchListResult holding the count', async () => {
    const counted = await api('GET', 'message-count');

    expect(counted.status).toBe(200);
    expect(counted.json).toEqual({
      systemFetches: [
        { mailboxId, organisationId: SEED_IDS.companyWithoutSystem, contactPointId, totalMessages: 2 },
      ],
    });
  });

  test('refuses a malformed date-time with 400', async () => {
    expectErrorMessage(await api('GET', 'message-count?fromDateTime=yesterday'), 400, 'INVALID_FORMAT');
  });

  test("is 404 for another organisation's mailbox", async () => {
    const foreign = await api('GET', 'message-count', undefined, keyOf(simulator, SEED_IDS.senderPull));

    expectErrorMessage(foreign, 404, 'NOT_FOUND');
  });
});

describe('POST …/system-fetches/', () => {
  test('answers 201 with the SystemFetch, finished at once', async () => {
    const created = await create();

    expect(created.status).toBe(201);
    expect(created.json).toEqual({
      id: expect.any(String),
      version: 1,
      createdDateTime: '2025-06-02T08:00:00.000Z',
      lastUpdated: '2025-06-02T08:00:00.000Z',
      finishedDateTime: '2025-06-02T08:00:00.000Z',
      systemFetchStatusType: 'FINISHED',
      mailboxId,
      organisationId: SEED_IDS.companyWithoutSystem,
      systemId: expect.any(String),
      contactPointId,
      totalMessages: 2,
      fetchedMessages: 2,
      failedMessages: 0,
      preferOriginalMessageRecipient: false,
      toDateTime: expect.stringMatching(ISO_MS),
    });
    expect((await api('GET', 'message-count')).json).toMatchObject({ systemFetches: [{ totalMessages: 0 }] });
  });

  test('refuses a missing contactPointId with 400 and fieldErrors', async () => {
    const refused = await api('POST', '', { organisationId: SEED_IDS.companyWithoutSystem });

    expect(expectErrorMessage(refused, 400, 'REQUIRED').fieldErrors[0]).toMatchObject({
      resource: 'systemFetch',
      field: 'contactPointId',
    });
  });

  test('refuses a contact point without a system with 422 CONTACT_POINT_NOT_USABLE', async () => {
    const bare = await control(simulator, 'POST', '/contact-points', {
      organisationId: SEED_IDS.companyWithoutSystem,
      name: 'Tom',
    });

    const refused = await api('POST', '', {
      organisationId: SEED_IDS.companyWithoutSystem,
      contactPointId: (bare.json as { id: string }).id,
    });

    expectErrorMessage(refused, 422, 'CONTACT_POINT_NOT_USABLE');
  });

  test("refuses another organisation's mailbox with 400 (NgDP declares no 404 here)", async () => {
    const refused = await api(
      'POST',
      '',
      { organisationId: SEED_IDS.authority },
      keyOf(simulator, SEED_IDS.senderPull),
    );

    expect(expectErrorMessage(refused, 400, 'NOT_FOUND').fieldErrors[0]).toMatchObject({
      field: 'mailboxId',
    });
  });
});

describe('a system fetch', () => {
  test('is read and listed as created', async () => {
    const created = (await create()).json as { id: string };

    const read = await api('GET', created.id);
    const listed = await api('GET', '?fromDate=2025-06-02');

    expect(read.status).toBe(200);
    expect(read.json).toEqual(created);
    expect(listed.json).toEqual({ systemFetches: [created] });
  });

  test('that has ended cannot be changed (422), but is deleted with 204', async () => {
    const created = (await create()).json as { id: string };

    expectErrorMessage(
      await api('PUT', created.id, { systemFetchStatusType: 'STOPPED' }),
      422,
      'SYSTEM_FETCH_ENDED',
    );
    expect((await api('DELETE', created.id)).status).toBe(204);
    expectErrorMessage(await api('GET', created.id), 404, 'NOT_FOUND');
  });

  test('that does not exist is 404', async () => {
    expectErrorMessage(await api('DELETE', '6f1c2d4e-0000-4000-8000-000000000000'), 404, 'NOT_FOUND');
  });
});
