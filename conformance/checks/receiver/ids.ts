/**
 * The checks of the recipient-push and recipient-pubsub profiles, in catalogue order: stable names
 * vendors put in their expected-failures files and CI logs. Most hold for both ways of receiving
 * and are named alike under each profile (`recipient-push.memo.once`, `recipient-pubsub.memo.once`);
 * fetching is publish/subscribe's, and each profile meets its own hostile requests. Rename one only
 * with a changelog entry.
 */

export type ReceiverProfile = 'recipient-push' | 'recipient-pubsub';

const FIRST = [
  // The adapter's report (the suite's protocol)
  'report.well-formed',
  'report.known-messages',
  // MeMos taken in
  'memo.taken',
  'memo.once',
  'memo.sha256',
  'memo.large',
  'memo.attachments',
] as const;
const FETCH = ['fetch.fetched', 'fetch.no-storm'] as const;
const MIDDLE = [
  // Answers to NgDP's deliveries
  'answer.success',
  'answer.timely',
  'answer.quick',
  'redelivery.answered',
  'redelivery.once',
  // Business receipts
  'receipt.given',
  'receipt.completed',
  'receipt.resent',
  // Invalid MeMos
  'invalid.not-accepted',
  'invalid.refused',
] as const;
const PUSH_HOSTILE = [
  'hostile.garbage',
  'hostile.filename-mismatch',
  'hostile.missing-part',
  'hostile.oversized',
  'hostile.content-type',
] as const;
const PUBSUB_HOSTILE = [
  'hostile.garbage',
  'hostile.not-a-uuid',
  'hostile.unknown-id',
  'hostile.oversized',
  'hostile.content-type',
] as const;
const LAST = ['receiver.alive', 'auth.header-only', 'auth.accepted'] as const;

/** A check's name within its profile: `memo.once`. */
export type ReceiverCheckName =
  | (typeof FIRST)[number]
  | (typeof FETCH)[number]
  | (typeof MIDDLE)[number]
  | (typeof PUSH_HOSTILE)[number]
  | (typeof PUBSUB_HOSTILE)[number]
  | (typeof LAST)[number];

/** The names of a profile's checks, in catalogue order. */
export const RECEIVER_CHECK_NAMES: Readonly<Record<ReceiverProfile, readonly ReceiverCheckName[]>> = {
  'recipient-push': [...FIRST, ...MIDDLE, ...PUSH_HOSTILE, ...LAST],
  'recipient-pubsub': [...FIRST, ...FETCH, ...MIDDLE, ...PUBSUB_HOSTILE, ...LAST],
};

/** The ids of a profile's checks, in catalogue order: `recipient-push.memo.once`. */
export function receiverCheckIds(profile: ReceiverProfile): string[] {
  return RECEIVER_CHECK_NAMES[profile].map((name) => `${profile}.${name}`);
}
