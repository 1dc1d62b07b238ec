/**
 * Bulk sending: small MeMos (the one-page letter of the client and simulator benchmarks, ≈ 2.3 KB
 * of XML, each with its own messageUUID) sent to the simulator in `.tar.lzma` containers of the
 * default size (1,000 messages), by
 *
 * - `REST sendBatch`: `client.memos.sendBatch(letters)` of a `DigitalPostClient` with its defaults;
 * - `SFTP send`: `SftpSender.send(letters)` into the simulator's SFTP server (`/in`, rename),
 *
 * 10,000 and 1,000 messages each. The simulator (in memory, with its SFTP server) runs in a child
 * process (this script re-run with `--serve`) and is reset before every run
 * (`POST /simulator/v1/reset`, then the SFTP key registered again). The sender runs in a child
 * process of its own, `bench/bulk-sender.mjs`, a fresh one for every run, so that its RSS is its
 * own and starts from the same state: plain JavaScript that imports the package as users get it,
 * from `dist/` (built first when missing or older than `sdk/`). It builds each letter with
 * `createLetter` as `sendBatch`/`send` reads it, and they validate it (their default).
 *
 * Reported per case, medians over the rounds:
 * - messages/s **accepted end to end**: from the first message read to the last container
 *   acknowledged (201 for REST; the rename answered for SFTP — the simulator answers both only
 *   after storing the container);
 * - messages/s **processed**: from the first message read until the sender's business receipts
 *   all exist (`GET /apis/v1/receipts-bulk/?size=1` polled every 10 ms after the send);
 * - the sender's CPU time per message (`process.cpuUsage()`, all its threads) and the simulator's;
 * - the sender's RSS after its imports (baseline) and its peak RSS while sending (the kernel's
 *   high-water mark `VmHWM`, reset through `/proc/self/clear_refs` just before the send) — for REST
 *   also of senders that first send 10 letters one by one (`memos.send`): a fresh process pays a
 *   one-time ≈ 22 MiB step when V8 optimises undici's WebAssembly HTTP parser after its 4th to 7th
 *   response, which a 1,000-letter batch (one POST) does not reach and a 10,000-letter one does;
 *   past its first calls, a sender's peak shows what the batch itself costs;
 * - pulling the 10,000 receipts back (`client.receipts.list` / `SftpSender.receipts()`, without
 *   acknowledging), in the same sender process after the send.
 *
 * Targets: REST bulk ≥ 2,000 messages/s accepted end to end (10,000 messages); the sender's peak
 * RSS < 150 MB (150 × 10^6 bytes) at 10,000 and 1,000 messages, and independent of the batch size:
 * the median peak at 10,000 at most 10 MB (10^7 bytes) above the one at 1,000 — checked for fresh
 * senders and for REST senders past their first calls.
 *
 * `node --expose-gc bench/bulk.bench.ts [--json] [--quick] [--rounds=N] [--only=rest|sftp]`, or
 * `npm run bench -- bulk`. Cases run in interleaved rounds (the order rotated every round) after one
 * untimed warm-up run per sender. `--quick`: 2,000 and 200 messages, one round (a smoke run).
 * For experiments: `--sizes=100000,1000` (the batch sizes), `--warm=N` (every sender first sends N
 * messages untimed), `--distinct-pdfs` (every letter its own incompressible PDF),
 * `--sender-flags="--max-semi-space-size=8"` (Node flags for the senders).
 */
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { startSimulator } from '../simulator/index.ts';
import { ensureBuilt } from '../test/support/build.ts';
import { newKeyPair } from '../test/support/sftp.ts';
import { call, forkBench, serveBench } from './child.ts';
import { args, median, type Row, report, round, toMB } from './harness.ts';

const argv = process.argv.slice(2);
const option = (name: string): string | undefined =>
  argv.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);

const SIZES = (option('sizes') ?? (args.quick ? '2000,200' : '10000,1000'))
  .split(',')
  .map((size) => Number.parseInt(size, 10));
