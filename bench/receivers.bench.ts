/**
 * The push receivers (`createMemoReceiver`, `createReceiptReceiver`): what one request costs, what
 * the largest and the most hostile pushes cost in memory and in time other callers wait, and what
 * the budget of bytes in flight holds back.
 *
 * - Throughput (in this process, over loopback, one keep-alive connection, one request at a time):
 *   a small MeMo push (1.4 KB, answered 200 after `onMemo`) and a pushed receipt, against a bare
 *   `node:http` handler that reads the body and answers 200 — the ceiling of Node's HTTP stack here.
 * - Large pushes, each into a fresh receiver process (this script re-run with `--serve`, so that
 *   the sender's buffers do not count): peak RSS growth of the receiver process (kernel high-water
 *   mark, reset after a GC just before the push) as MiB and as a multiple of the body; the longest
 *   the receiver's event loop was blocked (a 1 ms timer's largest gap); and how long "other callers"
 *   waited — a small receipt POSTed to the same process every 10 ms while the push is read,
 *   parsed and handled (p50, p99, max). Pushes: the largest MeMo NgDP sends (99.5 MB of content,
 *   a 133 MB body); the hostile ones of the hardening issue — `content` starting with a character
 *   reference (it defeated the reader's fast path: 60 MB froze the receiver for 4.7 s), a huge
 *   label (140 MB killed the receiver's process) — at those sizes and at 40 MB.
 * - The budget: six maximal pushes at once into one receiver with the default budget (twice
 *   `maxBytes`) and with a budget that takes all six, peak RSS growth and answers.
 *
 * Targets (generous; the tests in test/hostile assert looser ones): a maximal push ≤ 4× its body in
 * peak RSS growth; with the default budget, six maximal pushes at once take two and answer the rest
 * 503 with Retry-After, and peak RSS stays below what two pushes cost.
 *
 * `node --expose-gc bench/receivers.bench.ts [--json] [--quick]`, or `npm run bench -- receivers`.
 * `--quick` makes the large pushes a tenth of their size.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Pool, request } from 'undici';
import type { DigitalPostClient } from '../sdk/client/client.ts';
import { createMemoReceiver, createReceiptReceiver } from '../sdk/receivers/index.ts';
import { type BenchChild, forkBench, serveBench } from './child.ts';
import { args, median, peakRssMeter, type Row, report, round, rowOf, runSuite, toMB } from './harness.ts';

const MB = 1_000_000;
const MIB = 1024 * 1024;
const scale = args.quick ? 0.1 : 1;
const argv = process.argv.slice(2);
const option = (name: string): string | undefined =>
  argv.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);

const MEMO = `<?xml version="1.0" encoding="UTF-8"?>
<memo:Message xmlns:memo="https://DigitalPost.dk/MeMo-1" memoVersion="1.2">
  <memo:MessageHeader>
    <memo:messageType>DIGITALPOST</memo:messageType>
    <memo:messageUUID>{{uuid}}</memo:messageUUID>
    <memo:label>{{label}}</memo:label>
    <memo:Sender>
      <memo:senderID>12345678</memo:senderID>
      <memo:idType>CVR</memo:idType>
      <memo:label>Eksempel Kommune</memo:label>
    </memo:Sender>
    <memo:Recipient>
      <memo:recipientID>87654321</memo:recipientID>
      <memo:idType>CVR</memo:idType>
    </memo:Recipient>
  </memo:MessageHeader>
  <memo:MessageBody>
    <memo:createdDateTime>2025-06-01T08:30:00Z</memo:createdDateTime>
    <memo:MainDocument>
      <memo:File>
        <memo:encodingFormat>application/pdf</memo:encodingFormat>
        <memo:filename>afgoerelse.pdf</memo:filename>
        <memo:language>da</memo:language>
        <memo:content>{{content}}</memo:content>
      </memo:File>
    </memo:MainDocument>
  </memo:MessageBody>
</memo:Message>
`;

let counter = 0;
/** A push of a MeMo under a new messageUUID, as NgDP sends it. */
function push(changes: { label?: string; content?: string } = {}): { body: Buffer; contentType: string } {
  counter += 1;
  const messageUUID = `00000000-0000-4000-8000-${String(counter).padStart(12, '0')}`;
  const xml = MEMO.replace('{{uuid}}', messageUUID)
    .replace('{{label}}', changes.label ?? 'Afgørelse om boligstøtte')
    .replace('{{content}}', changes.content ?? 'JVBERi0xLjQKJcOkw7zDtsOfCg==');
  const boundary = '----ngdpbench';
  const body = Buffer.concat([
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${messageUUID}"\r\nContent-Type: application/xml\r\n\r\n`,
    ),
    Buffer.from(xml),
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { body, contentType: `multipart/form-data; boundary=${boundary}` };
}

/** Base64 of `bytes` decoded bytes (PDF-ish), as it stands in `content`. */
const base64Of = (bytes: number): string => Buffer.alloc(bytes, 0x25).toString('base64');

const RECEIPT = JSON.stringify({
  transmissionId: '11111111-2222-4333-8444-555555555555',
  messageUUID: '11111111-2222-4333-8444-666666666666',
  timeStamp: '2024-03-01T09:16:02.114Z',
  receiptStatus: 'COMPLETED',
});

/** What the receivers made of the pushes: receipts posted, by status. */
const outcomes = { COMPLETED: 0, INVALID: 0 };

/** A recipient client that takes every receipt: the bench measures the receiver, not NgDP. */
const quietClient = {
  inbox: {
    complete: async () => {
      outcomes.COMPLETED += 1;
    },
    reject: async () => {
      outcomes.INVALID += 1;
    },
    fetchXml: async () => Buffer.alloc(0),
  },
} as unknown as DigitalPostClient;

function receivers(maxBytesInFlight?: number): (req: IncomingMessage, res: ServerResponse) => void {
  const memos = createMemoReceiver({
    client: quietClient,
    onMemo: () => {},
    onError: () => {},
    ...(maxBytesInFlight === undefined ? {} : { maxBytesInFlight }),
  });
  const receipts = createReceiptReceiver({ onReceipt: () => {}, onError: () => {} });
  return (req, res) => (req.url === '/receipts' ? receipts : memos)(req, res);
}

// ---------------------------------------------------------------------------------------------------
// The receiver process: `--serve[=<maxBytesInFlight>]`

type ChildMessage =
  | { type: 'ready'; port: number }
  | { type: 'measured'; growth: number; maxGapMs: number; outcomes: typeof outcomes };

// (started at the end of the file, once everything below is defined)

// ---------------------------------------------------------------------------------------------------
// The bench

async function receiverProcess(
  maxBytesInFlight?: number,
): Promise<BenchChild<ChildMessage | { type: string }>> {
  return forkBench<ChildMessage | { type: string }>(
    'receiver',
    import.meta.filename,
    [maxBytesInFlight === undefined ? '--serve' : `--serve=${maxBytesInFlight}`],
    { execArgv: ['--expose-gc'] },
  );
}

async function measured<T>(
  child: BenchChild<ChildMessage | { type: string }>,
  work: () => Promise<T>,
): Promise<{ result: T; growth: number; maxGapMs: number; outcomes: typeof outcomes }> {
  child.process.send({ type: 'reset' });
  await child.next();
  const result = await work();
  child.process.send({ type: 'measure' });
  const stats = (await child.next()) as Extract<ChildMessage, { type: 'measured' }>;
  return { result, growth: stats.growth, maxGapMs: stats.maxGapMs, outcomes: stats.outcomes };
}

async function post(url: string, body: Buffer | string, contentType: string): Promise<number> {
  const answer = await request(url, { method: 'POST', body, headers: { 'content-type': contentType } });
  await answer.body.dump();
  return answer.statusCode;
}

/**
 * Posts a receipt every `everyMs`, each on a connection of its own (as separate callers would:
 * a kept-alive connection could be closed by the server's keep-alive timeout under a request),
 * until `done` settles; the latencies, ms.
 */
async function otherCallers(url: string, done: Promise<unknown>, everyMs = 10): Promise<number[]> {
  const latencies: number[] = [];
  let finished = false;
  void done.finally(() => {
    finished = true;
  });
  while (!finished) {
    const start = performance.now();
    const answer = await request(`${url}/receipts`, {
      method: 'POST',
      body: RECEIPT,
      headers: { 'content-type': 'application/json', connection: 'close' },
    });
    await answer.body.dump();
    if (answer.statusCode !== 200) throw new Error(`another caller was answered ${answer.statusCode}`);
    latencies.push(performance.now() - start);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
  return latencies;
}

const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
};

async function largePush(
  name: string,
  pushed: { body: Buffer; contentType: string },
  target?: number,
): Promise<Row> {
  const child = await receiverProcess();
  try {
    const url = `http://127.0.0.1:${(child.ready as { port: number }).port}`;
    await post(`${url}/receipts`, RECEIPT, 'application/json'); // warm
    const start = performance.now();
    const { result, growth, maxGapMs, outcomes } = await measured(child, async () => {
      const answer = post(`${url}/memos`, pushed.body, pushed.contentType);
      const latencies = await otherCallers(url, answer);
      return { status: await answer, latencies };
    });
    const ms = performance.now() - start;
    const times = growth / pushed.body.length;
    return {
      name,
      opsPerSec: null,
      ratio: null,
      ms: round(ms, 0),
      rssGrowthMB: toMB(growth),
      rssGrowthX: round(times, 2),
      p50Ms: round(median(result.latencies), 1),
      p99Ms: round(percentile(result.latencies, 99), 1),
      errors: result.status === 200 ? 0 : 1,
      note: `body ${toMB(pushed.body.length)} MiB, answered ${result.status}, receipt ${outcomes.COMPLETED > 0 ? 'COMPLETED' : outcomes.INVALID > 0 ? 'INVALID' : 'none'}; event loop blocked ${round(maxGapMs, 0)} ms at most; other callers max ${round(Math.max(...result.latencies), 0)} ms`,
      ...(target === undefined ? {} : { target: `≤ ${target}× body`, pass: times <= target }),
    };
  } finally {
    await child.stop();
  }
}

async function concurrentPushes(name: string, count: number, maxBytesInFlight?: number): Promise<Row> {
  const child = await receiverProcess(maxBytesInFlight);
  const pushed = push({ content: base64Of(Math.round(99.5 * MB * scale)) });
  try {
    const url = `http://127.0.0.1:${(child.ready as { port: number }).port}`;
    const { result, growth } = await measured(child, () =>
      Promise.all(Array.from({ length: count }, () => post(`${url}/memos`, pushed.body, pushed.contentType))),
    );
    const taken = result.filter((status) => status === 200).length;
    const busy = result.filter((status) => status === 503).length;
    return {
      name,
      opsPerSec: null,
      ratio: null,
      rssGrowthMB: toMB(growth),
      rssGrowthX: round(growth / pushed.body.length, 2),
      errors: count - taken - busy,
      note: `${count} pushes of ${toMB(pushed.body.length)} MiB at once: ${taken} answered 200, ${busy} answered 503`,
    };
  } finally {
    await child.stop();
  }
}

async function throughput(): Promise<Row[]> {
  const bare = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.statusCode = 200;
      res.end();
    });
  });
  const real = createServer(receivers());
  for (const server of [bare, real])
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const pool = (server: typeof bare) =>
    new Pool(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, { connections: 1 });
  const barePool = pool(bare);
  const realPool = pool(real);
  const small = push();
  const send = (target: Pool, path: string, body: Buffer | string, contentType: string) => async () => {
    const answer = await target.request({
      method: 'POST',
      path,
      body,
      headers: { 'content-type': contentType },
    });
    await answer.body.dump();
    if (answer.statusCode !== 200) throw new Error(`${path}: ${answer.statusCode}`);
  };
  // A redelivery of one MeMo would not call onMemo: every push needs a messageUUID of its own.
  const pushes = Array.from({ length: 1_000 }, () => push());
  let next = 0;
  const results = await runSuite(
    [
      { name: 'bare node:http, 1.4 KB body', fn: send(barePool, '/', small.body, small.contentType) },
      {
        name: 'createMemoReceiver, 1.4 KB MeMo',
        fn: () => {
          const one = pushes[next++ % pushes.length] as { body: Buffer; contentType: string };
          return send(realPool, '/memos', one.body, one.contentType)();
        },
        baseline: 'bare node:http, 1.4 KB body',
      },
      {
        name: 'createReceiptReceiver, receipt',
        fn: send(realPool, '/receipts', RECEIPT, 'application/json'),
        baseline: 'bare node:http, 1.4 KB body',
      },
    ],
    { sampleMs: 500 },
  );
  await Promise.all([barePool.close(), realPool.close()]);
  bare.close();
  real.close();
  return results.map((measurement) => rowOf(measurement));
}

