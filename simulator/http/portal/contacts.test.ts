/**
 * The test portal's list and deletion of test citizens and companies (`GET /portal/v1/citizens`,
 * `/companies`; `DELETE /portal/v1/citizens/{cprNumber}`, `/companies/{cvrNumber}`; docs/admin.md,
 * "The test portal"), over real HTTP against both stores: a deleted number is as one never
 * registered, the mail already in its mailbox stays, and a reset brings the seeded ones back.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { portal, seededToken, senderContact } from '../../../test/support/admin.ts';
import {
  control,
  expectErrorMessage,
  keyOf,
  letterTo,
  mailbox,
  receiptFor,
  resetSimulator,
  SEED_IDS,
  sendMemo,
  startTestSimulator,
} from '../../../test/support/simulator.ts';
import type { RunningSimulator } from '../../index.ts';

const AUTHORITY = SEED_IDS.authority;

interface ContactList {
  page: number;
  size: number;
  totalElements: number;
  totalPages: number;
  citizens?: Array<{ cprNumber: string; type: string }>;
  companies?: Array<{ cvrNumber: string; type: string }>;
}

const cprNumbers = (json: unknown): string[] =>
  ((json as ContactList).citizens ?? []).map((contact) => contact.cprNumber);

describe.each([
  ['memory', false],
  ['SQLite', true],
])('the test portal’s citizens and companies (%s store)', (_store, sqlite) => {
  let simulator: RunningSimulator;
  let dataDir: string | undefined;
  let token: string;

  beforeAll(async () => {
    dataDir = sqlite ? mkdtempSync(join(tmpdir(), 'dp-portal-contacts-')) : undefined;
    simulator = await startTestSimulator(dataDir === undefined ? {} : { dataDir });
  });
  afterAll(async () => {
    await simulator.stop();
    if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    await resetSimulator(simulator);
    token = await seededToken(simulator, AUTHORITY);
  });

  describe('GET /portal/v1/citizens and /companies', () => {
    it('lists the seeded citizens (the magic identities) and those the portal made, by page', async () => {
      await portal(simulator, 'POST', '/citizens', { cprNumber: '0202801234' }, token);
      const all = await portal(simulator, 'GET', '/citizens', undefined, token);

      expect(all.status, all.text).toBe(200);
      expect(cprNumbers(all.json)).toEqual(
        expect.arrayContaining(['0101700001', '0101700002', '0202801234']),
      );
      const { totalElements } = all.json as ContactList;
      expect(totalElements).toBe(cprNumbers(all.json).length);

      const second = await portal(simulator, 'GET', '/citizens?page=1&size=2', undefined, token);
      expect(second.json).toMatchObject({
        page: 1,
        size: 2,
        totalElements,
        totalPages: Math.ceil(totalElements / 2),
      });
      expect(cprNumbers(second.json)).toEqual(cprNumbers(all.json).slice(2, 4));
    });

    it('lists companies only under /companies', async () => {
      await portal(simulator, 'POST', '/companies', { cvrNumber: '55667788' }, token);
      const response = await portal(simulator, 'GET', '/companies', undefined, token);

      expect(response.status, response.text).toBe(200);
      const { companies } = response.json as ContactList;
      expect(companies?.map((company) => company.cvrNumber)).toContain('55667788');
      expect(new Set(companies?.map((company) => company.type))).toEqual(new Set(['COMPANY']));
    });

    it('needs a login (401) and refuses a bad page size (400 with fieldErrors)', async () => {
      expectErrorMessage(await portal(simulator, 'GET', '/citizens'), 401, 'UNAUTHENTICATED');
      const body = expectErrorMessage(
        await portal(simulator, 'GET', '/companies?size=0', undefined, token),
        400,
        'INVALID_PARAMETER',
      );
      expect(body.fieldErrors[0]).toMatchObject({ field: 'size' });
    });
  });

  describe('DELETE /portal/v1/citizens/{cprNumber} and /companies/{cvrNumber}', () => {
    it('deletes a citizen: unknown from then on, its mail kept, an action-log row written', async () => {
      const key = keyOf(simulator, SEED_IDS.senderPull);
      const before = await letterTo({ cpr: '0101700001' });
      expect((await sendMemo(simulator, key, before)).status).toBe(201);
      await simulator.settle();

      const deleted = await portal(simulator, 'DELETE', '/citizens/0101700001', undefined, token);

      expect(deleted.status, deleted.text).toBe(204);
      expect(cprNumbers((await portal(simulator, 'GET', '/citizens', undefined, token)).json)).not.toContain(
        '0101700001',
      );
      expect(
        (await senderContact(simulator, '0101700001')).mailboxSubscription.publicRegistrationStatus,
      ).toBe('UNKNOWN');
      expect(await mailbox(simulator, '0101700001')).toHaveLength(1);
      const after = await letterTo({ cpr: '0101700001' });
      expect((await sendMemo(simulator, key, after)).status).toBe(201);
      await simulator.settle();
      expect(await receiptFor(simulator, key, after.messageHeader.messageUUID)).toMatchObject({
        receiptStatus: 'NOT_ALLOWED',
        errorCode: 'RECIPIENT_UNKNOWN',
      });
      const log = JSON.stringify((await control(simulator, 'GET', `/action-log/${AUTHORITY}`)).json);
      expect(log).toContain('Testborger');
      expect(log).toContain('Slettet');
    });

    it('deletes a company; a reset brings the seeded citizens back', async () => {
      await portal(simulator, 'POST', '/companies', { cvrNumber: '55667788' }, token);
      expect((await portal(simulator, 'DELETE', '/companies/55667788', undefined, token)).status).toBe(204);
      expect((await portal(simulator, 'DELETE', '/citizens/0101700002', undefined, token)).status).toBe(204);

      expectErrorMessage(
        await portal(simulator, 'DELETE', '/companies/55667788', undefined, token),
        404,
        'NOT_FOUND',
      );
      await resetSimulator(simulator);
      const again = await seededToken(simulator, AUTHORITY);
      expect(cprNumbers((await portal(simulator, 'GET', '/citizens', undefined, again)).json)).toContain(
        '0101700002',
      );
    });

    it('answers 404 for a number not registered, 400 with fieldErrors for a malformed one — never the whole CPR number', async () => {
      const unknown = expectErrorMessage(
        await portal(simulator, 'DELETE', '/citizens/3112999999', undefined, token),
        404,
        'NOT_FOUND',
      );
      expect(unknown.message).toContain('311299****');
      const malformed = expectErrorMessage(
        await portal(simulator, 'DELETE', '/citizens/31129999990', undefined, token),
        400,
        'INVALID_FORMAT',
      );
      expect(malformed.fieldErrors[0]).toMatchObject({ field: 'cprNumber' });
      expect(JSON.stringify(malformed)).not.toContain('3112999999');
      expectErrorMessage(
        await portal(simulator, 'DELETE', '/companies/1234', undefined, token),
        400,
        'INVALID_FORMAT',
      );
      expectErrorMessage(await portal(simulator, 'DELETE', '/citizens/0101700001'), 401, 'UNAUTHENTICATED');
    });
  });
});

describe('a deleted test citizen with a data directory (SQLite)', () => {
  it('stays deleted across a restart', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'dp-portal-contacts-'));
    try {
      let simulator = await startTestSimulator({ dataDir });
      const token = await seededToken(simulator, AUTHORITY);
      expect((await portal(simulator, 'DELETE', '/citizens/0101700003', undefined, token)).status).toBe(204);
      await simulator.stop();
      simulator = await startTestSimulator({ dataDir });
      try {
        const again = await seededToken(simulator, AUTHORITY);
        const listed = await portal(simulator, 'GET', '/citizens', undefined, again);

        expect(cprNumbers(listed.json)).not.toContain('0101700003');
        expect(cprNumbers(listed.json)).toContain('0101700001');
      } finally {
        await simulator.stop();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
