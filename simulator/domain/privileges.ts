/**
 * Rights as NgDP's Rettighedsportal keeps them (docs/admin.md, "Rights"; admin.md §0.1, §8): an
 * identity group holds privileges, each of a type in a scope (the organisation it is held in),
 * and its grantees hold them all. A direct privilege is one in the grantee's own DEFAULT group.
 * What an employee may do in an organisation is every active privilege scoped there of every group
 * it is a grantee of. Pure: the records, the reading of NgDP's commands, the questions over them.
 */
import {
  isOneOf,
  PRIVILEGE_SOURCES,
  PRIVILEGE_TYPES,
  type PrivilegeSource,
  type PrivilegeType,
} from '../../sdk/ngdp/enums.ts';
import { isUuid } from '../../sdk/ngdp/identifiers.ts';
import type { CommandProblem } from './mail-system.ts';

/** An identity group (`IdentityGroup`): MANUAL ones an organisation makes, DEFAULT ones per employee. */
export interface IdentityGroupRecord {
  id: string;
  version: number;
  name: string;
  type: 'DEFAULT' | 'MANUAL';
  /** The organisation whose administration shows the group (a DEFAULT group: its employee's). */
  organisationId: string;
  /** Who owns it: the organisation (MANUAL) or the employee (DEFAULT). */
  ownerId: string;
  /** Who made or last changed it. */
  issuerId: string;
  createdDate: number;
  lastUpdated: number;
}

/** A member of a group (`Grantee`): it holds the group's privileges. */
export interface GranteeRecord {
  id: string;
  version: number;
  identityGroupId: string;
  /** The employee. */
  identityId: string;
  issuerId: string;
  createdDate: number;
  lastUpdated: number;
}

/** A privilege of a group (`IdentityPrivilege`; `DirectPrivilege` when the group is a DEFAULT one). */
export interface PrivilegeRecord {
  id: string;
  version: number;
  identityGroupId: string;
  issuerId: string;
  /** The organisation the privilege is held in. */
  scopeId: string;
  type: PrivilegeType;
  source: PrivilegeSource;
  parentPrivilegeId?: string;
  /** The instant it stops (NgDP's `activeToDateTime`); none: for good. */
  activeTo?: number;
  createdDate: number;
  lastUpdated: number;
}

/** Whether a privilege holds at `now` (NgDP: "inactive after the date has passed"). */
export function isActive(privilege: Pick<PrivilegeRecord, 'activeTo'>, now: number): boolean {
  return privilege.activeTo === undefined || now < privilege.activeTo;
}

/** The privilege types a set of privileges gives in `scopeId` at `now`, without repeats. */
export function heldTypes(
  privileges: readonly PrivilegeRecord[],
  scopeId: string,
  now: number,
): PrivilegeType[] {
  return [
    ...new Set(
      privileges
        .filter((privilege) => privilege.scopeId === scopeId && isActive(privilege, now))
        .map((privilege) => privilege.type),
    ),
  ];
}

/** A privilege's settings from a valid `IdentityPrivilege`, `DirectPrivilege(Command)`. */
export interface PrivilegeSettings {
  scopeId: string;
  type: PrivilegeType;
  source: PrivilegeSource;
  parentPrivilegeId?: string;
  activeTo?: number;
}

/** Reads a command, collecting every problem (the field names prefixed with `prefix`). */
export class CommandReader {
  readonly problems: CommandProblem[] = [];
  readonly command: Record<string, unknown>;
  private readonly resource: string;
  private readonly prefix: string;

  constructor(resource: string, body: unknown, prefix = '') {
    this.resource = resource;
    this.prefix = prefix;
    const isObject = typeof body === 'object' && body !== null && !Array.isArray(body);
    this.command = isObject ? (body as Record<string, unknown>) : {};
    if (!isObject) this.problem('body', 'INVALID_FORMAT', `must be a JSON ${resource} object`);
  }

  problem(field: string, code: string, message: string, rejectedValue?: unknown): void {
    this.problems.push({
      resource: this.resource,
      field: `${this.prefix}${field}`,
      code,
      message,
      rejectedValue,
    });
  }

