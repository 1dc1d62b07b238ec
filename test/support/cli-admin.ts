/**
 * The hooks of a CLI test file for the administration commands: one simulator for the file, reset
 * before each test, and `digitalpost login` as the seeded employee of the authority, its token kept
 * in a fresh config folder (removed after the test).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { loggedIn } from '../../cli/test-support.ts';
import type { RunningSimulator } from '../../simulator/index.ts';
import { seededEmployee } from './admin.ts';
import { resetSimulator, SEED_IDS, startTestSimulator } from './simulator.ts';

/** What a test of the administration commands runs with. */
export interface CliLogin {
  simulator: RunningSimulator;
  /** The `XDG_CONFIG_HOME` the login's token is kept under. */
  config: string;
  /** The environment of later runs (the config folder). */
  env: Record<string, string>;
}

/** Registers the hooks; `ready` gets the simulator, config folder and environment before each test. */
export function cliLoginHooks(prefix: string, ready: (login: CliLogin) => void): void {
  let simulator: RunningSimulator | undefined;
  beforeAll(async () => {
    simulator = await startTestSimulator();
  });
  afterAll(() => simulator?.stop());
  beforeEach(async () => {
    const started = simulator as RunningSimulator;
    await resetSimulator(started);
    const config = await mkdtemp(join(tmpdir(), prefix));
    const env = await loggedIn(started.apiUrl, config, seededEmployee(started, SEED_IDS.authority));
    ready({ simulator: started, config, env });
    return () => rm(config, { recursive: true, force: true });
  });
}
