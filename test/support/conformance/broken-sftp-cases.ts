/**
 * Each broken SFTP sender (broken-sftp-senders.ts), the scenarios that show its mistake, and exactly
 * the checks it must fail there — every other check those scenarios judge must hold. Together they
 * make every check of the sender-sftp catalogue fail at least once
 * (conformance/catalogue-sftp.test.ts holds this table to it).
 */
import type { SftpCheckId } from '../../../conformance/checks/sender-sftp/ids.ts';

export interface BrokenSftpCase {
  kind: string;
  /** The mistake, in words. */
  mistake: string;
  scenarios: string[];
  fails: SftpCheckId[];
  timeoutS?: number;
}

/** Mistakes in uploading: names, containers, dropped connections, refusals. */
export const UPLOAD_CASES: BrokenSftpCase[] = [
  {
    kind: 'writes-final-name',
    mistake: 'writes each container straight under its final name',
    scenarios: ['everyday'],
    fails: ['sender-sftp.upload.temp-name'],
  },
  {
    kind: 'leaves-part-files',
    mistake: 'after a refused write, tries again under a new temporary name and leaves the old file',
    scenarios: ['refused-write'],
    fails: ['sender-sftp.upload.cleans-up'],
  },
  {
    kind: 'probes-root',
    mistake: 'writes a connection-test file at the top of its home',
    scenarios: ['everyday'],
    fails: ['sender-sftp.upload.inside-layout'],
  },
  {
    kind: 'sends-empty-container',
    mistake: 'uploads an empty container as a connection test',
    scenarios: ['everyday'],
    fails: ['sender-sftp.upload.readable'],
  },
  {
    kind: 'misnames-an-entry',
    mistake: 'names a container entry after another messageUUID than its MeMo’s',
    scenarios: ['everyday'],
    fails: [
      'sender-sftp.upload.entries-named',
      'sender-sftp.letters.each-sent',
      'sender-sftp.report.message-uuid',
    ],
  },
  {
    kind: 'no-journal',
    mistake:
      'keeps no journal: after a lost rename answer or a dropped connection it uploads what NgDP took again',
    scenarios: ['lost-rename-answer', 'dropped-mid-upload'],
    fails: ['sender-sftp.upload.no-resend'],
  },
  {
    kind: 'new-uuids-on-retry',
    mistake: 'builds its letters again under new messageUUIDs after a failed upload',
    scenarios: ['lost-rename-answer'],
    fails: ['sender-sftp.letters.exactly-once'],
  },
  {
    kind: 'gives-up-on-error',
    mistake: 'gives up at the first failed upload',
    scenarios: ['dropped-mid-upload', 'refused-rename'],
    fails: [
      'sender-sftp.retry.resumes',
      'sender-sftp.retry.after-refusal',
      'sender-sftp.letters.each-sent',
      'sender-sftp.upload.cleans-up',
    ],
  },
  {
    kind: 'lost-answer-as-failed',
    mistake: 'reports the letters of an upload whose rename answer was lost FAILED',
    scenarios: ['lost-rename-answer'],
    fails: ['sender-sftp.retry.lost-answer', 'sender-sftp.outcome.delivered'],
  },
  {
    kind: 'retries-at-once',
    mistake: 'tries again at once after a refusal',
    scenarios: ['refused-rename'],
    fails: ['sender-sftp.retry.backs-off'],
  },
  {
    kind: 'retries-too-long',
    mistake: 'tries an upload twelve times under a lasting refusal',
    scenarios: ['outage'],
    fails: ['sender-sftp.retry.bounded'],
  },
  {
    kind: 'gives-up-silently',
    mistake: 'reports letters it could not upload PENDING instead of FAILED',
    scenarios: ['outage'],
    fails: ['sender-sftp.retry.gives-up'],
  },
];

/** Mistakes with receipt and error files, outcomes and listings. */
export const RECEIPT_CASES: BrokenSftpCase[] = [
  {
    kind: 'ignores-error-files',
    mistake: 'never looks into /out/errors',
    scenarios: ['error-file'],
    fails: ['sender-sftp.errors.read', 'sender-sftp.errors.removed'],
  },
  {
    kind: 'keeps-error-files',
    mistake: 'reads the error files and leaves them',
    scenarios: ['error-file'],
    fails: ['sender-sftp.errors.removed'],
  },
  {
    kind: 'keeps-receipt-files',
    mistake: 'reads its receipt files and never removes them',
    scenarios: ['everyday'],
    fails: ['sender-sftp.receipts.removed'],
  },
  {
    kind: 'never-looks-for-receipts',
    mistake: 'never looks into /out/receipts',
    scenarios: ['everyday'],
    fails: ['sender-sftp.receipts.listed'],
  },
  {
    kind: 'stops-following-early',
    mistake: 'looks once and gives up on receipts that came later',
    scenarios: ['value-date'],
    fails: ['sender-sftp.receipts.followed'],
  },
  {
    kind: 'hammers',
    mistake: 'lists /out/receipts in a tight loop while the receipts are slow',
    scenarios: ['slow-receipts'],
    fails: ['sender-sftp.rate.listing'],
  },
  {
    kind: 'reconnects-every-look',
    mistake: 'opens a new connection for every look into /out/receipts',
    scenarios: ['slow-receipts'],
    fails: ['sender-sftp.rate.sessions'],
  },
  {
    kind: 'tries-password-first',
    mistake: 'tries a password before its key',
    scenarios: ['everyday'],
    fails: ['sender-sftp.auth.key-only', 'sender-sftp.auth.accepted'],
  },
  {
    kind: 'offers-another-key',
    mistake: 'offers another key of its machine before its own',
    scenarios: ['everyday'],
    fails: ['sender-sftp.auth.accepted'],
  },
  {
    kind: 'not-allowed-as-delivered',
    mistake: 'reports NOT_ALLOWED receipts as DELIVERED',
    scenarios: ['negative-receipts'],
    fails: ['sender-sftp.outcome.not-delivered'],
  },
  {
    kind: 'completed-as-not-delivered',
    mistake: 'reports COMPLETED receipts as NOT_DELIVERED',
    scenarios: ['everyday'],
    fails: ['sender-sftp.outcome.delivered'],
  },
  {
    kind: 'invalid-as-failed',
    mistake: 'reports INVALID receipts as FAILED',
    scenarios: ['invalid-receipt'],
    fails: ['sender-sftp.outcome.invalid'],
  },
  {
    kind: 'drops-error-code',
    mistake: 'leaves NgDP’s errorCode out of its report',
    scenarios: ['negative-receipts'],
    fails: ['sender-sftp.outcome.error-code'],
  },
];