  /** A UUID field (lower case); undefined (and a problem when `required`) if absent. */
  uuid(field: string, required: boolean): string | undefined {
    const value = this.command[field];
    if (value === undefined || value === null) {
      if (required) this.problem(field, 'REQUIRED', 'is required');
      return undefined;
    }
    if (!isUuid(value)) {
      this.problem(field, 'INVALID_FORMAT', 'must be a UUID', value);
      return undefined;
    }
    return value.toLowerCase();
  }

  /** A text field of at most `max` characters; undefined if absent (a problem when `required`). */
  text(field: string, max: number, required: boolean): string | undefined {
    const value = this.command[field];
    if (value === undefined || value === null || (required && value === '')) {
      if (required) this.problem(field, 'REQUIRED', 'is required');
      return undefined;
    }
    if (typeof value !== 'string') this.problem(field, 'INVALID_FORMAT', 'must be a string', value);
    else if (value.length > max) this.problem(field, 'TOO_LONG', `must be at most ${max} characters`, value);
    else return value;
    return undefined;
  }

  /** One of `values`; undefined if absent (a problem when `required`). */
  oneOf<T extends string>(field: string, values: readonly T[], required: boolean): T | undefined {
    const value = this.command[field];
    if (value === undefined || value === null) {
      if (required) this.problem(field, 'REQUIRED', `is required: one of ${values.join(', ')}`);
      return undefined;
    }
    if (!isOneOf(values, value) || value === 'UNKNOWN') {
      this.problem(field, 'NOT_ALLOWED_VALUE', `must be one of ${values.slice(1, 8).join(', ')} …`, value);
      return undefined;
    }
    return value;
  }

  /** The end of a privilege: `activeToDateTime`, or the deprecated `activeTo` (a date: its end, UTC). */
  activeTo(): number | undefined {
    const { activeToDateTime, activeTo } = this.command;
    if (activeToDateTime !== undefined && activeToDateTime !== null) {
      const time = typeof activeToDateTime === 'string' ? Date.parse(activeToDateTime) : Number.NaN;
      if (/^\d{4}-\d\d-\d\dT/.test(String(activeToDateTime)) && !Number.isNaN(time)) return time;
      this.problem(
        'activeToDateTime',
        'INVALID_FORMAT',
        'must be a date-time (2026-12-31T23:00:00Z)',
        activeToDateTime,
      );
      return undefined;
    }
    if (activeTo === undefined || activeTo === null) return undefined;
    const day =
      typeof activeTo === 'string' && /^\d{4}-\d\d-\d\d$/.test(activeTo) ? Date.parse(activeTo) : Number.NaN;
    if (!Number.isNaN(day)) return day + 24 * 3_600_000;
    this.problem('activeTo', 'INVALID_FORMAT', 'must be a date (2026-12-31)', activeTo);
    return undefined;
  }
}

/**
 * A privilege's settings from a command (`IdentityPrivilege`, `DirectPrivilegeCommand`): `scopeId`,
 * `type` and `source` required; the scope must be `scopeId` (the caller's context organisation).
 */
export function readPrivilege(reader: CommandReader, contextId: string): PrivilegeSettings | undefined {
  const scopeId = reader.uuid('scopeId', true);
  if (scopeId !== undefined && scopeId !== contextId)
    reader.problem(
      'scopeId',
      'NOT_ALLOWED_VALUE',
      `must be the context organisation ${contextId}: privileges are granted where the token acts`,
      scopeId,
    );
  const type = reader.oneOf('type', PRIVILEGE_TYPES, true);
  const source = reader.oneOf('source', PRIVILEGE_SOURCES, true);
  const parentPrivilegeId = reader.uuid('parentPrivilegeId', false);
  const activeTo = reader.activeTo();
  if (scopeId === undefined || type === undefined || source === undefined) return undefined;
  return {
    scopeId,
    type,
    source,
    ...(parentPrivilegeId === undefined ? {} : { parentPrivilegeId }),
    ...(activeTo === undefined ? {} : { activeTo }),
  };
}

/** An e-mail address (the identity's e-mail subscription). */
export function isEmailAddress(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 254 && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value);
}
