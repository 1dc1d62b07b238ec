/** `client.memos`: sending MeMos and recalling them before their value date. */
import { ApiError, DuplicateMessageError, MemoValidationError, type TechnicalReceipt } from '../errors.ts';
import type { RequestOptions, Transport } from '../http/transport.ts';
import { parseJson } from '../http/transport.ts';
import { readMemo } from '../memo/reader.ts';
import type { Memo } from '../memo/types.ts';
import { type ValidateOptions, validateMemo } from '../memo/validate.ts';
import { serializeMemoToBytes } from '../memo/writer.ts';
import type { Receipt } from './types.ts';

/** Options of {@link Memos.send}. */
export interface SendOptions extends RequestOptions {
  /** Validate the MeMo locally before sending (default true): invalid ones are never sent. */
  validate?: boolean;
  /** Rules of the local validation (default: NgDP's rules). */
  validation?: ValidateOptions;
}

const RECEIPT_MEMORY = 1_000;

function isMemo(input: unknown): input is Memo {
  return (
    typeof input === 'object' && input !== null && !(input instanceof Uint8Array) && 'messageHeader' in input
  );
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
   * answers a repeat of an accepted message with the original receipt — never a second letter.
   *
   * @throws MemoValidationError when the MeMo is invalid (nothing is sent).
   * @throws DuplicateMessageError when NgDP holds a different message under this messageUUID.
   * @throws ApiError (by status), ConnectionError, TimeoutError when sending fails.
   */
  async send(input: Memo | string | Uint8Array, options: SendOptions = {}): Promise<Receipt> {
    const { bytes, messageUUID } = this.prepare(input, options);
    try {
      const response = await this.transport.send(
        {
          method: 'POST',
          path: '/memos/',
          query: { 'memo-message-uuid': messageUUID },
          body: bytes,
          contentType: 'application/xml',
        },
        options,
      );
      const receipt = parseJson(response.body) as Receipt;
      this.remember(messageUUID, receipt);
      return receipt;
    } catch (error) {
      if (error instanceof ApiError && error.status === 409 && error.code === 'DUPLICATE_MESSAGE_UUID') {
        const fromAnswer = (error.body as { receipt?: TechnicalReceipt } | undefined)?.receipt;
        throw new DuplicateMessageError(
          {
            status: error.status,
            code: error.code,
            message: error.detail,
            fieldErrors: error.fieldErrors,
            requestId: error.requestId,
            method: error.method,
            path: error.path,
            headers: error.headers,
            body: error.body,
          },
          messageUUID,
          fromAnswer ?? this.receipts.get(messageUUID),
        );
      }
      throw error;
    }
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

  private prepare(
    input: Memo | string | Uint8Array,
    options: SendOptions,
  ): { bytes: Uint8Array; messageUUID: string } {
    if (isMemo(input)) {
      if (options.validate !== false) {
        const result = validateMemo(input, options.validation);
        if (!result.valid)
          throw new MemoValidationError(result.issues, 'the MeMo was not sent: it is not valid');
      }
      return { bytes: serializeMemoToBytes(input), messageUUID: input.messageHeader.messageUUID };
    }
    const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
    let memo: Memo | undefined;
    if (options.validate !== false) {
      const result = validateMemo(bytes, options.validation);
      if (!result.valid)
        throw new MemoValidationError(result.issues, 'the MeMo was not sent: it is not valid');
      memo = result.memo;
    } else {
      memo = readMemo(bytes).memo;
    }
    const messageUUID = memo?.messageHeader?.messageUUID;
    if (typeof messageUUID !== 'string') {
      throw new MemoValidationError(
        [
          {
            path: 'MessageHeader/messageUUID',
            code: 'MISSING_ELEMENT',
            message: 'MessageHeader must contain messageUUID',
          },
        ],
        'the MeMo was not sent',
      );
    }
    return { bytes, messageUUID };
  }

  private remember(messageUUID: string, receipt: TechnicalReceipt): void {
    if (this.receipts.size >= RECEIPT_MEMORY) {
      const oldest = this.receipts.keys().next().value;
      if (oldest !== undefined) this.receipts.delete(oldest);
    }
    this.receipts.set(messageUUID, receipt);
  }
}
