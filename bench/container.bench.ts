/**
 * The simulator's image (issue 14): its size, how fast a container becomes healthy, how fast it stops
 * on SIGTERM, and how long a test waits from `DigitalPostSimulatorContainer.start()` to its first
 * accepted letter. Needs a Docker engine and the image (scripts/container-image.sh builds
 * `digitalpost-simulator:test`; `--image=NAME` to measure another, `--base=NAME` for its base).
 *
 * - **Image size**: the whole image, and the application's layers — everything above the base:
 *   the production dependencies and dist/. Target: under 40 MB.
 * - **docker run → healthy**: from running `docker run -d` (ports published, defaults otherwise)
 *   until Docker's health check calls the container healthy, polled through the engine's socket
 *   every 10 ms. The first check runs one interval (1 s) after the start, so this is at least that:
 *   target under 1.5 s. Beside it, from `docker run` until the health endpoint answers on the
 *   published port (the simulator's own start, without the check's interval).
 * - **SIGTERM → exited**: `docker stop` (SIGTERM, then SIGKILL after 10 s) of a healthy container
 *   until it has exited; every run must end with exit code 0. Target: under 1 s.
 * - **start() → first letter**: `new DigitalPostSimulatorContainer(image).start()`, then
 *   `client().memos.send(letter)` answered 201 — what a test suite's setup costs.
 *
 * Each figure is the median of several runs (min and max in the note), one container at a time.
 * `node bench/container.bench.ts [--json] [--quick]`, or `npm run bench -- container`.
 */
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { Agent, request } from 'undici';
import { letterTo } from '../test/support/simulator.ts';
import { DigitalPostSimulatorContainer } from '../testcontainers/index.ts';
import { args, median, type Row, report, round } from './harness.ts';

process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
// Loopback, not the bridge's gateway (test/support/containers.ts says why).
process.env.TESTCONTAINERS_HOST_OVERRIDE ??= 'localhost';

const option = (name: string): string | undefined =>
  process.argv.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
const IMAGE = option('image') ?? 'digitalpost-simulator:test';
const BASE =
  option('base') ??
  execFileSync(new URL('../scripts/base-image.sh', import.meta.url).pathname, { encoding: 'utf8' }).trim();
const RUNS = args.quick ? 2 : 7;
/** The engine's API, asked directly: a `docker inspect` costs ~50 ms itself. */
const engine = new Agent({ connect: { socketPath: '/var/run/docker.sock' } });
const MB = 1e6;

const run = promisify(execFile);
const docker = async (...argv: string[]): Promise<string> => (await run('docker', argv)).stdout.trim();

/** A container's state, from the engine. */
async function stateOf(
  id: string,
): Promise<{ Status: string; ExitCode: number; Health?: { Status: string } }> {
  const answer = await request(`http://localhost/containers/${id}/json`, { dispatcher: engine });
  return (
    (await answer.body.json()) as { State: { Status: string; ExitCode: number; Health?: { Status: string } } }
  ).State;
}

async function until(condition: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > end) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function answers(url: string): Promise<boolean> {
  try {
    const answer = await request(url);
    await answer.body.dump();
    return answer.statusCode === 200;
  } catch {
    return false;
  }
}

interface Timing {
  healthy: number;
  answering: number;
  stop: number;
  exitCode: number;
}

/** One container: run, wait until it answers and is healthy, stop it. */
async function runOnce(): Promise<Timing> {
  const started = performance.now();
  const id = await docker('run', '-d', '-p', '127.0.0.1::4500', '-p', '127.0.0.1::4522', IMAGE);
  try {
    const port = (await docker('port', id, '4500/tcp')).split('\n')[0]?.split(':').at(-1);
    let answering = 0;
    await until(async () => {
      if (answering === 0 && (await answers(`http://127.0.0.1:${port}/simulator/v1/health`)))
        answering = performance.now() - started;
      return (await stateOf(id)).Health?.Status === 'healthy';
    });
    const healthy = performance.now() - started;
    const stopping = performance.now();
    await docker('stop', '--time', '10', id);
    const stop = performance.now() - stopping;
    return { healthy, answering, stop, exitCode: (await stateOf(id)).ExitCode };
  } finally {
    await docker('rm', '-f', '-v', id);
  }
}

