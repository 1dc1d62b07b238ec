/**
 * Test helpers around a real simulator on loopback: start one, call its API as a seeded system,
 * build MeMos, and run local HTTP servers that receive what the simulator pushes.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import busboy from 'busboy';
import { type Agent, request } from 'undici';
import { expect } from 'vitest';
import { createLetter } from '../../sdk/memo/builder.ts';
import type { Memo } from '../../sdk/memo/types.ts';
import { serializeMemoToBytes } from '../../sdk/memo/writer.ts';
import { SEED_IDS } from '../../simulator/domain/seed.ts';
import {
  type RunningSimulator,
  type SimulatorOptions,
  startSimulator,
  type TranscriptEntry,
} from '../../simulator/index.ts';

export { SEED_IDS };

/** Starts a simulator on a free port (manual clock unless told otherwise). */
export function startTestSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  return startSimulator({ port: 0, clock: 'manual', pushTimeoutMs: 2_000, ...options });
}

export interface ApiResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** The body parsed as JSON (undefined when empty or not JSON). */
  json: unknown;
}

export interface CallOptions {
  method?: string;
  /** An API key, or undefined to send no Authorization header. */
  apiKey?: string;
  body?: string | Uint8Array;
  contentType?: string;
  headers?: Record<string, string>;
  /** A dispatcher, e.g. an Agent bound to another local address. */
  dispatcher?: Agent;
}

/** A raw HTTP call; never throws for HTTP error statuses. */
export async function call(url: string, options: CallOptions = {}): Promise<ApiResponse> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.apiKey !== undefined) headers.authorization = `Basic ${options.apiKey}`;
  if (options.contentType !== undefined) headers['content-type'] = options.contentType;
  const response = await request(url, {
    method: (options.method ?? 'GET') as 'GET',
    headers,
    ...(options.body === undefined ? {} : { body: options.body }),
    ...(options.dispatcher === undefined ? {} : { dispatcher: options.dispatcher }),
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

/** The API key of a seeded system. */
export function keyOf(simulator: RunningSimulator, systemId: string): string {
  const system = simulator.fixtures.systems.find((s) => s.id === systemId);
  if (system === undefined) throw new Error(`no seeded system ${systemId}`);
  return system.apiKey;
}

/** A small, valid letter from the seeded authority (CVR 12345678). */
export function letterTo(
  recipient: { cpr: string } | { cvr: string },
  extra: Partial<Parameters<typeof createLetter>[0]> = {},
): Promise<Memo> {
  return createLetter({
    sender: { cvr: '12345678', label: 'Testkommune' },
    recipient,
    label: 'Test letter',
    document: { content: Buffer.from('%PDF-1.4\n%%EOF\n'), filename: 'letter.pdf' },
    ...extra,
  } as Parameters<typeof createLetter>[0]);
}

/** `POST /memos/` of one MeMo as a system. */
export function sendMemo(
  simulator: RunningSimulator,
  apiKey: string,
  memo: Memo | Uint8Array,
  uuid?: string,
): Promise<ApiResponse> {
  const body = memo instanceof Uint8Array ? memo : serializeMemoToBytes(memo);
  const messageUUID = uuid ?? (memo instanceof Uint8Array ? '' : memo.messageHeader.messageUUID);
  return call(`${simulator.apiUrl}/memos/?memo-message-uuid=${messageUUID}`, {
    method: 'POST',
    apiKey,
    body,
    contentType: 'application/xml',
  });
}

/** The control API's view of a message (`GET /simulator/v1/messages/{id}`). */
export interface MessageState {
  state: string;
  receiptStatus: string | null;
  events: Array<{ eventTag: string; eventTime: string; message?: string }>;
  messageUUID?: string;
  transmissionId?: string;
  messageId?: string;
  senderSystemId?: string;
  label?: string;
  doNotDeliverUntilDate?: string;
  receivedAt?: string;
  deliveredAt?: string;
  fetchedAt?: string;
  recalledAt?: string;
}

/** The control API's view of a message. */
export async function messageState(simulator: RunningSimulator, messageUUID: string): Promise<MessageState> {
  const response = await call(`${simulator.controlUrl}/messages/${messageUUID}`);
  return response.json as MessageState;
}

/** All receipts a sender system can pull right now (full bodies). */
export async function pullReceipts(
  simulator: RunningSimulator,
  apiKey: string,
): Promise<Array<Record<string, string>>> {
  const response = await call(`${simulator.apiUrl}/receipts-bulk/?size=1000`, { apiKey });
  return (response.json as { receipts: Array<Record<string, string>> }).receipts;
}

export interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

export interface Receiver {
  url: string;
  requests: ReceivedRequest[];
  /** Status to answer with (default 200); a function decides per request. */
  respond: number | ((request: ReceivedRequest) => number);
  close(): Promise<void>;
}

/** A local HTTP server that records every request it gets, like a push endpoint. */
export async function startReceiver(respond: Receiver['respond'] = 200): Promise<Receiver> {
  const receiver: Receiver = {
    url: '',
    requests: [],
    respond,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const recorded = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks),
      };
      receiver.requests.push(recorded);
      res.statusCode = typeof receiver.respond === 'function' ? receiver.respond(recorded) : receiver.respond;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return receiver;
}

/** Sets fields of a system through the control API (endpoint, receiptEndpoint, protocol, …). */
export async function patchSystem(
  simulator: RunningSimulator,
  systemId: string,
  fields: Record<string, unknown>,
): Promise<void> {
  const response = await call(`${simulator.controlUrl}/systems/${systemId}`, {
    method: 'PATCH',
    body: JSON.stringify(fields),
    contentType: 'application/json',
  });
  if (response.status !== 200) throw new Error(`PATCH system failed: ${response.status} ${response.text}`);
}

/** NgDP's `ErrorMessage` (ngdp-api.md §9.1). */
export interface ErrorMessageBody {
  code: string;
  message: string;
  fieldErrors: Array<{
    resource: string;
    field: string;
    code: string;
    message: string;
    rejectedValue?: unknown;
  }>;
}

/** A Receipt as the API returns it (ngdp-api.md §4.1); `id` only in `/receipts-bulk/`. */
export interface ReceiptBody {
  id?: string;
  transmissionId: string;
  messageUUID?: string;
  messageId?: string;
  timeStamp: string;
  receiptStatus?: string;
  errorCode?: string;
  errorMessage?: string;
}

/** A call to the control API (`/simulator/v1`) with an optional JSON body. */
export function control(
  simulator: RunningSimulator,
  method: string,
  path: string,
  body?: unknown,
): Promise<ApiResponse> {
  return call(`${simulator.controlUrl}${path}`, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body), contentType: 'application/json' }),
  });
}

