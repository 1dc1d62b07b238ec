/**
 * Test helpers for the AdminClient (`digitalpost/admin`) against a real in-process simulator.
 */
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { AdminClient } from '../../sdk/admin/client.ts';
import type { RunningSimulator } from '../../simulator/index.ts';
import { seededEmployee } from './admin.ts';
import { resetSimulator, SEED_IDS, startTestSimulator } from './simulator.ts';

/** Everything an async iterable yields (a `for await` list), in order. */
export async function all<T>(items: AsyncIterable<T>): Promise<T[]> {
  const found: T[] = [];
  for await (const item of items) found.push(item);
  return found;
}

/**
 * The hooks of an AdminClient test file: one simulator for the file, reset before each test, and a
 * client logged in as the seeded employee of `organisationId` (every right there); `ready` gets
 * both before each test, and may prepare more.
 */
export function adminClientHooks(
  ready: (simulator: RunningSimulator, admin: AdminClient) => void | Promise<void>,
  organisationId: string = SEED_IDS.authority,
): void {
  let simulator: RunningSimulator | undefined;
  beforeAll(async () => {
    simulator = await startTestSimulator();
  });
  afterAll(() => simulator?.stop());
  beforeEach(async () => {
    const started = simulator as RunningSimulator;
    await resetSimulator(started);
    const admin = await AdminClient.login(
      { baseUrl: started.apiUrl },
      seededEmployee(started, organisationId),
    );
    await ready(started, admin);
  });
}
