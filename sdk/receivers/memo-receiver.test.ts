/**
 * `createMemoReceiver` over real HTTP on `node:http`, fed by hand-built multipart requests: what it
 * answers, what `onMemo` and `onError` get, and the business receipt the simulator (as NgDP)
 * receives for a MeMo it holds for the company's recipient system.
 */
import { createHash, randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test, vi } from 'vitest';
import type { RunningSimulator } from '../../simulator/index.ts';
import {
  COMPANY,
  companyClient,
  gate,
  heldMemo,
  memoPush,
  multipart,
  post,
  receiptsNow,
  type Served,
  senderReceipt,
  serve,
} from '../../test/support/receivers.ts';
import { letterTo, resetSimulator, SEED_IDS, startTestSimulator } from '../../test/support/simulator.ts';
import { AuthenticationError, MemoParseError, MemoValidationError, ReceiverRefusal } from '../errors.ts';
import type { Memo } from '../memo/types.ts';
import { serializeMemoToBytes } from '../memo/writer.ts';
import type { ReceivedMemo, SeenStore } from './delivery.ts';
import { createMemoReceiver, type MemoReceiverOptions } from './memo-receiver.ts';

let simulator: RunningSimulator;
const servers: Served[] = [];

beforeAll(async () => {
  simulator = await startTestSimulator();
});
afterAll(() => simulator.stop());
beforeEach(() => resetSimulator(simulator));
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

interface Harness {
  url: string;
  received: ReceivedMemo[];
  errors: Array<{ error: unknown; context: { messageUUID?: string } }>;
}

/** A memo receiver on its own server, recording onMemo and onError calls. */
async function receiver(options: Partial<MemoReceiverOptions> = {}): Promise<Harness> {
  const received: ReceivedMemo[] = [];
  const errors: Harness['errors'] = [];
  const handler = createMemoReceiver({
    client: companyClient(simulator),
    onMemo: (memo) => {
      received.push(memo);
    },
    onError: (error, context) => errors.push({ error, context }),
    ...options,
  });
  const server = await serve(handler);
  servers.push(server);
  return { url: server.url, received, errors };
}

const push = (url: string, xml: Uint8Array | string, filename: string) => {
  const { body, contentType } = memoPush(xml, filename);
  return post(url, body, contentType);
};

