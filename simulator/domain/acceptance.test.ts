/**
 * Routing decisions (`decide`) over the default seed, as tables: the magic identities of
 * simulator.md, companies with and without a recipient system, the authority's contact point,
 * NemSMS, the sender's permissions, value dates and `--loose`.
 */
import { describe, expect, it } from 'vitest';
import { createLetter, createNemSms } from '../../sdk/memo/builder.ts';
import type { Memo } from '../../sdk/memo/types.ts';
import { MemoryStore } from '../store/memory.ts';
import { type AcceptanceSettings, type Decision, decide } from './acceptance.ts';
import type { Organisation } from './model.ts';
import { DEFAULT_SEED, SEED_IDS, seedRecords } from './seed.ts';

/** Monday 2 June 2025, 12:00 Copenhagen time (CEST). */
const NOW = Date.UTC(2025, 5, 2, 10, 0);
const STRICT: AcceptanceSettings = { valueDateHorizonDays: 5, loose: false };

function seededStore(): MemoryStore {
  const store = new MemoryStore();
  const { organisations, systems, contactPoints, contacts } = seedRecords(DEFAULT_SEED);
  store.transaction(() => {
    for (const organisation of organisations) store.putOrganisation(organisation);
    for (const system of systems) store.putSystem(system);
    for (const point of contactPoints) store.putContactPoint(point);
    for (const contact of contacts) store.putContact(contact);
  });
  return store;
}

function organisation(store: MemoryStore, id: string): Organisation {
  const found = store.getOrganisation(id);
  if (found === undefined) throw new Error(`no organisation ${id}`);
  return found;
}

type Recipient = Parameters<typeof createLetter>[0]['recipient'];

const letter = (
  recipient: Recipient,
  extra: Partial<Parameters<typeof createLetter>[0]> = {},
): Promise<Memo> =>
  createLetter({
    sender: { cvr: '12345678', label: 'Testkommune' },
    recipient,
    label: 'Test',
    document: { content: Buffer.from('%PDF-1.4\n%%EOF\n'), filename: 'a.pdf' },
    ...extra,
  } as Parameters<typeof createLetter>[0]);

const nemSms = (recipient: Recipient): Memo =>
  createNemSms({ sender: { cvr: '12345678', label: 'Testkommune' }, recipient, label: 'SMS', text: 'Post' });

/** `decide` for `memo`, sent by the authority unless another sender organisation is named. */
function decision(
  memo: Memo,
  options: {
    sender?: string;
    settings?: Partial<AcceptanceSettings>;
    now?: number;
    store?: MemoryStore;
  } = {},
): Decision {
  const store = options.store ?? seededStore();
  let ids = 0;
  return decide(
    memo,
    organisation(store, options.sender ?? SEED_IDS.authority),
    store,
    { ...STRICT, ...options.settings },
    { now: options.now ?? NOW, newId: () => `new-id-${++ids}` },
  );
}

/** A decision as a short line: the route, or the refusal's status and code. */
function summary(result: Decision): string {
  if (!result.ok) return `${result.status} ${result.code}`;
  return result.route.kind === 'MAILBOX'
    ? `MAILBOX ${result.route.owner}`
    : `SYSTEM ${result.route.systemId}${result.route.contactPointId ? ` via ${result.route.contactPointId}` : ''}`;
}

describe('a letter to a citizen', () => {
  it.each([
    ['0101700001', 'MAILBOX 0101700001'],
    ['0101700002', 'NOT_ALLOWED RECIPIENT_EXEMPT'],
    ['0101700003', 'NOT_ALLOWED RECIPIENT_CLOSED'],
    ['0101700004', 'NOT_ALLOWED RECIPIENT_NOT_REACHABLE'],
    ['0101700005', 'MAILBOX 0101700005'],
    ['0101700006', 'MAILBOX 0101700006'],
    ['0101709999', 'NOT_ALLOWED RECIPIENT_UNKNOWN'],
  ])('to %s is decided %s', async (cpr, expected) => {
    expect(summary(decision(await letter({ cpr })))).toBe(expected);
  });

  it('to the slow mailbox carries its contact, whose receipts come an hour late', async () => {
    const result = decision(await letter({ cpr: '0101700006' }));

    expect(result).toMatchObject({
      ok: true,
      contact: { cprNumber: '0101700006', receiptDelayMs: 3_600_000 },
    });
  });

  it('to the exempt citizen goes to the mailbox when mandatory and the sender may send mandatory post', async () => {
    expect(summary(decision(await letter({ cpr: '0101700002' }, { mandatory: true })))).toBe(
      'MAILBOX 0101700002',
    );
  });
});

