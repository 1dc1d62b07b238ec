/**
 * The test portal's list and deletion of test employees (`GET /portal/v1/employees`, `DELETE
 * /portal/v1/employees/{username}`; docs/admin.md, "The test portal"), over real HTTP: by the
 * rights administrator only, within its own organisation, and a deleted employee's logins end.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createEmployee, login, portal, seededToken } from '../../../test/support/admin.ts';
import {
  control,
  expectErrorMessage,
  resetSimulator,
  SEED_IDS,
  startTestSimulator,
} from '../../../test/support/simulator.ts';
import type { RunningSimulator } from '../../index.ts';

let simulator: RunningSimulator;
let token: string;
const AUTHORITY = SEED_IDS.authority;

beforeAll(async () => {
  simulator = await startTestSimulator();
});
afterAll(() => simulator.stop());
beforeEach(async () => {
  await resetSimulator(simulator);
  token = await seededToken(simulator, AUTHORITY);
});

const usernames = (json: unknown): string[] =>
  (json as { employees: Array<{ username: string }> }).employees.map((employee) => employee.username);

describe('GET /portal/v1/employees', () => {
  it("lists the organisation's employees and those given rights in it, by username, without passwords", async () => {
    await createEmployee(simulator, token, 'zara', ['DP Admin']);
    await createEmployee(simulator, token, 'anna', ['CONTACT_ADMINISTRATOR']);
    const response = await portal(simulator, 'GET', '/employees', undefined, token);

    expect(response.status, response.text).toBe(200);
    expect(usernames(response.json)).toEqual(['admin-12345678', 'anna', 'zara']);
    expect(response.text).not.toMatch(/password|scrypt/i);
  });

  it('needs the rights administrator (403 RIGHT_MISSING)', async () => {
    const other = await createEmployee(simulator, token, 'jens', ['DP Admin']);
    const response = await portal(simulator, 'GET', '/employees', undefined, await login(simulator, other));

    expectErrorMessage(response, 403, 'RIGHT_MISSING');
  });
});

describe('DELETE /portal/v1/employees/{username}', () => {
  it('deletes the employee, whose tokens stop working, and writes the action log', async () => {
    const jens = await createEmployee(simulator, token, 'jens', ['DP Admin']);
    const jensToken = await login(simulator, jens);
    const deleted = await portal(simulator, 'DELETE', '/employees/jens', undefined, token);

    expect(deleted.status, deleted.text).toBe(204);
    expectErrorMessage(
      await portal(simulator, 'GET', '/contexts', undefined, jensToken),
      401,
      'UNAUTHENTICATED',
    );
    expectErrorMessage(await portal(simulator, 'POST', '/login', jens), 401, 'LOGIN_FAILED');
    const log = await control(simulator, 'GET', `/action-log/${AUTHORITY}`);
    expect(JSON.stringify(log.json)).toContain('Slettet');
  });

  it('refuses an unknown username and an employee of another organisation alike (404)', async () => {
    expectErrorMessage(
      await portal(simulator, 'DELETE', '/employees/nobody', undefined, token),
      404,
      'NOT_FOUND',
    );
    expectErrorMessage(
      await portal(simulator, 'DELETE', '/employees/admin-87654321', undefined, token),
      404,
      'NOT_FOUND',
    );
  });

  it('refuses the employee deleting itself (409 OWN_LOGIN)', async () => {
    expectErrorMessage(
      await portal(simulator, 'DELETE', '/employees/admin-12345678', undefined, token),
      409,
      'OWN_LOGIN',
    );
  });
});
