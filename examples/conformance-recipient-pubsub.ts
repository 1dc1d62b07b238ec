/**
 * A publish/subscribe recipient system's adapter for the conformance suite (`digitalpost
 * conformance run --profile recipient-pubsub`): the same as the push adapter
 * (examples/conformance-recipient-push.ts), with `createNotificationReceiver` at the endpoint. NgDP
 * POSTs a notification `{messageUUID, memoUrl, timeStamp}`; the receiver fetches the MeMo from NgDP
 * (`GET /memos/{id}`, from the client's own base URL: the API key goes nowhere else), takes a valid
 * one in once, answers 200, and posts the business receipt — COMPLETED, or INVALID for a MeMo that
 * is not valid. A notification of a MeMo NgDP cannot serve is answered 502, so that NgDP notifies
 * again; one that names no UUID is refused with 400.
 *
 * Run it:
 *
 *   npm run build
 *   npx digitalpost conformance run --profile recipient-pubsub \
 *     --endpoint http://127.0.0.1:8126/digitalpost/notifications \
 *     --run "node examples/conformance-recipient-pubsub.ts"
 */
import { runRecipientAdapter } from './conformance-recipient-push.ts';

if (import.meta.url === `file://${process.argv[1]}`) {
  await runRecipientAdapter({ receiving: 'pubsub' });
}
