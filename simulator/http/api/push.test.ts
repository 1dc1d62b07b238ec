/**
 * Deliveries the simulator makes, over real HTTP to local receivers: MeMos pushed to REST_PUSH
 * recipient systems (ngdp-api.md §5.1), receipts pushed to sender systems (§4.3), publish/subscribe
 * notifications (simulator.md "Publish/subscribe"), and the retry, fallback and deactivation rules of
 * simulator.md "Delivery retries", on the manual clock.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { serializeMemoToBytes } from '../../../sdk/memo/writer.ts';
import { DAY, FALLBACK_OFFSETS, HOUR, MINUTE, RETRY_OFFSETS } from '../../../test/support/schedule.ts';
import {
  addFault,
  call,
  createSystem,
  keyOf,
  letterTo,
  messageState,
  multipartParts,
  patchSystem,
  pullReceipts,
  type ReceivedRequest,
  type Receiver,
  resetSimulator,
  SEED_IDS,
  sendMemo,
  startReceiver,
  startSilentReceiver,
  startTestSimulator,
} from '../../../test/support/simulator.ts';
import type { RunningSimulator } from '../../index.ts';

const SCHEDULE = RETRY_OFFSETS;
const FALLBACK = FALLBACK_OFFSETS;
const PUSH_TIMEOUT_MS = 200;

let simulator: RunningSimulator;
let senderKey: string;
let companyKey: string;
const receivers: Array<{ close(): Promise<void> }> = [];

beforeAll(async () => {
  simulator = await startTestSimulator({ pushTimeoutMs: PUSH_TIMEOUT_MS });
  senderKey = keyOf(simulator, SEED_IDS.senderPull);
  companyKey = keyOf(simulator, SEED_IDS.companyRecipient);
});
afterAll(() => simulator.stop());
beforeEach(() => resetSimulator(simulator));
afterEach(async () => {
  await simulator.settle();
  await Promise.all(receivers.splice(0).map((receiver) => receiver.close()));
});

/** A receiver that also notes the simulator time of each request it gets. */
async function timedReceiver(
  respond: number | ((request: ReceivedRequest) => number) = 200,
): Promise<Receiver & { times: number[] }> {
  const times: number[] = [];
  const receiver = await startReceiver((request) => {
    times.push(simulator.clock.now().getTime());
    return typeof respond === 'function' ? respond(request) : respond;
  });
  receivers.push(receiver);
  return Object.assign(receiver, { times });
}

/** Offsets of `times` from the first of them. */
const offsets = (times: number[]): number[] => times.map((time) => time - (times[0] ?? 0));

async function send(
  apiKey: string,
  recipient: Parameters<typeof letterTo>[0],
  extra: Parameters<typeof letterTo>[1] = {},
): Promise<{ id: string; xml: Uint8Array }> {
  const memo = await letterTo(recipient, extra);
  const xml = serializeMemoToBytes(memo);
  const response = await sendMemo(simulator, apiKey, xml, memo.messageHeader.messageUUID);
  expect(response.status).toBe(201);
  await simulator.settle();
  return { id: memo.messageHeader.messageUUID, xml };
}

/** The seeded company recipient system (CVR 87654321), switched to REST_PUSH at `url`. */
async function companyPushesTo(url: string): Promise<void> {
  await patchSystem(simulator, SEED_IDS.companyRecipient, { protocol: 'REST_PUSH', endpoint: url });
}

async function tags(messageUUID: string): Promise<string[]> {
  return (await messageState(simulator, messageUUID)).events.map((event) => event.eventTag);
}

const count = (list: string[], tag: string): number => list.filter((item) => item === tag).length;

function postReceipt(apiKey: string, messageUUID: string, receiptStatus = 'COMPLETED') {
  return call(`${simulator.apiUrl}/memos/${messageUUID}/receipt`, {
    method: 'POST',
    apiKey,
    contentType: 'application/json',
    body: JSON.stringify({
      transmissionId: randomUUID(),
      messageUUID,
      timeStamp: new Date().toISOString(),
      receiptStatus,
    }),
  });
}

