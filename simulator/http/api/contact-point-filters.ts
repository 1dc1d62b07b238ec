/** The contact-point searches' own query parameters, read as filters of the generic query. */
import type { Request } from 'express';
import type { ContactPoint } from '../../domain/model.ts';
import { type FieldFilter, type JsonObject, ownFilter, presenceFilter } from '../../domain/query.ts';
import { reject } from '../../engine/rejections.ts';
import { queryList, queryText } from '../support.ts';

/**
 * The filters of the contact-point searches' own parameters (`GET /contact-points/`, and
 * `GET organisations/{organisationId}/contact-points/`), each a comma-separated list: `searchTerm`
 * (part of a search term), `searchTermOrName` (part of a search term or the name), `contactGroupId`,
 * `postkasseId`, `postkasseEmneId`, and `isRoot` (in no contact group, or in one with `false`).
 */
export function contactPointFilters(request: Request): FieldFilter[] {
  const list = (name: string): string[] | undefined => queryList(request, name);
  const filters: FieldFilter[] = [];
  const add = (name: string, paths: string[], contains = false): void => {
    const values = list(name);
    if (values !== undefined && values.length > 0) filters.push(ownFilter(name, paths, values, { contains }));
  };
  add('searchTerm', ['searchTerms.term'], true);
  add('searchTermOrName', ['searchTerms.term', 'name'], true);
  add('contactGroupId', ['contactGroups.id']);
  add('postkasseId', ['translations.postkasseId']);
  add('postkasseEmneId', ['translations.postkasseEmneId']);
  const root = queryText(request, 'isRoot');
  if (root !== undefined && root !== '') {
    if (root !== 'true' && root !== 'false')
      throw reject.invalidParameter('isRoot', 'must be true or false', root);
    filters.push(presenceFilter('isRoot', ['contactGroups.id'], root === 'false'));
  }
  return filters;
}

/**
 * The fields of a contact point that {@link contactPointFilters} read, as NgDP's `ContactPoint`
 * shows them: enough to apply those filters before the whole DTO of each point is made.
 */
export function contactPointFilterFields(point: ContactPoint): JsonObject {
  return {
    name: point.name,
    searchTerms: (point.searchTerms ?? []).map((term) => ({ term })),
    contactGroups: (point.contactGroupIds ?? []).map((id) => ({ id })),
    translations: point.translations ?? [],
  };
}
