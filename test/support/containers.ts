/**
 * The container tests' side of Docker: the image they run (built by scripts/container-image.sh,
 * which .ci/run calls), the `docker` client, and containers that are always removed afterwards.
 * Ports are published on 127.0.0.1 only; every container and volume made here carries the label
 * `digitalpost.test` (`docker rm -f $(docker ps -aq --filter label=digitalpost.test)` clears what a
 * killed run left).
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';

/** The simulator's image under test (`DIGITALPOST_TEST_IMAGE` to test another build). */
export const TEST_IMAGE = process.env.DIGITALPOST_TEST_IMAGE ?? 'digitalpost-simulator:test';

/** What the container tests require: test/support/requirements.ts fails them in CI without it. */
export const CONTAINER_REQUIREMENTS = { dockerImage: TEST_IMAGE } as const;

/** testcontainers' reaper image cannot be pulled here; the tests stop their containers themselves. */
process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
/**
 * The project's machines are containers themselves (/.dockerenv), so testcontainers would reach the
 * published ports through the Docker bridge's gateway (172.17.0.1); tests here talk to loopback only.
 */
process.env.TESTCONTAINERS_HOST_OVERRIDE ??= 'localhost';

export const LABEL = 'digitalpost.test';

const run = promisify(execFile);

/** Runs the `docker` client; resolves to its stdout, trimmed. */
export async function docker(...args: string[]): Promise<string> {
  const { stdout } = await run('docker', args, { maxBuffer: 16 * 1024 * 1024 });
  return stdout.trim();
}

/** A name no other run uses. */
export const uniqueName = (prefix: string): string => `${prefix}-${randomBytes(4).toString('hex')}`;

/** The containers and volumes this test file made, for {@link removeAll}. */
const made = { containers: new Set<string>(), volumes: new Set<string>() };

/** `docker run -d` of the test image with HTTP and SFTP published on 127.0.0.1; the container's id. */
export async function runSimulator(
  options: { env?: Record<string, string>; args?: string[]; volume?: string } = {},
): Promise<string> {
  const env = Object.entries(options.env ?? {}).flatMap(([name, value]) => ['-e', `${name}=${value}`]);
  const volume = options.volume === undefined ? [] : ['-v', `${options.volume}:/data`];
  const name = uniqueName('digitalpost-test');
  made.containers.add(name);
  return docker(
    'run',
    '-d',
    '--name',
    name,
    '--label',
    LABEL,
    '-p',
    '127.0.0.1::4500',
    '-p',
    '127.0.0.1::4522',
    ...env,
    ...volume,
    TEST_IMAGE,
    ...(options.args ?? []),
  );
}

/** The host port on 127.0.0.1 that a container port is published on. */
export async function mappedPort(container: string, port: number): Promise<number> {
  const binding = await docker('port', container, `${port}/tcp`);
  return Number(binding.split('\n')[0]?.split(':').at(-1));
}

/** What `docker inspect` says of a container's state. */
export async function stateOf(
  container: string,
): Promise<{ Status: string; ExitCode: number; Health?: { Status: string } }> {
  return JSON.parse(await docker('inspect', '--format', '{{json .State}}', container));
}

/** Resolves once Docker's health check calls the container healthy; rejects if it stops first. */
export async function healthy(container: string, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const state = await stateOf(container);
    if (state.Health?.Status === 'healthy') return;
    if (state.Status === 'exited')
      throw new Error(
        `container exited (${state.ExitCode}): ${await docker('logs', container).catch(() => '')}`,
      );
    if (Date.now() > until)
      throw new Error(`container not healthy after ${timeoutMs} ms: ${state.Health?.Status}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Resolves to the exit code once the container has stopped. */
export async function exitCode(container: string): Promise<number> {
  return Number(await docker('wait', container));
}

/** Everything the container wrote, stdout and stderr together. */
export async function logsOf(container: string): Promise<string> {
  const { stdout, stderr } = await run('docker', ['logs', container]);
  return stdout + stderr;
}

/** Removes the containers (with their anonymous volumes) and the volumes this test file made. */
export async function removeAll(): Promise<void> {
  const containers = [...made.containers];
  made.containers.clear();
  if (containers.length > 0) await docker('rm', '-f', '-v', ...containers).catch(() => '');
  const volumes = [...made.volumes];
  made.volumes.clear();
  if (volumes.length > 0) await docker('volume', 'rm', '-f', ...volumes);
}

/** A named volume, removed by {@link removeAll}. */
export async function newVolume(): Promise<string> {
  const name = await docker('volume', 'create', '--label', LABEL, uniqueName('digitalpost-test'));
  made.volumes.add(name);
  return name;
}
