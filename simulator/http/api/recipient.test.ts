/**
 * Recipient side of the integration API over real HTTP: where a MeMo goes (simulator.md "Default
 * seed", ngdp-api.md §2.3, §8.2) and REST PULL — list, fetch, business receipt (ngdp-api.md §5.2–5.3).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { serializeMemoToBytes } from '../../../sdk/memo/writer.ts';
import {
  call,
  createSystem,
  keyOf,
  letterTo,
  messageState,
  patchSystem,
  pullReceipts,
  resetSimulator,
  SEED_IDS,
  sendMemo,
  startTestSimulator,
} from '../../../test/support/simulator.ts';
import type { RunningSimulator } from '../../index.ts';

let simulator: RunningSimulator;
let senderKey: string;
let companyKey: string;
let authorityKey: string;

beforeAll(async () => {
  simulator = await startTestSimulator();
  senderKey = keyOf(simulator, SEED_IDS.senderPull);
  companyKey = keyOf(simulator, SEED_IDS.companyRecipient);
  authorityKey = keyOf(simulator, SEED_IDS.authorityRecipient);
});
afterAll(() => simulator.stop());
beforeEach(() => resetSimulator(simulator));

/** Sends a letter from the seeded PULL sender and waits until it is processed; returns its messageUUID. */
async function deliver(
  recipient: Parameters<typeof letterTo>[0],
  extra: Parameters<typeof letterTo>[1] = {},
): Promise<string> {
  const memo = await letterTo(recipient, extra);
  const response = await sendMemo(simulator, senderKey, memo);
  expect(response.status).toBe(201);
  await simulator.settle();
  return memo.messageHeader.messageUUID;
}

function listMemos(apiKey: string, query = ''): Promise<{ status: number; json: unknown }> {
  return call(`${simulator.apiUrl}/memos/${query}`, { apiKey });
}

async function fetchableIds(apiKey: string): Promise<string[]> {
  const response = await call(`${simulator.apiUrl}/memos/?size=1000`, { apiKey });
  expect(response.status).toBe(200);
  return (response.json as { content: string[] }).content;
}

function postReceipt(apiKey: string, messageUUID: string, body: unknown, raw?: string) {
  return call(`${simulator.apiUrl}/memos/${messageUUID}/receipt`, {
    method: 'POST',
    apiKey,
    contentType: 'application/json',
    body: raw ?? JSON.stringify(body),
  });
}

function completed(messageUUID: string, extra: Record<string, unknown> = {}) {
  return {
    transmissionId: randomUUID(),
    messageUUID,
    timeStamp: new Date().toISOString(),
    receiptStatus: 'COMPLETED',
    ...extra,
  };
}

async function mailbox(owner: string): Promise<string[]> {
  const response = await call(`${simulator.controlUrl}/mailboxes/${owner}/messages`);
  expect(response.status).toBe(200);
  return (response.json as Array<{ messageUUID: string }>).map((entry) => entry.messageUUID);
}

/**
 * Makes the seeded contact point's system (the authority's seeded recipient system) a plain
 * RECIPIENT and gives the authority a new default recipient system, so routing by contact point
 * and routing to the default system lead to different systems. The control API cannot create
 * contact points, so this reuses the seeded one.
 */
async function splitAuthorityRecipients(): Promise<{ id: string; apiKey: string }> {
  const primary = await createSystem(simulator, {
    organisationId: SEED_IDS.authority,
    name: 'Testkommune modtagersystem (nyt primært)',
    roles: ['RECIPIENT', 'RECIPIENT_DEFAULT'],
    protocol: 'REST_PULL',
  });
  await patchSystem(simulator, SEED_IDS.authorityRecipient, { roles: ['RECIPIENT'] });
  return { id: primary.id, apiKey: primary.apiKey };
}

/** The authority (CVR 12345678) addressed through `ContactPoint/contactPointID`. */
function toContactPoint(contactPointID: string): { cvr: string } {
  const recipient = { cvr: '12345678', contactPoint: { contactPointID } };
  return recipient;
}

