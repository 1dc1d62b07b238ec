/**
 * Simulator throughput: sustained `POST /apis/v1/memos/` of small MeMos (a one-page letter, 2.3 KB
 * of XML, each with its own messageUUID) with 32 concurrent connections for 10 s, against
 *
 * - the simulator in memory,
 * - the simulator on SQLite (`dataDir` in a fresh temporary folder),
 * - a bare express 5 route that reads the body and answers 201 with a small JSON — the ceiling: what
 *   express and Node's HTTP stack alone reach on this machine. It is measured twice (before and
 *   after the simulator runs) and the simulator's ratio is to the mean of the two,
 * - for information, the same route running `validateMemo(body)` before it answers: the MeMo work the
 *   simulator cannot avoid, so the gap to the ceiling can be split into that and the rest.
 *
 * Server CPU time per request (`process.cpuUsage()` of the child) is reported too: on a machine
 * shared with other work it is much steadier than the rates.
 * Each server runs in its own child process (this script re-run with `--serve=…`); the load comes from
 * this process with undici (a `Pool` of 32 connections, 32 requests in flight, no pipelining), so
 * the load generator and the server do not share an event loop. Every window is preceded by a
 * warm-up on the same connections. Any answer but 201 is an error. The simulator accepts a message
 * (201) and processes it asynchronously (validation, routing, delivery, business receipt), so after
 * each window the sender's business receipts are counted: the backlog at the end of the window is
 * reported, then how long it took to drain, and a sample of messages is checked to have ended
 * COMPLETED.
 *
 * Large message: one ≈ 99 MB MeMo (a letter with a ≈ 74 MB attachment) is POSTed to a fresh simulator
 * child started with `--report-rss`; the child's peak RSS growth (kernel high-water mark, reset after
 * a GC just before the request) is read once the message has its business receipt.
 *
 * Targets: in memory ≥ 1,500 messages/s and ≥ 50 % of the ceiling; on SQLite ≥ 800 messages/s;
 * p99 latency < 50 ms; no errors; the 99 MB MeMo answered 201, ending COMPLETED, with peak RSS
 * growth < 400 MB (400 × 10^6 bytes).
 *
 * `node --expose-gc bench/simulator.bench.ts [--json] [--quick] [--cpu-prof]`, or
 * `npm run bench -- simulator`. `--quick`: 0.5 s warm-up and 1 s windows (a smoke run).
 * `--cpu-prof`: the server children write CPU profiles (`node --cpu-prof`) to a temporary folder,
 * printed on stderr.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { Pool, request } from 'undici';
import { createLetter, serializeMemoToBytes, validateMemo } from '../sdk/memo/index.ts';
import { startSimulator } from '../simulator/index.ts';
import { args, peakRssMeter, percentile, type Row, report, round, toMB } from './harness.ts';

const argv = process.argv.slice(2);
const option = (name: string): string | undefined =>
  argv.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
const cpuProf = argv.includes('--cpu-prof');

const MB = 1_000_000;
const CONNECTIONS = 32;
const WARMUP_MS = args.quick ? 500 : 3_000;
const WINDOW_MS = args.quick ? 1_000 : 10_000;
/** How long the backlog may take to drain after a window before the bench gives up waiting. */
const DRAIN_LIMIT_MS = args.quick ? 20_000 : 120_000;
const SAMPLE_CHECKS = 20;

const SENDER_CVR = '12345678';
const RECIPIENT_CPR = '0101700001';
const LARGE_XML_BYTES = 99 * MB;

const TARGET_MEMORY_RATE = 1_500;
const TARGET_MEMORY_RATIO = 0.5;
const TARGET_SQLITE_RATE = 800;
const TARGET_P99_MS = 50;
const TARGET_LARGE_RSS = 400 * MB;

// ---------------------------------------------------------------------------------------------------
// Fixtures

/** Deterministic incompressible bytes (xorshift32), as in memo.bench.ts. */
function pseudoRandomBytes(size: number, seed: number): Buffer {
  const out = Buffer.alloc(size);
  const words = new Uint32Array(out.buffer, out.byteOffset, size >>> 2);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    words[i] = x >>> 0;
  }
  for (let i = words.length * 4; i < size; i++) out[i] = i & 0xff;
  return out;
}

