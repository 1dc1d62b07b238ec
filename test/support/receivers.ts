/**
 * Test-only helpers of the receivers' tests: serve a handler on loopback, hand-build multipart
 * bodies and raw requests, post to a receiver, get a MeMo that the simulator holds for the seeded
 * company recipient system (so receipts posted for it are real), or stand in for NgDP's client
 * where no simulator is needed.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type RequestListener, type Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { request } from 'undici';
import { expect, vi } from 'vitest';
import { DigitalPostClient } from '../../sdk/client/client.ts';
import type { Receipt } from '../../sdk/client/types.ts';
import type { Memo } from '../../sdk/memo/types.ts';
import type { RunningSimulator } from '../../simulator/index.ts';
import { FAST_RETRY } from './client.ts';
import { call, keyOf, letterTo, receiptsFor, SEED_IDS, sendMemo } from './simulator.ts';

export const COMPANY = { cvr: '87654321' } as const;

export interface Served {
  url: string;
  close(): Promise<void>;
}

/** Serves `listener` (a receiver or an express app) on a free loopback port. */
export async function serve(listener: RequestListener): Promise<Served> {
  const server: Server = createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export interface Part {
  name: string;
  /** Leave out for a plain field. */
  filename?: string;
  content: Uint8Array | string;
  contentType?: string;
}

/** A multipart/form-data body built by hand. */
export function multipart(parts: Part[]): { body: Buffer; contentType: string } {
  const boundary = `----test${randomBytes(8).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const filename = part.filename === undefined ? '' : `; filename="${part.filename}"`;
    const type = part.contentType === undefined ? '' : `\r\nContent-Type: ${part.contentType}`;
    chunks.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"${filename}${type}\r\n\r\n`,
      ),
      Buffer.from(part.content),
      Buffer.from('\r\n'),
    );
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** The push NgDP makes: part `file` named by the messageUUID. */
export function memoPush(xml: Uint8Array | string, filename: string): { body: Buffer; contentType: string } {
  return multipart([{ name: 'file', filename, content: xml, contentType: 'application/xml' }]);
}

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: unknown;
}

/** POSTs to a receiver and reads its whole answer. */
export async function post(
  url: string,
  body: Uint8Array | string,
  contentType: string | undefined,
  method = 'POST',
): Promise<Answer> {
  const response = await request(url, {
    method: method as 'POST',
    body: method === 'GET' ? null : body,
    headers: contentType === undefined ? {} : { 'content-type': contentType },
  });
  const text = await response.body.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.statusCode, headers: response.headers, text, json };
}

/** The seeded company recipient system's client, with fast retries. */
export function companyClient(simulator: RunningSimulator, apiKey?: string): DigitalPostClient {
  return new DigitalPostClient({
    baseUrl: simulator.apiUrl,
    apiKey: apiKey ?? keyOf(simulator, SEED_IDS.companyRecipient),
    retry: FAST_RETRY,
  });
}

export interface HeldMemo {
  messageUUID: string;
  memo: Memo;
  /** The XML as the simulator serves it to the recipient system. */
  xml: Buffer;
}

/**
 * Sends a letter to the company from the PULL sender; with the company's system on REST_PULL the
 * simulator then holds it for that system, as if pushed and not yet acknowledged.
 */
export async function heldMemo(
  simulator: RunningSimulator,
  extra: Parameters<typeof letterTo>[1] = {},
): Promise<HeldMemo> {
  const memo = await letterTo(COMPANY, extra);
  const messageUUID = memo.messageHeader.messageUUID;
  const sent = await sendMemo(simulator, keyOf(simulator, SEED_IDS.senderPull), memo);
  expect(sent.status, sent.text).toBe(201);
  await simulator.settle();
  const response = await request(`${simulator.apiUrl}/memos/${messageUUID}`, {
    headers: {
      authorization: `Basic ${keyOf(simulator, SEED_IDS.companyRecipient)}`,
      accept: 'application/xml',
    },
  });
  expect(response.statusCode).toBe(200);
  return { messageUUID, memo, xml: Buffer.from(await response.body.arrayBuffer()) };
}

/** Waits until the sender system has exactly one business receipt for the message, and returns it. */
export async function senderReceipt(
  simulator: RunningSimulator,
  messageUUID: string,
  sender: string = SEED_IDS.senderPull,
): Promise<Receipt> {
  return vi.waitFor(
    async () => {
      const receipts = await receiptsFor(simulator, keyOf(simulator, sender), messageUUID);
      expect(receipts).toHaveLength(1);
      return receipts[0] as Receipt;
    },
    { timeout: 3_000, interval: 10 },
  );
}

/** The receipts a sender can pull for the message right now. */
export async function receiptsNow(
  simulator: RunningSimulator,
  messageUUID: string,
  sender: string = SEED_IDS.senderPull,
): Promise<Receipt[]> {
  return (await receiptsFor(simulator, keyOf(simulator, sender), messageUUID)) as Receipt[];
}

