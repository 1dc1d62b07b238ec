/** `SftpSender` against the simulator's SFTP server (manual clock). */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { needs } from '../../test/support/requirements.ts';
import { connectSftp } from '../../test/support/sftp.ts';
import {
  containerByTools,
  containerOf,
  letters,
  SFTP_USER,
  type SftpSimulator,
  startSftpSimulator,
  usableKeyPair,
  uuidOf,
  writeMemoFiles,
} from '../../test/support/sftp-sender.ts';
import { addFault, keyOf, letterTo, pullReceipts, SEED_IDS } from '../../test/support/simulator.ts';
import { settlesBefore } from '../../test/support/timers.ts';
import { MemoValidationError, SftpError, SftpSendError } from '../errors.ts';
import type { Memo } from '../memo/types.ts';
import { serializeMemoToBytes } from '../memo/writer.ts';
import { SftpSender } from './sender.ts';
import { SftpSession } from './session.ts';
import type { SftpSenderEvents, SftpSenderOptions, SftpWarning } from './types.ts';

let server: SftpSimulator;
let dir: string;
const senders: SftpSender[] = [];

beforeAll(async () => {
  server = await startSftpSimulator();
  dir = await mkdtemp(join(tmpdir(), 'dp-sftp-sender-'));
});
afterAll(async () => {
  await server.stop();
  await rm(dir, { recursive: true, force: true });
});
beforeEach(() => server.reset());
/** Closes the senders made so far, as a run ends. */
const closeAll = async (): Promise<void> => {
  await Promise.all(senders.splice(0).map((sender) => sender.close()));
};
afterEach(closeAll);

/** A sender logged in as the seeded SFTP system, with the host key pinned. */
function senderWith(options: Partial<SftpSenderOptions> = {}): SftpSender {
  const sender = new SftpSender({
    host: server.host,
    port: server.port,
    username: SFTP_USER,
    privateKey: server.keys.private,
    hostKey: server.hostKeyFingerprint,
    readyTimeoutMs: 5_000,
    ...options,
  });
  senders.push(sender);
  return sender;
}

let journals = 0;
const newJournal = (): string => join(dir, `journal-${++journals}.jsonl`);

