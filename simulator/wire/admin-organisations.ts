/**
 * NgDP's JSON of Administrativ Adgang's authority information beyond the `Organisation` itself
 * (`wire/organisations.ts`): the `Logo` an upload answers.
 */
import type { Organisation } from '../domain/model.ts';

/** NgDP's `Logo {id, version, fileSize}` of an organisation that has one. */
export function logoJson(organisation: Organisation) {
  const logo = organisation.info?.logo;
  return logo === undefined ? {} : { id: logo.id, version: logo.version, fileSize: logo.fileSize };
}
