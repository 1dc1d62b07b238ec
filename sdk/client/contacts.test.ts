/**
 * `client.contacts` and `client.contactPoints` against a running simulator over real HTTP: the
 * registration of the magic identities (docs/simulator.md), `canReceiveDigitalPost`, the `next`
 * cursor across pages (ngdp-api.md §7.4), and contact points (§8).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import type { RunningSimulator } from '../../simulator/index.ts';
import { type LoggedClient, loggedClient } from '../../test/support/client.ts';
import {
  control,
  keyOf,
  resetSimulator,
  SEED_IDS,
  startTestSimulator,
} from '../../test/support/simulator.ts';
import { DigitalPostError, InvalidOptionsError, NotFoundError } from '../errors.ts';
import { canReceiveDigitalPost, digitalPostReachability } from './contacts.ts';
import type { Contact, RegistrationStatus } from './types.ts';

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

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

describe('client.contacts.lookup', () => {
  test.each([
    ['0101700001', 'REGISTERED', 'AUTOMATIC_REGISTRATION', true],
    ['0101700002', 'EXEMPT', expect.stringMatching(/^EXEMPT_/), false],
    ['0101700003', 'CLOSED', expect.any(String), false],
    ['0101700004', 'REGISTERED', 'UNCONFIRMED_REGISTRATION', false],
    ['0101700009', 'UNKNOWN', 'UNKNOWN', false],
  ])('CPR %s is %s (%s); canReceiveDigitalPost: %s', async (cpr, status, detail, reachable) => {
    const contact = await logged.client.contacts.lookup({ cpr });
    expect(contact).toMatchObject({
      type: 'CITIZEN',
      cprNumber: cpr,
      mailboxSubscription: { publicRegistrationStatus: status, registrationStatus: detail },
    });
    expect(canReceiveDigitalPost(contact)).toBe(reachable);
  });

  test('a company is looked up by CVR', async () => {
    const contact = await logged.client.contacts.lookup({ cvr: '87654321' });
    expect(contact).toMatchObject({
      id: expect.any(String),
      type: 'COMPANY',
      cvrNumber: '87654321',
      mailboxSubscription: { publicRegistrationStatus: 'REGISTERED' },
    });
    expect(canReceiveDigitalPost(contact)).toBe(true);
  });

  test('a citizen with NemSMS comes with the subscription', async () => {
    const contact = await logged.client.contacts.lookup({ cpr: '0101700005' });
    expect(contact.nemSmsSubscription?.mobileNumber).toMatch(/^[2-9]\d{7}$/);
  });

  test('asks NgDP with one GET /contacts/ by cprNumber', async () => {
    await logged.client.contacts.lookup({ cpr: '0101700001' });
    expect(logged.events.map((event) => `${event.method} ${event.path}`)).toEqual([
      'GET /contacts/?cprNumber=010170****',
    ]);
  });

  test.each(['12345', '010170-0001', '01017000011', '010170000a', ' 0101700001'])(
    'the malformed CPR number "%s" is refused locally without a request',
    async (cpr) => {
      const error = await logged.client.contacts.lookup({ cpr }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(DigitalPostError);
      expect(error).toMatchObject({ code: 'INVALID_CPR' });
      expect((error as Error).message).not.toContain(cpr.trim());
      expect(logged.events).toEqual([]);
    },
  );

  test('a malformed CVR number is refused locally without a request', async () => {
    await expect(logged.client.contacts.lookup({ cvr: '1234567' })).rejects.toMatchObject({
      code: 'INVALID_CVR',
    });
    expect(logged.events).toEqual([]);
  });

  test('neither cpr nor cvr is an InvalidOptionsError', async () => {
    await expect(logged.client.contacts.lookup({} as { cpr: string })).rejects.toBeInstanceOf(
      InvalidOptionsError,
    );
  });
});

describe('client.contacts.get', () => {
  test('returns the contact by NgDP’s id', async () => {
    const found = await logged.client.contacts.lookup({ cvr: '87654321' });
    const contact = await logged.client.contacts.get(found.id);
    expect(contact).toMatchObject({ id: found.id, cvrNumber: '87654321' });
  });

  test('an unknown id fails with NotFoundError', async () => {
    await expect(logged.client.contacts.get('00000000-0000-4000-8000-000000000000')).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });
});

describe('client.contacts.search', () => {
  const SIX = ['0101700001', '0101700002', '0101700003', '0101700004', '0101700005', '0101700006'];

  test('yields every matching contact, following the next cursor across pages', async () => {
    const contacts = await collect(logged.client.contacts.search({ cpr: SIX, pageSize: 2 }));
    expect(contacts.map((contact) => contact.cprNumber).sort()).toEqual(SIX);
    expect(logged.events).toHaveLength(3);
    expect(logged.events[0]?.path).not.toContain('next=');
    expect(logged.events.slice(1).every((event) => event.path.includes('next='))).toBe(true);
  });

  test('includes numbers NgDP does not know, as UNKNOWN', async () => {
    const contacts = await collect(logged.client.contacts.search({ cpr: ['0101700001', '0101700009'] }));
    const unknown = contacts.find((contact) => contact.cprNumber === '0101700009');
    expect(unknown?.mailboxSubscription?.publicRegistrationStatus).toBe('UNKNOWN');
    expect(contacts).toHaveLength(2);
  });

  test('searches companies by CVR', async () => {
    const contacts = await collect(logged.client.contacts.search({ cvr: ['87654321', '11223344'] }));
    expect(contacts.map((contact) => contact.cvrNumber).sort()).toEqual(['11223344', '87654321']);
    expect(logged.events[0]?.path).toBe('/contacts/?size=100&cvrNumber=87654321%2C11223344');
  });

  test('a malformed number in the filter is refused locally without a request', async () => {
    await expect(
      collect(logged.client.contacts.search({ cpr: ['0101700001', '123'] })),
    ).rejects.toMatchObject({ code: 'INVALID_CPR' });
    expect(logged.events).toEqual([]);
  });
});

describe('canReceiveDigitalPost', () => {
  function contactWith(registrationStatus: RegistrationStatus, publicStatus = 'REGISTERED'): Contact {
    return {
      id: 'x',
      type: 'CITIZEN',
      mailboxSubscription: {
        registrationStatus,
        publicRegistrationStatus: publicStatus as 'REGISTERED',
      },
    };
  }

  test.each(['AUTOMATIC_REGISTRATION', 'VOLUNTARY_REGISTRATION'] as const)(
    'is true for REGISTERED with %s',
    (status) => {
      expect(canReceiveDigitalPost(contactWith(status))).toBe(true);
    },
  );

  test.each([
    'BEFORE_UNCONFIRMED_REGISTRATION',
    'UNCONFIRMED_REGISTRATION',
    'CREATED_AWAITING_REGISTRATION',
  ] as const)('is false for REGISTERED still in %s', (status) => {
    expect(canReceiveDigitalPost(contactWith(status))).toBe(false);
  });

  test.each(['EXEMPT', 'CLOSED', 'UNKNOWN'])('is false for %s', (status) => {
    expect(canReceiveDigitalPost(contactWith('AUTOMATIC_REGISTRATION', status))).toBe(false);
  });

  test('is false for a contact without a mailbox subscription', () => {
    expect(canReceiveDigitalPost({ id: 'x', type: 'CITIZEN' })).toBe(false);
  });
});

describe('client.contactPoints.search', () => {
  test('finds the seeded contact point by name', async () => {
    const points = await collect(logged.client.contactPoints.search({ term: 'Borgerservice' }));
    expect(points).toEqual([
      expect.objectContaining({
        id: SEED_IDS.contactPoint,
        name: 'Borgerservice',
        organisationId: SEED_IDS.authority,
        systemId: SEED_IDS.authorityRecipient,
      }),
    ]);
  });

  test('yields every contact point across pages', async () => {
    for (const name of ['Byggesager', 'Skat og inddrivelse']) {
      const created = await control(simulator, 'POST', '/contact-points', {
        organisationId: SEED_IDS.authority,
        name,
        systemId: SEED_IDS.authorityRecipient,
      });
      expect(created.status, created.text).toBe(201);
    }
    const points = await collect(logged.client.contactPoints.search({ pageSize: 1 }));
    expect(points.map((point) => point.name).sort()).toEqual([
      'Borgerservice',
      'Byggesager',
      'Skat og inddrivelse',
    ]);
    expect(logged.events).toHaveLength(3);
  });

  test('yields nothing when no contact point matches', async () => {
    expect(await collect(logged.client.contactPoints.search({ term: 'ingen sådan' }))).toEqual([]);
  });
});

describe('digitalPostReachability', () => {
  test.each([
    ['0101700001', { reachable: true }],
    ['0101700002', { reachable: false, reason: 'EXEMPT' }],
    ['0101700003', { reachable: false, reason: 'CLOSED' }],
    ['0101700004', { reachable: false, reason: 'NOT_YET_REGISTERED' }],
    ['0101799999', { reachable: false, reason: 'UNKNOWN' }],
  ])('says why CPR %s can or cannot get Digital Post', async (cpr, expected) => {
    expect(digitalPostReachability(await logged.client.contacts.lookup({ cpr }))).toEqual(expected);
  });
});
