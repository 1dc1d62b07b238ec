/**
 * What a push costs the memo receiver's process (hardening issue: "one 140 MB push under the 150
 * MiB limit kills createMemoReceiver's process"; "the receiver blocks 4.7 s on a 60 MB push with a
 * character reference in content"), measured in a receiver process of its own so that the sender's
 * buffers do not count: peak RSS growth per push, how long the push blocks the receiver's event
 * loop compared with an ordinary push of the same size in the same process (a ratio, not a clock),
 * and what the budget of bytes in flight holds back when several large pushes come at once. The
 * bounds are generous; the exact figures are bench/receivers.bench.ts's (docs/performance.md "Push
 * receivers").
 */
import { type ChildProcess, fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, test } from 'vitest';
import type { Measured } from '../support/receiver-process.ts';
import { memoXml, multipart, post } from '../support/receivers.ts';

const MB = 1_000_000;
const MIB = 1024 * 1024;

interface ReceiverProcess {
  url: string;
  /** Runs `work` between a reset and a measurement of the process. */
  measure<T>(work: () => Promise<T>): Promise<{ result: T } & Measured>;
}

const children: ChildProcess[] = [];
afterEach(async () => {
  await Promise.all(
    children.splice(0).map(
      (child) =>
        new Promise<void>((resolve) => {
          child.once('exit', () => resolve());
          child.kill();
        }),
    ),
  );
});

async function receiverProcess(maxBytes?: number, maxBytesInFlight?: number): Promise<ReceiverProcess> {
  const child = fork(
    new URL('../support/receiver-process.ts', import.meta.url).pathname,
    [String(maxBytes ?? 0), String(maxBytesInFlight ?? 0)],
    { execArgv: ['--expose-gc'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] },
  );
  children.push(child);
  const next = <T>(): Promise<T> =>
    new Promise((resolve, reject) => {
      child.once('message', (message) => resolve(message as T));
      child.once('exit', (code, signal) =>
        reject(new Error(`the receiver process exited (${signal ?? code})`)),
      );
    });
  const { port } = await next<{ port: number }>();
  return {
    url: `http://127.0.0.1:${port}`,
    async measure(work) {
      child.send({ type: 'reset' });
      await next();
      const result = await work();
      child.send({ type: 'measure' });
      return { result, ...(await next<Measured>()) };
    },
  };
}

/** A push of a MeMo whose `content` holds `decodedBytes` of data, as base64 text (optionally changed). */
function contentPush(decodedBytes: number, change: (base64: string) => string = (text) => text) {
  const messageUUID = randomUUID();
  const content = change(Buffer.alloc(decodedBytes, 0x25).toString('base64'));
  return multipart([{ name: 'file', filename: messageUUID, content: memoXml({ messageUUID, content }) }]);
}

/**
 * How much longer than an ordinary push's a hostile one's longest block of the event loop may be.
 * Before the reader's fix a 20 MB label blocked ≈ 1.5 s (4.7 s for 60 MB), 30× an ordinary push;
 * a loaded machine stretches both by GC and CPU steal (255 ms against 47 ms was seen at load 15),
 * so 10× tells the fixed reader from the old one with room to spare.
 */
const BLOCK_FACTOR = 10;

describe('one push', () => {
  test('of the largest MeMo NgDP sends (99.5 MB of content) costs the receiver less than 4× its body', async () => {
    const receiver = await receiverProcess();
    const push = contentPush(99.5 * MB);

    const measured = await receiver.measure(() => post(receiver.url, push.body, push.contentType));

    expect(measured.result.status).toBe(200);
    expect(measured.receipts).toEqual({ COMPLETED: 1, INVALID: 0 });
    expect(measured.growth).toBeLessThan(4 * push.body.length);
  });
});

describe('one hostile push', () => {
  /** An ordinary push of `size` bytes of content, then `hostile`, into one receiver process. */
  async function besideAnOrdinaryPush(hostile: { body: Buffer; contentType: string }) {
    const receiver = await receiverProcess();
    const ordinary = contentPush(hostile.body.length * 0.75);
    const send = (push: { body: Buffer; contentType: string }) =>
      receiver.measure(() => post(receiver.url, push.body, push.contentType));
    await send(contentPush(1_000)); // warm: the first push of a process compiles the reader
    return { ordinary: await send(ordinary), hostile: await send(hostile) };
  }

  test('with a 20 MB label is INVALID, costs less than 6× its body, and blocks no longer than an ordinary one', async () => {
    const messageUUID = randomUUID();
    const xml = memoXml({ messageUUID, label: 'A'.repeat(20 * MB) });
    const push = multipart([{ name: 'file', filename: messageUUID, content: xml }]);

    const { ordinary, hostile } = await besideAnOrdinaryPush(push);

    expect(hostile.result.status).toBe(200);
    expect(hostile.receipts).toEqual({ COMPLETED: 0, INVALID: 1 });
    expect(hostile.growth).toBeLessThan(6 * push.body.length);
    expect(hostile.maxBlockMs).toBeLessThan(BLOCK_FACTOR * Math.max(ordinary.maxBlockMs, 20));
  });

  test('whose content starts with a character reference is taken, costs less than 6× its body, and blocks no longer than an ordinary one', async () => {
    const push = contentPush(15 * MB, (base64) => `&#74;${base64.slice(1)}`);

    const { ordinary, hostile } = await besideAnOrdinaryPush(push);

    expect(hostile.result.status).toBe(200);
    expect(hostile.receipts).toEqual({ COMPLETED: 1, INVALID: 0 });
    expect(hostile.growth).toBeLessThan(6 * push.body.length);
    expect(hostile.maxBlockMs).toBeLessThan(BLOCK_FACTOR * Math.max(ordinary.maxBlockMs, 20));
  });
});

describe('large pushes at once', () => {
  test('beyond the budget are answered 503, and the receiver grows by what the budget allows', async () => {
    // Bodies of 19 MB, maxBytes 20 MiB: the default budget (2 × maxBytes) takes two of them.
    const receiver = await receiverProcess(20 * MIB);
    const pushes = Array.from({ length: 6 }, () => contentPush(14 * MB));
    const size = pushes[0]?.body.length ?? 0;

    const measured = await receiver.measure(() =>
      Promise.all(pushes.map((push) => post(receiver.url, push.body, push.contentType))),
    );

    const statuses = measured.result.map((answer) => answer.status);
    const taken = statuses.filter((status) => status === 200).length;
    // Two fit at once; a third only if one of them was done before the last arrived.
    expect(statuses.filter((status) => status === 503).length).toBeGreaterThanOrEqual(3);
    expect(taken + statuses.filter((status) => status === 503).length).toBe(6);
    expect(measured.receipts).toEqual({ COMPLETED: taken, INVALID: 0 });
    expect(measured.result.find((answer) => answer.status === 503)?.headers['retry-after']).toBe('10');
    expect(measured.growth).toBeLessThan(2 * 4 * size);
  });

  test('within the budget are all taken', async () => {
    const receiver = await receiverProcess(20 * MIB, 6 * 20 * MIB);
    const pushes = Array.from({ length: 6 }, () => contentPush(14 * MB));

    const measured = await receiver.measure(() =>
      Promise.all(pushes.map((push) => post(receiver.url, push.body, push.contentType))),
    );

    expect(measured.result.map((answer) => answer.status)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(measured.receipts).toEqual({ COMPLETED: 6, INVALID: 0 });
  });
});
