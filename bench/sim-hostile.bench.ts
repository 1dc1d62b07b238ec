/**
 * Hostile load (issue 11): how long other callers wait while the simulator reads something heavy,
 * and how much memory that takes, each against a quiet baseline measured in the same run.
 *
 * Every case runs in a fresh simulator process (in memory, with its SFTP server; started by
 * `test/support/simulator-process.ts`). While the heavy request is under way, this process asks the
 * simulator for the sender's receipts (`GET /apis/v1/receipts-bulk/?size=1`, authenticated) every
 * 10 ms — an open loop: every call on its own schedule, so a frozen server shows as many slow
 * answers rather than one — from the request's start to its answer (for a MeMo: to its business
 * receipt). The latency percentiles of those calls are reported, and the **quiet** case is the same
 * caller for 3 s with nothing else going on. The child's peak RSS (the kernel's high-water mark,
 * reset after a full GC just before the request) is read once the case is over; unless said
 * otherwise the simulator's reading thread was started beforehand by a 100 KB MeMo, so that the
 * figure is the request's own (a thread costs ≈ 30 MB once from dist/, ≈ 70 MB from the sources).
 *
 * Cases: the maximal MeMo (140 MiB of XML, a letter with one incompressible attachment), also with
 * a cold thread; a 100 MB MeMo whose base64 content holds character references (which defeated
 * the reader's fast path); a 150 KB LZMA of 1 GiB of zeros by REST and over SFTP; a container of
 * five 60 MB letters (300 MB of entries, held until stored); a container of 10,000 small letters.
 *
 * Targets: other callers answered within 100 ms at the median and 1 s at worst while each heavy
 * request is read; peak RSS for the maximal MeMo ≤ 3× its size over the idle process.
 *
 * `node --expose-gc bench/sim-hostile.bench.ts [--json] [--quick]`, or `npm run bench -- sim-hostile`.
 * `--quick`: a 20 MiB "maximal" MeMo, a 10 MB MeMo with references, 1,000 letters, a 1 s quiet window.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { createLetter } from '../sdk/memo/builder.ts';
import { writeContainer } from '../sdk/memo/container.ts';
import { serializeMemoToBytes } from '../sdk/memo/writer.ts';
import { type Latencies, latencyWhile } from '../test/support/latency.ts';
import { connectSftp, newKeyPair, registerKey } from '../test/support/sftp.ts';
import { type ApiResponse, call } from '../test/support/simulator.ts';
import { type SimulatorProcess, startSimulatorProcess } from '../test/support/simulator-process.ts';
import { args, type Row, report, round, toMB } from './harness.ts';

const MiB = 1024 * 1024;
const SENDER = '20000000-0000-4000-8000-000000000001';
const SFTP_SENDER = '20000000-0000-4000-8000-000000000005';
const EVERY_MS = 10;
const QUIET_MS = args.quick ? 1_000 : 3_000;
const MAXIMAL_BYTES = args.quick ? 20 * MiB : 140 * MiB;
const REFERENCES_BYTES = args.quick ? 10_000_000 : 100_000_000;
const LETTERS = args.quick ? 1_000 : 10_000;
const TARGET_MEDIAN_MS = 100;
const TARGET_MAX_MS = 1_000;
const TARGET_RSS_X = 3;

const fixture = (name: string): Buffer =>
  readFileSync(new URL(`../test/fixtures/hostile/${name}`, import.meta.url));

function progress(message: string): void {
  if (process.stderr.isTTY) process.stderr.write(`\r\x1b[K${message}`);
}

// ---------------------------------------------------------------------------------------------------
// Inputs

/**
 * A letter to the seeded citizen whose XML is `bytes` long, give or take 3 bytes, with one
 * incompressible attachment. Past NgDP's 99.5 MB of files it is still read whole, then receipted
 * INVALID (MESSAGE_TOO_LARGE): the simulator takes bodies up to 140 MiB.
 */
async function letterOfSize(bytes: number): Promise<{ uuid: string; xml: Buffer }> {
  const build = async (attachment: number) => {
    const memo = await createLetter({
      sender: { cvr: '12345678', label: 'Testkommune' },
      recipient: { cpr: '0101700001' },
      label: 'Sagens akter',
      document: { content: Buffer.from('%PDF-1.7\n%%EOF\n'), filename: 'brev.pdf' },
      attachments: [{ content: Buffer.alloc(1), filename: 'sagsakter.pdf' }],
    });
    const file = memo.messageBody?.additionalDocuments?.[0]?.files[0];
    if (file === undefined) throw new Error('the letter has no attachment');
    file.content = randomBytes(attachment);
    return { uuid: memo.messageHeader.messageUUID, xml: serializeMemoToBytes(memo) };
  };
  const overhead = (await build(3)).xml.length - 4;
  return build(Math.floor((bytes - overhead) / 4) * 3);
}

