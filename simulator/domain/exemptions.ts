/**
 * Exemptions from Digital Post (fritagelse; admin.md §4): what an `ExemptionCommand` asks for, the
 * rules for it, and when a company's exemption ends. Pure: a command in, the settings or every
 * problem with it out; the engine keeps the records and changes the contact.
 */
import { copenhagenMidnight } from '../../sdk/ngdp/time.ts';
import { exemptionEnd } from './contacts.ts';
import type { CommandProblem } from './mail-system.ts';

/** Why a citizen is exempt (NgDP's `registrationStatus` of an exempt contact). */
export const EXEMPTION_REASONS = ['EXEMPT_LEFT_THE_COUNTRY', 'EXEMPT_OTHER_REASON'] as const;
export type ExemptionReason = (typeof EXEMPTION_REASONS)[number];

/** Where unopened post goes, as NgDP's `ExemptionRecipientCommand` / `MassPrintRecipient` say it. */
export interface ForwardingAddress {
  name?: string;
  address1Text?: string;
  address2Text?: string;
  address3Text?: string;
  zipCode?: string;
  countryCode?: string;
}

/** An exemption as the simulator keeps it (NgDP's `Exemption`, and what the portal adds). */
export interface ExemptionRecord {
  id: string;
  version: number;
  /** The organisation whose employee made it ("performed by"). */
  organisationId: string;
  organisationName: string;
  kind: 'CITIZEN' | 'COMPANY';
  /** The CPR number of a citizen, the CVR number of a company. */
  number: string;
  contactId: string;
  /** Citizens only. */
  reason?: ExemptionReason;
  forwardToAddress: boolean;
  /** The alternative address unopened post goes to (absent: the registered address). */
  recipient?: ForwardingAddress;
  exemptByProxy: boolean;
  /** When it was registered (NgDP's `date`), epoch ms. */
  date: number;
  /** The Copenhagen date it began (or was last renewed), `YYYY-MM-DD`. */
  start: string;
  /** CREATED while it stands; PROCESSED once it has ended by itself (a company's, on its end date). */
  status: 'CREATED' | 'PROCESSED';
}

/** What a valid command asks for. */
export interface ExemptionSettings {
  kind: 'CITIZEN' | 'COMPANY';
  number: string;
  reason?: ExemptionReason;
  forwardToAddress: boolean;
  recipient?: ForwardingAddress;
  exemptByProxy: boolean;
}

const RESOURCE = 'ExemptionCommand';

/** The fields an `ExemptionCommand` may have: NgDP's, `exemptionReason`, and the `Exemption`'s own. */
export const EXEMPTION_FIELDS = [
  'cprNumber',
  'cvrNumber',
  'recipient',
  'date',
  'organisation',
  'forwardToAddress',
  'exemptByProxy',
  'exemptionReason',
  // Set by the simulator: a fetched Exemption may be sent back as it is.
  'id',
  'version',
  'sendLettersReceivedFromDate',
  'exemptionStatus',
] as const;

const ADDRESS_FIELDS = [
  'name',
  'address1Text',
  'address2Text',
  'address3Text',
  'zipCode',
  'countryCode',
] as const;
const ADDRESS_MAX = 100;

function problem(field: string, code: string, message: string, rejectedValue?: unknown): CommandProblem {
  return { resource: RESOURCE, field, code, message, rejectedValue };
}

/** A CPR number as written on the form: 10 digits, a dash after the sixth allowed. */
function cprOf(value: unknown): string | undefined {
  return typeof value === 'string' && /^\d{6}-?\d{4}$/.test(value) ? value.replace('-', '') : undefined;
}

/**
 * A CPR number as a refusal may show it: the first six digits, the rest masked (`010170-****`);
 * in a malformed one, every digit after the sixth is masked.
 */
export function maskedCpr(value: unknown): string {
  if (typeof value !== 'string') return typeof value === 'number' ? maskedCpr(String(value)) : String(value);
  const digits = value.replace('-', '');
  if (/^\d{10}$/.test(digits)) return `${digits.slice(0, 6)}-****`;
  let seen = 0;
  return value.replace(/\d/g, (digit) => (++seen > 6 ? '*' : digit));
}

function addressOf(value: unknown, problems: CommandProblem[]): ForwardingAddress | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) {
    problems.push(problem('recipient', 'INVALID_FORMAT', 'must be an object (name, address1Text …)', value));
    return undefined;
  }
  const given = value as Record<string, unknown>;
  const address: ForwardingAddress = {};
  for (const [name, text] of Object.entries(given)) {
    if (!(ADDRESS_FIELDS as readonly string[]).includes(name)) {
      problems.push(problem(`recipient.${name}`, 'UNKNOWN_FIELD', 'is not a field of the recipient', text));
      continue;
    }
    if (text === undefined || text === null) continue;
    if (typeof text !== 'string' || text.length > ADDRESS_MAX) {
      problems.push(
        problem(
          `recipient.${name}`,
          'INVALID_FORMAT',
          `must be text of at most ${ADDRESS_MAX} characters`,
          text,
        ),
      );
      continue;
    }
    address[name as (typeof ADDRESS_FIELDS)[number]] = text;
  }
  for (const required of ['name', 'address1Text', 'countryCode'] as const)
    if (address[required] === undefined || address[required].trim() === '')
      problems.push(problem(`recipient.${required}`, 'REQUIRED', 'is required for a forwarding address'));
  if (address.countryCode !== undefined && !/^[A-Z]{2}$/.test(address.countryCode))
    problems.push(
      problem(
        'recipient.countryCode',
        'INVALID_FORMAT',
        'must be an ISO 3166 code such as DK',
        address.countryCode,
      ),
    );
  return address;
}