/** Each messageUUID once, and nothing else. */
function expectOnce(delivered: string[], memos: Memo[]): void {
  expect([...delivered].sort()).toEqual(memos.map(uuidOf).sort());
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

describe('SftpSender.send', () => {
  it('packs MeMos into containers of at most maxMessagesPerContainer, each named after its first message', async () => {
    const memos = await letters(25);

    const result = await senderWith().send(memos, { maxMessagesPerContainer: 10 });

    expect(result.uploads.map((upload) => upload.name)).toEqual(
      [0, 10, 20].map((i) => `${uuidOf(memos[i] as Memo)}.tar.lzma`),
    );
    expect(result.uploads.map((upload) => upload.messageUUIDs)).toEqual([
      memos.slice(0, 10).map(uuidOf),
      memos.slice(10, 20).map(uuidOf),
      memos.slice(20).map(uuidOf),
    ]);
    expect(result.uploads[2]?.indexes).toEqual([20, 21, 22, 23, 24]);
    expect(result).toMatchObject({ messages: 25, skipped: [], alreadySent: 0 });
    expect(result.bytes).toBe(result.uploads.reduce((sum, upload) => sum + upload.bytes, 0));
    expect(server.taken().map((taken) => taken.name)).toEqual(result.uploads.map((upload) => upload.name));
    expectOnce(await server.delivered(), memos);
    expect(await server.list('/in')).toEqual([]);
  });

  it('takes MeMo XML as text and bytes from an async iterable, read lazily', async () => {
    const memos = await letters(3);
    let read = 0;
    async function* input(): AsyncGenerator<string | Uint8Array> {
      for (const [i, memo] of memos.entries()) {
        read++;
        const bytes = serializeMemoToBytes(memo);
        yield i % 2 === 0 ? bytes.toString('utf8') : bytes;
      }
    }

    const result = await senderWith().send(input());

    expect(read).toBe(3);
    expect(result.messages).toBe(3);
    expectOnce(await server.delivered(), memos);
  });

  it('leaves out an invalid MeMo with onInvalid: "skip" and sends the rest', async () => {
    const [first, second] = (await letters(2)) as [Memo, Memo];
    const invalid = serializeMemoToBytes(await letterTo({ cpr: '0101700001' }))
      .toString('utf8')
      .replace('0101700001', '01017');

    const result = await senderWith().send([first, invalid, second], { onInvalid: 'skip' });

    expect(result.messages).toBe(2);
    expect(result.skipped).toHaveLength(1);
    expect(result.skipped[0]).toMatchObject({ index: 1, error: expect.any(MemoValidationError) });
    expectOnce(await server.delivered(), [first, second]);
  });

  it('stops at an invalid MeMo by default: SftpSendError names it, earlier containers are uploaded, no .part is left', async () => {
    const memos = await letters(3);
    const invalid = serializeMemoToBytes(await letterTo({ cpr: '0101700001' }))
      .toString('utf8')
      .replace('0101700001', '01017');

    const failure = await senderWith()
      .send([...memos, invalid], { maxMessagesPerContainer: 2 })
      .catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(SftpSendError);
    const error = failure as SftpSendError;
    expect(error.uploads.map((upload) => upload.messageUUIDs)).toEqual([memos.slice(0, 2).map(uuidOf)]);
    expect(error.invalidMessage).toMatchObject({ index: 3 });
    expect(error.cause).toBeInstanceOf(MemoValidationError);
    expect(await server.list('/in')).toEqual([]);
    expectOnce(await server.delivered(), memos.slice(0, 2));
  });

  it('rejects invalid options and input that is not a list before connecting', async () => {
    const sender = senderWith({ port: 1 });
    await expect(sender.send([], { maxMessagesPerContainer: 0 })).rejects.toThrow(
      /maxMessagesPerContainer must be an integer from 1 to 100000/,
    );
    await expect(sender.send('<memo/>' as unknown as string[])).rejects.toThrow(/must be a list of MeMos/);
  });

  it('sends nothing for an empty input', async () => {
    expect(await senderWith().send([])).toEqual({
      uploads: [],
      messages: 0,
      bytes: 0,
      skipped: [],
      alreadySent: 0,
    });
    expect(server.taken()).toEqual([]);
  });

  it('emits upload-start, upload-progress and uploaded for each container, and awaits onProgress after each', async () => {
    const memos = await letters(4);
    const sender = senderWith();
    const events: string[] = [];
    for (const event of ['upload-start', 'upload-progress', 'uploaded'] as const)
      sender.on(event, (payload: SftpSenderEvents[typeof event][0]) =>
        events.push(`${event} ${payload.name}`),
      );
    const progress: Array<{ messages: number; uploads: number; bytes: number }> = [];

    const result = await sender.send(memos, {
      maxMessagesPerContainer: 2,
      onProgress: async ({ messages, uploads, bytes }) => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        progress.push({ messages, uploads, bytes });
        events.push('onProgress');
      },
    });

    const [a, b] = result.uploads.map((upload) => upload.name) as [string, string];
    expect(events.filter((event) => !event.startsWith('upload-progress'))).toEqual([
      `upload-start ${a}`,
      `uploaded ${a}`,
      'onProgress',
      `upload-start ${b}`,
      `uploaded ${b}`,
      'onProgress',
    ]);
    expect(events).toContain(`upload-progress ${a}`);
    expect(events.indexOf(`upload-progress ${a}`)).toBeLessThan(events.indexOf(`uploaded ${a}`));
    expect(progress).toEqual([
      { messages: 2, uploads: 1, bytes: result.uploads[0]?.bytes },
      { messages: 4, uploads: 2, bytes: result.bytes },
    ]);
  });

  it('stops on the abort signal: SftpSendError with cause ABORTED, the container being written removed', async () => {
    const memos = await letters(6);
    const sender = senderWith();
    const controller = new AbortController();
    let starts = 0;
    sender.on('upload-start', () => {
      if (++starts === 2) controller.abort();
    });

    const failure = await sender
      .send(memos, { maxMessagesPerContainer: 2, signal: controller.signal })
      .catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(SftpSendError);
    expect((failure as SftpSendError).cause).toMatchObject({ code: 'ABORTED' });
    expect((failure as SftpSendError).uploads).toHaveLength(1);
    expect(await server.list('/in')).toEqual([]);
    expectOnce(await server.delivered(), memos.slice(0, 2));
  });

  it('keeps memory flat: 2 000 messages go through without a container ever whole in memory', async () => {
    const memo = await letterTo({ cpr: '0101700001' });
    const xml = serializeMemoToBytes(memo).toString('utf8');
    const uuid = uuidOf(memo);
    function* many(): Generator<string> {
      for (let i = 0; i < 2_000; i++) {
        const id = `${uuid.slice(0, 24)}${i.toString(16).padStart(12, '0')}`;
        yield xml.replace(uuid, id);
      }
    }
    const sender = senderWith();
    let largestPiece = 0;
    let previous = 0;
    sender.on('upload-progress', ({ bytes }) => {
      largestPiece = Math.max(largestPiece, bytes - previous);
      previous = bytes;
    });
    sender.on('uploaded', () => {
      previous = 0;
    });

    const result = await sender.send(many(), { maxMessagesPerContainer: 1_000 });

    expect(result.messages).toBe(2_000);
    expect(result.uploads).toHaveLength(2);
    expect(largestPiece).toBeLessThanOrEqual(32 * 1024);
    expect(server.taken().reduce((sum, taken) => sum + taken.stored, 0)).toBe(2_000);
  });
});