describe('routing', () => {
  test('a letter to a citizen lands in the citizen mailbox and the sender gets COMPLETED', async () => {
    const id = await deliver({ cpr: '0101700001' });

    expect(await mailbox('0101700001')).toContain(id);
    const receipts = await pullReceipts(simulator, senderKey);
    expect(receipts.find((receipt) => receipt.messageUUID === id)?.receiptStatus).toBe('COMPLETED');
  });

  test('a letter to a company with a recipient system is listed in that system’s GET /memos/, not in a mailbox', async () => {
    const id = await deliver({ cvr: '87654321' });

    expect(await fetchableIds(companyKey)).toEqual([id]);
    expect(await mailbox('87654321')).toEqual([]);
    expect((await messageState(simulator, id)).state).toBe('READY_FOR_FETCH');
  });

  test('a letter to a company without a recipient system lands in its mailbox', async () => {
    const id = await deliver({ cvr: '11223344' });

    expect(await mailbox('11223344')).toContain(id);
    expect(await fetchableIds(companyKey)).toEqual([]);
    expect(await fetchableIds(authorityKey)).toEqual([]);
  });

  test('a letter to the authority without a contact point goes to its default recipient system', async () => {
    const primary = await splitAuthorityRecipients();

    const id = await deliver({ cvr: '12345678' });

    expect(await fetchableIds(primary.apiKey)).toEqual([id]);
    expect(await fetchableIds(authorityKey)).toEqual([]);
  });

  test('a letter to the authority addressed to its contact point goes to the contact point’s system', async () => {
    const primary = await splitAuthorityRecipients();

    const id = await deliver(toContactPoint(SEED_IDS.contactPoint));

    expect(await fetchableIds(authorityKey)).toEqual([id]);
    expect(await fetchableIds(primary.apiKey)).toEqual([]);
  });

  test('a letter to the authority naming an unknown contact point goes to its default recipient system', async () => {
    const primary = await splitAuthorityRecipients();

    const id = await deliver(toContactPoint(randomUUID()));

    expect(await fetchableIds(primary.apiKey)).toEqual([id]);
    expect(await fetchableIds(authorityKey)).toEqual([]);
  });

  test('with the seed as is, a letter to the authority’s contact point is listed for its seeded recipient system', async () => {
    const id = await deliver(toContactPoint(SEED_IDS.contactPoint));

    expect(await fetchableIds(authorityKey)).toEqual([id]);
  });
});

describe('GET /memos/', () => {
  test('answers a PagingResultUUID of the messageUUIDs waiting for the system', async () => {
    const id = await deliver({ cvr: '87654321' });

    const response = await listMemos(companyKey);

    expect(response.status).toBe(200);
    expect(response.json).toEqual({
      content: [id],
      number: 0,
      size: 20,
      totalElements: 1,
      totalPages: 1,
    });
  });

  test('answers an empty page when nothing waits', async () => {
    const response = await listMemos(companyKey);

    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({ content: [], number: 0, totalElements: 0 });
  });

  test('pages with zero-based page and size, oldest first, with next and previous', async () => {
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push(await deliver({ cvr: '87654321' }));

    const first = await listMemos(companyKey, '?page=0&size=2');
    const second = await listMemos(companyKey, '?page=1&size=2');

    expect(first.status).toBe(200);
    expect(first.json).toMatchObject({
      content: ids.slice(0, 2),
      number: 0,
      size: 2,
      next: { page: 1, size: 2 },
      totalElements: 3,
      totalPages: 2,
    });
    // NgDP's schema makes previous and next objects: where there is no such page, they are left out.
    expect(first.json).not.toHaveProperty('previous');
    expect(second.json).toMatchObject({
      content: ids.slice(2),
      number: 1,
      size: 2,
      previous: { page: 0, size: 2 },
      totalElements: 3,
      totalPages: 2,
    });
    expect(second.json).not.toHaveProperty('next');
  });

  test.each([['page=-1'], ['page=x'], ['page=1.5'], ['size=0'], ['size=-5'], ['size=abc']])(
    'answers 400 with an ErrorMessage naming the parameter for %s',
    async (query) => {
      const response = await listMemos(companyKey, `?${query}`);

      expect(response.status).toBe(400);
      const field = query.split('=')[0];
      expect(response.json).toMatchObject({ code: expect.any(String), fieldErrors: [{ field }] });
    },
  );

  test('accepts size=1000, as used in production', async () => {
    const id = await deliver({ cvr: '87654321' });

    const response = await listMemos(companyKey, '?size=1000');

    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({ content: [id], size: 1000 });
  });

  test('answers 401 without an API key', async () => {
    const response = await call(`${simulator.apiUrl}/memos/`);

    expect(response.status).toBe(401);
  });
});