function flag(
  body: Record<string, unknown>,
  name: string,
  fallback: boolean,
  problems: CommandProblem[],
): boolean {
  const value = body[name];
  if (value === undefined || value === null) return fallback;
  if (typeof value === 'boolean') return value;
  problems.push(problem(name, 'INVALID_FORMAT', 'must be true or false', value));
  return fallback;
}

/**
 * The exemption an `ExemptionCommand` asks for (admin.md §4.1–4.2), or every problem with it:
 * exactly one of `cprNumber` (10 digits, a dash allowed) and `cvrNumber` (8 digits); a citizen's
 * reason (`exemptionReason`, default EXEMPT_OTHER_REASON — NgDP's command has no field for it);
 * unopened post forwarded by default, to `recipient` when given. A company has no reason. A CPR
 * number at fault is shown masked.
 */
export function readExemptionCommand(
  body: Record<string, unknown>,
): { settings: ExemptionSettings; problems: [] } | { settings: undefined; problems: CommandProblem[] } {
  const problems: CommandProblem[] = [];
  const { cprNumber, cvrNumber } = body;
  const givenCpr = cprNumber !== undefined && cprNumber !== null;
  const givenCvr = cvrNumber !== undefined && cvrNumber !== null;
  let kind: 'CITIZEN' | 'COMPANY' = 'CITIZEN';
  let number = '';
  if (givenCpr === givenCvr)
    problems.push(
      givenCpr
        ? problem('cvrNumber', 'NOT_ALLOWED_VALUE', 'give cprNumber or cvrNumber, not both', cvrNumber)
        : problem('cprNumber', 'REQUIRED', 'is required (a citizen), or cvrNumber (a company)'),
    );
  else if (givenCpr) {
    const cpr = cprOf(cprNumber);
    if (cpr === undefined)
      problems.push(
        problem(
          'cprNumber',
          'INVALID_FORMAT',
          'must be 10 digits (DDMMYY-SSSS allowed)',
          maskedCpr(cprNumber),
        ),
      );
    else number = cpr;
  } else if (typeof cvrNumber === 'string' && /^\d{8}$/.test(cvrNumber)) {
    kind = 'COMPANY';
    number = cvrNumber;
  } else {
    kind = 'COMPANY';
    problems.push(problem('cvrNumber', 'INVALID_FORMAT', 'must be 8 digits', cvrNumber));
  }
  const reasonGiven = body.exemptionReason;
  let reason: ExemptionReason | undefined;
  if (reasonGiven !== undefined && reasonGiven !== null) {
    if (kind === 'COMPANY')
      problems.push(
        problem(
          'exemptionReason',
          'NOT_ALLOWED_VALUE',
          'a company is exempted without a reason',
          reasonGiven,
        ),
      );
    else if ((EXEMPTION_REASONS as readonly unknown[]).includes(reasonGiven))
      reason = reasonGiven as ExemptionReason;
    else
      problems.push(
        problem(
          'exemptionReason',
          'NOT_ALLOWED_VALUE',
          `must be one of ${EXEMPTION_REASONS.join(', ')}`,
          reasonGiven,
        ),
      );
  } else if (kind === 'CITIZEN') reason = 'EXEMPT_OTHER_REASON';
  const forwardToAddress = flag(body, 'forwardToAddress', true, problems);
  const exemptByProxy = flag(body, 'exemptByProxy', false, problems);
  const recipient = addressOf(body.recipient, problems);
  if (problems.length > 0) return { settings: undefined, problems };
  return {
    settings: {
      kind,
      number,
      ...(reason === undefined ? {} : { reason }),
      forwardToAddress,
      ...(recipient === undefined || !forwardToAddress ? {} : { recipient }),
      exemptByProxy,
    },
    problems: [],
  };
}

/**
 * The instant a company's exemption that began on `start` ends: 00:00 Copenhagen time on 1 November
 * of the second calendar year after (admin.md §4.2); a citizen's does not end.
 */
export function exemptionEndsAt(kind: 'CITIZEN' | 'COMPANY', start: string): number | undefined {
  const end = exemptionEnd({ type: kind }, start);
  return end === undefined ? undefined : copenhagenMidnight(end);
}
