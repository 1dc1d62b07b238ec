/**
 * Retries of the client over real HTTP against the simulator's fault API: what is retried
 * (connection errors, timeouts, 503), how long it waits (backoff with jitter, `Retry-After`), that a
 * send repeats the same messageUUID and bytes, and the per-request overrides.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import type { RunningSimulator } from '../../simulator/index.ts';
import {
  FAST_RETRY,
  loggedClient,
  refusingUrl,
  startRecorder,
  watchedDispatcher,
} from '../../test/support/client.ts';
import {
  addFault,
  keyOf,
  letterTo,
  mailbox,
  messageState,
  receiptsFor,
  resetSimulator,
  SEED_IDS,
  startTestSimulator,
} from '../../test/support/simulator.ts';
import { settlesBefore } from '../../test/support/timers.ts';
import {
  ApiError,
  ConnectionError,
  DigitalPostError,
  InvalidOptionsError,
  MemoValidationError,
  RateLimitError,
  ServiceUnavailableError,
  TimeoutError,
  UnknownOutcomeError,
} from '../errors.ts';

let simulator: RunningSimulator;
let senderKey: string;

beforeAll(async () => {
  simulator = await startTestSimulator();
  senderKey = keyOf(simulator, SEED_IDS.senderPull);
});
afterAll(() => simulator.stop());
beforeEach(() => resetSimulator(simulator));

const COMPANY = { cvr: '87654321' } as const;

/** What a caught promise rejected with. */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}

describe('a send that meets two 503s and then succeeds', () => {
  async function sendThroughTwo503s() {
    const recorder = await startRecorder(simulator.apiUrl);
    const { client, events } = loggedClient(recorder.apiUrl, senderKey, {
      retry: { ...FAST_RETRY, maxRetryAfterMs: 10 },
    });
    await addFault(simulator, { operation: 'POST /memos/', status: 503, times: 2 });
    const memo = await letterTo({ cpr: '0101700001' });
    try {
      const receipt = await client.memos.send(memo);
      await simulator.settle();
      return { receipt, events, requests: recorder.requests, messageUUID: memo.messageHeader.messageUUID };
    } finally {
      await recorder.close();
    }
  }

  test('resolves to the technical receipt after three attempts', async () => {
    const { receipt, events, messageUUID } = await sendThroughTwo503s();
    expect(events.map((event) => event.status)).toEqual([503, 503, 201]);
    expect(receipt).toMatchObject({ messageUUID, receiptStatus: 'RECEIVED' });
  });

  test('leaves exactly one letter in the mailbox and one business receipt', async () => {
    const { messageUUID } = await sendThroughTwo503s();
    const letters = await mailbox(simulator, '0101700001');
    expect(letters.map((letter) => letter.messageUUID)).toEqual([messageUUID]);
    const receipts = await receiptsFor(simulator, senderKey, messageUUID);
    expect(receipts.map((receipt) => receipt.receiptStatus)).toEqual(['COMPLETED']);
  });

  test('sends the same messageUUID and the same bytes on every attempt', async () => {
    const { requests, messageUUID } = await sendThroughTwo503s();
    expect(requests).toHaveLength(3);
    const [first, ...rest] = requests;
    expect(first?.url).toBe(`/apis/v1/memos/?memo-message-uuid=${messageUUID}`);
    for (const retry of rest) {
      expect(retry.url).toBe(first?.url);
      expect(retry.body.equals(first?.body ?? Buffer.alloc(0))).toBe(true);
      expect(retry.headers['content-type']).toBe(first?.headers['content-type']);
    }
  });
});

