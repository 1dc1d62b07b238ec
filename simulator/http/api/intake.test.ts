/**
 * `POST /memos/` as a sender system sees it: the technical receipt, the synchronous 400s of
 * simulator.md ("Synchronous vs asynchronous checks"), idempotent resends and the size limit.
 */
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { request } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Memo } from '../../../sdk/memo/types.ts';
import { serializeMemo, serializeMemoToBytes } from '../../../sdk/memo/writer.ts';
import {
  control,
  expectErrorMessage,
  keyOf,
  letterTo,
  mailbox,
  messageState,
  postMemo,
  type ReceiptBody,
  receiptFor,
  receiptsFor,
  resetSimulator,
  SEED_IDS,
  sendMemo,
  startTestSimulator,
} from '../../../test/support/simulator.ts';
import type { RunningSimulator } from '../../index.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ISO_MS_Z = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const OTHER_UUID = '6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f';

/** A billion-laughs document: tiny on the wire, gigabytes if entities were expanded. */
const ENTITY_BOMB = [
  '<?xml version="1.0" encoding="UTF-8"?>',
  '<!DOCTYPE memo:Message [',
  ' <!ENTITY lol "lol">',
  ...Array.from({ length: 9 }, (_, i) => ` <!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`),
  ']>',
  '<memo:Message xmlns:memo="https://DigitalPost.dk/MeMo-1" memoVersion="1.2">',
  '<memo:MessageHeader><memo:label>&lol9;</memo:label></memo:MessageHeader></memo:Message>',
].join('\n');

/** A document whose gzip form has a `&` before its first non-UTF-8 byte. */
const GZIPPED_SOURCE =
  '<?xml version="1.0" encoding="UTF-8"?><memo:Message xmlns:memo="https://DigitalPost.dk/MeMo-1" memoVersion="1.2">' +
  '<memo:MessageHeader><memo:label>Tom &amp; Jerry</memo:label></memo:MessageHeader></memo:Message>';

