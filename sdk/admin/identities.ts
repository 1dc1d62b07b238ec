/**
 * `admin.identities`, `admin.identityGroups`, `admin.privileges` and `admin.privilegeTypes`: who
 * holds which rights (Rettighedsportalen). Needs `ORGANISATION_USER_ADMINISTRATOR`.
 */

import { array, object, string } from '../http/shape.ts';
import type { RequestOptions } from '../http/transport.ts';
import type { Operations, SearchOptions, VersionedOptions } from './operation.ts';
import type {
  BulkDirectPrivileges,
  CPRValidation,
  CPRValidationCommand,
  DirectPrivilege,
  DirectPrivilegeRevocation,
  Grantee,
  Identity,
  IdentityEmailSubscriptionVerificationCommand,
  IdentityGroup,
  IdentityPrivilege,
  PrivilegeTypeName,
} from './types.ts';

/** One value of a filter, or several (sent comma-separated: NgDP's OR). */
export type OneOrMore = string | readonly string[];

/** Filters of `identities.list` NgDP declares, besides the generic query language; each takes one or more values. */
export interface IdentitySearch extends SearchOptions {
  /** Identity ids. */
  id?: OneOrMore;
  /** CPR numbers (10 digits each). */
  cprNumber?: OneOrMore;
  /** CVR numbers. */
  cvrNumber?: OneOrMore;
  /** Employees' RID numbers. */
  ridNumber?: OneOrMore;
  /** Identity types (`EMPLOYEE`, `COMPANY` …). */
  type?: OneOrMore;
  /** Client ids. */
  clientId?: OneOrMore;
  /** Organisations the identity holds privileges in. */
  filterContextId?: OneOrMore;
  /** Rights administrators (identity ids) that issued privileges the identity holds. */
  rightsAdmin?: OneOrMore;
  /** Statuses (`ACTIVE`, `INACTIVE`). */
  status?: OneOrMore;
  /** Changed at or after this date-time (ISO-8601). */
  lastUpdated?: string;
}

/** Filters of `privileges.list` NgDP declares, besides the generic query language; each takes one or more values. */
export interface DirectPrivilegeSearch extends SearchOptions {
  /** Identity ids of who issued the privilege. */
  issuer?: OneOrMore;
  /** Identity ids of the organisations the privilege is held in. */
  scope?: OneOrMore;
  /** Privilege types. */
  type?: OneOrMore;
}

/** The identities (employees, systems, citizens) NgDP knows. */
export class Identities {
  readonly #ops: Operations;

  constructor(operations: Operations) {
    this.#ops = operations;
  }

  /** Every identity matching the search (`queryIdentities`), page after page. */
  list(search: IdentitySearch = {}): AsyncGenerator<Identity> {
    const {
      id,
      cprNumber,
      cvrNumber,
      ridNumber,
      type,
      clientId,
      filterContextId,
      rightsAdmin,
      status,
      lastUpdated,
    } = search;
    return this.#ops.list(
      {
        operationId: 'queryIdentities',
        query: {
          id,
          cprNumber,
          cvrNumber,
          ridNumber,
          type,
          clientId,
          filterContextId,
          rightsAdmin,
          status,
          lastUpdated,
        },
      },
      'identities',
      search,
      'identities.list',
    );
  }

  /** One identity (`fetch_2`). */
  get(id: string, options?: RequestOptions): Promise<Identity> {
    return this.#ops.call('fetch_2', { id }, options);
  }

  /** Changes an identity (`update`). */
  update(id: string, identity: Identity, options: VersionedOptions): Promise<Identity> {
    return this.#ops.change('update', { id }, identity, options);
  }

  /** Checks a CPR number (`validateCPR`). */
  validateCpr(command: CPRValidationCommand, options?: RequestOptions): Promise<CPRValidation> {
    return this.#ops.send('validateCPR', {}, command, options);
  }

  /** Verifies an identity's e-mail subscription (`verifyIdentityEmailSubscription`). */
  verifyEmailSubscription(
    identityId: string,
    command: IdentityEmailSubscriptionVerificationCommand,
    options?: RequestOptions,
  ): Promise<Identity> {
    return this.#ops.send('verifyIdentityEmailSubscription', { identityId }, command, options);
  }
}

/** The grantees (members) of an identity group. */
export class Grantees {
  readonly #ops: Operations;

  constructor(operations: Operations) {
    this.#ops = operations;
  }

  /** Adds a grantee to a group (`createGrantee`). */
  create(identityGroupId: string, grantee: Grantee, options?: RequestOptions): Promise<Grantee> {
    return this.#ops.send('createGrantee', { identityGroupId }, grantee, options);
  }

  /** Changes a grantee (`updateGrantee`). */
  update(identityGroupId: string, id: string, grantee: Grantee, options: VersionedOptions): Promise<Grantee> {
    return this.#ops.change('updateGrantee', { identityGroupId, id }, grantee, options);
  }

  /** Removes a grantee (`deleteGrantee`). */
  delete(identityGroupId: string, id: string, options: VersionedOptions): Promise<void> {
    return this.#ops.remove('deleteGrantee', { identityGroupId, id }, options);
  }
}

