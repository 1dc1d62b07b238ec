/**
 * The HTTP edge shared by the receivers: small JSON answers, refusals with a status and a stable
 * code, and request bodies read within limits (size, the receiver's budget of bytes in flight, a
 * stall timeout, no content coding) — from the stream, or from what a body parser mounted earlier
 * (express.json(), express.raw(), express.text()) left in `req.body`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ReceiverRefusal } from '../errors.ts';
import { maskCpr } from '../ngdp/identifiers.ts';
import { type BodyLimits, MAX_JSON_DEPTH, nestsDeeperThan, RETRY_AFTER_SECONDS } from './limits.ts';

/**
 * A request handler for `node:http` servers and express (`app.post(path, handler)`). It always
 * ends the response itself and never calls `next`.
 */
export type RequestHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  next?: (error?: unknown) => void,
) => void;

/** The client went away before its request was read; nobody is left to answer. */
export class ClientGone extends Error {}

/** Answers unless the response is already under way: no body, or `{ code, message }` as JSON. */
export function answer(
  res: ServerResponse,
  status: number,
  problem?: { code: string; message: string },
  headers: Record<string, string> = {},
): void {
  if (res.headersSent || res.writableEnded || res.destroyed) return;
  res.statusCode = status;
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  if (problem === undefined) {
    res.setHeader('content-length', '0');
    res.end();
    return;
  }
  const body = JSON.stringify({ code: problem.code, message: problem.message });
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('content-length', String(Buffer.byteLength(body)));
  res.end(body);
}

/**
 * Requests whose declared body is within the receiver's limits: refused before it was all read,
 * the rest of such a body is read and dropped (Node does that for a kept-alive connection), so that
 * the client, still sending, gets to read the answer instead of a reset connection.
 */
const drainable = new WeakSet<IncomingMessage>();

/**
 * Answers a refusal. One answered before the whole request was read closes the connection — the
 * rest of the upload is not read — unless the body's declared length is within the limits (see
 * {@link drainable}): a 503 `RECEIVER_BUSY` then reaches NgDP as a 503, with its `Retry-After`.
 */
export function answerRefusal(res: ServerResponse, refusal: ReceiverRefusal): void {
  const headers: Record<string, string> = {};
  const unread = res.req?.complete === false && !drainable.has(res.req);
  if (refusal.status === 413 || refusal.status === 408 || unread) headers.connection = 'close';
  if (refusal.status === 405) headers.allow = 'POST';
  if (refusal.code === 'RECEIVER_BUSY') headers['retry-after'] = String(RETRY_AFTER_SECONDS);
  if (refusal.code === 'UNSUPPORTED_CONTENT_ENCODING') headers['accept-encoding'] = 'identity';
  answer(res, refusal.status, { code: refusal.code, message: refusal.message }, headers);
}

export const notPost = (what: string): ReceiverRefusal =>
  new ReceiverRefusal(405, 'METHOD_NOT_ALLOWED', `NgDP delivers ${what} with POST`);

export function tooLarge(maxBytes: number): ReceiverRefusal {
  return new ReceiverRefusal(
    413,
    'PAYLOAD_TOO_LARGE',
    `the request body is larger than this endpoint accepts (${maxBytes} bytes)`,
  );
}

/** What a body parser mounted before the receiver left behind, if it read the body. */
export function parsedBody(req: IncomingMessage): { found: true; body: unknown } | { found: false } {
  // A parser that did not read the stream (wrong content type) may still have set req.body = {}.
  if (!req.readableEnded) return { found: false };
  const body = (req as IncomingMessage & { body?: unknown }).body;
  if (body === undefined) {
    throw new ReceiverRefusal(
      500,
      'BODY_ALREADY_READ',
      'the request body was read before this receiver; mount it before other body parsers',
    );
  }
  return { found: true, body };
}

/** The body's declared length, refused (413) when over the limit; undefined when not declared. */
function declaredLength(req: IncomingMessage, maxBytes: number): number | undefined {
  const header = req.headers['content-length'];
  if (header === undefined) return undefined;
  const length = Number(header);
  if (length > maxBytes) throw tooLarge(maxBytes);
  return length;
}

/**
 * Refuses a body in a content coding: the limits are on the bytes the receiver reads, and a
 * decompressed body would be beyond them. (A body parser mounted earlier may decode it; what it
 * left in `req.body` is taken as it is.)
 */
function checkIdentityEncoding(req: IncomingMessage): void {
  const coding = req.headers['content-encoding']?.trim().toLowerCase();
  if (coding === undefined || coding === '' || coding === 'identity') return;
  throw new ReceiverRefusal(
    415,
    'UNSUPPORTED_CONTENT_ENCODING',
    `the body must not be compressed: Content-Encoding ${shown(coding)} is not supported`,
  );
}

/**
 * Takes the body's room in the receiver's budget before anything is read: the declared length, or
 * without one, the bytes as they come. Returns the declared length.
 */
