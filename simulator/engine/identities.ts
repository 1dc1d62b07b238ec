/**
 * Who calls Administrativ Adgang (docs/admin.md): test employees, their logins and bearer tokens,
 * the context organisation a token acts for and the switch to another (admin.md §8), and the
 * rights each call needs (`domain/admin-rights.ts`). Test organisations and employees are made
 * here too (the test portal, admin.md §12).
 */
import { randomInt } from 'node:crypto';
import { isOneOf, ORGANISATION_TYPES } from '../../sdk/ngdp/enums.ts';
import { isCprNumber, isCvrNumber, isUuid } from '../../sdk/ngdp/identifiers.ts';
import {
  ADMIN_RIGHTS,
  type AdminOperationId,
  type AdminRight,
  type InterpretedAdminOperationId,
  refusalOf,
  rightNamed,
  ruleOf,
  SYSTEM_MANAGER_RIGHTS,
} from '../domain/admin-rights.ts';
import {
  type AdminSession,
  actorOf,
  bearerToken,
  type Employee,
  hashPassword,
  isUsername,
  newToken,
  passwordMatches,
  passwordProblem,
  sessionIdOf,
} from '../domain/employees.ts';
import type { Organisation } from '../domain/model.ts';
import { collection } from '../store/store.ts';
import type { AdminLog } from './admin-log.ts';
import type { EngineContext } from './context.ts';
import { reject } from './rejections.ts';
import type { Rights } from './rights.ts';
import type { Subscriptions } from './subscriptions.ts';

/** The test employees (scope: the organisation each belongs to). */
export const EMPLOYEES = collection<Employee>('employees', (employee) => employee.organisationId);
/** Bearer tokens' sessions, by the SHA-256 of the token (scope: the employee). */
export const ADMIN_SESSIONS = collection<AdminSession>('admin-sessions', (session) => session.employeeId);

/** An employee calling in a context, as a use case of the administration gets it. */
export interface AdminCaller {
  employee: Employee;
  /** The context organisation. */
  organisation: Organisation;
  /** The administrative rights the employee holds there (admin.md §0.1). */
  rights: readonly AdminRight[];
  /** Every privilege type it holds there: what it may grant. */
  held: readonly string[];
  /** The action log's actor (admin.md §0.3). */
  actor: string;
}

/** A bearer token handed out once, with what it is bound to. */
export interface IssuedToken {
  token: string;
  session: AdminSession;
}

/** A test employee to create, as given (unchecked). */
export interface EmployeeInput {
  username?: unknown;
  password?: unknown;
  name?: unknown;
  rights?: unknown;
  /** Optional: the CPR number `validateCPR` compares with. */
  cprNumber?: unknown;
}

/** A test organisation to create (`TestOrganisationCommand`), as given (unchecked). */
export interface TestOrganisationInput {
  cvrNumber?: unknown;
  name?: unknown;
  type?: unknown;
  authorityType?: unknown;
  legalNotificationAllowed?: unknown;
  mandatoryPostAllowed?: unknown;
}

const AUTHORITY_TYPES = ['STATE', 'MUNICIPALITY', 'REGION', 'OTHER'] as const;

/** The rights of a request body: NgDP privilege names or their test names ({@link rightNamed}). */
function rightsOf(value: unknown, resource: string): AdminRight[] {
  const rights = Array.isArray(value) ? value.map(rightNamed) : [undefined];
  if (rights.includes(undefined))
    throw reject.invalidField(
      resource,
      'rights',
      'NOT_ALLOWED_VALUE',
      `must be a list of ${ADMIN_RIGHTS.join(', ')} (or their test names, such as "DP Admin")`,
      value,
    );
  return [...new Set(rights as AdminRight[])];
}

/**
 * @throws Rejection RIGHT_MISSING unless the caller may administer the organisation's employees
 *   (the test portal's employee functions).
 */
function administersUsers(caller: AdminCaller): void {
  if (!caller.rights.includes('ORGANISATION_USER_ADMINISTRATOR'))
    throw reject.rightMissing(['ORGANISATION_USER_ADMINISTRATOR']);
}

export class Identities {
  private readonly context: EngineContext;
  private readonly log: AdminLog;
  private readonly rights: Rights;
  private readonly subscriptions: Subscriptions;

  constructor(context: EngineContext, log: AdminLog, rights: Rights, subscriptions: Subscriptions) {
    this.context = context;
    this.log = log;
    this.rights = rights;
    this.subscriptions = subscriptions;
  }

