/** `client.receipts`: business receipts for a sender system that pulls them. */
import { DigitalPostError, InvalidOptionsError, TimeoutError } from '../errors.ts';
import { anySignal, type ClientClock, sleep } from '../http/deadline.ts';
import type { Effect, HttpRequest, RequestOptions, Transport } from '../http/transport.ts';
import type { BusinessReceiptStatus } from '../ngdp/enums.ts';
import { type ListOptions, listSettings, numberedPages, paginate } from './pagination.ts';
import { reading, receiptSearchResultShape, receiptShape } from './responses.ts';
import type { Receipt, ReceiptPage } from './types.ts';

export interface ReceiptListOptions extends RequestOptions, ListOptions {}

/** Options of {@link Receipts.waitFor}. */
export interface WaitForReceiptOptions extends Omit<RequestOptions, 'timeoutMs'> {
  /**
   * How long to wait in all (default 120 000 ms); `waitFor` then throws a {@link TimeoutError}. It
   * holds whatever NgDP does: a poll under way when it runs out is stopped. This is not the timeout
   * of each poll: that is the client's `timeoutMs`, or `requestTimeoutMs`.
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
   * `{ now: () => sim.clock.now().getTime(), sleep: (ms) => sim.clock.advance(ms) }`; with such a
   * clock `timeoutMs` is checked between polls (each poll is still bounded by its request timeout
   * and the list's page bound). Default: the client's `clock`, else real time.
   */
  clock?: ClientClock;
}

/** A business receipt: the outcome of a letter, after the technical RECEIVED. */
export type BusinessReceipt = Receipt & { receiptStatus: BusinessReceiptStatus };

/** Whether trying the same request again later may succeed (a timeout, a connection error, 503). */
function isRetryable(error: unknown): boolean {
  return error instanceof DigitalPostError && error.retryable;
}

const ackEffect = (id: string): Effect => ({
  operation: 'receipts.ack',
  check:
    `Whether receipt ${id} was acknowledged shows in receipts.list(): once it is no longer listed, it ` +
    'is; acknowledging it again is harmless (404 when it is gone).',
  repeatable: true,
});

const deletingReadEffect = (id: string): Effect => ({
  operation: 'receipts.get (delete: true)',
  check:
    `Receipt ${id} may have been deleted at NgDP without reaching you: receipts.get(id) without ` +
    'delete answers 404 when it is gone. It is not read again with delete, which could lose it for ' +
    'good; read receipts with receipts.list() and acknowledge each after handling it (receipts.ack) ' +
    'so that a lost answer loses nothing.',
  repeatable: false,
});

export class Receipts {
  private readonly transport: Transport;

  constructor(transport: Transport) {
    this.transport = transport;
  }

  /**
   * Every receipt available to this system, across pages (`GET /receipts-bulk/`). Listing does not
   * consume them: acknowledge each one you have handled with {@link Receipts.ack}. Each receipt is
   * yielded once; a list that does not end (a cursor that loops, more than `maxPages` pages) throws
   * an `UnexpectedResponseError`.
   *
   * @example
   * for await (const receipt of client.receipts.list()) {
   *   await markLetter(receipt.messageUUID, receipt.receiptStatus);
   *   await client.receipts.ack(receipt.id!);
   * }
   *
   * @throws InvalidOptionsError for a `pageSize` or `maxPages` out of range (at once).
   */
  list(options: ReceiptListOptions = {}): AsyncGenerator<Receipt> {
    const { size, maxPages } = listSettings(options, this.transport.limits.maxPages, 'receipts.list');
    const pages = numberedPages(async (page) => {
      const result = await this.bulk({ ...options, page, size });
      return { items: result.receipts, totalPages: result.totalPages };
    });
    // Acknowledging while listing shifts later pages forward.
    return paginate(pages, {
      name: { method: 'GET', path: '/receipts-bulk/' },
      keyOf: (receipt) => receipt.id ?? `${receipt.transmissionId}/${receipt.messageUUID}`,
      maxPages,
      repeatPasses: true,
    });
  }

  /**
   * One page of receipts with their full bodies (`GET /receipts-bulk/`).
   *
   * @throws UnexpectedResponseError for an answer that is not a `ReceiptSearchResult`, or a page with
   *   more receipts than `size`.
   */
  async bulk(options: RequestOptions & { page?: number; size?: number } = {}): Promise<ReceiptPage> {
    const size = options.size ?? 100;
    const http: HttpRequest = {
      method: 'GET',
      path: '/receipts-bulk/',
      query: { page: options.page ?? 0, size },
    };
    const response = await this.transport.send(http, options);
    const page = this.transport.read(http, response, reading(receiptSearchResultShape));
    if (page.receipts.length > size)
      throw this.transport.unexpected(
        http,
        response,
        `the page has ${page.receipts.length} receipts, ${size} were asked for`,
      );
    return page as ReceiptPage;
  }