describe('a letter to a company or authority', () => {
  it.each([
    ['the company with a recipient system', '87654321', `SYSTEM ${SEED_IDS.companyRecipient}`],
    ['the company without one', '11223344', 'MAILBOX 11223344'],
    ['the authority', '12345678', `SYSTEM ${SEED_IDS.authorityRecipient}`],
    ['an unknown CVR number', '99887766', 'NOT_ALLOWED RECIPIENT_UNKNOWN'],
  ])('to %s (%s) is decided %s', async (_, cvr, expected) => {
    expect(summary(decision(await letter({ cvr })))).toBe(expected);
  });

  it("to the company with a recipient system names the system's organisation", async () => {
    const result = decision(await letter({ cvr: '87654321' }));

    expect(result).toMatchObject({ ok: true, route: { organisationId: SEED_IDS.companyWithSystem } });
  });

  it("to the authority's contact point goes to the contact point's system", async () => {
    const memo = await letter({ cvr: '12345678', contactPoint: { contactPointID: SEED_IDS.contactPoint } });

    expect(summary(decision(memo))).toBe(
      `SYSTEM ${SEED_IDS.authorityRecipient} via ${SEED_IDS.contactPoint}`,
    );
  });

  it('to a contact point the authority does not have goes to its default recipient system', async () => {
    const memo = await letter({
      cvr: '12345678',
      contactPoint: { contactPointID: '40000000-0000-4000-8000-000000000099' },
    });

    expect(summary(decision(memo))).toBe(`SYSTEM ${SEED_IDS.authorityRecipient}`);
  });

  it('to a company whose recipient systems are all out of operation is not reachable', async () => {
    const store = seededStore();
    const system = store.getSystem(SEED_IDS.companyRecipient);
    if (system === undefined) throw new Error('seed without the company recipient system');
    store.transaction(() => store.putSystem({ ...system, activeTo: NOW - 1 }));

    expect(summary(decision(await letter({ cvr: '87654321' }), { store }))).toBe(
      'NOT_ALLOWED RECIPIENT_NOT_REACHABLE',
    );
  });
});

describe('a NemSMS', () => {
  it.each([
    ['the citizen with a NemSMS subscription', { cpr: '0101700005' }, 'MAILBOX 0101700005'],
    ['a citizen without one', { cpr: '0101700001' }, 'NOT_ALLOWED RECIPIENT_NOT_REACHABLE'],
    ['a company with a recipient system', { cvr: '87654321' }, 'NOT_ALLOWED RECIPIENT_NOT_REACHABLE'],
  ])('to %s is decided %s', (_, recipient, expected) => {
    expect(summary(decision(nemSms(recipient as Recipient)))).toBe(expected);
  });
});

describe("the sender's permissions", () => {
  it.each([
    ['mandatory post from the authority', SEED_IDS.authority, { mandatory: true }, 'MAILBOX 0101700001'],
    [
      'mandatory post from a company',
      SEED_IDS.companyWithSystem,
      { mandatory: true },
      'NOT_ALLOWED MANDATORY_NOT_ALLOWED',
    ],
    [
      'a legal notification from the authority',
      SEED_IDS.authority,
      { legalNotification: true },
      'MAILBOX 0101700001',
    ],
    [
      'a legal notification from a company',
      SEED_IDS.companyWithSystem,
      { legalNotification: true },
      'NOT_ALLOWED LEGAL_NOTIFICATION_NOT_ALLOWED',
    ],
  ])('%s is decided %s', async (_, sender, extra, expected) => {
    expect(summary(decision(await letter({ cpr: '0101700001' }, extra), { sender }))).toBe(expected);
  });

  it('are checked before the recipient', async () => {
    const memo = await letter({ cpr: '0101700003' }, { mandatory: true });

    expect(summary(decision(memo, { sender: SEED_IDS.companyWithSystem }))).toBe(
      'NOT_ALLOWED MANDATORY_NOT_ALLOWED',
    );
  });
});