describe('SftpSender.sendFiles', () => {
  it('uploads a container made by tar and xz --format=lzma, and a single .xml MeMo, under temporary names renamed after', async (context) => {
    needs(context, { tools: ['tar', 'xz'] });
    const inContainer = await letters(3);
    const [single] = (await letters(1)) as [Memo];
    const container = join(dir, 'made-by-tools.tar.lzma');
    await containerByTools(container, inContainer);
    const [xml] = (await writeMemoFiles(join(dir, 'single'), [single])) as [string];
    const sender = senderWith();
    const started: string[] = [];
    sender.on('upload-start', ({ name, file }) => started.push(`${file} → ${name}`));

    const result = await sender.sendFiles([container, xml]);

    const [first, second] = result.uploads;
    expect(first).toMatchObject({ kind: 'file', file: container });
    expect([...(first?.messageUUIDs ?? [])].sort()).toEqual(inContainer.map(uuidOf).sort());
    expect(first?.name).toMatch(/^made-by-tools-[0-9a-f]{12}\.tar\.lzma$/);
    expect(second).toMatchObject({ kind: 'file', file: xml, messageUUIDs: [uuidOf(single)] });
    expect(second?.name).toMatch(/^letter-00001-[0-9a-f]{12}\.xml$/);
    expect(started).toEqual([`${container} → ${first?.name}`, `${xml} → ${second?.name}`]);
    expect(server.taken().map((taken) => taken.name)).toEqual([first?.name, second?.name]);
    expectOnce(await server.delivered(), [...inContainer, single]);
  });

  it('validates first: an unreadable container is not uploaded (throw), or left out (skip)', async () => {
    const broken = join(dir, 'broken.tar.lzma');
    await writeFile(broken, 'this is not an LZMA stream');
    const [memo] = (await letters(1)) as [Memo];
    const [good] = (await writeMemoFiles(join(dir, 'good'), [memo])) as [string];

    const failure = await senderWith()
      .sendFiles([broken, good])
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(SftpSendError);
    expect((failure as SftpSendError).invalidMessage).toMatchObject({ index: 0, file: broken });
    expect(server.taken()).toEqual([]);

    const result = await senderWith().sendFiles([broken, good], { onInvalid: 'skip' });
    expect(result.skipped).toEqual([
      expect.objectContaining({ index: 0, file: broken, error: expect.any(MemoValidationError) }),
    ]);
    expect(result.skipped[0]?.error.issues[0]?.code).toBe('CONTAINER_UNREADABLE');
    expect(result.uploads.map((upload) => upload.file)).toEqual([good]);
  });

  it('refuses a path that is not .xml or .tar.lzma, or not a file, before anything is sent', async () => {
    const sender = senderWith();
    await expect(sender.sendFiles([join(dir, 'notes.txt')])).rejects.toThrow(
      /is neither a MeMo \(\.xml\) nor a container \(\.tar\.lzma\)/,
    );
    await expect(sender.sendFiles([join(dir, 'missing.xml')])).rejects.toMatchObject({
      code: 'FILE_UNREADABLE',
    });
  });

  it('uploads the same content once per run, whatever the file is called', async () => {
    const [memo] = (await letters(1)) as [Memo];
    const a = join(dir, 'copy-a.xml');
    const b = join(dir, 'copy-b.xml');
    await writeFile(a, serializeMemoToBytes(memo));
    await writeFile(b, serializeMemoToBytes(memo));

    const result = await senderWith().sendFiles([a, b]);

    expect(result.uploads.map((upload) => upload.file)).toEqual([a]);
    expect(result.alreadySent).toBe(1);
  });
});

