/**
 * The HTTP edge shared by the receivers: small JSON answers, refusals with a status and a stable
 * code, and request bodies read with a size limit — from the stream, or from what a body parser
 * mounted earlier (express.json(), express.raw(), express.text()) left in `req.body`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ReceiverRefusal } from '../errors.ts';

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

/** Answers a refusal; a 413 also closes the connection, so the rest of a large upload is not read. */
export function answerRefusal(res: ServerResponse, refusal: ReceiverRefusal): void {
  const headers: Record<string, string> = {};
  if (refusal.status === 413) headers.connection = 'close';
  if (refusal.status === 405) headers.allow = 'POST';
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

/** Refuses a body that announces itself as too large before any of it is read. */
function checkDeclaredLength(req: IncomingMessage, maxBytes: number): void {
  const header = req.headers['content-length'];
  if (header !== undefined && Number(header) > maxBytes) throw tooLarge(maxBytes);
}

/** A request header value as shown in an answer: short, whatever the caller sent. */
export function shown(value: string | undefined): string {
  if (value === undefined) return 'nothing';
  return value.length <= 100 ? value : `${value.slice(0, 99)}…`;
}

/** Where {@link streamBody} puts the body: a Writable, or anything with the same few methods. */
export interface BodySink {
  /** False asks for a pause until `drain`. */
  write(chunk: Buffer): boolean;
  end(): void;
  once(event: 'drain', listener: () => void): unknown;
}

/**
 * Feeds the request body to `sink`, at most `maxBytes` of it. Over the limit it stops feeding and
 * rejects with a 413 refusal, but keeps the stream flowing (the 413 answer then closes the
 * connection). Resolves once the body has ended.
 */
export function streamBody(req: IncomingMessage, maxBytes: number, sink: BodySink): Promise<void> {
  checkDeclaredLength(req, maxBytes);
  return new Promise((resolve, reject) => {
    let size = 0;
    let settled = false;
    const settle = (outcome: () => void): void => {
      if (settled) return;
      settled = true;
      req.resume();
      outcome();
    };
    req.on('data', (chunk: Buffer) => {
      if (settled) return;
      size += chunk.length;
      if (size > maxBytes) settle(() => reject(tooLarge(maxBytes)));
      else if (!sink.write(chunk)) {
        req.pause();
        sink.once('drain', () => req.resume());
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

/** The whole request body, at most `maxBytes`. */
export async function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const collect: BodySink = {
    write: (chunk) => {
      chunks.push(chunk);
      return true;
    },
    end: () => {},
    once: () => undefined,
  };
  await streamBody(req, maxBytes, collect);
  return Buffer.concat(chunks);
}

const JSON_TYPE = /^\s*(?:application\/(?:[\w.+-]+\+)?json|text\/json)\s*(?:;|$)/i;

/**
 * A JSON request body: parsed by an earlier body parser, or read here (at most `maxBytes`). A body
 * without a Content-Type is read as JSON too; any other type than JSON is refused with 415.
 */
export async function readJson(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const parsed = parsedBody(req);
  if (parsed.found) {
    const { body } = parsed;
    if (Buffer.isBuffer(body)) return parseJson(body.toString('utf8'));
    return typeof body === 'string' ? parseJson(body) : body;
  }
  const type = req.headers['content-type'];
  if (type !== undefined && !JSON_TYPE.test(type)) {
    throw new ReceiverRefusal(415, 'UNSUPPORTED_MEDIA_TYPE', `expected application/json, got ${shown(type)}`);
  }
  return parseJson((await readBody(req, maxBytes)).toString('utf8'));
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new ReceiverRefusal(400, 'INVALID_JSON', 'the request body is not valid JSON');
  }
}