describe('a send whose first attempt timed out after NgDP had stored it', () => {
  async function sendWithLostAnswer() {
    const recorder = await startRecorder(simulator.apiUrl);
    // The simulator stores the letter 1 s in; the client gives up at 0.5 s and retries at 1.5 s,
    // which then has 0.5 s for its answer (50 ms was too little on a loaded machine).
    const { client, events } = loggedClient(recorder.apiUrl, senderKey, {
      timeoutMs: 500,
      retry: { maxRetries: 2, initialDelayMs: 1000, maxDelayMs: 1000 },
      random: () => 1,
    });
    await addFault(simulator, { operation: 'POST /memos/', delayMs: 1000, times: 1 });
    const memo = await letterTo({ cpr: '0101700001' });
    try {
      const receipt = await client.memos.send(memo);
      await simulator.settle();
      return { receipt, events, requests: recorder.requests, messageUUID: memo.messageHeader.messageUUID };
    } finally {
      await recorder.close();
    }
  }

  test('resolves to the original technical receipt', async () => {
    const { receipt, events, messageUUID } = await sendWithLostAnswer();
    expect(events.map((event) => event.error ?? event.status)).toEqual(['TIMEOUT', 201]);
    const stored = await messageState(simulator, messageUUID);
    expect(receipt.transmissionId).toBe(stored.transmissionId);
  });

  test('delivers exactly one letter', async () => {
    const { messageUUID } = await sendWithLostAnswer();
    const letters = await mailbox(simulator, '0101700001');
    expect(letters.map((letter) => letter.messageUUID)).toEqual([messageUUID]);
  });

  test('sent the same bytes both times', async () => {
    const { requests } = await sendWithLostAnswer();
    expect(requests).toHaveLength(2);
    expect(requests[1]?.body.equals(requests[0]?.body ?? Buffer.alloc(0))).toBe(true);
    expect(requests[1]?.url).toBe(requests[0]?.url);
  });
});

describe('waiting between attempts', () => {
  test('a 503 with Retry-After waits that long before retrying', async () => {
    const { dispatcher, dispatched } = watchedDispatcher();
    let retriedBeforeRetryAfter: Promise<boolean> | undefined;
    const { client, events } = loggedClient(simulator.apiUrl, senderKey, {
      dispatcher,
      // The simulator's 503 says Retry-After: 1 (second); no retry may be sent before that is up.
      logger: (event) => {
        if (event.status === 503) retriedBeforeRetryAfter = settlesBefore(dispatched(2), 1000);
      },
    });
    await addFault(simulator, { operation: 'POST /memos/', status: 503, times: 1 });
    await client.memos.send(await letterTo({ cpr: '0101700001' }));
    expect(events.map((event) => [event.status, event.retryInMs])).toEqual([
      [503, 1000],
      [201, undefined],
    ]);
    expect(await retriedBeforeRetryAfter).toBe(false);
  });

  test('a Retry-After longer than retry.maxRetryAfterMs is cut to it', async () => {
    const { dispatcher, dispatched } = watchedDispatcher();
    let retriedBeforeRetryAfter: Promise<boolean> | undefined;
    const { client, events } = loggedClient(simulator.apiUrl, senderKey, {
      retry: { ...FAST_RETRY, maxRetryAfterMs: 30 },
      dispatcher,
      // The simulator's 503 says Retry-After: 1 (second); the retry must be sent before that is up.
      logger: (event) => {
        if (event.status === 503) retriedBeforeRetryAfter = settlesBefore(dispatched(2), 1000);
      },
    });
    await addFault(simulator, { operation: 'POST /memos/', status: 503, times: 1 });
    await client.memos.send(await letterTo({ cpr: '0101700001' }));
    expect(events.map((event) => [event.status, event.retryInMs])).toEqual([
      [503, 30],
      [201, undefined],
    ]);
    expect(await retriedBeforeRetryAfter).toBe(true);
  });

  test('without Retry-After the backoff doubles from initialDelayMs up to maxDelayMs', async () => {
    const { client, events } = loggedClient(simulator.apiUrl, senderKey, {
      retry: { maxRetries: 4, initialDelayMs: 5, maxDelayMs: 25 },
      random: () => 0.999_999,
    });
    await addFault(simulator, { operation: 'GET /contacts/', status: 503, times: 4 });
    await client.contacts.lookup(COMPANY);
    expect(events.map((event) => event.retryInMs)).toEqual([4, 9, 19, 24, undefined]);
  });

  test('the backoff is a random share of its ceiling (full jitter)', async () => {
    const { client, events } = loggedClient(simulator.apiUrl, senderKey, {
      retry: { maxRetries: 2, initialDelayMs: 40, maxDelayMs: 1000 },
      random: () => 0.5,
    });
    await addFault(simulator, { operation: 'GET /contacts/', status: 503, times: 2 });
    await client.contacts.lookup(COMPANY);
    expect(events.map((event) => event.retryInMs)).toEqual([20, 40, undefined]);
  });
});