if (SIZES.some((size) => !(size > 0)))
  throw new Error(`--sizes=${option('sizes')}: expected counts, e.g. 10000,1000`);
const LARGE = Math.max(...SIZES);
const SMALL = Math.min(...SIZES);
/** Messages each sender sends untimed before the measured batch (0: a cold process, as a user's). */
const WARM = Math.max(0, Number.parseInt(option('warm') ?? '0', 10) || 0);
/** Every letter with its own (incompressible) PDF instead of the same one. */
const DISTINCT = argv.includes('--distinct-pdfs');
/** Node flags for the sender processes (`--sender-flags="--liftoff-only"`), for experiments; none by default. */
const SENDER_FLAGS = (option('sender-flags') ?? '').split(' ').filter((flag) => flag !== '');
/**
 * Letters the primed REST senders send one by one before their batch. V8 compiles undici's
 * WebAssembly HTTP parser with its optimising tier once per process, after the 4th to 7th response
 * whatever the calls were (≈ 22 MiB of memory for a moment): a sender past 10 calls has paid it.
 */
const PRIME = 10;
const ROUNDS = Math.max(1, Number.parseInt(option('rounds') ?? '', 10) || (args.quick ? 1 : 3));
const ONLY = option('only');
const POLL_MS = 10;
const PROCESS_LIMIT_MS = 120_000;

const MB = 1_000_000;
const TARGET_REST_RATE = 2_000;
const TARGET_PEAK = 150 * MB;
const TARGET_PEAK_SPREAD = 10 * MB;

// ---------------------------------------------------------------------------------------------------
// The simulator child: this script with --serve

interface Endpoints {
  apiUrl: string;
  controlUrl: string;
  /** API keys of the seeded REST_PULL sender system and of the SFTP sender system. */
  restApiKey: string;
  sftpApiKey: string;
  sftpSystemId: string;
  sftpUser: string;
  sftp: { host: string; port: number; hostKeyFingerprint: string };
}

type SimulatorMessage = { type: 'ready' } & Endpoints;

async function serve(): Promise<void> {
  const simulator = await startSimulator({ port: 0, sftpPort: 0 });
  const { systems } = simulator.fixtures;
  const rest = systems.find((system) => system.roles.includes('SENDER') && system.protocol === 'REST_PULL');
  const sftp = systems.find((system) => system.protocol === 'SFTP' && system.sshUsername !== null);
  if (rest === undefined || sftp === undefined || simulator.sftp === null)
    throw new Error('the seed has no REST_PULL or no SFTP sender system');
  serveBench(
    {
      type: 'ready',
      apiUrl: simulator.apiUrl,
      controlUrl: simulator.controlUrl,
      restApiKey: rest.apiKey,
      sftpApiKey: sftp.apiKey,
      sftpSystemId: sftp.id,
      sftpUser: sftp.sshUsername ?? '',
      sftp: simulator.sftp,
    } satisfies SimulatorMessage,
    () => simulator.stop(),
  );
}

interface Simulator extends Endpoints {
  /** CPU time of the child so far, µs. */
  cpu(): Promise<number>;
  /** Empties the simulator and registers the SFTP key again. */
  reset(publicKey: string): Promise<void>;
  /** How many receipts the system with this API key has. */
  receipts(apiKey: string): Promise<number>;
  /** How many of the first `size` receipts of the system are not COMPLETED. */
  notCompleted(apiKey: string, size: number): Promise<number>;
  stop(): Promise<void>;
}