/** Mistakes in the MeMos, value dates and the protocol. */
export const OTHER_CASES: BrokenSftpCase[] = [
  {
    kind: 'time-of-day',
    mistake: 'writes a time of day into the value date',
    scenarios: ['value-date'],
    fails: ['sender-sftp.value-date.date-only', 'sender-sftp.memo.valid'],
  },
  {
    kind: 'zoned-value-date',
    mistake: 'writes a time zone into the value date',
    scenarios: ['value-date'],
    fails: ['sender-sftp.value-date.date-only'],
  },
  {
    kind: 'value-date-off-by-one',
    mistake: 'turns the Danish date into UTC and back, a day early',
    scenarios: ['value-date'],
    fails: ['sender-sftp.value-date.as-requested'],
  },
  {
    kind: 'always-value-date',
    mistake: 'gives letters without a value date one, two days ahead',
    scenarios: ['value-date'],
    fails: ['sender-sftp.value-date.only-when-asked'],
  },
  {
    kind: 'sends-beyond-horizon',
    mistake: 'sends a value date eight days ahead',
    scenarios: ['value-date-beyond-horizon'],
    fails: ['sender-sftp.value-date.within-horizon'],
  },
  {
    kind: 'invalid-memo',
    mistake: 'sends a notification longer than MeMo allows, unchecked',
    scenarios: ['everyday'],
    fails: ['sender-sftp.memo.valid'],
  },
  {
    kind: 'wrong-sender-label',
    mistake: 'names the sender by another name',
    scenarios: ['everyday'],
    fails: ['sender-sftp.memo.parties'],
  },
  {
    kind: 'renames-attachments',
    mistake: 'renames the attachments',
    scenarios: ['everyday'],
    fails: ['sender-sftp.memo.documents'],
  },
  {
    kind: 'generic-label',
    mistake: 'gives every letter the same label',
    scenarios: ['everyday'],
    fails: ['sender-sftp.memo.label'],
  },
  {
    kind: 'uuid-from-ref',
    mistake: 'derives the messageUUID from the letter’s reference, so it repeats across scenarios',
    scenarios: ['everyday', 'negative-receipts'],
    fails: ['sender-sftp.letters.unique-uuid'],
  },
  {
    kind: 'sends-a-test-letter',
    mistake: 'sends a connection-test letter of its own',
    scenarios: ['everyday'],
    fails: ['sender-sftp.letters.no-stray'],
  },
  {
    kind: 'skips-company-letters',
    mistake: 'never sends letters to companies',
    scenarios: ['everyday'],
    fails: ['sender-sftp.letters.each-sent'],
  },
  {
    kind: 'crashes-at-end',
    mistake: 'exits with status 3 after reporting',
    scenarios: ['everyday'],
    fails: ['sender-sftp.adapter.exit-zero'],
  },
  {
    kind: 'overstays',
    mistake: 'does not exit after reporting',
    scenarios: ['refused-write'],
    fails: ['sender-sftp.adapter.within-deadline'],
    timeoutS: 15,
  },
  {
    kind: 'garbled-report',
    mistake: 'writes a report line for a letter the scenario does not have',
    scenarios: ['everyday'],
    fails: ['sender-sftp.report.well-formed'],
  },
  {
    kind: 'forgets-a-letter',
    mistake: 'never reports the last letter',
    scenarios: ['everyday'],
    fails: ['sender-sftp.report.every-letter'],
  },
  {
    kind: 'reports-wrong-uuid',
    mistake: 'reports a messageUUID NgDP does not hold',
    scenarios: ['everyday'],
    fails: ['sender-sftp.report.message-uuid'],
  },
];

export const BROKEN_SFTP_CASES: BrokenSftpCase[] = [...UPLOAD_CASES, ...RECEIPT_CASES, ...OTHER_CASES];
