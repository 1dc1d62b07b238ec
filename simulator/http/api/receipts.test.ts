/**
 * Business receipts as a sender system gets them: the outcome for every magic identity of
 * simulator.md, asynchronous INVALID receipts, and pulling receipts through `/receipts/`,
 * `/receipts/{id}` and `/receipts-bulk/` (ngdp-api.md §4.4).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createNemSms } from '../../../sdk/memo/builder.ts';
import type { Memo } from '../../../sdk/memo/types.ts';
import { serializeMemo } from '../../../sdk/memo/writer.ts';
import {
  call,
  createSystem,
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
const UNKNOWN_UUID = '0f0f0f0f-0000-4000-8000-00000000abcd';
const pdf = (name: string) => ({
  content: Buffer.from(`%PDF-1.4\n${name}\n%%EOF\n`),
  filename: `${name}.pdf`,
});

const nemSms = (cpr: string): Memo =>
  createNemSms({
    sender: { cvr: '12345678', label: 'Testkommune' },
    recipient: { cpr },
    label: 'Påmindelse',
    text: 'Husk din tid hos lægen i morgen kl. 10.',
  });

describe('business receipts', () => {
  let simulator: RunningSimulator;
  let key: string;

  beforeAll(async () => {
    simulator = await startTestSimulator({ clockStart: '2025-03-10T10:00:00Z' });
    key = keyOf(simulator, SEED_IDS.senderPull);
  });
  afterAll(() => simulator.stop());
  beforeEach(() => resetSimulator(simulator));

  /** Sends a MeMo (201 expected), lets processing finish, and returns its one business receipt. */
  async function outcome(memo: Memo | Uint8Array, apiKey = key, uuid?: string): Promise<ReceiptBody> {
    const messageUUID = uuid ?? (memo as Memo).messageHeader.messageUUID;
    const response = await postMemo(simulator, memo, { apiKey, uuid: messageUUID });
    expect(response.status, response.text).toBe(201);
    await simulator.settle();
    return receiptFor(simulator, apiKey, messageUUID);
  }

  describe('magic identities', () => {
    it('0101700001: delivers to the mailbox with a COMPLETED receipt', async () => {
      const memo = await letterTo({ cpr: '0101700001' }, { messageID: 'J-1' });
      const receipt = await outcome(memo);
      expect(receipt).toEqual({
        id: expect.stringMatching(UUID),
        transmissionId: expect.stringMatching(UUID),
        messageUUID: memo.messageHeader.messageUUID,
        messageId: 'J-1',
        timeStamp: expect.stringMatching(ISO_MS_Z),
        receiptStatus: 'COMPLETED',
      });
      expect((await mailbox(simulator, '0101700001')).map((entry) => entry.messageUUID)).toEqual([
        memo.messageHeader.messageUUID,
      ]);
    });

    it('0101700002: refuses with NOT_ALLOWED RECIPIENT_EXEMPT and delivers nothing', async () => {
      const receipt = await outcome(await letterTo({ cpr: '0101700002' }));
      expect(receipt).toMatchObject({ receiptStatus: 'NOT_ALLOWED', errorCode: 'RECIPIENT_EXEMPT' });
      expect(receipt.errorMessage).toEqual(expect.any(String));
      expect(await mailbox(simulator, '0101700002')).toEqual([]);
    });

    it('0101700002: delivers mandatory post from an authority allowed to send it', async () => {
      const memo = await letterTo({ cpr: '0101700002' }, { mandatory: true });
      expect((await outcome(memo)).receiptStatus).toBe('COMPLETED');
      expect(await mailbox(simulator, '0101700002')).toHaveLength(1);
    });

    it('refuses mandatory post from an organisation not allowed to send it (MANDATORY_NOT_ALLOWED)', async () => {
      const company = await createSystem(simulator, {
        organisationId: SEED_IDS.companyWithSystem,
        roles: ['SENDER'],
        protocol: 'REST_PULL',
      });
      const memo = await letterTo({ cpr: '0101700002' }, { mandatory: true });
      const receipt = await outcome(memo, company.apiKey);
      expect(receipt).toMatchObject({ receiptStatus: 'NOT_ALLOWED', errorCode: 'MANDATORY_NOT_ALLOWED' });
    });

    it('0101700003: refuses with NOT_ALLOWED RECIPIENT_CLOSED', async () => {
      const receipt = await outcome(await letterTo({ cpr: '0101700003' }));
      expect(receipt).toMatchObject({ receiptStatus: 'NOT_ALLOWED', errorCode: 'RECIPIENT_CLOSED' });
      expect(await mailbox(simulator, '0101700003')).toEqual([]);
    });

    it('0101700004: refuses with NOT_ALLOWED RECIPIENT_NOT_REACHABLE', async () => {
      const receipt = await outcome(await letterTo({ cpr: '0101700004' }));
      expect(receipt).toMatchObject({ receiptStatus: 'NOT_ALLOWED', errorCode: 'RECIPIENT_NOT_REACHABLE' });
      expect(await mailbox(simulator, '0101700004')).toEqual([]);
    });

    it('0101700005: accepts a NemSMS (COMPLETED) and records it as sent', async () => {
      const memo = nemSms('0101700005');
      expect((await outcome(memo)).receiptStatus).toBe('COMPLETED');
      const state = await messageState(simulator, memo.messageHeader.messageUUID);
      expect(state.events.map((event) => event.eventTag)).toContain('NEM_SMS_SENT_SUCCESSFULLY');
    });

    it('0101700005: delivers an ordinary letter too', async () => {
      expect((await outcome(await letterTo({ cpr: '0101700005' }))).receiptStatus).toBe('COMPLETED');
    });

    it('0101700001: refuses a NemSMS (no NemSMS subscription) with NOT_ALLOWED', async () => {
      const receipt = await outcome(nemSms('0101700001'));
      expect(receipt.receiptStatus).toBe('NOT_ALLOWED');
      expect(receipt.errorCode).toEqual(expect.any(String));
      expect(receipt.errorMessage).toMatch(/NemSMS/);
    });

    it('0101700006: delivers at once but gives the receipt only after 1 hour of simulator time', async () => {
      const memo = await letterTo({ cpr: '0101700006' });
      const uuid = memo.messageHeader.messageUUID;
      const sentAt = simulator.clock.now().getTime();
      expect((await sendMemo(simulator, key, memo)).status).toBe(201);
      await simulator.settle();
      expect(await mailbox(simulator, '0101700006')).toHaveLength(1);
      expect(await receiptsFor(simulator, key, uuid)).toEqual([]);
      await simulator.clock.advance('PT59M');
      expect(await receiptsFor(simulator, key, uuid)).toEqual([]);
      await simulator.clock.advance('PT1M');
      const receipt = await receiptFor(simulator, key, uuid);
      expect(receipt.receiptStatus).toBe('COMPLETED');
      expect(Date.parse(receipt.timeStamp)).toBe(sentAt + 3_600_000);
    });

    it('an unknown CPR number: refuses with NOT_ALLOWED RECIPIENT_UNKNOWN', async () => {
      const receipt = await outcome(await letterTo({ cpr: '3112999999' }));
      expect(receipt).toMatchObject({ receiptStatus: 'NOT_ALLOWED', errorCode: 'RECIPIENT_UNKNOWN' });
    });

    it('an unknown CVR number: refuses with NOT_ALLOWED RECIPIENT_UNKNOWN', async () => {
      const receipt = await outcome(await letterTo({ cvr: '99887766' }));
      expect(receipt).toMatchObject({ receiptStatus: 'NOT_ALLOWED', errorCode: 'RECIPIENT_UNKNOWN' });
    });

    it('a company without a recipient system: delivers to its mailbox (COMPLETED)', async () => {
      expect((await outcome(await letterTo({ cvr: '11223344' }))).receiptStatus).toBe('COMPLETED');
      expect(await mailbox(simulator, '11223344')).toHaveLength(1);
    });
  });

  describe('asynchronous INVALID receipts', () => {
    it('accepts a schema-invalid MeMo with 201, then answers INVALID MEMO_SCHEMA_INVALID naming the problem', async () => {
      const memo = await letterTo({ cpr: '12345' }, { validate: false });
      const receipt = await outcome(memo);
      expect(receipt).toMatchObject({ receiptStatus: 'INVALID', errorCode: 'MEMO_SCHEMA_INVALID' });
      expect(receipt.errorMessage).toContain('recipientID');
    });

    it('answers INVALID MEMO_SCHEMA_INVALID for an element out of order', async () => {
      const memo = await letterTo({ cpr: '0101700001' });
      const xml = serializeMemo(memo).replace(
        /(<memo:messageUUID>[^<]*<\/memo:messageUUID>)(<memo:label>[^<]*<\/memo:label>)/,
        '$2$1',
      );
      expect(xml).not.toBe(serializeMemo(memo));
      const receipt = await outcome(Buffer.from(xml), key, memo.messageHeader.messageUUID);
      expect(receipt).toMatchObject({ receiptStatus: 'INVALID', errorCode: 'MEMO_SCHEMA_INVALID' });
      expect(receipt.errorMessage).toMatch(/messageUUID/);
    });

    it('delivers nothing for an INVALID message and logs MEMO_SEND_VALIDATION_FAILED', async () => {
      const memo = await letterTo({ cpr: '0101700001' }, { validate: false, label: '' });
      expect((await outcome(memo)).receiptStatus).toBe('INVALID');
      expect(await mailbox(simulator, '0101700001')).toEqual([]);
      const state = await messageState(simulator, memo.messageHeader.messageUUID);
      expect(state.state).toBe('REJECTED');
      expect(state.events.map((event) => event.eventTag)).toContain('MEMO_SEND_VALIDATION_FAILED');
    });

    it('answers INVALID TOO_MANY_ATTACHMENTS for 11 attachments', async () => {
      const attachments = Array.from({ length: 11 }, (_, i) => pdf(`bilag-${i + 1}`));
      const memo = await letterTo({ cpr: '0101700001' }, { attachments, validate: false });
      const receipt = await outcome(memo);
      expect(receipt).toMatchObject({ receiptStatus: 'INVALID', errorCode: 'TOO_MANY_ATTACHMENTS' });
      expect(receipt.errorMessage).toContain('11');
    });

    it('delivers a letter with exactly 10 attachments', async () => {
      const attachments = Array.from({ length: 10 }, (_, i) => pdf(`bilag-${i + 1}`));
      const memo = await letterTo({ cpr: '0101700001' }, { attachments });
      expect((await outcome(memo)).receiptStatus).toBe('COMPLETED');
    });
  });
});