async function senderReceipt(
  apiKey: string,
  messageUUID: string,
): Promise<Record<string, string> | undefined> {
  return (await pullReceipts(simulator, apiKey)).find((receipt) => receipt.messageUUID === messageUUID);
}

describe('REST_PUSH of a MeMo', () => {
  test('is multipart/form-data with exactly one part "file" named by the bare messageUUID holding the MeMo XML', async () => {
    const receiver = await timedReceiver(200);
    await companyPushesTo(receiver.url);

    const { id, xml } = await send(senderKey, { cvr: '87654321' });

    expect(receiver.requests).toHaveLength(1);
    const request = receiver.requests[0] as ReceivedRequest;
    expect(request.method).toBe('POST');
    expect(String(request.headers['content-type'])).toMatch(/^multipart\/form-data;\s*boundary=/);
    const parts = await multipartParts(request);
    expect(parts).toHaveLength(1);
    expect(parts[0]?.name).toBe('file');
    expect(parts[0]?.filename).toBe(id);
    expect(parts[0]?.content.equals(Buffer.from(xml))).toBe(true);
  });

  test.each([200, 201, 202, 204])('an answer %i counts as delivered, with no retry', async (status) => {
    const receiver = await timedReceiver(status);
    await companyPushesTo(receiver.url);

    const { id } = await send(senderKey, { cvr: '87654321' });
    await simulator.clock.advance('P8D');

    expect(receiver.requests).toHaveLength(1);
    const log = await tags(id);
    expect(count(log, 'MEMO_SEND_SENT_TO_RECIPIENT_SYSTEM')).toBe(1);
    expect(count(log, 'MEMO_SEND_SENT_TO_RECIPIENT_SYSTEM_FAILED')).toBe(0);
  });

  test('the recipient then posts its receipt and the sender pulls it as COMPLETED', async () => {
    const receiver = await timedReceiver(200);
    await companyPushesTo(receiver.url);
    const { id } = await send(senderKey, { cvr: '87654321' });

    const response = await postReceipt(companyKey, id);
    await simulator.settle();

    expect(response.status).toBe(200);
    expect(await senderReceipt(senderKey, id)).toMatchObject({ receiptStatus: 'COMPLETED' });
  });

  test('no business receipt reaches the sender before the recipient gives one', async () => {
    const receiver = await timedReceiver(200);
    await companyPushesTo(receiver.url);

    const { id } = await send(senderKey, { cvr: '87654321' });

    expect(await senderReceipt(senderKey, id)).toBeUndefined();
  });

  test('a recipient may post its receipt before its answer to the push has arrived', async () => {
    let receiptStatus = 0;
    let pending = '';
    // Processes the MeMo and acknowledges it before it answers the push.
    const server = createServer((request, response) => {
      request.resume();
      request.on('end', async () => {
        receiptStatus = (await postReceipt(companyKey, pending)).status;
        response.statusCode = 200;
        response.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    receivers.push({ close: () => new Promise((resolve) => server.close(() => resolve())) });
    await companyPushesTo(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    const memo = await letterTo({ cvr: '87654321' });
    pending = memo.messageHeader.messageUUID;

    expect((await sendMemo(simulator, senderKey, memo)).status).toBe(201);
    await simulator.settle();

    expect(receiptStatus).toBe(200);
    expect(await senderReceipt(senderKey, pending)).toMatchObject({ receiptStatus: 'COMPLETED' });
  });

  test('a receipt for a MeMo whose push timed out is accepted, and the sender gets it', async () => {
    const silent = await startSilentReceiver();
    receivers.push(silent);
    await companyPushesTo(silent.url);
    const { id } = await send(senderKey, { cvr: '87654321' });
    expect(silent.requests).toHaveLength(1);

    const response = await postReceipt(companyKey, id);
    await simulator.settle();

    expect(response.status).toBe(200);
    expect(await senderReceipt(senderKey, id)).toMatchObject({ receiptStatus: 'COMPLETED' });
  });

  test.each([404, 500, 503])('an answer %i is a failed attempt, retried 10 minutes later', async (status) => {
    let answer = status;
    const receiver = await timedReceiver(() => answer);
    await companyPushesTo(receiver.url);
    const { id } = await send(senderKey, { cvr: '87654321' });
    answer = 200;

    await simulator.clock.advance('PT10M');

    expect(offsets(receiver.times)).toEqual([0, 10 * MINUTE]);
    const log = await tags(id);
    expect(count(log, 'MEMO_SEND_SENT_TO_RECIPIENT_SYSTEM_FAILED')).toBe(1);
    expect(count(log, 'MEMO_SEND_SENT_TO_RECIPIENT_SYSTEM')).toBe(1);
  });

  test('no answer within the push timeout is a failed attempt, retried 10 minutes later', async () => {
    const silent = await startSilentReceiver();
    receivers.push(silent);
    await companyPushesTo(silent.url);
    const { id } = await send(senderKey, { cvr: '87654321' });
    expect(silent.requests).toHaveLength(1);
    expect(await tags(id)).toContain('MEMO_SEND_SENT_TO_RECIPIENT_SYSTEM_FAILED');

    const receiver = await timedReceiver(200);
    await companyPushesTo(receiver.url);
    await simulator.clock.advance('PT9M');
    expect(receiver.requests).toHaveLength(0);
    await simulator.clock.advance('PT1M');

    expect(receiver.requests).toHaveLength(1);
    expect(await tags(id)).toContain('MEMO_SEND_SENT_TO_RECIPIENT_SYSTEM');
  });
});

describe('retries of a failing recipient system', () => {
  test('a failing push is attempted at +0, +10 min, +1 h, +4 h, +12 h, then daily until 7 days after the first', async () => {
    const receiver = await timedReceiver(500);
    await companyPushesTo(receiver.url);

    await send(senderKey, { cvr: '87654321' });
    await simulator.clock.advance('P10D');

    expect(offsets(receiver.times)).toEqual(SCHEDULE);
  });

  test('each failed attempt is logged as MEMO_SEND_SENT_TO_RECIPIENT_SYSTEM_FAILED', async () => {
    const receiver = await timedReceiver(500);
    await companyPushesTo(receiver.url);

    const { id } = await send(senderKey, { cvr: '87654321' });
    await simulator.clock.advance('P10D');

    const log = await tags(id);
    expect(count(log, 'MEMO_SEND_SENT_TO_RECIPIENT_SYSTEM_FAILED')).toBe(SCHEDULE.length);
    expect(count(log, 'MEMO_SEND_SENT_TO_RECIPIENT_SYSTEM')).toBe(0);
  });

  test('when every attempt at the default recipient system failed the sender gets NOT_ALLOWED', async () => {
    const receiver = await timedReceiver(500);
    await companyPushesTo(receiver.url);

    const { id } = await send(senderKey, { cvr: '87654321' });
    await simulator.clock.advance('P6D');
    expect(await senderReceipt(senderKey, id)).toBeUndefined();
    await simulator.clock.advance('P2D');

    const receipts = (await pullReceipts(simulator, senderKey)).filter((r) => r.messageUUID === id);
    expect(receipts).toHaveLength(1);
    expect(receipts[0]).toMatchObject({ receiptStatus: 'NOT_ALLOWED', errorCode: expect.any(String) });
    expect(await tags(id)).toContain('MEMO_SEND_FAILED');
  });

  test('a PUSH memo fault rule with times 2 fails two attempts, then the third reaches the endpoint', async () => {
    const receiver = await timedReceiver(200);
    await companyPushesTo(receiver.url);
    await addFault(simulator, { operation: 'PUSH memo', status: 500, times: 2 });

    const { id } = await send(senderKey, { cvr: '87654321' });
    const sentAt = simulator.clock.now().getTime();
    await simulator.clock.advance('P1D');

    expect(receiver.times.map((time) => time - sentAt)).toEqual([HOUR]);
    const log = await tags(id);
    expect(count(log, 'MEMO_SEND_SENT_TO_RECIPIENT_SYSTEM_FAILED')).toBe(2);
    expect(count(log, 'MEMO_SEND_SENT_TO_RECIPIENT_SYSTEM')).toBe(1);
    expect(log.lastIndexOf('MEMO_SEND_SENT_TO_RECIPIENT_SYSTEM_FAILED')).toBeLessThan(
      log.indexOf('MEMO_SEND_SENT_TO_RECIPIENT_SYSTEM'),
    );
  });
});

describe('fallback to the default recipient system', () => {
  /**
   * The authority's seeded recipient system (target of the seeded contact point) becomes a plain
   * RECIPIENT pushing to `failing`; a new default recipient system pushes to `primary`.
   */
  async function authorityWithContactPointSystem(failing: string, primary: string): Promise<string> {
    const created = await createSystem(simulator, {
      organisationId: SEED_IDS.authority,
      name: 'Testkommune primært modtagersystem (PUSH)',
      roles: ['RECIPIENT', 'RECIPIENT_DEFAULT'],
      protocol: 'REST_PUSH',
      endpoint: primary,
    });
    await patchSystem(simulator, SEED_IDS.authorityRecipient, {
      roles: ['RECIPIENT'],
      protocol: 'REST_PUSH',
      endpoint: failing,
    });
    return created.id;
  }

  const viaContactPoint = { cvr: '12345678', contactPoint: { contactPointID: SEED_IDS.contactPoint } };

  test('after 7 days of failures the MeMo goes to the default system, attempted at +0, +10 min, +1 h', async () => {
    const failing = await timedReceiver(500);
    const primary = await timedReceiver(500);
    await authorityWithContactPointSystem(failing.url, primary.url);

    await send(senderKey, viaContactPoint);
    const firstAttempt = failing.times[0] as number;
    await simulator.clock.advance('P10D');

    expect(offsets(failing.times)).toEqual(SCHEDULE);
    expect(primary.times.map((time) => time - firstAttempt - 7 * DAY)).toEqual(FALLBACK);
  });

  test('when every attempt, the default system’s included, failed the sender gets NOT_ALLOWED', async () => {
    const failing = await timedReceiver(500);
    const primary = await timedReceiver(500);
    await authorityWithContactPointSystem(failing.url, primary.url);

    const { id } = await send(senderKey, viaContactPoint);
    await simulator.clock.advance('P7D');
    expect(await senderReceipt(senderKey, id)).toBeUndefined();
    await simulator.clock.advance('PT2H');

    expect(await senderReceipt(senderKey, id)).toMatchObject({ receiptStatus: 'NOT_ALLOWED' });
  });

  test('the default system taking the MeMo ends the retries and it is logged as sent', async () => {
    const failing = await timedReceiver(500);
    const primary = await timedReceiver(200);
    await authorityWithContactPointSystem(failing.url, primary.url);

    const { id, xml } = await send(senderKey, viaContactPoint);
    await simulator.clock.advance('P10D');

    expect(primary.requests).toHaveLength(1);
    const parts = await multipartParts(primary.requests[0] as ReceivedRequest);
    expect(parts[0]?.content.equals(Buffer.from(xml))).toBe(true);
    expect(await tags(id)).toContain('MEMO_SEND_SENT_TO_RECIPIENT_SYSTEM');
    expect(await senderReceipt(senderKey, id)).toBeUndefined();
  });
});

describe('deactivation', () => {
  test('a recipient system whose every delivery failed for 7 days is deactivated: its calls get 403 SYSTEM_NOT_ACTIVE', async () => {
    const receiver = await timedReceiver(500);
    await companyPushesTo(receiver.url);
    await send(senderKey, { cvr: '87654321' });

    await simulator.clock.advance('P6D');
    expect((await call(`${simulator.apiUrl}/memos/`, { apiKey: companyKey })).status).toBe(200);
    await simulator.clock.advance('P2D');

    const response = await call(`${simulator.apiUrl}/memos/`, { apiKey: companyKey });
    expect(response.status).toBe(403);
    expect(response.json).toMatchObject({ code: 'SYSTEM_NOT_ACTIVE' });
  });

  test('one successful delivery within the 7 days keeps the system active', async () => {
    let lucky = '';
    const receiver = await timedReceiver((request) =>
      lucky !== '' && request.body.includes(lucky) ? 200 : 500,
    );
    await companyPushesTo(receiver.url);
    const failing = await send(senderKey, { cvr: '87654321' });
    await simulator.clock.advance('P3D');

    const memo = await letterTo({ cvr: '87654321' });
    lucky = memo.messageHeader.messageUUID;
    expect((await sendMemo(simulator, senderKey, memo)).status).toBe(201);
    await simulator.settle();
    await simulator.clock.advance('P5D');

    expect(await tags(lucky)).toContain('MEMO_SEND_SENT_TO_RECIPIENT_SYSTEM');
    expect((await senderReceipt(senderKey, failing.id))?.receiptStatus).toBe('NOT_ALLOWED');
    const response = await call(`${simulator.apiUrl}/memos/`, { apiKey: companyKey });
    expect(response.status).toBe(200);
  });

  test('a new MeMo for a deactivated system is not delivered to it', async () => {
    const receiver = await timedReceiver(500);
    await companyPushesTo(receiver.url);
    await send(senderKey, { cvr: '87654321' });
    await simulator.clock.advance('P8D');
    const attemptsBefore = receiver.requests.length;
    receiver.respond = 200;

    await send(senderKey, { cvr: '87654321' });
    await simulator.clock.advance('P1D');

    expect(receiver.requests).toHaveLength(attemptsBefore);
  });
});

describe('receipts pushed to a sender system', () => {
  const pushSender = SEED_IDS.senderPush;

  test('until a receiptEndpoint is configured the PUSH sender finds its receipts under /receipts/', async () => {
    const apiKey = keyOf(simulator, pushSender);

    const { id } = await send(apiKey, { cpr: '0101700001' });

    expect(await senderReceipt(apiKey, id)).toMatchObject({ receiptStatus: 'COMPLETED' });
  });

  test('the business receipt is POSTed as a JSON Receipt to the receiptEndpoint', async () => {
    const receiver = await timedReceiver(200);
    await patchSystem(simulator, pushSender, { receiptEndpoint: receiver.url });

    const { id } = await send(keyOf(simulator, pushSender), { cpr: '0101700001' });

    expect(receiver.requests).toHaveLength(1);
    const request = receiver.requests[0] as ReceivedRequest;
    expect(request.method).toBe('POST');
    expect(String(request.headers['content-type'])).toMatch(/^application\/json\b/);
    const body = JSON.parse(request.body.toString('utf8')) as Record<string, unknown>;
    expect(body).toMatchObject({
      transmissionId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      messageUUID: id,
      timeStamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      receiptStatus: 'COMPLETED',
    });
    const receiptFields = ['transmissionId', 'messageUUID', 'messageId', 'errorCode', 'errorMessage'];
    for (const key of Object.keys(body))
      expect([...receiptFields, 'timeStamp', 'receiptStatus']).toContain(key);
    expect(await tags(id)).toContain('BUSINESS_RECEIPT_SEND_TO_SENDER_SYSTEM');
  });

  test('a recipient system’s receipt is pushed with the recipient’s transmissionId', async () => {
    const receiver = await timedReceiver(200);
    await patchSystem(simulator, pushSender, { receiptEndpoint: receiver.url });
    const { id } = await send(keyOf(simulator, pushSender), { cvr: '87654321' });
    const transmissionId = randomUUID();

    await call(`${simulator.apiUrl}/memos/${id}/receipt`, {
      method: 'POST',
      apiKey: companyKey,
      contentType: 'application/json',
      body: JSON.stringify({
        transmissionId,
        messageUUID: id,
        timeStamp: new Date().toISOString(),
        receiptStatus: 'INVALID',
        errorCode: 'X1',
        errorMessage: 'bad',
      }),
    });
    await simulator.settle();

    expect(receiver.requests).toHaveLength(1);
    expect(JSON.parse((receiver.requests[0] as ReceivedRequest).body.toString('utf8'))).toMatchObject({
      transmissionId,
      messageUUID: id,
      receiptStatus: 'INVALID',
      errorCode: 'X1',
      errorMessage: 'bad',
    });
  });

  test('a failing receiptEndpoint is retried on the same schedule', async () => {
    const receiver = await timedReceiver(500);
    await patchSystem(simulator, pushSender, { receiptEndpoint: receiver.url });

    const { id } = await send(keyOf(simulator, pushSender), { cpr: '0101700001' });
    await simulator.clock.advance('P10D');

    expect(offsets(receiver.times)).toEqual(SCHEDULE);
    expect(count(await tags(id), 'BUSINESS_RECEIPT_SEND_TO_SENDER_SYSTEM_FAILED')).toBe(SCHEDULE.length);
  });

  test('a receipt push that gets no answer within the push timeout is retried', async () => {
    const silent = await startSilentReceiver();
    receivers.push(silent);
    await patchSystem(simulator, pushSender, { receiptEndpoint: silent.url });
    const { id } = await send(keyOf(simulator, pushSender), { cpr: '0101700001' });
    expect(await tags(id)).toContain('BUSINESS_RECEIPT_SEND_TO_SENDER_SYSTEM_FAILED');

    const receiver = await timedReceiver(200);
    await patchSystem(simulator, pushSender, { receiptEndpoint: receiver.url });
    await simulator.clock.advance('PT10M');

    expect(receiver.requests).toHaveLength(1);
  });

  test('while undelivered the receipt stays pullable under /receipts/', async () => {
    const receiver = await timedReceiver(500);
    await patchSystem(simulator, pushSender, { receiptEndpoint: receiver.url });
    const apiKey = keyOf(simulator, pushSender);
    const { id } = await send(apiKey, { cpr: '0101700001' });
    await simulator.clock.advance('PT2H');

    const list = await call(`${simulator.apiUrl}/receipts/`, { apiKey });
    expect(list.status).toBe(200);
    const ids = (list.json as { content: string[] }).content;
    expect(ids).toHaveLength(1);
    const one = await call(`${simulator.apiUrl}/receipts/${ids[0]}?delete=false`, { apiKey });
    expect(one.status).toBe(200);
    expect(one.json).toMatchObject({ messageUUID: id, receiptStatus: 'COMPLETED' });
  });

  test('after the last failed attempt the receipt is still pullable', async () => {
    const receiver = await timedReceiver(500);
    await patchSystem(simulator, pushSender, { receiptEndpoint: receiver.url });
    const apiKey = keyOf(simulator, pushSender);

    const { id } = await send(apiKey, { cpr: '0101700001' });
    await simulator.clock.advance('P10D');

    expect(receiver.requests).toHaveLength(SCHEDULE.length);
    expect(await senderReceipt(apiKey, id)).toMatchObject({ receiptStatus: 'COMPLETED' });
  });

  test('a PUSH receipt fault rule with times 1 fails the first attempt and the retry delivers', async () => {
    const receiver = await timedReceiver(200);
    await patchSystem(simulator, pushSender, { receiptEndpoint: receiver.url });
    await addFault(simulator, { operation: 'PUSH receipt', status: 503, times: 1 });

    const { id } = await send(keyOf(simulator, pushSender), { cpr: '0101700001' });
    expect(receiver.requests).toHaveLength(0);
    await simulator.clock.advance('PT10M');

    expect(receiver.requests).toHaveLength(1);
    const log = await tags(id);
    expect(count(log, 'BUSINESS_RECEIPT_SEND_TO_SENDER_SYSTEM_FAILED')).toBe(1);
    expect(count(log, 'BUSINESS_RECEIPT_SEND_TO_SENDER_SYSTEM')).toBe(1);
  });
});

describe('publish/subscribe', () => {
  async function companySubscribes(url: string): Promise<void> {
    await patchSystem(simulator, SEED_IDS.companyRecipient, {
      protocol: 'REST_PUBLISH_SUBSCRIBE',
      endpoint: url,
    });
  }

  test('the system is notified with JSON {messageUUID, memoUrl, timeStamp} and memoUrl points at /apis/v1/memos/{id}', async () => {
    const receiver = await timedReceiver(200);
    await companySubscribes(receiver.url);

    const { id } = await send(senderKey, { cvr: '87654321' });

    expect(receiver.requests).toHaveLength(1);
    const request = receiver.requests[0] as ReceivedRequest;
    expect(request.method).toBe('POST');
    expect(String(request.headers['content-type'])).toMatch(/^application\/json\b/);
    const body = JSON.parse(request.body.toString('utf8')) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(['memoUrl', 'messageUUID', 'timeStamp']);
    expect(body.messageUUID).toBe(id);
    expect(body.memoUrl).toBe(`${simulator.apiUrl}/memos/${id}`);
    expect(Number.isNaN(Date.parse(String(body.timeStamp)))).toBe(false);
  });

  test('the notified system fetches the MeMo at memoUrl and answers with a receipt, as in PULL', async () => {
    const receiver = await timedReceiver(200);
    await companySubscribes(receiver.url);
    const { id, xml } = await send(senderKey, { cvr: '87654321' });
    const { memoUrl } = JSON.parse((receiver.requests[0] as ReceivedRequest).body.toString('utf8')) as {
      memoUrl: string;
    };

    const fetched = await call(memoUrl, { apiKey: companyKey, headers: { accept: 'application/xml' } });
    const answered = await postReceipt(companyKey, id);
    await simulator.settle();

    expect(fetched.status).toBe(200);
    expect(String(fetched.headers['content-type'])).toMatch(/^application\/xml\b/);
    expect(Buffer.from(fetched.text).equals(Buffer.from(xml))).toBe(true);
    expect(answered.status).toBe(200);
    expect(await senderReceipt(senderKey, id)).toMatchObject({ receiptStatus: 'COMPLETED' });
  });

  test('the MeMo is listed in GET /memos/ until the receipt, as in PULL', async () => {
    const receiver = await timedReceiver(200);
    await companySubscribes(receiver.url);
    const { id } = await send(senderKey, { cvr: '87654321' });

    const before = await call(`${simulator.apiUrl}/memos/`, { apiKey: companyKey });
    await postReceipt(companyKey, id);
    const after = await call(`${simulator.apiUrl}/memos/`, { apiKey: companyKey });

    expect((before.json as { content: string[] }).content).toEqual([id]);
    expect((after.json as { content: string[] }).content).toEqual([]);
  });

  test('a failed notification is retried 10 minutes later', async () => {
    let answer = 500;
    const receiver = await timedReceiver(() => answer);
    await companySubscribes(receiver.url);
    await send(senderKey, { cvr: '87654321' });
    answer = 200;

    await simulator.clock.advance('P1D');

    expect(offsets(receiver.times)).toEqual([0, 10 * MINUTE]);
  });

  test('a notification endpoint that keeps failing is retried on the delivery schedule', async () => {
    const receiver = await timedReceiver(500);
    await companySubscribes(receiver.url);

    await send(senderKey, { cvr: '87654321' });
    await simulator.clock.advance('P10D');

    expect(offsets(receiver.times)).toEqual(SCHEDULE);
  });
});
