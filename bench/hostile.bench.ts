/**
 * The client against a hostile NgDP (issue 12): what the bounds cost and what they save, measured
 * exactly where the tests (`test/hostile-server/`) only assert generous bounds.
 *
 * - **Bodies**: peak RSS growth and time until the client refuses an endless body — a 201 to
 *   `memos.send`, a page of `receipts.list`, a 500 error body — with the default limits (16 MiB of
 *   JSON; an error body read to 64 KiB); against the way the transport used to read (`Buffer.from(await
 *   body.arrayBuffer())`) on a finite 256 MiB body, which an endless one would only make larger.
 * - **Lists and waits**: requests and time until a list whose `totalPages` keeps growing stops
 *   (`PAGE_LIMIT_REACHED`, default `maxPages` 10 000) and one whose cursor loops (`PAGING_LOOP`);
 *   `receipts.waitFor({ timeoutMs: 3000 })` against the growing list (issue 12: 13.6 s for 3 s); a
 *   request with `timeoutMs` 3000 to a server whose TLS handshake never finishes, against undici
 *   left to itself with an `AbortSignal.timeout(3000)` (issue 12: 10.5 s).
 * - **Shape checks**: the CPU cost of checking a page of 1 000 receipts against NgDP's DTO, on top of
 *   `JSON.parse`.
 *
 * The hostile servers run in a child process (this script with `--serve`), so their memory and CPU
 * are not the client's; every client case runs in a fresh child process of its own (`--case=NAME`)
 * whose peak RSS is the kernel's high-water mark (VmHWM, reset before the case), 3 runs each,
 * medians. `node --expose-gc bench/hostile.bench.ts [--json] [--quick]` or `npm run bench -- hostile`.
 */
import { spawnSync } from 'node:child_process';
import { Agent, request } from 'undici';
import { DigitalPostClient } from '../sdk/client/client.ts';
import { reading, receiptSearchResultShape } from '../sdk/client/responses.ts';
import {
  bulkReceipt,
  endlessBody,
  json,
  receiptPage,
  startHostileServer,
  startSilentServer,
} from '../test/hostile-server/server.ts';
import { letterTo } from '../test/support/simulator.ts';
import { forkBench, serveBench } from './child.ts';
import { args, consume, median, peakRssMeter, type Row, report, round, rowOf, runSuite } from './harness.ts';

const argv = process.argv.slice(2);
const MiB = 1024 * 1024;
const RUNS = args.quick ? 1 : 3;

// ---------------------------------------------------------------------------------------------------
// The hostile servers: this script with --serve

interface Servers {
  type: 'ready';
  /** Endless bodies: 201 to POST /memos/, 200 to GET /receipts-bulk/, 500 to GET /contacts/. */
  endless: string;
  /** A finite 256 MiB JSON body to GET /receipts-bulk/. */
  finite: string;
  /** GET /receipts-bulk/ with a totalPages one page further each time; GET /contacts/ with a cursor A → B → A. */
  lists: string;
  /** A TCP server that never speaks (TLS handshakes stall). */
  silent: string;
}

async function serve(): Promise<void> {
  const filler = `${JSON.stringify(bulkReceipt())},`;
  const endless = await startHostileServer({
    'POST /memos/': endlessBody(201),
    'GET /receipts-bulk/': endlessBody(200, { prefix: '{"receipts":[', chunk: filler.repeat(256) }),
    'GET /contacts/': endlessBody(500, { contentType: 'text/plain', chunk: 'x'.repeat(65_536) }),
  });
  const finiteBody = Buffer.alloc(256 * MiB, 0x20);
  const finite = await startHostileServer({
    'GET /receipts-bulk/': (_request, response) =>
      void response.writeHead(200, { 'content-type': 'application/json' }).end(finiteBody),
  });
  const receipt = bulkReceipt();
  const lists = await startHostileServer({
    'GET /receipts-bulk/': (request, response) => {
      const page = Number(request.query.get('page'));
      json(200, receiptPage([receipt], { currentPage: page, totalPages: page + 2 }))(request, response);
    },
    'GET /contacts/': (request, response) => {
      const next = request.query.get('next') === 'A' ? 'B' : 'A';
      const contact = { id: `c-${request.query.get('next')}`, type: 'CITIZEN', cprNumber: '0101700001' };
      json(200, { currentPage: 0, totalPages: 1_000, next, contacts: [contact] })(request, response);
    },
  });
  const silent = await startSilentServer();
  serveBench<Servers>(
    {
      type: 'ready',
      endless: endless.apiUrl,
      finite: finite.apiUrl,
      lists: lists.apiUrl,
      silent: silent.apiUrl,
    },
    async () => {
      await Promise.all([endless.close(), finite.close(), lists.close(), silent.close()]);
    },
  );
}

// ---------------------------------------------------------------------------------------------------
// One client case: this script with --case=NAME --servers=JSON, in a fresh process

