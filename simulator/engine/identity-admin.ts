/**
 * Identities as the rights administrator sees them (docs/admin.md, "Identities"): its
 * organisation and the employees it administers — its own, and others holding privileges in it —
 * their names, e-mail subscriptions and status (`identities/**`), the privilege types it may grant
 * (`privilege-types/`), and the check of a CPR number against the caller (`validateCPR`).
 */
import { isCprNumber, isUuid } from '../../sdk/ngdp/identifiers.ts';
import type { Employee } from '../domain/employees.ts';
import type { Organisation } from '../domain/model.ts';
import { CommandReader, isEmailAddress } from '../domain/privileges.ts';
import type { AdminLog } from './admin-log.ts';
import type { EngineContext } from './context.ts';
import { type AdminCaller, EMPLOYEES } from './identities.ts';
import { reject } from './rejections.ts';
import { GRANTEES, PRIVILEGES, type Rights, refuseProblems } from './rights.ts';
import { expectVersion, type VersionCheck } from './versions.ts';

/** An identity: an organisation (NgDP's type COMPANY) or an employee of one. */
export type IdentityView =
  | { type: 'COMPANY'; organisation: Organisation }
  | { type: 'EMPLOYEE'; employee: Employee; organisation: Organisation };

/** The own filters of `queryIdentities` (each a list: one of the values). */
export interface IdentityFilters {
  id?: string[] | undefined;
  cprNumber?: string[] | undefined;
  type?: string[] | undefined;
  cvrNumber?: string[] | undefined;
  ridNumber?: string[] | undefined;
  clientId?: string[] | undefined;
  filterContextId?: string[] | undefined;
  rightsAdmin?: string[] | undefined;
  status?: string[] | undefined;
  /** Changed at or after this instant. */
  lastUpdated?: number | undefined;
}

/** The PIN the simulator treats as wrong (docs/differences.md): any other six digits verify. */
export const WRONG_PIN = '000000';

/** The register the search log names for look-ups of identities. */
const REGISTER = 'Identitetsregister';

export class IdentityAdmin {
  private readonly context: EngineContext;
  private readonly log: AdminLog;
  private readonly rights: Rights;

  constructor(context: EngineContext, log: AdminLog, rights: Rights) {
    this.context = context;
    this.log = log;
    this.rights = rights;
  }

  /**
   * The identities the caller administers, those `filters` keep. A search by CPR number writes a
   * search-log row per number.
   */
  list(caller: AdminCaller, filters: IdentityFilters): IdentityView[] {
    const now = this.context.now();
    const kept = this.visible(caller).filter((view) => {
      const employee = view.type === 'EMPLOYEE' ? view.employee : undefined;
      const oneOf = (wanted: string[] | undefined, value: string | undefined): boolean =>
        wanted === undefined ||
        (value !== undefined && wanted.some((each) => each.toLowerCase() === value.toLowerCase()));
      const id = employee?.id ?? view.organisation.id;
      return (
        oneOf(filters.id, id) &&
        oneOf(filters.type, view.type) &&
        oneOf(filters.cvrNumber, view.organisation.cvrNumber) &&
        oneOf(filters.ridNumber, employee?.rid) &&
        oneOf(filters.cprNumber, employee?.cprNumber) &&
        oneOf(filters.clientId, undefined) &&
        oneOf(filters.status, employee?.status ?? 'ACTIVE') &&
        (filters.filterContextId === undefined ||
          filters.filterContextId.some(
            (scope) =>
              (employee === undefined ? [] : this.rights.held(employee.id, scope.toLowerCase())).length > 0,
          )) &&
        (filters.rightsAdmin === undefined ||
          (employee !== undefined &&
            this.rights
              .privilegesOf(employee.id)
              .some((privilege) => filters.rightsAdmin?.includes(privilege.issuerId) === true))) &&
        (filters.lastUpdated === undefined ||
          (employee?.lastUpdated ?? view.organisation.createdDate ?? now) >= filters.lastUpdated)
      );
    });
    for (const cprCvr of filters.cprNumber ?? [])
      this.log.searched(caller, {
        cprCvr,
        register: REGISTER,
        results: kept.filter((view) => view.type === 'EMPLOYEE' && view.employee.cprNumber === cprCvr).length,
        operation: 'queryIdentities',
      });
    return kept;
  }

  /** @throws Rejection NOT_FOUND for an identity the caller does not administer. */
  get(caller: AdminCaller, id: string): IdentityView {
    const wanted = isUuid(id) ? id.toLowerCase() : undefined;
    const view = this.visible(caller).find(
      (each) => (each.type === 'EMPLOYEE' ? each.employee.id : each.organisation.id) === wanted,
    );
    if (view === undefined)
      throw reject.notFound(`no identity ${id} in organisation ${caller.organisation.id}`);
    return view;
  }

