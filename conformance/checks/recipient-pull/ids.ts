/**
 * The ids of the recipient-pull profile's checks, in catalogue order: stable names vendors put in
 * their expected-failures files and CI logs. Rename one only with a changelog entry.
 */
export const RECIPIENT_PULL_CHECK_IDS = [
  // The adapter and its report (the suite's protocol)
  'recipient-pull.adapter.keeps-running',
  'recipient-pull.report.well-formed',
  'recipient-pull.report.offered-memo',
  'recipient-pull.report.sha256',
  'recipient-pull.report.matches-receipt',
  // Taking MeMos in
  'recipient-pull.memos.every-taken',
  'recipient-pull.memos.exactly-once',
  'recipient-pull.memos.ordinary',
  'recipient-pull.memos.features',
  'recipient-pull.memos.xml-forms',
  'recipient-pull.memos.ten-attachments',
  'recipient-pull.memos.large',
  'recipient-pull.memos.prompt',
  // Invalid MeMos
  'recipient-pull.invalid.never-accepted',
  'recipient-pull.invalid.refused',
  // Business receipts
  'recipient-pull.receipts.each',
  'recipient-pull.receipts.after-fetch',
  'recipient-pull.receipts.accepted',
  'recipient-pull.receipts.resent',
  'recipient-pull.receipts.already-given',
  'recipient-pull.receipts.bounded',
  // Lost answers and unavailability
  'recipient-pull.cut.fetch',
  'recipient-pull.cut.list',
  'recipient-pull.retry.honours-retry-after',
  'recipient-pull.retry.resumes',
  // Credentials and traffic
  'recipient-pull.fetch.bounded',
  'recipient-pull.auth.header-only',
  'recipient-pull.auth.accepted',
  'recipient-pull.rate.polling',
  'recipient-pull.rate.idle',
] as const;

export type RecipientPullCheckId = (typeof RECIPIENT_PULL_CHECK_IDS)[number];