describe('business receipts with loose: true', () => {
  let simulator: RunningSimulator;
  let key: string;

  beforeAll(async () => {
    simulator = await startTestSimulator({ loose: true });
    key = keyOf(simulator, SEED_IDS.senderPull);
  });
  afterAll(() => simulator.stop());

  it('delivers to an unknown, well-formed CPR number and registers it', async () => {
    const memo = await letterTo({ cpr: '3112999999' });
    expect((await sendMemo(simulator, key, memo)).status).toBe(201);
    await simulator.settle();
    expect((await receiptFor(simulator, key, memo.messageHeader.messageUUID)).receiptStatus).toBe(
      'COMPLETED',
    );
    expect(await mailbox(simulator, '3112999999')).toHaveLength(1);
    const contacts = await call(`${simulator.apiUrl}/contacts/?cprNumber=3112999999`, { apiKey: key });
    expect(contacts.json).toMatchObject({
      contacts: [
        { cprNumber: '3112999999', mailboxSubscription: { publicRegistrationStatus: 'REGISTERED' } },
      ],
    });
  });

  it('still refuses the seeded identities as usual (0101700003 RECIPIENT_CLOSED)', async () => {
    const memo = await letterTo({ cpr: '0101700003' });
    await sendMemo(simulator, key, memo);
    await simulator.settle();
    expect(await receiptFor(simulator, key, memo.messageHeader.messageUUID)).toMatchObject({
      receiptStatus: 'NOT_ALLOWED',
      errorCode: 'RECIPIENT_CLOSED',
    });
  });

  it('still answers INVALID for a malformed CPR number', async () => {
    const memo = await letterTo({ cpr: '12345' }, { validate: false });
    await sendMemo(simulator, key, memo);
    await simulator.settle();
    expect((await receiptFor(simulator, key, memo.messageHeader.messageUUID)).receiptStatus).toBe('INVALID');
  });
});

