/** `client.memos`: sending MeMos, one or many, and recalling them before their value date. */
import { DuplicateMessageError, type TechnicalReceipt, UnknownOutcomeError } from '../errors.ts';
import type { Effect, HttpRequest, RequestOptions, Transport } from '../http/transport.ts';
import type { Memo } from '../memo/types.ts';
import type { ValidateOptions } from '../memo/validate.ts';
import { type BatchInput, type BatchResult, type SendBatchOptions, sendBatch } from './batch.ts';
import { prepareMemo } from './prepare.ts';
import { reading, receiptShape } from './responses.ts';
import type { Receipt } from './types.ts';

/** Options of {@link Memos.send}. */
export interface SendOptions extends RequestOptions {
  /** Validate the MeMo locally before sending (default true): invalid ones are never sent. */
  validate?: boolean;
  /** Rules of the local validation (default: NgDP's rules). */
  validation?: ValidateOptions;
}

const RECEIPT_MEMORY = 1_000;

const sendEffect = (messageUUID: string): Effect => ({
  operation: 'memos.send',
  check:
    `The letter ${messageUUID} may be at NgDP. Send it again unchanged — the same messageUUID and ` +
    'bytes never make a second letter — or wait for its business receipt ' +
    `(receipts.waitFor('${messageUUID}')). Never send it under a new messageUUID.`,
  repeatable: true,
});

const recallEffect = (messageUUID: string): Effect => ({
  operation: 'memos.recall',
  check:
    `Whether ${messageUUID} was recalled shows in NgDP's event log and in the letter's business ` +
    'receipt (none comes for a recalled letter); a second recall answers 409 either way.',
  repeatable: false,
});

/** Whether a receipt from NgDP can be this messageUUID's (it names it, or names no message). */
function isReceiptOf(receipt: TechnicalReceipt, messageUUID: string): boolean {
  return receipt.messageUUID === undefined || receipt.messageUUID.toLowerCase() === messageUUID.toLowerCase();
}

export class Memos {
  private readonly transport: Transport;
  /** Technical receipts of recent sends, by messageUUID, for DuplicateMessageError. */
  private readonly receipts = new Map<string, TechnicalReceipt>();

  constructor(transport: Transport) {
    this.transport = transport;
  }

  /**
   * Sends one MeMo (`POST /memos/`) and resolves to NgDP's technical receipt (`RECEIVED`). The
   * business receipt comes later (`client.receipts`, or pushed to your receipt endpoint).
   *
   * The MeMo is validated first (unless `validate: false`) and serialized once: a retry after a
   * timeout, connection error or 503 sends the same messageUUID and the same bytes, and NgDP
   * answers a repeat of an accepted message with the original receipt — never a second letter. A
   * retry after a lost answer that NgDP answers 409 `DUPLICATE_MESSAGE_UUID` met the letter of the
   * lost attempt: `send` resolves to its receipt when the answer (or this client) has it.
   *
   * @throws MemoValidationError when the MeMo is invalid (nothing is sent).
   * @throws DuplicateMessageError when NgDP already holds a message under this messageUUID (maybe
   *   this letter, sent earlier: see its `originalReceipt`).
   * @throws UnknownOutcomeError when the letter may be at NgDP but the client cannot tell: an
   *   answer was lost and what followed cannot tell, or NgDP answered 201 with a receipt that cannot
   *   be read or names another messageUUID. Sending it again unchanged is safe.
   * @throws ApiError (by status), ConnectionError, TimeoutError when sending fails.
   */
  async send(input: Memo | string | Uint8Array, options: SendOptions = {}): Promise<Receipt> {
    const { bytes, messageUUID } = prepareMemo(input, options);
    const http: HttpRequest = {
      method: 'POST',
      path: '/memos/',
      query: { 'memo-message-uuid': messageUUID },
      body: bytes,
      contentType: 'application/xml',
      effect: sendEffect(messageUUID),
      idempotent: true,
      messageUUID,
      originalReceipt: (answered) => this.originalReceipt(messageUUID, answered),
    };
    let receipt: Receipt;
    try {
      const response = await this.transport.send(http, options);
      receipt = this.transport.read(http, response, reading(receiptShape));
      if (!isReceiptOf(receipt, messageUUID))
        throw this.transport.unexpected(
          http,
          response,
          `the receipt is for the message ${receipt.messageUUID}, not ${messageUUID}`,
        );
    } catch (error) {
      const original = lostAttemptsLetter(error);
      if (original === undefined) throw error;
      return original as Receipt;
    }
    this.remember(messageUUID, receipt);
    return receipt;
  }

