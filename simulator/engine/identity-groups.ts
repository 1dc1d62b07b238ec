/**
 * Identity groups (docs/admin.md, "Rights"): an organisation's MANUAL groups, their grantees and
 * privileges (`identity-groups/**`). A grantee holds every privilege of the group; the guard reads
 * them on every call (`rights.ts`). DEFAULT groups — an employee's direct privileges — are shown
 * here but changed only through `privileges/direct/**`.
 */
import { isUuid } from '../../sdk/ngdp/identifiers.ts';
import type { Employee } from '../domain/employees.ts';
import {
  CommandReader,
  type GranteeRecord,
  type IdentityGroupRecord,
  isActive,
  type PrivilegeRecord,
  type PrivilegeSettings,
  readPrivilege,
} from '../domain/privileges.ts';
import type { EngineContext } from './context.ts';
import { type AdminCaller, EMPLOYEES } from './identities.ts';
import { reject } from './rejections.ts';
import {
  GRANTEES,
  granteeRecord,
  IDENTITY_GROUPS,
  PRIVILEGES,
  privilegeRecord,
  type Rights,
  refuseProblems,
  shownPrivilege,
} from './rights.ts';
import { expectVersion, type VersionCheck } from './versions.ts';

/** A group with its grantees and privileges, as `IdentityGroup` shows it. */
export interface GroupView {
  group: IdentityGroupRecord;
  grantees: GranteeRecord[];
  privileges: PrivilegeRecord[];
  /** The owner's organisation, for a DEFAULT group (NgDP's `parentOwnerId`). */
  parentOwnerId?: string;
}

const NAME_MAX = 200;

export class IdentityGroups {
  private readonly context: EngineContext;
  private readonly rights: Rights;

  constructor(context: EngineContext, rights: Rights) {
    this.context = context;
    this.rights = rights;
  }

  /** The context organisation's groups (its MANUAL ones and its employees' DEFAULT ones), oldest first. */
  list(caller: AdminCaller): GroupView[] {
    return this.context.store
      .listRecords(IDENTITY_GROUPS, caller.organisation.id)
      .map((group) => this.view(group));
  }

  /** @throws Rejection NOT_FOUND for a group the context organisation does not have. */
  get(caller: AdminCaller, id: string): GroupView {
    return this.view(this.group(caller, id));
  }

  /**
   * Creates a MANUAL group (`IdentityGroup`: `name`); grantees and privileges are added after.
   *
   * @throws Rejection 400 with every field at fault.
   */
  create(caller: AdminCaller, body: unknown): GroupView {
    const reader = new CommandReader('IdentityGroup', body);
    const name = this.settings(reader, true);
    refuseProblems(reader.problems);
    const now = this.context.now();
    const group: IdentityGroupRecord = {
      id: this.context.newId(),
      version: 1,
      name: name as string,
      type: 'MANUAL',
      organisationId: caller.organisation.id,
      ownerId: caller.organisation.id,
      issuerId: caller.employee.id,
      createdDate: now,
      lastUpdated: now,
    };
    this.context.change(() => {
      this.context.store.putRecord(IDENTITY_GROUPS, group);
      this.rights.logged(caller, group, 'Oprettet', undefined, { name: group.name }, 'PRIVILEGES_GRANTED');
    });
    return this.view(group);
  }

  /**
   * Renames a MANUAL group (its grantees and privileges have their own operations).
   *
   * @throws Rejection 400; 404; 409 VERSION_CONFLICT, DEFAULT_GROUP.
   */
  update(caller: AdminCaller, id: string, body: unknown, version: VersionCheck): GroupView {
    const current = this.manual(caller, id);
    expectVersion(this.context, `identity group ${current.id}`, current.version, version);
    const reader = new CommandReader('IdentityGroup', body);
    const name = this.settings(reader, false);
    refuseProblems(reader.problems);
    const next: IdentityGroupRecord = {
      ...current,
      name: name as string,
      issuerId: caller.employee.id,
      version: current.version + 1,
      lastUpdated: this.context.now(),
    };
    this.context.change(() => {
      this.context.store.putRecord(IDENTITY_GROUPS, next);
      this.rights.logged(
        caller,
        next,
        'Redigeret',
        { name: current.name },
        { name: next.name },
        'PRIVILEGES_GRANTED',
      );
    });
    return this.view(next);
  }