describe('receipts and error files', () => {
  it('lists the receipt files as Receipts; ack() deletes each, and they are gone from NgDP too', async () => {
    const memos = await letters(5);
    const sender = senderWith();
    await sender.send(memos);
    await server.simulator.settle();

    const receipts = await collect(sender.receipts());

    expect(receipts.map((item) => item.receipt.messageUUID).sort()).toEqual(memos.map(uuidOf).sort());
    for (const item of receipts) {
      expect(item.file).toBe(`${item.receipt.messageUUID}.json`);
      expect(item.receipt).toMatchObject({ receiptStatus: 'COMPLETED', transmissionId: expect.any(String) });
      await item.ack();
    }
    expect(await collect(sender.receipts())).toEqual([]);
    expect(await pullReceipts(server.simulator, keyOf(server.simulator, SEED_IDS.senderSftp))).toEqual([]);
  });

  it('waits for the business receipts of given messages, acknowledging them; what does not come is missing', async () => {
    const memos = await letters(3);
    const sender = senderWith();
    await sender.send(memos);
    const { simulator } = server;
    const clock = {
      now: () => simulator.clock.now().getTime(),
      sleep: (ms: number) => simulator.clock.advance(ms),
    };
    const unknown = '00000000-0000-4000-8000-00000000abcd';

    const result = await sender.waitForReceipts([...memos.map(uuidOf), unknown], {
      timeoutMs: 60_000,
      pollIntervalMs: 10_000,
      clock,
    });

    expect(result.receipts.map((receipt) => receipt.messageUUID).sort()).toEqual(memos.map(uuidOf).sort());
    expect(result.receipts.every((receipt) => receipt.receiptStatus === 'COMPLETED')).toBe(true);
    expect(result.missing).toEqual([unknown]);
    expect(await server.list('/out/receipts')).toEqual([]);
  });

  it('surfaces an unreadable container through errors(); dismiss() removes the error file', async () => {
    const broken = join(dir, 'unreadable.tar.lzma');
    await writeFile(broken, 'not LZMA at all');
    const sender = senderWith();
    const { uploads } = await sender.sendFiles([broken], { validate: false });

    const errors = await collect(sender.errors());

    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      file: `${uploads[0]?.name}.json`,
      upload: uploads[0]?.name,
      error: { code: 'CONTAINER_UNREADABLE', message: expect.any(String) },
    });
    await errors[0]?.dismiss();
    expect(await collect(sender.errors())).toEqual([]);
  });

  it('reads 1 000 receipt files, downloading a few at a time', async () => {
    const memo = await letterTo({ cpr: '0101700001' });
    const xml = serializeMemoToBytes(memo).toString('utf8');
    const uuid = uuidOf(memo);
    const many = Array.from({ length: 1_000 }, (_, i) =>
      xml.replace(uuid, `${uuid.slice(0, 24)}${i.toString(16).padStart(12, '0')}`),
    );
    const sender = senderWith();
    await sender.send(many);
    await server.simulator.settle();

    // Count the downloads under way at once, as the sender starts and finishes them.
    let downloading = 0;
    let most = 0;
    const download = SftpSession.prototype.download;
    const spy = vi.spyOn(SftpSession.prototype, 'download').mockImplementation(async function (
      this: SftpSession,
      ...args
    ) {
      most = Math.max(most, ++downloading);
      try {
        return await download.apply(this, args);
      } finally {
        downloading--;
      }
    });
    try {
      const receipts = await collect(sender.receipts({ concurrency: 16 }));

      expect(new Set(receipts.map((item) => item.receipt.messageUUID)).size).toBe(1_000);
      expect(spy).toHaveBeenCalledTimes(1_000);
      expect(most).toBe(16);
    } finally {
      spy.mockRestore();
    }
  });
});