/** A PDF-looking file: a real header, then incompressible bytes. */
function pdfBytes(size: number, seed: number): Buffer {
  const bytes = pseudoRandomBytes(size, seed);
  bytes.write('%PDF-1.7\n', 0, 'latin1');
  return bytes;
}

const SMALL_PDF = pdfBytes(1024, 1);

interface Message {
  uuid: string;
  body: Buffer;
}

/** A one-page letter to the seeded citizen: ≈ 2 KB of XML. */
async function smallMessage(): Promise<Message> {
  const uuid = randomUUID();
  const memo = await createLetter({
    messageUUID: uuid,
    sender: { cvr: SENDER_CVR, label: 'Testkommune' },
    recipient: { cpr: RECIPIENT_CPR },
    label: 'Afgørelse om boligstøtte',
    document: { content: SMALL_PDF, filename: 'afgoerelse.pdf' },
  });
  return { uuid, body: serializeMemoToBytes(memo) };
}

async function smallMessages(count: number): Promise<Message[]> {
  const out: Message[] = [];
  for (let i = 0; i < count; i++) out.push(await smallMessage());
  return out;
}

/** A letter whose attachment makes the XML `LARGE_XML_BYTES` long (to within 3 bytes). */
async function largeMessage(): Promise<Message & { fileBytes: number }> {
  const build = async (attachmentBytes: number): Promise<Message> => {
    const uuid = randomUUID();
    const memo = await createLetter({
      messageUUID: uuid,
      sender: { cvr: SENDER_CVR, label: 'Testkommune' },
      recipient: { cpr: RECIPIENT_CPR },
      label: 'Sagens akter',
      document: { content: SMALL_PDF, filename: 'brev.pdf' },
      attachments: [{ content: pdfBytes(attachmentBytes, 2), filename: 'sagsakter.pdf' }],
    });
    return { uuid, body: serializeMemoToBytes(memo) };
  };
  const overhead = (await build(3)).body.length - 4;
  const fileBytes = Math.floor((LARGE_XML_BYTES - overhead) / 4) * 3;
  return { ...(await build(fileBytes)), fileBytes };
}

// ---------------------------------------------------------------------------------------------------
// Server children: this script with --serve=simulator|express

type ChildMessage =
  | { type: 'ready'; origin: string; apiKey: string }
  | { type: 'rss-reset:done'; baseline: number }
  | { type: 'rss-peak:done'; peak: number; maxRss: number; rss: number }
  | { type: 'rss-retained:done'; rss: number; arrayBuffers: number; heapUsed: number }
  | { type: 'cpu:done'; user: number; system: number };

function send(message: unknown): void {
  process.send?.(message);
}