  /**
   * Deletes a MANUAL group with its grantees and privileges: its grantees lose them at once.
   *
   * @throws Rejection 404; 409 VERSION_CONFLICT, DEFAULT_GROUP.
   */
  remove(caller: AdminCaller, id: string, version: VersionCheck): void {
    const group = this.manual(caller, id);
    expectVersion(this.context, `identity group ${group.id}`, group.version, version);
    const { store } = this.context;
    this.context.change(() => {
      for (const grantee of this.rights.granteesOf(group.id)) store.deleteRecord(GRANTEES, grantee.id);
      for (const privilege of this.rights.privilegesIn(group.id))
        store.deleteRecord(PRIVILEGES, privilege.id);
      store.deleteRecord(IDENTITY_GROUPS, group.id);
      this.rights.logged(caller, group, 'Slettet', { name: group.name }, {}, 'PRIVILEGES_REVOKED');
    });
  }

  // ---------------------------------------------------------------- grantees

  /**
   * Makes an employee (of any organisation) a grantee of the group: it holds the group's privileges
   * from its next call on.
   *
   * @throws Rejection 400 with every field at fault; 403 PRIVILEGE_NOT_HELD for a group with a
   *   privilege the caller lacks; 404; 409 DEFAULT_GROUP, GRANTEE_EXISTS.
   */
  createGrantee(caller: AdminCaller, groupId: string, body: unknown): GranteeRecord {
    const group = this.manual(caller, groupId);
    const employee = this.granteeSettings(caller, body);
    this.mayJoin(caller, group, employee, undefined);
    const grantee = granteeRecord(
      this.context.newId(),
      group.id,
      employee.id,
      caller.employee.id,
      this.context.now(),
    );
    this.context.change(() => {
      this.context.store.putRecord(GRANTEES, grantee);
      this.rights.logged(
        caller,
        this.granteeName(group, grantee),
        'Oprettet',
        undefined,
        { grantee: employee.username },
        'PRIVILEGES_GRANTED',
      );
    });
    return grantee;
  }

  /**
   * Gives a grantee place to another employee.
   *
   * @throws Rejection as {@link createGrantee}; 409 VERSION_CONFLICT.
   */
  updateGrantee(
    caller: AdminCaller,
    groupId: string,
    id: string,
    body: unknown,
    version: VersionCheck,
  ): GranteeRecord {
    const group = this.manual(caller, groupId);
    const current = this.grantee(group, id);
    expectVersion(this.context, `grantee ${current.id}`, current.version, version);
    const employee = this.granteeSettings(caller, body);
    this.mayJoin(caller, group, employee, current);
    const next: GranteeRecord = {
      ...current,
      identityId: employee.id,
      issuerId: caller.employee.id,
      version: current.version + 1,
      lastUpdated: this.context.now(),
    };
    const before = this.context.store.getRecord(EMPLOYEES, current.identityId);
    this.context.change(() => {
      // The scope (the employee) may change: the record moves.
      this.context.store.deleteRecord(GRANTEES, current.id);
      this.context.store.putRecord(GRANTEES, next);
      this.rights.logged(
        caller,
        this.granteeName(group, next),
        'Redigeret',
        { grantee: before?.username ?? current.identityId },
        { grantee: employee.username },
        'PRIVILEGES_GRANTED',
      );
    });
    return next;
  }

  /**
   * Takes a grantee out of the group: it loses the group's privileges from its next call on.
   *
   * @throws Rejection 404; 409 VERSION_CONFLICT, DEFAULT_GROUP.
   */
  deleteGrantee(caller: AdminCaller, groupId: string, id: string, version: VersionCheck): void {
    const group = this.manual(caller, groupId);
    const grantee = this.grantee(group, id);
    expectVersion(this.context, `grantee ${grantee.id}`, grantee.version, version);
    const employee = this.context.store.getRecord(EMPLOYEES, grantee.identityId);
    this.context.change(() => {
      this.context.store.deleteRecord(GRANTEES, grantee.id);
      this.rights.logged(
        caller,
        this.granteeName(group, grantee),
        'Slettet',
        { grantee: employee?.username ?? grantee.identityId },
        {},
        'PRIVILEGES_REVOKED',
      );
    });
  }

