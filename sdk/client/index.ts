export { type ClientOptions, DigitalPostClient, ENVIRONMENTS, type TlsOptions } from './client.ts';
export { type ContactPointSearch, type ContactSearch, canReceiveDigitalPost } from './contacts.ts';
export type { FetchOptions, InboxListOptions } from './inbox.ts';
export type { SendOptions } from './memos.ts';
export type { ReceiptListOptions } from './receipts.ts';
export type * from './types.ts';