export function admitBody(req: IncomingMessage, limits: BodyLimits): number | undefined {
  checkIdentityEncoding(req);
  const declared = declaredLength(req, limits.maxBytes);
  if (declared === undefined) return undefined;
  drainable.add(req);
  limits.claim.cover(declared);
  return declared;
}

/**
 * A request header value as shown in an answer: short, and every run of ten digits masked as a
 * CPR number would be, wherever it stands (`maskCpr` spares digits inside words and identifiers;
 * text a caller made up deserves no such care).
 */
export function shown(value: string | undefined): string {
  if (value === undefined) return 'nothing';
  return maskDigitRuns(value.length <= 100 ? value : `${value.slice(0, 99)}…`);
}

/** `DDMMYYSSSS` and `DDMMYY-SSSS` anywhere in `text` as `DDMMYY****` and `DDMMYY-****`, as `maskCpr` shows them. */
export function maskDigitRuns(text: string): string {
  return maskCpr(text).replace(/(\d{6})(-?)\d{4}/g, '$1$2****');
}

/** Where {@link streamBody} puts the body: a Writable, or anything with the same few methods. */
export interface BodySink {
  /** False asks for a pause until `drain`. */
  write(chunk: Buffer): boolean;
  end(): void;
  once(event: 'drain', listener: () => void): unknown;
}

/**
 * Feeds the request body to `sink` within `limits` (call {@link admitBody} first). Over a limit it
 * stops feeding and rejects with the refusal (413, 503 or 408), but keeps the stream flowing: the
 * rest is dropped until the answer, which closes the connection ({@link answerRefusal}). Resolves
 * once the body has ended.
 */
export function streamBody(req: IncomingMessage, limits: BodyLimits, sink: BodySink): Promise<void> {
  const { maxBytes, claim, idleMs } = limits;
  return new Promise((resolve, reject) => {
    let size = 0;
    let settled = false;
    const settle = (outcome: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(stall);
      req.resume();
      outcome();
    };
    const stall = setTimeout(() => settle(() => reject(stalled(idleMs))), idleMs);
    stall.unref();
    req.on('data', (chunk: Buffer) => {
      if (settled) return;
      stall.refresh();
      size += chunk.length;
      if (size > maxBytes) return settle(() => reject(tooLarge(maxBytes)));
      try {
        claim.cover(size);
      } catch (refusal) {
        return settle(() => reject(refusal));
      }
      if (!sink.write(chunk)) {
        req.pause();
        sink.once('drain', () => {
          if (!settled) req.resume();
        });
      }
    });
    req.on('end', () =>
      settle(() => {
        sink.end();
        resolve();
      }),
    );
    req.on('error', (error) => settle(() => reject(new ClientGone(error.message))));
    req.on('close', () => {
      if (!req.complete) settle(() => reject(new ClientGone('the request was aborted')));
    });
  });
}

const stalled = (idleMs: number): ReceiverRefusal =>
  new ReceiverRefusal(408, 'REQUEST_TIMEOUT', `the request body stopped coming for ${idleMs} ms`);

/** The whole request body, within `limits`. */
export async function readBody(req: IncomingMessage, limits: BodyLimits): Promise<Buffer> {
  admitBody(req, limits);
  const chunks: Buffer[] = [];
  const collect: BodySink = {
    write: (chunk) => {
      chunks.push(chunk);
      return true;
    },
    end: () => {},
    once: () => undefined,
  };
  await streamBody(req, limits, collect);
  return Buffer.concat(chunks);
}

const JSON_TYPE = /^\s*(?:application\/(?:[\w.+-]+\+)?json|text\/json)\s*(?:;|$)/i;

/**
 * A JSON request body: parsed by an earlier body parser, or read here within `limits`. A body
 * without a Content-Type is read as JSON too; any other type than JSON is refused with 415, JSON
 * nested deeper than {@link MAX_JSON_DEPTH} with 400 `JSON_TOO_DEEP`.
 */
export async function readJson(req: IncomingMessage, limits: BodyLimits): Promise<unknown> {
  const parsed = parsedBody(req);
  if (parsed.found) {
    const { body } = parsed;
    if (Buffer.isBuffer(body)) {
      limits.claim.cover(body.length);
      return parseJson(body.toString('utf8'));
    }
    if (typeof body !== 'string') return body;
    limits.claim.cover(body.length);
    return parseJson(body);
  }
  const type = req.headers['content-type'];
  if (type !== undefined && !JSON_TYPE.test(type)) {
    throw new ReceiverRefusal(415, 'UNSUPPORTED_MEDIA_TYPE', `expected application/json, got ${shown(type)}`);
  }
  return parseJson((await readBody(req, limits)).toString('utf8'));
}

function parseJson(text: string): unknown {
  if (nestsDeeperThan(text, MAX_JSON_DEPTH)) {
    throw new ReceiverRefusal(
      400,
      'JSON_TOO_DEEP',
      `the request body nests JSON deeper than ${MAX_JSON_DEPTH} levels; NgDP sends one flat object`,
    );
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new ReceiverRefusal(400, 'INVALID_JSON', 'the request body is not valid JSON');
  }
}