describe('GET /memos/{id}', () => {
  test('returns the MeMo exactly as sent, as application/xml', async () => {
    const memo = await letterTo({ cvr: '87654321' }, { label: 'Brev om æøå – “særlige” tegn' });
    const sent = Buffer.concat([
      Buffer.from(serializeMemoToBytes(memo)),
      Buffer.from('\n<!-- kept byte for byte -->\n'),
    ]);
    expect((await sendMemo(simulator, senderKey, sent, memo.messageHeader.messageUUID)).status).toBe(201);
    await simulator.settle();

    const response = await call(`${simulator.apiUrl}/memos/${memo.messageHeader.messageUUID}`, {
      apiKey: companyKey,
      headers: { accept: 'application/xml' },
    });

    expect(response.status).toBe(200);
    expect(String(response.headers['content-type'])).toMatch(/^application\/xml\b/);
    expect(Buffer.from(response.text, 'utf8').equals(sent)).toBe(true);
  });

  test('answers 404 for an unknown memo', async () => {
    const response = await call(`${simulator.apiUrl}/memos/${randomUUID()}`, { apiKey: companyKey });

    expect(response.status).toBe(404);
    expect(response.json).toMatchObject({ code: expect.any(String), message: expect.any(String) });
  });

  test('a fetch is logged as MEMO_SEND_FETCHED_BY_RECIPIENT_SYSTEM', async () => {
    const id = await deliver({ cvr: '87654321' });

    await call(`${simulator.apiUrl}/memos/${id}`, { apiKey: companyKey });

    const tags = (await messageState(simulator, id)).events.map((event) => event.eventTag);
    expect(tags).toContain('MEMO_SEND_FETCHED_BY_RECIPIENT_SYSTEM');
  });
});

