/**
 * Test helpers for `DigitalPostClient` against a real simulator: a client that records its log
 * events, and a recording HTTP proxy that shows exactly what the client put on the wire.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent, type Dispatcher, getGlobalDispatcher, request } from 'undici';
import { type ClientOptions, DigitalPostClient } from '../../sdk/client/client.ts';
import type { RequestLogEvent } from '../../sdk/http/transport.ts';

/** Retry settings small enough to keep tests fast. */
export const FAST_RETRY = { initialDelayMs: 5, maxDelayMs: 20 } as const;

export interface LoggedClient {
  client: DigitalPostClient;
  /** Every log event the client emitted, in order (one per attempt). */
  events: RequestLogEvent[];
}

/** A client for `baseUrl` with fast retries that keeps its log events (and passes them to `logger`). */
export function loggedClient(
  baseUrl: string,
  apiKey: string,
  options: Omit<ClientOptions, 'apiKey' | 'baseUrl' | 'environment'> = {},
): LoggedClient {
  const events: RequestLogEvent[] = [];
  const client = new DigitalPostClient({
    baseUrl,
    apiKey,
    retry: FAST_RETRY,
    ...options,
    logger: (event) => {
      events.push(event);
      options.logger?.(event);
    },
  });
  return { client, events };
}

export interface WatchedDispatcher {
  dispatcher: Dispatcher;
  /** Resolves as the `count`th request is handed to the dispatcher, in the client's own call. */
  dispatched(count: number): Promise<void>;
}

/**
 * A dispatcher that tells when the client sends each request: at once, in the client's call, not
 * when a server has read it. With `settlesBefore` a test asks whether a retry was sent before some
 * timer was due, as a question of order.
 */
export function watchedDispatcher(base: Dispatcher = getGlobalDispatcher()): WatchedDispatcher {
  let sent = 0;
  const waiting: Array<{ count: number; resolve: () => void }> = [];
  const dispatcher = base.compose((dispatch) => (options, handler) => {
    sent++;
    for (const waiter of waiting.filter((w) => w.count <= sent)) waiter.resolve();
    return dispatch(options, handler);
  });
  return {
    dispatcher,
    dispatched: (count) =>
      count <= sent ? Promise.resolve() : new Promise((resolve) => waiting.push({ count, resolve })),
  };
}

export interface RecordedRequest {
  method: string;
  /** Path and query as received. */
  url: string;
  httpVersion: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface Recorder {
  /** The recorder's `…/apis/v1`, to give a client as its baseUrl. */
  apiUrl: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'host', 'upgrade']);

/**
 * A recording proxy in front of an `…/apis/v1` URL. It forwards every request whole, and finishes
 * forwarding even when the client has given up (as a slow network would).
 */
export async function startRecorder(targetApiUrl: string): Promise<Recorder> {
  const target = new URL(targetApiUrl);
  const upstream = new Agent();
  const requests: RecordedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      const recorded: RecordedRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        httpVersion: req.httpVersion,
        headers: req.headers,
        body: Buffer.concat(chunks),
      };
      requests.push(recorded);
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(req.headers)) {
        if (!HOP_BY_HOP.has(name) && typeof value === 'string') headers[name] = value;
      }
      try {
        const answer = await request(`${target.origin}${recorded.url}`, {
          method: recorded.method as 'GET',
          headers,
          dispatcher: upstream,
          ...(recorded.body.length > 0 ? { body: recorded.body } : {}),
        });
        const body = Buffer.from(await answer.body.arrayBuffer());
        const forward: Record<string, string | string[]> = {};
        for (const [name, value] of Object.entries(answer.headers)) {
          if (!HOP_BY_HOP.has(name) && value !== undefined) forward[name] = value;
        }
        if (!res.destroyed) res.writeHead(answer.statusCode, forward).end(body);
      } catch {
        res.destroy();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    apiUrl: `http://127.0.0.1:${port}${target.pathname}`,
    requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await upstream.close();
    },
  };
}

/** A loopback URL on which nothing listens (connections are refused). */
export async function refusingUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/apis/v1`;
}