describe('POST /memos/', () => {
  let simulator: RunningSimulator;
  let key: string;

  beforeAll(async () => {
    simulator = await startTestSimulator({ clockStart: '2025-03-10T09:15:27.481Z' });
    key = keyOf(simulator, SEED_IDS.senderPull);
  });
  afterAll(() => simulator.stop());
  beforeEach(() => resetSimulator(simulator));

  describe('the technical receipt', () => {
    it('answers 201 with a RECEIVED receipt carrying transmissionId, messageUUID, messageId and timeStamp', async () => {
      const memo = await letterTo({ cpr: '0101700001' }, { messageID: 'J-2024-0042' });
      const response = await sendMemo(simulator, key, memo);
      expect(response.status, response.text).toBe(201);
      expect(response.headers['content-type']).toMatch(/^application\/json/);
      const receipt = response.json as ReceiptBody;
      expect(receipt).toEqual({
        transmissionId: expect.stringMatching(UUID),
        messageUUID: memo.messageHeader.messageUUID,
        messageId: 'J-2024-0042',
        timeStamp: expect.stringMatching(ISO_MS_Z),
        receiptStatus: 'RECEIVED',
      });
      expect(receipt.timeStamp).toBe(simulator.clock.now().toISOString());
    });

    it('leaves messageId out when the MeMo has no messageID', async () => {
      const memo = await letterTo({ cpr: '0101700001' });
      const response = await sendMemo(simulator, key, memo);
      expect(response.status).toBe(201);
      expect(response.json).not.toHaveProperty('messageId');
    });

    it('gives every transmission its own transmissionId', async () => {
      const first = await sendMemo(simulator, key, await letterTo({ cpr: '0101700001' }));
      const second = await sendMemo(simulator, key, await letterTo({ cpr: '0101700001' }));
      expect((first.json as ReceiptBody).transmissionId).not.toBe(
        (second.json as ReceiptBody).transmissionId,
      );
    });

    it.each([
      'application/xml',
      'application/xml; charset=utf-8',
      'text/xml',
      'text/xml; charset=UTF-8',
      'Application/XML',
    ])('accepts Content-Type %s', async (contentType) => {
      const memo = await letterTo({ cpr: '0101700001' });
      const response = await postMemo(simulator, memo, {
        apiKey: key,
        uuid: memo.messageHeader.messageUUID,
        contentType,
      });
      expect(response.status, response.text).toBe(201);
    });

    it('accepts a body that starts with a UTF-8 byte order mark and delivers it', async () => {
      const memo = await letterTo({ cpr: '0101700001' });
      const bytes = serializeMemoToBytes(memo, { byteOrderMark: true });
      expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      const response = await postMemo(simulator, bytes, {
        apiKey: key,
        uuid: memo.messageHeader.messageUUID,
      });
      expect(response.status, response.text).toBe(201);
      await simulator.settle();
      expect((await receiptFor(simulator, key, memo.messageHeader.messageUUID)).receiptStatus).toBe(
        'COMPLETED',
      );
    });

    it('compares memo-message-uuid with the header without regard to case', async () => {
      const memo = await letterTo({ cpr: '0101700001' });
      const uuid = memo.messageHeader.messageUUID;
      const response = await postMemo(simulator, memo, { apiKey: key, uuid: uuid.toUpperCase() });
      expect(response.status, response.text).toBe(201);
      expect((response.json as ReceiptBody).messageUUID).toBe(uuid);
    });
    it('accepts an upper-case messageUUID, as in the official MeMo example', async () => {
      const upper = '8C2EA15D-61FB-4BA9-9366-42F8B194C114';
      const memo = await letterTo({ cpr: '0101700001' }, { messageUUID: upper });
      const response = await postMemo(simulator, memo, { apiKey: key, uuid: upper });
      expect(response.status, response.text).toBe(201);
      expect((response.json as ReceiptBody).messageUUID?.toUpperCase()).toBe(upper);
      await simulator.settle();
      expect((await receiptFor(simulator, key, upper.toLowerCase())).receiptStatus).toBe('COMPLETED');
    });
  });

  describe('synchronous refusals (400 ErrorMessage)', () => {
    it.each([
      ['text/plain', 'text/plain'],
      ['application/json', 'application/json'],
      ['application/octet-stream', 'application/octet-stream'],
      ['application/xml-dtd', 'application/xml-dtd'],
    ])('refuses Content-Type %s with CONTENT_TYPE_NOT_SUPPORTED', async (_name, contentType) => {
      const memo = await letterTo({ cpr: '0101700001' });
      const response = await postMemo(simulator, memo, {
        apiKey: key,
        uuid: memo.messageHeader.messageUUID,
        contentType,
      });
      expectErrorMessage(response, 400, 'CONTENT_TYPE_NOT_SUPPORTED');
    });

    it('refuses a request without Content-Type with CONTENT_TYPE_NOT_SUPPORTED', async () => {
      const memo = await letterTo({ cpr: '0101700001' });
      const response = await postMemo(simulator, memo, {
        apiKey: key,
        uuid: memo.messageHeader.messageUUID,
        noContentType: true,
      });
      expectErrorMessage(response, 400, 'CONTENT_TYPE_NOT_SUPPORTED');
    });

    it('refuses a MeMo without the memo-message-uuid query parameter with MEMO_UUID_MISSING', async () => {
      const memo = await letterTo({ cpr: '0101700001' });
      const error = expectErrorMessage(
        await postMemo(simulator, memo, { apiKey: key }),
        400,
        'MEMO_UUID_MISSING',
      );
      expect(error.fieldErrors).toEqual([
        expect.objectContaining({ field: 'memo-message-uuid', code: 'MEMO_UUID_MISSING' }),
      ]);
    });

    it('refuses an empty memo-message-uuid with MEMO_UUID_MISSING', async () => {
      const memo = await letterTo({ cpr: '0101700001' });
      const response = await postMemo(simulator, memo, { apiKey: key, uuid: '' });
      expectErrorMessage(response, 400, 'MEMO_UUID_MISSING');
    });

    it('refuses a memo-message-uuid that differs from MessageHeader/messageUUID with MEMO_UUID_MISMATCH and a field error', async () => {
      const memo = await letterTo({ cpr: '0101700001' });
      const error = expectErrorMessage(
        await postMemo(simulator, memo, { apiKey: key, uuid: OTHER_UUID }),
        400,
        'MEMO_UUID_MISMATCH',
      );
      expect(error.fieldErrors).toEqual([
        {
          resource: 'query',
          field: 'memo-message-uuid',
          code: 'MEMO_UUID_MISMATCH',
          message: expect.stringContaining(memo.messageHeader.messageUUID),
          rejectedValue: OTHER_UUID,
        },
      ]);
    });

    it.each([
      ['plain text', 'this is not XML'],
      ['an empty body', ''],
      [
        'truncated XML',
        '<?xml version="1.0"?><memo:Message xmlns:memo="https://DigitalPost.dk/MeMo-1"><memo:Mess',
      ],
      ['another root element', '<?xml version="1.0"?><invoice xmlns="urn:example"/>'],
      ['a MeMo in JSON', '{"messageHeader":{}}'],
      ['bytes that are not UTF-8', new Uint8Array([0xff, 0x3c])],
      ['a gzip-compressed MeMo', gzipSync(GZIPPED_SOURCE)],
      ['elements nested 150 deep', `${'<a>'.repeat(150)}${'</a>'.repeat(150)}`],
    ])('refuses %s with MEMO_UNREADABLE', async (_name, body) => {
      const response = await postMemo(simulator, body, { apiKey: key, uuid: OTHER_UUID });
      expectErrorMessage(response, 400, 'MEMO_UNREADABLE');
    });

    it('refuses an entity bomb with MEMO_UNREADABLE at its DOCTYPE, without expanding it', async () => {
      const response = await postMemo(simulator, ENTITY_BOMB, { apiKey: key, uuid: OTHER_UUID });
      const error = expectErrorMessage(response, 400, 'MEMO_UNREADABLE');
      expect(error.message).toContain('DOCTYPE');
      // Refused just as a DOCTYPE declaring nothing is: no entity was read, let alone expanded.
      const bare = ENTITY_BOMB.replace(/<!DOCTYPE [\s\S]*\]>/, '<!DOCTYPE memo:Message>');
      expect(bare).not.toContain('<!ENTITY');
      const bareResponse = await postMemo(simulator, bare, { apiKey: key, uuid: OTHER_UUID });
      expect(expectErrorMessage(bareResponse, 400, 'MEMO_UNREADABLE')).toEqual(error);
    });

    it('refuses a DOCTYPE with an external entity with MEMO_UNREADABLE', async () => {
      const memo = await letterTo({ cpr: '0101700001' });
      const xml = serializeMemo(memo).replace(
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE memo:Message [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
      );
      const response = await postMemo(simulator, xml, { apiKey: key, uuid: memo.messageHeader.messageUUID });
      expectErrorMessage(response, 400, 'MEMO_UNREADABLE');
    });

    it('stores nothing for a refused request', async () => {
      const memo = await letterTo({ cpr: '0101700001' });
      const uuid = memo.messageHeader.messageUUID;
      await postMemo(simulator, memo, { apiKey: key, uuid, contentType: 'text/plain' });
      await postMemo(simulator, memo, { apiKey: key, uuid: OTHER_UUID });
      await simulator.settle();
      expect((await control(simulator, 'GET', `/messages/${uuid}`)).status).toBe(404);
      expect((await control(simulator, 'GET', `/messages/${OTHER_UUID}`)).status).toBe(404);
      expect(await mailbox(simulator, '0101700001')).toEqual([]);
    });
  });

  describe('resending', () => {
    it('answers a byte-identical resend from the same system with the original 201 receipt', async () => {
      const memo = await letterTo({ cpr: '0101700001' }, { messageID: 'RESEND-1' });
      const first = await sendMemo(simulator, key, memo);
      expect(first.status).toBe(201);
      await simulator.clock.advance('PT5M');
      const again = await sendMemo(simulator, key, memo);
      expect(again.status, again.text).toBe(201);
      expect(again.json).toEqual(first.json);
    });

    it('creates one letter and one business receipt however often a message is resent', async () => {
      const memo = await letterTo({ cpr: '0101700001' });
      const uuid = memo.messageHeader.messageUUID;
      await sendMemo(simulator, key, memo);
      await sendMemo(simulator, key, memo);
      await simulator.settle();
      await sendMemo(simulator, key, memo);
      await simulator.settle();
      expect((await mailbox(simulator, '0101700001')).map((entry) => entry.messageUUID)).toEqual([uuid]);
      expect(await receiptsFor(simulator, key, uuid)).toHaveLength(1);
    });

    it('answers concurrent identical sends with one receipt and creates one letter', async () => {
      const memo = await letterTo({ cpr: '0101700001' });
      const uuid = memo.messageHeader.messageUUID;
      const answers = await Promise.all(Array.from({ length: 5 }, () => sendMemo(simulator, key, memo)));
      expect(answers.map((answer) => answer.status)).toEqual([201, 201, 201, 201, 201]);
      expect(new Set(answers.map((answer) => (answer.json as ReceiptBody).transmissionId)).size).toBe(1);
      await simulator.settle();
      expect((await mailbox(simulator, '0101700001')).map((entry) => entry.messageUUID)).toEqual([uuid]);
    });

    it('refuses the same messageUUID with different content with 409 DUPLICATE_MESSAGE_UUID', async () => {
      const memo = await letterTo({ cpr: '0101700001' }, { label: 'Original' });
      const first = await sendMemo(simulator, key, memo);
      expect(first.status).toBe(201);
      const changed: Memo = { ...memo, messageHeader: { ...memo.messageHeader, label: 'Changed' } };
      const conflict = await sendMemo(simulator, key, changed);
      expect(conflict.status).toBe(409);
      // Besides the ErrorMessage fields, the sender gets its original technical receipt back.
      expect(conflict.json).toEqual({
        code: 'DUPLICATE_MESSAGE_UUID',
        message: expect.any(String),
        fieldErrors: [],
        receipt: first.json,
      });
      await simulator.settle();
      expect((await messageState(simulator, memo.messageHeader.messageUUID)).label).toBe('Original');
    });

    it('treats a byte-identical message from another sender system as a duplicate (409)', async () => {
      const memo = await letterTo({ cpr: '0101700001' });
      expect((await sendMemo(simulator, key, memo)).status).toBe(201);
      const other = await sendMemo(simulator, keyOf(simulator, SEED_IDS.senderPush), memo);
      expectErrorMessage(other, 409, 'DUPLICATE_MESSAGE_UUID');
    });
  });
});

