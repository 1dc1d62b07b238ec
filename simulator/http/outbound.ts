/**
 * The engine's outbound port on HTTP (undici): NgDP's calls to systems as they look on the wire —
 * a MeMo as multipart/form-data (part `file`, filename = the messageUUID), a receipt as NgDP's
 * Receipt JSON, a publish/subscribe notification as `{ messageUUID, memoUrl, timeStamp }`, a
 * contact subscription's notification as `wire/subscriptions.ts` writes it.
 */
import { createHash, randomBytes } from 'node:crypto';
import { request } from 'undici';
import type {
  ContactNotification,
  OrganisationNotification,
  Outbound,
  PushOutcome,
  SentBody,
} from '../engine/outbound.ts';
import { receiptJson } from '../wire/receipts.ts';
import { contactNotificationJson, organisationNotificationJson } from '../wire/subscriptions.ts';

/** The size and SHA-256 of a JSON body, for the transcript. */
function sentJson(body: string): { body: Buffer; sent: SentBody } {
  const bytes = Buffer.from(body);
  return {
    body: bytes,
    sent: { bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') },
  };
}

/** Posts `body`; the outcome carries `sent` when given (the engine knows a MeMo's size and hash itself). */
async function post(
  url: string,
  body: Uint8Array,
  contentType: string,
  timeoutMs: number,
  sent?: SentBody,
): Promise<PushOutcome> {
  const outcome = await postOnce(url, body, contentType, timeoutMs);
  return sent === undefined ? outcome : { ...outcome, sent };
}

async function postOnce(
  url: string,
  body: Uint8Array,
  contentType: string,
  timeoutMs: number,
): Promise<PushOutcome> {
  try {
    const response = await request(url, {
      method: 'POST',
      body,
      headers: { 'content-type': contentType, 'user-agent': 'digitalpost-simulator' },
      signal: AbortSignal.timeout(timeoutMs),
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    await response.body.dump();
    const { statusCode } = response;
    return statusCode >= 200 && statusCode < 300
      ? { ok: true, status: statusCode }
      : { ok: false, status: statusCode, reason: `answered ${statusCode}` };
  } catch (error) {
    const name = (error as { name?: string }).name;
    const reason =
      name === 'TimeoutError' || name === 'AbortError'
        ? `no answer within ${timeoutMs} ms`
        : `${(error as { code?: string }).code ?? 'error'}: ${(error as Error).message}`;
    return { ok: false, reason };
  }
}

/** A multipart/form-data body with one part `file` holding the MeMo, as NgDP pushes it. */
function memoMultipart(messageUUID: string, xml: Uint8Array): { body: Buffer; contentType: string } {
  const boundary = `----ngdp${randomBytes(12).toString('hex')}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${messageUUID}"\r\nContent-Type: application/xml\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  return { body: Buffer.concat([head, xml, tail]), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** The outbound port over HTTP; notifications point at `apiUrl` (`…/apis/v1`), set once it is known. */
export class HttpOutbound implements Outbound {
  apiUrl: string;

  constructor(apiUrl = 'http://127.0.0.1/apis/v1') {
    this.apiUrl = apiUrl;
  }

  pushMemo(
    url: string,
    memo: { messageUUID: string; xml: Uint8Array },
    timeoutMs: number,
  ): Promise<PushOutcome> {
    const { body, contentType } = memoMultipart(memo.messageUUID, memo.xml);
    return post(url, body, contentType, timeoutMs);
  }

  pushReceipt(
    url: string,
    receipt: Parameters<Outbound['pushReceipt']>[1],
    timeoutMs: number,
  ): Promise<PushOutcome> {
    const { body, sent } = sentJson(JSON.stringify(receiptJson(receipt)));
    return post(url, body, 'application/json', timeoutMs, sent);
  }

  pushNotification(
    url: string,
    notification: { messageUUID: string; timeStamp: number },
    timeoutMs: number,
  ): Promise<PushOutcome> {
    const { body, sent } = sentJson(
      JSON.stringify({
        messageUUID: notification.messageUUID,
        memoUrl: `${this.apiUrl}/memos/${notification.messageUUID}`,
        timeStamp: new Date(notification.timeStamp).toISOString(),
      }),
    );
    return post(url, body, 'application/json', timeoutMs, sent);
  }

  pushContactNotification(
    url: string,
    notification: ContactNotification,
    timeoutMs: number,
  ): Promise<PushOutcome> {
    const { body, sent } = sentJson(JSON.stringify(contactNotificationJson(notification, this.apiUrl)));
    return post(url, body, 'application/json', timeoutMs, sent);
  }

  pushOrganisationNotification(
    url: string,
    notification: OrganisationNotification,
    timeoutMs: number,
  ): Promise<PushOutcome> {
    const json = organisationNotificationJson(notification, this.apiUrl);
    const { body, sent } = sentJson(JSON.stringify(json));
    return post(url, body, 'application/json', timeoutMs, sent);
  }
}
