/**
 * The simulator answers every call of NgDP's API with `X-Request-ID` (docs/differences.md): the
 * caller's own when it can be repeated, else a new UUID.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { isUuid } from '../../sdk/ngdp/identifiers.ts';
import { call, keyOf, SEED_IDS, startTestSimulator } from '../../test/support/simulator.ts';
import type { RunningSimulator } from '../index.ts';

let simulator: RunningSimulator;
let apiKey: string;

beforeAll(async () => {
  simulator = await startTestSimulator();
  apiKey = keyOf(simulator, SEED_IDS.senderPull);
});
afterAll(() => simulator.stop());

const contacts = (headers: Record<string, string> = {}, key: string | undefined = apiKey) =>
  call(`${simulator.apiUrl}/contacts/?cvrNumber=87654321`, { apiKey: key, headers });

describe('X-Request-ID in the answers of NgDP’s API', () => {
  test('repeats the caller’s id', async () => {
    const answer = await contacts({ 'x-request-id': 'batch-7:letter.12' });
    expect(answer.headers['x-request-id']).toBe('batch-7:letter.12');
  });

  test('gives a new UUID to a call that sent none', async () => {
    const answer = await contacts();
    expect(isUuid(answer.headers['x-request-id'])).toBe(true);
  });

  test.each([['a b'], ['x'.repeat(129)], ['<script>']])(
    'gives a new UUID instead of repeating %j',
    async (sent) => {
      const answer = await contacts({ 'x-request-id': sent });
      expect(isUuid(answer.headers['x-request-id'])).toBe(true);
    },
  );

  test('is on refusals too', async () => {
    const answer = await contacts({ 'x-request-id': 'refused-1' }, 'not-a-key');
    expect(answer.status).toBe(401);
    expect(answer.headers['x-request-id']).toBe('refused-1');
  });
});
