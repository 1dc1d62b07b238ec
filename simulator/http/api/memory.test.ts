/**
 * The memory budget over HTTP (`engine/memory-budget.ts`): bodies are held against it before they
 * are read, callers it has no room for get 503 with Retry-After (never a 500), and what a request
 * held is given back when it ends, however it ends.
 */
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeContainer } from '../../../sdk/memo/container.ts';
import {
  call,
  expectErrorMessage,
  keyOf,
  letterTo,
  SEED_IDS,
  sendMemo,
  startTestSimulator,
} from '../../../test/support/simulator.ts';
import type { RunningSimulator } from '../../index.ts';

const BODY = 1_000_000;

/** A connection that sends the headers of a `POST /memos/` declaring `length` bytes, then only `sent` of them. */
async function stalledBody(
  simulator: RunningSimulator,
  key: string,
  length: number,
  sent = 1000,
): Promise<Socket> {
  const url = new URL(simulator.apiUrl);
  const socket = connect(Number(url.port), url.hostname);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  socket.on('error', () => {});
  socket.write(
    `POST /apis/v1/memos/?memo-message-uuid=6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f HTTP/1.1\r\nHost: ${url.host}\r\n` +
      `Authorization: Basic ${key}\r\nContent-Type: application/xml\r\nContent-Length: ${length}\r\n\r\n`,
  );
  socket.write(Buffer.alloc(sent, ' '));
  return socket;
}

/** Sends until the answer is `status` (the server takes the stalled bodies in its own time). */
async function until<T extends { status: number }>(status: number, send: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const response = await send();
    if (response.status === status || Date.now() > deadline) return response;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('the memory budget over HTTP', () => {
  let simulator: RunningSimulator;
  let key: string;

  beforeAll(async () => {
    simulator = await startTestSimulator({
      memoryBudget: 3 * BODY,
      maxMemoBytes: BODY,
      container: { maxBytes: BODY },
      // Chunked bodies taken, so that holding them chunk by chunk can be shown.
      acceptChunked: true,
    });
    key = keyOf(simulator, SEED_IDS.senderPull);
  });
  afterAll(() => simulator.stop());

  it('answers 503 with Retry-After while bodies in flight take the budget, and takes requests again once they are gone', async () => {
    const stalled = await Promise.all([1, 2, 3].map(() => stalledBody(simulator, key, BODY)));
    try {
      const refused = await until(503, async () =>
        sendMemo(simulator, key, await letterTo({ cpr: '0101700001' })),
      );
      expectErrorMessage(refused, 503, 'SERVICE_UNAVAILABLE');
      expect(refused.headers['retry-after']).toBe('1');
    } finally {
      for (const socket of stalled) socket.destroy();
    }
    const taken = await until(201, async () =>
      sendMemo(simulator, key, await letterTo({ cpr: '0101700001' })),
    );
    expect(taken.status).toBe(201);
  });

  it('refuses a container the budget has no room for with 503, and never a 500', async () => {
    const stalled = await Promise.all([1, 2, 3].map(() => stalledBody(simulator, key, BODY)));
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of writeContainer([await letterTo({ cpr: '0101700001' })])) chunks.push(chunk);
      const refused = await until(503, () =>
        call(`${simulator.apiUrl}/memos/`, {
          method: 'POST',
          apiKey: key,
          body: Buffer.concat(chunks),
          contentType: 'application/x-lzma',
        }),
      );
      expectErrorMessage(refused, 503, 'SERVICE_UNAVAILABLE');
    } finally {
      for (const socket of stalled) socket.destroy();
    }
  });

  it('holds a body without Content-Length chunk by chunk, refusing it once it outgrows the room', async () => {
    const stalled = await Promise.all(
      [BODY, BODY, BODY / 2].map((length) => stalledBody(simulator, key, length)),
    );
    try {
      const refused = await until(503, () => sendChunked(simulator, key, 900_000));
      expectErrorMessage(refused, 503, 'SERVICE_UNAVAILABLE');
    } finally {
      for (const socket of stalled) socket.destroy();
    }
  });
});

/** `POST /memos/` of `size` bytes of (not well-formed) XML with chunked transfer encoding. */
function sendChunked(simulator: RunningSimulator, key: string, size: number) {
  const body = (async function* () {
    for (let sent = 0; sent < size; sent += 64 * 1024)
      yield Buffer.alloc(Math.min(64 * 1024, size - sent), ' ');
  })();
  return call(`${simulator.apiUrl}/memos/?memo-message-uuid=6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f`, {
    method: 'POST',
    apiKey: key,
    body: body as unknown as Uint8Array,
    contentType: 'application/xml',
  });
}
