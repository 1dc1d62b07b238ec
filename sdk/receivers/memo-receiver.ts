/** `createMemoReceiver`: the endpoint NgDP pushes MeMos to (REST_PUSH recipient systems, §5.1). */

import type { IncomingMessage, ServerResponse } from 'node:http';
import { ReceiverRefusal } from '../errors.ts';
import { isUuid } from '../ngdp/identifiers.ts';
import { checkMemoHandlingOptions, MemoDelivery, type MemoHandlingOptions } from './delivery.ts';
import { notPost, type RequestHandler } from './http.ts';
import { inspectMemo } from './inspect.ts';
import { BodyBudget, type BodyLimits, bodyLimits, requestLimits } from './limits.ts';
import { readUpload } from './upload.ts';
import { verifyCaller } from './verify.ts';

/** Options of {@link createMemoReceiver}. */
export interface MemoReceiverOptions extends MemoHandlingOptions {
  /**
   * The largest request body accepted, in bytes (default 150 MiB: NgDP's 99.5 MB of content,
   * base64-encoded, in its XML and multipart envelope). Larger ones are answered 413.
   */
  maxBytes?: number;
  /**
   * The bytes of request bodies held at once, over all requests (default twice `maxBytes`; at
   * least `maxBytes`). A request whose body does not fit — by its Content-Length before anything
   * is read, or as it comes without one — is answered 503 `RECEIVER_BUSY` with `Retry-After`, and
   * NgDP delivers again later. Memory for MeMos is about four times this at worst (docs/sdk.md).
   */
  maxBytesInFlight?: number;
  /** The longest pause in a request body, ms (default 30 000); then 408 and the connection is closed. */
  bodyTimeoutMs?: number;
}

const DEFAULT_MAX_BYTES = 150 * 1024 * 1024;

/**
 * The request handler for your recipient system's `endpoint`, where NgDP POSTs each MeMo as
 * multipart/form-data: one part `file` holding the MeMo XML, named by the bare messageUUID.
 * Mount it on a `node:http` server (`createServer(handler)`) or in express
 * (`app.post('/digitalpost/memos', handler)`), before any multipart body parser.
 *
 * For each request:
 * - A valid MeMo goes to `onMemo`. Once that resolves the answer is 200 and the business receipt
 *   `COMPLETED` is posted (`POST /memos/{messageUUID}/receipt`). If `onMemo` throws, the answer is
 *   500 and no receipt is sent: NgDP delivers again later.
 * - A MeMo that cannot be read or is invalid is answered 200, as NgDP's reference recipient does,
 *   and gets the receipt `INVALID` with `errorCode` `MEMO_SCHEMA_INVALID` and the problems in
 *   `errorMessage` (CPR numbers masked); `onMemo` is not called. A MeMo whose own messageUUID is
 *   not the part's filename is `INVALID` (`MEMO_UUID_MISMATCH`); the MeMo's own messageUUID is the
 *   one it is known by, and the filename counts only when it is a UUID.
 * - A redelivery — the same messageUUID with the same bytes (SHA-256) — of a MeMo `onMemo` has
 *   handled (see `seen`) is answered 200 without calling `onMemo` again, and `COMPLETED` is posted
 *   again in case the first receipt was lost (a 409 from NgDP means it was not). Duplicates
 *   arriving while the first is still being handled wait for it and answer as it does. Other bytes
 *   under a handled messageUUID are not a redelivery: anyone who can reach the endpoint can POST
 *   them, and they must not make NgDP's own MeMo look handled. They wait for the messageUUID's
 *   attempt under way, if any, and reach `onMemo` on their own (with their own `sha256`). Require
 *   NgDP's client certificate (`verify: requireClientCertificate(…)`, or in front of the endpoint:
 *   docs/sdk.md, "Only NgDP may push").
 * - The receipt is posted after the answer; one NgDP does not take is posted again on the
 *   `receiptRetry` schedule, and `onError` is told of each failure (the first with the MeMo's bytes).
 *
 * Refusals are answered with a small JSON body `{ "code", "message" }`: 401 and 403 for a caller
 * `verify` refuses (`CALLER_UNAUTHENTICATED`, `CALLER_NOT_ALLOWED`; before anything is read); 405 for another method
 * than POST; 415 for another content type than multipart/form-data, or a `Content-Encoding`
 * (`UNSUPPORTED_CONTENT_ENCODING`); 413 for a body over `maxBytes`; 408 for a body that stalls
 * longer than `bodyTimeoutMs`; 503 `RECEIVER_BUSY` with `Retry-After` when the body does not fit
 * in `maxBytesInFlight`; 400 for a malformed body (`MALFORMED_MULTIPART`), no part `file`
 * (`MEMO_MISSING`: "MeMo is not present in request", as NgDP's reference), more than one
 * (`MEMO_AMBIGUOUS`), or no messageUUID in either the MeMo or the filename
 * (`MESSAGE_UUID_MISSING`). A refusal answered before the body was read closes the connection, so
 * the rest is not read. The handler never throws and never leaves a promise rejected; a MeMo the
 * reader fails on in a way it does not document is INVALID, not a 500.
 *
 * @example
 * const client = new DigitalPostClient({ environment: 'test', apiKey, tls });
 * app.post('/digitalpost/memos', createMemoReceiver({ client, onMemo: ({ memo }) => archive(memo) }));
 */
export function createMemoReceiver(options: MemoReceiverOptions): RequestHandler {
  checkMemoHandlingOptions('createMemoReceiver', options);
  const limits = requestLimits('createMemoReceiver', options, {
    maxBytes: DEFAULT_MAX_BYTES,
    inFlight: (maxBytes) => 2 * maxBytes,
  });
  const budget = new BodyBudget(limits.maxBytesInFlight);
  const delivery = new MemoDelivery(options, 'memo receiver');
  return (req, res) => {
    const claim = budget.claim();
    receive(req, res, delivery, { ...bodyLimits(limits, claim), validation: options.validation })
      .catch((error: unknown) => delivery.refuse(res, error))
      .finally(() => claim.release());
  };
}

async function receive(
  req: IncomingMessage,
  res: ServerResponse,
  delivery: MemoDelivery,
  settings: BodyLimits & { validation: MemoReceiverOptions['validation'] },
): Promise<void> {
  await verifyCaller(req, delivery.verify);
  if (req.method !== 'POST') throw notPost('MeMos');
  const upload = await readUpload(req, settings);
  const filename = isUuid(upload.filename) ? upload.filename : undefined;
  const inspection = inspectMemo(upload.content, filename, settings.validation);
  if (inspection === undefined) {
    throw new ReceiverRefusal(
      400,
      'MESSAGE_UUID_MISSING',
      'neither the MeMo nor the filename of part "file" names a messageUUID',
    );
  }
  const { messageUUID } = inspection;
  await delivery.deliver(res, {
    messageUUID,
    // Anyone may POST here: only the same bytes under the same messageUUID are a redelivery.
    key: `${messageUUID.toLowerCase()}:${upload.sha256}`,
    obtain: async () => ({ inspection, xml: upload.content, sha256: upload.sha256 }),
  });
}