/** A letter whose attachment's base64 starts with "AAAA" written as four character references. */
async function letterWithReferences(bytes: number): Promise<{ uuid: string; xml: Buffer }> {
  const { uuid, xml } = await letterOfSize(bytes);
  const text = xml.toString('latin1');
  const at = text.lastIndexOf('<memo:content>') + '<memo:content>'.length;
  return { uuid, xml: Buffer.from(`${text.slice(0, at)}&#65;&#65;&#65;&#65;${text.slice(at)}`, 'latin1') };
}

async function lettersContainer(count: number): Promise<Buffer> {
  const pdf = randomBytes(1024);
  async function* letters() {
    for (let i = 0; i < count; i++)
      yield createLetter({
        sender: { cvr: '12345678', label: 'Testkommune' },
        recipient: { cpr: '0101700001' },
        label: `Brev ${i}`,
        document: { content: pdf, filename: 'brev.pdf' },
      });
  }
  const chunks: Buffer[] = [];
  for await (const chunk of writeContainer(letters())) chunks.push(chunk);
  return Buffer.concat(chunks);
}

// ---------------------------------------------------------------------------------------------------
// Cases

interface Outcome {
  name: string;
  latencies: Latencies;
  /** What the heavy request got, in words. */
  answer: string;
  /** From sending it to its answer (and receipt, for a MeMo), ms. */
  ms: number;
  /** Peak RSS growth over the idle process, bytes; and the request's size for the ratio. */
  growth: number;
  size: number;
  /** The quiet case has no heavy request. */
  quiet?: boolean;
}

interface Case {
  name: string;
  /** Start the reading thread before the measurement (default true). */
  warm?: boolean;
  size: number;
  run(simulator: SimulatorProcess, key: string): Promise<string>;
}

function apiKeyOf(simulator: SimulatorProcess, id: string): string {
  const system = simulator.fixtures.systems.find((candidate) => candidate.id === id);
  if (system === undefined) throw new Error(`no seeded system ${id}`);
  return system.apiKey;
}

async function postMemo(simulator: SimulatorProcess, key: string, uuid: string, xml: Uint8Array) {
  return call(`${simulator.apiUrl}/memos/?memo-message-uuid=${uuid}`, {
    method: 'POST',
    apiKey: key,
    body: xml,
    contentType: 'application/xml',
  });
}

async function postContainer(simulator: SimulatorProcess, key: string, container: Uint8Array) {
  return call(`${simulator.apiUrl}/memos/`, {
    method: 'POST',
    apiKey: key,
    body: container,
    contentType: 'application/x-lzma',
  });
}

