/**
 * Request handlers for what NgDP pushes to you: MeMos (recipient PUSH), business receipts (sender
 * PUSH) and publish/subscribe notifications. Each works on `node:http` and as express middleware.
 *
 * @packageDocumentation
 */

export { ReceiverRefusal, type ReceiverRefusalCode } from '../errors.ts';
export type { MemoHandlingOptions, ReceivedMemo, SeenStore } from './delivery.ts';
export type { RequestHandler } from './http.ts';
export { createMemoReceiver, type MemoReceiverOptions } from './memo-receiver.ts';
export { createNotificationReceiver, type NotificationReceiverOptions } from './notification-receiver.ts';
export { createReceiptReceiver, type ReceiptReceiverOptions } from './receipt-receiver.ts';
export type { ErrorContext, ErrorHandler } from './report.ts';
export {
  type CallerVerdict,
  type ClientCertificateOptions,
  requireClientCertificate,
  type VerifyCaller,
} from './verify.ts';
