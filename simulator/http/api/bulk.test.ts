/**
 * `POST /memos/` with a bulk container (ngdp-api.md §3.2, §11): raw `application/x-lzma` and the
 * multipart part `file`; one 201 for the transmission, a business receipt per entry, invalid entries
 * receipted INVALID without stopping the rest, and a clear 400 for whatever is not a container.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { lzma } from '@napi-rs/lzma';
import tar from 'tar-stream';
import { request } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { writeContainer } from '../../../sdk/memo/container.ts';
import type { Memo } from '../../../sdk/memo/types.ts';
import { serializeMemoToBytes } from '../../../sdk/memo/writer.ts';
import { multipart } from '../../../test/support/receivers.ts';
import { describeWith } from '../../../test/support/requirements.ts';
import {
  type ApiResponse,
  call,
  control,
  expectErrorMessage,
  keyOf,
  letterTo,
  mailbox,
  messageState,
  pullReceipts,
  type ReceiptBody,
  resetSimulator,
  SEED_IDS,
  sendMemo,
  startTestSimulator,
} from '../../../test/support/simulator.ts';
import type { RunningSimulator } from '../../index.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

async function containerOf(
  messages: Array<Memo | { messageUUID: string; xml: Uint8Array }>,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of writeContainer(messages)) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** A tar of the given entries (files unless a type is given), LZMA-alone compressed, bytes as given. */
async function rawTarLzma(
  entries: Array<{ name: string; body?: Uint8Array | string; type?: 'directory' }>,
): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (chunk: unknown) => chunks.push(chunk as Buffer));
  const done = new Promise<void>((resolve) => pack.on('end', () => resolve()));
  for (const entry of entries) {
    if (entry.type === 'directory') pack.entry({ name: entry.name, type: 'directory' });
    else pack.entry({ name: entry.name }, Buffer.from(entry.body ?? ''));
  }
  pack.finalize();
  await done;
  return Buffer.from(await lzma.compress(Buffer.concat(chunks)));
}

/** The n-th of a list that must have it. */
function nth<T>(list: readonly T[], index: number): T {
  const item = list[index];
  if (item === undefined) throw new Error(`no item ${index}`);
  return item;
}

const letters = (count: number, cpr = '0101700001'): Promise<Memo[]> =>
  Promise.all(Array.from({ length: count }, (_, i) => letterTo({ cpr }, { label: `Brev ${i + 1}` })));

