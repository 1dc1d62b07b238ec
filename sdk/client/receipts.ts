/** `client.receipts`: business receipts for a sender system that pulls them. */
import { DigitalPostError, InvalidOptionsError, TimeoutError } from '../errors.ts';
import type { RequestOptions, Transport } from '../http/transport.ts';
import { parseJson } from '../http/transport.ts';
import type { BusinessReceiptStatus } from '../ngdp/enums.ts';
import { numberedPages, paginate } from './pagination.ts';
import type { Receipt, ReceiptPage } from './types.ts';

export interface ReceiptListOptions extends RequestOptions {
  /** Receipts per request (default 100, at most 1000). */
  pageSize?: number;
}

/** Options of {@link Receipts.waitFor}. */
export interface WaitForReceiptOptions extends Omit<RequestOptions, 'timeoutMs'> {
  /**
   * How long to wait in all (default 120 000 ms); `waitFor` then throws a {@link TimeoutError}. This
   * is not the timeout of each poll: that is the client's `timeoutMs`, or `requestTimeoutMs`.
   */
  timeoutMs?: number;
  /** The time for one attempt of each request the wait makes (default: the client's `timeoutMs`). */
  requestTimeoutMs?: number;
  /** Time between polls (default 2 000 ms). */
  pollIntervalMs?: number;
  /**
   * Acknowledge the receipt once found (default true): it is deleted at NgDP and no longer listed.
   * `false` leaves it for a {@link Receipts.list} loop to handle and acknowledge.
   */
  ack?: boolean;
  /**
   * The clock the wait runs on (default real time). Tests on a simulator with a manual clock pass
   * `{ now: () => sim.clock.now().getTime(), sleep: (ms) => sim.clock.advance(ms) }`.
   */
  clock?: { now(): number; sleep(ms: number): Promise<unknown> };
}

/** A business receipt: the outcome of a letter, after the technical RECEIVED. */
export type BusinessReceipt = Receipt & { receiptStatus: BusinessReceiptStatus };

/** Whether trying the same request again later may succeed (a timeout, a connection error, 503). */
function isRetryable(error: unknown): boolean {
  return error instanceof DigitalPostError && (error as { retryable?: unknown }).retryable === true;
}

