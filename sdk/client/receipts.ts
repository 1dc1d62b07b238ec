/** `client.receipts`: business receipts for a sender system that pulls them. */
import { DigitalPostError } from '../errors.ts';
import type { RequestOptions, Transport } from '../http/transport.ts';
import { parseJson } from '../http/transport.ts';
import { numberedPages, paginate } from './pagination.ts';
import type { Receipt, ReceiptPage } from './types.ts';

export interface ReceiptListOptions extends RequestOptions {
  /** Receipts per request (default 100, at most 1000). */
  pageSize?: number;
}

/** Options of {@link Receipts.waitFor}. */
export interface WaitForReceiptOptions extends RequestOptions {
  /** Give up after this long (default 120 000 ms); `waitFor` then resolves to undefined. */
  timeoutMs?: number;
  /** Time between polls (default 2 000 ms). */
  pollIntervalMs?: number;
  /** Acknowledge the receipt once found (default true). */
  ack?: boolean;
  /**
   * The clock the wait runs on (default real time). Tests on a simulator with a manual clock pass
   * `{ now: () => sim.clock.now().getTime(), sleep: (ms) => sim.clock.advance(ms) }`.
   */
  clock?: { now(): number; sleep(ms: number): Promise<unknown> };
}

/** A business receipt: the outcome of a letter, after the technical RECEIVED. */
export type BusinessReceipt = Receipt & { receiptStatus: Exclude<Receipt['receiptStatus'], 'RECEIVED'> };

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
   * Polls until the business receipt of `messageUUID` is available and returns it (acknowledged,
   * unless `ack: false`); undefined when none came within the timeout. Suited to one letter at a
   * time (a connection check, a command-line send); a system sending many letters runs one
   * {@link Receipts.list} loop and matches receipts to letters by messageUUID.
   */
  async waitFor(
    messageUUID: string,
    options: WaitForReceiptOptions = {},
  ): Promise<BusinessReceipt | undefined> {
    const clock = options.clock ?? realClock;
    const deadline = clock.now() + (options.timeoutMs ?? 120_000);
    const wanted = messageUUID.toLowerCase();
    for (;;) {
      for await (const receipt of this.list(options)) {
        if (receipt.messageUUID?.toLowerCase() !== wanted || receipt.receiptStatus === 'RECEIVED') continue;
        if (options.ack !== false && receipt.id !== undefined) await this.ack(receipt.id, options);
        return receipt as BusinessReceipt;
      }
      const left = deadline - clock.now();
      if (left <= 0) return undefined;
      if (options.signal?.aborted)
        throw new DigitalPostError('ABORTED', 'waiting for the receipt was aborted', {
          cause: options.signal.reason,
        });
      await clock.sleep(Math.min(options.pollIntervalMs ?? 2_000, left));
    }
  }

  /** Acknowledges (deletes) a handled receipt (`DELETE /receipts/{id}`). */
  async ack(id: string, options: RequestOptions = {}): Promise<void> {
    await this.transport.send({ method: 'DELETE', path: `/receipts/${encodeURIComponent(id)}` }, options);
  }
}
