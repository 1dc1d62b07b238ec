/**
 * `createNotificationReceiver`: the endpoint of a REST_PUBLISH_SUBSCRIBE recipient system, told
 * that a MeMo is ready (simulator.md "Publish/subscribe"; NgDP's payload is unknown, ngdp-api.md §5.4).
 */

import type { IncomingMessage, ServerResponse } from 'node:http';
import { ReceiverRefusal } from '../errors.ts';
import { isUuid } from '../ngdp/identifiers.ts';
import { checkMemoHandlingOptions, MemoDelivery, type MemoHandlingOptions, sha256Of } from './delivery.ts';
import { notPost, type RequestHandler, readJson } from './http.ts';
import { inspectMemo } from './inspect.ts';
import { BodyBudget, type BodyLimits, bodyLimits, busy, positiveInteger, requestLimits } from './limits.ts';
import { verifyCaller } from './verify.ts';

/** Options of {@link createNotificationReceiver}. */
export interface NotificationReceiverOptions extends MemoHandlingOptions {
  /**
   * The MeMos fetched from NgDP at once (default 4). A notification beyond is answered 503
   * `RECEIVER_BUSY` with `Retry-After`, and NgDP notifies again later; a repeated notification of a
   * MeMo being fetched waits for that fetch instead.
   */
  maxFetchesInFlight?: number;
  /** The bytes of notification bodies held at once (default 16 MiB; each is at most 64 KiB). */
  maxBytesInFlight?: number;
  /** The longest pause in a request body, ms (default 30 000); then 408 and the connection is closed. */
  bodyTimeoutMs?: number;
}

/** A notification is three short fields. */
const MAX_NOTIFICATION_BYTES = 64 * 1024;
const DEFAULT_FETCHES_IN_FLIGHT = 4;

/**
 * The request handler for a publish/subscribe recipient system's `endpoint`, where NgDP POSTs
 * JSON `{"messageUUID","memoUrl","timeStamp"}` when a MeMo is ready. The handler fetches the MeMo
 * with `client.inbox.fetchXml(messageUUID)` — from the client's own base URL: `memoUrl` is never
 * followed, so the API key goes nowhere else, and what `onMemo` gets came from NgDP whoever sent
 * the notification — and then handles it as {@link createMemoReceiver} does: `onMemo` for a
 * valid MeMo, once per messageUUID, 200 after it resolved and then the receipt `COMPLETED`; 200
 * and `INVALID` with the problems for an unreadable or invalid MeMo (or one that names another
 * messageUUID than notified; the receipt goes to the notified one); 500 and no receipt when
 * `onMemo` throws, so NgDP notifies again.
 *
 * Refusals, answered `{ "code", "message" }`: 401 and 403 for a caller `verify` refuses, 405 for
 * another method than POST, 415 for a body
 * that is not JSON or is compressed (`Content-Encoding`), 413 over 64 KiB, 408 for a body that
 * stalls, 400 (`INVALID_JSON`, `JSON_TOO_DEEP`, `INVALID_NOTIFICATION`) when there is no
 * messageUUID, 502 (`MEMO_FETCH_FAILED`) when the MeMo cannot be fetched, so NgDP notifies again
 * (the fetch error goes to `onError`), and 503 `RECEIVER_BUSY` with `Retry-After` beyond
 * `maxFetchesInFlight` or `maxBytesInFlight`. Works after `express.json()` too.
 *
 * @example
 * app.post('/digitalpost/notifications', createNotificationReceiver({ client, onMemo }));
 */
export function createNotificationReceiver(options: NotificationReceiverOptions): RequestHandler {
  checkMemoHandlingOptions('createNotificationReceiver', options);
  const owner = 'createNotificationReceiver';
  const limits = requestLimits(
    owner,
    { maxBytesInFlight: options.maxBytesInFlight, bodyTimeoutMs: options.bodyTimeoutMs },
    { maxBytes: MAX_NOTIFICATION_BYTES, inFlight: () => 16 * 1024 * 1024 },
  );
  const fetches = new FetchSlots(
    positiveInteger(owner, 'maxFetchesInFlight', options.maxFetchesInFlight, DEFAULT_FETCHES_IN_FLIGHT),
  );
  const budget = new BodyBudget(limits.maxBytesInFlight);
  const delivery = new MemoDelivery(options, 'notification receiver');
  return (req, res) => {
    const claim = budget.claim();
    receive(req, res, { delivery, options, fetches, limits: bodyLimits(limits, claim) })
      .catch((error: unknown) => delivery.refuse(res, error))
      .finally(() => claim.release());
  };
}

/** How many fetches of notified MeMos are under way, out of how many allowed. */
class FetchSlots {
  private readonly limit: number;
  private used = 0;

  constructor(limit: number) {
    this.limit = limit;
  }

  /** Runs `fetch` in a slot, or refuses with 503 when none is free. */
  async run<T>(fetch: () => Promise<T>): Promise<T> {
    if (this.used >= this.limit) throw busy('notifications');
    this.used += 1;
    try {
      return await fetch();
    } finally {
      this.used -= 1;
    }
  }
}

interface Context {
  delivery: MemoDelivery;
  options: NotificationReceiverOptions;
  fetches: FetchSlots;
  limits: BodyLimits;
}

async function receive(req: IncomingMessage, res: ServerResponse, context: Context): Promise<void> {
  await verifyCaller(req, context.options.verify);
  if (req.method !== 'POST') throw notPost('notifications');
  const messageUUID = notifiedMessage(await readJson(req, context.limits));
  const { delivery, options, fetches } = context;
  await delivery.deliver(res, {
    messageUUID,
    // The MeMo comes from NgDP itself, whoever notified: its messageUUID is enough.
    key: messageUUID.toLowerCase(),
    obtain: async () => {
      const xml = await fetches.run(async () => {
        try {
          return await options.client.inbox.fetchXml(messageUUID);
        } catch (error) {
          throw new ReceiverRefusal(502, 'MEMO_FETCH_FAILED', 'the MeMo could not be fetched from NgDP', {
            cause: error,
          });
        }
      });
      const inspection = inspectMemo(xml, messageUUID, options.validation);
      // Whatever the MeMo says, its receipt belongs to the message that was notified and fetched.
      return {
        inspection: inspection.valid ? inspection : { ...inspection, messageUUID },
        xml,
        sha256: sha256Of(xml),
      };
    },
  });
}

function notifiedMessage(body: unknown): string {
  const messageUUID = (body as { messageUUID?: unknown } | null)?.messageUUID;
  if (typeof body !== 'object' || Array.isArray(body) || !isUuid(messageUUID)) {
    throw new ReceiverRefusal(
      400,
      'INVALID_NOTIFICATION',
      'expected a JSON object {"messageUUID","memoUrl","timeStamp"} whose messageUUID is a UUID',
    );
  }
  return messageUUID;
}