/** Calls the control API and fails unless it answers `expected` (default 200). */
async function controlOk(
  simulator: RunningSimulator,
  method: string,
  path: string,
  body?: unknown,
  expected = 200,
): Promise<ApiResponse> {
  const response = await control(simulator, method, path, body);
  if (response.status !== expected) {
    throw new Error(`${method} ${path} answered ${response.status}: ${response.text}`);
  }
  return response;
}

/** `POST /simulator/v1/clock/set` (may move backwards). */
export async function setClock(simulator: RunningSimulator, to: string): Promise<void> {
  await controlOk(simulator, 'POST', '/clock/set', { to });
}

/** `POST /simulator/v1/clock/advance` with an ISO duration. */
export async function advanceClock(simulator: RunningSimulator, by: string): Promise<void> {
  await controlOk(simulator, 'POST', '/clock/advance', { by });
}

/** `GET /simulator/v1/mailboxes/{owner}/messages`. */
export async function mailbox(
  simulator: RunningSimulator,
  owner: string,
): Promise<Array<{ messageUUID: string; label?: string; deliveredAt?: string; senderSystemId?: string }>> {
  const response = await controlOk(simulator, 'GET', `/mailboxes/${owner}/messages`);
  return response.json as Array<{ messageUUID: string }>;
}

/** The business receipts a sender system can pull for one message. */
export async function receiptsFor(
  simulator: RunningSimulator,
  apiKey: string,
  messageUUID: string,
): Promise<ReceiptBody[]> {
  const receipts = (await pullReceipts(simulator, apiKey)) as unknown as ReceiptBody[];
  return receipts.filter((receipt) => receipt.messageUUID === messageUUID);
}

