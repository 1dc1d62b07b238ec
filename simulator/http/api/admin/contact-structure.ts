/**
 * Administrativ Adgang's contact-structure operations at NgDP's paths
 * (`organisations/{organisationId}/contact-groups/**`, `…/contact-points/**`, `…/postkasse-ids/**`;
 * admin.md §2): read the request, call `engine.contactStructure`, answer NgDP's JSON.
 */
import type { Request, RequestHandler } from 'express';
import type { ContactPoint } from '../../../domain/model.ts';
import { evaluate, matches } from '../../../domain/query.ts';
import type { Visibility } from '../../../engine/contact-structure.ts';
import type { Engine } from '../../../engine/engine.ts';
import type { AdminCaller } from '../../../engine/identities.ts';
import type { ContactGroupView } from '../../../engine/organisations.ts';
import { contactPointJson } from '../../../wire/directory.ts';
import { contactGroupJson } from '../../../wire/organisations.ts';
import { queryFrameJson } from '../../../wire/paging.ts';
import { queryOf } from '../../query.ts';
import { queryText } from '../../support.ts';
import { contactPointFilterFields, contactPointFilters } from '../contact-point-filters.ts';
import { adminCaller, type On, pathParam, setVersion, versionCheck } from './guard.ts';

/** The header that confirms deleting a contact group with anything below it (admin.md §2.4). */
export const CONFIRM_DELETE_HEADER = 'x-confirm-delete';

/** `visibility`: VISIBLE, HIDDEN or ALL (its values are checked against the OpenAPI on the way in). */
function visibilityOf(request: Request): Visibility | undefined {
  const value = queryText(request, 'visibility');
  return value === 'VISIBLE' || value === 'HIDDEN' || value === 'ALL' ? value : undefined;
}

export function contactStructureRoutes(engine: Engine, on: On, json: RequestHandler): void {
  const { contactStructure } = engine;

  /**
   * NgDP's `ContactGroup` of each of `groups` by id, each made when first asked for (an answer
   * shows a few of an organisation's groups, not all).
   */
  const groupsJson = (groups: readonly ContactGroupView[]): ((id: string) => Record<string, unknown>) => {
    const views = new Map(groups.map((view) => [view.group.id, view]));
    const made = new Map<string, Record<string, unknown>>();
    return (id) => {
      let json = made.get(id);
      if (json === undefined) {
        const view = views.get(id);
        json = view === undefined ? { id } : contactGroupJson(view);
        made.set(id, json);
      }
      return json;
    };
  };
  const groupJson = (caller: AdminCaller, id: string): Record<string, unknown> =>
    groupsJson(contactStructure.groupViews(caller))(id);
  const pointJson = (caller: AdminCaller, point: ContactPoint) =>
    contactPointJson(point, groupsJson(contactStructure.groupViews(caller)));

  on('queryContactGroups', async (request, response) => {
    const caller = await adminCaller(engine, request, response, 'queryContactGroups');
    if (caller === undefined) return;
    const root = queryText(request, 'isRoot');
    const items = contactStructure
      .groupViews(caller, {
        isRoot: root === undefined || root === '' ? undefined : root === 'true',
        visibility: visibilityOf(request),
      })
      .map(contactGroupJson);
    response.json(queryFrameJson(evaluate(queryOf(request), items), 'contactGroups'));
  });

  on('createContactGroup', json, async (request, response) => {
    const caller = await adminCaller(engine, request, response, 'createContactGroup');
    if (caller === undefined) return;
    const group = contactStructure.createGroup(caller, request.body);
    setVersion(response, group.version);
    response.status(201).json(groupJson(caller, group.id));
  });

  on('fetchContactGroup', async (request, response) => {
    const caller = await adminCaller(engine, request, response, 'fetchContactGroup');
    if (caller === undefined) return;
    const group = contactStructure.group(caller, pathParam(request, 'id'));
    setVersion(response, group.version);
    response.json(groupJson(caller, group.id));
  });

  on('updateContactGroup', json, async (request, response) => {
    const caller = await adminCaller(engine, request, response, 'updateContactGroup');
    if (caller === undefined) return;
    const group = contactStructure.updateGroup(
      caller,
      pathParam(request, 'id'),
      request.body,
      versionCheck(request, 'updateContactGroup'),
    );
    setVersion(response, group.version);
    response.json(groupJson(caller, group.id));
  });

  on('deleteContactGroup', async (request, response) => {
    const caller = await adminCaller(engine, request, response, 'deleteContactGroup');
    if (caller === undefined) return;
    contactStructure.removeGroup(
      caller,
      pathParam(request, 'id'),
      versionCheck(request, 'deleteContactGroup'),
      request.headers[CONFIRM_DELETE_HEADER] === 'true',
    );
    response.status(204).end();
  });

  on('queryContactPoints', async (request, response) => {
    const caller = await adminCaller(engine, request, response, 'queryContactPoints');
    if (caller === undefined) return;
    const query = queryOf(request);
    const own = { ...query, filters: contactPointFilters(request), any: undefined };
    const { points, groups } = contactStructure.pointViews(caller, visibilityOf(request));
    const group = groupsJson(groups);
    // The search's own filters first, on the few fields they read; NgDP's DTO for the rest only.
    const items = points
      .filter((point) => own.filters.length === 0 || matches(own, contactPointFilterFields(point)))
      .map((point) => contactPointJson(point, group));
    response.json(queryFrameJson(evaluate(query, items), 'contactPoints'));
  });

  on('createContactPoint', json, async (request, response) => {
    const caller = await adminCaller(engine, request, response, 'createContactPoint');
    if (caller === undefined) return;
    const point = contactStructure.createPoint(caller, request.body);
    setVersion(response, point.version ?? 1);
    response.status(201).json(pointJson(caller, point));
  });

  on('fetchContactPoint', async (request, response) => {
    const caller = await adminCaller(engine, request, response, 'fetchContactPoint');
    if (caller === undefined) return;
    const point = contactStructure.point(caller, pathParam(request, 'id'));
    setVersion(response, point.version ?? 1);
    response.json(pointJson(caller, point));
  });

  on('updateContactPoint', json, async (request, response) => {
    const caller = await adminCaller(engine, request, response, 'updateContactPoint');
    if (caller === undefined) return;
    const point = contactStructure.updatePoint(
      caller,
      pathParam(request, 'id'),
      request.body,
      versionCheck(request, 'updateContactPoint'),
    );
    setVersion(response, point.version ?? 1);
    response.json(pointJson(caller, point));
  });

  on('deleteContactPoint', async (request, response) => {
    const caller = await adminCaller(engine, request, response, 'deleteContactPoint');
    if (caller === undefined) return;
    contactStructure.removePoint(
      caller,
      pathParam(request, 'id'),
      versionCheck(request, 'deleteContactPoint'),
    );
    response.status(204).end();
  });

  on('fetchPostkasseIds', async (request, response) => {
    const caller = await adminCaller(engine, request, response, 'fetchPostkasseIds');
    if (caller === undefined) return;
    response.json({ postkasseIds: contactStructure.postkasseIds(caller) });
  });

  on('fetchPostkasseEmneIds', async (request, response) => {
    const caller = await adminCaller(engine, request, response, 'fetchPostkasseEmneIds');
    if (caller === undefined) return;
    // NgDP's field name, misspelt as in the OpenAPI (PostkasseEmneIdsSearchResult).
    response.json({
      postkasseEmnneIds: contactStructure.postkasseEmneIds(caller, pathParam(request, 'postkasseId')),
    });
  });
}
