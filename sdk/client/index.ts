export type {
  BatchInput,
  BatchMessage,
  BatchProgress,
  BatchResult,
  SendBatchOptions,
} from './batch.ts';
export {
  type ClientOptions,
  DigitalPostClient,
  ENVIRONMENTS,
  type TlsOptions,
  type WithResponse,
} from './client.ts';
export {
  type ContactPointSearch,
  type ContactSearch,
  canReceiveDigitalPost,
  digitalPostReachability,
  type UnreachableReason,
} from './contacts.ts';
export type { FetchOptions, InboxListOptions } from './inbox.ts';
export type { SendOptions } from './memos.ts';
export type { ListOptions } from './pagination.ts';
export type { BusinessReceipt, ReceiptListOptions, WaitForReceiptOptions } from './receipts.ts';
export type {
  ContactSubscriptions,
  OrganisationSubscriptions,
  Subscriptions,
  SubscriptionVersion,
} from './subscriptions.ts';
export type * from './types.ts';
export type { HtmlValidation, ValidateHtmlOptions } from './validations.ts';