/** The privileges an identity group gives its grantees. */
export class GroupPrivileges {
  readonly #ops: Operations;

  constructor(operations: Operations) {
    this.#ops = operations;
  }

  /** Gives the group a privilege (`createIdentityPrivilege`). */
  create(
    identityGroupId: string,
    privilege: IdentityPrivilege,
    options?: RequestOptions,
  ): Promise<IdentityPrivilege> {
    return this.#ops.send('createIdentityPrivilege', { identityGroupId }, privilege, options);
  }

  /** Changes a privilege of the group (`updateIdentityPrivilege`). */
  update(
    identityGroupId: string,
    id: string,
    privilege: IdentityPrivilege,
    options: VersionedOptions,
  ): Promise<IdentityPrivilege> {
    return this.#ops.change('updateIdentityPrivilege', { identityGroupId, id }, privilege, options);
  }

  /** Takes a privilege from the group (`deleteIdentityPrivilege`). */
  delete(identityGroupId: string, id: string, options: VersionedOptions): Promise<void> {
    return this.#ops.remove('deleteIdentityPrivilege', { identityGroupId, id }, options);
  }
}

/** Identity groups: rights given to a group of identities at once. */
export class IdentityGroups {
  readonly #ops: Operations;
  /** A group's grantees. */
  readonly grantees: Grantees;
  /** A group's privileges. */
  readonly privileges: GroupPrivileges;

  constructor(operations: Operations) {
    this.#ops = operations;
    this.grantees = new Grantees(operations);
    this.privileges = new GroupPrivileges(operations);
  }

  /** Every identity group (`queryIdentityGroups`), page after page. */
  list(search: SearchOptions = {}): AsyncGenerator<IdentityGroup> {
    return this.#ops.list(
      { operationId: 'queryIdentityGroups' },
      'identityGroups',
      search,
      'identityGroups.list',
    );
  }

  /** Creates an identity group (`createIdentityGroup`). */
  create(group: IdentityGroup, options?: RequestOptions): Promise<IdentityGroup> {
    return this.#ops.send('createIdentityGroup', {}, group, options);
  }

  /** One identity group (`fetchIdentityGroup`). */
  get(id: string, options?: RequestOptions): Promise<IdentityGroup> {
    return this.#ops.call('fetchIdentityGroup', { id }, options);
  }

  /** Changes an identity group (`updateIdentityGroup`). */
  update(id: string, group: IdentityGroup, options: VersionedOptions): Promise<IdentityGroup> {
    return this.#ops.change('updateIdentityGroup', { id }, group, options);
  }

  /** Deletes an identity group (`deleteIdentityGroup`). */
  delete(id: string, options: VersionedOptions): Promise<void> {
    return this.#ops.remove('deleteIdentityGroup', { id }, options);
  }
}

/** Privileges given to an identity directly, not through a group. */
export class DirectPrivileges {
  readonly #ops: Operations;

  constructor(operations: Operations) {
    this.#ops = operations;
  }

  /** Every direct privilege of an identity (`queryDirectPrivileges`), page after page. */
  list(identityId: string, search: DirectPrivilegeSearch = {}): AsyncGenerator<DirectPrivilege> {
    const { issuer, scope, type } = search;
    return this.#ops.list(
      { operationId: 'queryDirectPrivileges', params: { identityId }, query: { issuer, scope, type } },
      'directPrivileges',
      search,
      'privileges.list',
    );
  }

  /** Gives an identity a privilege (`createDirectPrivilege`). */
  create(privilege: DirectPrivilege, options?: RequestOptions): Promise<DirectPrivilege> {
    return this.#ops.send('createDirectPrivilege', {}, privilege, options);
  }

  /** Gives and takes several privileges at once (`createAndRevokeDirectPrivilegesInBulk`). */
  bulk(changes: BulkDirectPrivileges, options?: RequestOptions): Promise<DirectPrivilege[]> {
    return this.#ops.json(
      { operationId: 'createAndRevokeDirectPrivilegesInBulk', body: { json: changes } },
      options,
      array(object({})),
    );
  }

  /** Takes a privilege (`deleteDirectPrivilege`), saying why. */
  delete(id: string, revocation: DirectPrivilegeRevocation, options: VersionedOptions): Promise<void> {
    return this.#ops.none(
      {
        operationId: 'deleteDirectPrivilege',
        params: { id },
        body: { json: revocation },
        ifMatch: options.ifMatch,
      },
      options,
    );
  }
}

/** The privilege types an identity may be given (`listPrivilegeTypes`). */
export class PrivilegeTypes {
  readonly #ops: Operations;

  constructor(operations: Operations) {
    this.#ops = operations;
  }

  /** The privilege types, for the identity `scopeIdentityId` when given. */
  list(options: RequestOptions & { scopeIdentityId?: string } = {}): Promise<PrivilegeTypeName[]> {
    return this.#ops.json(
      { operationId: 'listPrivilegeTypes', query: { scopeIdentityId: options.scopeIdentityId } },
      options,
      array(string),
    );
  }
}
