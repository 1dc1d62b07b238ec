/**
 * Access (adgang) to a citizen's Digital Post (admin.md §6): who may hold one, what it allows, how
 * many a mailbox may have, and what an `Access` command asks for. Pure: the engine keeps the
 * records, looks the parties up and applies the limits.
 */
import { isUuid } from '../../sdk/ngdp/identifiers.ts';
import { dateTimeInstant, isMobileNumber } from './formats.ts';
import type { CommandProblem } from './mail-system.ts';

/**
 * What an access allows (INTERPRETED, admin.md §6): read = `MESSAGE_BASIC`; read and write adds
 * `MESSAGE_WRITE` (write, reply, forward, move).
 */
export const MAILBOX_PRIVILEGES = ['MESSAGE_BASIC', 'MESSAGE_WRITE'] as const;
export type MailboxPrivilege = (typeof MAILBOX_PRIVILEGES)[number];

/** At most this many accesses to one citizen's mailbox at a time (admin.md §6). */
export const MAX_ACCESSES_PER_MAILBOX = 10;

/** The longest name of a company holder's intended employee (INTERPRETED). */
const EMPLOYEE_NAME_MAX = 100;
/** NgDP lets a person register up to 5 e-mail addresses for notifications. */
const MAX_EMAILS = 5;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** A notification subscription of an access (SMS or e-mail), unverified until its PIN is given. */
export interface NotificationRecord {
  id: string;
  channel: 'SMS' | 'EMAIL';
  /** The mobile number or e-mail address. */
  address: string;
  version: number;
  verificationTime?: number;
  notificationOutsideOfActiveWindowAllowed?: boolean;
}

/** An access to a citizen's mailbox, held by a citizen or a company (NgDP's `Access`). */
export interface AccessRecord {
  id: string;
  version: number;
  transactionId: string;
  /** The mailbox: its owner's contact id (docs/admin.md, "Mailbox accesses"). */
  mailboxId: string;
  /** The owner's CPR number. */
  ownerNumber: string;
  /** The holder: a registered citizen's or company's contact id. */
  identityId: string;
  holderKind: 'CITIZEN' | 'COMPANY';
  holderNumber: string;
  privileges: MailboxPrivilege[];
  /** When the access ends by itself (epoch ms); absent: unlimited. */
  activeTo?: number;
  /** A company holder's intended employee. */
  intendedEmployee?: string;
  /** Whether the owner's exemption was lifted when it was given. */
  exemptionLifted: boolean;
  notifications: NotificationRecord[];
  /** The organisation whose employee gave it (or the access request it came from). */
  organisationId: string;
  accessRequestId?: string;
  createdDateTime: number;
  lastUpdated: number;
  /** When it ended (revoked, or expired); absent while it stands. */
  endedAt?: number;
}

/** What a valid `Access` command asks for. */
export interface AccessSettings {
  identityId: string;
  privileges: MailboxPrivilege[];
  activeTo?: number;
  intendedEmployee?: string;
  liftExemption?: boolean;
  sms?: string;
  emails: string[];
  notificationOutsideOfActiveWindowAllowed?: boolean;
}

const RESOURCE = 'Access';

/** NgDP's `Access` fields the simulator sets: taken in a body (a fetched access sent back), ignored. */
const SERVER_SET = [
  'id',
  'version',
  'transactionId',
  'createdDateTime',
  'lastUpdated',
  'optedOutOfNotificationsDateTime',
  'introductionCompleted',
  'pushNotificationSubscriptions',
  'mailboxId',
];

/** The fields an `Access` command may have: NgDP's and the simulator's (docs/differences.md). */
export const ACCESS_FIELDS = [
  ...SERVER_SET,
  'accessType',
  'identityId',
  'privileges',
  'smsNotificationSubscription',
  'emailNotificationSubscriptions',
  'activeToDateTime',
  'intendedEmployee',
  'liftExemption',
] as const;

function problem(field: string, code: string, message: string, rejectedValue?: unknown): CommandProblem {
  return { resource: RESOURCE, field, code, message, rejectedValue };
}

/** The privileges asked for: read, or read and write (which includes read); none ends an access. */
function privilegesOf(value: unknown, problems: CommandProblem[], noneAllowed: boolean): MailboxPrivilege[] {
  if (value === undefined || value === null) {
    problems.push(problem('privileges', 'REQUIRED', `is required: ${MAILBOX_PRIVILEGES.join(' and/or ')}`));
    return [];
  }
  if (
    !Array.isArray(value) ||
    !value.every((each) => (MAILBOX_PRIVILEGES as readonly unknown[]).includes(each))
  ) {
    problems.push(
      problem('privileges', 'NOT_ALLOWED_VALUE', `must be a list of ${MAILBOX_PRIVILEGES.join(', ')}`, value),
    );
    return [];
  }
  if (value.length === 0 && !noneAllowed) {
    problems.push(problem('privileges', 'REQUIRED', 'must name MESSAGE_BASIC (read) and/or MESSAGE_WRITE'));
    return [];
  }
  if (value.length === 0) return [];
  return value.includes('MESSAGE_WRITE') ? ['MESSAGE_BASIC', 'MESSAGE_WRITE'] : ['MESSAGE_BASIC'];
}

