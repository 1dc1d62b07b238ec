/**
 * Sender systems' change subscriptions (`engine.subscriptions`) and the notifications a contact's
 * change sends them: each system sees and changes only its own, a change needs the current version,
 * and a registration change reaches every subscription it concerns — with the delivery retries.
 */
import { describe, expect, it } from 'vitest';
import {
  offsets,
  RETRY_OFFSETS,
  rejectionOf,
  SEED_IDS,
  START,
  testEngine,
} from '../../test/support/engine.ts';

const URL = 'https://sender.example/contact-changes';
const CITIZEN = '0101700001';

function contactId(engine: ReturnType<typeof testEngine>['engine'], cpr: string): string {
  const page = engine.directory.searchContacts({ cprNumbers: [cpr], page: 0, size: 1 });
  const found = page.contacts[0];
  if (found === undefined) throw new Error(`no contact ${cpr}`);
  return found.id;
}

describe('contact subscriptions', () => {
  it('are created at version 1 with a sub-record per contact named', () => {
    const { engine, system } = testEngine();
    const id = contactId(engine, CITIZEN);

    const created = engine.subscriptions.createContactSubscription(system(SEED_IDS.senderPull), {
      subscriptionOperations: ['NEW_CITIZENS'],
      singleContactSubscriptions: [id],
      notificationUrl: URL,
    });

    expect(created).toMatchObject({
      systemId: SEED_IDS.senderPull,
      version: 1,
      operations: ['NEW_CITIZENS'],
      contacts: [{ version: 1, contactId: id }],
      notificationUrl: URL,
    });
  });

  it('are listed for their own system only', () => {
    const { engine, system } = testEngine();
    engine.subscriptions.createContactSubscription(system(SEED_IDS.senderPull), { notificationUrl: URL });

    expect(engine.subscriptions.listContactSubscriptions(system(SEED_IDS.senderPull))).toHaveLength(1);
    expect(engine.subscriptions.listContactSubscriptions(system(SEED_IDS.senderPush))).toEqual([]);
  });

  it('count a version per update and keep the sub-records of the contacts still named', () => {
    const { engine, system } = testEngine();
    const sender = system(SEED_IDS.senderPull);
    const first = contactId(engine, CITIZEN);
    const second = contactId(engine, '0101700003');
    const created = engine.subscriptions.createContactSubscription(sender, {
      singleContactSubscriptions: [first],
      notificationUrl: URL,
    });

    const updated = engine.subscriptions.updateContactSubscription(sender, created.id, '"1"', {
      singleContactSubscriptions: [first, second],
      notificationUrl: URL,
    });

    expect(updated.version).toBe(2);
    expect(updated.contacts[0]).toEqual(created.contacts[0]);
    expect(updated.contacts[1]).toMatchObject({ version: 1, contactId: second });
  });

  it('refuse an update without If-Match, or naming another version', async () => {
    const { engine, system } = testEngine();
    const sender = system(SEED_IDS.senderPull);
    const { id } = engine.subscriptions.createContactSubscription(sender, { notificationUrl: URL });

    const missing = await rejectionOf(() =>
      engine.subscriptions.updateContactSubscription(sender, id, undefined, { notificationUrl: URL }),
    );
    const stale = await rejectionOf(() =>
      engine.subscriptions.updateContactSubscription(sender, id, '"7"', { notificationUrl: URL }),
    );

    expect([missing.kind, missing.fieldErrors[0]?.field]).toEqual(['invalid', 'If-Match']);
    expect([stale.kind, stale.code]).toEqual(['conflict', 'VERSION_CONFLICT']);
  });

  it('are not found by another system, even with the right version', async () => {
    const { engine, system } = testEngine();
    const { id } = engine.subscriptions.createContactSubscription(system(SEED_IDS.senderPull), {
      notificationUrl: URL,
    });

    const rejection = await rejectionOf(() =>
      engine.subscriptions.deleteContactSubscription(system(SEED_IDS.senderPush), id, '*'),
    );

    expect(rejection.kind).toBe('not-found');
  });

  it.each([
    [{}, 'notificationUrl', 'REQUIRED'],
    [{ notificationUrl: 'ftp://sender.example/' }, 'notificationUrl', 'INVALID_FORMAT'],
    [
      { notificationUrl: URL, subscriptionOperations: 'ALL_CITIZENS' },
      'subscriptionOperations',
      'INVALID_FORMAT',
    ],
    [
      { notificationUrl: URL, subscriptionOperations: ['UNKNOWN'] },
      'subscriptionOperations[0]',
      'NOT_ALLOWED_VALUE',
    ],
    [
      { notificationUrl: URL, singleContactSubscriptions: ['0101700001'] },
      'singleContactSubscriptions[0]',
      'INVALID_FORMAT',
    ],
    [
      { notificationUrl: URL, singleContactSubscriptions: ['6f1c2d4e-0000-4000-8000-000000000000'] },
      'singleContactSubscriptions[0]',
      'NOT_FOUND',
    ],
    [{ notificationUrl: URL, contacts: [] }, 'contacts', 'UNKNOWN_FIELD'],
  ])('refuse the command %j at %s (%s)', async (body, field, code) => {
    const { engine, system } = testEngine();

    const rejection = await rejectionOf(() =>
      engine.subscriptions.createContactSubscription(system(SEED_IDS.senderPull), body),
    );

    expect(rejection.kind).toBe('invalid');
    expect(rejection.fieldErrors[0]).toMatchObject({ resource: 'contactSubscription', field, code });
  });
});

