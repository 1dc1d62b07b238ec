/**
 * A hostile NgDP of our own: a loopback HTTP (or HTTPS, optionally demanding a client certificate)
 * server that answers through a small route table and misbehaves on purpose — endless bodies,
 * looping cursors, echoed headers, answers lost after a state change — plus a TCP server that
 * accepts connections and never speaks (a TLS handshake that stalls). Like Pebble, it exists so that
 * the client is built against the worst a server can do; each test says what it does.
 *
 * Every request is recorded (method, path and query, headers, body), so tests count requests and
 * check their order instead of timing them.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { type AddressInfo, createServer as createTcpServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface HostileRequest {
  method: string;
  /** The path below `/apis/v1`, without the query: `/receipts-bulk/`. */
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

/** Answers one request; it may write anything, or nothing, and may destroy the socket. */
export type Handler = (request: HostileRequest, response: ServerResponse) => void | Promise<void>;

/** `METHOD /path` (a `:id` segment matches one path segment) → handler. */
export type Routes = Record<string, Handler>;

export interface HostileServer {
  /** The server's `…/apis/v1`, to give a client as its baseUrl. */
  apiUrl: string;
  /** Every request, in the order it arrived. */
  requests: HostileRequest[];
  /** Bytes the server wrote into response bodies, over all requests. */
  bytesWritten(): number;
  close(): Promise<void>;
}

export interface HostileServerOptions {
  /** Serve HTTPS with this certificate (see {@link makeCertificates}). */
  tls?: { key: Buffer; cert: Buffer; ca?: Buffer; requestCert?: boolean };
}

const API = '/apis/v1';

function matches(pattern: string, path: string): boolean {
  const want = pattern.split('/');
  const got = path.split('/');
  return (
    want.length === got.length && want.every((part, index) => part.startsWith(':') || part === got[index])
  );
}