async function serve(kind: string): Promise<void> {
  let stop: () => Promise<void>;
  if (kind === 'express' || kind === 'express-validate') {
    // express-validate: the same route, but it also checks the MeMo (parse + schema + NgDP rules,
    // the MeMo work the simulator does for every message) before answering.
    const check = kind === 'express-validate';
    const app = express();
    app.disable('x-powered-by');
    app.set('etag', false);
    app.set('query parser', 'simple');
    app.post('/apis/v1/memos/', (request, response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      request.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        size += chunk.length;
      });
      request.once('end', () => {
        const body = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size);
        if (check && !validateMemo(body).valid) {
          response.status(400).json({ code: 'MEMO_INVALID' });
          return;
        }
        response.status(201).json({
          transmissionId: randomUUID(),
          messageUUID: request.query['memo-message-uuid'],
          timeStamp: new Date().toISOString(),
          receiptStatus: 'RECEIVED',
          bytes: body.length,
        });
      });
    });
    const server = await new Promise<ReturnType<typeof app.listen>>((resolve, reject) => {
      const listening = app.listen(0, '127.0.0.1');
      listening.once('listening', () => resolve(listening));
      listening.once('error', reject);
    });
    server.keepAliveTimeout = 5_000; // as startSimulator sets it
    const { port } = server.address() as AddressInfo;
    stop = () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    send({ type: 'ready', origin: `http://127.0.0.1:${port}`, apiKey: 'none' });
  } else if (kind === 'simulator') {
    const dataDir = option('data-dir');
    const simulator = await startSimulator({
      port: 0,
      ...(dataDir === undefined ? {} : { dataDir }),
      log: (line) => process.stderr.write(`[simulator] ${line}\n`),
    });
    const sender = simulator.fixtures.systems.find(
      (system) => system.roles.includes('SENDER') && system.protocol === 'REST_PULL',
    );
    if (sender === undefined) throw new Error('the seed has no REST_PULL sender system');
    stop = () => simulator.stop();
    send({ type: 'ready', origin: new URL(simulator.apiUrl).origin, apiKey: sender.apiKey });
  } else {
    throw new Error(`unknown --serve=${kind}`);
  }

  // --report-rss: peak RSS growth of what happens between rss-reset and rss-peak.
  const meter = argv.includes('--report-rss') ? peakRssMeter() : undefined;
  const gc = (globalThis as { gc?: () => void }).gc;
  const collect = (): void => {
    if (gc === undefined) throw new Error('--report-rss needs node --expose-gc');
    gc();
    gc();
  };
  let baseline = 0;
  process.on('message', (message: { type: string }) => {
    switch (message.type) {
      case 'stop':
        void stop().finally(() => {
          meter?.close();
          process.disconnect?.();
          process.exit(0); // writes the --cpu-prof profile
        });
        return;
      case 'cpu':
        send({ type: 'cpu:done', ...process.cpuUsage() });
        return;
      case 'rss-reset':
        if (meter === undefined) throw new Error('start the child with --report-rss');
        collect();
        baseline = process.memoryUsage.rss();
        meter.reset();
        send({ type: 'rss-reset:done', baseline });
        return;
      case 'rss-peak':
        if (meter === undefined) throw new Error('start the child with --report-rss');
        send({
          type: 'rss-peak:done',
          peak: meter.peak(),
          maxRss: process.resourceUsage().maxRSS * 1024,
          rss: process.memoryUsage.rss(),
        });
        return;
      case 'rss-retained':
        // Backing stores of collected buffers are freed a little after the GC: give it a moment.
        collect();
        setTimeout(() => {
          collect();
          const { rss, arrayBuffers, heapUsed } = process.memoryUsage();
          send({ type: 'rss-retained:done', rss, arrayBuffers, heapUsed });
        }, 500);
        return;
    }
  });
}

interface Server {
  label: string;
  origin: string;
  apiKey: string;
  child: ChildProcess;
  ask<T extends ChildMessage['type']>(type: string, answer: T): Promise<Extract<ChildMessage, { type: T }>>;
  stop(): Promise<void>;
}

let profileDir: string | undefined;

