/**
 * Test employees of Administrativ Adgang and their sessions (docs/admin.md; admin.md §0.2, §8,
 * §12): the records, password hashes (scrypt) and bearer tokens. Pure functions over values; the
 * engine stores the records in collections.
 */
import { createHash, randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';

/** A test employee: who logs in to Administrativ Adgang with a username and password. */
export interface Employee {
  id: string;
  username: string;
  /** `scrypt$<N>$<r>$<p>$<salt, base64>$<hash, base64>` (see {@link hashPassword}). */
  passwordHash: string;
  name: string;
  /** The employee's RID number (8 digits; the action log's actor is `CVR:<cvr>-RID:<rid>`). */
  rid: string;
  /** The organisation the employee belongs to (where it logs in first). */
  organisationId: string;
  /** Another name to know it by (NgDP's `alias`: e-mail, initials …). */
  alias?: string;
  /** Its CPR number, when it was given one (what `validateCPR` compares with). */
  cprNumber?: string;
  /** Its e-mail subscription (NgDP's `EmailSubscription`). */
  email?: EmailSubscriptionRecord;
  /** INACTIVE: it can no longer log in, and its tokens stop working. Default ACTIVE. */
  status?: 'ACTIVE' | 'INACTIVE';
  version: number;
  createdDate: number;
  lastUpdated: number;
}

/** An employee's e-mail address and when it was verified (`EmailSubscription`). */
export interface EmailSubscriptionRecord {
  id: string;
  version: number;
  channel: string;
  verificationTime?: number;
  confirmationTime?: number;
}

/**
 * A logged-in employee's bearer token, bound to the employee and the organisation it acts for.
 * Kept by the SHA-256 of the token as its id: the store never holds a token itself.
 */
export interface AdminSession {
  /** SHA-256 (hex) of the token. */
  id: string;
  employeeId: string;
  /** The context organisation. */
  organisationId: string;
  /** Set when the employee acts here as system manager, not by rights of its own. */
  asSystemManager?: boolean;
  issuedAt: number;
  expiresAt: number;
}

/** scrypt's cost for test passwords: low, since these guard test data and logins are frequent. */
const SCRYPT = { N: 4096, r: 8, p: 1, keyLength: 32 } as const;

/** A password's stored form: scrypt with a random salt, parameters included. */
export function hashPassword(password: string, salt: Buffer = randomBytes(16)): string {
  const { N, r, p, keyLength } = SCRYPT;
  const hash = scryptSync(password, salt, keyLength, { N, r, p });
  return `scrypt$${N}$${r}$${p}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

/** A stored form that no password matches, to compare against when the username is unknown. */
const NO_PASSWORD = hashPassword('', Buffer.alloc(16));

/** Whether `password` is the one `stored` was made from (constant time; `undefined`: never). */
export function passwordMatches(stored: string | undefined, password: string): boolean {
  const [scheme, n, r, p, salt, hash] = (stored ?? NO_PASSWORD).split('$');
  if (scheme !== 'scrypt' || salt === undefined || hash === undefined) return false;
  const expected = Buffer.from(hash, 'base64');
  const actual = scryptSync(password, Buffer.from(salt, 'base64'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
  });
  return timingSafeEqual(expected, actual) && stored !== undefined;
}

/** A new bearer token: 32 random bytes, base64url. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** The id a session is kept under: the SHA-256 of its token. */
export function sessionIdOf(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** `Authorization: Bearer <token>` → the token, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+([A-Za-z0-9_-]{20,200})\s*$/i.exec(header ?? '');
  return match?.[1];
}

/** A username of the test portal: 3–64 of `[A-Za-z0-9._-]` (admin.md §12). */
export function isUsername(value: unknown): value is string {
  return typeof value === 'string' && /^[A-Za-z0-9._-]{3,64}$/.test(value);
}

/** Why `value` cannot be a test employee's password, if it cannot (admin.md §12: ≥ 8 characters). */
export function passwordProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'must be a string';
  if (value.length < 8) return 'must be at least 8 characters';
  if (value.length > 256) return 'must be at most 256 characters';
  return undefined;
}

/** The action log's actor for an employee of the organisation with CVR `cvrNumber` (admin.md §0.3). */
export function actorOf(cvrNumber: string, rid: string): string {
  return `CVR:${cvrNumber}-RID:${rid}`;
}

/** The seeded employee of an organisation: username and password printed in the banner. */
export function seedEmployeeLogin(cvrNumber: string): { username: string; password: string } {
  return { username: `admin-${cvrNumber}`, password: `test-${cvrNumber}` };
}