interface CaseResult {
  /** Peak RSS growth over the baseline after GC, bytes. */
  growth: number;
  ms: number;
  /** Requests the client made (its log events). */
  requests: number;
  /** The error's code, or `ok`. */
  outcome: string;
}

type ClientFactory = (
  baseUrl: string,
  options?: { timeoutMs?: number; maxPages?: number },
) => DigitalPostClient;
type ClientCase = (servers: Servers, client: ClientFactory) => Promise<unknown>;

const CASES: Record<string, { title: string; run: ClientCase }> = {
  'endless-201': {
    title: 'memos.send, endless 201 body',
    run: async (servers, client) => client(servers.endless).memos.send(await letterTo({ cpr: '0101700001' })),
  },
  'endless-page': {
    title: 'receipts.list, endless page',
    run: async (servers, client) => {
      for await (const receipt of client(servers.endless).receipts.list()) consume(receipt);
    },
  },
  'endless-error': {
    title: 'contacts.lookup, endless 500 body',
    run: (servers, client) => client(servers.endless).contacts.lookup({ cvr: '12345678' }),
  },
  'old-arraybuffer': {
    title: 'old read: Buffer.from(arrayBuffer()), 256 MiB body',
    run: async (servers) => {
      const answer = await request(`${servers.finite}/receipts-bulk/`);
      return Buffer.from(await answer.body.arrayBuffer()).length;
    },
  },
  'growing-list': {
    title: 'receipts.list, totalPages always growing',
    run: async (servers, client) => {
      for await (const receipt of client(servers.lists).receipts.list()) consume(receipt);
    },
  },
  'looping-cursor': {
    title: 'contacts.search, cursor A → B → A',
    run: async (servers, client) => {
      for await (const contact of client(servers.lists).contacts.search({ cpr: ['0101700001'] }))
        consume(contact);
    },
  },
  'wait-3s': {
    title: 'receipts.waitFor timeoutMs 3000, growing list (maxPages 10⁹)',
    // The page bound would end each poll first (at 10 000 pages); this measures the deadline alone.
    run: (servers, client) =>
      client(servers.lists, { maxPages: 1e9 }).receipts.waitFor('5a2c4b1e-8f3d-4c6a-9b7e-1d2f3a4b5c6d', {
        timeoutMs: 3_000,
      }),
  },
  'stalled-tls': {
    title: 'contacts.lookup timeoutMs 3000, TLS handshake never finishes',
    run: (servers, client) =>
      client(servers.silent, { timeoutMs: 3_000 }).contacts.lookup({ cvr: '12345678' }, { retry: false }),
  },
  'stalled-tls-undici': {
    title: 'undici alone, AbortSignal.timeout(3000), same server',
    run: async (servers) => {
      const agent = new Agent();
      try {
        return await request(`${servers.silent}/contacts/`, {
          dispatcher: agent,
          signal: AbortSignal.timeout(3_000),
        });
      } finally {
        void agent.destroy();
      }
    },
  },
};

async function runCase(name: string, servers: Servers): Promise<void> {
  const spec = CASES[name];
  if (spec === undefined) throw new Error(`unknown case ${name}`);
  let requests = 0;
  const client: ClientFactory = (baseUrl, options = {}) =>
    new DigitalPostClient({
      baseUrl,
      apiKey: 'bench-key',
      timeoutMs: options.timeoutMs ?? 30_000,
      ...(options.maxPages === undefined ? {} : { limits: { maxPages: options.maxPages } }),
      retry: false,
      logger: () => {
        requests++;
      },
    });
  const meter = peakRssMeter();
  (globalThis as { gc?: () => void }).gc?.();
  const baseline = process.memoryUsage.rss();
  meter.reset();
  const start = performance.now();
  let outcome = 'ok';
  try {
    consume(await spec.run(servers, client));
  } catch (error) {
    // An UnknownOutcomeError is named by what lay under it (RESPONSE_TOO_LARGE), others by their code.
    const { code, cause } = error as { code?: unknown; cause?: { code?: unknown } };
    outcome = String((code === 'UNKNOWN_OUTCOME' ? cause?.code : code) ?? (error as Error).name);
  }
  const ms = performance.now() - start;
  const result: CaseResult = { growth: Math.max(0, meter.peak() - baseline), ms, requests, outcome };
  meter.close();
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}

function measure(name: string, servers: Servers): CaseResult[] {
  const results: CaseResult[] = [];
  for (let i = 0; i < RUNS; i++) {
    process.stderr.write(`\r${name} (${i + 1}/${RUNS})\u001b[K`);
    const child = spawnSync(
      process.execPath,
      ['--expose-gc', import.meta.filename, `--case=${name}`, `--servers=${JSON.stringify(servers)}`],
      { encoding: 'utf8', maxBuffer: 16 * MiB },
    );
    if (child.status !== 0) throw new Error(`case ${name} failed (exit ${child.status}):\n${child.stderr}`);
    results.push(JSON.parse(child.stdout.trim().split('\n').at(-1) ?? '') as CaseResult);
  }
  process.stderr.write('\r\u001b[K');
  return results;
}

