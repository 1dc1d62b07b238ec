/**
 * The other answer to a resend. After a lost answer, the simulator answers a byte-identical resend
 * with the original 201 (differences.md, "Idempotent resend"); what NgDP answers is not documented,
 * and 409 `DUPLICATE_MESSAGE_UUID` with the original receipt is the other reading. For scenarios that
 * ask for it, this proxy stands between the vendor's system and the suite's NgDP: it passes every
 * request on unchanged (so the transcript records it as usual), closes the connection when NgDP
 * closed it, and turns NgDP's 201 to a resend of a messageUUID whose earlier answer was lost into
 * that 409, carrying the original receipt as NgDP's 409 body does.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';

/** Headers that belong to one connection, not to the request or answer passed on. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'upgrade',
  'proxy-connection',
  'host',
]);

const headersOf = (raw: Record<string, string | string[] | undefined>): Record<string, string | string[]> =>
  Object.fromEntries(
    Object.entries(raw).filter(
      (entry): entry is [string, string | string[]] =>
        entry[1] !== undefined && !HOP_BY_HOP.has(entry[0].toLowerCase()),
    ),
  );

/** Closes the caller's connection without an answer. */
function hangUp(incoming: IncomingMessage, outgoing: ServerResponse): void {
  (outgoing.socket ?? incoming.socket)?.destroy();
  outgoing.destroy();
}

export class ResendProxy {
  private readonly upstream: string;
  private readonly server: Server;
  /** messageUUIDs whose send lost its answer in this scenario. */
  private readonly lost = new Set<string>();
  /** The `/apis/v1` URL to give the vendor's system. */
  readonly apiUrl: string;

  private constructor(upstream: string, server: Server) {
    this.upstream = upstream;
    this.server = server;
    this.apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/apis/v1`;
  }

  /** Starts a proxy to `upstreamOrigin` (`http://127.0.0.1:PORT`) on a free loopback port. */
  static async start(upstreamOrigin: string): Promise<ResendProxy> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const proxy = new ResendProxy(upstreamOrigin, server);
    server.on('request', (incoming, outgoing) => {
      proxy.pass(incoming, outgoing).catch(() => hangUp(incoming, outgoing));
    });
    return proxy;
  }

  /** A new scenario: nothing lost yet. */
  begin(): void {
    this.lost.clear();
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private async pass(incoming: IncomingMessage, outgoing: ServerResponse): Promise<void> {
    const url = new URL(incoming.url ?? '/', 'http://proxy');
    const sending = incoming.method === 'POST' && url.pathname.replace(/\/$/, '') === '/apis/v1/memos';
    const uuid = sending ? url.searchParams.get('memo-message-uuid')?.toLowerCase() : undefined;
    let answer: Awaited<ReturnType<typeof request>>;
    try {
      answer = await request(`${this.upstream}${incoming.url ?? '/'}`, {
        method: (incoming.method ?? 'GET') as 'GET',
        headers: headersOf(incoming.headers),
        ...(incoming.method === 'GET' || incoming.method === 'HEAD' ? {} : { body: incoming }),
      });
    } catch {
      // NgDP closed the connection without an answer: so does the proxy.
      if (uuid !== undefined) this.lost.add(uuid);
      hangUp(incoming, outgoing);
      return;
    }
    const body = Buffer.from(await answer.body.arrayBuffer());
    if (uuid !== undefined && answer.statusCode === 201 && this.lost.has(uuid)) {
      outgoing.writeHead(409, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          code: 'DUPLICATE_MESSAGE_UUID',
          message: `a message with messageUUID ${uuid} was received already`,
          receipt: JSON.parse(body.toString('utf8')) as unknown,
        }),
      );
      return;
    }
    const headers = headersOf(answer.headers);
    delete headers['content-length'];
    outgoing.writeHead(answer.statusCode, headers).end(body);
  }
}
