/**
 * Rights (Rettighedsportalen; docs/admin.md, "Rights"): identity groups, their grantees and
 * privileges in the store, the effective rights of an employee in an organisation that the admin
 * guard reads on every call, and direct privileges — privileges in an employee's own DEFAULT group
 * — as `privileges/direct/**` and the test portal grant them. Nobody grants what it does not hold.
 */
import type { PrivilegeType } from '../../sdk/ngdp/enums.ts';
import { isUuid } from '../../sdk/ngdp/identifiers.ts';
import { ADMIN_RIGHTS, type AdminRight } from '../domain/admin-rights.ts';
import type { Employee } from '../domain/employees.ts';
import type { CommandProblem } from '../domain/mail-system.ts';
import {
  CommandReader,
  type GranteeRecord,
  heldTypes,
  type IdentityGroupRecord,
  isActive,
  type PrivilegeRecord,
  type PrivilegeSettings,
  readPrivilege,
} from '../domain/privileges.ts';
import { collection } from '../store/store.ts';
import type { AdminLog } from './admin-log.ts';
import type { EngineContext } from './context.ts';
import { type AdminCaller, EMPLOYEES } from './identities.ts';
import { Rejection, reject } from './rejections.ts';
import { expectVersion, type VersionCheck } from './versions.ts';

/** Identity groups (scope: the organisation whose administration shows them). */
export const IDENTITY_GROUPS = collection<IdentityGroupRecord>(
  'identity-groups',
  (group) => group.organisationId,
);
/** Grantees (scope: the employee, so that the guard finds an employee's groups at once). */
export const GRANTEES = collection<GranteeRecord>('grantees', (grantee) => grantee.identityId);
/** Privileges (scope: their group). */
export const PRIVILEGES = collection<PrivilegeRecord>('privileges', (privilege) => privilege.identityGroupId);

/** The action log's subject of every change of rights. */
export const RIGHTS_SUBJECT = 'Rettigheder';

/** A direct privilege with its grantee (the DEFAULT group's employee). */
export interface DirectPrivilegeView {
  privilege: PrivilegeRecord;
  granteeId: string;
}

/** @throws Rejection 400 with every problem, when there are any. */
export function refuseProblems(problems: readonly CommandProblem[]): void {
  if (problems.length === 0) return;
  throw new Rejection(
    'invalid',
    problems[0]?.code ?? 'INVALID_FORMAT',
    problems.map((problem) => `${problem.field}: ${problem.message}`).join('; '),
    problems,
  );
}

export class Rights {
  private readonly context: EngineContext;
  private readonly log: AdminLog;

  constructor(context: EngineContext, log: AdminLog) {
    this.context = context;
    this.log = log;
  }

  // ---------------------------------------------------------------- what an employee holds

  /** The privileges of every group `employeeId` is a grantee of (active or not). */
  privilegesOf(employeeId: string): PrivilegeRecord[] {
    const { store } = this.context;
    return store
      .listRecords(GRANTEES, employeeId)
      .flatMap((grantee) => store.listRecords(PRIVILEGES, grantee.identityGroupId));
  }

  /** The privilege types `employeeId` holds in `scopeId` now. */
  held(employeeId: string, scopeId: string): PrivilegeType[] {
    return heldTypes(this.privilegesOf(employeeId), scopeId, this.context.now());
  }

  /** The administrative rights (admin.md §0.1) `employeeId` holds in `scopeId` now. */
  adminRights(employeeId: string, scopeId: string): AdminRight[] {
    const held: readonly string[] = this.held(employeeId, scopeId);
    return ADMIN_RIGHTS.filter((right) => held.includes(right));
  }

  /** The organisations `employeeId` holds administrative rights in now, with those rights. */
  scopes(employeeId: string): Map<string, AdminRight[]> {
    const now = this.context.now();
    const scopes = new Map<string, AdminRight[]>();
    for (const privilege of this.privilegesOf(employeeId)) {
      const right = ADMIN_RIGHTS.find((each) => each === privilege.type);
      if (right === undefined || !isActive(privilege, now)) continue;
      const rights = scopes.get(privilege.scopeId) ?? [];
      if (!rights.includes(right)) rights.push(right);
      scopes.set(privilege.scopeId, rights);
    }
    return scopes;
  }

