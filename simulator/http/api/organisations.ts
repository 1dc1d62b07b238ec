/**
 * `GET /organisations/`, `GET /organisations/{id}` and `GET /contact-groups/`: NgDP's organisations
 * and contact groups as any system looks them up. Each list is made as an array of NgDP's DTOs
 * first and paged after, so that the generic query parameters (`fields`, `sortFields`, `any`, field
 * filters) can work on the DTOs in between.
 */
import type { Request } from 'express';
import { isOneOf, ORGANISATION_TYPES } from '../../../sdk/ngdp/enums.ts';
import { isCvrNumber } from '../../../sdk/ngdp/identifiers.ts';
import type { Engine } from '../../engine/engine.ts';
import { pageOf } from '../../engine/paging.ts';
import { reject } from '../../engine/rejections.ts';
import { contactGroupJson, organisationJson } from '../../wire/organisations.ts';
import { searchFrameJson } from '../../wire/paging.ts';
import { pagingWithCursor, queryList, queryText } from '../support.ts';
import { fetchOrganisationAsEmployee } from './admin/organisations.ts';
import type { Caller, Serve } from './serve.ts';

/** An optional `true`/`false` query parameter. */
function queryBoolean(request: Request, name: string): boolean | undefined {
  const text = queryText(request, name);
  if (text === undefined || text === '') return undefined;
  if (text !== 'true' && text !== 'false') throw reject.invalidParameter(name, 'must be true or false', text);
  return text === 'true';
}

/** The `type` of `GET /organisations/`: AUTHORITY or COMPANY. */
function organisationType(request: Request) {
  const type = queryText(request, 'type');
  if (type === undefined || type === '') return undefined;
  if (!isOneOf(ORGANISATION_TYPES, type))
    throw reject.invalidParameter('type', `must be one of ${ORGANISATION_TYPES.join(', ')}`, type);
  return type;
}

/** Routes NgDP's organisation and contact-group look-ups. */
export function serveOrganisations(engine: Engine, on: Serve, caller: Caller): void {
  on('queryOrganisations', async (request, response) => {
    const system = await caller(request, response, 'any', 'GET /organisations/');
    if (system === undefined) return;
    const items = engine.organisations
      .search({
        names: queryList(request, 'name'),
        type: organisationType(request),
        cvrNumbers: queryList(request, 'cvrNumber', isCvrNumber),
        searchTerms: queryList(request, 'searchTerm'),
      })
      .map(organisationJson);
    const page = pageOf(items, pagingWithCursor(request));
    response.json(searchFrameJson(page, { organisations: page.items }));
  });

  on('fetchOrganisation', async (request, response) => {
    // An employee's call (Administrativ Adgang) carries a bearer token; a system's its API key.
    if (/^Bearer\s/i.test(request.headers.authorization ?? ''))
      return fetchOrganisationAsEmployee(engine, request, response);
    const system = await caller(request, response, 'any', 'GET /organisations/{id}');
    if (system === undefined) return;
    response.json(organisationJson(engine.organisations.get(request.params.id as string)));
  });

  on('queryAllContactGroups', async (request, response) => {
    const system = await caller(request, response, 'any', 'GET /contact-groups/');
    if (system === undefined) return;
    const items = engine.organisations
      .contactGroups({ names: queryList(request, 'name'), isRoot: queryBoolean(request, 'isRoot') })
      .map(contactGroupJson);
    const page = pageOf(items, pagingWithCursor(request));
    response.json(searchFrameJson(page, { contactGroups: page.items }));
  });
}
