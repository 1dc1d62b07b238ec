/** `client.inbox`: MeMos for a recipient system that pulls them, and its business receipts. */
import { randomUUID } from 'node:crypto';
import type { ApiError } from '../errors.ts';
import type { Effect, HttpRequest, RequestOptions, Transport } from '../http/transport.ts';
import { readMemo } from '../memo/reader.ts';
import { type ValidateOptions, validateMemo } from '../memo/validate.ts';
import { type ListOptions, listSettings, numberedPages, paginate } from './pagination.ts';
import { pagingResultUUIDShape, reading } from './responses.ts';
import type { InboxMemo } from './types.ts';

export interface InboxListOptions extends RequestOptions, ListOptions {}

export interface FetchOptions extends RequestOptions {
  /** The rules `issues` reports against (default: NgDP's). */
  validation?: ValidateOptions;
}

/** A receipt posted twice answers 409: on a retry that means the first attempt got through. */
const alreadyGiven = (error: ApiError): boolean => error.status === 409;

const receiptEffect = (messageUUID: string): Effect => ({
  operation: 'inbox.complete / inbox.reject',
  check:
    `Give the receipt for ${messageUUID} again: NgDP answers 409 when it already has one, which the ` +
    'client takes as success.',
  repeatable: true,
});

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
    const { size, maxPages } = listSettings(options, this.transport.limits.maxPages, 'inbox.list');
    const pages = numberedPages(async (page) => {
      const http: HttpRequest = { method: 'GET', path: '/memos/', query: { page, size } };
      const response = await this.transport.send(http, options);
      const result = this.transport.read(http, response, reading(pagingResultUUIDShape));
      if (result.content.length > size)
        throw this.transport.unexpected(
          http,
          response,
          `the page has ${result.content.length} messageUUIDs, ${size} were asked for`,
        );
      return { items: result.content, totalPages: result.totalPages ?? 0 };
    });
    return paginate(pages, {
      name: { method: 'GET', path: '/memos/' },
      keyOf: (id) => id.toLowerCase(),
      maxPages,
      repeatPasses: true,
    });
  }

  /**
   * One MeMo (`GET /memos/{id}`): its XML as served, the MeMo read from it, and its problems.
   *
   * @throws MemoParseError when the XML cannot be read at all — reject it with code and message.
   */
  async fetch(messageUUID: string, options: FetchOptions = {}): Promise<InboxMemo> {
    const xml = await this.fetchXml(messageUUID, options);
    // The reader's limits (field lengths, notification length) are the validation's.
    const { memo, issues } = readMemo(xml, options.validation);
    const result = validateMemo(memo, options.validation);
    return { messageUUID, xml, memo, issues: [...issues, ...result.issues] };
  }

  /**
   * The raw XML of one MeMo (`GET /memos/{id}`), at most the client's `limits.maxMemoBytes`.
   *
   * @throws UnexpectedResponseError (`RESPONSE_TOO_LARGE`) for a larger answer, refused as it
   *   streams in.
   */
  async fetchXml(messageUUID: string, options: RequestOptions = {}): Promise<Buffer> {
    const http: HttpRequest = {
      method: 'GET',
      path: `/memos/${encodeURIComponent(messageUUID)}`,
      accept: 'application/xml',
      maxBodyBytes: this.transport.limits.maxMemoBytes,
    };
    const response = await this.transport.send(http, options);
    const encoding = response.headers['content-encoding'];
    const type = String(response.headers['content-type'] ?? 'application/xml');
    if (encoding !== undefined && String(encoding).toLowerCase() !== 'identity')
      throw this.transport.unexpected(
        http,
        response,
        `the MeMo is compressed (content-encoding ${encoding})`,
      );
    if (!/^(?:application|text)\/(?:[\w.+-]+\+)?xml\s*(?:;|$)|^application\/octet-stream/i.test(type))
      throw this.transport.unexpected(
        http,
        response,
        `the answer is ${type.split(';')[0]}, not a MeMo (XML)`,
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
        answer: 'none',
        effect: receiptEffect(messageUUID),
        earlierAttemptSucceeded: alreadyGiven,
      },
      options,
    );
  }
}
