/**
 * Property-based fuzzing of the three receivers (hardening issue: "no crash and no 5xx from any
 * single request"): hostile methods, headers and bodies — random bytes, broken and hostile
 * multipart, MeMos with DTDs, entities, character references, deep nesting and truncation, JSON of
 * every shape and depth, content codings, chunked bodies — written by hand on real sockets.
 *
 * Whatever comes, each receiver answers below 500 with nothing or its `{ code, message }`, reports
 * only documented errors (ReceiverRefusal, MemoParseError, MemoValidationError), leaves no promise
 * rejected, never shows a full CPR number, and keeps serving. A fixed number of runs per receiver
 * in the suite and CI; `npm run fuzz` runs many more (test/support/fuzz.ts).
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { MemoParseError, MemoValidationError, ReceiverRefusal } from '../../sdk/errors.ts';
import {
  createMemoReceiver,
  createNotificationReceiver,
  createReceiptReceiver,
} from '../../sdk/receivers/index.ts';
import { FUZZ_TIMEOUT_MS, fuzzRuns } from '../support/fuzz.ts';
import {
  memoXml,
  multipart,
  post,
  rawRequest,
  type Served,
  serve,
  stubClient,
} from '../support/receivers.ts';

const RUNS = fuzzRuns(150);
/** The CPR number planted in bodies and headers; no answer or report may show it whole. */
const CPR = '0101901234';

const reported: unknown[] = [];
const unhandled: unknown[] = [];
const stub = stubClient(async (messageUUID) => memoXml({ messageUUID }));
let server: Served;

const onUnhandled = (reason: unknown): void => {
  unhandled.push(reason);
};

beforeAll(async () => {
  process.on('unhandledRejection', onUnhandled);
  const options = {
    client: stub.client,
    onMemo: () => {},
    onError: (error: unknown) => reported.push(error),
  };
  const receivers: Record<string, (req: IncomingMessage, res: ServerResponse) => void> = {
    '/memos': createMemoReceiver({ ...options, maxBytes: 256 * 1024 }),
    '/receipts': createReceiptReceiver({
      onReceipt: () => {},
      onError: options.onError,
      maxBytes: 64 * 1024,
    }),
    '/notifications': createNotificationReceiver(options),
  };
  server = await serve((req, res) => receivers[req.url ?? '']?.(req, res));
});
afterAll(async () => {
  process.off('unhandledRejection', onUnhandled);
  await server.close();
});

// ---------------------------------------------------------------------------------------------------
// Arbitraries

const text = (max: number) => fc.string({ maxLength: max, unit: 'binary' });
/** What may stand in a header value on the wire (Node refuses the rest itself, with 400). */
const headerText = fc.string({
  maxLength: 80,
  unit: fc.integer({ min: 0x20, max: 0x7e }).map(String.fromCharCode),
});

const hostileXmlText = fc.oneof(
  text(40),
  fc.constantFrom(
    '&#65;',
    '&#x0;',
    '&#1114112;',
    '&amp;&lt;&gt;',
    '&lol;',
    '<![CDATA[<x>]]>',
    ']]>',
    '<!-- x -->',
    '<?pi x?>',
    CPR,
    `${CPR.slice(0, 6)}-${CPR.slice(6)}`,
  ),
  fc.integer({ min: 1, max: 20_000 }).map((n) => 'A'.repeat(n)),
  fc.integer({ min: 1, max: 3_000 }).map((n) => '<a>'.repeat(n)),
);

const doctypes = fc.constantFrom(
  '',
  '<!DOCTYPE memo:Message [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>',
  '<!DOCTYPE memo:Message SYSTEM "file:///etc/passwd">',
  '<!DOCTYPE memo:Message [<!ENTITY xxe SYSTEM "http://127.0.0.1:1/">]>',
);

/** MeMo XML, valid or broken in the ways a hostile sender would try. */
const memoBytes: fc.Arbitrary<Buffer> = fc
  .record({
    messageUUID: fc.oneof(fc.uuid(), headerText),
    label: hostileXmlText,
    content: fc.oneof(fc.base64String({ maxLength: 200 }), hostileXmlText),
    doctype: doctypes,
    cut: fc.option(fc.nat(), { nil: undefined }),
    splice: fc.option(fc.tuple(fc.nat(), fc.uint8Array({ maxLength: 20 })), { nil: undefined }),
    declaration: fc.constantFrom(
      '',
      '<?xml version="1.0" encoding="UTF-16"?>',
      '<?xml version="1.1"?>',
      '\ufeff',
    ),
  })
  .map(({ messageUUID, label, content, doctype, cut, splice, declaration }) => {
    let xml = memoXml({ messageUUID, label, content })
      .toString('utf8')
      .replace('<?xml version="1.0" encoding="UTF-8"?>', `${declaration}${doctype}`);
    if (cut !== undefined) xml = xml.slice(0, cut % (xml.length + 1));
    let bytes = Buffer.from(xml);
    if (splice !== undefined) {
      const at = splice[0] % (bytes.length + 1);
      bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from(splice[1]), bytes.subarray(at)]);
    }
    return bytes;
  });

