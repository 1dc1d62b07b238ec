/**
 * The forms of record fields that the seed, the control API and (next) Administrativ Adgang all
 * check: a system's endpoints, its SFTP user name, a NemSMS mobile number. Identifiers (UUID, CPR,
 * CVR) are NgDP's vocabulary, in `sdk/ngdp/identifiers.ts`.
 */
import { isUuid } from '../../sdk/ngdp/identifiers.ts';

/** An http(s) URL with no spaces: where the simulator delivers MeMos, receipts and notifications. */
export function isEndpointUrl(value: unknown): value is string {
  return typeof value === 'string' && /^https?:\/\/\S+$/.test(value);
}

/** A POSIX-style user name of at most 32 characters, as SFTP servers take them. */
export function isSshUsername(value: unknown): value is string {
  return typeof value === 'string' && /^[a-z_][a-z0-9_.-]{0,31}$/.test(value);
}

/** A Danish mobile number for NemSMS: 8 digits, not starting with 0 or 1. */
export function isMobileNumber(value: unknown): value is string {
  return typeof value === 'string' && /^[2-9]\d{7}$/.test(value);
}

/**
 * A contact point's keyword (admin.md §2.2): 1–30 letters (æøå too), digits, spaces and hyphens,
 * no other special characters.
 */
export function isSearchTerm(value: unknown): value is string {
  return typeof value === 'string' && /^[\p{L}\d -]{1,30}$/u.test(value) && value.trim() !== '';
}

/** A record id as the simulator writes them: a UUID in lower case. */
export function isRecordId(value: unknown): value is string {
  return isUuid(value) && value === value.toLowerCase();
}

const DATE_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)$/;

/** The instant (epoch ms) of a date-time with its zone (`2025-06-02T08:00:00Z`); undefined for anything else. */
export function dateTimeInstant(value: unknown): number | undefined {
  if (typeof value !== 'string' || !DATE_TIME.test(value)) return undefined;
  const instant = Date.parse(value);
  return Number.isNaN(instant) ? undefined : instant;
}
