/**
 * Requests the suite POSTs straight to the vendor's endpoint — not NgDP's pushes, but what anyone
 * who finds the endpoint can send: garbage, the wrong content type, a push without its part, a body
 * far beyond any MeMo, a MeMo under another messageUUID than its filename, notifications of no
 * MeMo NgDP holds. The endpoint must refuse each (a 4xx, or a 2xx without taking it) and stay up.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Evidence } from '../model.ts';

/** What the suite sends to a push endpoint. */
export const PUSH_HOSTILE = [
  'garbage',
  'filename-mismatch',
  'missing-part',
  'oversized',
  'content-type',
] as const;
/** What the suite sends to a publish/subscribe endpoint. */
export const PUBSUB_HOSTILE = ['garbage', 'not-a-uuid', 'unknown-id', 'oversized', 'content-type'] as const;

export type HostileKind = (typeof PUSH_HOSTILE)[number] | (typeof PUBSUB_HOSTILE)[number];

/** A hostile request as the suite will send it. */
export interface HostileRequest {
  kind: HostileKind;
  /** What it is, for the report. */
  what: string;
  contentType: string;
  body: Uint8Array;
  /** Declared instead of the body's length: the body is then sent only in part. */
  declaredLength?: number;
  /** messageUUIDs it names (filename, MeMo, notification): none of them may be reported ACCEPTED. */
  uuids: string[];
}

/** How the endpoint answered. */
export interface HostileResult {
  kind: HostileKind;
  what: string;
  uuids: string[];
  /** Wall clock, ms. */
  at: number;
  /** null: no answer within {@link HOSTILE_ANSWER_MS} (or the connection failed). */
  status: number | null;
  durationMs: number;
  /** Why there was no answer. */
  error?: string;
}

/** How long the suite waits for the answer to a hostile request. */
export const HOSTILE_ANSWER_MS = 10_000;
/** The length an oversized request declares: far beyond any MeMo NgDP pushes (99.5 MB of content). */
export const OVERSIZED_BYTES = 1024 ** 3;

const BOUNDARY = '----digitalpost-conformance-hostile';

/** A multipart/form-data body with one part. */
export function multipartOf(
  part: { name: string; filename: string; content: Uint8Array },
  boundary = BOUNDARY,
): {
  body: Buffer;
  contentType: string;
} {
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"; filename="${part.filename}"\r\n` +
      'Content-Type: application/xml\r\n\r\n',
  );
  return {
    body: Buffer.concat([head, part.content, Buffer.from(`\r\n--${boundary}--\r\n`)]),
    contentType: `multipart/form-data; boundary=${boundary}`,
  };
}

/** Sends one hostile request to `endpoint` and resolves to how it was answered (never rejects). */
export function sendHostile(endpoint: string, hostile: HostileRequest): Promise<HostileResult> {
  const url = new URL(endpoint);
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const at = Date.now();
  const base = { kind: hostile.kind, what: hostile.what, uuids: hostile.uuids, at };
  return new Promise((resolve) => {
    let settled = false;
    const finish = (status: number | null, error?: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      resolve({ ...base, status, durationMs: Date.now() - at, ...(error === undefined ? {} : { error }) });
    };
    const req = send(url, {
      method: 'POST',
      headers: {
        'content-type': hostile.contentType,
        'content-length': String(hostile.declaredLength ?? hostile.body.length),
      },
      // A self-signed endpoint of the vendor's own is fine here: this is no NgDP traffic.
      rejectUnauthorized: false,
    });
    const timer = setTimeout(
      () => finish(null, `no answer within ${HOSTILE_ANSWER_MS / 1000} s`),
      HOSTILE_ANSWER_MS,
    );
    req.on('response', (response) => {
      response.resume();
      finish(response.statusCode ?? null);
    });
    req.on('error', (error) => finish(null, `the connection failed: ${error.message}`));
    if (hostile.declaredLength === undefined) req.end(hostile.body);
    else req.write(hostile.body);
  });
}

/** A hostile request's answer as report evidence. */
export function hostileEvidence(endpoint: string, result: HostileResult, note?: string): Evidence {
  return {
    at: new Date(result.at).toISOString(),
    method: 'POST',
    path: endpoint,
    status: result.status,
    messageUUID: result.uuids[0] ?? null,
    note: `${result.what}${result.error ? ` (${result.error})` : ''}${note ? `: ${note}` : ''}`,
  };
}
