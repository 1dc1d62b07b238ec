/**
 * `Content-Length`, which NgDP declares required on `POST /memos/` (and `POST /validations/`): a
 * body sent without it (chunked) is refused 400 `LENGTH_REQUIRED` naming the header, unread and
 * storing nothing — unless the simulator runs with `acceptChunked` (`--accept-chunked`). The SDK
 * always sends it, for one MeMo and for bulk containers.
 */
import { Readable } from 'node:stream';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serializeMemoToBytes } from '../../../sdk/memo/writer.ts';
import { loggedClient } from '../../../test/support/client.ts';
import { containerOf } from '../../../test/support/sftp-sender.ts';
import {
  type ApiResponse,
  expectErrorMessage,
  keyOf,
  letterTo,
  messageExists,
  SEED_IDS,
  startTestSimulator,
} from '../../../test/support/simulator.ts';
import type { RunningSimulator } from '../../index.ts';

/** `POST /memos/` of `body` in two chunks (Transfer-Encoding: chunked, no Content-Length). */
async function postChunked(
  simulator: RunningSimulator,
  key: string,
  body: Uint8Array,
  type: string,
  query = '',
): Promise<ApiResponse> {
  const bytes = Buffer.from(body);
  const response = await request(`${simulator.apiUrl}/memos/${query}`, {
    method: 'POST',
    headers: { authorization: `Basic ${key}`, 'content-type': type },
    body: Readable.from([bytes.subarray(0, 10), bytes.subarray(10)]),
  });
  const text = await response.body.text();
  return { status: response.statusCode, headers: response.headers, text, json: JSON.parse(text) as unknown };
}

describe('POST /memos/ without Content-Length', () => {
  let simulator: RunningSimulator;
  let key: string;

  beforeAll(async () => {
    simulator = await startTestSimulator();
    key = keyOf(simulator, SEED_IDS.senderPull);
  });
  afterAll(() => simulator.stop());

  it('is refused 400 LENGTH_REQUIRED, naming the header, and the MeMo is not taken', async () => {
    const memo = await letterTo({ cpr: '0101700001' });
    const uuid = memo.messageHeader.messageUUID;

    const response = await postChunked(
      simulator,
      key,
      serializeMemoToBytes(memo),
      'application/xml',
      `?memo-message-uuid=${uuid}`,
    );

    const error = expectErrorMessage(response, 400, 'LENGTH_REQUIRED');
    expect(error.message).toMatch(/Content-Length.*not chunked/);
    expect(error.fieldErrors).toEqual([
      {
        resource: 'header',
        field: 'Content-Length',
        code: 'REQUIRED',
        message: 'is required: the size of the body in bytes',
      },
    ]);
    expect(await messageExists(simulator, uuid)).toBe(false);
  });

  it('is refused for a bulk container too', async () => {
    const container = await containerOf([await letterTo({ cpr: '0101700001' })]);

    expectErrorMessage(
      await postChunked(simulator, key, container, 'application/x-lzma'),
      400,
      'LENGTH_REQUIRED',
    );
  });

  it('is refused only after the caller is known: without credentials it is 401', async () => {
    const response = await postChunked(simulator, 'not-a-key', Buffer.from('<x/>'), 'application/xml');

    expect(response.status).toBe(401);
  });

  it('through the SDK never happens: send and sendBatch declare their length', async () => {
    const { client } = loggedClient(simulator.apiUrl, key);
    const [one, ...batch] = await Promise.all(
      Array.from({ length: 3 }, () => letterTo({ cpr: '0101700001' })),
    );

    await expect(client.memos.send(one!)).resolves.toMatchObject({ receiptStatus: 'RECEIVED' });
    await expect(client.memos.sendBatch(batch)).resolves.toMatchObject({ accepted: 2 });
  });
});

describe('POST /memos/ without Content-Length, with acceptChunked', () => {
  let simulator: RunningSimulator;
  let key: string;

  beforeAll(async () => {
    simulator = await startTestSimulator({ acceptChunked: true });
    key = keyOf(simulator, SEED_IDS.senderPull);
  });
  afterAll(() => simulator.stop());

  it('is taken', async () => {
    const memo = await letterTo({ cpr: '0101700001' });
    const uuid = memo.messageHeader.messageUUID;

    const response = await postChunked(
      simulator,
      key,
      serializeMemoToBytes(memo),
      'application/xml',
      `?memo-message-uuid=${uuid}`,
    );

    expect(response.status, response.text).toBe(201);
    expect(await messageExists(simulator, uuid)).toBe(true);
  });
});