describe('logging in', () => {
  it('connects when hostKey is the fingerprint the server presents, or a function that accepts it', async () => {
    const pinned = senderWith();
    await pinned.connect();
    expect(pinned.hostKeyFingerprint).toBe(server.hostKeyFingerprint);
    const seen: string[] = [];
    const decided = senderWith({
      hostKey: (fingerprint) => {
        seen.push(fingerprint);
        return true;
      },
    });
    await decided.connect();
    expect(seen).toEqual([server.hostKeyFingerprint]);
  });

  it('refuses a server whose host key is not the pinned one: SFTP_HOST_KEY_MISMATCH, nothing sent', async () => {
    const other = `SHA256:${'A'.repeat(43)}`;
    const sender = senderWith({ hostKey: other });

    const failure = await sender.send(await letters(1)).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(SftpError);
    expect(failure).toMatchObject({
      code: 'SFTP_HOST_KEY_MISMATCH',
      hostKeyFingerprint: server.hostKeyFingerprint,
      retryable: false,
    });
    expect((failure as Error).message).toContain(
      `presented the host key ${server.hostKeyFingerprint}, not the pinned ${other}`,
    );
    expect(server.taken()).toEqual([]);
  });

  it('refuses to be made without a choice of how to check the host key', () => {
    expect(() => senderWith({ hostKey: undefined })).toThrow(
      expect.objectContaining({
        code: 'INVALID_OPTIONS',
        message: expect.stringMatching(/host key must be checked.*hostKey.*knownHosts.*insecureHostKey/s),
      }),
    );
  });

  it('with insecureHostKey: true, connects to any server and warns HOST_KEY_NOT_PINNED with the fingerprint', async () => {
    const sender = senderWith({ hostKey: undefined, insecureHostKey: true });
    const warnings: SftpWarning[] = [];
    sender.on('warning', (warning) => warnings.push(warning));

    await sender.connect();

    expect(warnings).toEqual([
      expect.objectContaining({ code: 'HOST_KEY_NOT_PINNED', fingerprint: server.hostKeyFingerprint }),
    ]);
  });

  it('refuses a key that is not registered for the user: SFTP_AUTH_FAILED', async () => {
    const { private: stranger } = usableKeyPair();
    await expect(senderWith({ privateKey: stranger }).connect()).rejects.toMatchObject({
      code: 'SFTP_AUTH_FAILED',
      message: expect.stringContaining('refused the login of user "testkommune" with this key'),
    });
  });

  it('refuses a private key it cannot use before connecting: SFTP_KEY_INVALID, without the key in the message', async () => {
    const garbage = 'not a key at all';
    const failure = await senderWith({ privateKey: garbage })
      .connect()
      .catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'SFTP_KEY_INVALID' });
    expect((failure as Error).message).not.toContain(garbage);
    await expect(senderWith({ privateKey: server.keys.public }).connect()).rejects.toMatchObject({
      code: 'SFTP_KEY_INVALID',
    });
  });

  it('fails with SFTP_CONNECTION_FAILED, retryable, when nothing listens at the address', async () => {
    const { createServer } = await import('node:net');
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as { port: number }).port;
    await new Promise((resolve) => probe.close(resolve));

    await expect(senderWith({ port }).connect()).rejects.toMatchObject({
      code: 'SFTP_CONNECTION_FAILED',
      retryable: true,
      message: expect.stringContaining(`cannot reach the SFTP server at 127.0.0.1:${port}: ECONNREFUSED`),
    });
  });

  it('refuses invalid options at construction', () => {
    expect(() => senderWith({ hostKey: 'ab:cd' })).toThrow(/hostKey must be an OpenSSH SHA-256 fingerprint/);
    expect(() => senderWith({ port: 70_000 })).toThrow(/port must be an integer from 1 to 65535/);
    expect(() => senderWith({ layout: { inbox: 'in' } })).toThrow(/layout.inbox must be an absolute path/);
    expect(() => senderWith({ requestTimeoutMs: 0 })).toThrow(
      /requestTimeoutMs must be a positive number, got 0/,
    );
  });
});

