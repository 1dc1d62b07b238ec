/**
 * Each broken recipient adapter (broken-recipients.ts), the profiles it plays, the scenarios that
 * show its mistake, and exactly the checks it must fail there — every other check those scenarios
 * judge must hold. Together they make every check of the recipient-push and recipient-pubsub
 * catalogues fail at least once (conformance/catalogue.test.ts holds this table to it).
 */
import type { ReceiverCheckName, ReceiverProfile } from '../../../conformance/checks/receiver/ids.ts';

export interface BrokenRecipientCase {
  kind: string;
  /** The mistake, in words. */
  mistake: string;
  profiles: ReceiverProfile[];
  scenarios: string[];
  /** The checks it fails, by name within the profile; by profile where they differ. */
  fails: ReceiverCheckName[] | Partial<Record<ReceiverProfile, ReceiverCheckName[]>>;
  timeoutS?: number;
}

const BOTH: ReceiverProfile[] = ['recipient-push', 'recipient-pubsub'];

export const BROKEN_RECIPIENT_CASES: BrokenRecipientCase[] = [
  {
    kind: 'takes-garbage',
    mistake: 'takes whatever comes as a valid MeMo, unread',
    profiles: BOTH,
    scenarios: ['invalid-memos', 'hostile'],
    fails: {
      'recipient-push': [
        'invalid.not-accepted',
        'invalid.refused',
        'hostile.garbage',
        'hostile.filename-mismatch',
      ],
      'recipient-pubsub': ['invalid.not-accepted', 'invalid.refused'],
    },
  },
  {
    kind: 'errors-on-refusals',
    mistake: 'answers 500 where it should refuse with a 4xx',
    profiles: BOTH,
    scenarios: ['hostile'],
    fails: {
      'recipient-push': ['hostile.missing-part', 'hostile.oversized', 'hostile.content-type'],
      'recipient-pubsub': [
        'hostile.garbage',
        'hostile.not-a-uuid',
        'hostile.oversized',
        'hostile.content-type',
      ],
    },
  },
  {
    kind: 'fails-first-delivery',
    mistake: 'answers 500 to the first delivery of each valid MeMo',
    profiles: BOTH,
    scenarios: ['everyday'],
    fails: ['answer.success'],
  },
  {
    kind: 'takes-twice',
    mistake: 'forgets what it took: a repeated delivery is taken again',
    profiles: BOTH,
    scenarios: ['redelivered'],
    fails: ['memo.once', 'redelivery.once'],
  },
  {
    kind: 'no-receipts',
    mistake: 'never sends business receipts',
    profiles: BOTH,
    scenarios: ['everyday', 'invalid-memos'],
    fails: ['receipt.given', 'invalid.refused'],
    timeoutS: 6,
  },
  {
    kind: 'no-receipt-retry',
    mistake: 'sends each business receipt once, and drops it when NgDP refuses it',
    profiles: BOTH,
    scenarios: ['receipt-refused'],
    fails: ['receipt.given', 'receipt.resent'],
    timeoutS: 8,
  },
  {
    kind: 'slow',
    mistake: 'takes 31 s over its first MeMo before answering',
    profiles: BOTH,
    scenarios: ['everyday'],
    fails: ['answer.timely', 'answer.quick'],
    timeoutS: 60,
  },
  {
    kind: 'sluggish',
    mistake: 'takes 6 s over its first MeMo before answering',
    profiles: BOTH,
    scenarios: ['everyday'],
    fails: ['answer.quick'],
  },
  {
    kind: 'rejects-valid',
    mistake: 'refuses valid MeMos with INVALID receipts and reports them REJECTED',
    profiles: BOTH,
    scenarios: ['everyday'],
    fails: ['memo.taken', 'receipt.completed'],
  },
  {
    kind: 'wrong-hash',
    mistake: 'reports the SHA-256 of the file it stored, a newline added, not of the bytes delivered',
    profiles: BOTH,
    scenarios: ['everyday'],
    fails: ['memo.sha256'],
  },
  {
    kind: 'nine-attachments',
    mistake: 'takes at most nine attachments',
    profiles: BOTH,
    scenarios: ['ten-attachments'],
    fails: ['memo.taken', 'memo.attachments', 'receipt.completed'],
    timeoutS: 5,
  },
  {
    kind: 'small-limit',
    mistake: 'refuses MeMos over 20 MiB',
    profiles: BOTH,
    scenarios: ['large'],
    fails: ['memo.taken', 'memo.large', 'answer.success'],
    timeoutS: 10,
  },
  {
    kind: 'garbled-report',
    mistake: 'writes a report line that is not the protocol’s',
    profiles: BOTH,
    scenarios: ['everyday'],
    fails: ['report.well-formed'],
  },
  {
    kind: 'reports-stranger',
    mistake: 'reports a MeMo NgDP never delivered',
    profiles: BOTH,
    scenarios: ['everyday'],
    fails: ['report.known-messages'],
  },
  {
    kind: 'crashes-on-wrong-type',
    mistake: 'exits on a request of another content type',
    profiles: BOTH,
    scenarios: ['hostile'],
    fails: ['hostile.content-type', 'receiver.alive'],
  },
  {
    kind: 'key-in-query',
    mistake: 'puts the API key in the query string too',
    profiles: BOTH,
    scenarios: ['everyday'],
    fails: ['auth.header-only'],
  },
  {
    kind: 'unauthenticated-call',
    mistake: 'calls NgDP once without its API key',
    profiles: BOTH,
    scenarios: ['everyday'],
    fails: ['auth.accepted'],
  },
  {
    kind: 'fetch-storm',
    mistake: 'fetches each notified MeMo six times',
    profiles: ['recipient-pubsub'],
    scenarios: ['everyday'],
    fails: ['fetch.no-storm'],
  },
  {
    kind: 'never-fetches',
    mistake: 'answers and confirms a notification without fetching the MeMo',
    profiles: ['recipient-pubsub'],
    scenarios: ['everyday'],
    fails: ['fetch.fetched', 'memo.sha256'],
  },
  {
    kind: 'errors-on-repeats',
    mistake: 'fails a repeated delivery (a unique key that says no) instead of answering it 2xx',
    profiles: BOTH,
    scenarios: ['redelivered'],
    fails: ['answer.success', 'redelivery.answered'],
  },
  {
    kind: 'refetches-missing',
    mistake: 'fetches a MeMo NgDP cannot serve six times in a row',
    profiles: ['recipient-pubsub'],
    scenarios: ['hostile'],
    fails: ['hostile.unknown-id'],
  },
];

/** The ids `brokenCase` must fail under `profile`, sorted. */
export function expectedFailures(brokenCase: BrokenRecipientCase, profile: ReceiverProfile): string[] {
  const names = Array.isArray(brokenCase.fails) ? brokenCase.fails : (brokenCase.fails[profile] ?? []);
  return names.map((name) => `${profile}.${name}`).sort();
}