async function main(): Promise<void> {
  const maximal = push({ content: base64Of(Math.round(99.5 * MB * scale)) });
  const withReference = (decoded: number) =>
    push({ content: `&#74;${base64Of(Math.round(decoded * scale)).slice(1)}` });
  const hostile = [
    ['content with a character reference, 60 MB', withReference(45 * MB)],
    ['content with a character reference, 133 MB', withReference(99.5 * MB)],
    ['label of 40 MB', push({ label: 'A'.repeat(Math.round(40 * MB * scale)) })],
    ['label of 140 MB', push({ label: 'A'.repeat(Math.round(140 * MB * scale)) })],
  ] as const;
  const sections = [
    { heading: 'Throughput (one connection, one request at a time)', rows: await throughput() },
    {
      heading: 'One large push into a fresh receiver process',
      rows: [
        await largePush('maximal MeMo (99.5 MB of content)', maximal, 4),
        ...(await sequential(
          hostile.map(
            ([name, pushed]) =>
              () =>
                largePush(name, pushed),
          ),
        )),
      ],
    },
    {
      heading: 'Six maximal pushes at once',
      rows: [
        await concurrentPushes('default budget (2 × maxBytes)', 6),
        await concurrentPushes('budget for all six (6 × maxBytes)', 6, 6 * 150 * MIB),
      ],
    },
  ];
  report('Push receivers', sections);
}

async function sequential<T>(work: Array<() => Promise<T>>): Promise<T[]> {
  const results: T[] = [];
  for (const one of work) results.push(await one());
  return results;
}

async function serve(): Promise<void> {
  const inFlight = option('serve');
  const server = createServer(receivers(inFlight === undefined ? undefined : Number(inFlight)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const meter = peakRssMeter();
  let baseline = 0;
  const delay = monitorEventLoopDelay({ resolution: 1 });
  process.on('message', (message: { type: string }) => {
    if (message.type === 'reset') {
      (globalThis as { gc?: () => void }).gc?.();
      baseline = process.memoryUsage.rss();
      meter.reset();
      delay.reset();
      delay.enable();
      process.send?.({ type: 'reset:done' });
    } else if (message.type === 'measure') {
      delay.disable();
      process.send?.({
        type: 'measured',
        growth: meter.peak() - baseline,
        maxGapMs: delay.max / 1e6,
        outcomes,
      });
    }
  });
  serveBench({ type: 'ready', port: (server.address() as AddressInfo).port }, async () => {
    server.close();
    server.closeAllConnections();
  });
}

if (argv.some((arg) => arg.startsWith('--serve'))) await serve();
else await main();
