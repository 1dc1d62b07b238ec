/**
 * The client's errors (ARCHITECTURE.md "Errors", ngdp-api.md §9) over real HTTP: the class by
 * status, NgDP's code and fieldErrors, retryable, the request id, DuplicateMessageError with the
 * original receipt, local MemoValidationError — and no API key or full CPR number anywhere.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import type { RunningSimulator } from '../../simulator/index.ts';
import { loggedClient, refusingUrl, startRecorder } from '../../test/support/client.ts';
import {
  addFault,
  keyOf,
  letterTo,
  messageState,
  resetSimulator,
  SEED_IDS,
  startTestSimulator,
} from '../../test/support/simulator.ts';
import {
  ApiError,
  AuthenticationError,
  BadRequestError,
  ConflictError,
  ConnectionError,
  DigitalPostError,
  DuplicateMessageError,
  InvalidOptionsError,
  MemoValidationError,
  NotFoundError,
  PermissionDeniedError,
  ServiceUnavailableError,
  TimeoutError,
  UnprocessableEntityError,
} from '../errors.ts';
import { serializeMemoToBytes } from '../memo/writer.ts';

let simulator: RunningSimulator;
let senderKey: string;

beforeAll(async () => {
  simulator = await startTestSimulator();
  senderKey = keyOf(simulator, SEED_IDS.senderPull);
});
afterAll(() => simulator.stop());
beforeEach(() => resetSimulator(simulator));

const COMPANY = { cvr: '87654321' } as const;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}

/** Everything an error shows: message, stack and its full inspection (cause included). */
function everythingShown(error: unknown): string {
  return `${(error as Error).message}\n${(error as Error).stack}\n${inspect(error, { depth: 10 })}`;
}