  /**
   * @throws Rejection 403 PRIVILEGE_NOT_HELD naming the first of `types` the caller does not hold in
   *   its context: nobody grants more than it holds (docs/differences.md).
   */
  mayGrant(caller: AdminCaller, types: readonly string[]): void {
    const missing = types.find((type) => !caller.held.includes(type));
    if (missing !== undefined) throw reject.privilegeNotHeld(missing, caller.organisation.id);
  }

  // ---------------------------------------------------------------- records

  /** The employee `id` names. @throws Rejection 400 `field` NOT_FOUND for another id. */
  employeeNamed(reader: CommandReader, field: string, id: string | undefined): Employee | undefined {
    if (id === undefined) return undefined;
    const employee = this.context.store.getRecord(EMPLOYEES, id);
    if (employee === undefined)
      reader.problem(field, 'NOT_FOUND', 'is no employee (only employees are granted privileges here)', id);
    return employee;
  }

  /** The group `id` names, if any. */
  group(id: string): IdentityGroupRecord | undefined {
    return isUuid(id) ? this.context.store.getRecord(IDENTITY_GROUPS, id.toLowerCase()) : undefined;
  }

  /** The grantees of a group, oldest first. */
  granteesOf(groupId: string): GranteeRecord[] {
    return this.context.store.listRecords(GRANTEES).filter((grantee) => grantee.identityGroupId === groupId);
  }

  /** The privileges of a group, oldest first. */
  privilegesIn(groupId: string): PrivilegeRecord[] {
    return this.context.store.listRecords(PRIVILEGES, groupId);
  }

  /** The employee's DEFAULT group, if it has one. */
  defaultGroupOf(employeeId: string): IdentityGroupRecord | undefined {
    const { store } = this.context;
    for (const grantee of store.listRecords(GRANTEES, employeeId)) {
      const group = store.getRecord(IDENTITY_GROUPS, grantee.identityGroupId);
      if (group?.type === 'DEFAULT' && group.ownerId === employeeId) return group;
    }
    return undefined;
  }

  /**
   * Removes everything that gives a deleted employee rights: its DEFAULT group with its direct
   * privileges, and its places in other groups (inside the caller's change).
   */
  forget(employeeId: string): void {
    const { store } = this.context;
    const own = this.defaultGroupOf(employeeId);
    if (own !== undefined) {
      for (const privilege of this.privilegesIn(own.id)) store.deleteRecord(PRIVILEGES, privilege.id);
      for (const grantee of this.granteesOf(own.id)) store.deleteRecord(GRANTEES, grantee.id);
      store.deleteRecord(IDENTITY_GROUPS, own.id);
    }
    for (const grantee of store.listRecords(GRANTEES, employeeId)) store.deleteRecord(GRANTEES, grantee.id);
  }

  /** Writes an action-log row of a change of rights (inside the caller's change). */
  logged(
    caller: AdminCaller,
    what: { id: string; name: string },
    event: 'Oprettet' | 'Redigeret' | 'Slettet',
    before: Record<string, unknown> | undefined,
    after: Record<string, unknown> | undefined,
    eventTag: 'PRIVILEGES_GRANTED' | 'PRIVILEGES_REVOKED',
  ): void {
    this.log.changed(caller, {
      subject: RIGHTS_SUBJECT,
      resourceId: what.id,
      name: what.name,
      event,
      eventTag,
      ...(before === undefined ? {} : { before }),
      ...(after === undefined ? {} : { after }),
    });
  }

  // ---------------------------------------------------------------- direct privileges

  /**
   * The direct privileges of `employeeId` that the caller administers (scoped to its context),
   * oldest first.
   */
  directPrivileges(caller: AdminCaller, employeeId: string): DirectPrivilegeView[] {
    const group = isUuid(employeeId) ? this.defaultGroupOf(employeeId.toLowerCase()) : undefined;
    if (group === undefined) return [];
    return this.privilegesIn(group.id)
      .filter((privilege) => privilege.scopeId === caller.organisation.id)
      .map((privilege) => ({ privilege, granteeId: group.ownerId }));
  }