function notificationsOf(
  body: Record<string, unknown>,
  problems: CommandProblem[],
): Pick<AccessSettings, 'sms' | 'emails'> {
  const result: Pick<AccessSettings, 'sms' | 'emails'> = { emails: [] };
  const sms = body.smsNotificationSubscription;
  if (sms !== undefined && sms !== null) {
    const mobile = typeof sms === 'object' ? (sms as { mobileNumber?: unknown }).mobileNumber : undefined;
    if (isMobileNumber(mobile)) result.sms = mobile;
    else
      problems.push(
        problem(
          'smsNotificationSubscription.mobileNumber',
          'INVALID_FORMAT',
          'must be 8 digits not starting with 0 or 1',
          mobile,
        ),
      );
  }
  const emails = body.emailNotificationSubscriptions;
  if (emails === undefined || emails === null) return result;
  if (!Array.isArray(emails) || emails.length > MAX_EMAILS) {
    problems.push(
      problem(
        'emailNotificationSubscriptions',
        'TOO_MANY',
        `must be a list of at most ${MAX_EMAILS} addresses`,
        emails,
      ),
    );
    return result;
  }
  emails.forEach((each, index) => {
    const email = typeof each === 'object' && each !== null ? (each as { email?: unknown }).email : undefined;
    if (typeof email === 'string' && EMAIL.test(email) && email.length <= 254) result.emails.push(email);
    else
      problems.push(
        problem(
          `emailNotificationSubscriptions[${index}].email`,
          'INVALID_FORMAT',
          'must be an e-mail address',
          email,
        ),
      );
  });
  return result;
}

/**
 * A date-time that must lie after `now` (when something given ends), as epoch ms; undefined when not
 * given, or wrong (its problem added).
 */
export function futureInstant(
  resource: string,
  field: string,
  value: unknown,
  now: number,
  problems: CommandProblem[],
): number | undefined {
  if (value === undefined || value === null) return undefined;
  const instant = dateTimeInstant(value);
  if (instant === undefined)
    problems.push({
      resource,
      field,
      code: 'INVALID_FORMAT',
      message: 'must be a date-time such as 2026-12-31T23:00:00Z',
      rejectedValue: value,
    });
  else if (instant <= now)
    problems.push({
      resource,
      field,
      code: 'NOT_ALLOWED_VALUE',
      message: 'must be in the future',
      rejectedValue: value,
    });
  else return instant;
  return undefined;
}

/**
 * The access an `Access` command asks for, or every problem with it: a `PARTY_REPRESENTATIVE`
 * access (the owner's own is the mailbox's), for the identity `identityId`, with `privileges`, ending
 * at `activeToDateTime` (after `now`) or unlimited. `privileges: []` is allowed where `noneAllowed`
 * (a change that ends the access).
 */
export function readAccessCommand(
  body: Record<string, unknown>,
  now: number,
  noneAllowed: boolean,
): { settings: AccessSettings; problems: [] } | { settings: undefined; problems: CommandProblem[] } {
  const problems: CommandProblem[] = [];
  const { accessType, identityId, activeToDateTime, intendedEmployee, liftExemption } = body;
  if (accessType !== undefined && accessType !== null && accessType !== 'PARTY_REPRESENTATIVE')
    problems.push(
      problem(
        'accessType',
        'NOT_ALLOWED_VALUE',
        "must be PARTY_REPRESENTATIVE: the owner's access is the mailbox's own",
        accessType,
      ),
    );
  if (identityId === undefined || identityId === null)
    problems.push(
      problem('identityId', 'REQUIRED', "is required: the holder's id (a citizen's or a company's)"),
    );
  else if (!isUuid(identityId))
    problems.push(problem('identityId', 'INVALID_FORMAT', 'must be a UUID', identityId));
  const privileges = privilegesOf(body.privileges, problems, noneAllowed);
  const activeTo = futureInstant(RESOURCE, 'activeToDateTime', activeToDateTime, now, problems);
  if (
    intendedEmployee !== undefined &&
    intendedEmployee !== null &&
    (typeof intendedEmployee !== 'string' || intendedEmployee.length > EMPLOYEE_NAME_MAX)
  )
    problems.push(
      problem(
        'intendedEmployee',
        'TOO_LONG',
        `must be a name of at most ${EMPLOYEE_NAME_MAX} characters`,
        intendedEmployee,
      ),
    );
  if (liftExemption !== undefined && liftExemption !== null && typeof liftExemption !== 'boolean')
    problems.push(problem('liftExemption', 'INVALID_FORMAT', 'must be true or false', liftExemption));
  const notifications = notificationsOf(body, problems);
  if (problems.length > 0) return { settings: undefined, problems };
  return {
    settings: {
      identityId: String(identityId).toLowerCase(),
      privileges,
      ...(activeTo === undefined ? {} : { activeTo }),
      ...(typeof intendedEmployee === 'string' && intendedEmployee.trim() !== '' ? { intendedEmployee } : {}),
      ...(typeof liftExemption === 'boolean' ? { liftExemption } : {}),
      ...notifications,
    },
    problems: [],
  };
}

/** Whether an access stands at `now`: not ended, and not past its end. */
export function isStanding(access: AccessRecord, now: number): boolean {
  return access.endedAt === undefined && (access.activeTo === undefined || access.activeTo > now);
}
