/**
 * Rettighedsportalen at NgDP's paths (docs/admin.md, "Identities" and "Rights"): `identities/**`,
 * `identity-groups/**` (grantees, privileges), `privilege-types/` and `privileges/direct/**` —
 * read the request, call `engine.identityAdmin`, `engine.identityGroups`, `engine.rights`, answer
 * NgDP's JSON. Every search takes NgDP's query language.
 */
import type { Request, RequestHandler } from 'express';
import { isCprNumber } from '../../../../sdk/ngdp/identifiers.ts';
import { evaluate, type JsonObject, ownFilter, type Query, withFilters } from '../../../domain/query.ts';
import type { Engine } from '../../../engine/engine.ts';
import { reject } from '../../../engine/rejections.ts';
import {
  directPrivilegeJson,
  granteeJson,
  identityGroupJson,
  identityJson,
  identityPrivilegeJson,
} from '../../../wire/admin-identities.ts';
import { queryFrameJson, readPageCursor } from '../../../wire/paging.ts';
import { queryOf } from '../../query.ts';
import { instantParameter, queryList, queryText } from '../../support.ts';
import { adminCaller, type On, pathParam, setVersion, versionCheck } from './guard.ts';

/** The request's generic query, at the page its `next` cursor names when it has one. */
function queryAt(request: Request): Query {
  const next = queryText(request, 'next');
  return next === undefined ? queryOf(request) : { ...queryOf(request), ...readPageCursor(next) };
}

/** `cprNumber=…` of `queryIdentities`: 10 digits each; a refusal never repeats the number. */
function cprNumbers(request: Request): string[] | undefined {
  const numbers = queryList(request, 'cprNumber');
  const wrong = numbers?.find((number) => !isCprNumber(number));
  if (wrong !== undefined) throw reject.invalidParameter('cprNumber', 'each must be 10 digits, no dash');
  return numbers;
}

