/**
 * The receivers against requests nobody honest sends (hardening issue: "no crash and no 5xx from any
 * single request"; client issue: "the push receivers trust whoever POSTs"): bodies beyond the
 * budget of bytes in flight, bodies that stall, compressed bodies, JSON nested 100 000 deep,
 * clients that go away at every step, and secrets in what the receivers say. NgDP is a stand-in
 * client here: what matters is what the receiver answers and reports.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { ReceiverRefusal } from '../../sdk/errors.ts';
import type { RequestHandler } from '../../sdk/receivers/http.ts';
import {
  createMemoReceiver,
  createNotificationReceiver,
  createReceiptReceiver,
  type MemoReceiverOptions,
  type NotificationReceiverOptions,
  type ReceiptReceiverOptions,
} from '../../sdk/receivers/index.ts';
import {
  gate,
  memoXml,
  multipart,
  post,
  rawRequest,
  type Served,
  serve,
  stubClient,
} from '../support/receivers.ts';

const servers: Served[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function mount(handler: RequestHandler): Promise<string> {
  const server = await serve(handler);
  servers.push(server);
  return server.url;
}

interface Harness {
  url: string;
  handled: string[];
  errors: unknown[];
}

async function memoReceiver(
  options: Partial<MemoReceiverOptions> = {},
): Promise<Harness & ReturnType<typeof stubClient>> {
  const stub = stubClient();
  const handled: string[] = [];
  const errors: unknown[] = [];
  const url = await mount(
    createMemoReceiver({
      client: stub.client,
      onMemo: ({ messageUUID }) => {
        handled.push(messageUUID);
      },
      onError: (error) => errors.push(error),
      ...options,
    }),
  );
  return { url, handled, errors, ...stub };
}

async function receiptReceiver(options: Partial<ReceiptReceiverOptions> = {}): Promise<Harness> {
  const handled: string[] = [];
  const errors: unknown[] = [];
  const url = await mount(
    createReceiptReceiver({
      onReceipt: (receipt) => {
        handled.push(receipt.transmissionId);
      },
      onError: (error) => errors.push(error),
      ...options,
    }),
  );
  return { url, handled, errors };
}

async function notificationReceiver(
  options: Partial<NotificationReceiverOptions> = {},
  fetchXml?: (messageUUID: string) => Promise<Buffer>,
): Promise<Harness & ReturnType<typeof stubClient>> {
  const stub = stubClient(fetchXml);
  const handled: string[] = [];
  const errors: unknown[] = [];
  const url = await mount(
    createNotificationReceiver({
      client: stub.client,
      onMemo: ({ messageUUID }) => {
        handled.push(messageUUID);
      },
      onError: (error) => errors.push(error),
      ...options,
    }),
  );
  return { url, handled, errors, ...stub };
}

/** A valid push of a new message, padded with an ignored part to `size` bytes when asked. */
function pushOf(messageUUID = randomUUID(), size?: number): { body: Buffer; contentType: string } {
  const memo = { name: 'file', filename: messageUUID, content: memoXml({ messageUUID }) };
  if (size === undefined) return multipart([memo]);
  // Boundaries are all of one length: the envelope is the same for every padding.
  const envelope = multipart([memo, { name: 'padding', content: '' }]).body.length;
  return multipart([memo, { name: 'padding', content: 'x'.repeat(size - envelope) }]);
}

/** A receipt as NgDP pushes it, its errorMessage padded to make it `size` bytes when asked. */
function receiptJson(size?: number): string {
  const receipt = {
    transmissionId: randomUUID(),
    messageUUID: randomUUID(),
    timeStamp: '2024-03-01T09:16:02.114Z',
    receiptStatus: 'COMPLETED',
    errorMessage: '',
  };
  const envelope = JSON.stringify(receipt).length;
  return JSON.stringify({ ...receipt, errorMessage: 'x'.repeat((size ?? envelope) - envelope) });
}