describe('the journal', () => {
  it('records each upload as uploading, written and uploaded, and a second run of the same input sends nothing', async () => {
    const memos = await letters(5);
    const journal = newJournal();
    await senderWith({ journal }).send(memos, { maxMessagesPerContainer: 2 });
    await closeAll();
    const taken = server.taken().length;

    const again = senderWith({ journal });
    const skipped: string[] = [];
    again.on('skipped', ({ messageUUID }) => skipped.push(messageUUID as string));
    const result = await again.send(memos, { maxMessagesPerContainer: 2 });

    expect(result).toMatchObject({ uploads: [], messages: 0, alreadySent: 5 });
    expect(skipped).toEqual(memos.map(uuidOf));
    expect(server.taken()).toHaveLength(taken);
    const lines = (await readFile(journal, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines[0]).toEqual({ journal: 'digitalpost-sftp', v: 1 });
    expect(lines.slice(1).map((line) => line.state)).toEqual(
      Array(3).fill(['uploading', 'written', 'uploaded']).flat(),
    );
    expect(lines[2]).toMatchObject({ kind: 'container', messageUUIDs: memos.slice(0, 2).map(uuidOf) });
  });

  it('sends only what is missing when the input grows: uploaded messages are left out before packing', async () => {
    const memos = await letters(6);
    const journal = newJournal();
    await senderWith({ journal }).send(memos.slice(0, 3));
    await closeAll();

    const result = await senderWith({ journal }).send(memos);

    expect(result).toMatchObject({ messages: 3, alreadySent: 3 });
    expect(result.uploads[0]?.name).toBe(`${uuidOf(memos[3] as Memo)}.tar.lzma`);
    expectOnce(await server.delivered(), memos);
  });

  it('leaves out a file uploaded before, by content', async () => {
    const [memo] = (await letters(1)) as [Memo];
    const [file] = (await writeMemoFiles(join(dir, 'journal-files'), [memo])) as [string];
    const journal = newJournal();
    await senderWith({ journal }).sendFiles([file]);
    await closeAll();

    const result = await senderWith({ journal }).sendFiles([file]);

    expect(result).toMatchObject({ uploads: [], alreadySent: 1 });
    expect(server.taken()).toHaveLength(1);
  });

  it('goes on after an aborted run without sending a container twice', async () => {
    const memos = await letters(6);
    const journal = newJournal();
    const first = senderWith({ journal });
    const controller = new AbortController();
    first.on('uploaded', () => controller.abort());
    await expect(
      first.send(memos, { maxMessagesPerContainer: 2, signal: controller.signal }),
    ).rejects.toBeInstanceOf(SftpSendError);
    await first.close();

    const result = await senderWith({ journal }).send(memos, { maxMessagesPerContainer: 2 });

    expect(result).toMatchObject({ messages: 4, alreadySent: 2 });
    const names = server.taken().map((taken) => taken.name);
    expect(new Set(names).size).toBe(names.length);
    expectOnce(await server.delivered(), memos);
  });

  describe('recovering what a crashed run left', () => {
    const header = JSON.stringify({ journal: 'digitalpost-sftp', v: 1 });
    const lines = (...records: object[]): string =>
      `${[header, ...records.map((record) => JSON.stringify(record))].join('\n')}\n`;

    async function putOnServer(path: string, content: Uint8Array | string): Promise<void> {
      const client = await connectSftp(server.simulator, {
        username: SFTP_USER,
        privateKey: server.keys.private,
      });
      try {
        await client.put(path, content);
      } finally {
        client.end();
      }
    }

    it('removes the .part of an upload cut off while writing, and sends its messages again', async () => {
      const memos = await letters(2);
      const name = `${uuidOf(memos[0] as Memo)}.tar.lzma`;
      await putOnServer(`/in/${name}.part`, (await containerOf(memos)).subarray(0, 50));
      const journal = newJournal();
      await writeFile(journal, lines({ state: 'uploading', kind: 'container', name }));
      const sender = senderWith({ journal });
      const warnings: SftpWarning[] = [];
      sender.on('warning', (warning) => warnings.push(warning));

      const result = await sender.send(memos);

      expect(warnings).toEqual([expect.objectContaining({ code: 'RECOVERED', name })]);
      expect(result).toMatchObject({ messages: 2, alreadySent: 0 });
      expect(await server.list('/in')).toEqual([]);
      expectOnce(await server.delivered(), memos);
    });

    it('renames a complete .part left before its rename instead of uploading it again', async () => {
      const memos = await letters(3);
      const name = `${uuidOf(memos[0] as Memo)}.tar.lzma`;
      await putOnServer(`/in/${name}.part`, await containerOf(memos.slice(0, 2)));
      const journal = newJournal();
      await writeFile(
        journal,
        lines(
          { state: 'uploading', kind: 'container', name },
          {
            state: 'written',
            kind: 'container',
            name,
            sha256: 'x',
            bytes: 1,
            messageUUIDs: memos.slice(0, 2).map(uuidOf),
          },
        ),
      );

      const result = await senderWith({ journal }).send(memos);

      expect(result).toMatchObject({ messages: 1, alreadySent: 2 });
      expect(server.taken().map((taken) => taken.name)).toEqual([
        name,
        `${uuidOf(memos[2] as Memo)}.tar.lzma`,
      ]);
      expectOnce(await server.delivered(), memos);
    });

    it('counts an upload renamed just before the crash as sent: the server took it, it is not sent again', async () => {
      const memos = await letters(2);
      const name = `${uuidOf(memos[0] as Memo)}.tar.lzma`;
      await putOnServer(`/in/${name}`, await containerOf(memos));
      const journal = newJournal();
      await writeFile(
        journal,
        lines(
          { state: 'uploading', kind: 'container', name },
          {
            state: 'written',
            kind: 'container',
            name,
            sha256: 'x',
            bytes: 1,
            messageUUIDs: memos.map(uuidOf),
          },
        ),
      );

      const result = await senderWith({ journal }).send(memos);

      expect(result).toMatchObject({ uploads: [], alreadySent: 2 });
      expect(server.taken()).toHaveLength(1);
    });

    it('sends again what the server refused with an error file', async () => {
      const memos = await letters(2);
      const name = `${uuidOf(memos[0] as Memo)}.tar.lzma`;
      await putOnServer(`/in/${name}`, 'broken');
      expect(await server.list('/out/errors')).toEqual([`${name}.json`]);
      const journal = newJournal();
      await writeFile(
        journal,
        lines(
          { state: 'uploading', kind: 'container', name },
          {
            state: 'written',
            kind: 'container',
            name,
            sha256: 'x',
            bytes: 1,
            messageUUIDs: memos.map(uuidOf),
          },
        ),
      );

      const result = await senderWith({ journal }).send(memos);

      expect(result).toMatchObject({ messages: 2, alreadySent: 0 });
      expectOnce(await server.delivered(), memos);
      expect(await server.list('/out/errors')).toEqual([]);
    });

    it('cuts off a last line torn by a crash', async () => {
      const memos = await letters(1);
      const journal = newJournal();
      await writeFile(journal, `${lines()}{"state":"upl`);

      await senderWith({ journal }).send(memos);

      const content = await readFile(journal, 'utf8');
      expect(content.split('\n').every((line) => line === '' || JSON.parse(line))).toBe(true);
    });
  });

  it('may be used by one sender at a time: SFTP_JOURNAL_LOCKED until the first is closed', async () => {
    const journal = newJournal();
    const first = senderWith({ journal });
    await first.send(await letters(1));

    await expect(senderWith({ journal }).send(await letters(1))).rejects.toMatchObject({
      code: 'SFTP_JOURNAL_LOCKED',
    });
    await first.close();
    await expect(senderWith({ journal }).send(await letters(1))).resolves.toMatchObject({ messages: 1 });
  });

  it('refuses a file that is not a journal, and leaves it untouched', async () => {
    const path = join(dir, 'letter.xml');
    await writeFile(path, '<not-a-journal/>\n');

    await expect(senderWith({ journal: path }).send(await letters(1))).rejects.toMatchObject({
      code: 'SFTP_JOURNAL_INVALID',
      message: expect.stringContaining('is not a digitalpost SFTP journal'),
    });
    expect(await readFile(path, 'utf8')).toBe('<not-a-journal/>\n');
  });
});

describe('a connection lost in the middle of a run (the simulator’s SFTP fault rules)', () => {
  const fault = (rule: Record<string, unknown>): Promise<void> => addFault(server.simulator, rule);

  async function failedRun(journal: string, memos: Memo[]): Promise<void> {
    const first = senderWith({ journal });
    const failure = await first.send(memos, { maxMessagesPerContainer: 2 }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(SftpSendError);
    expect((failure as SftpSendError).cause).toMatchObject({
      code: 'SFTP_CONNECTION_FAILED',
      retryable: true,
    });
    await first.close();
  }

  it('a rename done but never answered: the next run with the journal does not send that container again', async () => {
    const memos = await letters(4);
    const journal = newJournal();
    await fault({ operation: 'SFTP RENAME', sftp: 'DISCONNECT_AFTER', times: 1 });
    await failedRun(journal, memos);
    const first = `${uuidOf(memos[0] as Memo)}.tar.lzma`;
    expect(server.taken().map((taken) => taken.name)).toEqual([first]);

    const again = senderWith({ journal });
    const warnings: SftpWarning[] = [];
    again.on('warning', (warning) => warnings.push(warning));
    const result = await again.send(memos, { maxMessagesPerContainer: 2 });

    expect(warnings).toEqual([expect.objectContaining({ code: 'RECOVERED', name: first })]);
    expect(result).toMatchObject({ messages: 2, alreadySent: 2 });
    expect(server.taken().map((taken) => taken.name)).toEqual([
      first,
      `${uuidOf(memos[2] as Memo)}.tar.lzma`,
    ]);
    expectOnce(await server.delivered(), memos);
  });

  it('a server that stops answering: the request times out, the connection is closed, and the next run completes', async () => {
    const memos = await letters(2);
    const journal = newJournal();
    // The rename is held back far longer than the sender waits for an answer.
    const heldBackMs = 10_000;
    await fault({ operation: 'SFTP RENAME', delayMs: heldBackMs, times: 1 });
    const first = senderWith({ journal, requestTimeoutMs: 300 });
    const sending = first.send(memos);
    // It gave up before the held-back answer was due.
    expect(await settlesBefore(sending, heldBackMs)).toBe(true);
    const failure = await sending.catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(SftpSendError);
    expect((failure as SftpSendError).cause).toMatchObject({
      code: 'SFTP_TIMEOUT',
      retryable: true,
      message: expect.stringMatching(/did not answer to rename .* within 300 ms; the connection was closed/),
    });
    await first.close();
    const name = `${uuidOf(memos[0] as Memo)}.tar.lzma`;
    expect(await server.list('/in')).toEqual([`${name}.part`]);

    const result = await senderWith({ journal }).send(memos);

    // The complete .part of the first run is renamed, not uploaded again.
    expect(result).toMatchObject({ messages: 0, alreadySent: 2 });
    expect(server.taken().map((taken) => taken.name)).toEqual([name]);
    expectOnce(await server.delivered(), memos);
  });

  it('a connection closed while writing: the next run removes the .part and sends its messages', async () => {
    const memos = await letters(4);
    const journal = newJournal();
    await fault({ operation: 'SFTP WRITE', sftp: 'DISCONNECT_BEFORE', times: 1 });
    await failedRun(journal, memos);
    expect(server.taken()).toEqual([]);
    expect(await server.list('/in')).toEqual([`${uuidOf(memos[0] as Memo)}.tar.lzma.part`]);

    const result = await senderWith({ journal }).send(memos, { maxMessagesPerContainer: 2 });

    expect(result).toMatchObject({ messages: 4, alreadySent: 0 });
    expect(await server.list('/in')).toEqual([]);
    expectOnce(await server.delivered(), memos);
  });
});