  /**
   * Sends many MeMos as bulk containers (`.tar.lzma` on `POST /memos/`, ngdp-api.md §3.2, §11) and
   * resolves to NgDP's technical receipt per container. Each message's business receipt comes
   * later, as for `send`.
   *
   * `messages` may be an array, any iterable or an async iterable (a database cursor, a generator).
   * It is read lazily, one container at a time — at most `maxMessagesPerContainer` messages and
   * `maxContainerBytes` of XML — so memory stays bounded whatever the size of the batch; containers
   * go out one after another, in input order. Each message is validated like `send`'s; a
   * messageUUID that appears twice in the batch is refused locally (the batch keeps every
   * messageUUID it has read: with the result's lists, about 150 bytes per message). A container is built once and a retry (after a
   * timeout, connection error or 503) sends the same bytes.
   *
   * An empty input resolves at once, without a request.
   *
   * @example
   * const result = await client.memos.sendBatch(letters(), {
   *   onProgress: ({ container }) => markSent(container.messageUUIDs),
   * });
   *
   * @throws InvalidOptionsError for invalid options, or `messages` that is not a list (nothing is sent).
   * @throws BatchSendError when the batch stops before the end of its input: `cause` says why,
   *   `containers` what NgDP accepted, `resumeFrom` where in the input to go on.
   */
  sendBatch(messages: BatchInput, options: SendBatchOptions = {}): Promise<BatchResult> {
    return sendBatch(this.transport, messages, options);
  }

  /**
   * Recalls a message that waits for its value date (`DELETE /memos/{messageUUID}`). It will
   * never be delivered.
   *
   * @throws NotFoundError (unknown, or not sent by this system), ConflictError (already delivered
   *   or recalled), UnprocessableEntityError (the message has no value date).
   * @throws UnknownOutcomeError when the answer was lost: the letter may be recalled (a recall is
   *   not sent twice, as a second one answers 409 whether or not the first worked).
   */
  async recall(messageUUID: string, options: RequestOptions = {}): Promise<void> {
    await this.transport.send(
      {
        method: 'DELETE',
        path: `/memos/${encodeURIComponent(messageUUID)}`,
        answer: 'none',
        effect: recallEffect(messageUUID),
      },
      options,
    );
  }

  /** The receipt of the message NgDP holds under `messageUUID`: from a 409's body, or a send of ours. */
  private originalReceipt(messageUUID: string, answered: unknown): TechnicalReceipt | undefined {
    if (answered !== undefined) {
      try {
        const receipt = receiptShape.read(answered, '$.receipt');
        if (isReceiptOf(receipt, messageUUID)) return receipt;
      } catch {
        // Not a receipt: what the client knows is the next best.
      }
    }
    return this.receipts.get(messageUUID);
  }

  private remember(messageUUID: string, receipt: TechnicalReceipt): void {
    if (this.receipts.size >= RECEIPT_MEMORY) {
      const oldest = this.receipts.keys().next().value;
      if (oldest !== undefined) this.receipts.delete(oldest);
    }
    this.receipts.set(messageUUID, receipt);
  }
}

/**
 * The receipt of the letter a lost attempt delivered, when a retry met NgDP's 409
 * `DUPLICATE_MESSAGE_UUID` for it and the original receipt is known. The same bytes went out every
 * time, so the message NgDP holds is this letter.
 */
function lostAttemptsLetter(error: unknown): TechnicalReceipt | undefined {
  if (!(error instanceof UnknownOutcomeError)) return undefined;
  const cause = error.cause;
  return cause instanceof DuplicateMessageError ? cause.originalReceipt : undefined;
}