const notificationJson = (messageUUID = randomUUID()): string =>
  JSON.stringify({ messageUUID, memoUrl: 'https://example.invalid/', timeStamp: '2024-03-01T09:16:02Z' });

const KIB = 1024;

describe('a push beyond the bytes in flight', () => {
  test('announced by Content-Length is answered 503 RECEIVER_BUSY with Retry-After before it is read', async () => {
    const holding = gate();
    let entered = false;
    const harness = await memoReceiver({
      maxBytes: 64 * KIB,
      maxBytesInFlight: 64 * KIB,
      onMemo: () => {
        entered = true;
        return holding.opened;
      },
    });
    const first = pushOf();
    const held = post(harness.url, first.body, first.contentType);
    await vi.waitFor(() => expect(entered).toBe(true));

    const big = pushOf(undefined, 63 * KIB);
    const answer = await post(harness.url, big.body, big.contentType);

    expect(answer.status).toBe(503);
    expect(answer.headers['retry-after']).toBe('10');
    expect(answer.json).toMatchObject({ code: 'RECEIVER_BUSY' });
    expect(harness.errors).toEqual([expect.objectContaining({ status: 503, code: 'RECEIVER_BUSY' })]);
    holding.open();
    expect((await held).status).toBe(200);
  });

  test('refused before it is read keeps its connection, so that a client still sending reads the 503', async () => {
    const holding = gate();
    let entered = false;
    const harness = await memoReceiver({
      maxBytes: 64 * KIB,
      maxBytesInFlight: 64 * KIB,
      onMemo: () => {
        entered = true;
        return holding.opened;
      },
    });
    const first = pushOf();
    const held = post(harness.url, first.body, first.contentType);
    await vi.waitFor(() => expect(entered).toBe(true));
    const big = pushOf(undefined, 63 * KIB);

    // Headers only: the answer comes before any of the body was sent.
    const answer = await rawRequest(harness.url, head(big));

    expect(answer).toMatchObject({ status: 503, headers: { 'retry-after': '10' } });
    expect((answer as { headers: Record<string, string> }).headers.connection).not.toBe('close');
    holding.open();
    expect((await held).status).toBe(200);
  });

  test('streamed without a length is answered 503 once it outgrows the room left', async () => {
    const holding = gate();
    let entered = false;
    const harness = await memoReceiver({
      maxBytes: 64 * KIB,
      maxBytesInFlight: 64 * KIB,
      onMemo: () => {
        entered = true;
        return holding.opened;
      },
    });
    const first = pushOf();
    const held = post(harness.url, first.body, first.contentType);
    await vi.waitFor(() => expect(entered).toBe(true));
    const big = pushOf(undefined, 63 * KIB);
    async function* chunked() {
      for (let offset = 0; offset < big.body.length; offset += 4 * KIB)
        yield big.body.subarray(offset, offset + 4 * KIB);
    }

    const response = await fetch(harness.url, {
      method: 'POST',
      body: chunked(),
      headers: { 'content-type': big.contentType },
      duplex: 'half',
    } as RequestInit);

    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('10');
    holding.open();
    expect((await held).status).toBe(200);
  });

  test('fits again once the requests before it are done, however they ended', async () => {
    let failOnce = true;
    const harness = await memoReceiver({
      maxBytes: 64 * KIB,
      maxBytesInFlight: 64 * KIB,
      onMemo: () => {
        if (failOnce) {
          failOnce = false;
          throw new Error('archive down');
        }
      },
    });
    const url = harness.url;
    const small = pushOf();
    expect((await post(url, small.body, small.contentType)).status).toBe(500); // onMemo threw
    expect((await post(url, small.body, 'multipart/form-data; boundary=nope')).status).toBe(400);
    expect((await post(url, 'x'.repeat(65 * KIB), small.contentType)).status).toBe(413);
    const gzip = await rawRequest(url, head(small, { 'content-encoding': 'gzip' }), [small.body]);
    expect(gzip).toMatchObject({ status: 415 });
    await rawRequest(url, head(small), [small.body.subarray(0, 100)], { abortAfter: 1 });
    await rawRequest(url, head(small), [small.body.subarray(0, 100), small.body.subarray(100)], {
      abortAfter: 1,
    });
    await new Promise((resolve) => setTimeout(resolve, 30));

    const big = pushOf(undefined, 64 * KIB);
    expect((await post(url, big.body, big.contentType)).status).toBe(200);
  });

  test('of receipts is answered 503 while others are being handled, and taken once they are done', async () => {
    const holding = gate();
    let entered = false;
    const harness = await receiptReceiver({
      maxBytes: 1 * KIB,
      maxBytesInFlight: 1 * KIB,
      onReceipt: () => {
        entered = true;
        return holding.opened;
      },
    });
    const held = post(harness.url, receiptJson(), 'application/json');
    await vi.waitFor(() => expect(entered).toBe(true));

    const busy = await post(harness.url, receiptJson(1 * KIB), 'application/json');

    expect(busy.status).toBe(503);
    expect(busy.headers['retry-after']).toBe('10');
    holding.open();
    expect((await held).status).toBe(200);
    expect((await post(harness.url, receiptJson(1 * KIB), 'application/json')).status).toBe(200);
  });
});

