/**
 * `client.subscriptions` against a running simulator over real HTTP (ngdp-api.md §5.5): a sender
 * system's contact and organisation subscriptions, created, listed, changed at the version read
 * (`If-Match`) and deleted; a stale version is a ConflictError, bad input an InvalidOptionsError
 * before anything is sent.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import type { RunningSimulator } from '../../simulator/index.ts';
import { type LoggedClient, loggedClient } from '../../test/support/client.ts';
import { keyOf, resetSimulator, SEED_IDS, startTestSimulator } from '../../test/support/simulator.ts';
import { ConflictError, InvalidOptionsError, NotFoundError, PermissionDeniedError } from '../errors.ts';

const URL = 'https://sender.example/contact-changes';

let simulator: RunningSimulator;
let logged: LoggedClient;

beforeAll(async () => {
  simulator = await startTestSimulator();
});
afterAll(() => simulator.stop());
beforeEach(async () => {
  await resetSimulator(simulator);
  logged = loggedClient(simulator.apiUrl, keyOf(simulator, SEED_IDS.senderPull));
});

describe('client.subscriptions.contacts', () => {
  test('creates a subscription and lists it', async () => {
    const { contacts } = logged.client.subscriptions;

    const created = await contacts.create({ subscriptionOperations: ['NEW_CITIZENS'], notificationUrl: URL });

    expect(created).toMatchObject({
      senderSystemIdentityId: SEED_IDS.senderPull,
      version: 1,
      subscriptionOperations: ['NEW_CITIZENS'],
      notificationUrl: URL,
    });
    expect(await contacts.list()).toEqual([created]);
  });

  test('updates the subscription at the version read, and deletes it', async () => {
    const { contacts } = logged.client.subscriptions;
    const created = await contacts.create({ notificationUrl: URL });

    const updated = await contacts.update(created, {
      subscriptionOperations: ['ALL_COMPANIES'],
      notificationUrl: URL,
    });
    await contacts.delete(updated);

    expect(updated).toMatchObject({ id: created.id, version: 2, subscriptionOperations: ['ALL_COMPANIES'] });
    expect(await contacts.list()).toEqual([]);
  });

  test('refuses a change at a stale version with a ConflictError', async () => {
    const { contacts } = logged.client.subscriptions;
    const created = await contacts.create({ notificationUrl: URL });
    await contacts.update(created, { notificationUrl: URL });

    await expect(contacts.update(created, { notificationUrl: URL })).rejects.toBeInstanceOf(ConflictError);
    await expect(contacts.delete(created)).rejects.toBeInstanceOf(ConflictError);
  });

  test('says NotFoundError for a subscription that is gone', async () => {
    const { contacts } = logged.client.subscriptions;

    await expect(
      contacts.delete({ id: '6f1c2d4e-0000-4000-8000-000000000000', version: 1 }),
    ).rejects.toBeInstanceOf(NotFoundError);
  });

  test('refuses a notificationUrl that is not an absolute http(s) URL before sending', async () => {
    await expect(
      logged.client.subscriptions.contacts.create({ notificationUrl: 'contact-changes' }),
    ).rejects.toBeInstanceOf(InvalidOptionsError);
    expect(logged.events).toEqual([]);
  });

  test('is for sender systems: a recipient system gets a PermissionDeniedError', async () => {
    const recipient = loggedClient(simulator.apiUrl, keyOf(simulator, SEED_IDS.authorityRecipient));

    await expect(recipient.client.subscriptions.contacts.list()).rejects.toBeInstanceOf(
      PermissionDeniedError,
    );
  });
});

describe('client.subscriptions.organisations', () => {
  test('creates, lists and updates a subscription by CVR numbers', async () => {
    const { organisations } = logged.client.subscriptions;
    const created = await organisations.create({
      organisationSubscriptions: ['87654321'],
      notificationUrl: URL,
    });

    const updated = await organisations.update(created, {
      subscriptionOperations: ['NEW_ORGANISATIONS'],
      organisationSubscriptions: ['87654321', '11223344'],
      notificationUrl: URL,
    });

    expect(updated.version).toBe(2);
    expect(updated.organisationSubscriptions?.map((item) => item.cvrNumber)).toEqual([
      '87654321',
      '11223344',
    ]);
    expect(await organisations.list()).toEqual([updated]);
  });

  test('refuses a CVR number that is not 8 digits before sending', async () => {
    await expect(
      logged.client.subscriptions.organisations.create({
        organisationSubscriptions: ['1234'],
        notificationUrl: URL,
      }),
    ).rejects.toBeInstanceOf(InvalidOptionsError);
  });
});