describe('the error class follows the status', () => {
  test.each([
    [400, BadRequestError],
    [401, AuthenticationError],
    [403, PermissionDeniedError],
    [404, NotFoundError],
    [409, ConflictError],
    [422, UnprocessableEntityError],
    [503, ServiceUnavailableError],
  ] as const)('%i becomes %o', async (status, ErrorClass) => {
    const { client } = loggedClient(simulator.apiUrl, senderKey);
    await addFault(simulator, { operation: 'GET /contacts/', status, times: 1 });
    const error = await rejection(client.contacts.lookup(COMPANY, { retry: false }));
    expect(error).toBeInstanceOf(ErrorClass);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toBeInstanceOf(DigitalPostError);
    expect(error).toMatchObject({
      name: ErrorClass.name,
      status,
      code: 'INJECTED_FAULT',
      detail: 'fault injected for GET /contacts/',
      retryable: status === 503,
      method: 'GET',
    });
  });

  test.each([418, 500])(
    '%i, a status without a class of its own, becomes a plain ApiError',
    async (status) => {
      const { client } = loggedClient(simulator.apiUrl, senderKey);
      await addFault(simulator, { operation: 'GET /contacts/', status, times: 1 });
      const error = await rejection(client.contacts.lookup(COMPANY));
      expect((error as object).constructor).toBe(ApiError);
      expect(error).toMatchObject({ status, code: 'INJECTED_FAULT', retryable: false });
    },
  );

  test('an answer that is not an ErrorMessage gets the code HTTP_<status> and its text', async () => {
    const server = createServer((_request, response) => {
      response.writeHead(502, { 'content-type': 'text/html' }).end('<h1>Bad Gateway</h1>');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    try {
      const { port } = server.address() as AddressInfo;
      const { client } = loggedClient(`http://127.0.0.1:${port}/apis/v1`, senderKey);
      const error = await rejection(client.contacts.lookup(COMPANY));
      expect((error as object).constructor).toBe(ApiError);
      expect(error).toMatchObject({ status: 502, code: 'HTTP_502', detail: '<h1>Bad Gateway</h1>' });
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe('what an ApiError carries', () => {
  test("NgDP's code and fieldErrors", async () => {
    const { client } = loggedClient(simulator.apiUrl, senderKey);
    const error = await rejection(client.receipts.bulk({ size: 5000 }));
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error).toMatchObject({
      code: 'INVALID_PARAMETER',
      fieldErrors: [{ resource: 'query', field: 'size', code: 'INVALID_PARAMETER', rejectedValue: '5000' }],
    });
  });

  test("a 503 on a send carries the errorCode and errorMessage of NgDP's Receipt body", async () => {
    const { client } = loggedClient(simulator.apiUrl, senderKey);
    await addFault(simulator, { operation: 'POST /memos/', status: 503, times: 1 });
    const error = await rejection(client.memos.send(await letterTo({ cpr: '0101700001' }), { retry: false }));
    expect(error).toBeInstanceOf(ServiceUnavailableError);
    expect(error).toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
      detail: expect.stringContaining('temporarily unavailable'),
      retryable: true,
      headers: expect.objectContaining({ 'retry-after': '1' }),
    });
  });

  test('a message naming status, method and path, then NgDP’s message', async () => {
    const { client } = loggedClient(simulator.apiUrl, senderKey);
    const error = await rejection(client.receipts.bulk({ size: 5000 }));
    expect((error as Error).message).toBe(
      '400 GET /receipts-bulk/?page=0&size=5000: size: must be an integer from 1 to 1000',
    );
  });

  test('the request id of the call, as in its log events', async () => {
    const { client, events } = loggedClient(simulator.apiUrl, senderKey);
    await addFault(simulator, { operation: 'GET /contacts/', status: 503, times: 2 });
    const error = await rejection(client.contacts.lookup(COMPANY, { retry: { maxRetries: 1 } }));
    expect((error as ApiError).requestId).toMatch(UUID);
    expect(events.map((event) => event.requestId)).toEqual([
      (error as ApiError).requestId,
      (error as ApiError).requestId,
    ]);
  });

  test('each call has its own request id', async () => {
    const { client, events } = loggedClient(simulator.apiUrl, senderKey);
    await client.contacts.lookup(COMPANY);
    await client.contacts.lookup(COMPANY);
    expect(new Set(events.map((event) => event.requestId)).size).toBe(2);
  });

  test('a TimeoutError and a ConnectionError carry request ids too', async () => {
    const slow = loggedClient(simulator.apiUrl, senderKey, { timeoutMs: 50, retry: false });
    await addFault(simulator, { operation: 'GET /contacts/', delayMs: 200, times: 1 });
    const timeout = await rejection(slow.client.contacts.lookup(COMPANY));
    expect(timeout).toBeInstanceOf(TimeoutError);
    expect((timeout as TimeoutError).requestId).toBe(slow.events[0]?.requestId);

    const refused = loggedClient(await refusingUrl(), senderKey, { retry: false });
    const connection = await rejection(refused.client.contacts.lookup(COMPANY));
    expect(connection).toBeInstanceOf(ConnectionError);
    expect((connection as ConnectionError).requestId).toBe(refused.events[0]?.requestId);
  });
});

describe('DuplicateMessageError', () => {
  async function reuseMessageUUID(secondKey: string) {
    const memo = await letterTo({ cpr: '0101700001' });
    const first = loggedClient(simulator.apiUrl, senderKey);
    const original = await first.client.memos.send(memo);
    const other = structuredClone(memo);
    other.messageHeader.label = 'Another letter';
    // A fresh client knows nothing of the first send: the original receipt must come from NgDP.
    const second = loggedClient(simulator.apiUrl, secondKey);
    const error = await rejection(second.client.memos.send(other));
    return { memo, original, error, events: second.events };
  }

  test('a different MeMo under a used messageUUID carries the original technical receipt', async () => {
    const { memo, original, error } = await reuseMessageUUID(senderKey);
    expect(error).toBeInstanceOf(DuplicateMessageError);
    expect(error).toBeInstanceOf(ConflictError);
    expect(error).toMatchObject({
      status: 409,
      code: 'DUPLICATE_MESSAGE_UUID',
      retryable: false,
      messageUUID: memo.messageHeader.messageUUID,
      originalReceipt: {
        transmissionId: original.transmissionId,
        messageUUID: memo.messageHeader.messageUUID,
        receiptStatus: 'RECEIVED',
      },
    });
  });

  test('is not retried, and the letter is not replaced', async () => {
    const { memo, events } = await reuseMessageUUID(senderKey);
    expect(events.map((event) => event.status)).toEqual([409]);
    const stored = await messageState(simulator, memo.messageHeader.messageUUID);
    expect(stored.label).toBe('Test letter');
  });

  test("carries no receipt when the messageUUID is another system's", async () => {
    const { error } = await reuseMessageUUID(keyOf(simulator, SEED_IDS.senderPush));
    expect(error).toBeInstanceOf(DuplicateMessageError);
    expect((error as DuplicateMessageError).originalReceipt).toBeUndefined();
  });

  test("carries the client's own earlier receipt when NgDP's answer has none", async () => {
    const memo = await letterTo({ cpr: '0101700001' });
    const messageUUID = memo.messageHeader.messageUUID;
    const receipt = {
      transmissionId: '00000000-0000-4000-8000-0000000000aa',
      messageUUID,
      timeStamp: '2025-06-02T08:00:00Z',
      receiptStatus: 'RECEIVED',
    };
    let sends = 0;
    const server = createServer((request, response) => {
      request.resume().on('end', () => {
        const first = sends++ === 0;
        response
          .writeHead(first ? 201 : 409, { 'content-type': 'application/json' })
          .end(JSON.stringify(first ? receipt : { code: 'DUPLICATE_MESSAGE_UUID', message: 'used' }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    try {
      const { port } = server.address() as AddressInfo;
      const { client } = loggedClient(`http://127.0.0.1:${port}/apis/v1`, senderKey);
      await client.memos.send(memo);
      const error = await rejection(
        client.memos.send({ ...memo, messageHeader: { ...memo.messageHeader, label: 'Other' } }),
      );
      expect(error).toBeInstanceOf(DuplicateMessageError);
      expect(error).toMatchObject({ messageUUID, originalReceipt: receipt });
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe('MemoValidationError', () => {
  async function invalidMemo() {
    const memo = await letterTo({ cpr: '0101700001' });
    memo.messageHeader.label = '';
    return memo;
  }

  test('an invalid MeMo is refused before sending, with every issue', async () => {
    const { client } = loggedClient(simulator.apiUrl, senderKey);
    const error = await rejection(client.memos.send(await invalidMemo()));
    expect(error).toBeInstanceOf(MemoValidationError);
    expect(error).toMatchObject({
      code: 'MEMO_INVALID',
      issues: [{ path: 'MessageHeader/label', code: 'EMPTY_VALUE', message: expect.any(String) }],
    });
  });

  test('nothing of an invalid MeMo reaches NgDP', async () => {
    const recorder = await startRecorder(simulator.apiUrl);
    try {
      const { client, events } = loggedClient(recorder.apiUrl, senderKey);
      const memo = await invalidMemo();
      await expect(client.memos.send(memo)).rejects.toBeInstanceOf(MemoValidationError);
      await expect(client.memos.send(serializeMemoToBytes(memo))).rejects.toBeInstanceOf(MemoValidationError);
      expect(recorder.requests).toEqual([]);
      expect(events).toEqual([]);
    } finally {
      await recorder.close();
    }
  });
});

describe('secrets stay out of errors and logs', () => {
  test('the API key appears in no error message, stack or log event', async () => {
    const { client, events } = loggedClient(simulator.apiUrl, senderKey, { timeoutMs: 100 });
    const errors: unknown[] = [];
    await addFault(simulator, { operation: 'POST /memos/', status: 503, times: 1 });
    errors.push(await rejection(client.memos.send(await letterTo({ cpr: '0101700001' }), { retry: false })));
    await addFault(simulator, { operation: 'GET /contacts/', delayMs: 300, times: 1 });
    errors.push(await rejection(client.contacts.lookup(COMPANY, { retry: false })));
    errors.push(await rejection(client.receipts.get('00000000-0000-4000-8000-000000000000')));
    const refused = loggedClient(await refusingUrl(), senderKey, { retry: false });
    errors.push(await rejection(refused.client.contacts.lookup(COMPANY)));
    expect(errors.map((error) => (error as Error).name)).toEqual([
      'ServiceUnavailableError',
      'TimeoutError',
      'NotFoundError',
      'ConnectionError',
    ]);
    for (const error of errors) expect(everythingShown(error)).not.toContain(senderKey);
    expect(JSON.stringify([...events, ...refused.events])).not.toContain(senderKey);
  });

  test('a refused API key appears in neither the AuthenticationError nor the log', async () => {
    const wrongKey = Buffer.from('20000000-0000-4000-8000-000000000001:not-the-secret').toString('base64');
    const { client, events } = loggedClient(simulator.apiUrl, wrongKey);
    const error = await rejection(client.contacts.lookup(COMPANY));
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(everythingShown(error)).not.toContain(wrongKey);
    expect(JSON.stringify(events)).not.toContain(wrongKey);
  });

  test('a CPR number appears masked in an ApiError and its log events', async () => {
    const { client, events } = loggedClient(simulator.apiUrl, senderKey);
    await addFault(simulator, { operation: 'GET /contacts/', status: 503, times: 1 });
    const error = await rejection(client.contacts.lookup({ cpr: '0101700001' }, { retry: false }));
    expect((error as ApiError).message).toContain('cprNumber=010170****');
    expect((error as ApiError).path).toBe('/contacts/?cprNumber=010170****');
    expect(events[0]?.path).toBe('/contacts/?cprNumber=010170****');
    expect(everythingShown(error)).not.toContain('0101700001');
    expect(JSON.stringify(events)).not.toContain('0101700001');
  });

  test('a CPR number appears masked in a TimeoutError', async () => {
    const { client, events } = loggedClient(simulator.apiUrl, senderKey, { timeoutMs: 50, retry: false });
    await addFault(simulator, { operation: 'GET /contacts/', delayMs: 200, times: 1 });
    const error = await rejection(client.contacts.lookup({ cpr: '0101700001' }));
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as Error).message).toContain('010170****');
    expect(everythingShown(error)).not.toContain('0101700001');
    expect(JSON.stringify(events)).not.toContain('0101700001');
  });

  test('a CPR number appears masked in a ConnectionError', async () => {
    const { client, events } = loggedClient(await refusingUrl(), senderKey, { retry: false });
    const error = await rejection(client.contacts.lookup({ cpr: '0101700001' }));
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as Error).message).toContain('010170****');
    expect(everythingShown(error)).not.toContain('0101700001');
    expect(JSON.stringify(events)).not.toContain('0101700001');
  });

  test('every CPR number of a search appears masked', async () => {
    const { client, events } = loggedClient(simulator.apiUrl, senderKey);
    await addFault(simulator, { operation: 'GET /contacts/', status: 503, times: 1 });
    const search = client.contacts.search({ cpr: ['0101700001', '0101700002'], retry: false });
    const error = await rejection(search.next());
    const shown = `${everythingShown(error)}\n${JSON.stringify(events)}`;
    expect(shown).not.toContain('0101700001');
    expect(shown).not.toContain('0101700002');
    expect((error as ApiError).path).toContain('010170****');
  });
});

describe('InvalidOptionsError', () => {
  test('is a DigitalPostError with the code INVALID_OPTIONS, not a TypeError', () => {
    let error: unknown;
    try {
      loggedClient(simulator.apiUrl, senderKey, { timeoutMs: 0 });
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(InvalidOptionsError);
    expect(error).toBeInstanceOf(DigitalPostError);
    expect(error).not.toBeInstanceOf(TypeError);
    expect(error).toMatchObject({ name: 'InvalidOptionsError', code: 'INVALID_OPTIONS' });
  });
});