/** The simulator's state of a message (control API). */
export async function stateOf(simulator: RunningSimulator, messageUUID: string): Promise<string> {
  const response = await call(`${simulator.controlUrl}/messages/${messageUUID}`);
  return (response.json as { state: string }).state;
}

/** A promise with its resolve function outside: a gate a test opens when it wants. */
export function gate(): { opened: Promise<void>; open(): void } {
  let open = (): void => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

/** What a {@link stubClient} was asked to do. */
export interface StubCalls {
  receipts: Array<{ messageUUID: string; receiptStatus: 'COMPLETED' | 'INVALID'; errorMessage?: string }>;
  fetched: string[];
}

/**
 * A stand-in for the recipient system's DigitalPostClient, for tests that need no NgDP: it records
 * the receipts posted and answers fetches with `fetchXml` (default: a valid MeMo under the id).
 */
export function stubClient(
  fetchXml: (messageUUID: string) => Promise<Buffer> = async (id) => memoXml({ messageUUID: id }),
): {
  client: DigitalPostClient;
  calls: StubCalls;
} {
  const calls: StubCalls = { receipts: [], fetched: [] };
  const inbox = {
    complete: async (messageUUID: string) => {
      calls.receipts.push({ messageUUID, receiptStatus: 'COMPLETED' });
    },
    reject: async (messageUUID: string, details: { errorMessage: string }) => {
      calls.receipts.push({ messageUUID, receiptStatus: 'INVALID', errorMessage: details.errorMessage });
    },
    fetchXml: (messageUUID: string) => {
      calls.fetched.push(messageUUID);
      return fetchXml(messageUUID);
    },
  };
  return { client: { inbox } as unknown as DigitalPostClient, calls };
}

const MINIMAL_MEMO = readFileSync(new URL('../fixtures/memo/minimal-1.2.xml', import.meta.url), 'utf8');
const MINIMAL_UUID = '3f2b8c1e-9d4a-4e7b-a1c5-6d8e2f4b7a90';
const MINIMAL_CONTENT = 'JVBERi0xLjQKJcOkw7zDtsOfCg==';

/**
 * A valid MeMo 1.2 (the minimal fixture: a letter to CPR 0101901234) as XML bytes, with its
 * messageUUID, label or `content` (base64 text as it stands in the XML) replaced.
 */
export function memoXml(changes: { messageUUID?: string; label?: string; content?: string } = {}): Buffer {
  let xml = MINIMAL_MEMO;
  if (changes.messageUUID !== undefined) xml = xml.replace(MINIMAL_UUID, changes.messageUUID);
  if (changes.label !== undefined) xml = xml.replace('Afgørelse om boligstøtte', changes.label);
  if (changes.content !== undefined) xml = xml.replace(MINIMAL_CONTENT, changes.content);
  return Buffer.from(xml);
}

/** How a server answered a request written by hand, or that it closed the connection without answering. */
export type RawAnswer = { status: number; headers: Record<string, string>; body: string } | { closed: true };

/**
 * Writes a request by hand on a new connection — `head` (request line and headers, without the
 * blank line), then each piece of `body` after the one before was written and `pauseMs` passed —
 * and reads the first answer. `abortAfter` destroys the connection after that many body pieces.
 */
export async function rawRequest(
  url: string,
  head: string,
  body: Array<string | Buffer> = [],
  options: { pauseMs?: number; abortAfter?: number } = {},
): Promise<RawAnswer> {
  const { port } = new URL(url);
  const socket = connect(Number(port), '127.0.0.1');
  socket.on('error', () => {});
  await new Promise((resolve) => socket.once('connect', resolve));
  const received: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => received.push(chunk));
  const ended = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.write(`${head}\r\n\r\n`);
  for (const [index, piece] of body.entries()) {
    if (options.abortAfter === index) break;
    if (options.pauseMs !== undefined) await new Promise((resolve) => setTimeout(resolve, options.pauseMs));
    if (socket.destroyed) break;
    socket.write(piece);
  }
  if (options.abortAfter !== undefined) {
    socket.destroy();
    return { closed: true };
  }
  await Promise.race([ended, answered(received)]);
  socket.destroy();
  return parseAnswer(Buffer.concat(received).toString('latin1'));
}

/** Resolves once `received` holds a whole answer (head and Content-Length bytes of body). */
async function answered(received: Buffer[]): Promise<void> {
  for (;;) {
    const text = Buffer.concat(received).toString('latin1');
    const end = text.indexOf('\r\n\r\n');
    if (end >= 0) {
      const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(text.slice(0, end))?.[1] ?? 0);
      if (text.length >= end + 4 + length) return;
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function parseAnswer(text: string): RawAnswer {
  const end = text.indexOf('\r\n\r\n');
  if (end < 0) return { closed: true };
  const [statusLine = '', ...lines] = text.slice(0, end).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status: Number(statusLine.split(' ')[1]), headers, body: text.slice(end + 4) };
}
