/**
 * The ids of the sender profile's checks, in catalogue order: stable names vendors put in their
 * expected-failures files and CI logs. Rename one only with a changelog entry.
 */
export const SENDER_CHECK_IDS = [
  // The adapter and its report (the suite's protocol)
  'sender.adapter.exit-zero',
  'sender.adapter.within-deadline',
  'sender.report.well-formed',
  'sender.report.every-letter',
  'sender.report.message-uuid',
  // Letters and MeMos
  'sender.letters.each-sent',
  'sender.letters.exactly-once',
  'sender.letters.unique-uuid',
  'sender.letters.no-stray',
  'sender.memo.valid',
  'sender.memo.parties',
  'sender.memo.documents',
  'sender.memo.label',
  'sender.send.request',
  // Retries
  'sender.retry.same-uuid',
  'sender.retry.same-bytes',
  'sender.retry.original-receipt',
  'sender.retry.honours-retry-after',
  'sender.retry.bounded',
  'sender.retry.gives-up',
  // Business receipts and outcomes
  'sender.receipts.polled',
  'sender.receipts.followed',
  'sender.receipts.acknowledged',
  'sender.receipts.push-answered',
  'sender.receipts.push-idempotent',
  'sender.outcome.delivered',
  'sender.outcome.not-delivered',
  'sender.outcome.invalid',
  'sender.outcome.recalled',
  'sender.outcome.error-code',
  // Value dates and recall
  'sender.value-date.as-requested',
  'sender.value-date.only-when-asked',
  'sender.value-date.date-only',
  'sender.value-date.within-horizon',
  'sender.recall.when-asked',
  'sender.recall.only-when-asked',
  'sender.recall.lost-answer',
  // Credentials and traffic
  'sender.auth.header-only',
  'sender.auth.accepted',
  'sender.rate.polling',
] as const;

export type SenderCheckId = (typeof SENDER_CHECK_IDS)[number];