/** The one business receipt of a message (fails when there is none or more than one). */
export async function receiptFor(
  simulator: RunningSimulator,
  apiKey: string,
  messageUUID: string,
): Promise<ReceiptBody> {
  const receipts = await receiptsFor(simulator, apiKey, messageUUID);
  if (receipts.length !== 1) {
    throw new Error(`expected one receipt for ${messageUUID}, found ${receipts.length}`);
  }
  return receipts[0] as ReceiptBody;
}

export interface PostMemoOptions {
  apiKey?: string;
  /** The `memo-message-uuid` query value; undefined leaves the parameter out. */
  uuid?: string;
  /** The Content-Type header (default `application/xml`). */
  contentType?: string;
  /** Send no Content-Type header at all. */
  noContentType?: boolean;
  dispatcher?: Agent;
}

/** `POST /memos/` of raw bytes (or a MeMo) with full control over query, content type and dispatcher. */
export function postMemo(
  simulator: RunningSimulator,
  body: Memo | Uint8Array | string,
  options: PostMemoOptions = {},
): Promise<ApiResponse> {
  const bytes = typeof body === 'string' || body instanceof Uint8Array ? body : serializeMemoToBytes(body);
  const query = options.uuid === undefined ? '' : `?memo-message-uuid=${encodeURIComponent(options.uuid)}`;
  return call(`${simulator.apiUrl}/memos/${query}`, {
    method: 'POST',
    body: bytes,
    ...(options.apiKey === undefined ? {} : { apiKey: options.apiKey }),
    ...(options.noContentType === true ? {} : { contentType: options.contentType ?? 'application/xml' }),
    ...(options.dispatcher === undefined ? {} : { dispatcher: options.dispatcher }),
  });
}

// ---------------------------------------------------------------- recipient-side helpers

/** A local HTTP server that records every request and never answers (a push endpoint that hangs). */
export async function startSilentReceiver(): Promise<Omit<Receiver, 'respond'>> {
  const requests: ReceivedRequest[] = [];
  const server: Server = createServer((req) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () =>
      requests.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks),
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export interface MultipartPart {
  /** The form field name. */
  name: string;
  /** The filename of a file part (undefined for a plain field). */
  filename: string | undefined;
  mimeType: string;
  content: Buffer;
}

/** The parts of a recorded multipart/form-data request, parsed with busboy. */
export function multipartParts(request: ReceivedRequest): Promise<MultipartPart[]> {
  return new Promise((resolve, reject) => {
    const parts: MultipartPart[] = [];
    const parser = busboy({ headers: request.headers });
    parser.on('file', (name, stream, info) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () =>
        parts.push({
          name,
          filename: info.filename,
          mimeType: info.mimeType,
          content: Buffer.concat(chunks),
        }),
      );
    });
    parser.on('field', (name, value, info) =>
      parts.push({ name, filename: undefined, mimeType: info.mimeType, content: Buffer.from(value) }),
    );
    parser.on('close', () => resolve(parts));
    parser.on('error', reject);
    parser.end(request.body);
  });
}

/** A system created through `POST /simulator/v1/systems`, with its API key. */
export interface CreatedSystem {
  id: string;
  apiKey: string;
  [field: string]: unknown;
}

/** `POST /simulator/v1/systems`; throws unless it answers 201. */
export async function createSystem(
  simulator: RunningSimulator,
  fields: Record<string, unknown>,
): Promise<CreatedSystem> {
  const response = await call(`${simulator.controlUrl}/systems`, {
    method: 'POST',
    body: JSON.stringify(fields),
    contentType: 'application/json',
  });
  if (response.status !== 201) throw new Error(`POST system failed: ${response.status} ${response.text}`);
  return response.json as CreatedSystem;
}

/** `POST /simulator/v1/faults`; throws unless it answers 201. */
export async function addFault(simulator: RunningSimulator, rule: Record<string, unknown>): Promise<void> {
  const response = await call(`${simulator.controlUrl}/faults`, {
    method: 'POST',
    body: JSON.stringify(rule),
    contentType: 'application/json',
  });
  if (response.status !== 201) throw new Error(`POST fault failed: ${response.status} ${response.text}`);
}

