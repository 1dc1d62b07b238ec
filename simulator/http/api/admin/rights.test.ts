/**
 * The rights matrix over real HTTP (admin.md §0.1): for every admin operation the simulator serves
 * and every right, an employee holding only that right gets past the right check exactly when the
 * rights table (`domain/admin-rights.ts`) says the right opens the operation — 403 RIGHT_MISSING
 * otherwise — and an authorities-only operation is 403 AUTHORITY_ONLY in a company's context. The
 * walk is over the table's data: each family served later joins it by itself.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ngdpOperation } from '../../../../sdk/ngdp/operations.ts';
import { adminCall, createEmployee, login, seededToken } from '../../../../test/support/admin.ts';
import { SEED_IDS, startTestSimulator } from '../../../../test/support/simulator.ts';
import { ADMIN_OPERATIONS, ADMIN_RIGHTS, type AdminRight } from '../../../domain/admin-rights.ts';
import type { RunningSimulator } from '../../../index.ts';
import { SERVED_ADMIN_OPERATIONS } from './served.ts';

let simulator: RunningSimulator;
/** A token per right, of an employee of the seeded authority holding only that right. */
const tokens = new Map<AdminRight, string>();

beforeAll(async () => {
  simulator = await startTestSimulator();
  const admin = await seededToken(simulator, SEED_IDS.authority);
  for (const right of ADMIN_RIGHTS) {
    const employee = await createEmployee(
      simulator,
      admin,
      `only-${right.toLowerCase().replaceAll('_', '-')}`,
      [right],
    );
    tokens.set(right, await login(simulator, employee));
  }
});

afterAll(async () => {
  await simulator.stop();
});

/**
 * The operation's path in `organisationId` (`{organisationId}`, or the `{id}` of
 * `organisations/{id}`), other parameters given values that name nothing.
 */
function pathOf(template: string, organisationId: string): string {
  return template
    .replace('{organisationId}', organisationId)
    .replace(/^\/?organisations\/\{id\}/, (found) => found.replace('{id}', organisationId))
    .replace('{id}', '00000000-0000-4000-8000-000000000000')
    .replace(/\{[^}]+\}/g, 'REST_PULL');
}

describe('each right opens exactly its operations', () => {
  for (const operationId of SERVED_ADMIN_OPERATIONS) {
    const { method, path } = ngdpOperation(operationId);
    const opens: readonly AdminRight[] = ADMIN_OPERATIONS[operationId].rights;
    it(`${method} ${path} (${operationId}): ${opens.join(', ')}`, async () => {
      for (const right of ADMIN_RIGHTS) {
        const response = await adminCall(simulator, method, pathOf(path, SEED_IDS.authority), {
          token: tokens.get(right) as string,
          ...(method === 'POST' || method === 'PUT' ? { body: {} } : {}),
          headers: { 'if-match': '1' },
        });
        const code = (response.json as { code?: string } | undefined)?.code;
        if (opens.includes(right))
          expect(String(code), `${right}: ${response.text}`).not.toMatch(/^(RIGHT_MISSING|AUTHORITY_ONLY)$/);
        else expect([response.status, code], right).toEqual([403, 'RIGHT_MISSING']);
      }
    });
  }
});

describe('authorities-only operations', () => {
  const authorityOnly = SERVED_ADMIN_OPERATIONS.filter((id) => ADMIN_OPERATIONS[id].authorityOnly);
  it(`are 403 AUTHORITY_ONLY in a company's context: ${authorityOnly.join(', ') || 'none served yet'}`, async () => {
    const token = await seededToken(simulator, SEED_IDS.companyWithSystem);
    for (const operationId of authorityOnly) {
      const { method, path } = ngdpOperation(operationId);
      const response = await adminCall(simulator, method, pathOf(path, SEED_IDS.companyWithSystem), {
        token,
      });
      expect(response.json, operationId).toMatchObject({ code: 'AUTHORITY_ONLY' });
    }
  });
});
