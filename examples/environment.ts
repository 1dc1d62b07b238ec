/**
 * How the examples find an NgDP when you run one directly (`node examples/<name>.ts`). This is not
 * part of what they show: their `main(...)` takes the client settings as an argument, and the tests
 * pass a simulator's.
 *
 * With DIGITALPOST_BASE_URL set, an example uses that NgDP — the test environment
 * (https://api.test.digitalpost.dk/apis/v1) or a simulator you started with `digitalpost sim start` —
 * as the system whose key you give:
 *
 *   DIGITALPOST_BASE_URL        NgDP's API base URL, …/apis/v1
 *   DIGITALPOST_API_KEY         the system's API key from Administrativ Adgang
 *   DIGITALPOST_PFX             the system's OCES3 certificate (.p12), for NgDP's mutual TLS
 *   DIGITALPOST_PFX_PASSPHRASE  its passphrase
 *
 * Without it, the example starts a simulator in its own process (default seed, real clock), acts as
 * the seeded system that fits (docs/simulator.md, "The default seed") and stops it at the end.
 */
import { readFileSync } from 'node:fs';
import type { ClientOptions } from 'digitalpost';
import { type RunningSimulator, type SimulatorOptions, startSimulator } from 'digitalpost/simulator';

/** Seeded systems of the simulator's default seed (docs/simulator.md). */
export const SEEDED_SYSTEMS = {
  /** Testkommune's sender system (CVR 12345678), business receipts by PULL. */
  sender: '20000000-0000-4000-8000-000000000001',
  /** Testfirma ApS's recipient system (CVR 87654321), MeMos by PULL unless switched to PUSH. */
  companyRecipient: '20000000-0000-4000-8000-000000000004',
  /** Testkommune's SFTP mass-sending system, SFTP user `testkommune` (register a key first). */
  sftpSender: '20000000-0000-4000-8000-000000000005',
} as const;

/** The API key of a seeded system. */
export function seededApiKey(simulator: RunningSimulator, systemId: string): string {
  const system = simulator.fixtures.systems.find((candidate) => candidate.id === systemId);
  if (system === undefined) throw new Error(`the simulator's seed has no system ${systemId}`);
  return system.apiKey;
}

/** Client settings from DIGITALPOST_* variables, or undefined when DIGITALPOST_BASE_URL is not set. */
export function clientFromEnvironment(env: NodeJS.ProcessEnv = process.env): ClientOptions | undefined {
  const baseUrl = env.DIGITALPOST_BASE_URL;
  if (baseUrl === undefined || baseUrl === '') return undefined;
  const apiKey = env.DIGITALPOST_API_KEY;
  if (apiKey === undefined || apiKey === '')
    throw new Error('DIGITALPOST_BASE_URL is set: set DIGITALPOST_API_KEY too');
  const pfx = env.DIGITALPOST_PFX;
  return {
    baseUrl,
    apiKey,
    ...(pfx
      ? {
          tls: {
            pfx: readFileSync(pfx),
            ...(env.DIGITALPOST_PFX_PASSPHRASE ? { passphrase: env.DIGITALPOST_PFX_PASSPHRASE } : {}),
          },
        }
      : {}),
  };
}

/**
 * Runs `run` against a simulator started for it, on a free port, and stops the simulator after.
 * The real clock: the simulator delivers and receipts by itself, as NgDP does. `options` add to the
 * simulator's (e.g. `sftpPort: 0` for its SFTP server).
 */
export async function withLocalSimulator<T>(
  run: (simulator: RunningSimulator) => Promise<T>,
  options: SimulatorOptions = {},
): Promise<T> {
  const simulator = await startSimulator({ port: 0, ...options });
  console.log(`started a local NgDP simulator at ${simulator.apiUrl}`);
  try {
    return await run(simulator);
  } finally {
    await simulator.stop();
  }
}
