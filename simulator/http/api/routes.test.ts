/**
 * Every path of NgDP's API against the simulator's router, over HTTP: a served operation reaches
 * its own route (the transcript names it), one the simulator does not serve answers 501 naming it,
 * a method the path does not have answers 405 with `Allow` — no route shadows another — and
 * `GET /simulator/v1/operations` lists them all, saying which are served.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sectionOf, tableRows } from '../../../scripts/docs-sections.ts';
import { coverageTable, DIFFERENCES } from '../../../scripts/ngdp-operations.ts';
import { NGDP_OPERATIONS, type NgdpOperation, operationName } from '../../../sdk/ngdp/operations.ts';
import { samplePath } from '../../../test/support/ngdp-paths.ts';
import {
  type ApiResponse,
  addFault,
  call,
  control,
  expectErrorMessage,
  keyOf,
  SEED_IDS,
  startTestSimulator,
  transcript,
} from '../../../test/support/simulator.ts';
import type { RunningSimulator } from '../../index.ts';
import { isServed, SERVED_OPERATIONS } from './operations.ts';

let simulator: RunningSimulator;
let apiKey: string;

beforeAll(async () => {
  simulator = await startTestSimulator();
  apiKey = keyOf(simulator, SEED_IDS.senderPull);
});

afterAll(async () => {
  await simulator.stop();
});

/** `operation` called on a sample path by the seeded system `systemId`. */
function callAs(operation: NgdpOperation, systemId: string): Promise<ApiResponse> {
  const hasBody = operation.method !== 'GET' && operation.method !== 'DELETE';
  return call(`${simulator.apiUrl}${samplePath(operation.path)}`, {
    method: operation.method,
    apiKey: keyOf(simulator, systemId),
    ...(hasBody ? { body: '{}', contentType: 'application/json' } : {}),
  });
}

describe("every operation of NgDP's API", () => {
  it('that the simulator serves reaches its own route: a fault rule for it, and only it, answers', async () => {
    for (const operation of NGDP_OPERATIONS.filter((each) => isServed(each.operationId))) {
      const what = operationName(operation);
      await addFault(simulator, { operation: what, status: 599 });
      // A sender's call to a recipient's operation is refused before fault rules: then as a recipient.
      let response = await callAs(operation, SEED_IDS.senderPull);
      if (response.status === 403) response = await callAs(operation, SEED_IDS.authorityRecipient);
      expectErrorMessage(response, 599, 'INJECTED_FAULT');
      expect((response.json as { message: string }).message, what).toContain(what);
      await control(simulator, 'DELETE', '/faults');
    }
  });

  it('that the simulator does not serve answers 501 naming it, and is noted under its name', async () => {
    for (const operation of NGDP_OPERATIONS.filter((each) => !isServed(each.operationId))) {
      const what = operationName(operation);
      const { next } = await transcript(simulator);
      const response = await callAs(operation, SEED_IDS.senderPull);
      const body = expectErrorMessage(response, 501, 'NOT_SERVED');
      expect(body.message, what).toContain(operation.operationId);
      expect((await transcript(simulator, { after: next })).entries.map((entry) => entry.operation)).toEqual([
        what,
      ]);
    }
  });

  it('answers 400 for a malformed message or receipt id, where NgDP declares 400 (not 404)', async () => {
    const withId = ['fetchMemo', 'deleteMemo', 'createReceipt', 'fetchReceipt', 'deleteReceipt'];
    for (const operation of NGDP_OPERATIONS.filter((each) => withId.includes(each.operationId))) {
      let response = await callAs(operation, SEED_IDS.senderPull);
      if (response.status === 403) response = await callAs(operation, SEED_IDS.authorityRecipient);
      const body = expectErrorMessage(response, 400, 'INVALID_FORMAT');
      expect(body.fieldErrors, operationName(operation)).toMatchObject([
        { resource: 'path', field: 'id', rejectedValue: 'sample-id' },
      ]);
    }
  });

  it('answers a method its path does not have with 405 and the methods it has', async () => {
    const response = await call(`${simulator.apiUrl}/memos/some-id`, { method: 'PATCH', apiKey });
    expectErrorMessage(response, 405, 'METHOD_NOT_ALLOWED');
    expect(response.headers.allow).toBe('GET, HEAD, DELETE');
  });

  it('answers a path outside the API with 404', async () => {
    expectErrorMessage(await call(`${simulator.apiUrl}/no-such-thing/`, { apiKey }), 404, 'NOT_FOUND');
  });
});

describe('GET /simulator/v1/operations', () => {
  it("lists every operation of NgDP's API by name, with whether the simulator serves it", async () => {
    const response = await control(simulator, 'GET', '/operations');
    expect(response.status).toBe(200);
    const body = response.json as {
      apiVersion: string;
      operations: { method: string; path: string; operationId: string; name: string; served: boolean }[];
    };
    expect(body.apiVersion).toBe('1.68.0');
    expect(body.operations).toHaveLength(NGDP_OPERATIONS.length);
    expect(
      body.operations
        .filter((operation) => operation.served)
        .map((operation) => operation.operationId)
        .sort(),
    ).toEqual([...SERVED_OPERATIONS].sort());
    expect(body.operations).toContainEqual({
      method: 'PUT',
      path: '/contacts/{contactId}/verifications/{id}',
      operationId: 'verifyContactSubscription',
      name: 'PUT /contacts/{contactId}/verifications/{id}',
      served: false,
    });
  });
});

describe('docs/differences.md', () => {
  it('shows the coverage table as the code has it (node scripts/ngdp-operations.ts)', () => {
    const page = readFileSync(DIFFERENCES, 'utf8');
    expect(tableRows(sectionOf(page, 'ngdp-coverage'))).toEqual(tableRows(coverageTable()));
  });
});