  // ---------------------------------------------------------------- calls

  /**
   * The employee behind a bearer token, in its context organisation, allowed to make `operationId`
   * (NgDP's, or one at an interpreted `/admin/v1` path) on the organisation `pathOrganisationId`
   * (when the path names one).
   *
   * @throws Rejection `unauthenticated` without a valid, unexpired token; `forbidden`
   *   WRONG_CONTEXT, RIGHT_MISSING or AUTHORITY_ONLY.
   */
  caller(
    authorization: string | undefined,
    operationId: AdminOperationId | InterpretedAdminOperationId,
    pathOrganisationId?: string,
  ): AdminCaller {
    const caller = this.authenticate(authorization);
    if (pathOrganisationId !== undefined && pathOrganisationId.toLowerCase() !== caller.organisation.id)
      throw reject.wrongContext(pathOrganisationId);
    const refusal = refusalOf(operationId, caller.rights, caller.organisation.type);
    if (refusal === 'RIGHT_MISSING') throw reject.rightMissing(ruleOf(operationId).rights);
    if (refusal === 'AUTHORITY_ONLY') throw reject.authorityOnly();
    return caller;
  }

  /**
   * The employee behind a bearer token, in its context organisation, whatever its rights.
   *
   * @throws Rejection `unauthenticated` without a valid, unexpired token.
   */
  authenticate(authorization: string | undefined): AdminCaller {
    const { store } = this.context;
    const token = bearerToken(authorization);
    const session = token === undefined ? undefined : store.getRecord(ADMIN_SESSIONS, sessionIdOf(token));
    if (session === undefined) throw reject.adminTokenRequired();
    if (session.expiresAt <= this.context.now()) {
      this.context.change(() => store.deleteRecord(ADMIN_SESSIONS, session.id));
      throw reject.adminTokenExpired();
    }
    const employee = store.getRecord(EMPLOYEES, session.employeeId);
    const organisation = store.getOrganisation(session.organisationId);
    if (employee === undefined || organisation === undefined) throw reject.adminTokenRequired();
    if (employee.status === 'INACTIVE') throw reject.identityInactive();
    const home = store.getOrganisation(employee.organisationId);
    // Read on every call: a right granted or revoked applies to the tokens already given out.
    const rights = session.asSystemManager
      ? SYSTEM_MANAGER_RIGHTS
      : this.rights.adminRights(employee.id, organisation.id);
    return {
      employee,
      organisation,
      rights,
      held: session.asSystemManager ? rights : this.rights.held(employee.id, organisation.id),
      actor: actorOf(home?.cvrNumber ?? organisation.cvrNumber, employee.rid),
    };
  }

  /**
   * Logs a test employee in: a bearer token for its own organisation, or for `organisationId` when
   * it holds rights there.
   *
   * @throws Rejection LOGIN_FAILED for an unknown username or a wrong password (the same answer);
   *   `forbidden` for an organisation it holds no rights in.
   */
  login(username: unknown, password: unknown, organisationId?: unknown): IssuedToken {
    const employee = this.employeeLoggingIn(username, password);
    if (organisationId === undefined) return this.issue(employee, employee.organisationId, false);
    const organisation = this.organisationNamed({ organisationId });
    if (this.rights.adminRights(employee.id, organisation.id).length === 0)
      throw reject.rightMissing(['any right in organisation ' + organisation.id]);
    return this.issue(employee, organisation.id, false);
  }

  /**
   * The employee a username and password name (OAuth's authorization step checks them this way).
   *
   * @throws Rejection REQUIRED without either; LOGIN_FAILED for an unknown username or a wrong
   *   password (the same answer).
   */
  employeeLoggingIn(username: unknown, password: unknown): Employee {
    if (typeof username !== 'string' || username === '') throw reject.requiredField('login', 'username');
    if (typeof password !== 'string' || password === '') throw reject.requiredField('login', 'password');
    const employee = this.byUsername(username);
    if (!passwordMatches(employee?.passwordHash, password) || employee === undefined)
      throw reject.loginFailed();
    if (employee.status === 'INACTIVE') throw reject.identityInactive();
    return employee;
  }

  /**
   * Ends the session of a bearer token (OAuth's revocation and logout); false when it names none.
   */
  endSession(token: string): boolean {
    const { store } = this.context;
    const id = sessionIdOf(token);
    if (store.getRecord(ADMIN_SESSIONS, id) === undefined) return false;
    this.context.change(() => store.deleteRecord(ADMIN_SESSIONS, id));
    return true;
  }

