/**
 * `client.memos.sendBatch` against a running simulator over real HTTP: MeMos from an array, a
 * generator or an async generator go out as bulk containers (ngdp-api.md §3.2, §11), split by count
 * and size, each message delivered and receipted once — also through retries — and a batch that
 * stops says exactly what NgDP accepted and where to resume.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import type { RunningSimulator } from '../../simulator/index.ts';
import { FAST_RETRY, loggedClient, type Recorder, startRecorder } from '../../test/support/client.ts';
import {
  addFault,
  control,
  keyOf,
  letterTo,
  mailbox,
  pullReceipts,
  type ReceiptBody,
  resetSimulator,
  SEED_IDS,
  startTestSimulator,
} from '../../test/support/simulator.ts';
import {
  BadRequestError,
  BatchSendError,
  type DigitalPostError,
  InvalidOptionsError,
  MemoValidationError,
  ServiceUnavailableError,
} from '../errors.ts';
import { readContainer } from '../memo/container.ts';
import type { Memo } from '../memo/types.ts';
import { serializeMemo, serializeMemoToBytes } from '../memo/writer.ts';
import type { BatchProgress } from './batch.ts';
import type { DigitalPostClient } from './client.ts';

let simulator: RunningSimulator;
let senderKey: string;
let client: DigitalPostClient;

beforeAll(async () => {
  simulator = await startTestSimulator();
  senderKey = keyOf(simulator, SEED_IDS.senderPull);
  client = loggedClient(simulator.apiUrl, senderKey).client;
});
afterAll(() => simulator.stop());
beforeEach(() => resetSimulator(simulator));

const CPR = '0101700001';
/** Retries that do not wait for the simulator's `Retry-After: 1`. */
const QUICK_RETRY = { ...FAST_RETRY, maxRetryAfterMs: 10 } as const;

function letters(count: number): Promise<Memo[]> {
  return Promise.all(
    Array.from({ length: count }, (_, i) => letterTo({ cpr: CPR }, { label: `Brev ${i + 1}` })),
  );
}

function uuidsOf(memos: readonly Memo[]): string[] {
  return memos.map((memo) => memo.messageHeader.messageUUID);
}

function* generate<T>(items: readonly T[]): Generator<T> {
  yield* items;
}

async function* generateAsync<T>(items: readonly T[]): AsyncGenerator<T> {
  for (const item of items) {
    await new Promise((resolve) => setImmediate(resolve));
    yield item;
  }
}

/** What a caught promise rejected with. */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}

async function batchError(promise: Promise<unknown>): Promise<BatchSendError> {
  const error = await rejection(promise);
  expect(error).toBeInstanceOf(BatchSendError);
  return error as BatchSendError;
}

/** The messageUUIDs in the citizen's mailbox, sorted. */
async function delivered(): Promise<string[]> {
  await simulator.settle();
  return (await mailbox(simulator, CPR)).map((letter) => letter.messageUUID).sort();
}

/** Business receipts the sender can pull, by messageUUID. */
async function receiptsByMessage(): Promise<Map<string, ReceiptBody[]>> {
  await simulator.settle();
  const byMessage = new Map<string, ReceiptBody[]>();
  for (const receipt of (await pullReceipts(simulator, senderKey)) as unknown as ReceiptBody[]) {
    const uuid = receipt.messageUUID ?? '';
    byMessage.set(uuid, [...(byMessage.get(uuid) ?? []), receipt]);
  }
  return byMessage;
}

/** A letter with an invalid CPR number: local validation refuses it. */
async function invalidLetter(): Promise<Memo> {
  const memo = await letterTo({ cpr: CPR }, { label: 'Ugyldig' });
  memo.messageHeader.recipient.recipientID = '01017';
  return memo;
}

/** A client that goes through a recording proxy; close the recorder after. */
async function recordedClient(options: Parameters<typeof loggedClient>[2] = {}) {
  const recorder = await startRecorder(simulator.apiUrl);
  return { recorder, ...loggedClient(recorder.apiUrl, senderKey, options) };
}