async function startSimulatorChild(): Promise<Simulator> {
  const child = await forkBench<SimulatorMessage>('simulator', import.meta.filename, ['--serve']);
  const { type: _, ...ready } = child.ready;
  const page = async (apiKey: string, size: number) =>
    JSON.parse(
      await call(`${ready.apiUrl}/receipts-bulk/?size=${size}`, {
        headers: { authorization: `Basic ${apiKey}` },
      }),
    ) as { totalElements: number; receipts: { receiptStatus: string }[] };
  return {
    ...ready,
    cpu: () => child.cpu(),
    async reset(publicKey) {
      await call(`${ready.controlUrl}/reset`, { method: 'POST' });
      await call(`${ready.controlUrl}/systems/${ready.sftpSystemId}/ssh-key`, {
        method: 'PUT',
        body: publicKey,
        headers: { 'content-type': 'text/plain' },
      });
    },
    receipts: async (apiKey) => (await page(apiKey, 1)).totalElements,
    notCompleted: async (apiKey, size) =>
      (await page(apiKey, size)).receipts.filter((receipt) => receipt.receiptStatus !== 'COMPLETED').length,
    stop: () => child.stop(),
  };
}

// ---------------------------------------------------------------------------------------------------
// The sender child: bench/bulk-sender.mjs

interface MemorySnapshot {
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  newSpace: number;
}

interface Sent {
  type: 'sent';
  /** When the first message was read and the last container acknowledged, ms since the epoch. */
  started: number;
  ended: number;
  accepted: number;
  containers: number;
  connectMs: number;
  cpuUs: number;
  baseline: MemorySnapshot;
  peakRss: number;
  after: MemorySnapshot;
}

interface Pulled {
  type: 'pulled';
  count: number;
  ms: number;
  peakRss: number;
}

type SenderMessage =
  | { type: 'ready'; memory: MemorySnapshot }
  | Sent
  | Pulled
  | { type: 'failed'; error: string };

interface SenderChild {
  /** RSS right after the imports. */
  ready: MemorySnapshot;
  ask<T extends SenderMessage>(message: object): Promise<T>;
  exit(): Promise<void>;
}

async function startSender(): Promise<SenderChild> {
  // No flags unless asked: the sender runs as a user's program would (no --expose-gc, no type stripping).
  const child = await forkBench<SenderMessage>('sender', join(import.meta.dirname, 'bulk-sender.mjs'), [], {
    execArgv: SENDER_FLAGS,
    stdout: 'inherit',
  });
  return {
    ready: child.ready.memory,
    async ask<T extends SenderMessage>(message: object): Promise<T> {
      const answer = child.next();
      child.process.send(message);
      const reply = await answer;
      if (reply.type === 'failed') throw new Error(`sender: ${reply.error}`);
      return reply as T;
    },
    exit: () => child.stop({ type: 'exit' }),
  };
}

// ---------------------------------------------------------------------------------------------------
// Runs

type Mode = 'rest' | 'sftp';

interface Case {
  name: string;
  mode: Mode;
  count: number;
  /** Single sends (`memos.send`) the sender makes before the batch: 0 for a fresh process. */
  prime: number;
}

