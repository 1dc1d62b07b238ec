/**
 * The ids of the sender-sftp profile's checks, in catalogue order: stable names vendors put in
 * their expected-failures files and CI logs. Rename one only with a changelog entry.
 */
export const SFTP_CHECK_IDS = [
  // The adapter and its report (the suite's protocol)
  'sender-sftp.adapter.exit-zero',
  'sender-sftp.adapter.within-deadline',
  'sender-sftp.report.well-formed',
  'sender-sftp.report.every-letter',
  'sender-sftp.report.message-uuid',
  // Letters and MeMos
  'sender-sftp.letters.each-sent',
  'sender-sftp.letters.exactly-once',
  'sender-sftp.letters.unique-uuid',
  'sender-sftp.letters.no-stray',
  'sender-sftp.memo.valid',
  'sender-sftp.memo.parties',
  'sender-sftp.memo.documents',
  'sender-sftp.memo.label',
  // Uploads
  'sender-sftp.upload.temp-name',
  'sender-sftp.upload.readable',
  'sender-sftp.upload.entries-named',
  'sender-sftp.upload.no-resend',
  'sender-sftp.upload.cleans-up',
  'sender-sftp.upload.inside-layout',
  // Dropped connections and refusals
  'sender-sftp.retry.resumes',
  'sender-sftp.retry.lost-answer',
  'sender-sftp.retry.after-refusal',
  'sender-sftp.retry.backs-off',
  'sender-sftp.retry.bounded',
  'sender-sftp.retry.gives-up',
  // Receipt files, error files and outcomes
  'sender-sftp.receipts.listed',
  'sender-sftp.receipts.followed',
  'sender-sftp.receipts.removed',
  'sender-sftp.errors.read',
  'sender-sftp.errors.removed',
  'sender-sftp.outcome.delivered',
  'sender-sftp.outcome.not-delivered',
  'sender-sftp.outcome.invalid',
  'sender-sftp.outcome.error-code',
  // Value dates
  'sender-sftp.value-date.as-requested',
  'sender-sftp.value-date.only-when-asked',
  'sender-sftp.value-date.date-only',
  'sender-sftp.value-date.within-horizon',
  // Logins and traffic
  'sender-sftp.auth.key-only',
  'sender-sftp.auth.accepted',
  'sender-sftp.rate.sessions',
  'sender-sftp.rate.listing',
] as const;

export type SftpCheckId = (typeof SFTP_CHECK_IDS)[number];
