/**
 * An employee's look-ups over real HTTP (docs/admin.md, "Look-ups"): a citizen by CPR number at
 * `citizen-lookup/`, a company by CVR number at `organisation-lookup/{cvrNumber}`, NgDP's DTOs; each
 * look-up, found or not, writes a search-log row; a malformed number is 400 and never shown whole.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { adminCall, seededToken } from '../../../../test/support/admin.ts';
import {
  control,
  expectErrorMessage,
  resetSimulator,
  SEED_IDS,
  startTestSimulator,
} from '../../../../test/support/simulator.ts';
import type { RunningSimulator } from '../../../index.ts';

const AUTHORITY = SEED_IDS.authority;
let simulator: RunningSimulator;
let token: string;

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

const searchLog = async () =>
  (
    (await control(simulator, 'GET', `/search-log/${AUTHORITY}`)).json as {
      rows: { cprCvr: string; results: number; eventTag: string; operation: string; actor: string }[];
    }
  ).rows;

describe('GET citizen-lookup/', () => {
  it('finds a citizen by CPR number and writes a search-log row', async () => {
    const response = await adminCall(simulator, 'GET', '/citizen-lookup/?cprNumber=0101700001', { token });
    expect(response.status, response.text).toBe(200);
    expect(response.json).toEqual({ identityId: expect.any(String), name: 'Test Borger Et', closed: false });
    expect(await searchLog()).toEqual([
      expect.objectContaining({
        cprCvr: '0101700001',
        results: 1,
        eventTag: 'CPR_LOOKED_UP',
        operation: 'lookupCitizen',
        actor: 'CVR:12345678-RID:10000001',
      }),
    ]);
  });

  it('shows a closed mailbox as closed', async () => {
    const response = await adminCall(simulator, 'GET', '/citizen-lookup/?cprNumber=0101700003', { token });
    expect(response.json).toMatchObject({ closed: true });
  });

  it('checks the names given against the citizen', async () => {
    const path = '/citizen-lookup/?cprNumber=0101700001&firstNameProvided=test%20borger';
    expect((await adminCall(simulator, 'GET', `${path}&lastNameProvided=Et`, { token })).json).toMatchObject({
      name: 'Test Borger Et',
    });
    expect((await adminCall(simulator, 'GET', `${path}&lastNameProvided=To`, { token })).json).toEqual({});
  });

  it('answers an unknown CPR number with an empty result, and still logs the search', async () => {
    const response = await adminCall(simulator, 'GET', '/citizen-lookup/?cprNumber=3112999999', { token });
    expect(response.status).toBe(200);
    expect(response.json).toEqual({});
    expect(await searchLog()).toEqual([expect.objectContaining({ cprCvr: '3112999999', results: 0 })]);
  });

  it.each([
    ['a malformed CPR number', '?cprNumber=010170-0001', 'INVALID_PARAMETER'],
    ['a CPR number with a letter after it', '?cprNumber=0101700001x', 'INVALID_PARAMETER'],
    ['a CPR number with a digit too many', '?cprNumber=01017000011', 'INVALID_PARAMETER'],
    ['no CPR number', '', 'REQUIRED'],
  ])('refuses %s with 400, never showing the number whole', async (_, query, code) => {
    const response = await adminCall(simulator, 'GET', `/citizen-lookup/${query}`, { token });
    expectErrorMessage(response, 400, code);
    expect(response.json).toMatchObject({ fieldErrors: [expect.objectContaining({ field: 'cprNumber' })] });
    expect(response.text).not.toContain('0101700001');
    expect(response.text).not.toContain('-0001');
    expect(await searchLog()).toEqual([]);
  });

  it("is refused in a company's context (403 AUTHORITY_ONLY)", async () => {
    const company = await seededToken(simulator, SEED_IDS.companyWithSystem);
    expectErrorMessage(
      await adminCall(simulator, 'GET', '/citizen-lookup/?cprNumber=0101700001', { token: company }),
      403,
      'AUTHORITY_ONLY',
    );
  });
});

describe('GET organisation-lookup/{cvrNumber}', () => {
  it('finds an organisation by CVR number and writes a search-log row', async () => {
    const response = await adminCall(simulator, 'GET', '/organisation-lookup/87654321', { token });
    expect(response.status, response.text).toBe(200);
    expect(response.json).toEqual({
      organisationId: SEED_IDS.companyWithSystem,
      organisationName: 'Testfirma ApS',
      activeCurator: false,
      activeExecutor: false,
      activeLiquidator: false,
      status: 'ACTIVE',
    });
    expect(await searchLog()).toEqual([
      expect.objectContaining({ cprCvr: '87654321', results: 1, eventTag: 'CVR_LOOKED_UP' }),
    ]);
  });

  it('answers an unknown CVR number with 404, and still logs the search', async () => {
    expectErrorMessage(
      await adminCall(simulator, 'GET', '/organisation-lookup/99999999', { token }),
      404,
      'NOT_FOUND',
    );
    expect(await searchLog()).toEqual([expect.objectContaining({ cprCvr: '99999999', results: 0 })]);
  });

  it('refuses a malformed CVR number with 400, masking a CPR number given in its place', async () => {
    const response = await adminCall(simulator, 'GET', '/organisation-lookup/0101700001', { token });
    expectErrorMessage(response, 400, 'INVALID_FORMAT');
    expect(response.json).toMatchObject({ fieldErrors: [expect.objectContaining({ field: 'cvrNumber' })] });
    expect(response.text).not.toContain('0101700001');
  });
});
