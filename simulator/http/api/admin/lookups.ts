/**
 * An employee's look-ups at NgDP's paths (`citizen-lookup/`, `organisation-lookup/{cvrNumber}`):
 * read the request, call `engine.lookups`, answer NgDP's JSON.
 */
import type { Engine } from '../../../engine/engine.ts';
import { citizenLookupJson, organisationLookupJson } from '../../../wire/admin-lookups.ts';
import { queryText } from '../../support.ts';
import { adminCaller, type On, pathParam } from './guard.ts';

export function lookupRoutes(engine: Engine, on: On): void {
  on('lookupCitizen', async (request, response) => {
    const caller = await adminCaller(engine, request, response, 'lookupCitizen');
    if (caller === undefined) return;
    const found = engine.lookups.citizen(caller, {
      cprNumber: queryText(request, 'cprNumber'),
      firstNameProvided: queryText(request, 'firstNameProvided'),
      lastNameProvided: queryText(request, 'lastNameProvided'),
    });
    response.json(citizenLookupJson(found));
  });

  on('organisationLookup', async (request, response) => {
    const caller = await adminCaller(engine, request, response, 'organisationLookup');
    if (caller === undefined) return;
    response.json(organisationLookupJson(engine.lookups.company(caller, pathParam(request, 'cvrNumber'))));
  });
}
