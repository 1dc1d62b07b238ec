/**
 * Exemptions at NgDP's paths over real HTTP (admin.md §4; docs/admin.md, "Exemptions"): an
 * exemption changes what NgDP tells senders — the contact's registration in `GET contacts/` and the
 * routing of a letter — at once; a company's ends by itself on the simulator clock; lifting it
 * registers the party again. Every change leaves its action-log rows, every look-up a search-log
 * row, and no refusal shows a whole CPR number.
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
  type SenderContact,
  seededToken,
  senderContact,
} from '../../../../test/support/admin.ts';
import {
  type ApiResponse,
  control,
  expectErrorMessage,
  keyOf,
  letterTo,
  receiptFor,
  resetSimulator,
  SEED_IDS,
  sendMemo,
  setClock,
  startTestSimulator,
} from '../../../../test/support/simulator.ts';
import type { RunningSimulator } from '../../../index.ts';

let simulator: RunningSimulator;
let token: string;
const AUTHORITY = SEED_IDS.authority;
const CITIZEN = '0101700001';
const COMPANY = '87654321';
const ABROAD = { name: 'Test Borger Et', address1Text: '1 Rue de Test', zipCode: '75001', countryCode: 'FR' };

interface ExemptionJson {
  id: string;
  version: number;
  cprNumber?: string;
  cvrNumber?: string;
  sendLettersReceivedFromDate: string;
  organisation: string;
  forwardToAddress: boolean;
  exemptByProxy: boolean;
  exemptionStatus: string;
}

type ContactJson = SenderContact;

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

/** Moves the clock, and logs in again (a token lasts an hour of the simulator clock). */
async function moveClock(to: string): Promise<void> {
  await setClock(simulator, to);
  token = await seededToken(simulator, AUTHORITY);
}

async function exempt(body: Record<string, unknown>, on = simulator, as = token): Promise<ExemptionJson> {
  const response = await adminCall(on, 'POST', '/exemptions/', { token: as, body });
  expect(response.status, response.text).toBe(201);
  return response.json as ExemptionJson;
}

const contactAsSenders = async (number: string, on = simulator) => senderContact(on, number);

const actionRows = async () =>
  (
    (await control(simulator, 'GET', `/action-log/${AUTHORITY}`)).json as {
      rows: {
        subject: string;
        event: string;
        actor: string;
        eventTag: string;
        cprCvr?: string;
        field: string;
      }[];
    }
  ).rows.filter((row) => row.subject === 'Fritagelse');

const searchRows = async () =>
  (
    (await control(simulator, 'GET', `/search-log/${AUTHORITY}`)).json as {
      rows: { cprCvr: string; register: string; results: number; operation: string }[];
    }
  ).rows;

