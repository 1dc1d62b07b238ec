/**
 * Rettighedsportalen's JSON (docs/admin.md, "Identities" and "Rights"): NgDP's `Identity`,
 * `IdentityGroup`, `Grantee`, `IdentityPrivilege` and `DirectPrivilege` from the simulator's
 * records.
 */
import type { GranteeRecord, PrivilegeRecord } from '../domain/privileges.ts';
import type { IdentityView } from '../engine/identity-admin.ts';
import type { GroupView } from '../engine/identity-groups.ts';
import type { DirectPrivilegeView } from '../engine/rights.ts';

const iso = (time: number): string => new Date(time).toISOString();

/** NgDP's `Identity`: an employee (EMPLOYEE) or an organisation (COMPANY). */
export function identityJson(view: IdentityView) {
  const { organisation } = view;
  const cvr = { type: 'CVR_NUMBER', value: organisation.cvrNumber };
  if (view.type === 'COMPANY')
    return {
      id: organisation.id,
      version: 1,
      type: 'COMPANY',
      identifiers: [cvr],
      name: organisation.name,
      status: 'ACTIVE',
      ...(organisation.createdDate === undefined ? {} : { createdDate: iso(organisation.createdDate) }),
    };
  const { employee } = view;
  const { email } = employee;
  return {
    id: employee.id,
    version: employee.version,
    type: 'EMPLOYEE',
    identifiers: [
      { type: 'EMPLOYEE_ID', value: employee.rid },
      cvr,
      ...(employee.cprNumber === undefined ? [] : [{ type: 'CPR_NUMBER', value: employee.cprNumber }]),
    ],
    parentIdentityId: organisation.id,
    name: employee.name,
    ...(employee.alias === undefined ? {} : { alias: employee.alias }),
    ...(email === undefined
      ? {}
      : {
          subscription: {
            id: email.id,
            version: email.version,
            channel: email.channel,
            ...(email.verificationTime === undefined
              ? {}
              : { verificationTime: iso(email.verificationTime) }),
            ...(email.confirmationTime === undefined
              ? {}
              : { confirmationTime: iso(email.confirmationTime) }),
          },
        }),
    status: employee.status ?? 'ACTIVE',
    createdDate: iso(employee.createdDate),
    lastUpdated: iso(employee.lastUpdated),
  };
}

/** The end of a privilege: `activeToDateTime`, and the deprecated `activeTo` (its date, UTC). */
function activeToJson(privilege: PrivilegeRecord) {
  if (privilege.activeTo === undefined) return {};
  return {
    activeTo: iso(privilege.activeTo - 1).slice(0, 10),
    activeToDateTime: iso(privilege.activeTo),
  };
}

/** NgDP's `IdentityPrivilege`: a privilege of a group. */
export function identityPrivilegeJson(privilege: PrivilegeRecord) {
  return {
    id: privilege.id,
    version: privilege.version,
    identityGroupId: privilege.identityGroupId,
    issuerId: privilege.issuerId,
    ...(privilege.parentPrivilegeId === undefined ? {} : { parentPrivilegeId: privilege.parentPrivilegeId }),
    scopeId: privilege.scopeId,
    type: privilege.type,
    source: privilege.source,
    createdDate: iso(privilege.createdDate),
    lastUpdated: iso(privilege.lastUpdated),
    ...activeToJson(privilege),
  };
}

/** NgDP's `DirectPrivilege`: a privilege of the grantee's DEFAULT group. */
export function directPrivilegeJson({ privilege, granteeId }: DirectPrivilegeView) {
  return { ...identityPrivilegeJson(privilege), granteeId };
}

/** NgDP's `Grantee`. */
export function granteeJson(grantee: GranteeRecord) {
  return {
    id: grantee.id,
    version: grantee.version,
    identityGroupId: grantee.identityGroupId,
    identityId: grantee.identityId,
    issuerId: grantee.issuerId,
    createdDate: iso(grantee.createdDate),
    lastUpdated: iso(grantee.lastUpdated),
  };
}

/** NgDP's `IdentityGroup`, with its grantees and privileges. */
export function identityGroupJson(view: GroupView) {
  const { group } = view;
  return {
    id: group.id,
    version: group.version,
    name: group.name,
    createdDate: iso(group.createdDate),
    lastUpdated: iso(group.lastUpdated),
    issuerId: group.issuerId,
    ownerId: group.ownerId,
    ...(view.parentOwnerId === undefined ? {} : { parentOwnerId: view.parentOwnerId }),
    grantees: view.grantees.map(granteeJson),
    privileges: view.privileges.map(identityPrivilegeJson),
    type: group.type,
  };
}
