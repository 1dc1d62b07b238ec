/**
 * Each broken PULL recipient (broken-pull-recipients.ts), the scenarios that show its mistake, and
 * exactly the checks it must fail there — every other check those scenarios judge must hold. They
 * run with chaos off, so that the suite's random cuts and 503s cannot add failures of their own.
 * Together they make every check of the recipient-pull catalogue fail at least once
 * (conformance/recipient-pull-catalogue.test.ts holds this table to it).
 */
import type { RecipientPullCheckId } from '../../../conformance/checks/recipient-pull/ids.ts';

export interface BrokenPullCase {
  kind: string;
  /** The mistake, in words. */
  mistake: string;
  scenarios: string[];
  fails: RecipientPullCheckId[];
}

export const BROKEN_PULL_CASES: BrokenPullCase[] = [
  {
    kind: 'never-receipts',
    mistake: 'never gives NgDP a business receipt',
    scenarios: ['invalid-memos'],
    fails: ['recipient-pull.receipts.each', 'recipient-pull.invalid.refused'],
  },
  {
    kind: 'twice-after-cut',
    mistake: 'takes a MeMo again when the answer to its receipt is lost',
    scenarios: ['receipt-trouble'],
    fails: ['recipient-pull.memos.exactly-once'],
  },
  {
    kind: 'loses-cut-fetch',
    mistake: 'marks a MeMo seen before fetching it, so a fetch whose answer is lost loses it',
    scenarios: ['cut-answers'],
    fails: ['recipient-pull.cut.fetch', 'recipient-pull.memos.every-taken', 'recipient-pull.memos.ordinary'],
  },
  {
    kind: 'stops-after-list-error',
    mistake: 'stops polling after a list request fails',
    scenarios: ['cut-answers'],
    fails: ['recipient-pull.cut.list', 'recipient-pull.memos.every-taken', 'recipient-pull.memos.ordinary'],
  },
  {
    kind: 'accepts-invalid',
    mistake: 'takes every MeMo as valid, unchecked',
    scenarios: ['invalid-memos'],
    fails: ['recipient-pull.invalid.never-accepted', 'recipient-pull.invalid.refused'],
  },
  {
    kind: 'hammers',
    mistake: 'polls the list in a tight loop',
    scenarios: ['first-post', 'quiet-then-late'],
    fails: ['recipient-pull.rate.polling', 'recipient-pull.rate.idle'],
  },
  {
    kind: 'polls-often-when-idle',
    mistake: 'polls every 300 ms however long nothing comes',
    // first-post first: the adapter is up and polling before the quiet spell starts.
    scenarios: ['first-post', 'quiet-then-late'],
    fails: ['recipient-pull.rate.idle'],
  },
  {
    kind: 'holds-new-memos',
    mistake: 'leaves a MeMo in the queue for 11 s before taking it',
    scenarios: ['first-post'],
    fails: ['recipient-pull.memos.prompt'],
  },
  {
    kind: 'waits-long-after-error',
    mistake: 'waits 15 s after a failed list request',
    scenarios: ['outage'],
    fails: ['recipient-pull.retry.resumes'],
  },
  {
    kind: 'ignores-retry-after',
    mistake: 'meets a 503 with an immediate retry',
    scenarios: ['outage'],
    fails: ['recipient-pull.retry.honours-retry-after'],
  },
  {
    kind: 'never-resends-receipt',
    mistake: 'sends each business receipt once, whatever NgDP answers',
    scenarios: ['receipt-trouble'],
    fails: ['recipient-pull.receipts.resent', 'recipient-pull.receipts.each'],
  },
  {
    kind: 'sends-receipt-ten-times',
    mistake: 'sends each business receipt ten times',
    scenarios: ['first-post'],
    fails: ['recipient-pull.receipts.already-given', 'recipient-pull.receipts.bounded'],
  },
  {
    kind: 'api-key-in-query',
    mistake: 'puts the API key in the query string too',
    scenarios: ['first-post'],
    fails: ['recipient-pull.auth.header-only'],
  },
  {
    kind: 'unauthenticated-probe',
    mistake: 'lists the queue once without its API key',
    scenarios: ['first-post'],
    fails: ['recipient-pull.auth.accepted'],
  },
  {
    kind: 'hashes-text',
    mistake: 'hashes the MeMo as text, without its byte order mark and with LF line ends',
    scenarios: ['every-feature'],
    fails: ['recipient-pull.report.sha256'],
  },
  {
    kind: 'garbled-report',
    mistake: 'writes a line of its own into the report',
    scenarios: ['first-post'],
    fails: ['recipient-pull.report.well-formed'],
  },
  {
    kind: 'reports-header-uuid',
    mistake: 'reports the messageUUID in the MeMo’s header instead of the one it was offered under',
    scenarios: ['invalid-memos'],
    fails: ['recipient-pull.report.offered-memo', 'recipient-pull.memos.every-taken'],
  },
  {
    kind: 'rejects-large',
    mistake: 'refuses MeMos over 10 MB',
    scenarios: ['large'],
    fails: ['recipient-pull.memos.large'],
  },
  {
    kind: 'rejects-many-attachments',
    mistake: 'refuses MeMos with more than five attachments',
    scenarios: ['every-feature'],
    fails: ['recipient-pull.memos.ten-attachments'],
  },
  {
    kind: 'strict-reader',
    mistake: 'reads MeMos by matching text: a byte order mark or another prefix throws it',
    scenarios: ['every-feature'],
    fails: ['recipient-pull.memos.xml-forms'],
  },
  {
    kind: 'rejects-unknown-parts',
    mistake: 'refuses MeMos with forwarding data or reservations',
    scenarios: ['every-feature'],
    fails: ['recipient-pull.memos.features'],
  },
  {
    kind: 'reports-before-checking',
    mistake: 'reports each MeMo ACCEPTED before it checks it',
    scenarios: ['invalid-memos'],
    fails: ['recipient-pull.report.matches-receipt', 'recipient-pull.invalid.never-accepted'],
  },
  {
    kind: 'completes-before-fetching',
    mistake: 'completes each MeMo it finds listed before fetching it',
    scenarios: ['first-post'],
    fails: ['recipient-pull.receipts.after-fetch'],
  },
  {
    kind: 'bad-receipt-status',
    mistake: 'tries the receipt status RECEIVED first',
    scenarios: ['first-post'],
    fails: ['recipient-pull.receipts.accepted'],
  },
  {
    kind: 'exits-when-idle',
    mistake: 'exits once it has found nothing for two seconds',
    scenarios: ['first-post', 'quiet-then-late'],
    fails: [
      'recipient-pull.adapter.keeps-running',
      'recipient-pull.memos.every-taken',
      'recipient-pull.memos.features',
    ],
  },
  {
    kind: 'fetch-storm',
    mistake: 'fetches each MeMo four times',
    scenarios: ['first-post'],
    fails: ['recipient-pull.fetch.bounded'],
  },
];