describe('timeouts and connection errors', () => {
  test('an attempt with no answer within timeoutMs is retried', async () => {
    const { client, events } = loggedClient(simulator.apiUrl, senderKey, { timeoutMs: 100 });
    await addFault(simulator, { operation: 'GET /contacts/', delayMs: 300, times: 1 });
    const contact = await client.contacts.lookup(COMPANY);
    expect(contact.cvrNumber).toBe('87654321');
    expect(events.map((event) => event.error ?? event.status)).toEqual(['TIMEOUT', 200]);
  });

  test('a request that keeps timing out fails with TimeoutError after its retries', async () => {
    const { client, events } = loggedClient(simulator.apiUrl, senderKey, {
      timeoutMs: 80,
      retry: { ...FAST_RETRY, maxRetries: 1 },
    });
    await addFault(simulator, { operation: 'GET /contacts/', delayMs: 250, times: 2 });
    const error = await rejection(client.contacts.lookup(COMPANY));
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ code: 'TIMEOUT', retryable: true });
    expect(events).toHaveLength(2);
  });

  test('a refused connection fails with ConnectionError after its retries', async () => {
    const { client, events } = loggedClient(await refusingUrl(), senderKey, {
      retry: { ...FAST_RETRY, maxRetries: 2 },
    });
    const error = await rejection(client.contacts.lookup(COMPANY));
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error).toMatchObject({ code: 'CONNECTION_FAILED', retryable: true });
    expect(events.map((event) => event.error)).toEqual([
      'CONNECTION_FAILED',
      'CONNECTION_FAILED',
      'CONNECTION_FAILED',
    ]);
  });
});

describe('statuses that are never retried', () => {
  test.each([400, 401, 403, 404, 409, 422, 418, 500])('%i is answered after one attempt', async (status) => {
    const { client, events } = loggedClient(simulator.apiUrl, senderKey);
    await addFault(simulator, { operation: 'GET /contacts/', status, times: 1 });
    const error = await rejection(client.contacts.lookup(COMPANY));
    expect(error).toMatchObject({ status, retryable: false });
    expect(events).toHaveLength(1);
  });

  test('a rejected send is attempted once', async () => {
    const { client, events } = loggedClient(simulator.apiUrl, senderKey);
    await addFault(simulator, { operation: 'POST /memos/', status: 400, times: 1 });
    await expect(client.memos.send(await letterTo({ cpr: '0101700001' }))).rejects.toMatchObject({
      status: 400,
    });
    expect(events).toHaveLength(1);
  });
});

function inTwoDays(): string {
  return new Date(simulator.clock.now().getTime() + 2 * 86_400_000).toISOString().slice(0, 10);
}