  // ---------------------------------------------------------------- privileges

  /**
   * Grants the group a privilege in the context organisation.
   *
   * @throws Rejection 400 with every field at fault; 403 PRIVILEGE_NOT_HELD; 404; 409
   *   DEFAULT_GROUP, PRIVILEGE_EXISTS.
   */
  createPrivilege(caller: AdminCaller, groupId: string, body: unknown): PrivilegeRecord {
    const group = this.manual(caller, groupId);
    const settings = this.privilegeSettings(caller, body);
    this.rights.mayGrant(caller, [settings.type]);
    this.unique(group, settings, undefined);
    const privilege = privilegeRecord(
      this.context.newId(),
      group.id,
      caller.employee.id,
      settings,
      this.context.now(),
    );
    this.context.change(() => {
      this.context.store.putRecord(PRIVILEGES, privilege);
      this.rights.logged(
        caller,
        { id: privilege.id, name: group.name },
        'Oprettet',
        undefined,
        shownPrivilege(privilege),
        'PRIVILEGES_GRANTED',
      );
    });
    return privilege;
  }

  /**
   * Changes a group's privilege (its type, source, end).
   *
   * @throws Rejection as {@link createPrivilege}; 409 VERSION_CONFLICT.
   */
  updatePrivilege(
    caller: AdminCaller,
    groupId: string,
    id: string,
    body: unknown,
    version: VersionCheck,
  ): PrivilegeRecord {
    const group = this.manual(caller, groupId);
    const current = this.privilege(group, id);
    expectVersion(this.context, `privilege ${current.id}`, current.version, version);
    const settings = this.privilegeSettings(caller, body);
    this.rights.mayGrant(caller, [settings.type]);
    this.unique(group, settings, current);
    const { parentPrivilegeId: _parent, activeTo: _end, ...kept } = current;
    const next: PrivilegeRecord = {
      ...kept,
      ...settings,
      issuerId: caller.employee.id,
      version: current.version + 1,
      lastUpdated: this.context.now(),
    };
    this.context.change(() => {
      this.context.store.putRecord(PRIVILEGES, next);
      this.rights.logged(
        caller,
        { id: next.id, name: group.name },
        'Redigeret',
        shownPrivilege(current),
        shownPrivilege(next),
        'PRIVILEGES_GRANTED',
      );
    });
    return next;
  }

  /**
   * Takes a privilege from the group: its grantees lose it from their next call on.
   *
   * @throws Rejection 404; 409 VERSION_CONFLICT, DEFAULT_GROUP.
   */
  deletePrivilege(caller: AdminCaller, groupId: string, id: string, version: VersionCheck): void {
    const group = this.manual(caller, groupId);
    const privilege = this.privilege(group, id);
    expectVersion(this.context, `privilege ${privilege.id}`, privilege.version, version);
    this.context.change(() => {
      this.context.store.deleteRecord(PRIVILEGES, privilege.id);
      this.rights.logged(
        caller,
        { id: privilege.id, name: group.name },
        'Slettet',
        shownPrivilege(privilege),
        {},
        'PRIVILEGES_REVOKED',
      );
    });
  }

  // ---------------------------------------------------------------- helpers

  private view(group: IdentityGroupRecord): GroupView {
    const owner =
      group.type === 'DEFAULT' ? this.context.store.getRecord(EMPLOYEES, group.ownerId) : undefined;
    return {
      group,
      grantees: this.rights.granteesOf(group.id),
      privileges: this.rights.privilegesIn(group.id),
      ...(owner === undefined ? {} : { parentOwnerId: owner.organisationId }),
    };
  }

  private group(caller: AdminCaller, id: string): IdentityGroupRecord {
    const group = this.rights.group(id);
    if (group === undefined || group.organisationId !== caller.organisation.id)
      throw reject.notFound(`no identity group ${id} in organisation ${caller.organisation.id}`);
    return group;
  }

  /** A MANUAL group of the context. @throws Rejection 404; 409 DEFAULT_GROUP. */
  private manual(caller: AdminCaller, id: string): IdentityGroupRecord {
    const group = this.group(caller, id);
    if (group.type === 'DEFAULT')
      throw reject.adminConflict(
        'DEFAULT_GROUP',
        `identity group ${group.id} holds an employee's direct privileges: change them with privileges/direct/`,
      );
    return group;
  }

