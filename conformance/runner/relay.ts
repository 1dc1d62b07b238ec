/**
 * The receipt relay (`--receipts push`): the vendor's system is registered at NgDP with the relay as
 * its receipt endpoint, and the relay passes each push on to the vendor's `--receipt-endpoint`
 * unchanged, keeping its answer and timing as evidence — and, when a scenario asks, delivers one
 * receipt a second time, as NgDP's at-least-once delivery may.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import type { PushRecord } from '../evidence/sender.ts';

/** NgDP's push timeout (docs/simulator.md): an answer later than this is a failed delivery. */
export const PUSH_TIMEOUT_MS = 30_000;
/** Larger bodies are not receipts. */
const MAX_BODY = 1024 * 1024;

interface Delivery {
  body: Buffer;
  contentType: string;
}

export class ReceiptRelay {
  private readonly target: string;
  private readonly server: Server;
  private records: PushRecord[] = [];
  private inFlight = new Set<Promise<unknown>>();
  private repeatNext = false;
  readonly url: string;

  private constructor(target: string, server: Server) {
    this.target = target;
    this.server = server;
    const { port } = server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}/receipts`;
  }

  /** Starts a relay to `target` (the vendor's receipt endpoint) on a free loopback port. */
  static async start(target: string): Promise<ReceiptRelay> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const relay = new ReceiptRelay(target, server);
    server.on('request', (incoming, outgoing) => {
      const handling = relay.handle(incoming, outgoing);
      relay.track(handling);
    });
    return relay;
  }

  /** A new scenario: forget what was recorded; `repeat`: deliver the next accepted receipt twice. */
  begin(repeat: boolean): void {
    this.records = [];
    this.repeatNext = repeat;
  }

  /** Waits for deliveries under way, then hands over what was recorded. */
  async finish(): Promise<PushRecord[]> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
    this.repeatNext = false;
    return this.records;
  }

  async close(): Promise<void> {
    await this.finish();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private track(work: Promise<unknown>): void {
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
  }

  private async handle(incoming: IncomingMessage, outgoing: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of incoming as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_BODY) {
        outgoing.writeHead(413).end();
        return;
      }
      chunks.push(chunk);
    }
    const delivery = {
      body: Buffer.concat(chunks),
      contentType: incoming.headers['content-type'] ?? 'application/json',
    };
    const record = await this.deliver(delivery, false);
    outgoing.writeHead(record.status ?? 504).end();
    if (this.repeatNext && record.status !== null && record.status >= 200 && record.status < 300) {
      this.repeatNext = false;
      this.track(this.deliver(delivery, true));
    }
  }

  private async deliver(delivery: Delivery, repeat: boolean): Promise<PushRecord> {
    const at = Date.now();
    const base = { at, messageUUID: messageUUIDOf(delivery.body), repeat };
    let record: PushRecord;
    try {
      const answer = await request(this.target, {
        method: 'POST',
        headers: { 'content-type': delivery.contentType },
        body: delivery.body,
        headersTimeout: PUSH_TIMEOUT_MS,
        bodyTimeout: PUSH_TIMEOUT_MS,
        signal: AbortSignal.timeout(PUSH_TIMEOUT_MS),
      });
      await answer.body.dump();
      record = { ...base, status: answer.statusCode, durationMs: Date.now() - at };
    } catch (error) {
      record = { ...base, status: null, durationMs: Date.now() - at, error: (error as Error).message };
    }
    this.records.push(record);
    return record;
  }
}

function messageUUIDOf(body: Buffer): string | undefined {
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    const uuid = (parsed as { messageUUID?: unknown }).messageUUID;
    return typeof uuid === 'string' ? uuid : undefined;
  } catch {
    return undefined;
  }
}
