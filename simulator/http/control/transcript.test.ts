/**
 * `GET /simulator/v1/transcript`: every call systems made into NgDP's API — served, refused or
 * faulted — and every push, as the conformance suite reads them (docs/simulator.md, "The
 * transcript"). Every answer is checked against the documented entry shape.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { serializeMemoToBytes } from '../../../sdk/memo/writer.ts';
import {
  addFault,
  call,
  control,
  expectErrorMessage,
  keyOf,
  letterTo,
  patchSystem,
  type Receiver,
  resetSimulator,
  SEED_IDS,
  sendMemo,
  startReceiver,
  startTestSimulator,
  transcript,
} from '../../../test/support/simulator.ts';
import type { RunningSimulator } from '../../index.ts';

const sha256 = (bytes: Uint8Array | string): string => createHash('sha256').update(bytes).digest('hex');

describe('the transcript', () => {
  let simulator: RunningSimulator;
  let key: string;

  beforeAll(async () => {
    simulator = await startTestSimulator();
    key = keyOf(simulator, SEED_IDS.senderPull);
  });
  afterAll(() => simulator.stop());
  beforeEach(() => resetSimulator(simulator));

  it('records a send: who, what, when, the body as a size and hash, and the answer', async () => {
    const memo = await letterTo({ cpr: '0101700001' });
    const xml = serializeMemoToBytes(memo);
    const messageUUID = memo.messageHeader.messageUUID;
    const before = Date.now();

    expect((await sendMemo(simulator, key, memo)).status).toBe(201);

    const { entries, next } = await transcript(simulator);
    expect(entries).toEqual([
      {
        seq: expect.any(Number),
        at: simulator.clock.now().toISOString(),
        wallAt: expect.any(String),
        direction: 'in',
        channel: 'http',
        systemId: SEED_IDS.senderPull,
        operation: 'POST /memos/',
        method: 'POST',
        path: `/apis/v1/memos/?memo-message-uuid=${messageUUID}`,
        status: 201,
        durationMs: expect.any(Number),
        messageUUID,
        bodyBytes: xml.byteLength,
        bodySha256: sha256(xml),
        code: null,
        fault: null,
        credentials: 'authorization',
      },
    ]);
    expect(Date.parse(entries[0]?.wallAt as string)).toBeGreaterThanOrEqual(before - 1);
    expect(next).toBe(entries[0]?.seq);
  });

  it('records refused calls with their ErrorMessage code, and no system when none authenticated', async () => {
    expectErrorMessage(await call(`${simulator.apiUrl}/receipts/`), 401, 'UNAUTHENTICATED');
    expectErrorMessage(await call(`${simulator.apiUrl}/memos/`, { apiKey: key }), 403, 'SYSTEM_ROLE_MISSING');
    expectErrorMessage(await call(`${simulator.apiUrl}/nothing-here`, { apiKey: key }), 404, 'NOT_FOUND');

    expect((await transcript(simulator)).entries).toMatchObject([
      {
        operation: 'GET /receipts/',
        status: 401,
        code: 'UNAUTHENTICATED',
        systemId: null,
        credentials: 'none',
      },
      { operation: 'GET /memos/', status: 403, code: 'SYSTEM_ROLE_MISSING', systemId: SEED_IDS.senderPull },
      { operation: 'GET /nothing-here', status: 404, code: 'NOT_FOUND', systemId: SEED_IDS.senderPull },
    ]);
  });

  it('names the operation as fault rules do, with {id} for the id in the path', async () => {
    const id = '0f0f0f0f-0000-4000-8000-00000000abcd';
    await call(`${simulator.apiUrl}/receipts/${id}`, { apiKey: key });
    await call(`${simulator.apiUrl}/memos/${id}/receipt`, {
      method: 'POST',
      apiKey: keyOf(simulator, SEED_IDS.authorityRecipient),
      contentType: 'application/json',
      body: '{"receiptStatus":"COMPLETED"}',
    });

    expect((await transcript(simulator)).entries).toMatchObject([
      { operation: 'GET /receipts/{id}', messageUUID: null, status: 404 },
      { operation: 'POST /memos/{id}/receipt', messageUUID: id, status: 404, bodyBytes: 29 },
    ]);
  });

  it('says credentials were elsewhere for a key in the query, names its system and keeps no key', async () => {
    const response = await call(`${simulator.apiUrl}/receipts/?apiKey=${encodeURIComponent(key)}`);
    expectErrorMessage(response, 401, 'UNAUTHENTICATED');

    const [entry] = (await transcript(simulator)).entries;
    expect(entry).toMatchObject({ credentials: 'elsewhere', systemId: SEED_IDS.senderPull, status: 401 });
    expect(entry?.path).toBe('/apis/v1/receipts/?apiKey=[REDACTED]');
  });

  it('says credentials were elsewhere for a key sent in the header and a header of its own', async () => {
    await call(`${simulator.apiUrl}/receipts/`, { apiKey: key, headers: { 'x-api-key': key } });

    expect((await transcript(simulator)).entries).toMatchObject([{ credentials: 'elsewhere', status: 200 }]);
  });

  it('records a call a fault rule answered, and one it delayed', async () => {
    await addFault(simulator, { operation: 'GET /receipts/', status: 500, times: 1 });
    await addFault(simulator, { operation: 'GET /receipts-bulk/', delayMs: 1, times: 1 });
    await call(`${simulator.apiUrl}/receipts/`, { apiKey: key });
    await call(`${simulator.apiUrl}/receipts-bulk/`, { apiKey: key });

    expect((await transcript(simulator)).entries).toMatchObject([
      { status: 500, fault: 'status', code: 'INJECTED_FAULT' },
      { status: 200, fault: 'delay', code: null },
    ]);
  });

  it("tells chaos's 503 from a fault rule's", async () => {
    const chaotic = await startTestSimulator({ chaos: { rejectRate: 1 } });
    try {
      const memo = await letterTo({ cpr: '0101700001' });
      expect((await sendMemo(chaotic, keyOf(chaotic, SEED_IDS.senderPull), memo)).status).toBe(503);

      expect((await transcript(chaotic)).entries).toMatchObject([
        { status: 503, fault: 'chaos-503', code: null },
      ]);
    } finally {
      await chaotic.stop();
    }
  });

  it('records no calls to the control API', async () => {
    await control(simulator, 'GET', '/faults');

    expect((await transcript(simulator)).entries).toEqual([]);
  });

  it('gives the entries of one system after a cursor, at most limit at a time', async () => {
    const pushKey = keyOf(simulator, SEED_IDS.senderPush);
    for (let i = 0; i < 3; i++) {
      await call(`${simulator.apiUrl}/receipts/`, { apiKey: key });
      await call(`${simulator.apiUrl}/receipts/`, { apiKey: pushKey });
    }

    const first = await transcript(simulator, { systemId: SEED_IDS.senderPush, limit: 2 });
    const rest = await transcript(simulator, { systemId: SEED_IDS.senderPush, after: first.next });
    const none = await transcript(simulator, { systemId: SEED_IDS.senderPush, after: rest.next });

    expect(first.entries).toHaveLength(2);
    expect(rest.entries).toHaveLength(1);
    expect([...first.entries, ...rest.entries].every((entry) => entry.systemId === SEED_IDS.senderPush)).toBe(
      true,
    );
    expect(none).toEqual({ entries: [], next: rest.next });
  });

  it('is emptied by a reset', async () => {
    await call(`${simulator.apiUrl}/receipts/`, { apiKey: key });

    await resetSimulator(simulator);

    expect((await transcript(simulator)).entries).toEqual([]);
  });

  it.each([
    ['a limit over 10,000', 'limit=10001', 'limit'],
    ['a limit of 0', 'limit=0', 'limit'],
    ['a cursor that is no number', 'after=x', 'after'],
    ['a repeated parameter', 'after=1&after=2', 'after'],
  ])('refuses %s: 400 INVALID_PARAMETER naming it', async (_case, query, field) => {
    const body = expectErrorMessage(
      await control(simulator, 'GET', `/transcript?${query}`),
      400,
      'INVALID_PARAMETER',
    );

    expect(body.fieldErrors).toMatchObject([{ field }]);
  });

  describe('pushes', () => {
    let receiver: Receiver;

    beforeAll(async () => {
      receiver = await startReceiver(202);
    });
    afterAll(() => receiver.close());

    it('records a MeMo pushed to a system, with its endpoint, answer and the MeMo as pushed', async () => {
      await patchSystem(simulator, SEED_IDS.companyRecipient, {
        protocol: 'REST_PUSH',
        endpoint: receiver.url,
      });
      const memo = await letterTo({ cvr: '87654321' });
      const xml = serializeMemoToBytes(memo);

      await sendMemo(simulator, key, memo);
      await simulator.settle();

      expect((await transcript(simulator, { systemId: SEED_IDS.companyRecipient })).entries).toEqual([
        expect.objectContaining({
          direction: 'out',
          operation: 'PUSH memo',
          method: 'POST',
          path: receiver.url,
          status: 202,
          messageUUID: memo.messageHeader.messageUUID,
          bodyBytes: xml.byteLength,
          bodySha256: sha256(xml),
          credentials: 'none',
        }),
      ]);
    });

    it('records a receipt pushed to its sender with the hash of the JSON it sent', async () => {
      await patchSystem(simulator, SEED_IDS.senderPush, { receiptEndpoint: receiver.url });
      const memo = await letterTo({ cpr: '0101700002' });
      receiver.requests.length = 0;

      await sendMemo(simulator, keyOf(simulator, SEED_IDS.senderPush), memo);
      await simulator.settle();

      const pushed = receiver.requests.at(-1)?.body as Buffer;
      expect((await transcript(simulator, { systemId: SEED_IDS.senderPush })).entries.at(-1)).toMatchObject({
        operation: 'PUSH receipt',
        status: 202,
        code: 'RECIPIENT_EXEMPT',
        bodyBytes: pushed.length,
        bodySha256: sha256(pushed),
      });
    });
  });
});