describe('statuses that are retried', () => {
  test.each([429, 502, 503, 504])('%i is tried again, and the retry answers', async (status) => {
    const { client, events } = loggedClient(simulator.apiUrl, senderKey);
    await addFault(simulator, { operation: 'GET /contacts/', status, times: 1 });
    const contact = await client.contacts.lookup(COMPANY);
    expect(contact.cvrNumber).toBe('87654321');
    expect(events.map((event) => event.status)).toEqual([status, 200]);
  });

  test('a 429 that keeps coming is a RateLimitError, retryable, after the retries', async () => {
    const { client, events } = loggedClient(simulator.apiUrl, senderKey, {
      retry: { ...FAST_RETRY, maxRetries: 1 },
    });
    await addFault(simulator, { operation: 'GET /contacts/', status: 429, times: 2 });
    const error = await rejection(client.contacts.lookup(COMPANY));
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error).toMatchObject({ status: 429, retryable: true });
    expect(events).toHaveLength(2);
  });

  test('a 500 to a send is tried again, and exactly one letter arrives', async () => {
    const { client, events } = loggedClient(simulator.apiUrl, senderKey);
    await addFault(simulator, { operation: 'POST /memos/', status: 500, times: 2 });
    const memo = await letterTo({ cpr: '0101700001' });
    const receipt = await client.memos.send(memo);
    await simulator.settle();
    expect(receipt.messageUUID).toBe(memo.messageHeader.messageUUID);
    expect(events.map((event) => event.status)).toEqual([500, 500, 201]);
    const letters = await mailbox(simulator, '0101700001');
    expect(letters.map((letter) => letter.messageUUID)).toEqual([memo.messageHeader.messageUUID]);
  });

  test('a send that meets only 500s may have arrived: UnknownOutcomeError, safe to repeat', async () => {
    const { client, events } = loggedClient(simulator.apiUrl, senderKey, {
      retry: { ...FAST_RETRY, maxRetries: 1 },
    });
    await addFault(simulator, { operation: 'POST /memos/', status: 500, times: 2 });
    const error = await rejection(client.memos.send(await letterTo({ cpr: '0101700001' })));
    expect(error).toBeInstanceOf(UnknownOutcomeError);
    expect(error).toMatchObject({ operation: 'memos.send', retryable: true });
    expect((error as UnknownOutcomeError).cause).toMatchObject({ status: 500, retryable: true });
    expect(events).toHaveLength(2);
  });

  test('a recall that meets a 502 is not sent again: it may have taken effect', async () => {
    const { client, events } = loggedClient(simulator.apiUrl, senderKey);
    const memo = await letterTo({ cpr: '0101700001' }, { doNotDeliverUntil: inTwoDays() });
    await client.memos.send(memo);
    await simulator.settle();
    await addFault(simulator, { operation: 'DELETE /memos/{id}', status: 502, times: 1 });
    const error = await rejection(client.memos.recall(memo.messageHeader.messageUUID));
    expect(error).toBeInstanceOf(UnknownOutcomeError);
    expect(error).toMatchObject({ operation: 'memos.recall', retryable: false });
    expect(events.map((event) => event.status)).toEqual([201, 502]);
  });

  test('a recall that meets a 429 is tried again: NgDP did not take it', async () => {
    const { client, events } = loggedClient(simulator.apiUrl, senderKey);
    const memo = await letterTo({ cpr: '0101700001' }, { doNotDeliverUntil: inTwoDays() });
    await client.memos.send(memo);
    await simulator.settle();
    await addFault(simulator, { operation: 'DELETE /memos/{id}', status: 429, times: 1 });
    await client.memos.recall(memo.messageHeader.messageUUID);
    expect(events.map((event) => event.status)).toEqual([201, 429, 204]);
  });

  test('retryOn replaces the statuses retried, for every request', async () => {
    const { client, events } = loggedClient(simulator.apiUrl, senderKey, {
      retry: { ...FAST_RETRY, retryOn: [500] },
    });
    await addFault(simulator, { operation: 'GET /contacts/', status: 500, times: 1 });
    await client.contacts.lookup(COMPANY);
    await addFault(simulator, { operation: 'GET /contacts/', status: 503, times: 1 });
    const error = await rejection(client.contacts.lookup(COMPANY));
    expect(error).toBeInstanceOf(ServiceUnavailableError);
    expect(events.map((event) => event.status)).toEqual([500, 200, 503]);
  });

  test('retryOn on one request applies to that request', async () => {
    const { client, events } = loggedClient(simulator.apiUrl, senderKey);
    await addFault(simulator, { operation: 'GET /contacts/', status: 502, times: 1 });
    await expect(client.contacts.lookup(COMPANY, { retry: { retryOn: [] } })).rejects.toMatchObject({
      status: 502,
    });
    expect(events).toHaveLength(1);
  });

  test.each([[[200]], [[600]], [[4.5]], [['503']], ['503']])(
    'retryOn %j is an InvalidOptionsError',
    (retryOn) => {
      expect(() => loggedClient(simulator.apiUrl, senderKey, { retry: { retryOn } as never })).toThrow(
        InvalidOptionsError,
      );
    },
  );
});

describe('retryable, on every error', () => {
  test('is false for what fails the same way again', () => {
    expect(new MemoValidationError([]).retryable).toBe(false);
    expect(new InvalidOptionsError('bad').retryable).toBe(false);
    expect(new DigitalPostError('ABORTED', 'aborted').retryable).toBe(false);
  });

  test('follows the status of an ApiError', () => {
    const details = { message: 'x', requestId: 'r', method: 'GET', path: '/' };
    expect(new ApiError({ ...details, status: 504 }).retryable).toBe(true);
    expect(new ApiError({ ...details, status: 500 }).retryable).toBe(false);
    expect(new ApiError({ ...details, status: 400 }).retryable).toBe(false);
  });
});