function caseRow(
  name: string,
  results: CaseResult[],
  target?: { text: string; pass: (r: CaseResult) => boolean },
): Row {
  const growth = median(results.map((r) => r.growth));
  const ms = median(results.map((r) => r.ms));
  const requests = median(results.map((r) => r.requests));
  const outcomes = [...new Set(results.map((r) => r.outcome))].join(', ');
  return {
    name: CASES[name]?.title ?? name,
    opsPerSec: null,
    ratio: null,
    ms: round(ms, 0),
    rssGrowthMB: round(growth / MiB, 1),
    ...(target === undefined ? {} : { target: target.text, pass: results.every(target.pass) }),
    note: `${outcomes}; ${requests.toLocaleString('en-US')} requests${requests > 1 ? ` (${Math.round((requests / ms) * 1000).toLocaleString('en-US')}/s)` : ''}; runs ${results.map((r) => Math.round(r.ms)).join(', ')} ms`,
  };
}

async function main(): Promise<void> {
  const child = await forkBench<Servers>('hostile servers', import.meta.filename, ['--serve']);
  const servers = child.ready;
  try {
    const bodies = [
      caseRow('endless-201', measure('endless-201', servers), {
        text: '< 64 MiB, RESPONSE_TOO_LARGE',
        pass: (r) => r.growth < 64 * MiB && r.outcome === 'RESPONSE_TOO_LARGE',
      }),
      caseRow('endless-page', measure('endless-page', servers), {
        text: '< 64 MiB, RESPONSE_TOO_LARGE',
        pass: (r) => r.growth < 64 * MiB && r.outcome === 'RESPONSE_TOO_LARGE',
      }),
      caseRow('endless-error', measure('endless-error', servers), {
        text: '< 16 MiB, HTTP_500',
        pass: (r) => r.growth < 16 * MiB && r.outcome === 'HTTP_500',
      }),
      caseRow('old-arraybuffer', measure('old-arraybuffer', servers)),
    ];
    const lists = [
      caseRow('growing-list', measure('growing-list', servers), {
        text: '10,000 requests, PAGE_LIMIT_REACHED',
        pass: (r) => r.requests === 10_000 && r.outcome === 'PAGE_LIMIT_REACHED',
      }),
      caseRow('looping-cursor', measure('looping-cursor', servers), {
        text: '3 requests, PAGING_LOOP',
        pass: (r) => r.requests === 3 && r.outcome === 'PAGING_LOOP',
      }),
      caseRow('wait-3s', measure('wait-3s', servers), {
        text: '3,000–3,500 ms, TIMEOUT',
        pass: (r) => r.ms >= 3_000 && r.ms < 3_500 && r.outcome === 'TIMEOUT',
      }),
      caseRow('stalled-tls', measure('stalled-tls', servers), {
        text: '3,000–3,500 ms, TIMEOUT',
        pass: (r) => r.ms >= 3_000 && r.ms < 3_500 && r.outcome === 'TIMEOUT',
      }),
      caseRow('stalled-tls-undici', measure('stalled-tls-undici', servers)),
    ];
    const page = JSON.stringify(receiptPage(Array.from({ length: 1_000 }, () => bulkReceipt())));
    const read = reading(receiptSearchResultShape);
    const checks = await runSuite(
      [
        { name: 'JSON.parse, page of 1 000 receipts', fn: () => consume(JSON.parse(page)) },
        {
          name: 'JSON.parse + shape check',
          fn: () => consume(read(JSON.parse(page))),
          baseline: 'JSON.parse, page of 1 000 receipts',
        },
      ],
      args.quick ? { rounds: 2, sampleMs: 100, warmupMs: 100 } : {},
    );
    report('The client against a hostile NgDP', [
      {
        heading: `Endless bodies (peak RSS growth of the client process, ${RUNS} runs, medians)`,
        rows: bodies,
      },
      { heading: 'Lists that never end, waits, stalled handshakes', rows: lists },
      {
        heading: `Shape checks (${(page.length / 1024).toFixed(0)} KiB page)`,
        rows: checks.map((m) => rowOf(m)),
      },
    ]);
  } finally {
    await child.stop();
  }
}

const caseName = argv.find((arg) => arg.startsWith('--case='))?.slice('--case='.length);
if (argv.includes('--serve')) await serve();
else if (caseName !== undefined) {
  const servers = JSON.parse(
    argv.find((arg) => arg.startsWith('--servers='))?.slice('--servers='.length) ?? '{}',
  ) as Servers;
  await runCase(caseName, servers);
} else await main();