async function withRecorder<T>(
  run: (context: Awaited<ReturnType<typeof recordedClient>>) => Promise<T>,
  options: Parameters<typeof loggedClient>[2] = {},
): Promise<T> {
  const context = await recordedClient(options);
  try {
    return await run(context);
  } finally {
    await context.recorder.close();
  }
}

function containerPosts(recorder: Recorder) {
  return recorder.requests.filter(
    (request) => request.method === 'POST' && request.url.startsWith('/apis/v1/memos/'),
  );
}

describe('client.memos.sendBatch', () => {
  test('sends an array of MeMos in one container and resolves to its technical receipt', async () => {
    const memos = await letters(3);
    const result = await client.memos.sendBatch(memos);
    expect(result).toEqual({
      containers: [
        {
          transmissionId: expect.stringMatching(/^[0-9a-f-]{36}$/),
          timeStamp: expect.any(String),
          receiptStatus: 'RECEIVED',
          messageUUIDs: uuidsOf(memos),
          bytes: expect.any(Number),
        },
      ],
      accepted: 3,
      skipped: [],
      bytes: result.containers[0]?.bytes,
    });
  });

  test.each([
    ['an array', (memos: Memo[]) => memos],
    ['a generator', (memos: Memo[]) => generate(memos)],
    ['an async generator', (memos: Memo[]) => generateAsync(memos)],
    ['a Set', (memos: Memo[]) => new Set(memos)],
  ])('takes %s and delivers every message', async (_, input) => {
    const memos = await letters(4);
    const result = await client.memos.sendBatch(input(memos));
    expect(result.accepted).toBe(4);
    expect(await delivered()).toEqual(uuidsOf(memos).sort());
  });

  test('takes MeMo XML as text and as bytes, as send does', async () => {
    const [asText, asBytes] = await letters(2);
    const result = await client.memos.sendBatch([serializeMemo(asText!), serializeMemoToBytes(asBytes!)]);
    expect(result.containers[0]?.messageUUIDs).toEqual(uuidsOf([asText!, asBytes!]));
    expect(await delivered()).toEqual(uuidsOf([asText!, asBytes!]).sort());
  });

  test('splits 25 messages into containers of at most maxMessagesPerContainer, in input order', async () => {
    const memos = await letters(25);
    const result = await client.memos.sendBatch(memos, { maxMessagesPerContainer: 10 });
    const uuids = uuidsOf(memos);
    expect(result.containers.map((container) => container.messageUUIDs)).toEqual([
      uuids.slice(0, 10),
      uuids.slice(10, 20),
      uuids.slice(20),
    ]);
    expect(new Set(result.containers.map((container) => container.transmissionId)).size).toBe(3);
    expect(result.accepted).toBe(25);
  });

  test('starts a new container when the next message would pass maxContainerBytes', async () => {
    const memos = await letters(5);
    const size = serializeMemoToBytes(memos[0]!).byteLength;
    const result = await client.memos.sendBatch(memos, { maxContainerBytes: Math.floor(size * 2.5) });
    expect(result.containers.map((container) => container.messageUUIDs.length)).toEqual([2, 2, 1]);
  });

  test('sends a message larger than maxContainerBytes alone in its own container', async () => {
    const memos = await letters(3);
    const result = await client.memos.sendBatch(memos, { maxContainerBytes: 100 });
    expect(result.containers.map((container) => container.messageUUIDs)).toEqual(
      uuidsOf(memos).map((uuid) => [uuid]),
    );
  });

  test('every message reaches the mailbox once and gets its own business receipt COMPLETED', async () => {
    const memos = await letters(25);
    await client.memos.sendBatch(memos, { maxMessagesPerContainer: 10 });
    expect(await delivered()).toEqual(uuidsOf(memos).sort());
    const receipts = await receiptsByMessage();
    for (const uuid of uuidsOf(memos)) {
      expect(receipts.get(uuid)?.map((receipt) => receipt.receiptStatus)).toEqual(['COMPLETED']);
    }
  });

  test('resolves to an empty result without any request for an empty batch', async () => {
    await withRecorder(async ({ client, recorder }) => {
      expect(await client.memos.sendBatch([])).toEqual({
        containers: [],
        accepted: 0,
        skipped: [],
        bytes: 0,
      });
      expect(await client.memos.sendBatch(generateAsync([]))).toMatchObject({ accepted: 0 });
      expect(recorder.requests).toEqual([]);
    });
  });
});