  private grantee(group: IdentityGroupRecord, id: string): GranteeRecord {
    const grantee = isUuid(id)
      ? this.rights.granteesOf(group.id).find((each) => each.id === id.toLowerCase())
      : undefined;
    if (grantee === undefined) throw reject.notFound(`no grantee ${id} in identity group ${group.id}`);
    return grantee;
  }

  private privilege(group: IdentityGroupRecord, id: string): PrivilegeRecord {
    const privilege = isUuid(id) ? this.context.store.getRecord(PRIVILEGES, id.toLowerCase()) : undefined;
    if (privilege === undefined || privilege.identityGroupId !== group.id)
      throw reject.notFound(`no privilege ${id} in identity group ${group.id}`);
    return privilege;
  }

  private granteeName(group: IdentityGroupRecord, grantee: GranteeRecord): { id: string; name: string } {
    return { id: grantee.id, name: group.name };
  }

  /** The `name` of an `IdentityGroup`; non-empty `grantees`/`privileges` are refused on creation. */
  private settings(reader: CommandReader, creating: boolean): string | undefined {
    const name = reader.text('name', NAME_MAX, true);
    if (name !== undefined && name.trim() === '') reader.problem('name', 'REQUIRED', 'is required');
    const type = reader.command.type;
    if (type !== undefined && type !== null && type !== 'MANUAL')
      reader.problem(
        'type',
        'NOT_ALLOWED_VALUE',
        'must be MANUAL (DEFAULT groups come with direct privileges)',
        type,
      );
    if (creating)
      for (const field of ['grantees', 'privileges'])
        if (Array.isArray(reader.command[field]) && (reader.command[field] as unknown[]).length > 0)
          reader.problem(
            field,
            'NOT_ALLOWED_VALUE',
            `add ${field} after creating the group, with POST identity-groups/{id}/${field}/`,
          );
    return name;
  }

  /** The employee a `Grantee` names (`identityId`), the issuer being the caller. */
  private granteeSettings(caller: AdminCaller, body: unknown): Employee {
    const reader = new CommandReader('Grantee', body);
    const employee = this.rights.employeeNamed(reader, 'identityId', reader.uuid('identityId', true));
    this.rights.issuer(reader, caller);
    refuseProblems(reader.problems);
    return employee as Employee;
  }

  private privilegeSettings(caller: AdminCaller, body: unknown): PrivilegeSettings {
    const reader = new CommandReader('IdentityPrivilege', body);
    const settings = readPrivilege(reader, caller.organisation.id);
    this.rights.issuer(reader, caller, false);
    refuseProblems(reader.problems);
    return settings as PrivilegeSettings;
  }

  /** @throws Rejection 403 PRIVILEGE_NOT_HELD; 409 GRANTEE_EXISTS. */
  private mayJoin(
    caller: AdminCaller,
    group: IdentityGroupRecord,
    employee: Employee,
    self: GranteeRecord | undefined,
  ): void {
    const now = this.context.now();
    this.rights.mayGrant(
      caller,
      this.rights
        .privilegesIn(group.id)
        .filter((privilege) => isActive(privilege, now))
        .map((privilege) => privilege.type),
    );
    const member = this.rights
      .granteesOf(group.id)
      .find((each) => each.identityId === employee.id && each.id !== self?.id);
    if (member !== undefined)
      throw reject.adminConflict(
        'GRANTEE_EXISTS',
        `${employee.username} is a grantee of ${group.name} already (${member.id})`,
      );
  }

  /** @throws Rejection 409 PRIVILEGE_EXISTS when the group holds the type in the scope already. */
  private unique(
    group: IdentityGroupRecord,
    settings: PrivilegeSettings,
    self: PrivilegeRecord | undefined,
  ): void {
    const now = this.context.now();
    const taken = this.rights
      .privilegesIn(group.id)
      .find(
        (each) =>
          each.id !== self?.id &&
          each.type === settings.type &&
          each.scopeId === settings.scopeId &&
          isActive(each, now),
      );
    if (taken !== undefined)
      throw reject.adminConflict(
        'PRIVILEGE_EXISTS',
        `${group.name} holds ${settings.type} already (privilege ${taken.id})`,
      );
  }
}