describe('the value date', () => {
  it.each([
    ['yesterday', '2025-06-01', 'at once', undefined],
    ['today', '2025-06-02', 'at once', undefined],
    [
      'tomorrow',
      '2025-06-03',
      'at 00:00 Copenhagen time (22:00 UTC the day before)',
      Date.UTC(2025, 5, 2, 22, 0),
    ],
    ['5 days ahead', '2025-06-07', 'at 00:00 Copenhagen time that day', Date.UTC(2025, 5, 6, 22, 0)],
  ])('%s (%s) is delivered %s', async (_, date, __, deliverAt) => {
    const result = decision(await letter({ cpr: '0101700001' }, { doNotDeliverUntil: date }));

    expect(result.ok).toBe(true);
    expect(result.ok ? result.deliverAt : 'refused').toBe(deliverAt);
  });

  it('6 days ahead is INVALID VALUE_DATE_TOO_FAR', async () => {
    const result = decision(await letter({ cpr: '0101700001' }, { doNotDeliverUntil: '2025-06-08' }));

    expect(summary(result)).toBe('INVALID VALUE_DATE_TOO_FAR');
  });

  it('6 days ahead is accepted with a horizon of 6 days', async () => {
    const memo = await letter({ cpr: '0101700001' }, { doNotDeliverUntil: '2025-06-08' });

    expect(decision(memo, { settings: { valueDateHorizonDays: 6 } })).toMatchObject({ ok: true });
  });

  it('after the change to winter time is delivered at 00:00 CET', async () => {
    const saturday = Date.UTC(2025, 9, 25, 10, 0);
    const memo = await letter({ cpr: '0101700001' }, { doNotDeliverUntil: '2025-10-27' });

    expect(decision(memo, { now: saturday })).toMatchObject({ deliverAt: Date.UTC(2025, 9, 26, 23, 0) });
  });

  it('is counted in Copenhagen days: at 01:00 Copenhagen time it is already the next day', async () => {
    const lateEvening = Date.UTC(2025, 5, 2, 23, 0);
    const memo = await letter({ cpr: '0101700001' }, { doNotDeliverUntil: '2025-06-08' });

    expect(decision(memo, { now: lateEvening })).toMatchObject({
      ok: true,
      deliverAt: Date.UTC(2025, 5, 7, 22, 0),
    });
  });

  it('is checked before the recipient', async () => {
    const memo = await letter({ cpr: '0101700003' }, { doNotDeliverUntil: '2025-06-08' });

    expect(summary(decision(memo))).toBe('INVALID VALUE_DATE_TOO_FAR');
  });

  it('is kept on a route to a recipient system', async () => {
    const memo = await letter({ cvr: '87654321' }, { doNotDeliverUntil: '2025-06-03' });

    expect(decision(memo)).toMatchObject({
      ok: true,
      route: { kind: 'SYSTEM', systemId: SEED_IDS.companyRecipient },
      deliverAt: Date.UTC(2025, 5, 2, 22, 0),
    });
  });
});

describe('loose mode', () => {
  it('registers an unknown CPR number and routes to its mailbox', async () => {
    const result = decision(await letter({ cpr: '0101709999' }), { settings: { loose: true } });

    expect(result).toMatchObject({
      ok: true,
      route: { kind: 'MAILBOX', owner: '0101709999' },
      register: {
        id: 'new-id-1',
        type: 'CITIZEN',
        cprNumber: '0101709999',
        createdDate: NOW,
        mailboxSubscription: { publicRegistrationStatus: 'REGISTERED' },
      },
    });
  });

  it('registers an unknown CVR number as a company with a mailbox', async () => {
    const result = decision(await letter({ cvr: '99887766' }), { settings: { loose: true } });

    expect(result).toMatchObject({
      ok: true,
      route: { kind: 'MAILBOX', owner: '99887766' },
      register: { type: 'COMPANY', cvrNumber: '99887766' },
    });
  });

  it('registers no one who is in the register already', async () => {
    const result = decision(await letter({ cpr: '0101700001' }), { settings: { loose: true } });

    expect(result).toMatchObject({ ok: true });
    expect(result.ok && result.register).toBeUndefined();
  });

  it('still refuses a NemSMS to a number it registers, which has no NemSMS subscription', () => {
    const result = decision(nemSms({ cpr: '0101709999' }), { settings: { loose: true } });

    expect(summary(result)).toBe('NOT_ALLOWED RECIPIENT_NOT_REACHABLE');
  });
});