/** Starts a hostile server on 127.0.0.1 (port 0) answering `routes`; others get 404. */
export async function startHostileServer(
  routes: Routes,
  options: HostileServerOptions = {},
): Promise<HostileServer> {
  const requests: HostileRequest[] = [];
  let written = 0;
  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://hostile.invalid');
      const path = url.pathname.startsWith(API) ? url.pathname.slice(API.length) : url.pathname;
      const request: HostileRequest = {
        method: req.method ?? '',
        path,
        query: url.searchParams,
        headers: req.headers,
        body: Buffer.concat(chunks),
      };
      requests.push(request);
      const write = res.write.bind(res);
      res.write = ((chunk: unknown, ...rest: unknown[]) => {
        if (typeof chunk === 'string' || chunk instanceof Uint8Array) written += Buffer.byteLength(chunk);
        return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
      }) as typeof res.write;
      const route = Object.entries(routes).find(([key]) => {
        const [method, pattern] = key.split(' ');
        return method === request.method && pattern !== undefined && matches(pattern, path);
      });
      const handler: Handler =
        route?.[1] ??
        ((_request, response) =>
          void response.writeHead(404, { 'content-type': 'application/json' }).end('{"code":"NOT_FOUND"}'));
      Promise.resolve(handler(request, res)).catch(() => res.destroy());
    });
  };
  const server: Server = options.tls
    ? createHttpsServer(
        {
          key: options.tls.key,
          cert: options.tls.cert,
          ...(options.tls.ca ? { ca: options.tls.ca } : {}),
          requestCert: options.tls.requestCert ?? false,
          rejectUnauthorized: options.tls.requestCert ?? false,
        },
        listener,
      )
    : createHttpServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    apiUrl: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}${API}`,
    requests,
    bytesWritten: () => written,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// Misbehaviours

/** A JSON answer. */
export function json(status: number, body: unknown, headers: Record<string, string> = {}): Handler {
  return (_request, response) => {
    response.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
  };
}

/** An answer with exactly these bytes and headers. */
export function raw(status: number, headers: Record<string, string>, body: string | Buffer = ''): Handler {
  return (_request, response) => {
    response.writeHead(status, headers).end(body);
  };
}

/**
 * An answer whose body never ends: `chunk` again and again, as fast as the client takes it, until the
 * client goes away. `prefix` first (e.g. `{"receipts":[`), so the body starts as the real one would.
 */
export function endlessBody(
  status: number,
  options: { contentType?: string; prefix?: string; chunk?: string; contentLength?: number } = {},
): Handler {
  const chunk = Buffer.from(options.chunk ?? ' '.repeat(64 * 1024));
  return (_request, response) => {
    response.writeHead(status, {
      'content-type': options.contentType ?? 'application/json',
      ...(options.contentLength === undefined ? {} : { 'content-length': String(options.contentLength) }),
    });
    if (options.prefix !== undefined) response.write(options.prefix);
    const pump = (): void => {
      while (!response.destroyed && response.write(chunk));
      if (!response.destroyed) response.once('drain', pump);
    };
    response.on('close', () => response.removeAllListeners('drain'));
    pump();
  };
}

/** Answers nothing and keeps the connection open (the client must give up on its own). */
export const silence: Handler = () => {};

/**
 * Does what `effect` says (a state change: a receipt deleted, a letter taken) and then loses the
 * answer: the connection is closed without a byte. The client cannot tell whether it happened.
 */
export function loseAnswerAfter(effect: (request: HostileRequest) => void): Handler {
  return (request, response) => {
    effect(request);
    response.socket?.destroy();
  };
}

/** The first `count` requests to this route go to `first`, the rest to `then`. */
export function firstThen(count: number, first: Handler, then: Handler): Handler {
  let seen = 0;
  return (request, response) => (seen++ < count ? first(request, response) : then(request, response));
}

// ---------------------------------------------------------------------------------------------------
// A TCP server that accepts and never speaks

export interface SilentServer {
  /** `https://127.0.0.1:<port>/apis/v1`: a client's TLS handshake to it never completes. */
  apiUrl: string;
  /** Connections accepted so far. */
  connections(): number;
  close(): Promise<void>;
}

/** Accepts TCP connections and never sends a byte: a TLS handshake (or an HTTP answer) stalls. */
export async function startSilentServer(): Promise<SilentServer> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server = createTcpServer((socket) => {
    accepted++;
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    apiUrl: `https://127.0.0.1:${port}${API}`,
    connections: () => accepted,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// Certificates (throwaways made with the system's openssl)

export interface Certificates {
  ca: Buffer;
  serverCert: Buffer;
  serverKey: Buffer;
  clientCert: Buffer;
  clientKey: Buffer;
}

/** A CA, a server certificate for 127.0.0.1 and a client certificate. Needs `openssl` on the PATH. */
export function makeCertificates(): Certificates {
  const dir = mkdtempSync(join(tmpdir(), 'dp-hostile-tls-'));
  try {
    const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
    openssl(
      'req',
      '-x509',
      ...ec,
      '-keyout',
      'ca.key',
      '-out',
      'ca.crt',
      '-days',
      '2',
      '-subj',
      '/CN=Hostile CA',
    );
    writeFileSync(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
    writeFileSync(join(dir, 'client.ext'), 'extendedKeyUsage=clientAuth\n');
    for (const [name, subject] of [
      ['server', '/CN=127.0.0.1'],
      ['client', '/CN=Testkommune sagssystem'],
    ] as const) {
      openssl('req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject);
      openssl(
        'x509',
        '-req',
        '-in',
        `${name}.csr`,
        '-CA',
        'ca.crt',
        '-CAkey',
        'ca.key',
        '-CAcreateserial',
        '-days',
        '2',
        '-out',
        `${name}.crt`,
        '-extfile',
        `${name}.ext`,
      );
    }
    const read = (file: string) => readFileSync(join(dir, file));
    return {
      ca: read('ca.crt'),
      serverCert: read('server.crt'),
      serverKey: read('server.key'),
      clientCert: read('client.crt'),
      clientKey: read('client.key'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------------
// NgDP-shaped bodies

let counter = 0;

/** A fresh UUID-shaped id (deterministic per run, distinct per call). */
export function uuid(): string {
  counter++;
  return `00000000-0000-4000-8000-${counter.toString(16).padStart(12, '0')}`;
}

/** A business receipt as `GET /receipts-bulk/` lists it. */
export function bulkReceipt(fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: uuid(),
    transmissionId: uuid(),
    messageUUID: uuid(),
    timeStamp: '2025-06-02T08:00:00Z',
    receiptStatus: 'COMPLETED',
    ...fields,
  };
}

/** A `ReceiptSearchResult` page. */
export function receiptPage(
  receipts: unknown[],
  fields: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    currentPage: 0,
    totalPages: 1,
    elementsOnPage: receipts.length,
    totalElements: receipts.length,
    receipts,
    ...fields,
  };
}