/** `start()` until the first letter is accepted (201); then the container is stopped. */
async function firstLetter(): Promise<{ start: number; letter: number }> {
  const memo = await letterTo({ cpr: '0101700001' });
  const began = performance.now();
  const simulator = await new DigitalPostSimulatorContainer(IMAGE).start();
  try {
    const start = performance.now() - began;
    await simulator.client().memos.send(memo);
    return { start, letter: performance.now() - began };
  } finally {
    await simulator.stop();
  }
}

const spread = (values: number[]): string =>
  `median of ${values.length}, ${Math.min(...values).toFixed(0)}–${Math.max(...values).toFixed(0)} ms`;

const imageBytes = Number(await docker('image', 'inspect', '--format', '{{.Size}}', IMAGE));
const baseBytes = Number(await docker('image', 'inspect', '--format', '{{.Size}}', BASE));
const layers = await docker('history', '--no-trunc', '--format', '{{.Size}}\t{{.CreatedBy}}', IMAGE);

const timings: Timing[] = [];
for (let i = 0; i < RUNS; i++) timings.push(await runOnce());
const letters: Array<{ start: number; letter: number }> = [];
for (let i = 0; i < RUNS; i++) letters.push(await firstLetter());

const healthy = timings.map((t) => t.healthy);
const answering = timings.map((t) => t.answering);
const stops = timings.map((t) => t.stop);
const cleanExits = timings.every((t) => t.exitCode === 0);
const appBytes = imageBytes - baseBytes;

const row = (name: string, ms: number, extra: Partial<Row>): Row => ({
  name,
  opsPerSec: null,
  ratio: null,
  ms: round(ms, 0),
  ...extra,
});

report('The simulator image', [
  {
    heading: `Size of ${IMAGE} (base ${BASE})`,
    rows: [
      {
        name: 'application layers (above the base)',
        opsPerSec: null,
        ratio: null,
        target: '< 40 MB',
        pass: appBytes < 40 * MB,
        note: `${(appBytes / MB).toFixed(1)} MB of ${(imageBytes / MB).toFixed(1)} MB; copied: ${layers
          .split('\n')
          .map((line) => /^(\S+)\t.* COPY \S+ in (\S+)\s*$/.exec(line))
          .filter((match) => match !== null)
          .map((match) => `${match[2]} ${match[1]}`)
          .join(', ')}`,
        appMB: round(appBytes / MB, 1),
        imageMB: round(imageBytes / MB, 1),
      } as Row,
    ],
  },
  {
    heading: 'Start and stop (one container at a time)',
    rows: [
      row('docker run → healthy', median(healthy), {
        target: '< 1500 ms',
        pass: median(healthy) < 1_500,
        note: `${spread(healthy)}; Docker's first check runs 1 s after the start`,
      }),
      row('docker run → /simulator/v1/health answers', median(answering), { note: spread(answering) }),
      row('docker stop (SIGTERM) → exited', median(stops), {
        target: '< 1000 ms, exit 0',
        pass: median(stops) < 1_000 && cleanExits,
        note: `${spread(stops)}; exit codes ${[...new Set(timings.map((t) => t.exitCode))].join(', ')}`,
      }),
      row('DigitalPostSimulatorContainer.start()', median(letters.map((l) => l.start)), {
        note: spread(letters.map((l) => l.start)),
      }),
      row('start() → first letter accepted (201)', median(letters.map((l) => l.letter)), {
        note: spread(letters.map((l) => l.letter)),
      }),
    ],
  },
]);
await engine.close();