describe('POST exemptions/', () => {
  it('exempts a citizen at once: senders see EXEMPT with the day it began, and the log has Fritaget', async () => {
    const created = await exempt({ cprNumber: '010170-0001', recipient: ABROAD, exemptByProxy: true });
    expect(created).toMatchObject({
      version: 1,
      cprNumber: CITIZEN,
      sendLettersReceivedFromDate: '2025-03-10',
      organisation: 'Testkommune',
      forwardToAddress: true,
      exemptByProxy: true,
      exemptionStatus: 'CREATED',
      recipient: ABROAD,
    });
    expect((await contactAsSenders(CITIZEN)).mailboxSubscription).toMatchObject({
      publicRegistrationStatus: 'EXEMPT',
      registrationStatus: 'EXEMPT_OTHER_REASON',
      exemptionStart: '2025-03-10',
      exemptThroughPowerOfAttorney: true,
    });
    expect((await contactAsSenders(CITIZEN)).mailboxSubscription.exemptionEnd).toBeUndefined();
    expect(await actionRows()).toContainEqual(
      expect.objectContaining({
        event: 'Fritaget',
        eventTag: 'DIGITAL_POST_EXEMPTED',
        cprCvr: CITIZEN,
        actor: 'CVR:12345678-RID:10000001',
      }),
    );
    expect(await searchRows()).toContainEqual(
      expect.objectContaining({
        cprCvr: CITIZEN,
        register: 'Kontaktregister',
        results: 1,
        operation: 'createExemption',
      }),
    );
  });

  it("records a citizen's reason as the registration status (exemptionReason)", async () => {
    await exempt({ cprNumber: CITIZEN, exemptionReason: 'EXEMPT_LEFT_THE_COUNTRY', forwardToAddress: false });
    expect((await contactAsSenders(CITIZEN)).mailboxSubscription.registrationStatus).toBe(
      'EXEMPT_LEFT_THE_COUNTRY',
    );
  });

  it('refuses a letter to the exempted citizen (RECIPIENT_EXEMPT); once lifted, letters arrive again', async () => {
    const apiKey = keyOf(simulator, SEED_IDS.senderPull);
    const outcome = async () => {
      const memo = await letterTo({ cpr: CITIZEN });
      expect((await sendMemo(simulator, apiKey, memo)).status).toBe(201);
      await simulator.settle();
      return receiptFor(simulator, apiKey, memo.messageHeader.messageUUID);
    };
    const created = await exempt({ cprNumber: CITIZEN, forwardToAddress: false });
    expect(await outcome()).toMatchObject({ receiptStatus: 'NOT_ALLOWED', errorCode: 'RECIPIENT_EXEMPT' });
    const lifted = await adminCall(simulator, 'DELETE', `/exemptions/${created.id}`, {
      token,
      headers: { 'if-match': '"1"' },
    });
    expect(lifted.status).toBe(204);
    expect((await outcome()).receiptStatus).toBe('COMPLETED');
  });

  it('makes the same registration as the test portal does for an exempt citizen', async () => {
    await exempt({ cprNumber: CITIZEN, forwardToAddress: false });
    const portalMade = await portal(
      simulator,
      'POST',
      '/citizens',
      { cprNumber: '0202700002', publicRegistrationStatus: 'EXEMPT' },
      token,
    );
    expect(portalMade.status, portalMade.text).toBe(201);
    const ours = (await contactAsSenders(CITIZEN)).mailboxSubscription;
    const theirs = (portalMade.json as ContactJson).mailboxSubscription;
    expect(ours.publicRegistrationStatus).toBe(theirs.publicRegistrationStatus);
    expect(ours.registrationStatus).toBe(theirs.registrationStatus);
  });

  it('exempts a company until 1 November of the second year after, forwarding to its registered address', async () => {
    const created = await exempt({ cvrNumber: COMPANY });
    expect(created).toMatchObject({ cvrNumber: COMPANY, forwardToAddress: true, exemptionStatus: 'CREATED' });
    expect((await contactAsSenders(COMPANY)).mailboxSubscription).toMatchObject({
      publicRegistrationStatus: 'EXEMPT',
      exemptionStart: '2025-03-10',
      exemptionEnd: '2027-11-01',
    });
  });
});

describe("a company's exemption on the simulator clock", () => {
  it('ends at 00:00 on its end date: the company is registered again, the exemption PROCESSED', async () => {
    const created = await exempt({ cvrNumber: COMPANY });
    await moveClock('2027-10-31T22:59:00Z');
    expect((await contactAsSenders(COMPANY)).mailboxSubscription.publicRegistrationStatus).toBe('EXEMPT');
    await moveClock('2027-10-31T23:00:00Z');
    expect((await contactAsSenders(COMPANY)).mailboxSubscription).toMatchObject({
      publicRegistrationStatus: 'REGISTERED',
      registrationStatus: 'AUTOMATIC_REGISTRATION',
    });
    const fetched = await adminCall(simulator, 'GET', `/exemptions/${created.id}`, { token });
    expect(fetched.json).toMatchObject({ exemptionStatus: 'PROCESSED', version: 2 });
    expect(await actionRows()).toContainEqual(
      expect.objectContaining({ event: 'Tilmeldt', actor: 'System', eventTag: 'DIGITAL_POST_REGISTERED' }),
    );
  });

  it('ends without registering a company closed in the meantime (control API)', async () => {
    await exempt({ cvrNumber: COMPANY });
    const closed = await control(simulator, 'PATCH', `/contacts/${COMPANY}`, {
      publicRegistrationStatus: 'CLOSED',
    });
    expect(closed.status, closed.text).toBe(200);
    await moveClock('2027-11-02T00:00:00Z');
    expect((await contactAsSenders(COMPANY)).mailboxSubscription.publicRegistrationStatus).toBe('CLOSED');
  });

  it('a renewal (PUT) starts it again today, and the old end date passes without registering it', async () => {
    const created = await exempt({ cvrNumber: COMPANY });
    await moveClock('2026-05-01T10:00:00Z');
    const renewed = await adminCall(simulator, 'PUT', `/exemptions/${created.id}`, {
      token,
      headers: { 'if-match': '"1"' },
      body: { cvrNumber: COMPANY, exemptByProxy: true },
    });
    expect(renewed.status, renewed.text).toBe(200);
    expect(renewed.headers.etag).toBe('"2"');
    expect(renewed.json).toMatchObject({ sendLettersReceivedFromDate: '2026-05-01', exemptByProxy: true });
    await moveClock('2027-12-01T10:00:00Z');
    expect((await contactAsSenders(COMPANY)).mailboxSubscription).toMatchObject({
      publicRegistrationStatus: 'EXEMPT',
      exemptionEnd: '2028-11-01',
    });
    expect(await actionRows()).toContainEqual(
      expect.objectContaining({ event: 'Redigeret', field: 'exemptionStart' }),
    );
  });
});

