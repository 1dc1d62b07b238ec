/**
 * The recipient-pull profile's scenarios. They play one after another against one continuing
 * state — the vendor's system polls throughout — and each puts its MeMos in the system's queue:
 * ordinary letters, every MeMo feature, other XML forms, ten attachments, 50 MB, invalid MeMos, a
 * busy queue over several pages; and NgDP misbehaves as scripted: answers cut after the work was
 * done (list, fetch, receipt), 503s with Retry-After, an outage, a quiet spell before a value-dated
 * letter falls due.
 */
import type { RecipientPullCheckId } from '../checks/recipient-pull/ids.ts';
import type { RecipientObservation } from '../evidence/recipient.ts';
import { RECIPIENT_OPERATIONS, RETRY_AFTER_S, type RecipientScenario } from '../runner/recipient-session.ts';
import type { MemoKind } from './recipient-memos.ts';

export interface PullScenario extends RecipientScenario {
  judges: readonly RecipientPullCheckId[];
}

export type PullObservation = RecipientObservation<PullScenario>;

/** Judged in every scenario: whatever the scenario's MeMos, these can go wrong anywhere (chaos cuts answers anywhere). */
const EVERY: readonly RecipientPullCheckId[] = [
  'recipient-pull.adapter.keeps-running',
  'recipient-pull.report.well-formed',
  'recipient-pull.report.offered-memo',
  'recipient-pull.report.sha256',
  'recipient-pull.report.matches-receipt',
  'recipient-pull.memos.every-taken',
  'recipient-pull.memos.exactly-once',
  'recipient-pull.memos.ordinary',
  'recipient-pull.memos.prompt',
  'recipient-pull.receipts.each',
  'recipient-pull.receipts.after-fetch',
  'recipient-pull.receipts.accepted',
  'recipient-pull.receipts.resent',
  'recipient-pull.receipts.already-given',
  'recipient-pull.receipts.bounded',
  'recipient-pull.cut.fetch',
  'recipient-pull.cut.list',
  'recipient-pull.retry.honours-retry-after',
  'recipient-pull.fetch.bounded',
  'recipient-pull.auth.header-only',
  'recipient-pull.auth.accepted',
  'recipient-pull.rate.polling',
];
const INVALID: readonly RecipientPullCheckId[] = [
  'recipient-pull.invalid.never-accepted',
  'recipient-pull.invalid.refused',
];

const DEADLINE_MS = 15_000;
const letters = (count: number): MemoKind[] => Array.from({ length: count }, () => 'letter-1.2');
const { list, fetch, receipt } = RECIPIENT_OPERATIONS;

export const RECIPIENT_PULL_SCENARIOS: readonly PullScenario[] = [
  {
    id: 'first-post',
    title: 'Three ordinary letters arrive: MeMo 1.2, MeMo 1.1, and one with two attachments',
    judges: EVERY,
    deadlineMs: DEADLINE_MS,
    memos: ['letter-1.2', 'letter-1.1', 'letter-attachments'],
  },
  {
    id: 'every-feature',
    title:
      'Valid MeMos using every optional part of MeMo 1.1 and 1.2, the same letter written seven XML ways (byte order mark, other prefix, default namespace, CRLF, line-broken base64, CDATA, character references), and ten attachments',
    judges: [
      ...EVERY,
      'recipient-pull.memos.features',
      'recipient-pull.memos.xml-forms',
      'recipient-pull.memos.ten-attachments',
    ],
    deadlineMs: DEADLINE_MS,
    memos: [
      'rich-1.2',
      'rich-1.1',
      'forward',
      'technical-documents',
      'mandatory-legal',
      'bom',
      'other-prefix',
      'default-namespace',
      'indented-crlf',
      'base64-lines',
      'cdata',
      'character-references',
      'ten-attachments',
    ],
  },
  {
    id: 'large',
    title: 'A MeMo of 50 MB beside an ordinary letter',
    judges: [...EVERY, 'recipient-pull.memos.large'],
    deadlineMs: 40_000,
    memos: ['large', 'letter-1.2'],
  },
  {
    id: 'invalid-memos',
    title:
      'MeMos NgDP would never pass on, handed over unchecked: not XML, cut off, not a MeMo, against the schema, a 7-digit CVR, eleven attachments, an http:// link, another messageUUID — beside a valid letter',
    judges: [...EVERY, ...INVALID],
    deadlineMs: DEADLINE_MS,
    memos: [
      'not-xml',
      'truncated',
      'not-memo',
      'schema-invalid',
      'bad-recipient-id',
      'eleven-attachments',
      'http-action',
      'uuid-mismatch',
      'letter-1.2',
    ],
  },
  {
    id: 'cut-answers',
    title:
      'The answers to two fetches and two list requests are lost after NgDP did the work, and one list request’s connection closes before NgDP reads it',
    judges: EVERY,
    deadlineMs: DEADLINE_MS,
    faults: [
      { operation: fetch, drop: 'AFTER', times: 2 },
      { operation: list, drop: 'AFTER', times: 2 },
      { operation: list, drop: 'BEFORE', times: 1 },
    ],
    memos: letters(3),
  },
  {
    id: 'receipt-trouble',
    title:
      'NgDP takes a business receipt and its answer is lost, closes the next connection before reading it, then answers two 503 with Retry-After',
    judges: EVERY,
    deadlineMs: DEADLINE_MS,
    faults: [
      { operation: receipt, drop: 'AFTER', times: 1 },
      { operation: receipt, drop: 'BEFORE', times: 1 },
      { operation: receipt, status: 503, retryAfter: RETRY_AFTER_S, times: 2 },
    ],
    memos: letters(3),
  },
  {
    id: 'outage',
    title:
      'NgDP answers every call 503 with Retry-After for two seconds while post arrives, then recovers — but for one more 503 to a fetch',
    judges: [...EVERY, 'recipient-pull.retry.resumes'],
    deadlineMs: 25_000,
    outageMs: 2_000,
    faults: [{ operation: fetch, status: 503, retryAfter: RETRY_AFTER_S, times: 1 }],
    memos: letters(2),
  },
  {
    id: 'quiet-then-late',
    title:
      'Nothing arrives for three seconds (the queue stays empty); then a value-dated letter falls due and must be taken promptly',
    judges: [...EVERY, 'recipient-pull.memos.features', 'recipient-pull.rate.idle'],
    deadlineMs: 20_000,
    quietMs: 3_000,
    memos: ['value-dated'],
  },
  {
    id: 'busy',
    title: 'Twenty-four MeMos at once, over several pages of the list, two of them invalid',
    judges: [...EVERY, ...INVALID, 'recipient-pull.memos.ten-attachments'],
    deadlineMs: 20_000,
    memos: [
      ...letters(10),
      'not-memo',
      'letter-attachments',
      'letter-1.1',
      'ten-attachments',
      ...letters(8),
      'schema-invalid',
      'letter-1.2',
    ],
  },
];