  /**
   * Grants a direct privilege (`DirectPrivilege`): a privilege in the grantee's DEFAULT group.
   *
   * @throws Rejection 400 with every field at fault; 403 PRIVILEGE_NOT_HELD; 409 PRIVILEGE_EXISTS.
   */
  createDirect(caller: AdminCaller, body: unknown): DirectPrivilegeView {
    const [view] = this.bulk(caller, { privilegesToAdd: [body] }, '');
    return view as DirectPrivilegeView;
  }

  /**
   * Adds and revokes direct privileges in one change: every item is checked first, and one at fault
   * changes nothing. Answers the privileges added.
   *
   * @throws Rejection 400 with every field at fault (`privilegesToAdd[1].type`); 403
   *   PRIVILEGE_NOT_HELD; 409 PRIVILEGE_EXISTS, VERSION_CONFLICT.
   */
  bulk(caller: AdminCaller, body: unknown, prefix = 'privilegesToAdd'): DirectPrivilegeView[] {
    const outer = new CommandReader('BulkDirectPrivileges', body);
    const { privilegesToAdd = [], privilegesToRemove = [] } = outer.command;
    for (const [field, list] of Object.entries({ privilegesToAdd, privilegesToRemove }))
      if (!Array.isArray(list)) outer.problem(field, 'INVALID_FORMAT', 'must be an array', list);
    refuseProblems(outer.problems);
    const problems: CommandProblem[] = [];
    const adds = (privilegesToAdd as unknown[]).map((item, index) => {
      const reader = new CommandReader(
        'DirectPrivilegeCommand',
        item,
        prefix === '' ? '' : `${prefix}[${index}].`,
      );
      const settings = readPrivilege(reader, caller.organisation.id);
      const grantee = this.employeeNamed(reader, 'granteeId', reader.uuid('granteeId', true));
      this.issuer(reader, caller);
      problems.push(...reader.problems);
      return { settings, grantee };
    });
    const removals = (privilegesToRemove as unknown[]).map((item, index) => {
      const reader = new CommandReader(
        'DirectPrivilegeBulkRevocation',
        item,
        `privilegesToRemove[${index}].`,
      );
      const id = reader.uuid('id', true);
      this.issuer(reader, caller);
      const version = reader.command.version;
      if (version !== undefined && version !== null && !Number.isInteger(version))
        reader.problem('version', 'INVALID_FORMAT', 'must be an integer', version);
      const privilege = id === undefined ? undefined : this.direct(caller, id);
      if (id !== undefined && privilege === undefined)
        reader.problem('id', 'NOT_FOUND', 'is no direct privilege in the context organisation', id);
      problems.push(...reader.problems);
      return { privilege, version: typeof version === 'number' ? version : undefined };
    });
    refuseProblems(problems);
    this.mayGrant(
      caller,
      adds.map(({ settings }) => (settings as PrivilegeSettings).type),
    );
    for (const { privilege, version } of removals)
      if (privilege !== undefined && version !== undefined)
        expectVersion(this.context, `privilege ${privilege.privilege.id}`, privilege.privilege.version, {
          header: String(version),
          required: false,
        });
    return this.context.change(() => {
      for (const { privilege } of removals) if (privilege !== undefined) this.revokeDirect(caller, privilege);
      return adds.map(({ settings, grantee }) =>
        this.addDirect(caller, grantee as Employee, settings as PrivilegeSettings),
      );
    });
  }

  /**
   * Revokes a direct privilege (`DirectPrivilegeRevocation` names the issuer).
   *
   * @throws Rejection 404 for one the context organisation does not have; 400 for the body; 409
   *   VERSION_CONFLICT.
   */
  deleteDirect(caller: AdminCaller, id: string, body: unknown, version: VersionCheck): void {
    const view = this.direct(caller, id);
    if (view === undefined)
      throw reject.notFound(`no direct privilege ${id} in organisation ${caller.organisation.id}`);
    const reader = new CommandReader('DirectPrivilegeRevocation', body);
    this.issuer(reader, caller);
    refuseProblems(reader.problems);
    expectVersion(this.context, `privilege ${view.privilege.id}`, view.privilege.version, version);
    this.context.change(() => this.revokeDirect(caller, view));
  }