/** The message's business receipt status, waited for (up to 5 minutes). */
async function receiptOf(simulator: SimulatorProcess, uuid: string): Promise<string> {
  const deadline = Date.now() + 300_000;
  for (;;) {
    const { json } = await call(`${simulator.controlUrl}/messages/${uuid}`);
    const status = (json as { receiptStatus?: string | null } | undefined)?.receiptStatus;
    if (typeof status === 'string') return status;
    if (Date.now() > deadline) return 'no receipt';
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function described(response: ApiResponse): string {
  const code = (response.json as { code?: string } | undefined)?.code;
  return `${response.status}${code === undefined ? '' : ` ${code}`}`;
}

async function memoCase(simulator: SimulatorProcess, key: string, memo: { uuid: string; xml: Buffer }) {
  const response = await postMemo(simulator, key, memo.uuid, memo.xml);
  if (response.status !== 201) return described(response);
  return `201, then ${await receiptOf(simulator, memo.uuid)}`;
}

async function runCase(test: Case): Promise<Outcome> {
  progress(`${test.name}: starting a simulator`);
  const simulator = await startSimulatorProcess({ sftpPort: 0 });
  try {
    const key = apiKeyOf(simulator, SENDER);
    if (test.warm !== false) await memoCase(simulator, key, await letterOfSize(100_000));
    const idle = await simulator.resetPeakRss();
    progress(`${test.name}: running`);
    const start = performance.now();
    const { outcome, latencies } = await latencyWhile(
      test.run(simulator, key),
      async () => {
        const response = await call(`${simulator.apiUrl}/receipts-bulk/?size=1`, { apiKey: key });
        if (response.status !== 200) throw new Error(`answered ${response.status}`);
      },
      EVERY_MS,
    );
    const ms = performance.now() - start;
    const answer = outcome.status === 'fulfilled' ? outcome.value : `failed: ${String(outcome.reason)}`;
    return {
      name: test.name,
      latencies,
      answer,
      ms,
      growth: (await simulator.peakRss()) - idle,
      size: test.size,
    };
  } finally {
    await simulator.stop();
  }
}

// ---------------------------------------------------------------------------------------------------

const loadAtStart = loadavg()[0] ?? 0;
progress('building the inputs');
const maximal = await letterOfSize(MAXIMAL_BYTES);
const references = await letterWithReferences(REFERENCES_BYTES);
const bomb = fixture('zeros-1gib.lzma');
const fiveLetters = fixture('five-60mb-memos.tar.lzma');
const manyLetters = await lettersContainer(LETTERS);

const cases: Case[] = [
  {
    name: 'quiet (nothing else)',
    size: 0,
    run: () => new Promise<string>((resolve) => setTimeout(() => resolve('—'), QUIET_MS)),
  },
  {
    name: `maximal MeMo (${toMB(maximal.xml.length).toFixed(0)} MiB)`,
    size: maximal.xml.length,
    run: (simulator, key) => memoCase(simulator, key, maximal),
  },
  {
    name: `maximal MeMo, thread not yet started`,
    warm: false,
    size: maximal.xml.length,
    run: (simulator, key) => memoCase(simulator, key, maximal),
  },
  {
    name: `${(references.xml.length / 1e6).toFixed(0)} MB MeMo, character references in its content`,
    size: references.xml.length,
    run: (simulator, key) => memoCase(simulator, key, references),
  },
  {
    name: 'LZMA of 1 GiB of zeros (151 KB), REST',
    size: bomb.length,
    run: async (simulator, key) => described(await postContainer(simulator, key, bomb)),
  },
  {
    name: 'LZMA of 1 GiB of zeros (151 KB), SFTP',
    size: bomb.length,
    run: async (simulator) => {
      const keys = newKeyPair();
      await registerKey(simulator, SFTP_SENDER, keys.public);
      const client = await connectSftp(simulator, { username: 'testkommune', privateKey: keys.private });
      try {
        const name = `${randomUUID()}.tar.lzma`;
        await client.put(`/in/${name}`, bomb);
        const error = await client.get(`/out/errors/${name}.json`).catch(() => undefined);
        return error === undefined
          ? 'taken'
          : `refused ${(JSON.parse(error.toString()) as { code: string }).code}`;
      } finally {
        await client.end();
      }
    },
  },
  {
    name: 'container of five 60 MB letters (44 KB)',
    size: 300_000_000,
    run: async (simulator, key) => described(await postContainer(simulator, key, fiveLetters)),
  },
  {
    name: `container of ${LETTERS.toLocaleString('en-US')} letters (${(manyLetters.length / 1e3).toFixed(0)} KB)`,
    size: manyLetters.length,
    run: async (simulator, key) => described(await postContainer(simulator, key, manyLetters)),
  },
];

const outcomes: Outcome[] = [];
for (const test of cases) outcomes.push(await runCase(test));
progress('');

const quiet = outcomes[0] as Outcome;
const rows: Row[] = outcomes.map((outcome, index): Row => {
  const { latencies } = outcome;
  const isQuiet = index === 0;
  const percentile = (p: number): number =>
    latencies.sorted[Math.min(latencies.sorted.length - 1, Math.ceil(p * latencies.sorted.length) - 1)] ?? 0;
  const latencyOk =
    latencies.median < TARGET_MEDIAN_MS && latencies.max < TARGET_MAX_MS && latencies.errors === 0;
  const isMaximal = outcome.name.startsWith('maximal MeMo (');
  const rssOk = !isMaximal || outcome.growth <= TARGET_RSS_X * outcome.size;
  return {
    name: outcome.name,
    opsPerSec: null,
    ratio:
      isQuiet || quiet.latencies.median === 0 ? null : round(latencies.median / quiet.latencies.median, 2),
    baseline: isQuiet ? undefined : 'quiet (nothing else)',
    ms: round(outcome.ms, 0),
    p50Ms: round(latencies.median, 2),
    p95Ms: round(percentile(0.95), 2),
    p99Ms: round(percentile(0.99), 2),
    errors: latencies.errors,
    rssGrowthMB: toMB(Math.max(0, outcome.growth)),
    ...(outcome.size > 0 && !isQuiet ? { rssGrowthX: round(outcome.growth / outcome.size, 2) } : {}),
    ...(isQuiet
      ? {}
      : {
          target: `other callers p50 < ${TARGET_MEDIAN_MS} ms, max < ${TARGET_MAX_MS} ms${isMaximal ? `, RSS ≤ ${TARGET_RSS_X}×` : ''}`,
          pass: latencyOk && rssOk,
        }),
    note: `${latencies.sorted.length} calls, slowest ${latencies.max.toFixed(1)} ms; the heavy request: ${outcome.answer} after ${(outcome.ms / 1000).toFixed(2)} s`,
    maxMs: round(latencies.max, 2),
    calls: latencies.sorted.length,
    answer: outcome.answer,
    size: outcome.size,
  } as Row;
});

if (!args.json) {
  process.stdout.write(
    `other callers: GET /apis/v1/receipts-bulk/?size=1 every ${EVERY_MS} ms (open loop) while the request runs; ` +
      `ratio: their median to the quiet median (${quiet.latencies.median.toFixed(2)} ms)\n` +
      `1-minute load average: ${loadAtStart.toFixed(2)} at the start, ${(loadavg()[0] ?? 0).toFixed(2)} at the end\n\n`,
  );
}
report('Hostile load', [{ heading: 'Other callers while the simulator reads something heavy', rows }]);