async function startServer(label: string, serveArgs: readonly string[]): Promise<Server> {
  const execArgv = ['--expose-gc'];
  if (cpuProf) {
    profileDir ??= mkdtempSync(join(tmpdir(), 'digitalpost-simulator-prof-'));
    const name = label.replace(/[^a-z0-9]+/gi, '-');
    execArgv.push('--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=${name}.cpuprofile`);
  }
  const child = fork(import.meta.filename, [...serveArgs], {
    execArgv,
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      resolve();
    }),
  );
  const ready = await new Promise<{ origin: string; apiKey: string }>((resolve, reject) => {
    child.once('message', (message: ChildMessage) => {
      if (message.type === 'ready') resolve(message);
      else reject(new Error(`${label}: unexpected first message ${JSON.stringify(message)}`));
    });
    child.once('exit', (code, signal) =>
      reject(new Error(`${label}: the server child exited before it was ready (${signal ?? code})`)),
    );
  });
  return {
    label,
    child,
    ...ready,
    ask(type, answer) {
      return new Promise((resolve, reject) => {
        const onMessage = (message: ChildMessage): void => {
          if (message.type !== answer) return;
          child.off('message', onMessage);
          resolve(message as never);
        };
        child.on('message', onMessage);
        child.once('exit', () => reject(new Error(`${label}: the server child exited`)));
        child.send({ type });
      });
    },
    async stop() {
      if (!exited) {
        child.send({ type: 'stop' });
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        await exit;
        clearTimeout(timer);
      }
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// Load

interface LoadResult {
  /** Requests answered 201. */
  ok: number;
  errors: number;
  /** A few of the errors, for the report. */
  errorSamples: string[];
  elapsedMs: number;
  /** Latency of every request, ms, sorted. */
  latencies: Float64Array;
  /** messageUUIDs answered 201, in order of their answers. */
  accepted: string[];
}

/** 32 requests in flight until `ms` has passed; every request still in flight then is awaited. */
async function drive(pool: Pool, server: Server, next: () => Message, ms: number): Promise<LoadResult> {
  const headers = {
    'content-type': 'application/xml',
    authorization: `Basic ${server.apiKey}`,
  };
  const latencies: number[] = [];
  const accepted: string[] = [];
  const errorSamples: string[] = [];
  let errors = 0;
  const start = performance.now();
  const deadline = start + ms;
  const worker = async (): Promise<void> => {
    while (performance.now() < deadline) {
      const message = next();
      const sent = performance.now();
      try {
        const answer = await pool.request({
          path: `/apis/v1/memos/?memo-message-uuid=${message.uuid}`,
          method: 'POST',
          headers,
          body: message.body,
        });
        const text = await answer.body.text();
        latencies.push(performance.now() - sent);
        if (answer.statusCode === 201) accepted.push(message.uuid);
        else {
          errors++;
          if (errorSamples.length < 5) errorSamples.push(`${answer.statusCode} ${text.slice(0, 200)}`);
        }
      } catch (error) {
        latencies.push(performance.now() - sent);
        errors++;
        if (errorSamples.length < 5) errorSamples.push(String(error));
      }
    }
  };
  await Promise.all(Array.from({ length: CONNECTIONS }, worker));
  const elapsedMs = performance.now() - start;
  return {
    ok: accepted.length,
    errors,
    errorSamples,
    elapsedMs,
    latencies: Float64Array.from(latencies).sort(),
    accepted,
  };
}

async function getJson(server: Server, path: string, authorized: boolean): Promise<unknown> {
  const answer = await request(`${server.origin}${path}`, {
    headers: authorized ? { authorization: `Basic ${server.apiKey}` } : {},
  });
  const text = await answer.body.text();
  if (answer.statusCode !== 200) throw new Error(`GET ${path}: ${answer.statusCode} ${text.slice(0, 200)}`);
  return JSON.parse(text);
}

/** The sender's business receipts (one per processed message). */
async function receiptCount(server: Server): Promise<number> {
  const page = (await getJson(server, '/apis/v1/receipts-bulk/?size=1', true)) as { totalElements: number };
  return page.totalElements;
}

async function messageStatus(
  server: Server,
  uuid: string,
): Promise<{ state: string; receiptStatus: string | null }> {
  return (await getJson(server, `/simulator/v1/messages/${uuid}`, false)) as {
    state: string;
    receiptStatus: string | null;
  };
}

interface WindowResult extends LoadResult {
  rate: number;
  p50: number;
  p95: number;
  p99: number;
  /** CPU time of the server process and of this (load generating) process during the window, in cores. */
  serverCpu: number;
  loadCpu: number;
  /** Simulator only: processing, measured with the sender's business receipts. */
  processing?: {
    /** Every message answered 201 on this server, warm-up included. */
    accepted: number;
    /** Receipts when the window began and when its last request had been answered. */
    receiptsAtStart: number;
    receiptsAtEnd: number;
    /** Receipts created per second during the window. */
    processedRate: number;
    backlogAtEnd: number;
    /** From the end of the window until every accepted message had its receipt; undefined: gave up. */
    drainMs: number | undefined;
    /** Of the sampled messages, how many ended DELIVERED with receipt COMPLETED. */
    sampledCompleted: number;
    sampled: number;
    sampleStates: string[];
  };
  /** Messages built during the window because the pre-built ones ran out (should be 0). */
  builtLate: number;
}

async function measureWindow(
  server: Server,
  messages: readonly Message[],
  kind: 'simulator' | 'ceiling',
): Promise<WindowResult> {
  let index = 0;
  let builtLate = 0;
  // The ceiling ignores the messageUUID, so it may send the same bodies again; the simulator may not.
  const next = (): Message => {
    if (kind === 'ceiling') return messages[index++ % messages.length] as Message;
    const message = messages[index++];
    if (message !== undefined) return message;
    builtLate++;
    return renamed(messages[index % messages.length] as Message);
  };
  const pool = new Pool(server.origin, { connections: CONNECTIONS, pipelining: 1 });
  try {
    progress(`${server.label}: warming up`);
    const warmup = await drive(pool, server, next, WARMUP_MS);
    const receiptsAtStart = kind === 'simulator' ? await receiptCount(server) : 0;
    progress(`${server.label}: measuring ${WINDOW_MS / 1000} s`);
    const serverCpu = await server.ask('cpu', 'cpu:done');
    const ownCpu = process.cpuUsage();
    const result = await drive(pool, server, next, WINDOW_MS);
    const ownCpuEnd = process.cpuUsage(ownCpu);
    const serverCpuEnd = await server.ask('cpu', 'cpu:done');
    const busy = (user: number, system: number): number => (user + system) / 1000 / result.elapsedMs;
    const window: WindowResult = {
      ...result,
      errors: result.errors + warmup.errors,
      errorSamples: [...warmup.errorSamples, ...result.errorSamples].slice(0, 5),
      rate: (result.ok * 1000) / result.elapsedMs,
      p50: percentile(result.latencies, 0.5),
      p95: percentile(result.latencies, 0.95),
      p99: percentile(result.latencies, 0.99),
      serverCpu: busy(serverCpuEnd.user - serverCpu.user, serverCpuEnd.system - serverCpu.system),
      loadCpu: busy(ownCpuEnd.user, ownCpuEnd.system),
      builtLate,
    };
    if (kind === 'simulator') {
      const receiptsAtEnd = await receiptCount(server);
      const all = [...warmup.accepted, ...result.accepted];
      progress(`${server.label}: waiting for the backlog to drain`);
      const drainStart = performance.now();
      let drainMs: number | undefined;
      for (;;) {
        const count = await receiptCount(server);
        if (count >= all.length) {
          drainMs = performance.now() - drainStart;
          break;
        }
        if (performance.now() - drainStart > DRAIN_LIMIT_MS) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const sample = Array.from(
        { length: Math.min(SAMPLE_CHECKS, all.length) },
        (_, i) => all[Math.floor(((all.length - 1) * i) / Math.max(1, SAMPLE_CHECKS - 1))] as string,
      );
      const states = await Promise.all(sample.map((uuid) => messageStatus(server, uuid)));
      const sampleStates = states.map((s) => `${s.state}/${s.receiptStatus}`);
      window.processing = {
        accepted: all.length,
        receiptsAtStart,
        receiptsAtEnd,
        processedRate: ((receiptsAtEnd - receiptsAtStart) * 1000) / result.elapsedMs,
        backlogAtEnd: all.length - receiptsAtEnd,
        drainMs,
        sampledCompleted: states.filter((s) => s.state === 'DELIVERED' && s.receiptStatus === 'COMPLETED')
          .length,
        sampled: sample.length,
        sampleStates: [...new Set(sampleStates)],
      };
    }
    return window;
  } finally {
    await pool.close();
  }
}

/** The same letter with a new messageUUID (only when the pre-built messages run out). */
function renamed(message: Message): Message {
  const uuid = randomUUID();
  const text = message.body.toString('utf8').split(message.uuid).join(uuid);
  return { uuid, body: Buffer.from(text, 'utf8') };
}

// ---------------------------------------------------------------------------------------------------
// The 99 MB MeMo

interface LargeResult {
  label: string;
  xmlBytes: number;
  fileBytes: number;
  status: number;
  msTo201: number;
  msToReceipt: number | undefined;
  state: string | undefined;
  receiptStatus: string | null | undefined;
  baseline: number;
  growth: number;
  /** `process.resourceUsage().maxRSS` minus the post-GC baseline (not reset: includes start-up). */
  maxRssGrowth: number;
  /** RSS after processing and a GC, above the baseline: what the simulator keeps (the stored MeMo). */
  retained: number;
  /** Of which in ArrayBuffers (Buffers), and in the JS heap; measured after GC, absolute. */
  retainedArrayBuffers: number;
  retainedHeap: number;
}

async function measureLarge(
  label: string,
  serveArgs: readonly string[],
  message: Message & { fileBytes: number },
): Promise<LargeResult> {
  const server = await startServer(label, [...serveArgs, '--report-rss']);
  try {
    progress(`${label}: sending ${toMB(message.body.length).toFixed(1)} MiB`);
    const { baseline } = await server.ask('rss-reset', 'rss-reset:done');
    const start = performance.now();
    const answer = await request(`${server.origin}/apis/v1/memos/?memo-message-uuid=${message.uuid}`, {
      method: 'POST',
      headers: { 'content-type': 'application/xml', authorization: `Basic ${server.apiKey}` },
      body: message.body,
    });
    const text = await answer.body.text();
    const msTo201 = performance.now() - start;
    let msToReceipt: number | undefined;
    let status: { state: string; receiptStatus: string | null } | undefined;
    if (answer.statusCode === 201) {
      for (;;) {
        status = await messageStatus(server, message.uuid);
        if (status.receiptStatus !== null) {
          msToReceipt = performance.now() - start;
          break;
        }
        if (performance.now() - start > DRAIN_LIMIT_MS) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    } else {
      process.stderr.write(`${label}: ${answer.statusCode} ${text.slice(0, 300)}\n`);
    }
    const peak = await server.ask('rss-peak', 'rss-peak:done');
    const retained = await server.ask('rss-retained', 'rss-retained:done');
    return {
      label,
      xmlBytes: message.body.length,
      fileBytes: message.fileBytes,
      status: answer.statusCode,
      msTo201,
      msToReceipt,
      state: status?.state,
      receiptStatus: status?.receiptStatus,
      baseline,
      growth: Math.max(0, peak.peak - baseline),
      maxRssGrowth: Math.max(0, peak.maxRss - baseline),
      retained: retained.rss - baseline,
      retainedArrayBuffers: retained.arrayBuffers,
      retainedHeap: retained.heapUsed,
    };
  } finally {
    await server.stop();
  }
}

// ---------------------------------------------------------------------------------------------------

function progress(message: string): void {
  if (process.stderr.isTTY) process.stderr.write(`\r\x1b[K${message}`);
}

function clearProgress(): void {
  if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
}

const serveKind = option('serve');
if (serveKind !== undefined) await serve(serveKind);
else await main();

async function main(): Promise<void> {
  // Enough bodies for the ceiling (which may repeat them); the simulator's come after it.
  const loadAtStart = loadavg()[0] ?? 0;
  let messages = await smallMessages(4_000);
  const smallBytes = messages[0]?.body.length ?? 0;

  const ceilingRun = async (label: string): Promise<WindowResult> => {
    const server = await startServer(label, ['--serve=express']);
    try {
      return await measureWindow(server, messages, 'ceiling');
    } finally {
      await server.stop();
    }
  };
  const ceiling1 = await ceilingRun('bare express route (run 1)');
  const validating = await (async () => {
    const server = await startServer('express route + validateMemo', ['--serve=express-validate']);
    try {
      return await measureWindow(server, messages, 'ceiling');
    } finally {
      await server.stop();
    }
  })();

  // Fresh messageUUIDs for every simulator request: as many as the ceiling's rate could need, with
  // a margin. Memory and SQLite each get a fresh store, so both can use the same messages.
  const needed = Math.ceil(Math.max(ceiling1.rate, 2_000) * 1.3 * ((WARMUP_MS + WINDOW_MS) / 1000));
  progress(`building ${needed.toLocaleString('en-US')} messages`);
  messages = messages.concat(await smallMessages(Math.max(0, needed - messages.length)));

  const simulatorRun = async (label: string, serveArgs: string[]): Promise<WindowResult | Error> => {
    let server: Server;
    try {
      server = await startServer(label, ['--serve=simulator', ...serveArgs]);
    } catch (error) {
      return error as Error;
    }
    try {
      return await measureWindow(server, messages, 'simulator');
    } finally {
      await server.stop();
    }
  };
  const memory = await simulatorRun('simulator in memory', []);
  const dataDirs: string[] = [];
  const sqliteDir = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'digitalpost-bench-sqlite-'));
    dataDirs.push(dir);
    return dir;
  };
  let sqlite: WindowResult | Error;
  let largeMemory: LargeResult;
  let largeSqlite: LargeResult | Error;
  let ceiling2: WindowResult;
  try {
    sqlite = await simulatorRun('simulator on SQLite', [`--data-dir=${sqliteDir()}`]);
    ceiling2 = await ceilingRun('bare express route (run 2)');
    messages = [];

    progress('building the 99 MB MeMo');
    const large = await largeMessage();
    largeMemory = await measureLarge('99 MB MeMo, in memory', ['--serve=simulator'], large);
    try {
      largeSqlite = await measureLarge(
        '99 MB MeMo, on SQLite',
        ['--serve=simulator', `--data-dir=${sqliteDir()}`],
        large,
      );
    } catch (error) {
      largeSqlite = error as Error;
    }
  } finally {
    for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
  }
  clearProgress();

  // ---- rows
  const ceilingRate = (ceiling1.rate + ceiling2.rate) / 2;
  const CEILING = 'bare express route';
  const latencyFields = (w: WindowResult) => ({
    p50Ms: round(w.p50, 2),
    p95Ms: round(w.p95, 2),
    p99Ms: round(w.p99, 2),
    errors: w.errors,
  });
  const verdict = (ok: boolean): string => (ok ? 'pass' : 'FAIL');
  /** Server CPU time per answered request, µs: steadier than the rate when other work shares the cores. */
  const cpuPerRequest = (w: WindowResult): number => (w.serverCpu * w.elapsedMs * 1000) / Math.max(1, w.ok);
  const cpuText = (w: WindowResult): string =>
    `CPU: server ${(w.serverCpu * 100).toFixed(0)} % of a core (${Math.round(cpuPerRequest(w))} µs per request), load generator ${(w.loadCpu * 100).toFixed(0)} %`;
  const ceilingRow = (w: WindowResult, name: string): Row =>
    ({
      name,
      opsPerSec: Math.round(w.rate),
      ratio: round(w.rate / ceilingRate, 3),
      baseline: CEILING,
      ...latencyFields(w),
      serverCpu: round(w.serverCpu, 2),
      serverCpuUsPerRequest: Math.round(cpuPerRequest(w)),
      loadCpu: round(w.loadCpu, 2),
      note: `${w.ok.toLocaleString('en-US')} requests in ${(w.elapsedMs / 1000).toFixed(2)} s; ${cpuText(w)}${
        w.errors > 0 ? `; errors: ${w.errorSamples.join(' | ')}` : ''
      }`,
    }) as Row;
  const simulatorRow = (
    name: string,
    w: WindowResult | Error,
    minRate: number,
    minRatio: number | undefined,
  ): Row => {
    const target = `≥ ${minRate.toLocaleString('en-US')}/s${
      minRatio === undefined ? '' : `, ≥ ${minRatio * 100} % of ceiling`
    }, p99 < ${TARGET_P99_MS} ms, 0 errors`;
    if (w instanceof Error) {
      return { name, opsPerSec: null, ratio: null, target, pass: false, note: `did not run: ${w.message}` };
    }
    const ratio = w.rate / ceilingRate;
    const checks = [
      `${Math.round(w.rate).toLocaleString('en-US')}/s (${verdict(w.rate >= minRate)})`,
      ...(minRatio === undefined
        ? []
        : [`${(ratio * 100).toFixed(1)} % of the ceiling (${verdict(ratio >= minRatio)})`]),
      `p99 ${w.p99.toFixed(1)} ms (${verdict(w.p99 < TARGET_P99_MS)})`,
      `${w.errors} errors (${verdict(w.errors === 0)})`,
    ];
    const pass =
      w.rate >= minRate &&
      (minRatio === undefined || ratio >= minRatio) &&
      w.p99 < TARGET_P99_MS &&
      w.errors === 0;
    const p = w.processing;
    const processing =
      p === undefined
        ? ''
        : `; processed (business receipt) during the window ${Math.round(p.processedRate).toLocaleString('en-US')}/s; ` +
          `backlog at the end ${p.backlogAtEnd.toLocaleString('en-US')} of ${p.accepted.toLocaleString('en-US')} accepted (warm-up included), ` +
          (p.drainMs === undefined
            ? `NOT drained after ${DRAIN_LIMIT_MS / 1000} s`
            : `drained ${(p.drainMs / 1000).toFixed(2)} s later`) +
          `; sample: ${p.sampledCompleted}/${p.sampled} DELIVERED/COMPLETED (${p.sampleStates.join(', ')})`;
    return {
      name,
      opsPerSec: Math.round(w.rate),
      ratio: round(ratio, 3),
      baseline: CEILING,
      ...latencyFields(w),
      target,
      pass,
      note:
        checks.join(', ') +
        `; ${cpuText(w)}` +
        processing +
        (w.builtLate > 0 ? `; ${w.builtLate} messages built during the window (pool ran out)` : '') +
        (w.errors > 0 ? `; errors: ${w.errorSamples.join(' | ')}` : ''),
      // Extra JSON fields.
      serverCpu: round(w.serverCpu, 2),
      serverCpuUsPerRequest: Math.round(cpuPerRequest(w)),
      loadCpu: round(w.loadCpu, 2),
      ...(p === undefined
        ? {}
        : {
            accepted: p.accepted,
            processedPerSec: Math.round(p.processedRate),
            backlogAtEnd: p.backlogAtEnd,
            drainMs: p.drainMs === undefined ? null : Math.round(p.drainMs),
            sampledCompleted: p.sampledCompleted,
            sampled: p.sampled,
          }),
    } as Row;
  };
  const largeRow = (r: LargeResult | Error, name: string): Row => {
    const target = `201, COMPLETED, peak RSS growth < ${TARGET_LARGE_RSS / MB} MB`;
    if (r instanceof Error)
      return { name, opsPerSec: null, ratio: null, target, pass: false, note: `did not run: ${r.message}` };
    const completed = r.state === 'DELIVERED' && r.receiptStatus === 'COMPLETED';
    const pass = r.status === 201 && completed && r.growth < TARGET_LARGE_RSS;
    return {
      name,
      opsPerSec: null,
      ratio: null,
      ms: round(r.msTo201, 0),
      rssGrowthMB: toMB(r.growth),
      rssGrowthX: round(r.growth / r.xmlBytes, 2),
      target,
      pass,
      note:
        `${r.status} after ${(r.msTo201 / 1000).toFixed(2)} s (${verdict(r.status === 201)}), ` +
        `${r.state}/${r.receiptStatus} after ${r.msToReceipt === undefined ? '?' : (r.msToReceipt / 1000).toFixed(2)} s (${verdict(completed)}), ` +
        `peak RSS +${(r.growth / MB).toFixed(0)} MB = +${toMB(r.growth).toFixed(1)} MiB (${verdict(r.growth < TARGET_LARGE_RSS)}); ` +
        `RSS still +${toMB(r.retained).toFixed(1)} MiB after processing and GC (Buffers ${toMB(r.retainedArrayBuffers).toFixed(1)} MiB, JS heap ${toMB(r.retainedHeap).toFixed(1)} MiB)`,
      // Extra JSON fields.
      xmlBytes: r.xmlBytes,
      fileBytes: r.fileBytes,
      status: r.status,
      state: r.state ?? null,
      receiptStatus: r.receiptStatus ?? null,
      msToReceipt: r.msToReceipt === undefined ? null : Math.round(r.msToReceipt),
      retainedMB: toMB(r.retained),
      retainedArrayBuffersMB: toMB(r.retainedArrayBuffers),
    } as Row;
  };

  if (!args.json) {
    process.stdout.write(
      `small message: ${smallBytes.toLocaleString('en-US')} bytes of XML; ${CONNECTIONS} connections, ${CONNECTIONS} requests in flight, ` +
        `${WARMUP_MS / 1000} s warm-up + ${WINDOW_MS / 1000} s window per server, each server in its own process\n` +
        `ratio: to the mean of the two bare express runs (${Math.round(ceiling1.rate).toLocaleString('en-US')} and ${Math.round(ceiling2.rate).toLocaleString('en-US')}/s)\n` +
        `1-minute load average: ${loadAtStart.toFixed(2)} at the start, ${(loadavg()[0] ?? 0).toFixed(2)} at the end (other work on the machine skews the figures)\n` +
        (profileDir === undefined ? '' : `CPU profiles: ${profileDir}\n`) +
        '\n',
    );
  } else if (profileDir !== undefined) {
    process.stderr.write(`CPU profiles: ${profileDir}\n`);
  }
  report('Simulator', [
    {
      heading: `Sustained POST /memos/ (${smallBytes.toLocaleString('en-US')}-byte MeMos, ${CONNECTIONS} connections, ${WINDOW_MS / 1000} s)`,
      rows: [
        ceilingRow(ceiling1, `${CEILING} (run 1)`),
        {
          ...ceilingRow(validating, 'express route + validateMemo'),
          note: `informational, not a ceiling: the bare route plus validateMemo(body) (parse, schema, NgDP rules) per request; ${ceilingRow(validating, '').note}`,
        },
        simulatorRow('simulator in memory', memory, TARGET_MEMORY_RATE, TARGET_MEMORY_RATIO),
        simulatorRow('simulator on SQLite', sqlite, TARGET_SQLITE_RATE, undefined),
        ceilingRow(ceiling2, `${CEILING} (run 2)`),
      ],
    },
    {
      heading: `One ${(LARGE_XML_BYTES / MB).toFixed(0)} MB MeMo (fresh simulator process)`,
      rows: [largeRow(largeMemory, '99 MB MeMo, in memory'), largeRow(largeSqlite, '99 MB MeMo, on SQLite')],
    },
  ]);
}
