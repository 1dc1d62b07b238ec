/**
 * Client (SDK) throughput: 2,000 small MeMos (a one-page letter to the seeded citizen 0101700001,
 * ≈ 2 KB of XML, each with its own messageUUID) sent to the simulator with 16 requests in flight, by
 *
 * - `sdk`: `client.memos.send(memo)` of a `DigitalPostClient` with its defaults — it gets `Memo`
 *   objects and validates (NgDP's rules) and serializes each one, as users would;
 * - `sdk validate:false`: the same without the local validation (reported for transparency);
 * - `minimal undici loop`: the baseline — a hand-written loop of plain `undici.request` POSTs of
 *   pre-serialized bytes, with the same URL and headers as the SDK, that reads the answer's body and
 *   checks for 201 (no timeout, no retries, no JSON parsing, no error mapping).
 *
 * The simulator (in memory, default seed) runs in a child process (this script re-run with `--serve`),
 * so it does not share an event loop with the senders. All three senders use undici's global
 * dispatcher (the SDK's default). Every case is warmed up with one untimed run; then the cases are
 * measured in interleaved rounds — one run of 2,000 messages per case per round, the order rotated
 * each round — each run with fresh messageUUIDs, built untimed just before it, and after
 * `POST /simulator/v1/reset` (which also drops the previous run's processing backlog). Reported:
 * the median messages/s over the rounds; the ratio to the minimal loop as the median of the per-round
 * ratios; the median of the runs' p50/p95/p99 request latencies (for the SDK: from calling `send`,
 * so including the validation and serialization); errors over all runs (anything but 201, or a
 * throw); and the CPU time (`process.cpuUsage()`, user + system, all threads) of this process and
 * of the simulator per message, medians over the runs.
 *
 * Target: `sdk` (validation on) ≥ 80 % of the minimal loop's messages/s, with no errors.
 *
 * `node --expose-gc bench/client.bench.ts [--json] [--quick] [--rounds=N] [--only=CASE]`, or
 * `npm run bench -- client`. `--quick`: 400 messages per run, 2 rounds (a smoke run). `--rounds=N`:
 * N rounds (default 11). `--only=sdk|sdk-novalidate|minimal`: just that case (no ratio, no target),
 * e.g. under `node --cpu-prof` to profile the senders; the simulator child is never profiled.
 */
import { randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import { request } from 'undici';
import packageJson from '../package.json' with { type: 'json' };
import { DigitalPostClient } from '../sdk/client/index.ts';
import { createLetter, type Memo, serializeMemoToBytes } from '../sdk/memo/index.ts';
import { startSimulator } from '../simulator/index.ts';
import { call, forkBench, serveBench } from './child.ts';
import { args, median, percentile, type Row, report, round } from './harness.ts';

const argv = process.argv.slice(2);
const only = argv.find((arg) => arg.startsWith('--only='))?.slice('--only='.length);

const MESSAGES = args.quick ? 400 : 2_000;
const CONCURRENCY = 16;
const roundsArg = argv.find((arg) => arg.startsWith('--rounds='))?.slice('--rounds='.length);
const ROUNDS =
  roundsArg !== undefined ? Math.max(1, Number.parseInt(roundsArg, 10) || 1) : args.quick ? 2 : 11;
const WARMUP_MESSAGES = args.quick ? 200 : 2_000;

const RECIPIENT_CPR = '0101700001';
const SENDER_CVR = '12345678';
const TARGET_RATIO = 0.8;

const SDK = 'sdk';
const SDK_NO_VALIDATE = 'sdk validate:false';
const MINIMAL = 'minimal undici loop';

// ---------------------------------------------------------------------------------------------------
// The simulator child: this script with --serve

type ChildMessage = { type: 'ready'; apiUrl: string; controlUrl: string; apiKey: string };

async function serve(): Promise<void> {
  const simulator = await startSimulator({ port: 0 });
  const sender = simulator.fixtures.systems.find(
    (system) => system.roles.includes('SENDER') && system.protocol === 'REST_PULL',
  );
  if (sender === undefined) throw new Error('the seed has no REST_PULL sender system');
  serveBench(
    {
      type: 'ready',
      apiUrl: simulator.apiUrl,
      controlUrl: simulator.controlUrl,
      apiKey: sender.apiKey,
    } satisfies ChildMessage,
    () => simulator.stop(),
  );
}

interface Simulator {
  apiUrl: string;
  controlUrl: string;
  apiKey: string;
  /** CPU time of the child so far, µs. */
  cpu(): Promise<number>;
  reset(): Promise<void>;
  stop(): Promise<void>;
}

async function startChild(): Promise<Simulator> {
  const child = await forkBench<ChildMessage>('simulator', import.meta.filename, ['--serve']);
  const { apiUrl, controlUrl, apiKey } = child.ready;
  return {
    apiUrl,
    controlUrl,
    apiKey,
    cpu: () => child.cpu(),
    async reset() {
      await call(`${controlUrl}/reset`, { method: 'POST' });
    },
    stop: () => child.stop(),
  };
}

// ---------------------------------------------------------------------------------------------------
// Messages

/** Deterministic incompressible bytes (xorshift32), as in the other bench scripts. */
function pseudoRandomBytes(size: number, seed: number): Buffer {
  const out = Buffer.alloc(size);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** A 1 KiB PDF-looking file: a real header, then incompressible bytes. */
const SMALL_PDF = (() => {
  const bytes = pseudoRandomBytes(1024, 1);
  bytes.write('%PDF-1.7\n', 0, 'latin1');
  return bytes;
})();

/** `count` one-page letters to 0101700001, each with a fresh messageUUID. */
async function letters(count: number): Promise<Memo[]> {
  const out: Memo[] = [];
  for (let i = 0; i < count; i++) {
    out.push(
      await createLetter({
        messageUUID: randomUUID(),
        sender: { cvr: SENDER_CVR, label: 'Testkommune' },
        recipient: { cpr: RECIPIENT_CPR },
        label: 'Afgørelse om boligstøtte',
        document: { content: SMALL_PDF, filename: 'afgoerelse.pdf' },
      }),
    );
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Senders

interface RunResult {
  ok: number;
  errors: number;
  errorSamples: string[];
  elapsedMs: number;
  /** Latency of every request, ms, sorted. */
  latencies: Float64Array;
}

/** Sends message 0…count-1 with `send`, CONCURRENCY at a time. `send` resolves to an error text or undefined. */
async function drive(
  count: number,
  send: (index: number) => Promise<string | undefined>,
): Promise<RunResult> {
  const latencies = new Float64Array(count);
  const errorSamples: string[] = [];
  let errors = 0;
  let next = 0;
  const start = performance.now();
  const worker = async (): Promise<void> => {
    while (next < count) {
      const index = next++;
      const sent = performance.now();
      let failure: string | undefined;
      try {
        failure = await send(index);
      } catch (error) {
        failure = String(error);
      }
      latencies[index] = performance.now() - sent;
      if (failure !== undefined) {
        errors++;
        if (errorSamples.length < 5) errorSamples.push(failure);
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const elapsedMs = performance.now() - start;
  return { ok: count - errors, errors, errorSamples, elapsedMs, latencies: latencies.sort() };
}

interface Sender {
  name: string;
  /** Untimed: turns the run's letters into what the sender sends. */
  prepare(memos: Memo[]): unknown[];
  send(item: unknown): Promise<string | undefined>;
}

function senders(simulator: Simulator): Sender[] {
  const client = new DigitalPostClient({ baseUrl: simulator.apiUrl, apiKey: simulator.apiKey });
  const sdk = (validate: boolean): Sender['send'] => {
    const options = validate ? {} : { validate: false };
    return async (memo) => {
      const receipt = await client.memos.send(memo as Memo, options);
      return receipt.messageUUID === (memo as Memo).messageHeader.messageUUID
        ? undefined
        : `receipt for ${receipt.messageUUID}`;
    };
  };
  // The SDK's headers, byte for byte (see sdk/http/transport.ts and sdk/client/client.ts).
  const headers = {
    authorization: `Basic ${simulator.apiKey}`,
    accept: 'application/json',
    'user-agent': `digitalpost/${packageJson.version} node/${process.versions.node}`,
    'content-type': 'application/xml',
  };
  const memosUrl = `${simulator.apiUrl}/memos/?memo-message-uuid=`;
  interface Prepared {
    uuid: string;
    body: Uint8Array;
  }
  return [
    { name: SDK, prepare: (memos) => memos, send: sdk(true) },
    { name: SDK_NO_VALIDATE, prepare: (memos) => memos, send: sdk(false) },
    {
      name: MINIMAL,
      prepare: (memos) =>
        memos.map(
          (memo): Prepared => ({ uuid: memo.messageHeader.messageUUID, body: serializeMemoToBytes(memo) }),
        ),
      async send(item) {
        const { uuid, body } = item as Prepared;
        const answer = await request(memosUrl + uuid, { method: 'POST', headers, body });
        const text = await answer.body.text();
        return answer.statusCode === 201 ? undefined : `${answer.statusCode} ${text.slice(0, 200)}`;
      },
    },
  ];
}

interface Run extends RunResult {
  rate: number;
  p50: number;
  p95: number;
  p99: number;
  /** CPU time per message of this process and of the simulator, µs. */
  ownCpuUs: number;
  serverCpuUs: number;
}

async function run(simulator: Simulator, sender: Sender, count: number): Promise<Run> {
  const items = sender.prepare(await letters(count));
  await simulator.reset();
  await new Promise((resolve) => setTimeout(resolve, 50));
  const serverCpu = await simulator.cpu();
  const ownCpu = process.cpuUsage();
  const result = await drive(count, (index) => sender.send(items[index]));
  const own = process.cpuUsage(ownCpu);
  const server = (await simulator.cpu()) - serverCpu;
  return {
    ...result,
    rate: (result.ok * 1000) / result.elapsedMs,
    p50: percentile(result.latencies, 0.5),
    p95: percentile(result.latencies, 0.95),
    p99: percentile(result.latencies, 0.99),
    ownCpuUs: (own.user + own.system) / count,
    serverCpuUs: server / count,
  };
}

function progress(message: string): void {
  if (process.stderr.isTTY) process.stderr.write(`\r\x1b[K${message}`);
}

function clearProgress(): void {
  if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
}

// ---------------------------------------------------------------------------------------------------
// Main

async function main(): Promise<void> {
  const simulator = await startChild();
  try {
    const all = senders(simulator);
    const cases =
      only === undefined
        ? all
        : all.filter(
            (s) => s.name === { sdk: SDK, 'sdk-novalidate': SDK_NO_VALIDATE, minimal: MINIMAL }[only],
          );
    if (cases.length === 0) throw new Error(`--only=${only}: expected sdk, sdk-novalidate or minimal`);
    for (const sender of cases) {
      progress(`warming up ${sender.name}`);
      const warm = await run(simulator, sender, WARMUP_MESSAGES);
      if (warm.errors > 0)
        throw new Error(`${sender.name}: ${warm.errors} errors, e.g. ${warm.errorSamples[0]}`);
    }
    const loadBefore = loadavg()[0] as number;
    const runs = new Map<string, Run[]>(cases.map((s) => [s.name, []]));
    for (let r = 0; r < ROUNDS; r++) {
      for (let i = 0; i < cases.length; i++) {
        const sender = cases[(r + i) % cases.length] as Sender;
        progress(`round ${r + 1}/${ROUNDS}: ${sender.name}`);
        runs.get(sender.name)?.push(await run(simulator, sender, MESSAGES));
      }
    }
    clearProgress();
    const loadAfter = loadavg()[0] as number;

    const baseline = runs.get(MINIMAL);
    const rows: Row[] = cases.map((sender) => {
      const own = runs.get(sender.name) ?? [];
      const rate = median(own.map((x) => x.rate));
      const ratios =
        baseline === undefined || sender.name === MINIMAL
          ? undefined
          : own.map((x, i) => x.rate / (baseline[i] as Run).rate);
      const ratio = ratios === undefined ? undefined : median(ratios);
      const errors = own.reduce((sum, x) => sum + x.errors, 0);
      const samples = [...new Set(own.flatMap((x) => x.errorSamples))].slice(0, 3);
      const ownCpuUs = median(own.map((x) => x.ownCpuUs));
      const serverCpuUs = median(own.map((x) => x.serverCpuUs));
      const row: Row & Record<string, unknown> = {
        name: sender.name,
        opsPerSec: round(rate, 0),
        ratio: ratio === undefined ? null : round(ratio, 3),
        ...(ratio !== undefined && { baseline: MINIMAL }),
        p50Ms: round(median(own.map((x) => x.p50)), 2),
        p95Ms: round(median(own.map((x) => x.p95)), 2),
        p99Ms: round(median(own.map((x) => x.p99)), 2),
        errors,
        clientCpuUsPerMessage: round(ownCpuUs, 1),
        serverCpuUsPerMessage: round(serverCpuUs, 1),
        messagesPerRun: MESSAGES,
        concurrency: CONCURRENCY,
        runs: own.length,
        samples: own.map((x) => round(x.rate, 0)),
        ...(ratios !== undefined && { ratios: ratios.map((x) => round(x, 3)) }),
        loadAverage: [round(loadBefore, 2), round(loadAfter, 2)],
        note:
          `runs ${own.map((x) => Math.round(x.rate).toLocaleString('en-US')).join(', ')} msg/s; ` +
          (ratios === undefined
            ? ''
            : `per-round ratios ${(Math.min(...ratios) * 100).toFixed(0)}–${(Math.max(...ratios) * 100).toFixed(0)} %; `) +
          `CPU per message: this process ${ownCpuUs.toFixed(0)} µs, simulator ${serverCpuUs.toFixed(0)} µs` +
          (errors > 0 ? `; errors: ${samples.join(' | ')}` : ''),
      };
      if (sender.name === SDK && ratio !== undefined) {
        row.target = `≥ ${TARGET_RATIO * 100} % of ${MINIMAL}, 0 errors`;
        row.pass = ratio >= TARGET_RATIO && errors === 0;
      } else if (errors > 0) {
        row.target = '0 errors';
        row.pass = false;
      }
      return row;
    });

    if (!args.json) {
      process.stdout.write(
        `${MESSAGES.toLocaleString('en-US')} small MeMos per run (${serializeMemoToBytes((await letters(1))[0] as Memo).length.toLocaleString('en-US')} bytes of XML), ${CONCURRENCY} in flight, ` +
          `simulator in memory in a child process; ${ROUNDS} interleaved rounds, medians; ` +
          `1-minute load average ${loadBefore.toFixed(1)} before, ${loadAfter.toFixed(1)} after\n` +
          `ratio: median of per-round ratios to the ${MINIMAL} (pre-serialized bytes, plain undici.request)\n\n`,
      );
    }
    report('Client (SDK)', [{ heading: `memos.send to the simulator, concurrency ${CONCURRENCY}`, rows }]);
  } finally {
    await simulator.stop();
  }
}

if (argv.includes('--serve')) await serve();
else await main();