describe('POST /memos/{id}/receipt', () => {
  test('COMPLETED answers 200 with no body and the sender pulls a COMPLETED receipt with the recipient’s transmissionId', async () => {
    const id = await deliver({ cvr: '87654321' });
    const receipt = completed(id);

    const response = await postReceipt(companyKey, id, receipt);

    expect(response.status).toBe(200);
    expect(response.text).toBe('');
    await simulator.settle();
    const pulled = (await pullReceipts(simulator, senderKey)).filter((r) => r.messageUUID === id);
    expect(pulled).toHaveLength(1);
    expect(pulled[0]).toMatchObject({
      messageUUID: id,
      receiptStatus: 'COMPLETED',
      transmissionId: receipt.transmissionId,
    });
    expect(pulled[0]).not.toHaveProperty('errorCode');
  });

  test('INVALID with errorCode and errorMessage is forwarded to the sender as such', async () => {
    const id = await deliver({ cvr: '87654321' });
    const receipt = completed(id, {
      receiptStatus: 'INVALID',
      errorCode: 'UNPARSEABLE',
      errorMessage: 'The MeMo could not be parsed',
    });

    const response = await postReceipt(companyKey, id, receipt);

    expect(response.status).toBe(200);
    await simulator.settle();
    const pulled = (await pullReceipts(simulator, senderKey)).find((r) => r.messageUUID === id);
    expect(pulled).toMatchObject({
      receiptStatus: 'INVALID',
      errorCode: 'UNPARSEABLE',
      errorMessage: 'The MeMo could not be parsed',
      transmissionId: receipt.transmissionId,
    });
  });

  test('the memo leaves GET /memos/ once its receipt is given', async () => {
    const id = await deliver({ cvr: '87654321' });
    await call(`${simulator.apiUrl}/memos/${id}`, { apiKey: companyKey });

    await postReceipt(companyKey, id, completed(id));

    expect(await fetchableIds(companyKey)).toEqual([]);
  });

  test('a second receipt for the same memo answers 409', async () => {
    const id = await deliver({ cvr: '87654321' });
    expect((await postReceipt(companyKey, id, completed(id))).status).toBe(200);

    const again = await postReceipt(companyKey, id, completed(id));

    expect(again.status).toBe(409);
    expect(again.json).toMatchObject({ code: expect.any(String), message: expect.any(String) });
  });

  test.each(['NOT_ALLOWED', 'RECEIVED', 'DONE'])('receiptStatus %s answers 422', async (status) => {
    const id = await deliver({ cvr: '87654321' });

    const response = await postReceipt(companyKey, id, completed(id, { receiptStatus: status }));

    expect(response.status).toBe(422);
    expect(response.json).toMatchObject({ code: expect.any(String) });
    expect(await fetchableIds(companyKey)).toEqual([id]);
  });

  test('a receipt without receiptStatus answers 400 naming the field', async () => {
    const id = await deliver({ cvr: '87654321' });
    const { receiptStatus: _omitted, ...body } = completed(id);

    const response = await postReceipt(companyKey, id, body);

    expect(response.status).toBe(400);
    expect(response.json).toMatchObject({ fieldErrors: [{ field: 'receiptStatus' }] });
  });

  test('a malformed JSON body answers 400', async () => {
    const id = await deliver({ cvr: '87654321' });

    const response = await postReceipt(companyKey, id, undefined, '{"receiptStatus": "COMPLETED"');

    expect(response.status).toBe(400);
    expect(response.json).toMatchObject({ code: expect.any(String) });
    expect(await fetchableIds(companyKey)).toEqual([id]);
  });

  test('a receipt whose messageUUID differs from the path answers 400', async () => {
    const id = await deliver({ cvr: '87654321' });

    const response = await postReceipt(companyKey, id, completed(randomUUID()));

    expect(response.status).toBe(400);
    expect(response.json).toMatchObject({ fieldErrors: [{ field: 'messageUUID' }] });
    expect(await fetchableIds(companyKey)).toEqual([id]);
  });

  test('a receipt for an unknown memo answers 404', async () => {
    const id = randomUUID();

    const response = await postReceipt(companyKey, id, completed(id));

    expect(response.status).toBe(404);
  });
});

describe('who may read what', () => {
  test('a recipient system can neither list, read nor acknowledge another system’s memo (404)', async () => {
    const id = await deliver({ cvr: '87654321' });

    expect(await fetchableIds(authorityKey)).toEqual([]);
    const read = await call(`${simulator.apiUrl}/memos/${id}`, { apiKey: authorityKey });
    const acknowledged = await postReceipt(authorityKey, id, completed(id));

    expect(read.status).toBe(404);
    expect(acknowledged.status).toBe(404);
    expect(await fetchableIds(companyKey)).toEqual([id]);
  });

  test('a memo that went to a mailbox cannot be read through the recipient API (404)', async () => {
    const id = await deliver({ cpr: '0101700001' });

    const read = await call(`${simulator.apiUrl}/memos/${id}`, { apiKey: companyKey });

    expect(read.status).toBe(404);
  });

  test('a sender-only system gets 403 on GET /memos/, GET /memos/{id} and POST /memos/{id}/receipt', async () => {
    const id = await deliver({ cvr: '87654321' });

    const list = await call(`${simulator.apiUrl}/memos/`, { apiKey: senderKey });
    const read = await call(`${simulator.apiUrl}/memos/${id}`, { apiKey: senderKey });
    const acknowledged = await postReceipt(senderKey, id, completed(id));

    expect([list.status, read.status, acknowledged.status]).toEqual([403, 403, 403]);
    expect(await fetchableIds(companyKey)).toEqual([id]);
  });
});