describe('organisation subscriptions', () => {
  it('are created and updated with CVR numbers, one version per change', () => {
    const { engine, system } = testEngine();
    const sender = system(SEED_IDS.senderPull);
    const created = engine.subscriptions.createOrganisationSubscription(sender, {
      subscriptionOperations: ['ALL_ORGANISATIONS'],
      organisationSubscriptions: ['87654321'],
      notificationUrl: URL,
    });

    const updated = engine.subscriptions.updateOrganisationSubscription(sender, created.id, 'W/"1"', {
      organisationSubscriptions: ['87654321', '11223344'],
      notificationUrl: URL,
    });

    expect(updated).toMatchObject({ version: 2, operations: [] });
    expect(updated.organisations.map((item) => item.cvrNumber)).toEqual(['87654321', '11223344']);
    expect(updated.organisations[0]).toEqual(created.organisations[0]);
  });

  it('refuse a CVR number that is not 8 digits', async () => {
    const { engine, system } = testEngine();

    const rejection = await rejectionOf(() =>
      engine.subscriptions.createOrganisationSubscription(system(SEED_IDS.senderPull), {
        organisationSubscriptions: ['1234'],
        notificationUrl: URL,
      }),
    );

    expect(rejection.fieldErrors[0]).toMatchObject({
      field: 'organisationSubscriptions[0]',
      code: 'INVALID_FORMAT',
    });
  });
});

describe('organisation subscription refusals', () => {
  it('refuse an operation that is not an organisation operation', async () => {
    const { engine, system } = testEngine();

    const rejection = await rejectionOf(() =>
      engine.subscriptions.createOrganisationSubscription(system(SEED_IDS.senderPull), {
        subscriptionOperations: ['ALL_CITIZENS'],
        notificationUrl: URL,
      }),
    );

    expect(rejection.fieldErrors[0]).toMatchObject({
      resource: 'organisationSubscription',
      field: 'subscriptionOperations[0]',
      code: 'NOT_ALLOWED_VALUE',
    });
  });

  it("refuse an update of another system's subscription, or at another version", async () => {
    const { engine, system } = testEngine();
    const { id } = engine.subscriptions.createOrganisationSubscription(system(SEED_IDS.senderPull), {
      notificationUrl: URL,
    });

    const foreign = await rejectionOf(() =>
      engine.subscriptions.updateOrganisationSubscription(system(SEED_IDS.senderPush), id, '*', {
        notificationUrl: URL,
      }),
    );
    const stale = await rejectionOf(() =>
      engine.subscriptions.updateOrganisationSubscription(system(SEED_IDS.senderPull), id, '2', {
        notificationUrl: URL,
      }),
    );

    expect(foreign.kind).toBe('not-found');
    expect(stale.code).toBe('VERSION_CONFLICT');
  });
});