describe('notifications beyond the fetches in flight', () => {
  test('are answered 503 RECEIVER_BUSY; a repeat of one being fetched waits for it instead', async () => {
    const fetching = gate();
    const harness = await notificationReceiver({ maxFetchesInFlight: 1 }, async (id) => {
      await fetching.opened;
      return memoXml({ messageUUID: id });
    });
    const first = randomUUID();
    const held = post(harness.url, notificationJson(first), 'application/json');
    await vi.waitFor(() => expect(harness.calls.fetched).toEqual([first]));

    const other = await post(harness.url, notificationJson(), 'application/json');
    const repeat = post(harness.url, notificationJson(first), 'application/json');
    await new Promise((resolve) => setTimeout(resolve, 30));
    fetching.open();

    expect(other.status).toBe(503);
    expect(other.headers['retry-after']).toBe('10');
    expect((await held).status).toBe(200);
    expect((await repeat).status).toBe(200);
    expect(harness.handled).toEqual([first]);
  });
});

/** The request line and headers of a push of `push` (Content-Length included unless `chunked`). */
function head(push: { body: Buffer; contentType: string }, extra: Record<string, string> = {}): string {
  const headers = {
    host: '127.0.0.1',
    'content-type': push.contentType,
    'content-length': String(push.body.length),
    ...extra,
  };
  return ['POST / HTTP/1.1', ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`)].join(
    '\r\n',
  );
}

describe('a body that stalls', () => {
  test.each([
    ['memo receiver', () => memoReceiver({ bodyTimeoutMs: 100 }), pushOf()],
    [
      'receipt receiver',
      () => receiptReceiver({ bodyTimeoutMs: 100 }),
      { body: Buffer.from(receiptJson()), contentType: 'application/json' },
    ],
    [
      'notification receiver',
      () => notificationReceiver({ bodyTimeoutMs: 100 }),
      { body: Buffer.from(notificationJson()), contentType: 'application/json' },
    ],
  ])('is answered 408 REQUEST_TIMEOUT by the %s, and the connection closed', async (_, start, push) => {
    const harness = await start();

    const answer = await rawRequest(harness.url, head(push), [push.body.subarray(0, 10)]);

    expect(answer).toMatchObject({ status: 408, headers: { connection: 'close' } });
    expect(JSON.parse((answer as { body: string }).body)).toMatchObject({ code: 'REQUEST_TIMEOUT' });
    expect(harness.handled).toEqual([]);
    expect(harness.errors).toEqual([expect.objectContaining({ status: 408, code: 'REQUEST_TIMEOUT' })]);
  });

  test('that keeps trickling within bodyTimeoutMs is read to the end', async () => {
    const harness = await receiptReceiver({ bodyTimeoutMs: 200 });
    const body = Buffer.from(receiptJson());
    const pieces = [body.subarray(0, 20), body.subarray(20, 40), body.subarray(40)];

    const answer = await rawRequest(harness.url, head({ body, contentType: 'application/json' }), pieces, {
      pauseMs: 60,
    });

    expect(answer).toMatchObject({ status: 200 });
    expect(harness.handled).toHaveLength(1);
  });
});

describe('a compressed body', () => {
  test.each([
    ['memo receiver', () => memoReceiver(), pushOf()],
    [
      'receipt receiver',
      () => receiptReceiver(),
      { body: Buffer.from(receiptJson()), contentType: 'application/json' },
    ],
    [
      'notification receiver',
      () => notificationReceiver(),
      { body: Buffer.from(notificationJson()), contentType: 'application/json' },
    ],
  ])(
    'is answered 415 UNSUPPORTED_CONTENT_ENCODING by the %s, with Accept-Encoding: identity',
    async (_, start, push) => {
      const harness = await start();

      const answer = await rawRequest(harness.url, head(push, { 'content-encoding': 'gzip' }), [push.body]);

      expect(answer).toMatchObject({
        status: 415,
        headers: { 'accept-encoding': 'identity' },
      });
      expect(JSON.parse((answer as { body: string }).body)).toMatchObject({
        code: 'UNSUPPORTED_CONTENT_ENCODING',
      });
      expect(harness.handled).toEqual([]);
    },
  );

  test('is taken with Content-Encoding: identity', async () => {
    const harness = await receiptReceiver();
    const body = Buffer.from(receiptJson());

    const answer = await rawRequest(
      harness.url,
      head({ body, contentType: 'application/json' }, { 'content-encoding': 'identity' }),
      [body],
    );

    expect(answer).toMatchObject({ status: 200 });
  });
});

describe('deeply nested JSON', () => {
  const nested = (depth: number): string => `${'['.repeat(depth)}${']'.repeat(depth)}`;

  test('100 000 levels deep is answered 400 JSON_TOO_DEEP by the receipt receiver', async () => {
    const harness = await receiptReceiver();

    const answer = await post(harness.url, nested(100_000), 'application/json');

    expect(answer.status).toBe(400);
    expect(answer.json).toMatchObject({ code: 'JSON_TOO_DEEP' });
  });

  test('30 000 levels deep (within 64 KiB) is answered 400 JSON_TOO_DEEP by the notification receiver', async () => {
    const harness = await notificationReceiver();

    const answer = await post(harness.url, nested(30_000), 'application/json');

    expect(answer.status).toBe(400);
    expect(answer.json).toMatchObject({ code: 'JSON_TOO_DEEP' });
    expect(harness.calls.fetched).toEqual([]);
  });

  test('counts no brackets inside strings', async () => {
    const harness = await receiptReceiver();
    const receipt = { ...JSON.parse(receiptJson()), errorMessage: '[{'.repeat(1_000) };

    const answer = await post(harness.url, JSON.stringify(receipt), 'application/json');

    expect(answer.status).toBe(200);
  });
});

describe('a client that goes away', () => {
  test.each([
    ['after the headers', { body: 1, abortAfter: 0 }],
    ['in the middle of the body', { body: 2, abortAfter: 1 }],
  ])('%s causes no onMemo call, no answer, no report and no unhandled rejection', async (_, shape) => {
    const unhandled = vi.fn();
    process.on('unhandledRejection', unhandled);
    const console = vi.spyOn(globalThis.console, 'error').mockImplementation(() => {});
    try {
      const stub = stubClient();
      const handled: string[] = [];
      const url = await mount(
        createMemoReceiver({
          client: stub.client,
          onMemo: ({ messageUUID }) => {
            handled.push(messageUUID);
          },
        }),
      );
      const push = pushOf();
      const pieces = [push.body.subarray(0, 200), push.body.subarray(200)].slice(0, shape.body);

      await rawRequest(url, head(push), pieces, { abortAfter: shape.abortAfter });
      await new Promise((resolve) => setTimeout(resolve, 50));

      expect(handled).toEqual([]);
      expect(console).not.toHaveBeenCalled();
      expect(unhandled).not.toHaveBeenCalled();
      expect((await post(url, push.body, push.contentType)).status).toBe(200);
    } finally {
      process.off('unhandledRejection', unhandled);
    }
  });

  test('while onMemo runs leaves onMemo to finish and the receipt posted, with nothing reported', async () => {
    const holding = gate();
    const harness = await memoReceiver({ onMemo: () => holding.opened });
    const messageUUID = randomUUID();
    const push = pushOf(messageUUID);

    await rawRequest(harness.url, head(push), [push.body, ''], { abortAfter: 1 });
    await new Promise((resolve) => setTimeout(resolve, 30));
    holding.open();

    await vi.waitFor(() =>
      expect(harness.calls.receipts).toEqual([{ messageUUID, receiptStatus: 'COMPLETED' }]),
    );
    expect(harness.errors).toEqual([]);
  });
});

describe('what the receivers say', () => {
  test.each(['text/plain; note=0101901234', 'application/x-0101901234+xml', 'text/plain; cpr=010190-1234'])(
    'masks the CPR number in Content-Type %s, in the answer and in what onError gets',
    async (type) => {
      const harness = await receiptReceiver();

      const answer = await post(harness.url, receiptJson(), type);

      expect(answer.status).toBe(415);
      expect(answer.text).toMatch(/010190-?\*{4}/);
      expect(answer.text).not.toMatch(/1234/);
      expect(String((harness.errors[0] as Error).message)).not.toMatch(/1234/);
    },
  );

  test('by default report a refusal as one line on stderr, without a stack', async () => {
    const lines: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((line: unknown) => {
      lines.push(String(line));
    });
    const url = await mount(createReceiptReceiver({ onReceipt: () => {} }));

    await post(url, '{"receiptStatus":"0101901234"', 'application/json');

    expect(lines).toEqual(['digitalpost receipt receiver: the request body is not valid JSON']);
  });

  test('refusals are ReceiverRefusal with the status answered', async () => {
    const harness = await receiptReceiver();

    await post(
      harness.url,
      '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]',
      'application/json',
    );

    expect(harness.errors).toEqual([expect.any(ReceiverRefusal)]);
    expect(harness.errors[0]).toMatchObject({ status: 400, code: 'JSON_TOO_DEEP' });
  });
});

describe('the limits', () => {
  test('are checked when a receiver is created', () => {
    const { client } = stubClient();
    const onMemo = (): void => {};
    expect(() => createMemoReceiver({ client, onMemo, maxBytesInFlight: 0 })).toThrow(/maxBytesInFlight/);
    expect(() => createMemoReceiver({ client, onMemo, maxBytes: 2_000, maxBytesInFlight: 1_000 })).toThrow(
      /at least maxBytes/,
    );
    expect(() => createMemoReceiver({ client, onMemo, bodyTimeoutMs: Number.NaN })).toThrow(/bodyTimeoutMs/);
    expect(() => createReceiptReceiver({ onReceipt: () => {}, maxBytesInFlight: 1.5 })).toThrow(
      /maxBytesInFlight/,
    );
    expect(() => createNotificationReceiver({ client, onMemo, maxFetchesInFlight: -1 })).toThrow(
      expect.objectContaining({
        code: 'INVALID_OPTIONS',
        message: expect.stringMatching(/maxFetchesInFlight/),
      }),
    );
  });
});