describe('on the wire', () => {
  test('each container is one POST /memos/ of application/x-lzma with Content-Length and no memo-message-uuid', async () => {
    const memos = await letters(12);
    await withRecorder(async ({ client, recorder }) => {
      const result = await client.memos.sendBatch(memos, { maxMessagesPerContainer: 5 });
      const posts = containerPosts(recorder);
      expect(posts).toHaveLength(3);
      posts.forEach((post, i) => {
        expect(post.url).toBe('/apis/v1/memos/');
        expect(post.headers['content-type']).toBe('application/x-lzma');
        expect(post.headers['content-length']).toBe(String(post.body.length));
        expect(post.headers['transfer-encoding']).toBeUndefined();
        expect(post.body.length).toBe(result.containers[i]?.bytes);
      });
    });
  });

  test('a container holds <messageUUID>.xml entries, each the MeMo with a UTF-8 BOM', async () => {
    const memos = await letters(3);
    await withRecorder(async ({ client, recorder }) => {
      await client.memos.sendBatch(memos);
      const [post] = containerPosts(recorder);
      const entries = [];
      for await (const entry of readContainer(post!.body)) entries.push(entry);
      expect(entries.map((entry) => entry.name)).toEqual(uuidsOf(memos).map((uuid) => `${uuid}.xml`));
      entries.forEach((entry, i) => {
        expect(entry.xml.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
        expect(entry.xml.subarray(3).toString('utf8')).toBe(serializeMemo(memos[i]!));
      });
    });
  });
});

describe('progress', () => {
  test('onProgress is called after each accepted container with cumulative counts', async () => {
    const memos = await letters(25);
    const calls: BatchProgress[] = [];
    const result = await client.memos.sendBatch(memos, {
      maxMessagesPerContainer: 10,
      onProgress: (progress) => {
        calls.push(progress);
      },
    });
    expect(calls.map(({ accepted, containers, skipped }) => ({ accepted, containers, skipped }))).toEqual([
      { accepted: 10, containers: 1, skipped: 0 },
      { accepted: 20, containers: 2, skipped: 0 },
      { accepted: 25, containers: 3, skipped: 0 },
    ]);
    expect(calls.map((call) => call.container)).toEqual(result.containers);
    expect(calls.map((call) => call.bytes)).toEqual([
      result.containers[0]!.bytes,
      result.containers[0]!.bytes + result.containers[1]!.bytes,
      result.bytes,
    ]);
  });

  test('an async onProgress is awaited before the next container is posted', async () => {
    const memos = await letters(30);
    await withRecorder(async ({ client, recorder }) => {
      const postsSeen: number[] = [];
      await client.memos.sendBatch(memos, {
        maxMessagesPerContainer: 10,
        onProgress: async () => {
          await new Promise((resolve) => setTimeout(resolve, 30));
          postsSeen.push(containerPosts(recorder).length);
        },
      });
      expect(postsSeen).toEqual([1, 2, 3]);
    });
  });

  test('reads the input lazily: at most one container ahead of what NgDP accepted', async () => {
    const memos = await letters(60);
    let read = 0;
    function* counted() {
      for (const memo of memos) {
        read++;
        yield memo;
      }
    }
    const readWhenAccepted: number[] = [];
    await client.memos.sendBatch(counted(), {
      maxMessagesPerContainer: 10,
      onProgress: ({ accepted }) => {
        readWhenAccepted.push(read - accepted);
      },
    });
    for (const ahead of readWhenAccepted) expect(ahead).toBeLessThanOrEqual(10);
  });
});

describe('retries', () => {
  test('a 503 is retried with the same container bytes, and no message is delivered twice', async () => {
    const memos = await letters(15);
    await addFault(simulator, { operation: 'POST /memos/', status: 503, times: 1 });
    await withRecorder(
      async ({ client, recorder, events }) => {
        const result = await client.memos.sendBatch(memos, { maxMessagesPerContainer: 10 });
        expect(events.map((event) => event.status)).toEqual([503, 201, 201]);
        const [first, retry] = containerPosts(recorder);
        expect(retry!.body.equals(first!.body)).toBe(true);
        expect(result.accepted).toBe(15);
      },
      { retry: QUICK_RETRY },
    );
    expect(await delivered()).toEqual(uuidsOf(memos).sort());
    const receipts = await receiptsByMessage();
    for (const uuid of uuidsOf(memos)) expect(receipts.get(uuid)).toHaveLength(1);
  });

  test('a later container retried while the next one is built is resent with its own bytes', async () => {
    // The sender reuses two buffers for the containers' bytes: the one being retried must not be
    // the one the next container is written into.
    const memos = await letters(35);
    await withRecorder(
      async ({ client, recorder, events }) => {
        const result = await client.memos.sendBatch(memos, {
          maxMessagesPerContainer: 10,
          onProgress: async ({ containers }) => {
            if (containers === 2)
              await addFault(simulator, { operation: 'POST /memos/', status: 503, times: 1 });
          },
        });
        expect(events.map((event) => event.status)).toEqual([201, 201, 503, 201, 201]);
        const posts = containerPosts(recorder);
        expect(posts[3]!.body.equals(posts[2]!.body)).toBe(true);
        const uuids = uuidsOf(memos);
        const expected = [
          uuids.slice(0, 10),
          uuids.slice(10, 20),
          uuids.slice(20, 30),
          uuids.slice(20, 30),
          uuids.slice(30),
        ];
        for (const [i, post] of posts.entries()) {
          const names = [];
          for await (const entry of readContainer(post.body)) names.push(entry.messageUUID);
          expect(names).toEqual(expected[i]);
        }
        expect(result.accepted).toBe(35);
      },
      { retry: QUICK_RETRY },
    );
    expect(await delivered()).toEqual(uuidsOf(memos).sort());
  });

  test('a container whose answer was lost is sent again, and its messages are delivered once', async () => {
    const memos = await letters(5);
    // The simulator stores the container 300 ms in; the client gives up at 150 ms and retries later.
    await addFault(simulator, { operation: 'POST /memos/', delayMs: 300, times: 1 });
    await withRecorder(
      async ({ client, events }) => {
        const result = await client.memos.sendBatch(memos);
        expect(events.map((event) => event.error ?? event.status)).toEqual(['TIMEOUT', 201]);
        expect(result.accepted).toBe(5);
      },
      { timeoutMs: 150, retry: { maxRetries: 2, initialDelayMs: 400, maxDelayMs: 400 }, random: () => 1 },
    );
    expect(await delivered()).toEqual(uuidsOf(memos).sort());
    const receipts = await receiptsByMessage();
    for (const uuid of uuidsOf(memos)) expect(receipts.get(uuid)).toHaveLength(1);
  });
});

describe('a batch that stops part-way', () => {
  /** Sends 25 letters in containers of 10; NgDP stays unavailable after the first is accepted. */
  async function sendIntoOutage() {
    const memos = await letters(25);
    const { client } = loggedClient(simulator.apiUrl, senderKey, {
      retry: { ...QUICK_RETRY, maxRetries: 1 },
    });
    const error = await batchError(
      client.memos.sendBatch(memos, {
        maxMessagesPerContainer: 10,
        onProgress: async ({ containers }) => {
          if (containers === 1) await addFault(simulator, { operation: 'POST /memos/', status: 503 });
        },
      }),
    );
    return { memos, error, client };
  }

  test('throws BatchSendError with the containers accepted, the cause and where to resume', async () => {
    const { memos, error } = await sendIntoOutage();
    const uuids = uuidsOf(memos);
    expect(error.code).toBe('BATCH_INCOMPLETE');
    expect(error.cause).toBeInstanceOf(ServiceUnavailableError);
    expect(error.containers.map((container) => container.messageUUIDs)).toEqual([uuids.slice(0, 10)]);
    expect(error.accepted).toBe(10);
    expect(error.resumeFrom).toBe(10);
    expect(error.message).toContain('resume from index 10');
  });

  test('lists the messages read but not accepted; the rest of the input was never read', async () => {
    const { memos, error } = await sendIntoOutage();
    const uuids = uuidsOf(memos);
    // The container that failed, and the one built while it was being sent.
    expect(error.unsentMessageUUIDs).toEqual(uuids.slice(10));
  });

  test('resuming with the rest of the input delivers every message exactly once', async () => {
    const { memos, error, client } = await sendIntoOutage();
    await control(simulator, 'DELETE', '/faults');
    const resumed = await client.memos.sendBatch(memos.slice(error.resumeFrom), {
      maxMessagesPerContainer: 10,
    });
    expect(resumed.accepted).toBe(15);
    expect(await delivered()).toEqual(uuidsOf(memos).sort());
    const receipts = await receiptsByMessage();
    for (const uuid of uuidsOf(memos)) {
      expect(receipts.get(uuid)?.map((receipt) => receipt.receiptStatus)).toEqual(['COMPLETED']);
    }
  });

  test('a container NgDP refuses (400) stops the batch at once, without retries', async () => {
    const memos = await letters(3);
    await addFault(simulator, { operation: 'POST /memos/', status: 400, times: 1 });
    const { client, events } = loggedClient(simulator.apiUrl, senderKey);
    const error = await batchError(client.memos.sendBatch(memos));
    expect(error.cause).toBeInstanceOf(BadRequestError);
    expect(events).toHaveLength(1);
    expect(error).toMatchObject({
      containers: [],
      accepted: 0,
      resumeFrom: 0,
      unsentMessageUUIDs: uuidsOf(memos),
    });
  });

  test('an async input that throws midway stops the batch; the partial container is not sent', async () => {
    const memos = await letters(12);
    const failure = new Error('the database went away');
    async function* failing() {
      yield* generateAsync(memos);
      throw failure;
    }
    await withRecorder(async ({ client, recorder }) => {
      const error = await batchError(client.memos.sendBatch(failing(), { maxMessagesPerContainer: 10 }));
      expect(error.cause).toBe(failure);
      expect(error.resumeFrom).toBe(10);
      expect(error.unsentMessageUUIDs).toEqual(uuidsOf(memos).slice(10));
      expect(containerPosts(recorder)).toHaveLength(1);
    });
    expect(await delivered()).toEqual(uuidsOf(memos).slice(0, 10).sort());
  });

  test('closes the input generator when the batch stops early', async () => {
    const memos = await letters(3);
    let closed = false;
    function* input() {
      try {
        yield* memos;
        yield 42 as unknown as Memo;
        yield* memos;
      } finally {
        closed = true;
      }
    }
    await batchError(client.memos.sendBatch(input()));
    expect(closed).toBe(true);
  });

  test('onProgress that throws stops the batch after the container it was told about', async () => {
    const memos = await letters(20);
    const failure = new Error('cannot record progress');
    const error = await batchError(
      client.memos.sendBatch(memos, {
        maxMessagesPerContainer: 10,
        onProgress: () => {
          throw failure;
        },
      }),
    );
    expect(error.cause).toBe(failure);
    expect(error.containers).toHaveLength(1);
    expect(error.resumeFrom).toBe(10);
  });
});

describe('cancelling', () => {
  test('an aborted signal stops the batch before anything is sent', async () => {
    const memos = await letters(3);
    await withRecorder(async ({ client, recorder }) => {
      const error = await batchError(client.memos.sendBatch(memos, { signal: AbortSignal.abort() }));
      expect((error.cause as DigitalPostError).code).toBe('ABORTED');
      expect(recorder.requests).toEqual([]);
    });
  });

  test('aborting between containers keeps what was accepted and sends no more', async () => {
    const memos = await letters(30);
    const controller = new AbortController();
    await withRecorder(async ({ client, recorder }) => {
      const error = await batchError(
        client.memos.sendBatch(memos, {
          maxMessagesPerContainer: 10,
          signal: controller.signal,
          onProgress: () => controller.abort(),
        }),
      );
      expect((error.cause as DigitalPostError).code).toBe('ABORTED');
      expect(error.containers).toHaveLength(1);
      expect(error.resumeFrom).toBe(10);
      expect(containerPosts(recorder)).toHaveLength(1);
    });
  });
});

describe('duplicate messageUUIDs', () => {
  test('a messageUUID that appears twice is refused before its container is sent', async () => {
    const [a, b] = await letters(2);
    const again = { ...a!, messageHeader: { ...a!.messageHeader, label: 'Anden udgave' } };
    await withRecorder(async ({ client, recorder }) => {
      const error = await batchError(client.memos.sendBatch([a!, b!, again]));
      expect(error.cause).toBeInstanceOf(MemoValidationError);
      expect((error.cause as MemoValidationError).issues).toEqual([
        {
          path: 'MessageHeader/messageUUID',
          code: 'DUPLICATE_MESSAGE_UUID',
          message: 'the message at index 0 of this batch has the same messageUUID',
        },
      ]);
      expect(error.invalidMessage).toEqual({
        index: 2,
        messageUUID: a!.messageHeader.messageUUID,
        error: error.cause,
      });
      expect(error.unsentMessageUUIDs).toEqual(uuidsOf([a!, b!]));
      expect(recorder.requests).toEqual([]);
    });
  });

  test('is found across containers too, and in any letter case', async () => {
    const [a, b, c] = await letters(3);
    const upper = serializeMemo(a!).replace(
      a!.messageHeader.messageUUID,
      a!.messageHeader.messageUUID.toUpperCase(),
    );
    const error = await batchError(
      client.memos.sendBatch([a!, b!, c!, upper], { maxMessagesPerContainer: 2 }),
    );
    expect(error.containers.map((container) => container.messageUUIDs)).toEqual([uuidsOf([a!, b!])]);
    expect(error.invalidMessage?.index).toBe(3);
    expect(error.resumeFrom).toBe(2);
  });

  test("with onInvalid: 'skip' the repeat is left out and reported", async () => {
    const [a, b] = await letters(2);
    const result = await client.memos.sendBatch([a!, b!, a!], { onInvalid: 'skip' });
    expect(result.accepted).toBe(2);
    expect(result.skipped).toEqual([
      { index: 2, messageUUID: a!.messageHeader.messageUUID, error: expect.any(MemoValidationError) },
    ]);
  });
});

describe('invalid messages', () => {
  test('by default an invalid MeMo stops the batch before the container it would go in', async () => {
    const [first, second, third] = await letters(3);
    const bad = await invalidLetter();
    await withRecorder(async ({ client, recorder }) => {
      const error = await batchError(client.memos.sendBatch([first!, second!, bad, third!]));
      expect(error.cause).toBeInstanceOf(MemoValidationError);
      expect((error.cause as MemoValidationError).issues.map((issue) => issue.code)).toContain('CPR_INVALID');
      expect(error.invalidMessage).toEqual({
        index: 2,
        messageUUID: bad.messageHeader.messageUUID,
        error: error.cause,
      });
      expect(error.resumeFrom).toBe(0);
      expect(error.unsentMessageUUIDs).toEqual(uuidsOf([first!, second!]));
      expect(recorder.requests).toEqual([]);
    });
  });

  test('containers before the invalid MeMo are sent and reported', async () => {
    const memos = await letters(4);
    const error = await batchError(
      client.memos.sendBatch([...memos, await invalidLetter()], { maxMessagesPerContainer: 2 }),
    );
    expect(error.containers.map((container) => container.messageUUIDs)).toEqual([
      uuidsOf(memos.slice(0, 2)),
      uuidsOf(memos.slice(2, 4)),
    ]);
    expect(error.resumeFrom).toBe(4);
    expect(await delivered()).toEqual(uuidsOf(memos).sort());
  });

  test("with onInvalid: 'skip' invalid MeMos and unreadable XML are left out and the rest is sent", async () => {
    const [first, second] = await letters(2);
    const bad = await invalidLetter();
    const result = await client.memos.sendBatch([first!, bad, second!, '<not a memo'], { onInvalid: 'skip' });
    expect(result.accepted).toBe(2);
    expect(result.skipped).toEqual([
      { index: 1, messageUUID: bad.messageHeader.messageUUID, error: expect.any(MemoValidationError) },
      { index: 3, messageUUID: undefined, error: expect.any(MemoValidationError) },
    ]);
    expect(result.skipped[1]?.error.issues[0]?.code).toBe('XML_MALFORMED');
    expect(await delivered()).toEqual(uuidsOf([first!, second!]).sort());
  });

  test('skipped messages before resumeFrom are reported on a BatchSendError, with the skipped count in onProgress', async () => {
    const memos = await letters(4);
    const bad = await invalidLetter();
    const counts: number[] = [];
    const error = await batchError(
      client.memos.sendBatch([memos[0]!, bad, memos[1]!, memos[2]!, 7 as unknown as Memo], {
        onInvalid: 'skip',
        maxMessagesPerContainer: 2,
        onProgress: ({ skipped }) => {
          counts.push(skipped);
        },
      }),
    );
    expect(counts[0]).toBe(1);
    expect(error.resumeFrom).toBe(3);
    expect(error.skipped.map((message) => message.index)).toEqual([1]);
  });

  test('validate: false sends what NgDP rules forbid, and the simulator receipts it INVALID', async () => {
    const bad = await invalidLetter();
    const result = await client.memos.sendBatch([bad], { validate: false });
    expect(result.accepted).toBe(1);
    const receipts = await receiptsByMessage();
    expect(receipts.get(bad.messageHeader.messageUUID)?.[0]?.receiptStatus).toBe('INVALID');
  });

  test('validate: false still refuses text that is not a MeMo at all', async () => {
    const error = await batchError(client.memos.sendBatch(['<not a memo'], { validate: false }));
    expect(error.cause).toBeInstanceOf(MemoValidationError);
    expect((error.cause as MemoValidationError).issues[0]?.code).toBe('XML_MALFORMED');
  });

  test('validate: false still refuses a messageUUID that is not a UUID: it names the container entry', async () => {
    const memo = await letterTo({ cpr: CPR });
    memo.messageHeader.messageUUID = '../../etc/passwd';
    const error = await batchError(client.memos.sendBatch([memo], { validate: false }));
    expect((error.cause as MemoValidationError).issues[0]).toMatchObject({ code: 'INVALID_UUID' });
  });

  test('an item that is not a MeMo stops the batch with an InvalidOptionsError, also with onInvalid: skip', async () => {
    const [memo] = await letters(1);
    const error = await batchError(
      client.memos.sendBatch([memo!, { hello: 'world' } as unknown as Memo], { onInvalid: 'skip' }),
    );
    expect(error.cause).toBeInstanceOf(InvalidOptionsError);
    expect((error.cause as Error).message).toContain('the message at index 1 is not a MeMo');
  });
});

describe('bad arguments', () => {
  test.each([
    ['a single MeMo', async () => (await letters(1))[0]],
    ['a string', async () => '<memo:Message/>'],
    ['a number', async () => 42],
    ['null', async () => null],
  ])('messages as %s: InvalidOptionsError, nothing sent', async (_, make) => {
    const messages = (await make()) as unknown as Memo[];
    const error = await rejection(client.memos.sendBatch(messages));
    expect(error).toBeInstanceOf(InvalidOptionsError);
    expect((error as Error).message).toMatch(/^sendBatch: messages must be/);
  });

  test.each([
    [{ maxMessagesPerContainer: 0 }, 'maxMessagesPerContainer'],
    [{ maxMessagesPerContainer: 2.5 }, 'maxMessagesPerContainer'],
    [{ maxMessagesPerContainer: 100_001 }, 'maxMessagesPerContainer'],
    [{ maxContainerBytes: 0 }, 'maxContainerBytes'],
    [{ onInvalid: 'ignore' }, 'onInvalid'],
    [{ onProgress: 'log' }, 'onProgress'],
    [{ validate: 'yes' }, 'validate'],
    [{ timeoutMs: -1 }, 'timeoutMs'],
    [{ retry: { maxRetries: -1 } }, 'retry.maxRetries'],
    [{ validation: { maxAttachments: -1 } }, 'maxAttachments'],
  ])('options %o: InvalidOptionsError naming %s, the input is not read', async (options, name) => {
    let read = false;
    function* input() {
      read = true;
      yield* [];
    }
    const error = await rejection(client.memos.sendBatch(input(), options as never));
    expect(error).toBeInstanceOf(InvalidOptionsError);
    expect((error as Error).message).toContain(name);
    expect(read).toBe(false);
  });
});