const partArbitrary = fc.record({
  name: fc.oneof({ arbitrary: fc.constant('file'), weight: 4 }, { arbitrary: headerText, weight: 1 }),
  filename: fc.option(
    fc.oneof(
      { arbitrary: fc.uuid(), weight: 4 },
      { arbitrary: fc.oneof(headerText, fc.constant(CPR), fc.constant('../../etc/passwd')), weight: 1 },
    ),
    { nil: undefined, freq: 6 },
  ),
  content: fc.oneof(
    { arbitrary: memoBytes, weight: 6 },
    { arbitrary: fc.uint8Array({ maxLength: 2_000 }).map((bytes) => Buffer.from(bytes)), weight: 1 },
  ),
  contentType: fc.option(fc.oneof(fc.constantFrom('application/xml', 'text/plain'), headerText), {
    nil: undefined,
  }),
});

interface Request {
  method: string;
  contentType: string | undefined;
  contentEncoding: string | undefined;
  body: Buffer;
  chunked: boolean;
}

interface Payload {
  body: Buffer;
  contentType: string;
}

/** A multipart body, mostly one part `file`, well-formed or mangled, and its Content-Type. */
const multipartPayload: fc.Arbitrary<Payload> = fc
  .record({
    parts: fc.oneof(
      { arbitrary: partArbitrary.map((part) => [{ ...part, name: 'file' }]), weight: 4 },
      { arbitrary: fc.array(partArbitrary, { maxLength: 4 }), weight: 1 },
    ),
    mangle: fc.constantFrom(
      ...Array<string>(8).fill('none'),
      'no-closing',
      'other-boundary',
      'no-boundary',
      'cut',
    ),
    cutAt: fc.nat(),
  })
  .map(({ parts, mangle, cutAt }) => {
    const built = multipart(parts);
    let { body, contentType } = built;
    if (mangle === 'no-closing') body = body.subarray(0, body.lastIndexOf('--'));
    if (mangle === 'other-boundary') contentType = 'multipart/form-data; boundary=elsewhere';
    if (mangle === 'no-boundary') contentType = 'multipart/form-data';
    if (mangle === 'cut') body = body.subarray(0, cutAt % (body.length + 1));
    return { body, contentType };
  });

const nested = fc
  .tuple(fc.integer({ min: 1, max: 50_000 }), fc.constantFrom('[', '{"a":'))
  .map(([depth, open]) => open.repeat(depth) + (open === '[' ? ']' : '1}').repeat(depth));