  /**
   * Changes an employee of the context organisation (`Identity`): `name`, `alias`,
   * `subscription.channel` (its e-mail, unverified again when it changes) and `status` (INACTIVE:
   * it cannot log in, its tokens stop working). `type` must stay EMPLOYEE; the rest is read-only.
   *
   * @throws Rejection 400 with every field at fault; 404; 409 VERSION_CONFLICT,
   *   IDENTITY_NOT_EDITABLE (the organisation, or another organisation's employee).
   */
  update(caller: AdminCaller, id: string, body: unknown, version: VersionCheck): IdentityView {
    const employee = this.editable(caller, id);
    expectVersion(this.context, `identity ${employee.id}`, employee.version, version);
    const reader = new CommandReader('Identity', body);
    const type = reader.command.type;
    if (type === undefined || type === null) reader.problem('type', 'REQUIRED', 'is required (EMPLOYEE)');
    else if (type !== 'EMPLOYEE') reader.problem('type', 'NOT_ALLOWED_VALUE', 'must stay EMPLOYEE', type);
    const name = reader.text('name', 200, false);
    const alias = reader.text('alias', 200, false);
    const status = reader.oneOf('status', ['UNKNOWN', 'ACTIVE', 'INACTIVE'] as const, false);
    const subscription = reader.command.subscription;
    let channel: string | undefined;
    if (subscription !== undefined && subscription !== null) {
      channel = (subscription as { channel?: unknown }).channel as string | undefined;
      if (
        typeof subscription !== 'object' ||
        (channel !== undefined && channel !== null && !isEmailAddress(channel))
      )
        reader.problem('subscription.channel', 'INVALID_FORMAT', 'must be an e-mail address', channel);
    }
    refuseProblems(reader.problems);
    const now = this.context.now();
    const email =
      channel === undefined || channel === null
        ? undefined
        : channel === employee.email?.channel
          ? employee.email
          : {
              id: employee.email?.id ?? this.context.newId(),
              version: (employee.email?.version ?? 0) + 1,
              channel,
            };
    // What the body leaves out stays as it is; an empty alias removes it.
    const { alias: _alias, email: _email, status: _status, ...rest } = employee;
    const nextAlias = alias ?? employee.alias;
    const nextEmail = email ?? employee.email;
    const next: Employee = {
      ...rest,
      name: name ?? employee.name,
      ...(nextAlias === undefined || nextAlias === '' ? {} : { alias: nextAlias }),
      ...(nextEmail === undefined ? {} : { email: nextEmail }),
      ...((status ?? employee.status) === 'INACTIVE' ? { status: 'INACTIVE' as const } : {}),
      version: employee.version + 1,
      lastUpdated: now,
    };
    const shown = (each: Employee) => ({
      name: each.name,
      alias: each.alias,
      'subscription.channel': each.email?.channel,
      status: each.status ?? 'ACTIVE',
    });
    const statusChanged = (next.status ?? 'ACTIVE') !== (employee.status ?? 'ACTIVE');
    this.context.change(() => {
      this.context.store.putRecord(EMPLOYEES, next);
      this.log.changed(caller, {
        subject: 'Rettigheder',
        resourceId: next.id,
        name: next.username,
        event: 'Redigeret',
        eventTag: statusChanged
          ? next.status === 'INACTIVE'
            ? 'IDENTITY_DEACTIVATED'
            : 'IDENTITY_REACTIVATED'
          : 'EMAIL_NOTIFICATION_SUBSCRIPTION_UPDATED',
        before: shown(employee),
        after: shown(next),
      });
    });
    return this.get(caller, next.id);
  }

