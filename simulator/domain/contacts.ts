/**
 * Contacts the register does not hold: a number asked for but not registered is shown as a stand-in
 * with publicRegistrationStatus UNKNOWN (docs/simulator.md, "Magic identities"), and one registered on first use (`--loose`).
 * Also what a contact's sub-records and versions are made of.
 */
import { createHash } from 'node:crypto';
import type { Contact } from './model.ts';

/** Stand-ins sort after every registered contact (and carry no dates on the wire). */
const STAND_IN_TIME = Date.UTC(9999, 11, 31);

/**
 * A stand-in's id names its number, so that `GET /contacts/{id}` answers it as long as the number
 * stays unregistered: `5d1e0000-0000-4000-80<1 CPR, 2 CVR>0-<12 hex>`, the number's digits (zero-padded
 * to 12) masked so that the id does not show the number at a glance.
 */
const STAND_IN_ID = /^5d1e0000-0000-4000-80([12])0-([0-9a-f]{12})$/;
const STAND_IN_MASK = 0x5a17_c3e9_b4d2n;
const DIGITS = { cpr: 10, cvr: 8 } as const;

function standInId(kind: 'cpr' | 'cvr', number: string): string {
  const hex = (BigInt(number) ^ STAND_IN_MASK).toString(16).padStart(12, '0');
  return `5d1e0000-0000-4000-80${kind === 'cpr' ? 1 : 2}0-${hex}`;
}

/** The kind and number a stand-in's id names; undefined for any other id. */
export function standInNumber(id: string): { kind: 'cpr' | 'cvr'; number: string } | undefined {
  const match = STAND_IN_ID.exec(id.toLowerCase());
  if (match === null) return undefined;
  const kind = match[1] === '1' ? 'cpr' : 'cvr';
  const number = (BigInt(`0x${match[2]}`) ^ STAND_IN_MASK).toString().padStart(DIGITS[kind], '0');
  return number.length === DIGITS[kind] ? { kind, number } : undefined;
}

/** The stand-in for a number not in the register. */
export function unknownContact(kind: 'cpr' | 'cvr', number: string): Contact {
  const id = standInId(kind, number);
  return {
    id,
    type: kind === 'cpr' ? 'CITIZEN' : 'COMPANY',
    ...(kind === 'cpr' ? { cprNumber: number } : { cvrNumber: number }),
    name: '',
    mailboxSubscription: { registrationStatus: 'UNKNOWN', publicRegistrationStatus: 'UNKNOWN' },
    transactionId: id,
    createdDate: STAND_IN_TIME,
    lastUpdated: STAND_IN_TIME,
  };
}

/** Whether a contact is a stand-in of {@link unknownContact}, not a registered one. */
export function isStandIn(contact: Contact): boolean {
  return contact.lastUpdated === STAND_IN_TIME;
}

/**
 * The ids {@link derivedId} made lately: the same text always gives the same id, and a search
 * shows each part of hundreds of records (a contact point's keywords and codes), each time.
 */
const DERIVED_IDS = new Map<string, string>();
const DERIVED_IDS_KEPT = 50_000;

/** A stable version-4-shaped id for a part of a record (`<contact id>:mailboxSubscription`). */
export function derivedId(of: string): string {
  const known = DERIVED_IDS.get(of);
  if (known !== undefined) return known;
  const hex = createHash('sha256').update(of).digest('hex');
  const id = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  if (DERIVED_IDS.size >= DERIVED_IDS_KEPT) DERIVED_IDS.clear();
  DERIVED_IDS.set(of, id);
  return id;
}

/**
 * A company's exemption ends on 1 November of the second calendar year after it began (admin.md
 * §4.2: exempt 2021-06-09 → 2023-11-01); a citizen's does not end.
 */
export function exemptionEnd(contact: Pick<Contact, 'type'>, exemptionStart: string): string | undefined {
  if (contact.type !== 'COMPANY') return undefined;
  return `${Number(exemptionStart.slice(0, 4)) + 2}-11-01`;
}

/**
 * A contact changed from `before` (undefined: new) to `after`: its versions count the change — the
 * contact's always, the registration's and the NemSMS subscription's when they changed — and an
 * exemption keeps the date it began unless `after` gives another (a renewal); a new one begins on the
 * date given, else `today`; none once lifted.
 */
export function changedContact(before: Contact | undefined, after: Contact, today: string): Contact {
  const registration = after.mailboxSubscription;
  const was = before?.mailboxSubscription;
  const registrationChanged =
    was === undefined ||
    was.registrationStatus !== registration.registrationStatus ||
    was.publicRegistrationStatus !== registration.publicRegistrationStatus;
  const exempt = registration.publicRegistrationStatus === 'EXEMPT';
  const { exemptionStart: _start, exemptThroughPowerOfAttorney: _proxy, ...rest } = registration;
  return {
    ...after,
    version: before === undefined ? 1 : (before.version ?? 1) + 1,
    mailboxSubscription: {
      ...rest,
      version: was === undefined ? 1 : (was.version ?? 1) + (registrationChanged ? 1 : 0),
      ...(exempt
        ? {
            exemptionStart:
              registration.exemptionStart ??
              (was?.publicRegistrationStatus === 'EXEMPT' ? (was.exemptionStart ?? today) : today),
            exemptThroughPowerOfAttorney: registration.exemptThroughPowerOfAttorney ?? false,
          }
        : {}),
    },
    ...(after.nemSmsMobileNumber === undefined
      ? {}
      : {
          nemSmsVersion:
            before?.nemSmsMobileNumber === undefined
              ? 1
              : (before.nemSmsVersion ?? 1) +
                (before.nemSmsMobileNumber === after.nemSmsMobileNumber ? 0 : 1),
        }),
  };
}

/** A contact registered automatically on first use (`--loose`), able to receive Digital Post. */
export function autoRegistered(
  kind: 'CITIZEN' | 'COMPANY',
  number: string,
  now: number,
  id: string,
): Contact {
  return {
    id,
    type: kind,
    ...(kind === 'CITIZEN' ? { cprNumber: number } : { cvrNumber: number }),
    name: kind === 'CITIZEN' ? `Testborger ${number.slice(0, 6)}` : `Testvirksomhed ${number}`,
    mailboxSubscription: {
      registrationStatus: 'AUTOMATIC_REGISTRATION',
      publicRegistrationStatus: 'REGISTERED',
    },
    transactionId: id,
    createdDate: now,
    lastUpdated: now,
  };
}

/** Who may write to a contact point (NgDP's `targets`, less `UNKNOWN`); a new one: all of them. */
export const CONTACT_POINT_WRITERS = ['CITIZEN', 'COMPANY', 'AUTHORITY'] as const;

/** What a contact point takes when it does not say less (admin.md §2.2). */
export const CONTACT_POINT_CAPACITY = { memoSizeThresholdMB: 99.5, allowedNumberOfAttachments: 10 } as const;
