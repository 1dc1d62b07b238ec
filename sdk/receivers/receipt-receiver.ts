/** `createReceiptReceiver`: a sender system's `receiptEndpoint`, where NgDP pushes business receipts (§4.3). */

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Receipt, ReceiptStatus } from '../client/types.ts';
import { InvalidOptionsError, ReceiverRefusal } from '../errors.ts';
import { isOneOf, RECEIPT_STATUSES } from '../ngdp/enums.ts';
import { requireFunction } from './delivery.ts';
import { answer, notPost, type RequestHandler, readJson } from './http.ts';
import { BodyBudget, type BodyLimits, bodyLimits, requestLimits } from './limits.ts';
import { type ErrorHandler, refuse, reporter } from './report.ts';
import { checkVerify, type VerifyCaller, verifyCaller } from './verify.ts';

/** Options of {@link createReceiptReceiver}. */
export interface ReceiptReceiverOptions {
  /**
   * Your handling of a receipt. NgDP gets its 200 once this has resolved; if it throws, NgDP gets a
   * 500 and pushes the receipt again later. Receipts may come more than once (NgDP retries, and
   * delivery is at least once): recognise a repeat by `transmissionId` and `messageUUID`.
   */
  onReceipt: (receipt: Receipt) => void | Promise<void>;
  /** The largest request body accepted, in bytes (default 1 MiB). */
  maxBytes?: number;
  /**
   * The bytes of request bodies held at once (default 64 MiB; at least `maxBytes`). Beyond, the
   * answer is 503 `RECEIVER_BUSY` with `Retry-After`, and NgDP pushes the receipt again later.
   */
  maxBytesInFlight?: number;
  /** The longest pause in a request body, ms (default 30 000); then 408 and the connection is closed. */
  bodyTimeoutMs?: number;
  /**
   * Told about what went wrong: the error `onReceipt` threw, and refused requests
   * (`ReceiverRefusal`: status and code). Default: one line on stderr.
   */
  onError?: ErrorHandler;
  /**
   * Decides, before anything of a request is read, whether it comes from NgDP: e.g.
   * `requireClientCertificate({ fingerprints })`. Refused callers get 401 or 403 (docs/sdk.md,
   * "Only NgDP may push").
   */
  verify?: VerifyCaller;
}

const DEFAULT_MAX_BYTES = 1024 * 1024;
const DEFAULT_MAX_BYTES_IN_FLIGHT = 64 * 1024 * 1024;
const TEXT_FIELDS = ['id', 'messageUUID', 'messageId', 'errorCode', 'errorMessage'] as const;

/**
 * The request handler for your sender system's `receiptEndpoint`, where NgDP POSTs each business
 * receipt as JSON (`{"transmissionId","messageUUID","timeStamp","receiptStatus",…}`). `onReceipt`
 * gets it with NgDP's field names; the answer is 200 with no body, as NgDP's reference sender
 * answers, once `onReceipt` resolved.
 *
 * Refusals, answered `{ "code", "message" }`: 405 for another method than POST, 415 for a body
 * that is not JSON (a body without a Content-Type is read as JSON) or is compressed
 * (`Content-Encoding`), 413 over `maxBytes`, 408 for a body that stalls, 400 (`INVALID_JSON`,
 * `JSON_TOO_DEEP`, `INVALID_RECEIPT`) for a body that is not a receipt — one needs
 * `transmissionId`, `timeStamp` and a known `receiptStatus` — 500 (`RECEIPT_NOT_HANDLED`) when
 * `onReceipt` throws, and 503 `RECEIVER_BUSY` with `Retry-After` beyond `maxBytesInFlight`. Works
 * on `node:http` and in express, also after `express.json()`, `express.raw()` or `express.text()`.
 *
 * @example
 * app.post('/digitalpost/receipts', createReceiptReceiver({ onReceipt: (receipt) => db.save(receipt) }));
 */
export function createReceiptReceiver(options: ReceiptReceiverOptions): RequestHandler {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidOptionsError('createReceiptReceiver: options are required');
  }
  requireFunction('createReceiptReceiver', 'onReceipt', options.onReceipt);
  if (options.onError !== undefined) requireFunction('createReceiptReceiver', 'onError', options.onError);
  checkVerify('createReceiptReceiver', options.verify);
  const limits = requestLimits('createReceiptReceiver', options, {
    maxBytes: DEFAULT_MAX_BYTES,
    inFlight: (maxBytes) => Math.max(maxBytes, DEFAULT_MAX_BYTES_IN_FLIGHT),
  });
  const budget = new BodyBudget(limits.maxBytesInFlight);
  const report = reporter(options.onError, 'receipt receiver');
  return (req, res) => {
    const claim = budget.claim();
    verifyCaller(req, options.verify)
      .then(() => receive(req, res, options.onReceipt, bodyLimits(limits, claim)))
      .catch((error: unknown) => refuse(res, error, report, {}))
      .finally(() => claim.release());
  };
}

async function receive(
  req: IncomingMessage,
  res: ServerResponse,
  onReceipt: ReceiptReceiverOptions['onReceipt'],
  limits: BodyLimits,
): Promise<void> {
  if (req.method !== 'POST') throw notPost('receipts');
  const receipt = receiptOf(await readJson(req, limits));
  try {
    await onReceipt(receipt);
  } catch (error) {
    throw new ReceiverRefusal(500, 'RECEIPT_NOT_HANDLED', 'the receipt was not handled; push it again', {
      cause: error,
    });
  }
  answer(res, 200);
}

/** The Receipt in a pushed body, with only the fields NgDP defines. */
function receiptOf(body: unknown): Receipt {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalidReceipt(['the body must be a JSON object']);
  }
  const fields = body as Record<string, unknown>;
  const problems: string[] = [];
  for (const name of ['transmissionId', 'timeStamp'] as const) {
    if (typeof fields[name] !== 'string') problems.push(`${name} must be a string`);
  }
  if (!isOneOf(RECEIPT_STATUSES, fields.receiptStatus)) {
    problems.push(`receiptStatus must be one of ${RECEIPT_STATUSES.join(', ')}`);
  }
  for (const name of TEXT_FIELDS) {
    if (fields[name] !== undefined && typeof fields[name] !== 'string')
      problems.push(`${name} must be a string`);
  }
  if (problems.length > 0) throw invalidReceipt(problems);
  const receipt: Receipt = {
    transmissionId: fields.transmissionId as string,
    timeStamp: fields.timeStamp as string,
    receiptStatus: fields.receiptStatus as ReceiptStatus,
  };
  for (const name of TEXT_FIELDS) {
    const value = fields[name];
    if (typeof value === 'string') receipt[name] = value;
  }
  return receipt;
}

const invalidReceipt = (problems: string[]): ReceiverRefusal =>
  new ReceiverRefusal(400, 'INVALID_RECEIPT', `the body is not a Receipt: ${problems.join('; ')}`);