/** Mostly `valid`, sometimes any JSON value, sometimes left out (undefined). */
const field = (valid: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> =>
  fc.oneof({ arbitrary: valid, weight: 6 }, fc.jsonValue(), fc.constant(undefined));

/** Objects with the fields of a receipt and of a notification, each mostly right. */
const ngdpishJson = fc
  .record({
    transmissionId: field(fc.uuid()),
    messageUUID: field(fc.oneof({ arbitrary: fc.uuid(), weight: 4 }, fc.constant(CPR))),
    memoUrl: field(fc.webUrl()),
    timeStamp: field(fc.date({ noInvalidDate: true }).map((d) => d.toISOString())),
    receiptStatus: field(fc.constantFrom('COMPLETED', 'INVALID', 'NOT_ALLOWED')),
    errorCode: fc.option(fc.jsonValue(), { nil: undefined }),
    errorMessage: fc.option(fc.oneof(fc.string(), fc.constant(CPR)), { nil: undefined }),
  })
  .map((value) => JSON.stringify(value));

const jsonPayload: fc.Arbitrary<Payload> = fc
  .oneof(
    { arbitrary: ngdpishJson, weight: 6 },
    fc.json(),
    nested,
    fc.constant('{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}'),
    fc.string({ unit: 'binary' }),
  )
  .map((body) => ({ body: Buffer.from(body), contentType: 'application/json' }));

const bytesPayload: fc.Arbitrary<Payload> = fc
  .uint8Array({ maxLength: 4_000 })
  .map((bytes) => ({ body: Buffer.from(bytes), contentType: 'application/octet-stream' }));

/** Requests aimed at one receiver: mostly what it expects, bent; sometimes anything at all. */
function requestFor(path: string): fc.Arbitrary<Request> {
  const expected = path === '/memos' ? multipartPayload : jsonPayload;
  return fc
    .record({
      method: fc.oneof(
        { arbitrary: fc.constant('POST'), weight: 12 },
        fc.constantFrom('GET', 'PUT', 'DELETE', 'OPTIONS', 'PATCH'),
      ),
      payload: fc.oneof(
        { arbitrary: expected, weight: 8 },
        { arbitrary: path === '/memos' ? jsonPayload : multipartPayload, weight: 1 },
        { arbitrary: bytesPayload, weight: 1 },
      ),
      contentType: fc.oneof(
        fc.constant(undefined),
        headerText,
        fc.constantFrom(
          'application/json',
          'text/json; charset=utf-16',
          `application/x-${CPR}+json`,
          'multipart/form-data; boundary=""',
          `multipart/form-data; boundary=${'b'.repeat(80)}`,
        ),
      ),
      keepContentType: fc.oneof({ arbitrary: fc.constant(true), weight: 8 }, fc.constant(false)),
      contentEncoding: fc.oneof(
        { arbitrary: fc.constant(undefined), weight: 12 },
        fc.constantFrom('gzip', 'br', 'deflate', 'identity', 'gzip, identity', 'x-custom'),
      ),
      chunked: fc.boolean(),
    })
    .map(({ method, payload, contentType, keepContentType, contentEncoding, chunked }) => ({
      method,
      contentType: keepContentType ? payload.contentType : contentType,
      contentEncoding,
      body: payload.body,
      chunked,
    }));
}

// ---------------------------------------------------------------------------------------------------
// The property

function head(path: string, request: Request): string {
  const headers: string[] = [`${request.method} ${path} HTTP/1.1`, 'host: 127.0.0.1', 'connection: close'];
  if (request.contentType !== undefined) headers.push(`content-type: ${request.contentType}`);
  if (request.contentEncoding !== undefined) headers.push(`content-encoding: ${request.contentEncoding}`);
  headers.push(request.chunked ? 'transfer-encoding: chunked' : `content-length: ${request.body.length}`);
  return headers.join('\r\n');
}

function encoded(request: Request): Buffer[] {
  if (!request.chunked) return [request.body];
  const pieces: Buffer[] = [];
  for (let offset = 0; offset < request.body.length; offset += 1_000) {
    const piece = request.body.subarray(offset, offset + 1_000);
    pieces.push(Buffer.concat([Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n')]));
  }
  pieces.push(Buffer.from('0\r\n\r\n'));
  return pieces;
}

const DOCUMENTED = [ReceiverRefusal, MemoParseError, MemoValidationError];

async function answersCleanly(path: string, request: Request): Promise<void> {
  reported.length = 0;
  const answer = await rawRequest(server.url, head(path, request), encoded(request));

  expect(answer).toHaveProperty('status');
  if (!('status' in answer)) return;
  expect(answer.status).toBeLessThan(500);
  if (answer.body !== '') {
    expect(JSON.parse(answer.body)).toEqual({ code: expect.any(String), message: expect.any(String) });
  }
  expect(answer.body).not.toContain(CPR);
  // Reports come after the answer (receipts are posted once it is sent): let them arrive.
  await new Promise((resolve) => setImmediate(resolve));
  for (const error of reported) {
    expect(
      DOCUMENTED.some((type) => error instanceof type),
      String(error),
    ).toBe(true);
    expect((error as Error).message).not.toContain(CPR);
  }
  for (const receipt of stub.calls.receipts) expect(receipt.errorMessage ?? '').not.toContain(CPR);
  expect(unhandled).toEqual([]);
}

describe.each(['/memos', '/receipts', '/notifications'])('the receiver at %s', (path) => {
  test(`answers ${RUNS} hostile requests below 500, reporting only documented errors`, {
    timeout: FUZZ_TIMEOUT_MS,
  }, async () => {
    await fc.assert(
      fc.asyncProperty(requestFor(path), (request) => answersCleanly(path, request)),
      { numRuns: RUNS },
    );
  });

  test('still takes what NgDP sends afterwards', async () => {
    const messageUUID = randomUUID();
    const push = multipart([{ name: 'file', filename: messageUUID, content: memoXml({ messageUUID }) }]);
    const requests = {
      '/memos': () => post(`${server.url}/memos`, push.body, push.contentType),
      '/receipts': () =>
        post(
          `${server.url}/receipts`,
          JSON.stringify({
            transmissionId: messageUUID,
            timeStamp: '2024-03-01T09:16:02Z',
            receiptStatus: 'COMPLETED',
          }),
          'application/json',
        ),
      '/notifications': () =>
        post(
          `${server.url}/notifications`,
          JSON.stringify({
            messageUUID,
            memoUrl: 'https://example.invalid/',
            timeStamp: '2024-03-01T09:16:02Z',
          }),
          'application/json',
        ),
    } as const;

    expect((await requests[path as keyof typeof requests]()).status).toBe(200);
  });
});
