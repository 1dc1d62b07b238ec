/**
 * The transport's mapping of NgDP's answers to error classes, in one place (ARCHITECTURE.md
 * "Status → class in one place"): by status, and a 409 `DUPLICATE_MESSAGE_UUID` to a send as
 * DuplicateMessageError. NgDP is played by undici's MockAgent.
 */
import { MockAgent } from 'undici';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import {
  ApiError,
  AuthenticationError,
  BadRequestError,
  ConflictError,
  DuplicateMessageError,
  NotFoundError,
  PermissionDeniedError,
  ServiceUnavailableError,
  type TechnicalReceipt,
  UnprocessableEntityError,
} from '../errors.ts';
import { DEFAULT_LIMITS } from './limits.ts';
import { retrySettings } from './retry.ts';
import { type HttpRequest, Transport } from './transport.ts';

const ORIGIN = 'https://ngdp.test';
const MESSAGE_UUID = '5a2c4b1e-8f3d-4c6a-9b7e-1d2f3a4b5c6d';
const ORIGINAL: TechnicalReceipt = {
  transmissionId: '00000000-0000-4000-8000-000000000001',
  messageUUID: MESSAGE_UUID,
  timeStamp: '2025-06-02T08:00:00Z',
  receiptStatus: 'RECEIVED',
};
const DUPLICATE = { code: 'DUPLICATE_MESSAGE_UUID', message: 'a different message has this messageUUID' };

let agent: MockAgent;
let transport: Transport;

beforeEach(() => {
  agent = new MockAgent();
  agent.disableNetConnect();
  transport = new Transport({
    baseUrl: `${ORIGIN}/apis/v1`,
    apiKey: 'key',
    dispatcher: agent,
    timeoutMs: 5_000,
    retry: retrySettings(false),
    limits: DEFAULT_LIMITS,
    userAgent: 'test',
    logger: undefined,
    random: () => 0,
  });
});
afterEach(() => agent.close());

function answer(status: number, body: object): void {
  agent
    .get(ORIGIN)
    .intercept({ path: /^\/apis\/v1\/memos\//, method: 'POST' })
    .reply(status, JSON.stringify(body), { headers: { 'content-type': 'application/json' } });
}

async function failure(request: Partial<HttpRequest> = {}): Promise<unknown> {
  try {
    await transport.send({ method: 'POST', path: '/memos/', body: '<memo/>', ...request });
  } catch (error) {
    return error;
  }
  throw new Error('expected the request to fail');
}

describe('the error class follows the status', () => {
  test.each([
    [400, 'BadRequestError', BadRequestError],
    [401, 'AuthenticationError', AuthenticationError],
    [403, 'PermissionDeniedError', PermissionDeniedError],
    [404, 'NotFoundError', NotFoundError],
    [409, 'ConflictError', ConflictError],
    [422, 'UnprocessableEntityError', UnprocessableEntityError],
    [503, 'ServiceUnavailableError', ServiceUnavailableError],
    [418, 'ApiError', ApiError],
  ])('%i is a %s', async (status, _name, ErrorClass) => {
    answer(status, { code: 'SOME_CODE', message: 'no' });
    const error = await failure();
    expect(error).toBeInstanceOf(ErrorClass);
    expect(error).toMatchObject({ status, code: 'SOME_CODE', detail: 'no' });
  });
});

describe('409 DUPLICATE_MESSAGE_UUID to a send is a DuplicateMessageError', () => {
  test("for the request's messageUUID, with the original receipt the caller reads from NgDP's answer", async () => {
    answer(409, { ...DUPLICATE, receipt: ORIGINAL });
    const given: unknown[] = [];
    const error = await failure({
      messageUUID: MESSAGE_UUID,
      originalReceipt: (answered) => {
        given.push(answered);
        return ORIGINAL;
      },
    });
    expect(given).toEqual([ORIGINAL]);
    expect(error).toBeInstanceOf(DuplicateMessageError);
    expect(error).toMatchObject({
      status: 409,
      code: 'DUPLICATE_MESSAGE_UUID',
      detail: DUPLICATE.message,
      messageUUID: MESSAGE_UUID,
      originalReceipt: ORIGINAL,
    });
  });

  test('with no receipt when the caller finds none', async () => {
    answer(409, { ...DUPLICATE, receipt: 'not a receipt' });
    const error = await failure({ messageUUID: MESSAGE_UUID, originalReceipt: () => undefined });
    expect(error).toBeInstanceOf(DuplicateMessageError);
    expect((error as DuplicateMessageError).originalReceipt).toBeUndefined();
  });

  test('a request that sends no messageUUID gets a plain ConflictError', async () => {
    answer(409, DUPLICATE);
    const error = await failure();
    expect(error).toBeInstanceOf(ConflictError);
    expect(error).not.toBeInstanceOf(DuplicateMessageError);
  });

  test('another 409 to a send is a plain ConflictError', async () => {
    answer(409, { code: 'ALREADY_RECALLED', message: 'no' });
    const error = await failure({ messageUUID: MESSAGE_UUID });
    expect(error).toBeInstanceOf(ConflictError);
    expect(error).not.toBeInstanceOf(DuplicateMessageError);
  });
});
