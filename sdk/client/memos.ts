/** `client.memos`: sending MeMos, one or many, and recalling them before their value date. */
import type { TechnicalReceipt } from '../errors.ts';
import type { RequestOptions, Transport } from '../http/transport.ts';
import { parseJson } from '../http/transport.ts';
import type { Memo } from '../memo/types.ts';
import type { ValidateOptions } from '../memo/validate.ts';
import { type BatchInput, type BatchResult, type SendBatchOptions, sendBatch } from './batch.ts';
import { prepareMemo } from './prepare.ts';
import type { Receipt } from './types.ts';

/** Options of {@link Memos.send}. */
export interface SendOptions extends RequestOptions {
  /** Validate the MeMo locally before sending (default true): invalid ones are never sent. */
  validate?: boolean;
  /** Rules of the local validation (default: NgDP's rules). */
  validation?: ValidateOptions;
}

const RECEIPT_MEMORY = 1_000;

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
   * answers a repeat of an accepted message with the original receipt — never a second letter.
   *
   * @throws MemoValidationError when the MeMo is invalid (nothing is sent).
   * @throws DuplicateMessageError when NgDP holds a different message under this messageUUID.
   * @throws ApiError (by status), ConnectionError, TimeoutError when sending fails.
   */
  async send(input: Memo | string | Uint8Array, options: SendOptions = {}): Promise<Receipt> {
    const { bytes, messageUUID } = prepareMemo(input, options);
    const response = await this.transport.send(
      {
        method: 'POST',
        path: '/memos/',
        query: { 'memo-message-uuid': messageUUID },
        body: bytes,
        contentType: 'application/xml',
        messageUUID,
        knownReceipt: () => this.receipts.get(messageUUID),
      },
      options,
    );
    const receipt = parseJson(response.body) as Receipt;
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
   */
  async recall(messageUUID: string, options: RequestOptions = {}): Promise<void> {
    await this.transport.send(
      { method: 'DELETE', path: `/memos/${encodeURIComponent(messageUUID)}` },
      options,
    );
  }

  private remember(messageUUID: string, receipt: TechnicalReceipt): void {
    if (this.receipts.size >= RECEIPT_MEMORY) {
      const oldest = this.receipts.keys().next().value;
      if (oldest !== undefined) this.receipts.delete(oldest);
    }
    this.receipts.set(messageUUID, receipt);
  }
}