describe('GET and DELETE exemptions/{id}', () => {
  it('fetches an exemption with its ETag, and the look-up is in the search log', async () => {
    const created = await exempt({ cprNumber: CITIZEN, forwardToAddress: false });
    const fetched = await adminCall(simulator, 'GET', `/exemptions/${created.id}`, { token });
    expect(fetched.status).toBe(200);
    expect(fetched.headers.etag).toBe('"1"');
    expect(fetched.json).toEqual(created);
    expect(await searchRows()).toContainEqual(
      expect.objectContaining({ cprCvr: CITIZEN, operation: 'fetchExemption' }),
    );
  });

  it('lifts an exemption: the citizen is registered again at once (Tilmeldt), the exemption gone', async () => {
    const created = await exempt({ cprNumber: CITIZEN, forwardToAddress: false });
    const lifted = await adminCall(simulator, 'DELETE', `/exemptions/${created.id}`, {
      token,
      headers: { 'if-match': '"1"' },
    });
    expect(lifted.status, lifted.text).toBe(204);
    expect((await contactAsSenders(CITIZEN)).mailboxSubscription).toMatchObject({
      publicRegistrationStatus: 'REGISTERED',
      registrationStatus: 'AUTOMATIC_REGISTRATION',
    });
    expectErrorMessage(
      await adminCall(simulator, 'GET', `/exemptions/${created.id}`, { token }),
      404,
      'NOT_FOUND',
    );
    expect(await actionRows()).toContainEqual(
      expect.objectContaining({ event: 'Tilmeldt', cprCvr: CITIZEN }),
    );
  });
});

