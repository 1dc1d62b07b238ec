/**
 * Proxy mode: the vendor's system talks to the real NgDP test environment through a local proxy
 * that forwards every request unchanged (API key, body; mutual TLS to the upstream with the
 * system's certificate, as the SDK's client would), records it, and when stopped judges what needs
 * no scripted misbehaviour and no vendor report from its own record (NgDP has no transcript to
 * read). A sender: MeMo validity, messageUUIDs and bytes on retries, Retry-After, value dates,
 * credentials, polling rates ({@link PROXY_CHECKS}). A recipient that pulls: an INVALID business
 * receipt for every invalid MeMo served, a business receipt for every MeMo fetched and only after
 * the fetch, receipts NgDP takes and resends bounded, Retry-After, fetches bounded, credentials,
 * polling rate ({@link PROXY_PULL_CHECKS}, conformance/proxy-pull.ts). The rest are skipped.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent, type Dispatcher, request } from 'undici';
import type { TlsOptions } from '../sdk/client/client.ts';
import { ConformanceSetupError, InvalidOptionsError } from '../sdk/errors.ts';
import { validateMemo } from '../sdk/memo/validate.ts';
import { operationOf } from '../sdk/ngdp/operations.ts';
import { VERSION } from '../sdk/support/version.ts';
import type { SenderCheckId } from './checks/sender/ids.ts';
import { SENDER_CHECKS } from './checks/sender/index.ts';
import { type HeldMessage, type SenderObservation, sha256, valueDateTextOf } from './evidence/sender.ts';
import type { Check, ConformanceReport } from './model.ts';
import {
  PROXY_PULL_CATALOGUE,
  PROXY_PULL_CHECKS,
  pullObservationOf,
  type ServedMemo,
  servedMemoOf,
} from './proxy-pull.ts';
import { ClockLog } from './runner/clock.ts';
import type { TranscriptEntry } from './runner/transcript.ts';
import { selectChecks } from './selection.ts';
import { Findings, resultsOf, summaryOf } from './verdicts.ts';

export { PROXY_PULL_CHECKS };

/** The sender checks proxy mode judges: those that need no scenario of the suite's. */
export const PROXY_CHECKS: readonly SenderCheckId[] = [
  'sender.memo.valid',
  'sender.send.request',
  'sender.retry.same-uuid',
  'sender.retry.same-bytes',
  'sender.retry.honours-retry-after',
  'sender.retry.bounded',
  'sender.value-date.date-only',
  'sender.value-date.within-horizon',
  'sender.recall.lost-answer',
  'sender.auth.header-only',
  'sender.auth.accepted',
  'sender.rate.polling',
];

export interface ProxyOptions {
  /** NgDP's API base URL, e.g. `https://test.digitalpost.dk/apis/v1` (or a simulator's). */
  upstream: string;
  /** `sender` or `recipient-pull`: the system's role, and so the checks judged. */
  profile: string;
  /** Local port (default 4600; 0 = any free port), on loopback. */
  port?: number;
  /** The system's client certificate for mutual TLS to the upstream, as the SDK's client takes it. */
  tls?: TlsOptions;
}

export interface RunningProxy {
  /** Where the vendor's system points its client: `http://127.0.0.1:PORT/apis/v1`. */
  apiUrl: string;
  /** Stops listening and judges what was recorded. */
  stop(): Promise<ConformanceReport>;
}

/** Request bodies larger than this are forwarded but not kept for judging. */
const KEPT_BODY_BYTES = 32 * 1024 * 1024;
const MAX_BODY_BYTES = 150 * 1024 * 1024;
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'upgrade',
  'proxy-connection',
  'host',
  'content-length',
]);

const headersOf = (raw: Record<string, string | string[] | undefined>): Record<string, string | string[]> =>
  Object.fromEntries(
    Object.entries(raw).filter(
      (entry): entry is [string, string | string[]] =>
        entry[1] !== undefined && !HOP_BY_HOP.has(entry[0].toLowerCase()),
    ),
  );

/** Where the API key of the Authorization header shows besides it. */
function credentialsOf(incoming: IncomingMessage, body: Buffer): TranscriptEntry['credentials'] {
  const key = /^Basic\s+(\S+)$/i.exec(incoming.headers.authorization ?? '')?.[1];
  if (key === undefined) return 'none';
  const elsewhere =
    decodeURIComponent(incoming.url ?? '').includes(key) ||
    body
      .subarray(0, 16 * 1024)
      .toString('latin1')
      .includes(key);
  return elsewhere ? 'elsewhere' : 'authorization';
}

