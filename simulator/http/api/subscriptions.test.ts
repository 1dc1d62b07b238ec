/**
 * Change subscriptions over real HTTP (ngdp-api.md §5.5): `contacts/subscriptions/` and
 * `organisations/subscriptions/` with NgDP's DTOs, statuses and `If-Match`; the notification a
 * registration change (control API `PATCH /simulator/v1/contacts/{number}`) posts to a subscriber's
 * `notificationUrl`; and the records kept across a restart with `--data-dir`, gone after a reset.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import {
  type ApiResponse,
  addFault,
  call,
  control,
  expectErrorMessage,
  keyOf,
  type Receiver,
  resetSimulator,
  SEED_IDS,
  startReceiver,
  startTestSimulator,
  transcript,
} from '../../../test/support/simulator.ts';
import type { RunningSimulator } from '../../index.ts';

const CITIZEN = '0101700001';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let simulator: RunningSimulator;
let receiver: Receiver;

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
  receiver.respond = 200;
});

function api(
  method: string,
  path: string,
  body?: unknown,
  options: { system?: string; ifMatch?: string } = {},
): Promise<ApiResponse> {
  return call(`${simulator.apiUrl}${path}`, {
    method,
    apiKey: keyOf(simulator, options.system ?? SEED_IDS.senderPull),
    ...(body === undefined ? {} : { body: JSON.stringify(body), contentType: 'application/json' }),
    ...(options.ifMatch === undefined ? {} : { headers: { 'if-match': options.ifMatch } }),
  });
}

async function contactIdOf(cpr: string): Promise<string> {
  const found = await api('GET', `/contacts/?cprNumber=${cpr}`);
  return (found.json as { contacts: Array<{ id: string }> }).contacts[0]?.id as string;
}

interface ContactSubscriptionBody {
  id: string;
  version: number;
  senderSystemIdentityId: string;
  transactionId: string;
  subscriptionOperations: string[];
  singleContactSubscriptions: Array<{ id: string; version: number; contactId: string }>;
  notificationUrl: string;
}

async function subscribe(body: Record<string, unknown>): Promise<ContactSubscriptionBody> {
  const created = await api('POST', '/contacts/subscriptions/', { notificationUrl: receiver.url, ...body });
  expect(created.status, created.text).toBe(200);
  return created.json as ContactSubscriptionBody;
}

describe('POST /contacts/subscriptions/', () => {
  test('answers 200 with the ContactSubscription, its version as ETag', async () => {
    const contactId = await contactIdOf(CITIZEN);

    const created = await api('POST', '/contacts/subscriptions/', {
      subscriptionOperations: ['NEW_CITIZENS'],
      singleContactSubscriptions: [contactId],
      notificationUrl: receiver.url,
    });

    expect(created.status).toBe(200);
    expect(created.headers.etag).toBe('"1"');
    const body = created.json as ContactSubscriptionBody;
    expect(Object.keys(body).sort()).toEqual([
      'id',
      'notificationUrl',
      'senderSystemIdentityId',
      'singleContactSubscriptions',
      'subscriptionOperations',
      'transactionId',
      'version',
    ]);
    expect(body).toMatchObject({
      id: expect.stringMatching(UUID),
      senderSystemIdentityId: SEED_IDS.senderPull,
      version: 1,
      subscriptionOperations: ['NEW_CITIZENS'],
      singleContactSubscriptions: [{ id: expect.stringMatching(UUID), version: 1, contactId }],
      notificationUrl: receiver.url,
    });
  });

  test('refuses a wrong field with 400 and fieldErrors', async () => {
    const refused = await api('POST', '/contacts/subscriptions/', {
      subscriptionOperations: ['EVERYONE'],
      notificationUrl: receiver.url,
    });

    const error = expectErrorMessage(refused, 400, 'NOT_ALLOWED_VALUE');
    expect(error.fieldErrors).toEqual([
      expect.objectContaining({
        resource: 'contactSubscription',
        field: 'subscriptionOperations[0]',
        rejectedValue: 'EVERYONE',
      }),
    ]);
  });

  test('refuses a body that is not a JSON object with 400', async () => {
    expectErrorMessage(await api('POST', '/contacts/subscriptions/', ['ALL_CITIZENS']), 400, 'INVALID_BODY');
  });

  test('refuses malformed JSON with 400', async () => {
    const refused = await call(`${simulator.apiUrl}/contacts/subscriptions/`, {
      method: 'POST',
      apiKey: keyOf(simulator, SEED_IDS.senderPull),
      body: '{"notificationUrl":',
      contentType: 'application/json',
    });

    expectErrorMessage(refused, 400, 'INVALID_JSON');
  });

  test('is for sender systems only: a recipient system gets 403, no key 401', async () => {
    const body = { notificationUrl: receiver.url };

    expect(
      (await api('POST', '/contacts/subscriptions/', body, { system: SEED_IDS.authorityRecipient })).status,
    ).toBe(403);
    const anonymous = await call(`${simulator.apiUrl}/contacts/subscriptions/`, { method: 'POST' });
    expect(anonymous.status).toBe(401);
  });

  test('answers as a fault rule for it says', async () => {
    await addFault(simulator, { operation: 'POST /contacts/subscriptions/', status: 503, times: 1 });

    expect((await api('POST', '/contacts/subscriptions/', { notificationUrl: receiver.url })).status).toBe(
      503,
    );
  });
});

describe('GET /contacts/subscriptions/', () => {
  test("lists the caller's own subscriptions, not shadowed by GET /contacts/{id}", async () => {
    const own = await subscribe({ subscriptionOperations: ['ALL_CITIZENS'] });
    await api(
      'POST',
      '/contacts/subscriptions/',
      { notificationUrl: receiver.url },
      { system: SEED_IDS.senderPush },
    );

    const listed = await api('GET', '/contacts/subscriptions/');

    expect(listed.status).toBe(200);
    expect(listed.json).toEqual([own]);
  });
});

describe('PUT /contacts/subscriptions/{id}', () => {
  test('replaces the subscription with If-Match of its version: one version more', async () => {
    const created = await subscribe({ subscriptionOperations: ['ALL_CITIZENS'] });

    const updated = await api(
      'PUT',
      `/contacts/subscriptions/${created.id}`,
      { subscriptionOperations: ['ALL_COMPANIES'], notificationUrl: receiver.url },
      { ifMatch: '"1"' },
    );

    expect(updated.status).toBe(200);
    expect(updated.headers.etag).toBe('"2"');
    expect(updated.json).toMatchObject({
      id: created.id,
      version: 2,
      subscriptionOperations: ['ALL_COMPANIES'],
    });
  });

  test('without If-Match is refused with 400 naming the header', async () => {
    const created = await subscribe({});

    const refused = await api('PUT', `/contacts/subscriptions/${created.id}`, {
      notificationUrl: receiver.url,
    });

    const error = expectErrorMessage(refused, 400, 'REQUIRED');
    expect(error.fieldErrors[0]).toMatchObject({ resource: 'header', field: 'If-Match' });
  });

  test('with a stale If-Match is refused with 409 VERSION_CONFLICT', async () => {
    const created = await subscribe({});
    await api(
      'PUT',
      `/contacts/subscriptions/${created.id}`,
      { notificationUrl: receiver.url },
      { ifMatch: '1' },
    );

    const refused = await api(
      'PUT',
      `/contacts/subscriptions/${created.id}`,
      { notificationUrl: receiver.url },
      { ifMatch: '1' },
    );

    expectErrorMessage(refused, 409, 'VERSION_CONFLICT');
  });

  test("of another system's subscription is 404", async () => {
    const created = await subscribe({});

    const refused = await api(
      'PUT',
      `/contacts/subscriptions/${created.id}`,
      { notificationUrl: receiver.url },
      { system: SEED_IDS.senderPush, ifMatch: '*' },
    );

    expectErrorMessage(refused, 404, 'NOT_FOUND');
  });
});

describe('DELETE /contacts/subscriptions/{id}', () => {
  test('removes it with 204; a second delete is 404', async () => {
    const created = await subscribe({});

    const removed = await api('DELETE', `/contacts/subscriptions/${created.id}`, undefined, {
      ifMatch: '"1"',
    });
    const again = await api('DELETE', `/contacts/subscriptions/${created.id}`, undefined, { ifMatch: '"1"' });

    expect(removed.status).toBe(204);
    expect(removed.text).toBe('');
    expectErrorMessage(again, 404, 'NOT_FOUND');
    expect((await api('GET', '/contacts/subscriptions/')).json).toEqual([]);
  });

  test('without If-Match is refused with 400', async () => {
    const created = await subscribe({});

    expectErrorMessage(await api('DELETE', `/contacts/subscriptions/${created.id}`), 400, 'REQUIRED');
  });
});

describe('organisations/subscriptions/', () => {
  test('are created with 201, listed, and updated with If-Match', async () => {
    const created = await api('POST', '/organisations/subscriptions/', {
      subscriptionOperations: ['NEW_ORGANISATIONS'],
      organisationSubscriptions: ['87654321'],
      notificationUrl: receiver.url,
    });
    expect(created.status).toBe(201);
    const body = created.json as { id: string; organisationSubscriptions: Array<{ id: string }> };
    expect(body).toEqual({
      id: expect.stringMatching(UUID),
      senderSystemId: SEED_IDS.senderPull,
      version: 1,
      transactionId: expect.any(String),
      subscriptionOperations: ['NEW_ORGANISATIONS'],
      organisationSubscriptions: [{ id: expect.stringMatching(UUID), version: 1, cvrNumber: '87654321' }],
      notificationUrl: receiver.url,
    });

    const updated = await api(
      'PUT',
      `/organisations/subscriptions/${body.id}`,
      { subscriptionOperations: ['ALL_ORGANISATIONS'], notificationUrl: receiver.url },
      { ifMatch: '"1"' },
    );

    expect(updated.status).toBe(200);
    expect(updated.json).toMatchObject({ version: 2, organisationSubscriptions: [] });
    expect((await api('GET', '/organisations/subscriptions/')).json).toEqual([updated.json]);
  });

  test('refuse a CVR number that is not 8 digits with 400', async () => {
    const refused = await api('POST', '/organisations/subscriptions/', {
      organisationSubscriptions: ['8765'],
      notificationUrl: receiver.url,
    });

    expect(expectErrorMessage(refused, 400, 'INVALID_FORMAT').fieldErrors[0]?.field).toBe(
      'organisationSubscriptions[0]',
    );
  });

  test('refuse an update without If-Match with 400', async () => {
    const created = await api('POST', '/organisations/subscriptions/', { notificationUrl: receiver.url });
    const { id } = created.json as { id: string };

    expectErrorMessage(
      await api('PUT', `/organisations/subscriptions/${id}`, { notificationUrl: receiver.url }),
      400,
      'REQUIRED',
    );
  });
});

describe('a registration change (PATCH /simulator/v1/contacts/{number})', () => {
  test('posts a notification to each subscription it concerns', async () => {
    const subscription = await subscribe({ subscriptionOperations: ['ALL_CITIZENS'] });
    const contactId = await contactIdOf(CITIZEN);

    const changed = await control(simulator, 'PATCH', `/contacts/${CITIZEN}`, {
      publicRegistrationStatus: 'EXEMPT',
      registrationStatus: 'EXEMPT_LEFT_THE_COUNTRY',
    });
    await simulator.settle();

    expect(changed.status).toBe(200);
    expect(changed.json).toMatchObject({
      id: contactId,
      cprNumber: CITIZEN,
      publicRegistrationStatus: 'EXEMPT',
      registrationStatus: 'EXEMPT_LEFT_THE_COUNTRY',
      version: 2,
    });
    expect(receiver.requests).toHaveLength(1);
    const [notification] = receiver.requests;
    expect(notification?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(notification?.body.toString() ?? '')).toEqual({
      subscriptionId: subscription.id,
      contactId,
      contactUrl: `${simulator.apiUrl}/contacts/${contactId}`,
      change: 'UPDATED',
      version: 2,
      timeStamp: expect.stringMatching(/Z$/),
    });
  });

  test('shows in the contact: a new version and registration', async () => {
    await control(simulator, 'PATCH', `/contacts/${CITIZEN}`, { publicRegistrationStatus: 'EXEMPT' });

    const contact = await api('GET', `/contacts/${await contactIdOf(CITIZEN)}`);

    expect(contact.json).toMatchObject({
      version: 2,
      mailboxSubscription: { publicRegistrationStatus: 'EXEMPT', registrationStatus: 'EXEMPT_OTHER_REASON' },
    });
  });

  test('is in the transcript as a PUSH notification to the subscriber', async () => {
    await subscribe({ subscriptionOperations: ['ALL_CITIZENS'] });

    await control(simulator, 'PATCH', `/contacts/${CITIZEN}`, { publicRegistrationStatus: 'EXEMPT' });
    await simulator.settle();

    const pushes = (await transcript(simulator)).entries.filter((entry) => entry.direction === 'out');
    expect(pushes.map((entry) => [entry.operation, entry.systemId, entry.status])).toEqual([
      ['PUSH notification', SEED_IDS.senderPull, 200],
    ]);
  });

  test("is in the subscriber's event log, with the notification sent", async () => {
    await subscribe({ subscriptionOperations: ['ALL_CITIZENS'] });

    await control(simulator, 'PATCH', `/contacts/${CITIZEN}`, { publicRegistrationStatus: 'EXEMPT' });
    await simulator.settle();

    const events = await api('GET', '/events/');
    const tags = (events.json as { events: Array<{ eventTag: string }> }).events.map(
      (event) => event.eventTag,
    );
    expect(tags).toEqual(['DIGITAL_POST_EXEMPTED', 'NOTIFICATION_SENT']);
    const other = await api('GET', '/events/', undefined, { system: SEED_IDS.companyRecipient });
    expect((other.json as { events: unknown[] }).events).toEqual([]);
  });

  test('is retried when the subscriber fails', async () => {
    receiver.respond = 500;
    await subscribe({ subscriptionOperations: ['ALL_CITIZENS'] });

    await control(simulator, 'PATCH', `/contacts/${CITIZEN}`, { publicRegistrationStatus: 'EXEMPT' });
    await simulator.settle();
    await control(simulator, 'POST', '/clock/advance', { by: 'PT10M' });
    await simulator.settle();

    expect(receiver.requests).toHaveLength(2);
  });

  test.each([
    ['/contacts/0101', { publicRegistrationStatus: 'EXEMPT' }, 400, 'INVALID_FORMAT'],
    [`/contacts/${CITIZEN}`, {}, 400, 'REQUIRED'],
    [`/contacts/${CITIZEN}`, { publicRegistrationStatus: 'GONE' }, 400, 'NOT_ALLOWED_VALUE'],
    [`/contacts/${CITIZEN}`, { cprNumber: '0101700002' }, 400, 'UNKNOWN_FIELD'],
    ['/contacts/0909090909', { publicRegistrationStatus: 'EXEMPT' }, 404, 'NOT_FOUND'],
  ])('PATCH %s %j is refused with %i %s', async (path, body, status, code) => {
    expectErrorMessage(await control(simulator, 'PATCH', path, body), status, code);
  });
});

describe('the records', () => {
  test('are gone after a reset', async () => {
    await subscribe({});

    await resetSimulator(simulator);

    expect((await api('GET', '/contacts/subscriptions/')).json).toEqual([]);
  });

  test('survive a restart with --data-dir', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'dp-subscriptions-'));
    try {
      let running = await startTestSimulator({ dataDir });
      const key = keyOf(running, SEED_IDS.senderPull);
      const created = await call(`${running.apiUrl}/contacts/subscriptions/`, {
        method: 'POST',
        apiKey: key,
        body: JSON.stringify({ subscriptionOperations: ['ALL_COMPANIES'], notificationUrl: receiver.url }),
        contentType: 'application/json',
      });
      await running.stop();
      running = await startTestSimulator({ dataDir });
      try {
        const listed = await call(`${running.apiUrl}/contacts/subscriptions/`, { apiKey: key });
        expect(listed.json).toEqual([created.json]);
      } finally {
        await running.stop();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