  /** The organisations the caller may switch to: where it holds rights (admin.md §8). */
  contexts(caller: AdminCaller): Array<{ organisation: Organisation; rights: AdminRight[] }> {
    const { store } = this.context;
    return [...this.rights.scopes(caller.employee.id)].flatMap(([organisationId, rights]) => {
      const organisation = store.getOrganisation(organisationId);
      return organisation === undefined ? [] : [{ organisation, rights }];
    });
  }

  /** The organisations an employee holds administrative rights in now, with those rights. */
  rightsOf(employee: Employee): Map<string, AdminRight[]> {
    return this.rights.scopes(employee.id);
  }

  /**
   * A new token for the caller in another organisation (by id or CVR number): one where it holds
   * rights, or any as system manager (admin.md §8). The caller's token stays valid.
   *
   * @throws Rejection NOT_FOUND for an unknown organisation; RIGHT_MISSING for one it holds no
   *   rights in.
   */
  switchContext(caller: AdminCaller, target: { organisationId?: unknown; cvrNumber?: unknown }): IssuedToken {
    const organisation = this.organisationNamed(target);
    const scopes = this.rights.scopes(caller.employee.id);
    if ((scopes.get(organisation.id) ?? []).length > 0)
      return this.issue(caller.employee, organisation.id, false);
    const manager = [...scopes.values()].some((rights) => rights.includes('SYSTEM_MANAGER'));
    if (!manager)
      throw reject.rightMissing(['any right in organisation ' + organisation.id, 'SYSTEM_MANAGER']);
    return this.issue(caller.employee, organisation.id, true);
  }

  // ---------------------------------------------------------------- the test portal

  /**
   * Creates a test employee of the caller's organisation (the caller must be its rights
   * administrator), with a generated RID.
   *
   * @throws Rejection RIGHT_MISSING without ORGANISATION_USER_ADMINISTRATOR; a field rejection for
   *   a wrong username (or one taken), password or right.
   */
  createEmployee(caller: AdminCaller, input: EmployeeInput): Employee {
    administersUsers(caller);
    const employee = this.newEmployee(caller.organisation.id, input);
    const rights = input.rights === undefined ? [] : rightsOf(input.rights, 'employee');
    this.context.change(() => {
      this.context.store.putRecord(EMPLOYEES, employee);
      this.log.changed(caller, {
        subject: 'Medarbejder',
        resourceId: employee.id,
        name: employee.username,
        event: 'Oprettet',
        eventTag: 'PRIVILEGES_GRANTED',
        after: { username: employee.username, name: employee.name },
      });
      // Its rights are direct privileges, each with its own row.
      this.rights.setDirect(caller, employee, rights);
    });
    return employee;
  }

  /**
   * Gives an employee (of any organisation: a vendor's, say) rights in the caller's organisation,
   * or takes them (an empty list): delegation, after which the employee can switch to it.
   *
   * @throws Rejection RIGHT_MISSING without ORGANISATION_USER_ADMINISTRATOR; NOT_FOUND for an
   *   unknown username.
   */
  grant(caller: AdminCaller, username: unknown, rights: unknown): Employee {
    administersUsers(caller);
    if (typeof username !== 'string') throw reject.requiredField('grant', 'username');
    const employee = this.byUsername(username);
    if (employee === undefined) throw reject.notFound(`no employee ${username}`);
    this.rights.setDirect(caller, employee, rightsOf(rights, 'grant'));
    return employee;
  }

