/**
 * Each broken sender (broken-senders.ts), the scenarios that show its mistake, and exactly the
 * checks it must fail there — every other check those scenarios judge must hold. Together they
 * make every check of the sender catalogue fail at least once: a check no broken adapter can make
 * fail is not yet a check (conformance/catalogue.test.ts holds this table to it).
 */
import type { SenderCheckId } from '../../../conformance/checks/sender/ids.ts';

export interface BrokenCase {
  kind: string;
  /** The mistake, in words. */
  mistake: string;
  scenarios: string[];
  fails: SenderCheckId[];
  /** Receipts pushed to the adapter's endpoint instead of pulled. */
  push?: boolean;
  timeoutS?: number;
}

/** Mistakes in sending: MeMos, messageUUIDs, retries, requests. */
export const SENDING_CASES: BrokenCase[] = [
  {
    kind: 'new-uuid-on-lost-answer',
    mistake: 'retries a lost answer under a new messageUUID',
    scenarios: ['lost-answer-after', 'lost-answer-before'],
    fails: ['sender.retry.same-uuid', 'sender.letters.exactly-once'],
  },
  {
    kind: 'reserializes-on-retry',
    mistake: 'builds the MeMo again for a retry (same messageUUID, other bytes)',
    scenarios: ['lost-answer-after', 'lost-answer-before'],
    fails: ['sender.retry.same-bytes'],
  },
  {
    kind: 'fails-after-lost-answer',
    mistake: 'meets the original receipt on its retry and still reports the letter FAILED',
    scenarios: ['lost-answer-after'],
    fails: ['sender.retry.original-receipt', 'sender.outcome.delivered'],
  },
  {
    kind: 'duplicate-as-failure',
    mistake: 'takes the 409 DUPLICATE_MESSAGE_UUID its resend meets for a refusal',
    scenarios: ['resend-answered-409'],
    fails: ['sender.retry.original-receipt', 'sender.outcome.delivered'],
  },
  {
    kind: 'ignores-retry-after',
    mistake: 'tries again at once after a 503',
    scenarios: ['service-unavailable'],
    fails: ['sender.retry.honours-retry-after'],
  },
  {
    kind: 'retries-too-long',
    mistake: 'tries a letter twelve times under an outage',
    scenarios: ['outage'],
    fails: ['sender.retry.bounded'],
  },
  {
    kind: 'gives-up-silently',
    mistake: 'reports letters it could not send PENDING instead of FAILED',
    scenarios: ['outage'],
    fails: ['sender.retry.gives-up'],
  },
  {
    kind: 'skips-company-letters',
    mistake: 'never sends letters to companies',
    scenarios: ['everyday'],
    fails: ['sender.letters.each-sent'],
  },
  {
    kind: 'uuid-from-ref',
    mistake: 'derives the messageUUID from the letter’s reference, so it repeats across scenarios',
    scenarios: ['everyday', 'negative-receipts'],
    fails: ['sender.letters.unique-uuid'],
  },
  {
    kind: 'sends-a-test-letter',
    mistake: 'sends a connection-test letter of its own',
    scenarios: ['everyday'],
    fails: ['sender.letters.no-stray'],
  },
  {
    kind: 'invalid-memo',
    mistake: 'sends a notification longer than MeMo allows, unchecked',
    scenarios: ['everyday'],
    fails: ['sender.memo.valid'],
  },
  {
    kind: 'wrong-sender-label',
    mistake: 'names the sender by another name',
    scenarios: ['everyday'],
    fails: ['sender.memo.parties'],
  },
  {
    kind: 'renames-attachments',
    mistake: 'renames the attachments',
    scenarios: ['everyday'],
    fails: ['sender.memo.documents'],
  },
  {
    kind: 'generic-label',
    mistake: 'gives every letter the same label',
    scenarios: ['everyday'],
    fails: ['sender.memo.label'],
  },
  {
    kind: 'bad-first-request',
    mistake: 'sends once with a memo-message-uuid that is not the MeMo’s',
    scenarios: ['everyday'],
    fails: ['sender.send.request'],
  },
];

