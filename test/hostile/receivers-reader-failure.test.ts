/**
 * A MeMo the reader fails on in a way it does not document (a stack overflow, a bug): the receivers
 * must not answer 500, which NgDP would meet by pushing the same bytes again and again. The reader
 * is replaced by one that throws, since the real one has no such input left to find.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, expect, test, vi } from 'vitest';
import { createMemoReceiver, createNotificationReceiver } from '../../sdk/receivers/index.ts';
import { memoXml, multipart, post, type Served, serve, stubClient } from '../support/receivers.ts';

const reader = vi.hoisted(() => ({
  failing: false,
  failure: new RangeError('Maximum call stack size exceeded'),
}));
const { failure } = reader;

vi.mock('../../sdk/memo/reader.ts', async (original) => {
  const real = await original<typeof import('../../sdk/memo/reader.ts')>();
  return {
    ...real,
    readMemo: (...args: Parameters<typeof real.readMemo>) => {
      if (reader.failing) throw reader.failure;
      return real.readMemo(...args);
    },
  };
});

const servers: Served[] = [];
afterEach(async () => {
  reader.failing = false;
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

test('a pushed MeMo the reader fails on earns 200 and INVALID, and onError gets the failure', async () => {
  const { client, calls } = stubClient();
  const errors: unknown[] = [];
  const server = await serve(
    createMemoReceiver({ client, onMemo: () => {}, onError: (error) => errors.push(error) }),
  );
  servers.push(server);
  reader.failing = true; // from now: creating a receiver reads an empty document to check its options
  const messageUUID = randomUUID();
  const push = multipart([{ name: 'file', filename: messageUUID, content: memoXml({ messageUUID }) }]);

  const answer = await post(server.url, push.body, push.contentType);

  expect(answer.status).toBe(200);
  await vi.waitFor(() =>
    expect(calls.receipts).toEqual([
      { messageUUID, receiptStatus: 'INVALID', errorMessage: 'MeMo cannot be read: the MeMo cannot be read' },
    ]),
  );
  expect(errors).toEqual([failure]);
});

test('a pushed MeMo the reader fails on, without a UUID for a filename, is answered 400', async () => {
  const { client } = stubClient();
  const server = await serve(createMemoReceiver({ client, onMemo: () => {}, onError: () => {} }));
  servers.push(server);
  reader.failing = true; // from now: creating a receiver reads an empty document to check its options
  const push = multipart([{ name: 'file', filename: 'memo.xml', content: memoXml() }]);

  const answer = await post(server.url, push.body, push.contentType);

  expect(answer.status).toBe(400);
  expect(answer.json).toMatchObject({ code: 'MESSAGE_UUID_MISSING' });
});

test('a notified MeMo the reader fails on earns 200 and INVALID for the notified message', async () => {
  const { client, calls } = stubClient();
  const server = await serve(createNotificationReceiver({ client, onMemo: () => {}, onError: () => {} }));
  servers.push(server);
  reader.failing = true; // from now: creating a receiver reads an empty document to check its options
  const messageUUID = randomUUID();

  const answer = await post(
    server.url,
    JSON.stringify({ messageUUID, memoUrl: 'https://example.invalid/', timeStamp: '2024-03-01T09:16:02Z' }),
    'application/json',
  );

  expect(answer.status).toBe(200);
  await vi.waitFor(() => expect(calls.receipts).toMatchObject([{ messageUUID, receiptStatus: 'INVALID' }]));
});