  /**
   * Creates a test organisation (`TestOrganisationCommand`) and its first employee, the
   * "certificate holder", with every right (admin.md §12); the employee's password is generated
   * unless given. Sender systems subscribed to new organisations are told.
   *
   * @throws Rejection for a wrong field or a CVR number another organisation has (409).
   */
  createTestOrganisation(
    input: TestOrganisationInput,
    first: EmployeeInput = {},
  ): { organisation: Organisation; employee: Employee; password: string } {
    const { store } = this.context;
    const { cvrNumber, name, type } = input;
    if (!isCvrNumber(cvrNumber))
      throw reject.invalidField('organisation', 'cvrNumber', 'INVALID_FORMAT', 'must be 8 digits', cvrNumber);
    if (store.findOrganisationByCvr(cvrNumber) !== undefined)
      throw reject.adminConflict('CVR_NUMBER_IN_USE', `an organisation with CVR number ${cvrNumber} exists`, [
        {
          resource: 'organisation',
          field: 'cvrNumber',
          code: 'ALREADY_IN_USE',
          message: 'is the CVR number of another organisation',
          rejectedValue: cvrNumber,
        },
      ]);
    if (typeof name !== 'string' || name.trim() === '') throw reject.requiredField('organisation', 'name');
    if (name.length > 200)
      throw reject.invalidField('organisation', 'name', 'TOO_LONG', 'must be at most 200 characters', name);
    const kind = type ?? 'AUTHORITY';
    if (!isOneOf(ORGANISATION_TYPES, kind))
      throw reject.invalidField(
        'organisation',
        'type',
        'NOT_ALLOWED_VALUE',
        'must be AUTHORITY or COMPANY',
        kind,
      );
    if (input.authorityType !== undefined && !isOneOf(AUTHORITY_TYPES, input.authorityType))
      throw reject.invalidField(
        'organisation',
        'authorityType',
        'NOT_ALLOWED_VALUE',
        `must be one of ${AUTHORITY_TYPES.join(', ')}`,
        input.authorityType,
      );
    for (const flag of ['legalNotificationAllowed', 'mandatoryPostAllowed'] as const)
      if (input[flag] !== undefined && typeof input[flag] !== 'boolean')
        throw reject.invalidField(
          'organisation',
          flag,
          'INVALID_FORMAT',
          'must be true or false',
          input[flag],
        );
    const organisation: Organisation = {
      id: this.context.newId(),
      cvrNumber,
      name,
      type: kind,
      mandatoryPostAllowed: input.mandatoryPostAllowed === true,
      legalNotificationAllowed: input.legalNotificationAllowed === true,
    };
    const password = typeof first.password === 'string' ? first.password : newToken().slice(0, 16);
    const employee = this.newEmployee(organisation.id, {
      username: first.username ?? `admin-${cvrNumber}`,
      password,
      name: first.name ?? `Certifikatholder ${name}`,
    });
    const now = this.context.now();
    this.context.change(() => {
      store.putOrganisation(organisation);
      store.putRecord(EMPLOYEES, employee);
      this.rights.putInitial(
        this.rights.initialRecords(
          employee,
          [[organisation.id, ADMIN_RIGHTS]],
          () => this.context.newId(),
          now,
        ),
      );
      this.subscriptions.organisationChanged(organisation, 'CREATED');
    });
    return { organisation, employee, password };
  }

  /**
   * The test employees holding rights in the caller's organisation, or belonging to it (the test
   * portal's list), by username.
   *
   * @throws Rejection RIGHT_MISSING without ORGANISATION_USER_ADMINISTRATOR.
   */
  employeesOf(caller: AdminCaller): Employee[] {
    administersUsers(caller);
    const organisationId = caller.organisation.id;
    return this.context.store
      .listRecords(EMPLOYEES)
      .filter(
        (employee) =>
          employee.organisationId === organisationId || this.rights.scopes(employee.id).has(organisationId),
      )
      .sort((a, b) => (a.username < b.username ? -1 : 1));
  }

  /**
   * Deletes a test employee of the caller's organisation: its logins end at once.
   *
   * @throws Rejection RIGHT_MISSING without ORGANISATION_USER_ADMINISTRATOR; NOT_FOUND for a
   *   username that is not an employee of the caller's organisation; a conflict for the caller itself.
   */
  deleteEmployee(caller: AdminCaller, username: string): void {
    administersUsers(caller);
    const employee = this.byUsername(username);
    if (employee === undefined || employee.organisationId !== caller.organisation.id)
      throw reject.notFound(`no employee ${username} of this organisation`);
    if (employee.id === caller.employee.id)
      throw reject.adminConflict('OWN_LOGIN', 'an employee cannot delete itself; log in as another');
    const { store } = this.context;
    const rights = this.rights.adminRights(employee.id, caller.organisation.id);
    this.context.change(() => {
      for (const session of store.listRecords(ADMIN_SESSIONS, employee.id))
        store.deleteRecord(ADMIN_SESSIONS, session.id);
      this.rights.forget(employee.id);
      store.deleteRecord(EMPLOYEES, employee.id);
      this.log.changed(caller, {
        subject: 'Medarbejder',
        resourceId: employee.id,
        name: employee.username,
        event: 'Slettet',
        eventTag: 'PRIVILEGES_REVOKED',
        before: { username: employee.username, rights },
      });
    });
  }

