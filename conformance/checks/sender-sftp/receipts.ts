/** Receipt and error files, outcomes, value dates and listing rates. */
import {
  inFolder,
  resolvedPath,
  SFTP_LOGIN,
  type SftpObservation,
  takingsOf,
} from '../../evidence/sender-sftp.ts';
import type { SenderOutcome } from '../../evidence/vendor-report.ts';
import type { Check } from '../../model.ts';
import {
  outcomeDelivered,
  outcomeErrorCode,
  outcomeInvalid,
  outcomeNotDelivered,
  receiptsFollowed,
} from '../shared/outcomes.ts';
import { failure, judged, note, sameUuid } from '../shared/support.ts';
import { MAX_POLLS_PER_WINDOW, POLL_WINDOW_MS, rateFailures } from '../shared/traffic.ts';
import {
  VALUE_DATE_HORIZON_DAYS,
  valueDateAsRequested,
  valueDateDateOnly,
  valueDateOnlyWhenAsked,
  valueDateWithinHorizon,
} from '../shared/value-dates.ts';
import { CLAUSES, requestEvidence, sftpCheck } from './support.ts';

const RECEIPTS = '/out/receipts';
const ERRORS = '/out/errors';
/** The most logins in a window: a system keeps its connection, or opens one per look at most every second. */
export const MAX_LOGINS_PER_WINDOW = 10;
const FINAL: readonly SenderOutcome[] = ['DELIVERED', 'NOT_DELIVERED', 'INVALID'];

/** The error files the system had occasion to read: those the scenario left, and those of its own uploads. */
function errorFilesOf(observation: SftpObservation): string[] {
  const own = takingsOf(observation.requests)
    .filter((entry) => entry.code !== null)
    .map(
      (entry) =>
        `${ERRORS}/${resolvedPath(entry.path.split(' -> ').at(-1) ?? '')
          .split('/')
          .at(-1)}.json`,
    );
  return [...new Set([...observation.errorsPlanted, ...own])];
}