  /**
   * Makes `employee`'s direct privileges in the caller's context exactly `rights` (the test
   * portal's "employee with rights"; an empty list takes them all).
   *
   * @throws Rejection 403 PRIVILEGE_NOT_HELD for a right the caller does not hold.
   */
  setDirect(caller: AdminCaller, employee: Employee, rights: readonly AdminRight[]): void {
    const current = this.directPrivileges(caller, employee.id).filter(({ privilege }) =>
      isActive(privilege, this.context.now()),
    );
    const adding = rights.filter((right) => !current.some(({ privilege }) => privilege.type === right));
    this.mayGrant(caller, adding);
    this.context.change(() => {
      for (const view of current)
        if (!rights.some((right) => right === view.privilege.type)) this.revokeDirect(caller, view);
      for (const type of adding)
        this.addDirect(caller, employee, { scopeId: caller.organisation.id, type, source: 'MANUAL' });
    });
  }

  /**
   * The first rights of an employee (the test organisation's certificate holder, the seed): its
   * DEFAULT group with a direct privilege per right and scope, issued by itself, without an
   * action-log row.
   */
  initialRecords(
    employee: Employee,
    grants: ReadonlyArray<readonly [scopeId: string, rights: readonly AdminRight[]]>,
    ids: () => string,
    time: number,
  ): { group: IdentityGroupRecord; grantee: GranteeRecord; privileges: PrivilegeRecord[] } {
    const group = defaultGroup(employee, ids(), employee.id, time);
    return {
      group,
      grantee: granteeRecord(ids(), group.id, employee.id, employee.id, time),
      privileges: grants.flatMap(([scopeId, rights]) =>
        rights.map((type) =>
          privilegeRecord(ids(), group.id, employee.id, { scopeId, type, source: 'MANUAL' }, time),
        ),
      ),
    };
  }

  /**
   * Employees kept by an earlier version (a data directory from before rights were privileges)
   * carry their rights per organisation on the record: they become direct privileges, once, as
   * the engine starts.
   */
  adoptStoredRights(): void {
    const { store } = this.context;
    const legacy = store
      .listRecords(EMPLOYEES)
      .filter((employee) => Object.hasOwn(employee, 'rights')) as Array<
      Employee & { rights?: Record<string, unknown> }
    >;
    if (legacy.length === 0) return;
    this.context.change(() => {
      for (const { rights = {}, ...employee } of legacy) {
        store.putRecord(EMPLOYEES, employee);
        const grants = Object.entries(rights).map(
          ([scopeId, held]) =>
            [scopeId, ADMIN_RIGHTS.filter((right) => Array.isArray(held) && held.includes(right))] as const,
        );
        if (grants.some(([, held]) => held.length > 0) && this.defaultGroupOf(employee.id) === undefined)
          this.putInitial(
            this.initialRecords(employee, grants, () => this.context.newId(), employee.lastUpdated),
          );
      }
    });
  }