  /** Every test employee (the control API, the fixtures). */
  employees(): Employee[] {
    return this.context.store.listRecords(EMPLOYEES);
  }

  // ---------------------------------------------------------------- helpers

  private newEmployee(organisationId: string, input: EmployeeInput): Employee {
    const { username, password, name, cprNumber } = input;
    if (!isUsername(username))
      throw reject.invalidField(
        'employee',
        'username',
        'INVALID_FORMAT',
        'must be 3–64 of the characters A–Z, a–z, 0–9, ".", "_" and "-"',
        username,
      );
    if (this.byUsername(username) !== undefined)
      throw reject.invalidField(
        'employee',
        'username',
        'ALREADY_IN_USE',
        'is taken by another employee',
        username,
      );
    const problem = passwordProblem(password);
    if (problem !== undefined) throw reject.invalidField('employee', 'password', 'INVALID_FORMAT', problem);
    if (name !== undefined && (typeof name !== 'string' || name.length > 200))
      throw reject.invalidField(
        'employee',
        'name',
        'INVALID_FORMAT',
        'must be a text of at most 200 characters',
        name,
      );
    // Never the value itself in the answer: it may be most of a CPR number.
    if (cprNumber !== undefined && !isCprNumber(cprNumber))
      throw reject.invalidField('employee', 'cprNumber', 'INVALID_FORMAT', 'must be 10 digits');
    if (input.rights !== undefined) rightsOf(input.rights, 'employee');
    const now = this.context.now();
    return {
      id: this.context.newId(),
      username,
      passwordHash: hashPassword(password as string),
      name: typeof name === 'string' ? name : username,
      rid: String(randomInt(10_000_000, 100_000_000)),
      organisationId,
      ...(cprNumber === undefined ? {} : { cprNumber }),
      version: 1,
      createdDate: now,
      lastUpdated: now,
    };
  }

  /** The employee with the id, if there is one. */
  employee(id: string): Employee | undefined {
    return this.context.store.getRecord(EMPLOYEES, id);
  }

  private byUsername(username: string): Employee | undefined {
    return this.context.store.listRecords(EMPLOYEES).find((employee) => employee.username === username);
  }

  /** The organisation named by id or CVR number. @throws Rejection when neither names one. */
  private organisationNamed(target: { organisationId?: unknown; cvrNumber?: unknown }): Organisation {
    const { store } = this.context;
    const { organisationId, cvrNumber } = target;
    if (organisationId !== undefined) {
      if (!isUuid(organisationId))
        throw reject.invalidField(
          'context',
          'organisationId',
          'INVALID_FORMAT',
          'must be a UUID',
          organisationId,
        );
      const found = store.getOrganisation(organisationId.toLowerCase());
      if (found === undefined) throw reject.notFound(`no organisation ${organisationId}`);
      return found;
    }
    if (cvrNumber === undefined)
      throw reject.requiredField('context', 'organisationId', 'or cvrNumber is required');
    if (!isCvrNumber(cvrNumber))
      throw reject.invalidField('context', 'cvrNumber', 'INVALID_FORMAT', 'must be 8 digits', cvrNumber);
    const found = store.findOrganisationByCvr(cvrNumber);
    if (found === undefined) throw reject.notFound(`no organisation with CVR number ${cvrNumber}`);
    return found;
  }

  /** A new bearer token of `employee` in `organisationId` (a login, a context switch, OAuth's grants). */
  issue(employee: Employee, organisationId: string, asSystemManager: boolean): IssuedToken {
    const token = newToken();
    const now = this.context.now();
    const session: AdminSession = {
      id: sessionIdOf(token),
      employeeId: employee.id,
      organisationId,
      ...(asSystemManager ? { asSystemManager: true } : {}),
      issuedAt: now,
      expiresAt: now + this.context.settings.admin.tokenLifetimeMs,
    };
    const { store } = this.context;
    this.context.change(() => {
      // The employee's expired sessions go as it logs in again, so that they do not pile up.
      for (const old of store.listRecords(ADMIN_SESSIONS, employee.id))
        if (old.expiresAt <= now) store.deleteRecord(ADMIN_SESSIONS, old.id);
      store.putRecord(ADMIN_SESSIONS, session);
    });
    return { token, session };
  }
}