interface PagingResult {
  content: string[];
  number: number;
  size: number;
  previous?: { page: number; size: number; ordering: unknown[] };
  next?: { page: number; size: number; ordering: unknown[] };
  totalElements: number;
  totalPages: number;
}

interface BulkResult {
  currentPage: number;
  totalPages: number;
  elementsOnPage: number;
  totalElements: number;
  receipts: ReceiptBody[];
}

describe('pulling receipts', () => {
  let simulator: RunningSimulator;
  let pullKey: string;
  let pushKey: string;

  beforeAll(async () => {
    simulator = await startTestSimulator();
    pullKey = keyOf(simulator, SEED_IDS.senderPull);
    pushKey = keyOf(simulator, SEED_IDS.senderPush);
  });
  afterAll(() => simulator.stop());
  beforeEach(() => resetSimulator(simulator));

  /** Sends `count` letters as `apiKey` and waits for their receipts; returns the messageUUIDs in order. */
  async function receiptsOf(count: number, apiKey = pullKey): Promise<string[]> {
    const uuids: string[] = [];
    for (let i = 0; i < count; i++) {
      const memo = await letterTo({ cpr: '0101700001' }, { messageID: `M-${i}` });
      expect((await sendMemo(simulator, apiKey, memo)).status).toBe(201);
      uuids.push(memo.messageHeader.messageUUID);
    }
    await simulator.settle();
    return uuids;
  }

  const list = async (query = '', apiKey = pullKey): Promise<PagingResult> => {
    const response = await call(`${simulator.apiUrl}/receipts/${query}`, { apiKey });
    expect(response.status, response.text).toBe(200);
    return response.json as PagingResult;
  };
  const bulk = async (query = '', apiKey = pullKey): Promise<BulkResult> => {
    const response = await call(`${simulator.apiUrl}/receipts-bulk/${query}`, { apiKey });
    expect(response.status, response.text).toBe(200);
    return response.json as BulkResult;
  };

  describe('GET /receipts/', () => {
    it('answers a PagingResultUUID whose content are the receipt ids', async () => {
      await receiptsOf(2);
      const page = await list();
      expect(page).toEqual({
        content: [expect.stringMatching(UUID), expect.stringMatching(UUID)],
        number: 0,
        size: expect.any(Number),
        totalElements: 2,
        totalPages: 1,
      });
      const ids = (await bulk()).receipts.map((receipt) => receipt.id);
      expect(page.content).toEqual(ids);
    });

    it('lists receipts in the order they were created', async () => {
      const uuids = await receiptsOf(4);
      const { content } = await list();
      const byId = new Map((await bulk()).receipts.map((receipt) => [receipt.id, receipt.messageUUID]));
      expect(content.map((id) => byId.get(id))).toEqual(uuids);
    });

    it('answers an empty page when there are no receipts, with neither previous nor next', async () => {
      const page = await list();
      expect(page).toMatchObject({ content: [], totalElements: 0 });
      expect(page).not.toHaveProperty('previous');
      expect(page).not.toHaveProperty('next');
    });

    it('pages with zero-based page and size, with previous and next links where there are such pages', async () => {
      await receiptsOf(5);
      const first = await list('?page=0&size=2');
      expect(first).toMatchObject({ number: 0, size: 2, totalElements: 5, totalPages: 3 });
      expect(first).not.toHaveProperty('previous');
      expect(first.content).toHaveLength(2);
      expect(first.next).toMatchObject({ page: 1, size: 2 });
      const middle = await list('?page=1&size=2');
      expect(middle.previous).toMatchObject({ page: 0, size: 2 });
      expect(middle.next).toMatchObject({ page: 2, size: 2 });
      const last = await list('?page=2&size=2');
      expect(last.content).toHaveLength(1);
      expect(last).not.toHaveProperty('next');
      const all = [...first.content, ...middle.content, ...last.content];
      expect(new Set(all).size).toBe(5);
    });

    it('accepts size=1000, as production clients use', async () => {
      await receiptsOf(1);
      expect(await list('?size=1000')).toMatchObject({ size: 1000, totalElements: 1 });
    });

    it('answers an empty content past the last page', async () => {
      await receiptsOf(2);
      expect(await list('?page=5&size=2')).toMatchObject({ content: [], number: 5, totalElements: 2 });
    });

    it.each([
      ['page', 'page=-1'],
      ['page', 'page=abc'],
      ['page', 'page=1.5'],
      ['size', 'size=0'],
      ['size', 'size=-5'],
      ['size', 'size=ten'],
      ['size', 'size=100000'],
    ])('refuses %s in %s with 400 INVALID_PARAMETER', async (field, query) => {
      const response = await call(`${simulator.apiUrl}/receipts/?${query}`, { apiKey: pullKey });
      const error = expectErrorMessage(response, 400, 'INVALID_PARAMETER');
      expect(error.fieldErrors).toEqual([expect.objectContaining({ field })]);
    });
  });

  describe('GET /receipts/{id}', () => {
    it('answers the Receipt and deletes it by default', async () => {
      const [uuid] = await receiptsOf(1);
      const [id] = (await list()).content as [string];
      const response = await call(`${simulator.apiUrl}/receipts/${id}`, { apiKey: pullKey });
      expect([200, 201]).toContain(response.status);
      expect(response.json).toMatchObject({
        messageUUID: uuid,
        receiptStatus: 'COMPLETED',
        messageId: 'M-0',
      });
      expectErrorMessage(
        await call(`${simulator.apiUrl}/receipts/${id}`, { apiKey: pullKey }),
        404,
        'NOT_FOUND',
      );
      expect((await list()).content).toEqual([]);
    });

    it('keeps the receipt with ?delete=false', async () => {
      await receiptsOf(1);
      const [id] = (await list()).content as [string];
      const first = await call(`${simulator.apiUrl}/receipts/${id}?delete=false`, { apiKey: pullKey });
      const second = await call(`${simulator.apiUrl}/receipts/${id}?delete=false`, { apiKey: pullKey });
      expect(second.status).toBe(first.status);
      expect(second.json).toEqual(first.json);
      expect((await list()).content).toEqual([id]);
    });

    it('deletes the receipt with ?delete=true', async () => {
      await receiptsOf(1);
      const [id] = (await list()).content as [string];
      await call(`${simulator.apiUrl}/receipts/${id}?delete=true`, { apiKey: pullKey });
      expect((await list()).content).toEqual([]);
    });

    it('refuses ?delete=maybe with 400 INVALID_PARAMETER and keeps the receipt', async () => {
      await receiptsOf(1);
      const [id] = (await list()).content as [string];
      const response = await call(`${simulator.apiUrl}/receipts/${id}?delete=maybe`, { apiKey: pullKey });
      expectErrorMessage(response, 400, 'INVALID_PARAMETER');
      expect((await list()).content).toEqual([id]);
    });
  });

  describe('DELETE /receipts/{id}', () => {
    it('acknowledges a receipt with 204, after which it is gone (404)', async () => {
      await receiptsOf(2);
      const [id, other] = (await list()).content as [string, string];
      const deleted = await call(`${simulator.apiUrl}/receipts/${id}`, { method: 'DELETE', apiKey: pullKey });
      expect(deleted.status).toBe(204);
      expect(deleted.text).toBe('');
      expectErrorMessage(
        await call(`${simulator.apiUrl}/receipts/${id}`, { method: 'DELETE', apiKey: pullKey }),
        404,
        'NOT_FOUND',
      );
      expectErrorMessage(
        await call(`${simulator.apiUrl}/receipts/${id}`, { apiKey: pullKey }),
        404,
        'NOT_FOUND',
      );
      expect((await list()).content).toEqual([other]);
    });
  });

  describe('GET /receipts-bulk/', () => {
    it('answers a ReceiptSearchResult of full receipts, each with its id', async () => {
      const [uuid] = await receiptsOf(1);
      expect(await bulk()).toEqual({
        currentPage: 0,
        totalPages: 1,
        elementsOnPage: 1,
        totalElements: 1,
        receipts: [
          {
            id: expect.stringMatching(UUID),
            transmissionId: expect.stringMatching(UUID),
            messageUUID: uuid,
            messageId: 'M-0',
            timeStamp: expect.stringMatching(ISO_MS_Z),
            receiptStatus: 'COMPLETED',
          },
        ],
      });
    });

    it('does not consume what it returns', async () => {
      await receiptsOf(2);
      await bulk();
      expect((await bulk()).totalElements).toBe(2);
    });

    it('pages with page and size', async () => {
      await receiptsOf(3);
      const second = await bulk('?page=1&size=2');
      expect(second).toMatchObject({ currentPage: 1, totalPages: 2, elementsOnPage: 1, totalElements: 3 });
      expect(second.receipts).toHaveLength(1);
    });

    it('refuses a bad size with 400 INVALID_PARAMETER', async () => {
      const response = await call(`${simulator.apiUrl}/receipts-bulk/?size=0`, { apiKey: pullKey });
      expectErrorMessage(response, 400, 'INVALID_PARAMETER');
    });
  });

  describe('unknown receipts', () => {
    it.each([
      ['GET', ''],
      ['GET', '?delete=false'],
      ['DELETE', ''],
    ])('%s /receipts/{unknown id}%s answers 404 ErrorMessage', async (method, query) => {
      const response = await call(`${simulator.apiUrl}/receipts/${UNKNOWN_UUID}${query}`, {
        method,
        apiKey: pullKey,
      });
      expectErrorMessage(response, 404, 'NOT_FOUND');
    });

    it('answers 400 with the path field at fault for an id that is not a UUID, as NgDP declares', async () => {
      for (const method of ['GET', 'DELETE']) {
        const body = expectErrorMessage(
          await call(`${simulator.apiUrl}/receipts/not-a-receipt`, { method, apiKey: pullKey }),
          400,
          'INVALID_FORMAT',
        );
        expect(body.fieldErrors).toMatchObject([
          { resource: 'path', field: 'id', rejectedValue: 'not-a-receipt' },
        ]);
      }
    });

    it('answers 404 for a messageUUID used as a receipt id', async () => {
      const [uuid] = await receiptsOf(1);
      expectErrorMessage(
        await call(`${simulator.apiUrl}/receipts/${uuid}`, { apiKey: pullKey }),
        404,
        'NOT_FOUND',
      );
    });
  });

  describe("another system's receipts", () => {
    it('are never listed', async () => {
      const [pullUuid] = await receiptsOf(1, pullKey);
      const [pushUuid] = await receiptsOf(1, pushKey);
      expect((await bulk('', pullKey)).receipts.map((receipt) => receipt.messageUUID)).toEqual([pullUuid]);
      expect((await bulk('', pushKey)).receipts.map((receipt) => receipt.messageUUID)).toEqual([pushUuid]);
      const pullIds = (await list('', pullKey)).content;
      expect((await list('', pushKey)).content.some((id) => pullIds.includes(id))).toBe(false);
    });

    it('cannot be read: 404', async () => {
      await receiptsOf(1, pullKey);
      const [id] = (await list('', pullKey)).content as [string];
      for (const query of ['', '?delete=false']) {
        const response = await call(`${simulator.apiUrl}/receipts/${id}${query}`, { apiKey: pushKey });
        expectErrorMessage(response, 404, 'NOT_FOUND');
      }
      expect((await list('', pullKey)).content).toEqual([id]);
    });

    it('cannot be deleted: 404, and the receipt stays with its owner', async () => {
      await receiptsOf(1, pullKey);
      const [id] = (await list('', pullKey)).content as [string];
      const response = await call(`${simulator.apiUrl}/receipts/${id}`, {
        method: 'DELETE',
        apiKey: pushKey,
      });
      expectErrorMessage(response, 404, 'NOT_FOUND');
      expect((await list('', pullKey)).content).toEqual([id]);
    });
  });
});