const realClock = {
  now: () => Date.now(),
  sleep: (ms: number) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export class Receipts {
  private readonly transport: Transport;

  constructor(transport: Transport) {
    this.transport = transport;
  }

  /**
   * Every receipt available to this system, across pages (`GET /receipts-bulk/`). Listing does not
   * consume them: acknowledge each one you have handled with {@link Receipts.ack}.
   *
   * @example
   * for await (const receipt of client.receipts.list()) {
   *   await markLetter(receipt.messageUUID, receipt.receiptStatus);
   *   await client.receipts.ack(receipt.id!);
   * }
   */
  list(options: ReceiptListOptions = {}): AsyncGenerator<Receipt> {
    const size = options.pageSize ?? 100;
    const pages = numberedPages(async (page) => {
      const result = await this.bulk({ ...options, page, size });
      return { items: result.receipts, totalPages: result.totalPages };
    });
    // Acknowledging while listing shifts later pages forward.
    return paginate(pages, {
      repeatPasses: { keyOf: (receipt) => receipt.id ?? `${receipt.transmissionId}/${receipt.messageUUID}` },
    });
  }

  /** One page of receipts with their full bodies (`GET /receipts-bulk/`). */
  async bulk(options: RequestOptions & { page?: number; size?: number } = {}): Promise<ReceiptPage> {
    const response = await this.transport.send(
      {
        method: 'GET',
        path: '/receipts-bulk/',
        query: { page: options.page ?? 0, size: options.size ?? 100 },
      },
      options,
    );
    return parseJson(response.body) as ReceiptPage;
  }

  /**
   * One receipt (`GET /receipts/{id}`). It stays available unless `delete: true`, which asks NgDP
   * to delete it as it is read (a crash after that loses it: prefer {@link Receipts.ack} after
   * handling).
   */
  async get(id: string, options: RequestOptions & { delete?: boolean } = {}): Promise<Receipt> {
    const response = await this.transport.send(
      {
        method: 'GET',
        path: `/receipts/${encodeURIComponent(id)}`,
        query: { delete: options.delete === true },
      },
      options,
    );
    return { id, ...(parseJson(response.body) as Receipt) };
  }

  /**
   * Polls until the business receipt of `messageUUID` is available and returns it. The receipt is
   * **acknowledged — deleted at NgDP — before it is returned**, unless `ack: false`: handle it
   * (store the outcome) before anything can fail, or pass `ack: false` and acknowledge it yourself.
   *
   * `timeoutMs` is the whole wait; each poll is a request with the client's own timeout (or
   * `requestTimeoutMs`) and retries. A poll that still fails with a retryable error (a timeout, a
   * connection error, 503) does not end the wait: the next poll tries again.
   *
   * Suited to one letter at a time (a connection check, a command-line send); a system sending many
   * letters runs one {@link Receipts.list} loop and matches receipts to letters by messageUUID.
   *
   * @throws TimeoutError (code `TIMEOUT`) when no business receipt came within `timeoutMs`; its
   *   `cause` is the last poll's failure, if it failed.
   * @throws ApiError when a poll fails for good (e.g. AuthenticationError); `ABORTED` when `signal`
   *   aborts; InvalidOptionsError for invalid options.
   */
  async waitFor(messageUUID: string, options: WaitForReceiptOptions = {}): Promise<BusinessReceipt> {
    const { timeoutMs = 120_000, pollIntervalMs = 2_000 } = options;
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0)
      throw new InvalidOptionsError(
        `receipts.waitFor: timeoutMs must be a positive number, got ${timeoutMs}`,
      );
    if (!Number.isFinite(pollIntervalMs) || pollIntervalMs < 0)
      throw new InvalidOptionsError(
        `receipts.waitFor: pollIntervalMs must be a non-negative number, got ${pollIntervalMs}`,
      );
    const request: RequestOptions = {
      ...(options.requestTimeoutMs === undefined ? {} : { timeoutMs: options.requestTimeoutMs }),
      ...(options.retry === undefined ? {} : { retry: options.retry }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    };
    const clock = options.clock ?? realClock;
    const deadline = clock.now() + timeoutMs;
    let failure: unknown;
    for (;;) {
      try {
        const receipt = await this.find(messageUUID, request);
        failure = undefined;
        if (receipt !== undefined) {
          if (options.ack !== false && receipt.id !== undefined) await this.ack(receipt.id, request);
          return receipt;
        }
      } catch (error) {
        if (!isRetryable(error)) throw error;
        failure = error;
      }
      const left = deadline - clock.now();
      if (left <= 0) {
        throw new TimeoutError(
          `the receipt for ${messageUUID} did not come within ${timeoutMs} ms`,
          undefined,
          failure === undefined ? undefined : { cause: failure },
        );
      }
      if (options.signal?.aborted)
        throw new DigitalPostError('ABORTED', 'waiting for the receipt was aborted', {
          cause: options.signal.reason,
        });
      await clock.sleep(Math.min(pollIntervalMs, left));
    }
  }

  /** The business receipt of `messageUUID` among those listed now, if there is one. */
  private async find(messageUUID: string, request: RequestOptions): Promise<BusinessReceipt | undefined> {
    const wanted = messageUUID.toLowerCase();
    for await (const receipt of this.list(request)) {
      if (receipt.messageUUID?.toLowerCase() === wanted && receipt.receiptStatus !== 'RECEIVED')
        return receipt as BusinessReceipt;
    }
    return undefined;
  }

  /** Acknowledges (deletes) a handled receipt (`DELETE /receipts/{id}`). */
  async ack(id: string, options: RequestOptions = {}): Promise<void> {
    await this.transport.send({ method: 'DELETE', path: `/receipts/${encodeURIComponent(id)}` }, options);
  }
}
