/**
 * The simulator's express app called in-process: a fetch `Request` for NgDP's API or the control API
 * goes in, a `Response` comes out — the shape msw handlers and the testing dispatcher both answer
 * with. The app runs in a real `http.Server` that never listens: each connection is an in-memory
 * stream pair (`duplexPair`) handed to the server, spoken to by an undici pool. So express sees
 * ordinary requests (no patched prototypes, unlike injection libraries that rewrite express's
 * shared request/response objects and break real express servers in the same process), and no port
 * is opened.
 */
import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { duplexPair } from 'node:stream';
import { Pool } from 'undici';
import type { SimulatorCore } from '../simulator/core.ts';
import { SimulatorConfigError } from '../simulator/index.ts';

const API_ROOT = '/apis/v1';
const CONTROL_ROOT = '/simulator/v1';

/** Headers of the express answer that belong to its (non-existent) connection. */
const CONNECTION_HEADERS = new Set(['connection', 'keep-alive', 'transfer-encoding']);

/** Statuses whose response has no body (a `Response` refuses one). */
const NO_BODY = new Set([204, 205, 304]);

/** NgDP's API base URL, checked: http(s), ending in `/apis/v1`, without a trailing slash. */
export function checkBaseUrl(baseUrl: string): URL {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new SimulatorConfigError(`baseUrl is not a URL: ${baseUrl}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new SimulatorConfigError(`baseUrl must be http(s), got ${baseUrl}`);
  }
  if (url.search !== '' || url.hash !== '') {
    throw new SimulatorConfigError(`baseUrl must not have a query or fragment: ${baseUrl}`);
  }
  url.pathname = url.pathname.replace(/\/+$/, '');
  if (!url.pathname.endsWith(API_ROOT)) {
    throw new SimulatorConfigError(
      `baseUrl must end in ${API_ROOT}, as NgDP's does (e.g. https://api.test.digitalpost.dk/apis/v1), got ${baseUrl}`,
    );
  }
  return url;
}

function isUnder(pathname: string, root: string): boolean {
  return pathname === root || pathname.startsWith(`${root}/`);
}

/** Where the pool believes it connects; the connections never leave the process. */
const IN_PROCESS_ORIGIN = 'http://ngdp-simulator.in-process';

function responseHeaders(headers: Record<string, string | string[] | undefined>): Headers {
  const result = new Headers();
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || CONNECTION_HEADERS.has(name.toLowerCase())) continue;
    if (Array.isArray(value)) for (const item of value) result.append(name, item);
    else result.append(name, value);
  }
  return result;
}

export class InProcessSimulator {
  /** NgDP's API, e.g. `https://api.test.digitalpost.dk/apis/v1`. */
  readonly baseUrl: string;
  /** The control API on the same origin, e.g. `https://api.test.digitalpost.dk/simulator/v1`. */
  readonly controlUrl: string;
  private readonly origin: string;
  /** What stands before `/apis/v1` in the base URL's path (usually nothing). */
  private readonly mount: string;
  private readonly core: SimulatorCore;
  private readonly server: Server;
  private readonly pool: Pool;
  private readonly running = new Set<Promise<unknown>>();
  private closing: Promise<void> | undefined;

  constructor(core: SimulatorCore, baseUrl: URL) {
    this.core = core;
    this.origin = baseUrl.origin;
    this.mount = baseUrl.pathname.slice(0, -API_ROOT.length);
    this.baseUrl = `${this.origin}${this.mount}${API_ROOT}`;
    this.controlUrl = `${this.origin}${this.mount}${CONTROL_ROOT}`;
    this.server = createServer(core.app);
    this.pool = new Pool(IN_PROCESS_ORIGIN, {
      connect: (_options, callback) => {
        const [clientSide, serverSide] = duplexPair();
        // The simulator's IP allow-lists see a loopback caller.
        Object.defineProperty(serverSide, 'remoteAddress', { value: '127.0.0.1' });
        this.server.emit('connection', serverSide);
        // undici needs the socket after its connect call has returned.
        setImmediate(() => callback(null, clientSide as unknown as Socket));
      },
    });
  }

  /** The app's path for a URL this simulator answers, or undefined for any other URL. */
  appPath(url: string | URL): string | undefined {
    const parsed = typeof url === 'string' ? new URL(url) : url;
    if (parsed.origin !== this.origin || !parsed.pathname.startsWith(this.mount)) return undefined;
    const path = parsed.pathname.slice(this.mount.length);
    return isUnder(path, API_ROOT) || isUnder(path, CONTROL_ROOT) ? `${path}${parsed.search}` : undefined;
  }

  /** Answers a request for NgDP's API or the control API; undefined when the URL is not the simulator's. */
  async handle(request: Request): Promise<Response | undefined> {
    const path = this.appPath(request.url);
    if (path === undefined) return undefined;
    if (this.closing !== undefined) {
      return Response.json(
        {
          code: 'SIMULATOR_CLOSED',
          message: 'the in-process NgDP simulator was closed (createDigitalPostHandlers().close())',
          fieldErrors: [],
        },
        { status: 503 },
      );
    }
    const work = this.call(request, path);
    this.running.add(work);
    try {
      return await work;
    } finally {
      this.running.delete(work);
    }
  }

  private async call(request: Request, path: string): Promise<Response> {
    const headers: Record<string, string> = {};
    request.headers.forEach((value, name) => {
      if (name !== 'content-length' && name !== 'host' && !CONNECTION_HEADERS.has(name))
        headers[name] = value;
    });
    headers.host = new URL(request.url).host;
    const body = request.body === null ? undefined : Buffer.from(await request.arrayBuffer());
    const answer = await this.pool.request({
      method: request.method,
      path,
      headers,
      signal: request.signal,
      ...(body === undefined || body.length === 0 ? {} : { body }),
    });
    const bytes = Buffer.from(await answer.body.arrayBuffer());
    const status = answer.statusCode;
    return new Response(NO_BODY.has(status) || request.method === 'HEAD' ? null : bytes, {
      status,
      statusText: answer.statusText,
      headers: responseHeaders(answer.headers),
    });
  }

  /** Waits for requests under way, then stops the simulator; requests after this answer 503. */
  close(): Promise<void> {
    this.closing ??= Promise.allSettled([...this.running])
      .then(() => this.pool.close())
      .then(() => this.core.close());
    return this.closing;
  }
}