  /**
   * One receipt (`GET /receipts/{id}`). It stays available unless `delete: true`, which asks NgDP
   * to delete it as it is read. Such a read is never sent twice: when its answer is lost the receipt
   * may be gone, and it throws an `UnknownOutcomeError` saying how to check (prefer
   * {@link Receipts.list} and {@link Receipts.ack} after handling).
   *
   * @throws UnexpectedResponseError for an answer that is not a `Receipt`.
   * @throws UnknownOutcomeError (`delete: true`) when the answer was lost.
   */
  async get(id: string, options: RequestOptions & { delete?: boolean } = {}): Promise<Receipt> {
    const remove = options.delete === true;
    const receipt = await this.transport.json(
      {
        method: 'GET',
        path: `/receipts/${encodeURIComponent(id)}`,
        query: { delete: remove },
        ...(remove ? { effect: deletingReadEffect(id) } : {}),
      },
      options,
      reading(receiptShape),
    );
    return { id, ...receipt };
  }

  /**
   * Polls until the business receipt of `messageUUID` is available and returns it. The receipt is
   * **acknowledged — deleted at NgDP — before it is returned**, unless `ack: false`: handle it
   * (store the outcome) before anything can fail, or pass `ack: false` and acknowledge it yourself.
   *
   * `timeoutMs` is the whole wait, a hard deadline: a poll under way when it runs out is stopped
   * (the acknowledgement of a receipt found is not: it runs to its end). Each poll is a request with
   * the client's own timeout (or `requestTimeoutMs`) and retries. A poll that still fails with a
   * retryable error (a timeout, a connection error, 503) does not end the wait: the next poll tries
   * again.
   *
   * Suited to one letter at a time (a connection check, a command-line send); a system sending many
   * letters runs one {@link Receipts.list} loop and matches receipts to letters by messageUUID.
   *
   * @throws TimeoutError (code `TIMEOUT`) when no business receipt came within `timeoutMs`; its
   *   `cause` is the last poll's failure, if it failed.
   * @throws ApiError, UnexpectedResponseError when a poll fails for good; `ABORTED` when `signal`
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
    const clock = options.clock ?? this.transport.clock;
    // On real time the deadline is a signal that stops whatever runs when it fires.
    const deadline = clock === undefined ? AbortSignal.timeout(timeoutMs) : undefined;
    const stop = anySignal(options.signal, deadline);
    const request: RequestOptions = {
      ...(options.requestTimeoutMs === undefined ? {} : { timeoutMs: options.requestTimeoutMs }),
      ...(options.retry === undefined ? {} : { retry: options.retry }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    };
    const now = clock === undefined ? () => Date.now() : () => clock.now();
    const ends = now() + timeoutMs;
    const timedOut = (failure: unknown): TimeoutError =>
      new TimeoutError(
        `the receipt for ${messageUUID} did not come within ${timeoutMs} ms`,
        undefined,
        failure === undefined ? undefined : { cause: failure },
      );
    let failure: unknown;
    for (;;) {
      let receipt: BusinessReceipt | undefined;
      try {
        receipt = await this.find(messageUUID, {
          ...request,
          ...(stop === undefined ? {} : { signal: stop }),
        });
        failure = undefined;
      } catch (error) {
        if (options.signal?.aborted) throw abortedWait(options.signal);
        if (deadline?.aborted) throw timedOut(failure);
        if (!isRetryable(error)) throw error;
        failure = error;
      }
      if (receipt !== undefined) {
        if (options.ack !== false && receipt.id !== undefined) await this.ack(receipt.id, request);
        return receipt;
      }
      const left = ends - now();
      if (left <= 0 || deadline?.aborted) throw timedOut(failure);
      if (options.signal?.aborted) throw abortedWait(options.signal);
      try {
        if (clock === undefined) await sleep(Math.min(pollIntervalMs, left), stop);
        else await clock.sleep(Math.min(pollIntervalMs, left));
      } catch {
        if (options.signal?.aborted) throw abortedWait(options.signal);
        throw timedOut(failure);
      }
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

  /**
   * Acknowledges (deletes) a handled receipt (`DELETE /receipts/{id}`).
   *
   * @throws UnknownOutcomeError when an attempt's answer was lost and what followed cannot tell
   *   whether the receipt was acknowledged (e.g. the retry found it gone: 404).
   */
  async ack(id: string, options: RequestOptions = {}): Promise<void> {
    await this.transport.send(
      {
        method: 'DELETE',
        path: `/receipts/${encodeURIComponent(id)}`,
        answer: 'none',
        effect: ackEffect(id),
      },
      options,
    );
  }
}

function abortedWait(signal: AbortSignal): DigitalPostError {
  return new DigitalPostError('ABORTED', 'waiting for the receipt was aborted', { cause: signal.reason });
}