describe('a change of registration', () => {
  it('makes a new version of the contact and a line in the event log', () => {
    const { engine, clock } = testEngine();
    clock.set(START + 60_000);

    const changed = engine.directory.changeRegistration(CITIZEN, { publicRegistrationStatus: 'EXEMPT' });

    expect(changed).toMatchObject({
      version: 2,
      lastUpdated: START + 60_000,
      mailboxSubscription: { publicRegistrationStatus: 'EXEMPT', registrationStatus: 'EXEMPT_OTHER_REASON' },
    });
    expect(engine.directory.contact(changed.id).version).toBe(2);
  });

  it('notifies each subscription it concerns, once', async () => {
    const { engine, system, outbound } = testEngine();
    const id = contactId(engine, CITIZEN);
    const named = engine.subscriptions.createContactSubscription(system(SEED_IDS.senderPull), {
      subscriptionOperations: ['ALL_CITIZENS'],
      singleContactSubscriptions: [id],
      notificationUrl: URL,
    });
    engine.subscriptions.createContactSubscription(system(SEED_IDS.senderPush), {
      subscriptionOperations: ['NEW_CITIZENS', 'ALL_COMPANIES'],
      notificationUrl: 'https://other.example/',
    });

    engine.directory.changeRegistration(CITIZEN, { publicRegistrationStatus: 'EXEMPT' });
    await engine.idle();

    expect(outbound.of('contact').map((call) => [call.url, call.contact])).toEqual([
      [URL, { subscriptionId: named.id, contactId: id, change: 'UPDATED', version: 2, timeStamp: START }],
    ]);
  });

  it('of a new citizen notifies NEW_CITIZENS subscriptions as CREATED', async () => {
    const { engine, system, outbound } = testEngine();
    engine.subscriptions.createContactSubscription(system(SEED_IDS.senderPull), {
      subscriptionOperations: ['NEW_CITIZENS'],
      notificationUrl: URL,
    });

    const contact = engine.directory.registerIdentity('CITIZEN', { number: '0202020202' });
    await engine.idle();

    expect(outbound.of('contact').map((call) => call.contact)).toEqual([
      expect.objectContaining({ contactId: contact.id, change: 'CREATED', version: 1 }),
    ]);
  });

  it('to the registration it already has changes nothing and notifies nobody', async () => {
    const { engine, system, outbound } = testEngine();
    engine.subscriptions.createContactSubscription(system(SEED_IDS.senderPull), {
      subscriptionOperations: ['ALL_CITIZENS'],
      notificationUrl: URL,
    });

    const same = engine.directory.changeRegistration(CITIZEN, { publicRegistrationStatus: 'REGISTERED' });
    await engine.idle();

    expect(same.version ?? 1).toBe(1);
    expect(outbound.of('contact')).toEqual([]);
  });

  it('is told to a failing subscriber again on the delivery schedule', async () => {
    const { engine, system, outbound } = testEngine();
    outbound.answer('contact', 503);
    engine.subscriptions.createContactSubscription(system(SEED_IDS.senderPull), {
      subscriptionOperations: ['ALL_CITIZENS'],
      notificationUrl: URL,
    });

    engine.directory.changeRegistration(CITIZEN, { publicRegistrationStatus: 'EXEMPT' });
    await engine.advanceClock(RETRY_OFFSETS[2] as number);

    expect(offsets(outbound.times('contact'))).toEqual(RETRY_OFFSETS.slice(0, 3));
  });

  it('of an organisation is told to a failing subscriber again on the delivery schedule', async () => {
    const { engine, system, outbound } = testEngine();
    outbound.answer('organisation', 503);
    engine.subscriptions.createOrganisationSubscription(system(SEED_IDS.senderPull), {
      subscriptionOperations: ['NEW_ORGANISATIONS'],
      notificationUrl: URL,
    });

    const { organisation } = engine.identities.createTestOrganisation({ cvrNumber: '55667788', name: 'Ny' });
    await engine.advanceClock(RETRY_OFFSETS[2] as number);

    expect(offsets(outbound.times('organisation'))).toEqual(RETRY_OFFSETS.slice(0, 3));
    expect(outbound.of('organisation')[0]?.organisation).toMatchObject({
      organisationId: organisation.id,
      cvrNumber: '55667788',
      change: 'CREATED',
      version: 1,
    });
  });

  it('is no longer told once the subscription is deleted', async () => {
    const { engine, system, outbound } = testEngine();
    outbound.answer('contact', 503);
    const sender = system(SEED_IDS.senderPull);
    const { id } = engine.subscriptions.createContactSubscription(sender, {
      subscriptionOperations: ['ALL_CITIZENS'],
      notificationUrl: URL,
    });
    engine.directory.changeRegistration(CITIZEN, { publicRegistrationStatus: 'EXEMPT' });
    await engine.idle();

    engine.subscriptions.deleteContactSubscription(sender, id, '1');
    await engine.advanceClock(RETRY_OFFSETS[3] as number);

    expect(outbound.of('contact')).toHaveLength(1);
  });

  it.each([
    ['0101', {}, 'number', 'INVALID_FORMAT'],
    [CITIZEN, {}, 'publicRegistrationStatus', 'REQUIRED'],
    [CITIZEN, { publicRegistrationStatus: 'GONE' }, 'publicRegistrationStatus', 'NOT_ALLOWED_VALUE'],
    [CITIZEN, { registrationStatus: 'SOMEHOW' }, 'registrationStatus', 'NOT_ALLOWED_VALUE'],
    [CITIZEN, { name: 'Ny' }, 'name', 'UNKNOWN_FIELD'],
  ])('of %s to %j is refused at %s (%s)', async (number, change, field, code) => {
    const { engine } = testEngine();

    const rejection = await rejectionOf(() => engine.directory.changeRegistration(number, change));

    expect(rejection.fieldErrors[0]).toMatchObject({ field, code });
  });

  it('of a number nobody registered is not found', async () => {
    const { engine } = testEngine();

    const rejection = await rejectionOf(() =>
      engine.directory.changeRegistration('0909090909', { publicRegistrationStatus: 'EXEMPT' }),
    );

    expect(rejection.kind).toBe('not-found');
  });
});