  /**
   * Verifies an employee's e-mail subscription with the PIN "sent" to it (`pin`), or sends a new one
   * (`renewPin: true`). The simulator sends no e-mail: any six digits but {@link WRONG_PIN} verify.
   *
   * @throws Rejection 400 for a missing or wrong PIN, or an employee without an e-mail; 404.
   */
  verifyEmail(caller: AdminCaller, id: string, body: unknown): IdentityView {
    const employee = this.editable(caller, id);
    const reader = new CommandReader('IdentityEmailSubscriptionVerificationCommand', body);
    const { pin, renewPin } = reader.command;
    if (renewPin !== undefined && renewPin !== null && typeof renewPin !== 'boolean')
      reader.problem('renewPin', 'INVALID_FORMAT', 'must be true or false', renewPin);
    if (employee.email === undefined)
      reader.problem(
        'subscription',
        'REQUIRED',
        'the identity has no e-mail: give it one first (PUT identities/{id})',
      );
    if (renewPin !== true && (typeof pin !== 'string' || !/^\d{6}$/.test(pin)))
      reader.problem(
        'pin',
        pin === undefined ? 'REQUIRED' : 'INVALID_FORMAT',
        'must be the six digits sent to the e-mail',
      );
    else if (renewPin !== true && pin === WRONG_PIN)
      reader.problem('pin', 'PIN_MISMATCH', 'is not the PIN sent to the e-mail');
    refuseProblems(reader.problems);
    if (renewPin === true) return this.get(caller, employee.id);
    const now = this.context.now();
    const email = employee.email as NonNullable<Employee['email']>;
    const next: Employee = {
      ...employee,
      email: {
        ...email,
        version: email.version + 1,
        verificationTime: email.verificationTime ?? now,
        confirmationTime: now,
      },
      version: employee.version + 1,
      lastUpdated: now,
    };
    this.context.change(() => {
      this.context.store.putRecord(EMPLOYEES, next);
      this.log.changed(caller, {
        subject: 'Rettigheder',
        resourceId: next.id,
        name: next.username,
        event: 'Redigeret',
        eventTag: 'EMAIL_NOTIFICATION_SUBSCRIPTION_VERIFIED',
        before: { 'subscription.verificationTime': email.verificationTime },
        after: {
          'subscription.verificationTime': new Date(next.email?.verificationTime ?? now).toISOString(),
        },
      });
    });
    return this.get(caller, next.id);
  }

  /**
   * Whether `cprNumber` is the caller's own (the CPR number its test employee was given). Writes a
   * search-log row; never shows the number in an answer.
   *
   * @throws Rejection 400 for a missing or malformed number.
   */
  validateCpr(caller: AdminCaller, body: unknown): 'MATCHED' | 'NOT_MATCHED' {
    const reader = new CommandReader('CPRValidationCommand', body);
    const { cprNumber } = reader.command;
    if (cprNumber === undefined || cprNumber === null) reader.problem('cprNumber', 'REQUIRED', 'is required');
    else if (!isCprNumber(cprNumber))
      reader.problem('cprNumber', 'INVALID_FORMAT', 'must be 10 digits, no dash');
    refuseProblems(reader.problems);
    const matched = caller.employee.cprNumber === cprNumber;
    this.log.searched(caller, {
      cprCvr: cprNumber as string,
      register: REGISTER,
      results: matched ? 1 : 0,
      operation: 'validateCPR',
    });
    return matched ? 'MATCHED' : 'NOT_MATCHED';
  }

  /**
   * The privilege types the caller may grant: those it holds in its context organisation
   * (`scopeIdentityId`, when given, must name it; another identity's scope is none of its own).
   *
   * @throws Rejection NOT_FOUND for a scope that is no identity the caller administers.
   */
  privilegeTypes(caller: AdminCaller, scopeIdentityId: string | undefined): readonly string[] {
    if (scopeIdentityId === undefined || scopeIdentityId === '') return caller.held;
    const scope = this.get(caller, scopeIdentityId);
    return scope.type === 'COMPANY' ? caller.held : [];
  }

  // ---------------------------------------------------------------- helpers

  /** The context organisation, its employees, and other employees holding privileges in it. */
  private visible(caller: AdminCaller): IdentityView[] {
    const { store } = this.context;
    const organisation = caller.organisation;
    const own = store
      .listRecords(EMPLOYEES)
      .filter((employee) => employee.organisationId === organisation.id);
    const groups = new Set(
      store
        .listRecords(PRIVILEGES)
        .filter((privilege) => privilege.scopeId === organisation.id)
        .map((privilege) => privilege.identityGroupId),
    );
    const delegated = new Set(
      store
        .listRecords(GRANTEES)
        .filter((grantee) => groups.has(grantee.identityGroupId))
        .map((grantee) => grantee.identityId),
    );
    const others = store
      .listRecords(EMPLOYEES)
      .filter((employee) => employee.organisationId !== organisation.id && delegated.has(employee.id));
    return [
      { type: 'COMPANY', organisation },
      ...[...own, ...others].flatMap((employee): IdentityView[] => {
        const home = store.getOrganisation(employee.organisationId);
        return home === undefined ? [] : [{ type: 'EMPLOYEE', employee, organisation: home }];
      }),
    ];
  }

  /** An employee of the context organisation. @throws Rejection 404; 409 IDENTITY_NOT_EDITABLE. */
  private editable(caller: AdminCaller, id: string): Employee {
    const view = this.get(caller, id);
    if (view.type !== 'EMPLOYEE' || view.employee.organisationId !== caller.organisation.id)
      throw reject.adminConflict(
        'IDENTITY_NOT_EDITABLE',
        `identity ${id} is ${view.type === 'COMPANY' ? 'the organisation' : "another organisation's employee"}: only the context organisation's employees are changed here`,
      );
    return view.employee;
  }
}