describe('overrides', () => {
  test('a per-request timeoutMs shorter than the client’s makes that request time out', async () => {
    const { client, events } = loggedClient(simulator.apiUrl, senderKey, { timeoutMs: 10_000 });
    await addFault(simulator, { operation: 'GET /contacts/', delayMs: 300, times: 1 });
    await client.contacts.lookup(COMPANY, { timeoutMs: 100 });
    expect(events.map((event) => event.error ?? event.status)).toEqual(['TIMEOUT', 200]);
  });

  test('a per-request timeoutMs longer than the client’s lets a slow answer through', async () => {
    const { client, events } = loggedClient(simulator.apiUrl, senderKey, { timeoutMs: 100 });
    await addFault(simulator, { operation: 'GET /contacts/', delayMs: 250, times: 1 });
    await client.contacts.lookup(COMPANY, { timeoutMs: 5_000 });
    expect(events.map((event) => event.error ?? event.status)).toEqual([200]);
  });

  test('retry: false on one request sends it once', async () => {
    const { client, events } = loggedClient(simulator.apiUrl, senderKey);
    await addFault(simulator, { operation: 'GET /contacts/', status: 503, times: 1 });
    const error = await rejection(client.contacts.lookup(COMPANY, { retry: false }));
    expect(error).toBeInstanceOf(ServiceUnavailableError);
    expect(events).toHaveLength(1);
  });

  test('per-request retry settings apply on top of the client’s', async () => {
    const { client, events } = loggedClient(simulator.apiUrl, senderKey, {
      retry: { ...FAST_RETRY, maxRetries: 0 },
    });
    await addFault(simulator, { operation: 'GET /contacts/', status: 503, times: 2 });
    await client.contacts.lookup(COMPANY, { retry: { maxRetries: 2 } });
    expect(events.map((event) => event.status)).toEqual([503, 503, 200]);
    expect(events.slice(0, 2).every((event) => (event.retryInMs ?? Infinity) <= 20)).toBe(true);
  });

  test('retry.maxRetries 0 on the client never retries', async () => {
    const { client, events } = loggedClient(simulator.apiUrl, senderKey, {
      retry: { ...FAST_RETRY, maxRetries: 0 },
    });
    await addFault(simulator, { operation: 'GET /contacts/', status: 503, times: 1 });
    await expect(client.contacts.lookup(COMPANY)).rejects.toBeInstanceOf(ServiceUnavailableError);
    expect(events).toHaveLength(1);
    expect(events[0]?.retryInMs).toBeUndefined();
  });

  test('a retry setting that is not a non-negative number is an InvalidOptionsError', async () => {
    const { client } = loggedClient(simulator.apiUrl, senderKey);
    await expect(client.contacts.lookup(COMPANY, { retry: { maxRetries: -1 } })).rejects.toBeInstanceOf(
      InvalidOptionsError,
    );
  });
});

describe('cancelling', () => {
  test('an AbortSignal cancels a request in flight', async () => {
    const { client } = loggedClient(simulator.apiUrl, senderKey);
    const answerDelayMs = 400;
    await addFault(simulator, { operation: 'GET /contacts/', delayMs: answerDelayMs, times: 1 });
    const lookup = client.contacts.lookup(COMPANY, { signal: AbortSignal.timeout(50) });
    // Settled before the delayed answer was due: the client did not wait for it.
    expect(await settlesBefore(lookup, answerDelayMs)).toBe(true);
    const error = await rejection(lookup);
    expect(error).toBeInstanceOf(DigitalPostError);
    expect(error).toMatchObject({ code: 'ABORTED' });
  });

  test('an AbortSignal cancels the wait before a retry', async () => {
    const controller = new AbortController();
    let rejectedBeforeRetry: Promise<boolean> | undefined;
    const { client, events } = loggedClient(simulator.apiUrl, senderKey, {
      // Abort while the client waits out the 503's Retry-After; it must stop waiting at once.
      logger: (event) => {
        if (event.retryInMs === undefined) return;
        rejectedBeforeRetry = settlesBefore(sending, event.retryInMs);
        setImmediate(() => controller.abort());
      },
    });
    await addFault(simulator, { operation: 'POST /memos/', status: 503, times: 1 });
    const memo = await letterTo({ cpr: '0101700001' });
    const sending = client.memos.send(memo, { signal: controller.signal });
    const error = await rejection(sending);
    expect(error).toMatchObject({ code: 'ABORTED' });
    expect(await rejectedBeforeRetry).toBe(true);
    expect(events.map((event) => [event.status, event.retryInMs])).toEqual([[503, 1000]]);
    await simulator.settle();
    expect(await mailbox(simulator, '0101700001')).toEqual([]);
  });

  test('an aborted signal sends nothing', async () => {
    const recorder = await startRecorder(simulator.apiUrl);
    try {
      const { client } = loggedClient(recorder.apiUrl, senderKey);
      const error = await rejection(client.contacts.lookup(COMPANY, { signal: AbortSignal.abort() }));
      expect(error).toMatchObject({ code: 'ABORTED' });
      expect(recorder.requests).toEqual([]);
    } finally {
      await recorder.close();
    }
  });
});