/** Whether the simulator has the message (`GET /simulator/v1/messages/{id}` answers 200). */
export async function messageExists(simulator: RunningSimulator, messageUUID: string): Promise<boolean> {
  return (await call(`${simulator.controlUrl}/messages/${messageUUID}`)).status === 200;
}

/** `POST /simulator/v1/reset`. */
export async function resetSimulator(simulator: RunningSimulator): Promise<void> {
  const response = await call(`${simulator.controlUrl}/reset`, { method: 'POST' });
  if (response.status !== 200) throw new Error(`reset failed: ${response.status} ${response.text}`);
}

/** Asserts an `ErrorMessage` answer with this status and code, and returns its body. */
export function expectErrorMessage(response: ApiResponse, status: number, code: string): ErrorMessageBody {
  expect(response.status, response.text).toBe(status);
  expect(response.json, response.text).toEqual({
    code,
    message: expect.any(String),
    fieldErrors: expect.any(Array),
  });
  return response.json as ErrorMessageBody;
}

/** An entry of `GET /simulator/v1/transcript` (docs/simulator.md, "The transcript"). */
export type TranscriptEntryBody = TranscriptEntry;

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
/** Null, or what `matcher` matches. */
const nullOr = (matcher: unknown) => expect.toSatisfy((value) => value === null || matches(value, matcher));

function matches(value: unknown, matcher: unknown): boolean {
  try {
    expect(value).toEqual(matcher);
    return true;
  } catch {
    return false;
  }
}

/**
 * Checks an answer of `GET /simulator/v1/transcript` against its documented shape — every field
 * of every entry, with its type and values — and returns it.
 */
export function expectTranscriptShape(response: ApiResponse): {
  entries: TranscriptEntryBody[];
  next: number;
} {
  expect(response.status, response.text).toBe(200);
  const body = response.json as { entries: TranscriptEntryBody[]; next: number };
  expect(Object.keys(body).sort()).toEqual(['entries', 'next']);
  expect(Number.isInteger(body.next)).toBe(true);
  for (const entry of body.entries) {
    expect(entry).toStrictEqual({
      seq: expect.any(Number),
      at: expect.stringMatching(ISO_INSTANT),
      wallAt: expect.stringMatching(ISO_INSTANT),
      direction: expect.toBeOneOf(['in', 'out']),
      channel: expect.toBeOneOf(['http', 'sftp']),
      systemId: nullOr(expect.stringMatching(UUID_PATTERN)),
      operation: expect.any(String),
      method: nullOr(expect.stringMatching(/^[A-Z]+$/)),
      path: expect.any(String),
      status: nullOr(expect.any(Number)),
      durationMs: expect.toSatisfy((value) => Number.isInteger(value) && (value as number) >= 0),
      messageUUID: nullOr(expect.stringMatching(UUID_PATTERN)),
      bodyBytes: nullOr(expect.toSatisfy((value) => Number.isInteger(value) && (value as number) >= 0)),
      bodySha256: nullOr(expect.stringMatching(/^[0-9a-f]{64}$/)),
      code: nullOr(expect.any(String)),
      fault: expect.toBeOneOf(['drop-before', 'drop-after', 'status', 'delay', 'chaos-503', null]),
      credentials: expect.toBeOneOf(['authorization', 'elsewhere', 'none']),
    });
    expect(entry.seq).toBeGreaterThan(0);
    expect(entry.bodyBytes === null).toBe(entry.bodySha256 === null);
  }
  const seqs = body.entries.map((entry) => entry.seq);
  expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
  return body;
}

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** `GET /simulator/v1/transcript` with a query (`systemId`, `after`, `limit`), checked for its shape. */
export async function transcript(
  simulator: RunningSimulator,
  query: Record<string, string | number> = {},
): Promise<{ entries: TranscriptEntryBody[]; next: number }> {
  const search = new URLSearchParams(
    Object.entries(query).map(([name, value]): [string, string] => [name, String(value)]),
  );
  const text = search.toString();
  return expectTranscriptShape(
    await control(simulator, 'GET', `/transcript${text === '' ? '' : `?${text}`}`),
  );
}