describe('a valid MeMo', () => {
  test('is handed to onMemo with its messageUUID, model and exact XML, and answered 200 with no body', async () => {
    const harness = await receiver();
    const held = await heldMemo(simulator);

    const answer = await push(harness.url, held.xml, held.messageUUID);

    expect(answer.status).toBe(200);
    expect(answer.text).toBe('');
    expect(harness.received).toHaveLength(1);
    const [received] = harness.received;
    expect(received?.messageUUID).toBe(held.messageUUID);
    expect(received?.memo.messageHeader.label).toBe(held.memo.messageHeader.label);
    expect(received?.xml.equals(held.xml)).toBe(true);
  });

  test('earns the business receipt COMPLETED, which reaches the sender', async () => {
    const harness = await receiver();
    const held = await heldMemo(simulator);

    await push(harness.url, held.xml, held.messageUUID);

    expect(await senderReceipt(simulator, held.messageUUID)).toMatchObject({ receiptStatus: 'COMPLETED' });
    expect(harness.errors).toEqual([]);
  });

  test('is answered only after onMemo has resolved', async () => {
    const slow = gate();
    const harness = await receiver({ onMemo: () => slow.opened });
    const held = await heldMemo(simulator);
    let answered = false;

    const answer = push(harness.url, held.xml, held.messageUUID).then((result) => {
      answered = true;
      return result;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(answered).toBe(false);
    slow.open();

    expect((await answer).status).toBe(200);
  });

  test('is identified by its own messageUUID when the filename is not a UUID', async () => {
    const harness = await receiver();
    const held = await heldMemo(simulator);

    const answer = await push(harness.url, held.xml, 'memo.xml');

    expect(answer.status).toBe(200);
    expect(harness.received[0]?.messageUUID).toBe(held.messageUUID);
    expect(await senderReceipt(simulator, held.messageUUID)).toMatchObject({ receiptStatus: 'COMPLETED' });
  });

  test('may come as a plain field "file" without a filename', async () => {
    const harness = await receiver();
    const held = await heldMemo(simulator);
    const { body, contentType } = multipart([{ name: 'file', content: held.xml.toString('utf8') }]);

    const answer = await post(harness.url, body, contentType);

    expect(answer.status).toBe(200);
    expect(harness.received[0]?.messageUUID).toBe(held.messageUUID);
  });

  test('is found among other parts, which are ignored', async () => {
    const harness = await receiver();
    const held = await heldMemo(simulator);
    const { body, contentType } = multipart([
      { name: 'note', content: 'hello' },
      { name: 'attachment', filename: 'x.bin', content: Buffer.alloc(1000) },
      { name: 'file', filename: held.messageUUID, content: held.xml },
    ]);

    expect((await post(harness.url, body, contentType)).status).toBe(200);
    expect(harness.received).toHaveLength(1);
  });
});

describe('an invalid MeMo', () => {
  test('is answered 200, not handed to onMemo, and earns INVALID listing its problems', async () => {
    const harness = await receiver();
    const held = await heldMemo(simulator);
    const broken = held.xml.toString('utf8').replace(/<memo:label>[^<]*<\/memo:label>/, '');

    const answer = await push(harness.url, broken, held.messageUUID);

    expect(answer.status).toBe(200);
    expect(harness.received).toEqual([]);
    const receipt = await senderReceipt(simulator, held.messageUUID);
    expect(receipt).toMatchObject({ receiptStatus: 'INVALID', errorCode: 'MEMO_SCHEMA_INVALID' });
    expect(receipt.errorMessage).toMatch(/^MeMo is not valid: MessageHeader\/label: .*label/);
  });

  test('is reported to onError as a MemoValidationError with its messageUUID and its bytes', async () => {
    const harness = await receiver();
    const held = await heldMemo(simulator);
    const broken = held.xml.toString('utf8').replace(/<memo:label>[^<]*<\/memo:label>/, '');

    await push(harness.url, broken, held.messageUUID);

    expect(harness.errors).toHaveLength(1);
    expect(harness.errors[0]?.error).toBeInstanceOf(MemoValidationError);
    expect(harness.errors[0]?.context).toEqual({ messageUUID: held.messageUUID, xml: Buffer.from(broken) });
  });

  test('that cannot be read at all earns INVALID for the messageUUID of its filename', async () => {
    const harness = await receiver();
    const held = await heldMemo(simulator);

    const answer = await push(harness.url, '<memo:Message><unclosed>', held.messageUUID);

    expect(answer.status).toBe(200);
    const receipt = await senderReceipt(simulator, held.messageUUID);
    expect(receipt).toMatchObject({ receiptStatus: 'INVALID', errorCode: 'MEMO_SCHEMA_INVALID' });
    expect(receipt.errorMessage).toMatch(/^MeMo cannot be read: /);
    expect(harness.errors[0]?.error).toBeInstanceOf(MemoParseError);
  });

  test('never has a full CPR number in the errorMessage of its receipt', async () => {
    const harness = await receiver();
    const held = await heldMemo(simulator);
    const broken = held.xml.toString('utf8').replace(/memoVersion="[^"]*"/, 'memoVersion="0101700001"');

    await push(harness.url, broken, held.messageUUID);

    const receipt = await senderReceipt(simulator, held.messageUUID);
    expect(receipt.errorMessage).toContain('010170****');
    expect(receipt.errorMessage).not.toContain('0101700001');
  });

  test('whose own messageUUID is not its filename earns INVALID MEMO_UUID_MISMATCH under its own', async () => {
    const harness = await receiver();
    const held = await heldMemo(simulator);

    const answer = await push(harness.url, held.xml, randomUUID());

    expect(answer.status).toBe(200);
    expect(harness.received).toEqual([]);
    expect(await senderReceipt(simulator, held.messageUUID)).toMatchObject({
      receiptStatus: 'INVALID',
      errorCode: 'MEMO_UUID_MISMATCH',
    });
  });

  test('against stricter validation options earns INVALID though NgDP took it', async () => {
    const harness = await receiver({ validation: { notificationMaxLength: 5 } });
    const held = await heldMemo(simulator, { notification: 'A notification text' });

    await push(harness.url, held.xml, held.messageUUID);

    expect(await senderReceipt(simulator, held.messageUUID)).toMatchObject({ receiptStatus: 'INVALID' });
  });
});

describe('a request that is not a MeMo push', () => {
  test('without a part named "file" is answered 400 "MeMo is not present in request"', async () => {
    const harness = await receiver();
    const { body, contentType } = multipart([{ name: 'document', filename: randomUUID(), content: '<x/>' }]);

    const answer = await post(harness.url, body, contentType);

    expect(answer.status).toBe(400);
    expect(answer.headers['content-type']).toMatch(/^application\/json/);
    expect(answer.json).toEqual({ code: 'MEMO_MISSING', message: 'MeMo is not present in request' });
  });

  test('with two parts named "file" is answered 400 and neither is handled', async () => {
    const harness = await receiver();
    const held = await heldMemo(simulator);
    const { body, contentType } = multipart([
      { name: 'file', filename: held.messageUUID, content: held.xml },
      { name: 'file', filename: held.messageUUID, content: held.xml },
    ]);

    const answer = await post(harness.url, body, contentType);

    expect(answer.status).toBe(400);
    expect(answer.json).toMatchObject({ code: 'MEMO_AMBIGUOUS' });
    expect(harness.received).toEqual([]);
  });

  test('with another content type is answered 415 and explains what is expected', async () => {
    const harness = await receiver();
    const held = await heldMemo(simulator);

    const answer = await post(harness.url, held.xml, 'application/xml');

    expect(answer.status).toBe(415);
    expect(answer.json).toMatchObject({
      code: 'UNSUPPORTED_MEDIA_TYPE',
      message: expect.stringMatching(/"file"/),
    });
  });

  test('that is multipart without a boundary is answered 400', async () => {
    const harness = await receiver();

    const answer = await post(harness.url, 'whatever', 'multipart/form-data');

    expect(answer.status).toBe(400);
    expect(answer.json).toMatchObject({ code: 'MALFORMED_MULTIPART' });
  });

  test('whose multipart body ends before its closing boundary is answered 400', async () => {
    const harness = await receiver();
    const held = await heldMemo(simulator);
    const { body, contentType } = memoPush(held.xml, held.messageUUID);

    const answer = await post(harness.url, body.subarray(0, body.length - 20), contentType);

    expect(answer.status).toBe(400);
    expect(answer.json).toMatchObject({ code: 'MALFORMED_MULTIPART' });
    expect(harness.received).toEqual([]);
  });

  test('whose MeMo names no messageUUID, nor does its filename, is answered 400', async () => {
    const harness = await receiver();

    const answer = await push(harness.url, '<not-xml', 'memo.xml');

    expect(answer.status).toBe(400);
    expect(answer.json).toMatchObject({ code: 'MESSAGE_UUID_MISSING' });
  });

  test('with another method than POST is answered 405 with Allow: POST, and not reported', async () => {
    const harness = await receiver();

    const answer = await post(harness.url, '', undefined, 'GET');

    expect(answer.status).toBe(405);
    expect(answer.headers.allow).toBe('POST');
    expect(harness.errors).toEqual([]);
  });
});

describe('a body over maxBytes', () => {
  test('announced by Content-Length is answered 413 and closes the connection', async () => {
    const harness = await receiver({ maxBytes: 10_000 });
    const held = await heldMemo(simulator);
    const { body, contentType } = memoPush(
      Buffer.concat([held.xml, Buffer.alloc(20_000, 32)]),
      held.messageUUID,
    );

    const answer = await post(harness.url, body, contentType);

    expect(answer.status).toBe(413);
    expect(answer.headers.connection).toBe('close');
    expect(answer.json).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    expect(harness.received).toEqual([]);
    expect(harness.errors[0]?.error).toMatchObject({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
  });

  test('streamed without a length is answered 413 while the upload goes on, and the server keeps serving', async () => {
    const harness = await receiver({ maxBytes: 64 * 1024 });
    const { body, contentType } = memoPush(Buffer.alloc(8 * 1024 * 1024, 32), randomUUID());
    async function* chunked() {
      for (let offset = 0; offset < body.length; offset += 16 * 1024)
        yield body.subarray(offset, offset + 16 * 1024);
    }

    const response = await fetch(harness.url, {
      method: 'POST',
      body: chunked(),
      headers: { 'content-type': contentType },
      duplex: 'half',
    } as RequestInit);

    expect(response.status).toBe(413);
    expect(harness.received).toEqual([]);
    const held = await heldMemo(simulator);
    expect((await push(harness.url, held.xml, held.messageUUID)).status).toBe(200);
  });
});

describe('onMemo failing', () => {
  test('answers 500 with no receipt, and onError gets the error onMemo threw and the MeMo', async () => {
    const failure = new Error('database down');
    const harness = await receiver({
      onMemo: () => {
        throw failure;
      },
    });
    const held = await heldMemo(simulator);

    const answer = await push(harness.url, held.xml, held.messageUUID);

    expect(answer.status).toBe(500);
    expect(answer.json).toMatchObject({ code: 'MEMO_NOT_HANDLED' });
    expect(harness.errors).toEqual([
      { error: failure, context: { messageUUID: held.messageUUID, xml: held.xml } },
    ]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await receiptsNow(simulator, held.messageUUID)).toEqual([]);
  });

  test('leaves the MeMo to be handled when it is delivered again', async () => {
    let calls = 0;
    const harness = await receiver({
      onMemo: () => {
        calls += 1;
        if (calls === 1) throw new Error('not now');
      },
    });
    const held = await heldMemo(simulator);

    await push(harness.url, held.xml, held.messageUUID);
    const again = await push(harness.url, held.xml, held.messageUUID);

    expect(again.status).toBe(200);
    expect(calls).toBe(2);
    expect(await senderReceipt(simulator, held.messageUUID)).toMatchObject({ receiptStatus: 'COMPLETED' });
  });
});

describe('redelivery', () => {
  test('of a handled MeMo is answered 200 without calling onMemo again, and the repeated receipt’s 409 is no error', async () => {
    const harness = await receiver();
    const held = await heldMemo(simulator);
    await push(harness.url, held.xml, held.messageUUID);
    await senderReceipt(simulator, held.messageUUID);

    const again = await push(harness.url, held.xml, held.messageUUID);

    expect(again.status).toBe(200);
    expect(harness.received).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(harness.errors).toEqual([]);
    expect(await receiptsNow(simulator, held.messageUUID)).toHaveLength(1);
  });

  test('while the first delivery is still in onMemo waits for it, and onMemo runs once', async () => {
    const slow = gate();
    let calls = 0;
    const harness = await receiver({
      onMemo: async () => {
        calls += 1;
        await slow.opened;
      },
    });
    const held = await heldMemo(simulator);

    const first = push(harness.url, held.xml, held.messageUUID);
    const second = push(harness.url, held.xml, held.messageUUID);
    await vi.waitFor(() => expect(calls).toBe(1));
    await new Promise((resolve) => setTimeout(resolve, 30));
    slow.open();

    expect((await first).status).toBe(200);
    expect((await second).status).toBe(200);
    expect(calls).toBe(1);
    expect(await senderReceipt(simulator, held.messageUUID)).toMatchObject({ receiptStatus: 'COMPLETED' });
  });

  test('while the first delivery fails is answered 500 as well, and the failure is reported once', async () => {
    const slow = gate();
    const failure = new Error('archive unavailable');
    let calls = 0;
    const harness = await receiver({
      onMemo: async () => {
        calls += 1;
        await slow.opened;
        throw failure;
      },
    });
    const held = await heldMemo(simulator);

    const first = push(harness.url, held.xml, held.messageUUID);
    const second = push(harness.url, held.xml, held.messageUUID);
    await vi.waitFor(() => expect(calls).toBe(1));
    await new Promise((resolve) => setTimeout(resolve, 30));
    slow.open();

    expect((await first).status).toBe(500);
    expect((await second).status).toBe(500);
    expect(calls).toBe(1);
    expect(harness.errors).toEqual([
      { error: failure, context: { messageUUID: held.messageUUID, xml: held.xml } },
    ]);
  });

  test('is recognised through a SeenStore you give, which learns each handled delivery', async () => {
    const known = new Set<string>();
    const seen: SeenStore = {
      has: async (messageUUID) => known.has(messageUUID),
      add: async (messageUUID) => {
        known.add(messageUUID);
      },
    };
    const held = await heldMemo(simulator);
    const first = await receiver({ seen });
    await push(first.url, held.xml, held.messageUUID);

    const restarted = await receiver({ seen });
    await push(restarted.url, held.xml, held.messageUUID);

    expect([...known]).toEqual([expect.stringMatching(`^${held.messageUUID.toLowerCase()}:[0-9a-f]{64}$`)]);
    expect(first.received).toHaveLength(1);
    expect(restarted.received).toEqual([]);
  });

  test('cannot be told apart when the SeenStore fails: 503, and onMemo is not called', async () => {
    const failure = new Error('redis down');
    const harness = await receiver({
      seen: {
        has: () => Promise.reject(failure),
        add: () => {},
      },
    });
    const held = await heldMemo(simulator);

    const answer = await push(harness.url, held.xml, held.messageUUID);

    expect(answer.status).toBe(503);
    expect(answer.json).toMatchObject({ code: 'SEEN_STORE_FAILED' });
    expect(harness.received).toEqual([]);
    expect(harness.errors[0]?.error).toBe(failure);
  });
});

describe('a forged push under a real messageUUID', () => {
  /** The held MeMo's messageUUID on a letter of the forger's own. */
  async function forgeryOf(held: { messageUUID: string; memo: Memo }): Promise<Buffer> {
    const forged = await letterTo(COMPANY, { label: 'Forged' });
    forged.messageHeader.messageUUID = held.messageUUID;
    return Buffer.from(serializeMemoToBytes(forged));
  }

  test('does not make the genuine MeMo pushed after it look like a redelivery: onMemo gets both', async () => {
    const harness = await receiver();
    const held = await heldMemo(simulator);

    await push(harness.url, await forgeryOf(held), held.messageUUID);
    const genuine = await push(harness.url, held.xml, held.messageUUID);

    expect(genuine.status).toBe(200);
    expect(harness.received.map((memo) => memo.memo.messageHeader.label)).toEqual([
      'Forged',
      held.memo.messageHeader.label,
    ]);
    expect(harness.received[1]?.xml.equals(held.xml)).toBe(true);
  });

  test('still in onMemo does not answer for the genuine MeMo arriving meanwhile, which is handled after it', async () => {
    const slow = gate();
    const labels: string[] = [];
    const harness = await receiver({
      onMemo: async ({ memo }) => {
        labels.push(memo.messageHeader.label);
        if (memo.messageHeader.label === 'Forged') await slow.opened;
      },
    });
    const held = await heldMemo(simulator);

    const forged = push(harness.url, await forgeryOf(held), held.messageUUID);
    await vi.waitFor(() => expect(labels).toEqual(['Forged']));
    const genuine = push(harness.url, held.xml, held.messageUUID);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(labels).toEqual(['Forged']);
    slow.open();

    expect((await forged).status).toBe(200);
    expect((await genuine).status).toBe(200);
    expect(labels).toEqual(['Forged', held.memo.messageHeader.label]);
  });

  test('that onMemo failed on leaves the genuine MeMo to be handled, not answered with the forgery’s 500', async () => {
    const slow = gate();
    const harness = await receiver({
      onMemo: async ({ memo }) => {
        if (memo.messageHeader.label !== 'Forged') return;
        await slow.opened;
        throw new Error('not a letter we know');
      },
    });
    const held = await heldMemo(simulator);

    const forged = push(harness.url, await forgeryOf(held), held.messageUUID);
    await new Promise((resolve) => setTimeout(resolve, 30));
    const genuine = push(harness.url, held.xml, held.messageUUID);
    await new Promise((resolve) => setTimeout(resolve, 30));
    slow.open();

    expect((await forged).status).toBe(500);
    expect((await genuine).status).toBe(200);
  });

  test('is recorded in the SeenStore under its own bytes only: messageUUID and SHA-256', async () => {
    const known = new Set<string>();
    const seen: SeenStore = {
      has: (key) => known.has(key),
      add: (key) => {
        known.add(key);
      },
    };
    const harness = await receiver({ seen });
    const held = await heldMemo(simulator);

    await push(harness.url, held.xml, held.messageUUID);

    const sha256 = createHash('sha256').update(held.xml).digest('hex');
    expect(known).toEqual(new Set([`${held.messageUUID.toLowerCase()}:${sha256}`]));
    expect(harness.received[0]?.sha256).toBe(sha256);
  });
});

describe('a business receipt NgDP does not take', () => {
  test('goes to onError after the 200 with the MeMo and when it is posted again; the receiver keeps serving', async () => {
    const harness = await receiver({
      client: companyClient(
        simulator,
        Buffer.from(`${SEED_IDS.companyRecipient}:${randomUUID()}`).toString('base64'),
      ),
    });
    const held = await heldMemo(simulator);

    const answer = await push(harness.url, held.xml, held.messageUUID);

    expect(answer.status).toBe(200);
    await vi.waitFor(() => expect(harness.errors[0]?.error).toBeInstanceOf(AuthenticationError));
    expect(harness.errors[0]?.context).toEqual({
      messageUUID: held.messageUUID,
      xml: held.xml,
      receiptRetryInMs: expect.any(Number),
    });
    expect((await push(harness.url, held.xml, held.messageUUID)).status).toBe(200);
  });

  test('is not fatal when onError itself throws', async () => {
    const harness = await receiver({
      client: companyClient(
        simulator,
        Buffer.from(`${SEED_IDS.companyRecipient}:${randomUUID()}`).toString('base64'),
      ),
      onError: () => {
        throw new Error('logger broken');
      },
    });
    const held = await heldMemo(simulator);
    const unhandled = vi.fn();
    process.on('unhandledRejection', unhandled);

    try {
      expect((await push(harness.url, held.xml, held.messageUUID)).status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(unhandled).not.toHaveBeenCalled();
    } finally {
      process.off('unhandledRejection', unhandled);
    }
  });
});

describe('a client that goes away mid-upload', () => {
  test('causes no onMemo call, no answer and no error', async () => {
    const harness = await receiver();
    const { port } = new URL(harness.url);
    const socket = connect(Number(port), '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));

    socket.write(
      'POST / HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Length: 100000\r\n\r\n--b\r\nContent-Disposition: form-data; name="file"; filename="x"\r\n\r\n<memo',
    );
    await new Promise((resolve) => setTimeout(resolve, 30));
    socket.destroy();
    await new Promise((resolve) => setTimeout(resolve, 30));

    expect(harness.received).toEqual([]);
    expect(harness.errors).toEqual([]);
  });
});

describe('createMemoReceiver', () => {
  test('refuses options it cannot work with when it is created', () => {
    const client = companyClient(simulator);
    const onMemo = (): void => {};
    expect(() => createMemoReceiver({ client, onMemo, maxBytes: 0 })).toThrow(/maxBytes/);
    expect(() => createMemoReceiver({ client, onMemo: undefined as unknown as () => void })).toThrow(
      /onMemo/,
    );
    expect(() => createMemoReceiver({ client: {} as typeof client, onMemo })).toThrow(/client/);
    expect(() => createMemoReceiver({ client, onMemo, validation: { maxAttachments: -1 } })).toThrow(
      /maxAttachments/,
    );
  });

  test('reports refused requests as ReceiverRefusal with status and code', async () => {
    const harness = await receiver();

    await post(harness.url, '{}', 'application/json');

    expect(harness.errors[0]?.error).toBeInstanceOf(ReceiverRefusal);
    expect(harness.errors[0]?.error).toMatchObject({ status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' });
  });
});
