/** `createReceiptReceiver`: a sender system's `receiptEndpoint`, where NgDP pushes business receipts (§4.3). */

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Receipt, ReceiptStatus } from '../client/types.ts';
import { InvalidOptionsError, ReceiverRefusal } from '../errors.ts';
import { isOneOf, RECEIPT_STATUSES } from '../ngdp/enums.ts';
import { requireFunction } from './delivery.ts';
import { answer, notPost, type RequestHandler, readJson } from './http.ts';
import { type ErrorHandler, refuse, reporter } from './report.ts';

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
   * Told about what went wrong: the error `onReceipt` threw, and refused requests
   * (`ReceiverRefusal`: status and code). Default: one line on stderr.
   */
  onError?: ErrorHandler;
}

const DEFAULT_MAX_BYTES = 1024 * 1024;
const TEXT_FIELDS = ['id', 'messageUUID', 'messageId', 'errorCode', 'errorMessage'] as const;

/**
 * The request handler for your sender system's `receiptEndpoint`, where NgDP POSTs each business
 * receipt as JSON (`{"transmissionId","messageUUID","timeStamp","receiptStatus",…}`). `onReceipt`
 * gets it with NgDP's field names; the answer is 200 with no body, as NgDP's reference sender
 * answers, once `onReceipt` resolved.
 *
 * Refusals, answered `{ "code", "message" }`: 405 for another method than POST, 415 for a body
 * that is not JSON (a body without a Content-Type is read as JSON), 413 over `maxBytes`, 400
 * (`INVALID_JSON`, `INVALID_RECEIPT`) for a body that is not a receipt — one needs
 * `transmissionId`, `timeStamp` and a known `receiptStatus` — and 500 (`RECEIPT_NOT_HANDLED`) when
 * `onReceipt` throws. Works on `node:http` and in express, also after `express.json()`,
 * `express.raw()` or `express.text()`.
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
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  if (!Number.isSafeInteger(maxBytes) || maxBytes <= 0) {
    throw new InvalidOptionsError(
      `createReceiptReceiver: maxBytes must be a positive integer, got ${String(maxBytes)}`,
    );
  }
  const report = reporter(options.onError, 'receipt receiver');
  return (req, res) => {
    receive(req, res, options.onReceipt, maxBytes).catch((error: unknown) => refuse(res, error, report, {}));
  };
}

async function receive(
  req: IncomingMessage,
  res: ServerResponse,
  onReceipt: ReceiptReceiverOptions['onReceipt'],
  maxBytes: number,
): Promise<void> {
  if (req.method !== 'POST') throw notPost('receipts');
  const receipt = receiptOf(await readJson(req, maxBytes));
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
