/**
 * `createNotificationReceiver`: the endpoint of a REST_PUBLISH_SUBSCRIBE recipient system, told
 * that a MeMo is ready (simulator.md "Publish/subscribe"; NgDP's payload is unknown, ngdp-api.md §5.4).
 */

import type { IncomingMessage, ServerResponse } from 'node:http';
import { ReceiverRefusal } from '../errors.ts';
import { isUuid } from '../ngdp/identifiers.ts';
import { checkMemoHandlingOptions, MemoDelivery, type MemoHandlingOptions } from './delivery.ts';
import { notPost, type RequestHandler, readJson } from './http.ts';
import { inspectMemo } from './inspect.ts';

/** Options of {@link createNotificationReceiver}. */
export type NotificationReceiverOptions = MemoHandlingOptions;

/** A notification is three short fields. */
const MAX_NOTIFICATION_BYTES = 64 * 1024;

/**
 * The request handler for a publish/subscribe recipient system's `endpoint`, where NgDP POSTs
 * JSON `{"messageUUID","memoUrl","timeStamp"}` when a MeMo is ready. The handler fetches the MeMo
 * with `client.inbox.fetchXml(messageUUID)` — from the client's own base URL: `memoUrl` is never
 * followed, so the API key goes nowhere else — and then handles it as {@link createMemoReceiver}
 * does: `onMemo` for a valid MeMo, once per messageUUID, 200 after it resolved and then the
 * receipt `COMPLETED`; 200 and `INVALID` with the problems for an unreadable or invalid MeMo (or
 * one that names another messageUUID than notified; the receipt goes to the notified one); 500
 * and no receipt when `onMemo` throws, so NgDP notifies again.
 *
 * Refusals, answered `{ "code", "message" }`: 405 for another method than POST, 415 for a body
 * that is not JSON, 413 over 64 KiB, 400 (`INVALID_JSON`, `INVALID_NOTIFICATION`) when there is
 * no messageUUID, and 502 (`MEMO_FETCH_FAILED`) when the MeMo cannot be fetched, so NgDP notifies
 * again; the fetch error goes to `onError`. Works after `express.json()` too.
 *
 * @example
 * app.post('/digitalpost/notifications', createNotificationReceiver({ client, onMemo }));
 */
export function createNotificationReceiver(options: NotificationReceiverOptions): RequestHandler {
  checkMemoHandlingOptions('createNotificationReceiver', options);
  const delivery = new MemoDelivery(options, 'notification receiver');
  return (req, res) => {
    receive(req, res, delivery, options).catch((error: unknown) => delivery.refuse(res, error));
  };
}

async function receive(
  req: IncomingMessage,
  res: ServerResponse,
  delivery: MemoDelivery,
  options: NotificationReceiverOptions,
): Promise<void> {
  if (req.method !== 'POST') throw notPost('notifications');
  const messageUUID = notifiedMessage(await readJson(req, MAX_NOTIFICATION_BYTES));
  await delivery.deliver(res, messageUUID, async () => {
    let xml: Buffer;
    try {
      xml = await options.client.inbox.fetchXml(messageUUID);
    } catch (error) {
      throw new ReceiverRefusal(502, 'MEMO_FETCH_FAILED', 'the MeMo could not be fetched from NgDP', {
        cause: error,
      });
    }
    const inspection = inspectMemo(xml, messageUUID, options.validation);
    // Whatever the MeMo says, its receipt belongs to the message that was notified and fetched.
    return { inspection: inspection.valid ? inspection : { ...inspection, messageUUID }, xml };
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