export const receiptChecks: Check<SftpObservation>[] = [
  sftpCheck(
    'receipts.listed',
    'MUST',
    'Once NgDP took an upload, the system looks in /out/receipts for the business receipts',
    CLAUSES.receipts,
    ({ requests }) => {
      const taken = takingsOf(requests)[0];
      if (taken === undefined) return 'not-applicable';
      const listed = requests.some(
        (entry) =>
          entry.seq > taken.seq &&
          entry.operation === 'SFTP OPENDIR' &&
          resolvedPath(entry.path) === RECEIPTS,
      );
      return listed
        ? []
        : [
            failure('NgDP took uploads, but the system never listed /out/receipts', [
              requestEvidence(taken, 'taken'),
            ]),
          ];
    },
  ),
  sftpCheck(
    'receipts.followed',
    'MUST',
    'Business receipts are followed: a letter whose receipt NgDP had made is not reported PENDING',
    CLAUSES.receipts,
    receiptsFollowed,
  ),
  sftpCheck(
    'receipts.removed',
    'MUST',
    'Every receipt file the system acted on is removed from /out/receipts, so NgDP knows it was received',
    CLAUSES.receipts,
    ({ report, receiptsLeft }) => {
      const finals = report.lines.filter((line) => FINAL.includes(line.outcome) && line.messageUUID !== null);
      return judged(
        finals.length > 0,
        finals.flatMap((line) =>
          receiptsLeft
            .filter((file) => sameUuid(file.messageUUID, line.messageUUID))
            .map((file) =>
              failure(`${line.ref} was reported ${line.outcome}, but its receipt file was left`, [
                note(`${file.path} (${file.receiptStatus ?? '?'}) still in /out/receipts`, line.messageUUID),
              ]),
            ),
        ),
      );
    },
  ),
  sftpCheck(
    'errors.read',
    'MUST',
    'Error files in /out/errors are read: the system learns which uploads NgDP did not take, and why',
    CLAUSES.errors,
    (observation) => {
      const files = errorFilesOf(observation);
      const opened = new Set(
        observation.requests
          .filter((entry) => inFolder('SFTP OPEN', ERRORS)(entry) && entry.status === 0)
          .map((entry) => resolvedPath(entry.path)),
      );
      return judged(
        files.length > 0,
        files
          .filter((path) => !opened.has(path))
          .map((path) => failure(`${path} was never read`, [note('error file in /out/errors')])),
      );
    },
  ),
  sftpCheck(
    'errors.removed',
    'MUST',
    'Error files are removed once handled, so that the next look finds only new ones',
    CLAUSES.errors,
    (observation) => {
      const files = new Set(errorFilesOf(observation));
      return judged(
        files.size > 0,
        observation.errorsLeft
          .filter((file) => files.has(file.path))
          .map((file) => failure(`${file.path} was left in /out/errors`, [note('error file left')])),
      );
    },
  ),
  sftpCheck(
    'outcome.delivered',
    'MUST',
    'A letter NgDP completed is reported DELIVERED',
    CLAUSES.outcomes,
    outcomeDelivered,
  ),
  sftpCheck(
    'outcome.not-delivered',
    'MUST',
    'A letter NgDP refused for its recipient (NOT_ALLOWED: exempt, closed, unknown, not reachable) is reported NOT_DELIVERED, so the system can fall back to print',
    CLAUSES.outcomes,
    outcomeNotDelivered,
  ),
  sftpCheck(
    'outcome.invalid',
    'MUST',
    'A letter NgDP found INVALID is reported INVALID',
    CLAUSES.outcomes,
    outcomeInvalid,
  ),
  sftpCheck(
    'outcome.error-code',
    'SHOULD',
    'A letter reported NOT_DELIVERED or INVALID carries NgDP’s errorCode, so the system can tell why',
    CLAUSES.outcomes,
    outcomeErrorCode,
  ),
  sftpCheck(
    'value-date.as-requested',
    'MUST',
    'A letter with a value date is sent with exactly that date in doNotDeliverUntilDate',
    CLAUSES.valueDate,
    valueDateAsRequested,
  ),
  sftpCheck(
    'value-date.only-when-asked',
    'SHOULD',
    'A letter without a value date is sent without one (or with the day of sending)',
    CLAUSES.valueDate,
    valueDateOnlyWhenAsked,
  ),
  sftpCheck(
    'value-date.date-only',
    'MUST',
    'A value date is a plain calendar date (YYYY-MM-DD): never a time of day or a time zone',
    CLAUSES.valueDate,
    valueDateDateOnly,
  ),
  sftpCheck(
    'value-date.within-horizon',
    'MUST',
    `A value date is at most ${VALUE_DATE_HORIZON_DAYS} days after the Danish date on which the letter is sent`,
    CLAUSES.valueDate,
    valueDateWithinHorizon,
  ),
  sftpCheck(
    'auth.key-only',
    'MUST',
    'The system logs in with its key only: never tries a password or keyboard-interactive login',
    CLAUSES.login,
    ({ requests }) => {
      const logins = requests.filter((entry) => entry.operation === SFTP_LOGIN);
      const other = logins.filter((entry) => entry.path !== 'publickey');
      return judged(
        logins.length > 0,
        other.length === 0
          ? []
          : [
              failure(
                `${other.length} login attempt${other.length === 1 ? '' : 's'} by ${[...new Set(other.map((entry) => entry.path))].join(', ')}`,
                other.slice(0, 10).map((entry) => requestEvidence(entry, `${entry.path} login`)),
              ),
            ],
      );
    },
  ),
  sftpCheck(
    'auth.accepted',
    'SHOULD',
    'Every login attempt is accepted: the system offers only the key registered for it',
    CLAUSES.login,
    ({ requests }) => {
      const logins = requests.filter((entry) => entry.operation === SFTP_LOGIN);
      const refused = logins.filter((entry) => entry.status !== 0);
      return judged(
        logins.length > 0,
        refused.length === 0
          ? []
          : [
              failure(
                `${refused.length} login attempt${refused.length === 1 ? ' was' : 's were'} refused`,
                refused.slice(0, 10).map((entry) => requestEvidence(entry, `${entry.path} login refused`)),
              ),
            ],
      );
    },
  ),
  sftpCheck(
    'rate.sessions',
    'MUST',
    `No storm of connections: at most ${MAX_LOGINS_PER_WINDOW} logins in any ${POLL_WINDOW_MS / 1000} s, and no more than that rate while nothing changes`,
    CLAUSES.rates,
    ({ requests, clock }) =>
      rateFailures(
        requests.filter((entry) => entry.operation === SFTP_LOGIN),
        clock.holds,
        'logins',
        requestEvidence,
        MAX_LOGINS_PER_WINDOW,
      ),
  ),
  sftpCheck(
    'rate.listing',
    'MUST',
    `Receipts are looked for without a storm: at most ${MAX_POLLS_PER_WINDOW} folder listings in any ${POLL_WINDOW_MS / 1000} s, and no more than that rate while nothing changes`,
    CLAUSES.rates,
    ({ requests, clock }) =>
      rateFailures(
        requests.filter((entry) => entry.operation === 'SFTP OPENDIR'),
        clock.holds,
        'folder listings',
        requestEvidence,
      ),
  ),
];