describe('POST /memos/ with a bulk container', () => {
  let simulator: RunningSimulator;
  let key: string;

  function postContainer(
    body: Uint8Array | string,
    contentType = 'application/x-lzma',
    apiKey: string | null = key,
  ): Promise<ApiResponse> {
    return call(`${simulator.apiUrl}/memos/`, {
      method: 'POST',
      ...(apiKey === null ? {} : { apiKey }),
      body,
      contentType,
    });
  }

  function postMultipart(file: Uint8Array, partType = 'application/x-lzma'): Promise<ApiResponse> {
    const form = multipart([
      { name: 'file', filename: 'batch.tar.lzma', content: file, contentType: partType },
    ]);
    return postContainer(form.body, form.contentType);
  }

  /** Every business receipt the sender can pull, by messageUUID. */
  async function receiptsByMessage(): Promise<Map<string, ReceiptBody[]>> {
    const byMessage = new Map<string, ReceiptBody[]>();
    for (const receipt of (await pullReceipts(simulator, key)) as unknown as ReceiptBody[]) {
      const list = byMessage.get(receipt.messageUUID ?? '') ?? [];
      list.push(receipt);
      byMessage.set(receipt.messageUUID ?? '', list);
    }
    return byMessage;
  }

  beforeAll(async () => {
    simulator = await startTestSimulator({
      clockStart: '2025-03-10T09:15:27.481Z',
      container: { maxBytes: 64 * 1024, maxEntries: 50 },
      // Chunked bodies taken, so that streaming them and their limits can be shown too.
      acceptChunked: true,
    });
    key = keyOf(simulator, SEED_IDS.senderPull);
  });
  afterAll(() => simulator.stop());
  beforeEach(() => resetSimulator(simulator));

  describe('a good container', () => {
    it('answers 201 with one technical receipt for the transmission, without a messageUUID', async () => {
      const response = await postContainer(await containerOf(await letters(3)));
      expect(response.status, response.text).toBe(201);
      expect(response.json).toEqual({
        transmissionId: expect.stringMatching(UUID),
        timeStamp: simulator.clock.now().toISOString(),
        receiptStatus: 'RECEIVED',
      });
    });

    it('delivers every entry and gives each its own business receipt', async () => {
      const memos = await letters(5);
      expect((await postContainer(await containerOf(memos))).status).toBe(201);
      await simulator.settle();
      const receipts = await receiptsByMessage();
      for (const memo of memos) {
        const uuid = memo.messageHeader.messageUUID;
        expect(receipts.get(uuid), uuid).toEqual([
          expect.objectContaining({
            messageUUID: uuid,
            receiptStatus: 'COMPLETED',
            transmissionId: expect.stringMatching(UUID),
          }),
        ]);
      }
      const delivered = (await mailbox(simulator, '0101700001')).map((message) => message.messageUUID);
      expect(delivered.sort()).toEqual(memos.map((memo) => memo.messageHeader.messageUUID).sort());
    });

    it('takes the multipart form: part "file" of type application/x-lzma', async () => {
      const memos = await letters(2);
      const response = await postMultipart(await containerOf(memos));
      expect(response.status, response.text).toBe(201);
      await simulator.settle();
      expect((await mailbox(simulator, '0101700001')).length).toBe(2);
    });

    it('streams a body sent without Content-Length (chunked) with acceptChunked', async () => {
      const container = await containerOf(await letters(2));
      const response = await request(`${simulator.apiUrl}/memos/`, {
        method: 'POST',
        headers: { authorization: `Basic ${key}`, 'content-type': 'application/x-lzma' },
        body: Readable.from([container.subarray(0, 10), container.subarray(10)]),
      });
      expect(response.statusCode, await response.body.text()).toBe(201);
    });

    it('takes entries with and without a UTF-8 BOM, and ignores memo-message-uuid', async () => {
      const [a, b] = await letters(2);
      const plain = { messageUUID: b!.messageHeader.messageUUID, xml: serializeMemoToBytes(b!) };
      const body = await rawTarLzma([
        {
          name: `${a!.messageHeader.messageUUID}.xml`,
          body: serializeMemoToBytes(a!, { byteOrderMark: true }),
        },
        { name: `${plain.messageUUID}.xml`, body: plain.xml },
      ]);
      const response = await call(`${simulator.apiUrl}/memos/?memo-message-uuid=not-a-uuid`, {
        method: 'POST',
        apiKey: key,
        body,
        contentType: 'application/x-lzma',
      });
      expect(response.status, response.text).toBe(201);
      await simulator.settle();
      expect((await mailbox(simulator, '0101700001')).length).toBe(2);
    });

    it('records the container and each extracted message in the event log', async () => {
      const [memo] = await letters(1);
      const response = await postContainer(await containerOf([memo!]));
      const transmissionId = (response.json as ReceiptBody).transmissionId;
      const state = await messageState(simulator, memo!.messageHeader.messageUUID);
      expect(state.events.map((event) => event.eventTag)).toContain('MEMO_EXTRACTED');
      const events = await call(`${simulator.apiUrl}/events/?eventTag=MEMO_MASS_SEND_RECEIVED`, {
        apiKey: key,
      });
      const logged = (events.json as { events: Array<{ metaProperties: Record<string, string> }> }).events;
      expect(logged.map((event) => event.metaProperties.transmissionId)).toContain(transmissionId);
    });
  });

  describe('entries that cannot become messages', () => {
    it('receipts each bad entry INVALID and still delivers the rest', async () => {
      const sent = [...(await letters(3)), ...(await letters(1, '0101700002'))];
      const [good1, good2, misnamed, exempt] = [0, 1, 2, 3].map((i) => nth(sent, i)) as [
        Memo,
        Memo,
        Memo,
        Memo,
      ];
      const garbageUUID = '6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f';
      const body = await rawTarLzma([
        { name: `${good1.messageHeader.messageUUID}.xml`, body: serializeMemoToBytes(good1) },
        { name: `${garbageUUID}.xml`, body: '<not-a-memo' },
        // Named after another UUID than its own.
        { name: '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d.xml', body: serializeMemoToBytes(misnamed) },
        { name: `${exempt.messageHeader.messageUUID}.xml`, body: serializeMemoToBytes(exempt) },
        { name: `${good2.messageHeader.messageUUID}.xml`, body: serializeMemoToBytes(good2) },
      ]);
      const response = await postContainer(body);
      expect(response.status, response.text).toBe(201);
      await simulator.settle();
      const receipts = await receiptsByMessage();
      const only = (uuid: string) => {
        expect(receipts.get(uuid), uuid).toHaveLength(1);
        return receipts.get(uuid)?.[0];
      };
      expect(only(good1.messageHeader.messageUUID)).toMatchObject({ receiptStatus: 'COMPLETED' });
      expect(only(good2.messageHeader.messageUUID)).toMatchObject({ receiptStatus: 'COMPLETED' });
      expect(only(garbageUUID)).toMatchObject({ receiptStatus: 'INVALID', errorCode: 'MEMO_SCHEMA_INVALID' });
      expect(only(misnamed.messageHeader.messageUUID)).toMatchObject({
        receiptStatus: 'INVALID',
        errorCode: 'MEMO_UUID_MISMATCH',
      });
      expect(only(exempt.messageHeader.messageUUID)).toMatchObject({
        receiptStatus: 'NOT_ALLOWED',
        errorCode: 'RECIPIENT_EXEMPT',
      });
      const delivered = (await mailbox(simulator, '0101700001')).map((message) => message.messageUUID);
      expect(delivered.sort()).toEqual(
        [good1.messageHeader.messageUUID, good2.messageHeader.messageUUID].sort(),
      );
    });

    it('receipts a schema-invalid MeMo INVALID with MEMO_SCHEMA_INVALID', async () => {
      const [memo] = await letters(1);
      const xml = serializeMemoToBytes(memo!)
        .toString()
        .replace(/<memo:label>[^<]*<\/memo:label>/, '');
      const response = await postContainer(
        await rawTarLzma([{ name: `${memo!.messageHeader.messageUUID}.xml`, body: xml }]),
      );
      expect(response.status).toBe(201);
      await simulator.settle();
      const receipts = await receiptsByMessage();
      expect(receipts.get(memo!.messageHeader.messageUUID)).toEqual([
        expect.objectContaining({ receiptStatus: 'INVALID', errorCode: 'MEMO_SCHEMA_INVALID' }),
      ]);
    });

    it('skips entries that are not files (folders) and takes the rest', async () => {
      const [memo] = await letters(1);
      const response = await postContainer(
        await rawTarLzma([
          { name: 'folder', type: 'directory' },
          { name: `${memo!.messageHeader.messageUUID}.xml`, body: serializeMemoToBytes(memo!) },
        ]),
      );
      expect(response.status, response.text).toBe(201);
      await simulator.settle();
      expect((await mailbox(simulator, '0101700001')).length).toBe(1);
    });
  });

  describe('repeats', () => {
    it('takes the same container twice as one: no message, receipt or delivery twice', async () => {
      const container = await containerOf(await letters(3));
      expect((await postContainer(container)).status).toBe(201);
      expect((await postContainer(container)).status).toBe(201);
      await simulator.settle();
      expect((await mailbox(simulator, '0101700001')).length).toBe(3);
      expect((await pullReceipts(simulator, key)).length).toBe(3);
    });

    it('takes a container after the same MeMo came alone', async () => {
      const [memo, other] = await letters(2);
      expect((await sendMemo(simulator, key, memo!)).status).toBe(201);
      expect((await postContainer(await containerOf([memo!, other!]))).status).toBe(201);
      await simulator.settle();
      expect((await mailbox(simulator, '0101700001')).length).toBe(2);
      expect((await pullReceipts(simulator, key)).length).toBe(2);
    });

    it('receipts a different MeMo under a known messageUUID INVALID with DUPLICATE_MESSAGE_UUID', async () => {
      const [memo] = await letters(1);
      expect((await sendMemo(simulator, key, memo!)).status).toBe(201);
      await simulator.settle();
      const changed: Memo = { ...memo!, messageHeader: { ...memo!.messageHeader, label: 'Changed' } };
      expect((await postContainer(await containerOf([changed]))).status).toBe(201);
      await simulator.settle();
      const receipts = (await receiptsByMessage()).get(memo!.messageHeader.messageUUID);
      expect(receipts?.map((receipt) => [receipt.receiptStatus, receipt.errorCode])).toEqual([
        ['COMPLETED', undefined],
        ['INVALID', 'DUPLICATE_MESSAGE_UUID'],
      ]);
      expect((await mailbox(simulator, '0101700001'))[0]?.label).toBe(memo!.messageHeader.label);
    });

    it('holds a messageUUID twice within one container once: the second, different one is refused', async () => {
      const [memo] = await letters(1);
      const uuid = memo!.messageHeader.messageUUID;
      const changed: Memo = { ...memo!, messageHeader: { ...memo!.messageHeader, label: 'Changed' } };
      expect((await postContainer(await containerOf([memo!, changed]))).status).toBe(201);
      await simulator.settle();
      const receipts = (await receiptsByMessage()).get(uuid);
      expect(receipts?.map((receipt) => receipt.errorCode ?? receipt.receiptStatus).sort()).toEqual([
        'COMPLETED',
        'DUPLICATE_MESSAGE_UUID',
      ]);
      expect(await mailbox(simulator, '0101700001')).toHaveLength(1);
    });
  });

  describe('what is not a container', () => {
    it.each([
      ['random bytes', Buffer.from('this is not lzma at all, just text')],
      ['an empty body', Buffer.alloc(0)],
      ['a gzip file', Buffer.from('1f8b0800000000000003030000000000000000', 'hex')],
    ])('answers 400 CONTAINER_UNREADABLE for %s', async (_name, body) => {
      const response = await postContainer(body);
      expectErrorMessage(response, 400, 'CONTAINER_UNREADABLE');
    });

    it('answers 400 CONTAINER_UNREADABLE for a truncated container and stores none of it', async () => {
      const container = await containerOf(await letters(3));
      const response = await postContainer(container.subarray(0, Math.floor(container.length / 2)));
      expectErrorMessage(response, 400, 'CONTAINER_UNREADABLE');
      await simulator.settle();
      expect(await mailbox(simulator, '0101700001')).toEqual([]);
      expect(await pullReceipts(simulator, key)).toEqual([]);
    });

    it('answers 400 CONTAINER_UNREADABLE for LZMA data that is not a tar', async () => {
      const response = await postContainer(
        Buffer.from(await lzma.compress(Buffer.from('plain text, no tar'))),
      );
      expectErrorMessage(response, 400, 'CONTAINER_UNREADABLE');
    });

    it('answers 400 CONTAINER_EMPTY for a container without entries', async () => {
      const response = await postContainer(await rawTarLzma([]));
      expectErrorMessage(response, 400, 'CONTAINER_EMPTY');
    });

    it('answers 400 CONTAINER_TOO_LARGE for more entries than allowed', async () => {
      const memo = (await letters(1))[0]!;
      const xml = serializeMemoToBytes(memo);
      const entries = Array.from({ length: 51 }, (_, i) => ({
        name: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}.xml`,
        body: xml,
      }));
      const response = await postContainer(await rawTarLzma(entries));
      expectErrorMessage(response, 400, 'CONTAINER_TOO_LARGE');
      expect(await pullReceipts(simulator, key)).toEqual([]);
    });

    it.each([
      ['with Content-Length', true],
      ['chunked', false],
    ])('answers 400 MESSAGE_TOO_LARGE for a body over the limit (%s)', async (_name, withLength) => {
      // A real container whose random attachment does not compress: readable up to the limit.
      const big = await containerOf([
        await letterTo(
          { cpr: '0101700001' },
          { document: { content: randomBytes(80 * 1024), filename: 'big.pdf' } },
        ),
      ]);
      expect(big.length).toBeGreaterThan(64 * 1024);
      const response = await request(`${simulator.apiUrl}/memos/`, {
        method: 'POST',
        headers: { authorization: `Basic ${key}`, 'content-type': 'application/x-lzma' },
        body: withLength ? big : Readable.from([big.subarray(0, 40_000), big.subarray(40_000)]),
      });
      const text = await response.body.text();
      expect(response.statusCode, text).toBe(400);
      expect(JSON.parse(text)).toMatchObject({ code: 'MESSAGE_TOO_LARGE' });
    });

    it('stops reading a long body that is not LZMA at once, and the connection stays usable', async () => {
      const { Agent } = await import('undici');
      const agent = new Agent({ connections: 1 });
      try {
        const garbage = Buffer.alloc(60 * 1024, 7);
        const first = await request(`${simulator.apiUrl}/memos/`, {
          method: 'POST',
          dispatcher: agent,
          headers: { authorization: `Basic ${key}`, 'content-type': 'application/x-lzma' },
          body: Readable.from([garbage.subarray(0, 1024), garbage.subarray(1024)]),
        });
        expect(JSON.parse(await first.body.text())).toMatchObject({ code: 'CONTAINER_UNREADABLE' });
        const second = await request(`${simulator.apiUrl}/memos/`, {
          method: 'POST',
          dispatcher: agent,
          headers: { authorization: `Basic ${key}`, 'content-type': 'application/x-lzma' },
          body: await containerOf(await letters(1)),
        });
        expect(second.statusCode, await second.body.text()).toBe(201);
      } finally {
        await agent.close();
      }
    });

    it('answers 401 before reading the container when the API key is missing', async () => {
      const response = await postContainer(await containerOf(await letters(1)), 'application/x-lzma', null);
      expect(response.status).toBe(401);
    });

    it('names both single and bulk content types when the type is wrong', async () => {
      const response = await postContainer('x', 'application/zip');
      const body = expectErrorMessage(response, 400, 'CONTENT_TYPE_NOT_SUPPORTED');
      expect(body.message).toContain('application/x-lzma');
    });
  });

  describe('the multipart form', () => {
    it('answers 400 CONTAINER_MISSING without a part named "file"', async () => {
      const form = multipart([
        { name: 'upload', filename: 'a.tar.lzma', content: 'x', contentType: 'application/x-lzma' },
      ]);
      expectErrorMessage(await postContainer(form.body, form.contentType), 400, 'CONTAINER_MISSING');
    });

    it('answers 400 CONTENT_TYPE_NOT_SUPPORTED when the part is not application/x-lzma', async () => {
      const container = await containerOf(await letters(1));
      expectErrorMessage(
        await postMultipart(container, 'application/octet-stream'),
        400,
        'CONTENT_TYPE_NOT_SUPPORTED',
      );
    });

    it('answers 400 CONTENT_TYPE_NOT_SUPPORTED when "file" is a plain field', async () => {
      const form = multipart([{ name: 'file', content: 'abc' }]);
      expectErrorMessage(await postContainer(form.body, form.contentType), 400, 'CONTENT_TYPE_NOT_SUPPORTED');
    });

    it('answers 400 MALFORMED_MULTIPART without a boundary', async () => {
      expectErrorMessage(await postContainer('abc', 'multipart/form-data'), 400, 'MALFORMED_MULTIPART');
    });

    it('answers 400 CONTAINER_UNREADABLE when the part holds no container', async () => {
      expectErrorMessage(await postMultipart(Buffer.from('nope')), 400, 'CONTAINER_UNREADABLE');
    });

    it('answers 400 MESSAGE_TOO_LARGE when the part is over the limit', async () => {
      expectErrorMessage(await postMultipart(Buffer.alloc(65 * 1024, 1)), 400, 'MESSAGE_TOO_LARGE');
    });
  });

  describeWith({ tools: ['tar', 'xz'] }, 'interop', () => {
    it('takes a container made by the system tar and xz --format=lzma', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'dp-bulk-'));
      try {
        const memos = await letters(3);
        for (const memo of memos) {
          writeFileSync(join(dir, `${memo.messageHeader.messageUUID}.xml`), serializeMemoToBytes(memo));
        }
        const names = memos.map((memo) => `${memo.messageHeader.messageUUID}.xml`);
        const tarBytes = execFileSync('tar', ['-c', '-C', dir, ...names]);
        const container = execFileSync('xz', ['--format=lzma', '-c'], { input: tarBytes });
        const response = await postContainer(container);
        expect(response.status, response.text).toBe(201);
        await simulator.settle();
        expect((await mailbox(simulator, '0101700001')).length).toBe(3);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  it('keeps the control API view of a bulk message like any other', async () => {
    const [memo] = await letters(1);
    await postContainer(await containerOf([memo!]));
    await simulator.settle();
    const response = await control(simulator, 'GET', `/messages/${memo!.messageHeader.messageUUID}`);
    expect(response.json).toMatchObject({ state: 'DELIVERED', receiptStatus: 'COMPLETED' });
  });
});

describe('a bulk container on SQLite', () => {
  it('keeps every entry of an acknowledged container across a restart', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'dp-bulk-sqlite-'));
    try {
      const memos = await letters(4);
      let simulator = await startTestSimulator({ dataDir, clockStart: '2025-03-10T09:15:27.481Z' });
      const key = keyOf(simulator, SEED_IDS.senderPull);
      const response = await call(`${simulator.apiUrl}/memos/`, {
        method: 'POST',
        apiKey: key,
        body: await containerOf(memos),
        contentType: 'application/x-lzma',
      });
      expect(response.status, response.text).toBe(201);
      await simulator.stop();
      simulator = await startTestSimulator({ dataDir });
      try {
        await simulator.settle();
        const delivered = (await mailbox(simulator, '0101700001')).map((message) => message.messageUUID);
        expect(delivered.sort()).toEqual(memos.map((memo) => memo.messageHeader.messageUUID).sort());
      } finally {
        await simulator.stop();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