async function readBody(incoming: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of incoming as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new Error('request body too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

class Recorder {
  readonly entries: TranscriptEntry[] = [];
  readonly bodies = new Map<number, Buffer>();
  readonly served = new Map<string, ServedMemo>();
  private seq = 0;

  record(entry: Omit<TranscriptEntry, 'seq'>, body: Buffer | undefined): void {
    const seq = ++this.seq;
    this.entries.push({ seq, ...entry });
    if (body !== undefined && body.length <= KEPT_BODY_BYTES) this.bodies.set(seq, body);
  }
}

/** Starts the proxy. @throws InvalidOptionsError, ConformanceSetupError */
export async function startConformanceProxy(options: ProxyOptions): Promise<RunningProxy> {
  const { profile } = options;
  if (profile !== 'sender' && profile !== 'recipient-pull')
    throw new InvalidOptionsError(
      `proxy mode takes --profile sender or recipient-pull, not ${options.profile}`,
    );
  let upstream: URL;
  try {
    upstream = new URL(options.upstream.replace(/\/$/, ''));
  } catch {
    throw new InvalidOptionsError(
      `--upstream must be NgDP's API URL, e.g. https://test.digitalpost.dk/apis/v1, got ${options.upstream}`,
    );
  }
  const dispatcher: Dispatcher | undefined =
    options.tls === undefined ? undefined : new Agent({ connect: { ...options.tls } });
  const recorder = new Recorder();
  const startedAt = new Date();
  const server: Server = createServer((incoming, outgoing) => {
    forward(incoming, outgoing, upstream, dispatcher, recorder).catch(() => outgoing.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new ConformanceSetupError(
          `the proxy cannot listen on port ${options.port ?? 4600}: ${error.code ?? error.message}`,
        ),
      ),
    );
    server.listen(options.port ?? 4600, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    apiUrl: `http://127.0.0.1:${port}/apis/v1`,
    async stop() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await dispatcher?.close();
      return profile === 'sender'
        ? judge('sender', SENDER_CHECKS, PROXY_CHECKS, observationOf(recorder, startedAt), startedAt)
        : judge(
            'recipient-pull',
            PROXY_PULL_CATALOGUE,
            PROXY_PULL_CHECKS,
            pullObservationOf(recorder, startedAt),
            startedAt,
          );
    },
  };
}

async function forward(
  incoming: IncomingMessage,
  outgoing: ServerResponse,
  upstream: URL,
  dispatcher: Dispatcher | undefined,
  recorder: Recorder,
): Promise<void> {
  const started = Date.now();
  const url = new URL(incoming.url ?? '/', 'http://proxy');
  if (!url.pathname.startsWith('/apis/v1/') && url.pathname !== '/apis/v1') {
    outgoing
      .writeHead(404, { 'content-type': 'application/json' })
      .end('{"code":"NOT_FOUND","message":"the proxy serves /apis/v1 only"}');
    return;
  }
  const method = incoming.method ?? 'GET';
  const body = await readBody(incoming);
  const path = url.pathname.slice('/apis/v1'.length) || '/';
  const operation = operationOf(method, path);
  const memoId = /^\/memos\/([^/]+)(?:\/receipt)?\/?$/.exec(path)?.[1];
  const messageUUID =
    url.searchParams.get('memo-message-uuid') ?? (memoId === undefined ? null : decodeURIComponent(memoId));
  const base = {
    at: new Date(started).toISOString(),
    wallAt: new Date(started).toISOString(),
    direction: 'in' as const,
    channel: 'http' as const,
    systemId: null,
    operation,
    method,
    path: `${url.pathname}${url.search}`,
    messageUUID,
    bodyBytes: body.length,
    bodySha256: body.length === 0 ? null : sha256(body),
    fault: null,
    credentials: credentialsOf(incoming, body),
  };
  let answer: Awaited<ReturnType<typeof request>>;
  try {
    answer = await request(`${upstream.href.replace(/\/$/, '')}${path}${url.search}`, {
      method: method as 'GET',
      headers: headersOf(incoming.headers),
      ...(body.length === 0 ? {} : { body }),
      ...(dispatcher === undefined ? {} : { dispatcher }),
    });
  } catch {
    recorder.record({ ...base, status: null, durationMs: Date.now() - started, code: null }, body);
    outgoing.destroy();
    return;
  }
  const answered = Buffer.from(await answer.body.arrayBuffer());
  const retryAfter = Number(answer.headers['retry-after']);
  recorder.record(
    {
      ...base,
      status: answer.statusCode,
      durationMs: Date.now() - started,
      code: answer.statusCode >= 400 ? codeOf(answered) : null,
      ...(Number.isFinite(retryAfter) ? { retryAfterMs: retryAfter * 1000 } : {}),
    },
    operation === 'POST /memos/' || operation === 'POST /memos/{id}/receipt' ? body : undefined,
  );
  if (operation === 'GET /memos/{id}' && answer.statusCode === 200 && messageUUID !== null)
    recorder.served.set(messageUUID.toLowerCase(), servedMemoOf(messageUUID, answered));
  outgoing.writeHead(answer.statusCode, headersOf(answer.headers)).end(answered);
}

function codeOf(body: Buffer): string | null {
  try {
    const code = (JSON.parse(body.toString('utf8')) as { code?: unknown }).code;
    return typeof code === 'string' ? code : null;
  } catch {
    return null;
  }
}

/** What the proxy saw, as a sender observation: requests, and the MeMos NgDP took. */
function observationOf(recorder: Recorder, startedAt: Date): SenderObservation {
  const held = new Map<string, HeldMessage>();
  for (const entry of recorder.entries) {
    const body = recorder.bodies.get(entry.seq);
    if (
      entry.operation !== 'POST /memos/' ||
      entry.status !== 201 ||
      body === undefined ||
      entry.messageUUID === null
    )
      continue;
    const validation = validateMemo(body);
    held.set(entry.messageUUID.toLowerCase(), {
      messageUUID: entry.messageUUID,
      state: {
        messageUUID: entry.messageUUID,
        senderSystemId: '',
        state: 'RECEIVED',
        receiptStatus: null,
        receivedAt: entry.wallAt,
        events: [],
      },
      issues: validation.issues,
      memo: validation.memo,
      valueDateText: valueDateTextOf(body),
      letter: undefined,
      receiptMadeAt: undefined,
    });
  }
  return {
    scenario: {
      id: 'proxy',
      title: 'what the system did through the proxy',
      judges: PROXY_CHECKS,
      letters: [],
      deadlineMs: 0,
    },
    receipts: 'pull',
    systemId: '',
    deadlineMs: 0,
    letters: [],
    adapter: {
      startedAt: startedAt.getTime(),
      endedAt: Date.now(),
      exitCode: null,
      signal: null,
      timedOut: false,
      stderr: '',
    },
    requests: recorder.entries,
    held,
    report: { lines: [], problems: [] },
    leftoverReceipts: undefined,
    pushes: [],
    clock: new ClockLog(),
    earlierUuids: new Map(),
  };
}

/** Judges `observation` by the checks of `catalogue` proxy mode can (`judged`); the others are skipped. */
function judge<O>(
  profile: 'sender' | 'recipient-pull',
  catalogue: readonly Check<O>[],
  judged: readonly string[],
  observation: O,
  startedAt: Date,
): ConformanceReport {
  const selection = selectChecks(catalogue, { only: judged });
  const findings = new Findings();
  for (const check of catalogue)
    if (selection.selected.has(check.id))
      findings.add(check.id, { scenario: 'proxy', judgement: check.judge(observation) });
  const why =
    profile === 'sender'
      ? 'needs the suite’s scenarios: judged by conformance run'
      : 'proxy mode cannot judge it (it needs the suite’s scenarios, MeMos or the vendor report): judged by conformance run';
  const skipped = new Map([...selection.skipped].map(([id]) => [id, why]));
  const checks = resultsOf(
    catalogue,
    { ...selection, skipped },
    findings,
    () => 'the system did nothing through the proxy that it looks at',
  );
  return {
    tool: 'digitalpost',
    version: VERSION,
    profile,
    seed: 0,
    certify: false,
    chaos: false,
    startedAt: startedAt.toISOString(),
    durationMs: Date.now() - startedAt.getTime(),
    summary: summaryOf(checks),
    checks,
  };
}