export function privilegeRoutes(engine: Engine, on: On, json: RequestHandler): void {
  const { identityAdmin, identityGroups, rights } = engine;

  // ---------------------------------------------------------------- identities

  on('queryIdentities', async (request, response) => {
    const caller = await adminCaller(engine, request, response, 'queryIdentities');
    if (caller === undefined) return;
    const list = (name: string) => queryList(request, name);
    const query = queryAt(request);
    const views = identityAdmin.list(caller, {
      id: list('id'),
      cprNumber: cprNumbers(request),
      type: list('type'),
      cvrNumber: list('cvrNumber'),
      ridNumber: list('ridNumber'),
      clientId: list('clientId'),
      filterContextId: list('filterContextId'),
      rightsAdmin: list('rightsAdmin'),
      status: list('status'),
      lastUpdated: instantParameter(request, 'lastUpdated'),
    });
    const page = evaluate(query, views.map(identityJson));
    response.json(queryFrameJson(page, 'identities'));
  });

  on('fetch_2', async (request, response) => {
    const caller = await adminCaller(engine, request, response, 'fetch_2');
    if (caller === undefined) return;
    const identity = identityJson(identityAdmin.get(caller, pathParam(request, 'id')));
    setVersion(response, identity.version);
    response.json(identity);
  });

  on('update', json, async (request, response) => {
    const caller = await adminCaller(engine, request, response, 'update');
    if (caller === undefined) return;
    const view = identityAdmin.update(
      caller,
      pathParam(request, 'id'),
      request.body,
      versionCheck(request, 'update'),
    );
    const identity = identityJson(view);
    setVersion(response, identity.version);
    response.json(identity);
  });

  on('verifyIdentityEmailSubscription', json, async (request, response) => {
    const caller = await adminCaller(engine, request, response, 'verifyIdentityEmailSubscription');
    if (caller === undefined) return;
    const identity = identityJson(
      identityAdmin.verifyEmail(caller, pathParam(request, 'identityId'), request.body),
    );
    setVersion(response, identity.version);
    response.json(identity);
  });

  on('validateCPR', json, async (request, response) => {
    const caller = await adminCaller(engine, request, response, 'validateCPR');
    if (caller === undefined) return;
    response.json({ status: identityAdmin.validateCpr(caller, request.body) });
  });

  on('listPrivilegeTypes', async (request, response) => {
    const caller = await adminCaller(engine, request, response, 'listPrivilegeTypes');
    if (caller === undefined) return;
    response.json(identityAdmin.privilegeTypes(caller, queryText(request, 'scopeIdentityId')));
  });

  // ---------------------------------------------------------------- identity groups

  on('queryIdentityGroups', async (request, response) => {
    const caller = await adminCaller(engine, request, response, 'queryIdentityGroups');
    if (caller === undefined) return;
    const page = evaluate(queryAt(request), identityGroups.list(caller).map(identityGroupJson));
    response.json(queryFrameJson(page, 'identityGroups'));
  });

  on('createIdentityGroup', json, async (request, response) => {
    const caller = await adminCaller(engine, request, response, 'createIdentityGroup');
    if (caller === undefined) return;
    const group = identityGroupJson(identityGroups.create(caller, request.body));
    setVersion(response, group.version);
    response.status(201).json(group);
  });

  on('fetchIdentityGroup', async (request, response) => {
    const caller = await adminCaller(engine, request, response, 'fetchIdentityGroup');
    if (caller === undefined) return;
    const group = identityGroupJson(identityGroups.get(caller, pathParam(request, 'id')));
    setVersion(response, group.version);
    response.json(group);
  });

  on('updateIdentityGroup', json, async (request, response) => {
    const caller = await adminCaller(engine, request, response, 'updateIdentityGroup');
    if (caller === undefined) return;
    const view = identityGroups.update(
      caller,
      pathParam(request, 'id'),
      request.body,
      versionCheck(request, 'updateIdentityGroup'),
    );
    const group = identityGroupJson(view);
    setVersion(response, group.version);
    response.json(group);
  });

  on('deleteIdentityGroup', async (request, response) => {
    const caller = await adminCaller(engine, request, response, 'deleteIdentityGroup');
    if (caller === undefined) return;
    identityGroups.remove(caller, pathParam(request, 'id'), versionCheck(request, 'deleteIdentityGroup'));
    response.status(204).end();
  });

  on('createGrantee', json, async (request, response) => {
    const caller = await adminCaller(engine, request, response, 'createGrantee');
    if (caller === undefined) return;
    const grantee = identityGroups.createGrantee(caller, pathParam(request, 'identityGroupId'), request.body);
    setVersion(response, grantee.version);
    response.status(201).json(granteeJson(grantee));
  });

  on('updateGrantee', json, async (request, response) => {
    const caller = await adminCaller(engine, request, response, 'updateGrantee');
    if (caller === undefined) return;
    const grantee = identityGroups.updateGrantee(
      caller,
      pathParam(request, 'identityGroupId'),
      pathParam(request, 'id'),
      request.body,
      versionCheck(request, 'updateGrantee'),
    );
    setVersion(response, grantee.version);
    response.json(granteeJson(grantee));
  });

  on('deleteGrantee', async (request, response) => {
    const caller = await adminCaller(engine, request, response, 'deleteGrantee');
    if (caller === undefined) return;
    identityGroups.deleteGrantee(
      caller,
      pathParam(request, 'identityGroupId'),
      pathParam(request, 'id'),
      versionCheck(request, 'deleteGrantee'),
    );
    response.status(204).end();
  });

  on('createIdentityPrivilege', json, async (request, response) => {
    const caller = await adminCaller(engine, request, response, 'createIdentityPrivilege');
    if (caller === undefined) return;
    const privilege = identityGroups.createPrivilege(
      caller,
      pathParam(request, 'identityGroupId'),
      request.body,
    );
    setVersion(response, privilege.version);
    response.status(201).json(identityPrivilegeJson(privilege));
  });

  on('updateIdentityPrivilege', json, async (request, response) => {
    const caller = await adminCaller(engine, request, response, 'updateIdentityPrivilege');
    if (caller === undefined) return;
    const privilege = identityGroups.updatePrivilege(
      caller,
      pathParam(request, 'identityGroupId'),
      pathParam(request, 'id'),
      request.body,
      versionCheck(request, 'updateIdentityPrivilege'),
    );
    setVersion(response, privilege.version);
    response.json(identityPrivilegeJson(privilege));
  });

  on('deleteIdentityPrivilege', async (request, response) => {
    const caller = await adminCaller(engine, request, response, 'deleteIdentityPrivilege');
    if (caller === undefined) return;
    identityGroups.deletePrivilege(
      caller,
      pathParam(request, 'identityGroupId'),
      pathParam(request, 'id'),
      versionCheck(request, 'deleteIdentityPrivilege'),
    );
    response.status(204).end();
  });

  // ---------------------------------------------------------------- direct privileges

  on('queryDirectPrivileges', async (request, response) => {
    const caller = await adminCaller(engine, request, response, 'queryDirectPrivileges');
    if (caller === undefined) return;
    const own = (['issuer', 'scope', 'type'] as const).flatMap((name) => {
      const values = queryList(request, name);
      const field = { issuer: 'issuerId', scope: 'scopeId', type: 'type' }[name];
      return values === undefined || values.length === 0 ? [] : [ownFilter(name, [field], values)];
    });
    const items: JsonObject[] = rights
      .directPrivileges(caller, pathParam(request, 'identityId'))
      .map(directPrivilegeJson);
    response.json(queryFrameJson(evaluate(withFilters(queryAt(request), own), items), 'directPrivileges'));
  });

  on('createDirectPrivilege', json, async (request, response) => {
    const caller = await adminCaller(engine, request, response, 'createDirectPrivilege');
    if (caller === undefined) return;
    const view = rights.createDirect(caller, request.body);
    setVersion(response, view.privilege.version);
    response.status(201).json(directPrivilegeJson(view));
  });

  on('createAndRevokeDirectPrivilegesInBulk', json, async (request, response) => {
    const caller = await adminCaller(engine, request, response, 'createAndRevokeDirectPrivilegesInBulk');
    if (caller === undefined) return;
    response.json(rights.bulk(caller, request.body).map(directPrivilegeJson));
  });

  on('deleteDirectPrivilege', json, async (request, response) => {
    const caller = await adminCaller(engine, request, response, 'deleteDirectPrivilege');
    if (caller === undefined) return;
    rights.deleteDirect(
      caller,
      pathParam(request, 'id'),
      request.body,
      versionCheck(request, 'deleteDirectPrivilege'),
    );
    response.status(204).end();
  });
}