/** Mistakes with receipts and outcomes. */
export const RECEIPT_CASES: BrokenCase[] = [
  {
    kind: 'never-fetches-receipts',
    mistake: 'never asks NgDP for business receipts',
    scenarios: ['everyday'],
    fails: ['sender.receipts.polled'],
  },
  {
    kind: 'stops-following-early',
    mistake: 'polls once and gives up on receipts that came later',
    scenarios: ['value-date'],
    fails: ['sender.receipts.followed'],
  },
  {
    kind: 'never-acks',
    mistake: 'never acknowledges the receipts it handled',
    scenarios: ['everyday'],
    fails: ['sender.receipts.acknowledged'],
  },
  {
    kind: 'hammers',
    mistake: 'polls for receipts in a tight loop while they are slow',
    scenarios: ['slow-receipts'],
    fails: ['sender.rate.polling'],
  },
  {
    kind: 'receiver-errors',
    mistake: 'its receipt endpoint fails each receipt’s first delivery',
    scenarios: ['everyday'],
    fails: ['sender.receipts.push-answered'],
    push: true,
  },
  {
    kind: 'refuses-repeated-receipt',
    mistake: 'its receipt endpoint refuses a receipt delivered again',
    scenarios: ['pushed-receipts'],
    fails: ['sender.receipts.push-idempotent'],
    push: true,
  },
  {
    kind: 'not-allowed-as-delivered',
    mistake: 'reports NOT_ALLOWED receipts as DELIVERED',
    scenarios: ['negative-receipts'],
    fails: ['sender.outcome.not-delivered'],
  },
  {
    kind: 'completed-as-not-delivered',
    mistake: 'reports COMPLETED receipts as NOT_DELIVERED',
    scenarios: ['everyday'],
    fails: ['sender.outcome.delivered'],
  },
  {
    kind: 'invalid-as-failed',
    mistake: 'reports INVALID receipts as FAILED',
    scenarios: ['invalid-receipt'],
    fails: ['sender.outcome.invalid'],
  },
  {
    kind: 'drops-error-code',
    mistake: 'leaves NgDP’s errorCode out of its report',
    scenarios: ['negative-receipts'],
    fails: ['sender.outcome.error-code'],
  },
];

/** Mistakes with value dates and recalls, the protocol, credentials. */
export const OTHER_CASES: BrokenCase[] = [
  {
    kind: 'time-of-day',
    mistake: 'writes a time of day into the value date',
    scenarios: ['value-date'],
    fails: ['sender.value-date.date-only', 'sender.memo.valid'],
  },
  {
    kind: 'zoned-value-date',
    mistake: 'writes a time zone into the value date',
    scenarios: ['value-date'],
    fails: ['sender.value-date.date-only'],
  },
  {
    kind: 'value-date-off-by-one',
    mistake: 'turns the Danish date into UTC and back, a day early',
    scenarios: ['value-date'],
    fails: ['sender.value-date.as-requested'],
  },
  {
    kind: 'always-value-date',
    mistake: 'gives letters without a value date one, two days ahead',
    scenarios: ['value-date'],
    fails: ['sender.value-date.only-when-asked'],
  },
  {
    kind: 'sends-beyond-horizon',
    mistake: 'sends a value date eight days ahead',
    scenarios: ['value-date-beyond-horizon'],
    fails: ['sender.value-date.within-horizon'],
  },
  {
    kind: 'never-recalls',
    mistake: 'ignores recall requests',
    scenarios: ['recall'],
    fails: ['sender.recall.when-asked'],
  },
  {
    kind: 'recalls-every-dated',
    mistake: 'recalls every value-dated letter',
    scenarios: ['recall'],
    fails: ['sender.recall.only-when-asked'],
  },
  {
    kind: 'recall-once',
    mistake: 'takes a recall whose answer was lost as done',
    scenarios: ['recall-lost-answer'],
    fails: ['sender.recall.lost-answer'],
  },
  {
    kind: 'recall-as-delivered',
    mistake: 'reports a recalled letter DELIVERED',
    scenarios: ['recall'],
    fails: ['sender.outcome.recalled'],
  },
  {
    kind: 'api-key-in-query',
    mistake: 'puts the API key in the query string too',
    scenarios: ['everyday'],
    fails: ['sender.auth.header-only'],
  },
  {
    kind: 'unauthenticated-health-check',
    mistake: 'calls NgDP once without its API key',
    scenarios: ['everyday'],
    fails: ['sender.auth.accepted'],
  },
  {
    kind: 'crashes-at-end',
    mistake: 'exits with status 3 after reporting',
    scenarios: ['everyday'],
    fails: ['sender.adapter.exit-zero'],
  },
  {
    kind: 'overstays',
    mistake: 'does not exit after reporting',
    scenarios: ['lost-answer-before'],
    fails: ['sender.adapter.within-deadline'],
    timeoutS: 15,
  },
  {
    kind: 'garbled-report',
    mistake: 'writes a report line for a letter the scenario does not have',
    scenarios: ['everyday'],
    fails: ['sender.report.well-formed'],
  },
  {
    kind: 'forgets-a-letter',
    mistake: 'never reports the last letter',
    scenarios: ['everyday'],
    fails: ['sender.report.every-letter'],
  },
  {
    kind: 'reports-wrong-uuid',
    mistake: 'reports a messageUUID NgDP does not hold',
    scenarios: ['everyday'],
    fails: ['sender.report.message-uuid'],
  },
];

export const BROKEN_CASES: BrokenCase[] = [...SENDING_CASES, ...RECEIPT_CASES, ...OTHER_CASES];