interface Run {
  accepted: number;
  containers: number;
  /** Messages/s accepted end to end, and processed (every business receipt there). */
  rate: number;
  processedRate: number;
  msToAccepted: number;
  msToProcessed: number;
  notCompleted: number;
  connectMs: number;
  senderCpuUs: number;
  simulatorCpuUs: number;
  /** RSS right after the imports, and just before the send. */
  importedRss: number;
  baseline: MemorySnapshot;
  peakRss: number;
  after: MemorySnapshot;
  pulled?: Pulled;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const now = (): number => performance.timeOrigin + performance.now();

async function run(
  simulator: Simulator,
  publicKey: string,
  privateKey: string,
  c: Case,
  pull: boolean,
): Promise<Run> {
  await simulator.reset(publicKey);
  await sleep(50);
  const sender = await startSender();
  try {
    const apiKey = c.mode === 'rest' ? simulator.restApiKey : simulator.sftpApiKey;
    const simulatorCpu = await simulator.cpu();
    const sent = await sender.ask<Sent>({
      type: 'send',
      mode: c.mode,
      count: c.count,
      warm: WARM,
      prime: c.prime,
      distinct: DISTINCT,
      rest: { apiUrl: simulator.apiUrl, apiKey: simulator.restApiKey },
      sftp: { ...simulator.sftp, username: simulator.sftpUser, privateKey },
    });
    if (sent.accepted !== c.count) throw new Error(`${c.name}: ${sent.accepted} of ${c.count} accepted`);
    const expected = WARM + c.prime + c.count;
    let processedAt = now();
    for (const limit = processedAt + PROCESS_LIMIT_MS; ; processedAt = now()) {
      if ((await simulator.receipts(apiKey)) >= expected) {
        processedAt = now();
        break;
      }
      if (processedAt > limit) throw new Error(`${c.name}: not every receipt after ${PROCESS_LIMIT_MS} ms`);
      await sleep(POLL_MS);
    }
    const simulatorCpuUs = (await simulator.cpu()) - simulatorCpu;
    const notCompleted = await simulator.notCompleted(apiKey, 100);
    const pulled = pull ? await sender.ask<Pulled>({ type: 'pull' }) : undefined;
    if (pulled !== undefined && pulled.count !== expected)
      throw new Error(`${c.name}: pulled ${pulled.count} receipts of ${expected}`);
    const msToAccepted = sent.ended - sent.started;
    const msToProcessed = processedAt - sent.started;
    return {
      accepted: sent.accepted,
      containers: sent.containers,
      rate: (sent.accepted * 1000) / msToAccepted,
      processedRate: (c.count * 1000) / msToProcessed,
      msToAccepted,
      msToProcessed,
      notCompleted,
      connectMs: sent.connectMs,
      senderCpuUs: sent.cpuUs / c.count,
      simulatorCpuUs: simulatorCpuUs / c.count,
      importedRss: sender.ready.rss,
      baseline: sent.baseline,
      peakRss: sent.peakRss,
      after: sent.after,
      ...(pulled === undefined ? {} : { pulled }),
    };
  } finally {
    await sender.exit();
  }
}

// ---------------------------------------------------------------------------------------------------
// dist/

/** Builds `dist/` when it is missing or stale (test/support/build.ts); says what it did. */
function distFresh(): string {
  progress('checking dist/');
  const { built, why } = ensureBuilt();
  clearProgress();
  return built
    ? `the senders import dist/, built first by this run (npm run build): ${why}`
    : 'the senders import dist/ (newer than the sources)';
}

function progress(message: string): void {
  if (process.stderr.isTTY) process.stderr.write(`\r\x1b[K${message}`);
}

function clearProgress(): void {
  if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
}

// ---------------------------------------------------------------------------------------------------
// Main

const number = (value: number): string => Math.round(value).toLocaleString('en-US');
const mib = (bytes: number): string => (bytes / 2 ** 20).toFixed(1);

async function main(): Promise<void> {
  const built = distFresh();
  const keys = newKeyPair();
  const simulator = await startSimulatorChild();
  try {
    const modes: Mode[] = ONLY === undefined ? ['rest', 'sftp'] : [ONLY as Mode];
    if (!modes.every((mode) => mode === 'rest' || mode === 'sftp'))
      throw new Error(`--only=${ONLY}: expected rest or sftp`);
    const label = { rest: 'REST sendBatch', sftp: 'SFTP send' } as const;
    const cases: Case[] = modes.flatMap((mode) =>
      SIZES.map((count) => ({ name: `${label[mode]}, ${number(count)}`, mode, count, prime: 0 })),
    );
    // Memory only: the same REST batches sent by a sender past its first HTTP calls.
    const primed: Case[] = modes.includes('rest')
      ? SIZES.map((count) => ({
          name: `${label.rest}, ${number(count)}, after ${PRIME} single sends`,
          mode: 'rest',
          count,
          prime: PRIME,
        }))
      : [];
    const all = [...cases, ...primed];
    for (const mode of modes) {
      progress(`warming up the simulator: ${label[mode]}, ${number(SMALL)}`);
      await run(
        simulator,
        keys.public,
        keys.private,
        { name: 'warm-up', mode, count: SMALL, prime: 0 },
        false,
      );
    }
    const loadBefore = loadavg()[0] as number;
    const runs = new Map<string, Run[]>(all.map((c) => [c.name, []]));
    for (let r = 0; r < ROUNDS; r++) {
      for (let i = 0; i < all.length; i++) {
        const c = all[(r + i) % all.length] as Case;
        progress(`round ${r + 1}/${ROUNDS}: ${c.name}`);
        const pull = c.count === LARGE && c.prime === 0;
        runs.get(c.name)?.push(await run(simulator, keys.public, keys.private, c, pull));
      }
    }
    clearProgress();
    const loadAfter = loadavg()[0] as number;
    const loadAverage = [round(loadBefore, 2), round(loadAfter, 2)];

    const of = (c: Case): Run[] => runs.get(c.name) ?? [];
    const med = (c: Case, pick: (run: Run) => number): number => median(of(c).map(pick));

    const throughput: Row[] = cases.map((c) => {
      const own = of(c);
      const rate = med(c, (x) => x.rate);
      const row: Row & Record<string, unknown> = {
        name: c.name,
        opsPerSec: round(rate, 0),
        ratio: null,
        ms: round(1000 / rate, 4),
        messages: c.count,
        containers: own[0]?.containers,
        runs: own.length,
        samples: own.map((x) => round(x.rate, 0)),
        processedPerSec: round(
          med(c, (x) => x.processedRate),
          0,
        ),
        msToAccepted: round(
          med(c, (x) => x.msToAccepted),
          0,
        ),
        msToProcessed: round(
          med(c, (x) => x.msToProcessed),
          0,
        ),
        senderCpuUsPerMessage: round(
          med(c, (x) => x.senderCpuUs),
          1,
        ),
        simulatorCpuUsPerMessage: round(
          med(c, (x) => x.simulatorCpuUs),
          1,
        ),
        sampledNotCompleted: own.reduce((sum, x) => sum + x.notCompleted, 0),
        ...(c.mode === 'sftp' && {
          connectMs: round(
            med(c, (x) => x.connectMs),
            1,
          ),
        }),
        loadAverage,
        note:
          `runs ${own.map((x) => number(x.rate)).join(', ')} msg/s accepted; processed ${number(med(c, (x) => x.processedRate))} msg/s ` +
          `(every receipt ${number(med(c, (x) => x.msToProcessed - x.msToAccepted))} ms after the last acknowledgement); ` +
          `CPU per message: sender ${med(c, (x) => x.senderCpuUs).toFixed(0)} µs, simulator ${med(c, (x) => x.simulatorCpuUs).toFixed(0)} µs`,
      };
      if (c.mode === 'rest' && c.count === LARGE && LARGE >= 10_000) {
        row.target = `≥ ${number(TARGET_REST_RATE)} msg/s accepted`;
        row.pass = rate >= TARGET_REST_RATE;
      }
      return row;
    });

    const peakTarget = `peak < 150 MB (${mib(TARGET_PEAK)} MiB)`;
    const memory: Row[] = [];
    const groups = [
      ...modes.map((mode) => ({ label: label[mode], own: cases.filter((c) => c.mode === mode) })),
      ...(primed.length > 0 ? [{ label: `${label.rest} after ${PRIME} single sends`, own: primed }] : []),
    ];
    for (const group of groups) {
      const own = [...group.own].sort((a, b) => a.count - b.count);
      const small = own[0] as Case;
      const large = own.at(-1) as Case;
      for (const c of own) {
        const peak = med(c, (x) => x.peakRss);
        const baseline = med(c, (x) => x.baseline.rss);
        memory.push({
          name: c.name,
          opsPerSec: null,
          ratio: null,
          rssGrowthMB: toMB(peak - baseline),
          rssPeakMB: toMB(peak),
          target: peakTarget,
          pass: peak < TARGET_PEAK,
          baselineRssMB: toMB(baseline),
          importedRssMB: toMB(med(c, (x) => x.importedRss)),
          peaksMB: of(c).map((x) => toMB(x.peakRss)),
          afterHeapUsedMB: toMB(med(c, (x) => x.after.heapUsed)),
          afterHeapTotalMB: toMB(med(c, (x) => x.after.heapTotal)),
          afterNewSpaceMB: toMB(med(c, (x) => x.after.newSpace)),
          afterArrayBuffersMB: toMB(med(c, (x) => x.after.arrayBuffers)),
          afterRssMB: toMB(med(c, (x) => x.after.rss)),
          note:
            `RSS ${mib(baseline)} MiB before sending (after the imports${c.prime > 0 ? ' and the single sends' : ''}), peaks ${of(
              c,
            )
              .map((x) => mib(x.peakRss))
              .join(', ')} MiB; ` +
            `after sending: heap ${mib(med(c, (x) => x.after.heapUsed))} used of ${mib(med(c, (x) => x.after.heapTotal))} MiB ` +
            `(new space ${mib(med(c, (x) => x.after.newSpace))}), array buffers ${mib(med(c, (x) => x.after.arrayBuffers))} MiB`,
        } as Row);
      }
      const spread = med(large, (x) => x.peakRss) - med(small, (x) => x.peakRss);
      memory.push({
        name: `${group.label}: peak at ${number(LARGE)} − at ${number(SMALL)}`,
        opsPerSec: null,
        ratio: null,
        rssGrowthMB: toMB(spread),
        target: `≤ 10 MB (${mib(TARGET_PEAK_SPREAD)} MiB)`,
        pass: spread <= TARGET_PEAK_SPREAD,
      });
    }

    const pulls: Row[] = cases
      .filter((c) => c.count === LARGE)
      .map((c) => {
        const pulled = of(c).flatMap((x) => (x.pulled === undefined ? [] : [x.pulled]));
        const rate = median(pulled.map((x) => (x.count * 1000) / x.ms));
        return {
          name: `${c.mode === 'rest' ? 'REST receipts.list' : 'SFTP receipts()'}, ${number(WARM + c.count)}`,
          opsPerSec: round(rate, 0),
          ratio: null,
          ms: round(1000 / rate, 4),
          rssPeakMB: toMB(median(pulled.map((x) => x.peakRss))),
          msTotal: round(median(pulled.map((x) => x.ms)), 0),
          note: `${number(median(pulled.map((x) => x.ms)))} ms for ${number(WARM + c.count)} receipts, in the sender process after its send`,
        } as Row;
      });

    if (!args.json) {
      process.stdout.write(
        `Small MeMos (a one-page letter, ≈ 2.3 KB of XML, built by createLetter as they are read, validated` +
          `${DISTINCT ? '; every letter with its own incompressible 1 KiB PDF' : ''}) ` +
          `in containers of 1,000; simulator in memory in a child process, reset before every run; ` +
          `every sender a fresh child process importing dist/` +
          `${WARM > 0 ? `, which first sends ${number(WARM)} messages untimed (its baseline and peak are after them)` : ''}` +
          `${SENDER_FLAGS.length > 0 ? `, run with ${SENDER_FLAGS.join(' ')}` : ''}.\n${built}.\n` +
          `${ROUNDS} interleaved round${ROUNDS === 1 ? '' : 's'}, medians; 1-minute load average ` +
          `${loadBefore.toFixed(1)} before, ${loadAfter.toFixed(1)} after\n\n`,
      );
    } else {
      process.stderr.write(`bulk.bench: ${built}\n`);
    }
    report('Bulk sending', [
      {
        heading: 'Messages accepted end to end (first message read → last container acknowledged)',
        rows: throughput,
      },
      { heading: "The sender's memory (a fresh process per run; peak = VmHWM while sending)", rows: memory },
      ...(pulls.length > 0
        ? [{ heading: `Pulling the ${number(WARM + LARGE)} receipts back`, rows: pulls }]
        : []),
    ]);
  } finally {
    await simulator.stop();
  }
}

if (argv.includes('--serve')) await serve();
else await main();