describe('refusals', () => {
  const bodies: [string, Record<string, unknown>, string, string][] = [
    ['no number', { forwardToAddress: false }, 'cprNumber', 'REQUIRED'],
    ['both numbers', { cprNumber: CITIZEN, cvrNumber: COMPANY }, 'cvrNumber', 'NOT_ALLOWED_VALUE'],
    ['a malformed CVR number', { cvrNumber: '1234' }, 'cvrNumber', 'INVALID_FORMAT'],
    [
      'an unknown reason',
      { cprNumber: CITIZEN, exemptionReason: 'BORED' },
      'exemptionReason',
      'NOT_ALLOWED_VALUE',
    ],
    [
      'a reason for a company',
      { cvrNumber: COMPANY, exemptionReason: 'EXEMPT_OTHER_REASON' },
      'exemptionReason',
      'NOT_ALLOWED_VALUE',
    ],
    ['forwarding without an address for a citizen', { cprNumber: CITIZEN }, 'recipient', 'REQUIRED'],
    [
      'an address without a country',
      { cprNumber: CITIZEN, recipient: { name: 'X', address1Text: 'Y' } },
      'recipient.countryCode',
      'REQUIRED',
    ],
    [
      'a flag that is not a boolean',
      { cprNumber: CITIZEN, forwardToAddress: 'ja' },
      'forwardToAddress',
      'INVALID_FORMAT',
    ],
    ['an unknown field', { cprNumber: CITIZEN, reason: 'x' }, 'reason', 'UNKNOWN_FIELD'],
    ['a number nobody has', { cvrNumber: '99999999' }, 'cvrNumber', 'NOT_FOUND'],
    [
      'a closed citizen',
      { cprNumber: '0101700003', forwardToAddress: false },
      'cprNumber',
      'NOT_ALLOWED_VALUE',
    ],
  ];
  it.each(bodies)('400 for %s, naming the field', async (_name, body, field, code) => {
    const response = await adminCall(simulator, 'POST', '/exemptions/', { token, body });
    const error = expectErrorMessage(response, 400, code);
    expect(error.fieldErrors?.map((each) => each.field)).toContain(field);
  });

  it('never shows a whole CPR number, not even a malformed or unknown one', async () => {
    for (const cprNumber of ['3101991234', '310199-12345', '3101991234x']) {
      const response = await adminCall(simulator, 'POST', '/exemptions/', {
        token,
        body: { cprNumber, forwardToAddress: false },
      });
      expect(response.status).toBe(400);
      expect(response.text).not.toMatch(/3101991234|99-1234/);
    }
  });

  it('409 ALREADY_EXEMPT for a citizen exempt already', async () => {
    const response = await adminCall(simulator, 'POST', '/exemptions/', {
      token,
      body: { cprNumber: '0101700002', forwardToAddress: false },
    });
    expectErrorMessage(response, 409, 'ALREADY_EXEMPT');
  });

  it("403 for a business service employee's citizen exemption; companies are theirs", async () => {
    const clerk = await createEmployee(simulator, token, 'erhverv', [
      'DANISH_BUSINESS_AUTHORITY_SERVICE_EMPLOYEE',
    ]);
    const business = await login(simulator, clerk);
    const citizen = await adminCall(simulator, 'POST', '/exemptions/', {
      token: business,
      body: { cprNumber: CITIZEN, forwardToAddress: false },
    });
    expectErrorMessage(citizen, 403, 'RIGHT_MISSING');
    const company = await exempt({ cvrNumber: COMPANY }, simulator, business);
    expect(company.cvrNumber).toBe(COMPANY);
    const ours = await exempt({ cprNumber: CITIZEN, forwardToAddress: false });
    expectErrorMessage(
      await adminCall(simulator, 'GET', `/exemptions/${ours.id}`, { token: business }),
      403,
      'RIGHT_MISSING',
    );
  });

  it('403 AUTHORITY_ONLY in a company context', async () => {
    const companyToken = await seededToken(simulator, SEED_IDS.companyWithSystem);
    const response = await adminCall(simulator, 'POST', '/exemptions/', {
      token: companyToken,
      body: { cvrNumber: COMPANY },
    });
    expectErrorMessage(response, 403, 'AUTHORITY_ONLY');
  });

  it('404 for an unknown exemption', async () => {
    const unknown = '00000000-0000-4000-8000-000000000000';
    expectErrorMessage(
      await adminCall(simulator, 'GET', `/exemptions/${unknown}`, { token }),
      404,
      'NOT_FOUND',
    );
    expectErrorMessage(await adminCall(simulator, 'GET', '/exemptions/nope', { token }), 404, 'NOT_FOUND');
  });

  it('versions: a stale If-Match is 409 VERSION_CONFLICT, none at all is refused', async () => {
    const created = await exempt({ cvrNumber: COMPANY });
    const put = (headers: Record<string, string>): Promise<ApiResponse> =>
      adminCall(simulator, 'PUT', `/exemptions/${created.id}`, {
        token,
        headers,
        body: { cvrNumber: COMPANY },
      });
    expectErrorMessage(await put({ 'if-match': '"7"' }), 409, 'VERSION_CONFLICT');
    expect((await put({})).status).toBe(400);
    expectErrorMessage(
      await adminCall(simulator, 'DELETE', `/exemptions/${created.id}`, {
        token,
        headers: { 'if-match': '"7"' },
      }),
      409,
      'VERSION_CONFLICT',
    );
  });

  it('400 when a PUT names another party than the exemption', async () => {
    const created = await exempt({ cvrNumber: COMPANY });
    const response = await adminCall(simulator, 'PUT', `/exemptions/${created.id}`, {
      token,
      headers: { 'if-match': '"1"' },
      body: { cvrNumber: '11223344' },
    });
    expectErrorMessage(response, 400, 'NOT_ALLOWED_VALUE');
  });

  it('409 NOT_EXEMPT to renew or lift an exemption that has ended', async () => {
    const created = await exempt({ cvrNumber: COMPANY });
    await moveClock('2028-01-01T00:00:00Z');
    const headers = { 'if-match': '"2"' };
    expectErrorMessage(
      await adminCall(simulator, 'DELETE', `/exemptions/${created.id}`, { token, headers }),
      409,
      'NOT_EXEMPT',
    );
    expectErrorMessage(
      await adminCall(simulator, 'PUT', `/exemptions/${created.id}`, {
        token,
        headers,
        body: { cvrNumber: COMPANY },
      }),
      409,
      'NOT_EXEMPT',
    );
  });
});

describe('with a data directory (SQLite)', () => {
  it("keeps an exemption and its end across a restart: the company's exemption still ends", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'dp-exemptions-'));
    try {
      let restarted = await startTestSimulator({ dataDir });
      await setClock(restarted, '2025-03-10T10:00:00Z');
      const created = await exempt(
        { cvrNumber: COMPANY },
        restarted,
        await seededToken(restarted, AUTHORITY),
      );
      await restarted.stop();
      restarted = await startTestSimulator({ dataDir });
      try {
        const again = await seededToken(restarted, AUTHORITY);
        const fetched = await adminCall(restarted, 'GET', `/exemptions/${created.id}`, { token: again });
        expect(fetched.json).toMatchObject({ cvrNumber: COMPANY, exemptionStatus: 'CREATED' });
        await setClock(restarted, '2027-11-02T00:00:00Z');
        expect(
          (await contactAsSenders(COMPANY, restarted)).mailboxSubscription.publicRegistrationStatus,
        ).toBe('REGISTERED');
      } finally {
        await restarted.stop();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