describe('POST /memos/ with a small maxMemoBytes', () => {
  let simulator: RunningSimulator;
  let key: string;
  let exact: Memo;
  let limit: number;

  beforeAll(async () => {
    exact = await letterTo({ cpr: '0101700001' }, { label: 'Exactly at the limit' });
    limit = serializeMemoToBytes(exact).byteLength;
    // Chunked bodies taken, so that their limit can be shown too.
    simulator = await startTestSimulator({ maxMemoBytes: limit, acceptChunked: true });
    key = keyOf(simulator, SEED_IDS.senderPull);
  });
  afterAll(() => simulator.stop());

  const bigLetter = (size: number) =>
    letterTo(
      { cpr: '0101700001' },
      { document: { content: Buffer.alloc(size, 0x41), filename: 'big.pdf' }, validate: false },
    );

  it('accepts a body of exactly maxMemoBytes', async () => {
    const response = await sendMemo(simulator, key, exact);
    expect(response.status, response.text).toBe(201);
  });

  it('refuses a body one byte over maxMemoBytes with 400 MESSAGE_TOO_LARGE', async () => {
    const memo = await letterTo({ cpr: '0101700001' }, { label: 'Exactly at the limit!' });
    expect(serializeMemoToBytes(memo).byteLength).toBe(limit + 1);
    expectErrorMessage(await sendMemo(simulator, key, memo), 400, 'MESSAGE_TOO_LARGE');
  });

  it('refuses a much larger body with 400 MESSAGE_TOO_LARGE', async () => {
    const memo = await bigLetter(1_000_000);
    expectErrorMessage(await sendMemo(simulator, key, memo), 400, 'MESSAGE_TOO_LARGE');
  });

  it('refuses an over-limit body sent with chunked transfer encoding (no Content-Length)', async () => {
    const memo = await bigLetter(50_000);
    const bytes = serializeMemoToBytes(memo);
    const response = await request(
      `${simulator.apiUrl}/memos/?memo-message-uuid=${memo.messageHeader.messageUUID}`,
      {
        method: 'POST',
        headers: { authorization: `Basic ${key}`, 'content-type': 'application/xml' },
        body: Readable.from([bytes.subarray(0, 1_000), bytes.subarray(1_000)]),
      },
    );
    const text = await response.body.text();
    expect(response.statusCode, text).toBe(400);
    expect(JSON.parse(text)).toMatchObject({ code: 'MESSAGE_TOO_LARGE' });
  });

  it('keeps accepting and delivering messages after refusing an over-limit body', async () => {
    expectErrorMessage(await sendMemo(simulator, key, await bigLetter(200_000)), 400, 'MESSAGE_TOO_LARGE');
    const small = await letterTo({ cpr: '0101700001' });
    const response = await sendMemo(simulator, key, small);
    expect(response.status, response.text).toBe(201);
    await simulator.settle();
    expect((await receiptFor(simulator, key, small.messageHeader.messageUUID)).receiptStatus).toBe(
      'COMPLETED',
    );
  });
});
