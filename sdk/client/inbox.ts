/** `client.inbox`: MeMos for a recipient system that pulls them, and its business receipts. */
import { randomUUID } from 'node:crypto';
import type { ApiError } from '../errors.ts';
import type { RequestOptions, Transport } from '../http/transport.ts';
import { parseJson } from '../http/transport.ts';
import { readMemo } from '../memo/reader.ts';
import { type ValidateOptions, validateMemo } from '../memo/validate.ts';
import { numberedPages, paginate } from './pagination.ts';
import type { InboxMemo } from './types.ts';

export interface InboxListOptions extends RequestOptions {
  /** Ids per request (default 100, at most 1000). */
  pageSize?: number;
}

export interface FetchOptions extends RequestOptions {
  /** The rules `issues` reports against (default: NgDP's). */
  validation?: ValidateOptions;
}

/** A receipt posted twice answers 409: on a retry that means the first attempt got through. */
const alreadyGiven = (error: ApiError): boolean => error.status === 409;

export class Inbox {
  private readonly transport: Transport;

  constructor(transport: Transport) {
    this.transport = transport;
  }

  /**
   * The messageUUIDs of every MeMo waiting for this system (`GET /memos/`), across pages. Completing
   * memos while iterating is fine: the list is walked again until a pass finds nothing new.
   */
  list(options: InboxListOptions = {}): AsyncGenerator<string> {
    const size = options.pageSize ?? 100;
    const pages = numberedPages(async (page) => {
      const response = await this.transport.send(
        { method: 'GET', path: '/memos/', query: { page, size } },
        options,
      );
      const result = parseJson(response.body) as { content?: string[]; totalPages?: number };
      return { items: result.content ?? [], totalPages: result.totalPages ?? 0 };
    });
    return paginate(pages, { repeatPasses: { keyOf: (id) => id } });
  }

  /**
   * One MeMo (`GET /memos/{id}`): its XML as served, the MeMo read from it, and its problems.
   *
   * @throws MemoParseError when the XML cannot be read at all — reject it with code and message.
   */
  async fetch(messageUUID: string, options: FetchOptions = {}): Promise<InboxMemo> {
    const xml = await this.fetchXml(messageUUID, options);
    const { memo, issues } = readMemo(xml);
    const result = validateMemo(memo, options.validation);
    return { messageUUID, xml, memo, issues: [...issues, ...result.issues] };
  }

  /** The raw XML of one MeMo (`GET /memos/{id}`). */
  async fetchXml(messageUUID: string, options: RequestOptions = {}): Promise<Buffer> {
    const response = await this.transport.send(
      { method: 'GET', path: `/memos/${encodeURIComponent(messageUUID)}`, accept: 'application/xml' },
      options,
    );
    return response.body;
  }

  /** Confirms a MeMo as received: business receipt `COMPLETED` (`POST /memos/{id}/receipt`). */
  complete(messageUUID: string, options: RequestOptions = {}): Promise<void> {
    return this.receipt(messageUUID, { receiptStatus: 'COMPLETED' }, options);
  }

  /** Refuses a MeMo: business receipt `INVALID` with your code and reason. */
  reject(
    messageUUID: string,
    reason: { errorCode: string; errorMessage: string },
    options: RequestOptions = {},
  ): Promise<void> {
    return this.receipt(messageUUID, { receiptStatus: 'INVALID', ...reason }, options);
  }

  private async receipt(
    messageUUID: string,
    fields: Record<string, string>,
    options: RequestOptions,
  ): Promise<void> {
    const body = JSON.stringify({
      transmissionId: randomUUID(),
      messageUUID,
      timeStamp: new Date().toISOString(),
      ...fields,
    });
    await this.transport.send(
      {
        method: 'POST',
        path: `/memos/${encodeURIComponent(messageUUID)}/receipt`,
        body,
        contentType: 'application/json',
        earlierAttemptSucceeded: alreadyGiven,
      },
      options,
    );
  }
}