  /**
   * Every administrative right for each seeded employee in its own organisation, with fixed ids
   * (`9…` UUIDs) so that a reset gives the same records. Inside the caller's transaction.
   */
  seed(employees: readonly Employee[]): void {
    let n = 0;
    const ids = (): string => `90000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;
    for (const employee of employees)
      this.putInitial(
        this.initialRecords(employee, [[employee.organisationId, ADMIN_RIGHTS]], ids, employee.createdDate),
      );
  }

  /** Writes the records of {@link initialRecords} (inside the caller's change). */
  putInitial(records: ReturnType<Rights['initialRecords']>): void {
    const { store } = this.context;
    store.putRecord(IDENTITY_GROUPS, records.group);
    store.putRecord(GRANTEES, records.grantee);
    for (const privilege of records.privileges) store.putRecord(PRIVILEGES, privilege);
  }

  /** The `issuerId` a command names (required unless `required` is false) must be the caller. */
  issuer(reader: CommandReader, caller: AdminCaller, required = true): void {
    const issuerId = reader.uuid('issuerId', required);
    if (issuerId !== undefined && issuerId !== caller.employee.id)
      reader.problem(
        'issuerId',
        'NOT_ALLOWED_VALUE',
        `must be the caller's own identity ${caller.employee.id}`,
        issuerId,
      );
  }

  // ---------------------------------------------------------------- helpers

  /** The direct privilege `id` in the caller's context organisation. */
  private direct(caller: AdminCaller, id: string): DirectPrivilegeView | undefined {
    const { store } = this.context;
    const privilege = isUuid(id) ? store.getRecord(PRIVILEGES, id.toLowerCase()) : undefined;
    const group =
      privilege === undefined ? undefined : store.getRecord(IDENTITY_GROUPS, privilege.identityGroupId);
    if (privilege === undefined || group?.type !== 'DEFAULT' || privilege.scopeId !== caller.organisation.id)
      return undefined;
    return { privilege, granteeId: group.ownerId };
  }

  private addDirect(
    caller: AdminCaller,
    employee: Employee,
    settings: PrivilegeSettings,
  ): DirectPrivilegeView {
    const { store } = this.context;
    const now = this.context.now();
    let group = this.defaultGroupOf(employee.id);
    if (group === undefined) {
      group = defaultGroup(employee, this.context.newId(), caller.employee.id, now);
      store.putRecord(IDENTITY_GROUPS, group);
      store.putRecord(
        GRANTEES,
        granteeRecord(this.context.newId(), group.id, employee.id, caller.employee.id, now),
      );
    }
    const taken = this.privilegesIn(group.id).find(
      (privilege) =>
        privilege.type === settings.type &&
        privilege.scopeId === settings.scopeId &&
        isActive(privilege, now),
    );
    if (taken !== undefined)
      throw reject.adminConflict(
        'PRIVILEGE_EXISTS',
        `${employee.username} holds ${settings.type} in ${settings.scopeId} already (privilege ${taken.id})`,
      );
    const privilege = privilegeRecord(this.context.newId(), group.id, caller.employee.id, settings, now);
    store.putRecord(PRIVILEGES, privilege);
    this.logged(
      caller,
      { id: privilege.id, name: employee.username },
      'Oprettet',
      undefined,
      shownPrivilege(privilege),
      'PRIVILEGES_GRANTED',
    );
    return { privilege, granteeId: employee.id };
  }

  private revokeDirect(caller: AdminCaller, view: DirectPrivilegeView): void {
    this.context.store.deleteRecord(PRIVILEGES, view.privilege.id);
    const employee = this.context.store.getRecord(EMPLOYEES, view.granteeId);
    this.logged(
      caller,
      { id: view.privilege.id, name: employee?.username ?? view.granteeId },
      'Slettet',
      shownPrivilege(view.privilege),
      {},
      'PRIVILEGES_REVOKED',
    );
  }
}

/** The fields of a privilege the action log shows. */
export function shownPrivilege(privilege: PrivilegeRecord): Record<string, unknown> {
  return {
    type: privilege.type,
    scopeId: privilege.scopeId,
    source: privilege.source,
    activeToDateTime:
      privilege.activeTo === undefined ? undefined : new Date(privilege.activeTo).toISOString(),
  };
}

function defaultGroup(employee: Employee, id: string, issuerId: string, time: number): IdentityGroupRecord {
  return {
    id,
    version: 1,
    name: `DEFAULT ${employee.username}`,
    type: 'DEFAULT',
    organisationId: employee.organisationId,
    ownerId: employee.id,
    issuerId,
    createdDate: time,
    lastUpdated: time,
  };
}

export function granteeRecord(
  id: string,
  identityGroupId: string,
  identityId: string,
  issuerId: string,
  time: number,
): GranteeRecord {
  return { id, version: 1, identityGroupId, identityId, issuerId, createdDate: time, lastUpdated: time };
}

export function privilegeRecord(
  id: string,
  identityGroupId: string,
  issuerId: string,
  settings: PrivilegeSettings,
  time: number,
): PrivilegeRecord {
  return { id, version: 1, identityGroupId, issuerId, ...settings, createdDate: time, lastUpdated: time };
}
