/**
 * NgDP's `Organisation` and `ContactGroup` JSON (ngdp-api.md §8.3), from the engine's views, with
 * the authority information Administrativ Adgang keeps (legal contact, logo …). What the simulator
 * does not know (industry code …) is left out, never made up: docs/differences.md, "Organisations
 * and contact groups".
 */
import type { ContactGroupView, OrganisationView } from '../engine/organisations.ts';

const iso = (time: number): string => new Date(time).toISOString();

/** NgDP's `Organisation`. */
export function organisationJson({ organisation, targets }: OrganisationView) {
  const created = organisation.createdDate;
  const updated = organisation.lastUpdated ?? created;
  const authority = organisation.type === 'AUTHORITY';
  const info = organisation.info ?? {};
  return {
    id: organisation.id,
    version: organisation.version ?? 1,
    transactionId: organisation.id,
    ...(created === undefined ? {} : { createdDate: iso(created) }),
    ...(updated === undefined ? {} : { lastUpdated: iso(updated) }),
    ...(info.authorityId === undefined ? {} : { authorityId: info.authorityId }),
    name: organisation.name,
    cvrNumber: organisation.cvrNumber,
    type: organisation.type,
    ...(authority
      ? { authorityType: organisation.authorityType ?? 'OTHER', authorityTerms: info.authorityTerms ?? true }
      : {}),
    legalNotificationAllowed: organisation.legalNotificationAllowed,
    mandatoryPostAllowed: organisation.mandatoryPostAllowed,
    ...(info.legalContact === undefined ? {} : { legalContact: info.legalContact }),
    logoAvailable: info.logo !== undefined,
    ...(info.logo === undefined ? {} : { logoMediaType: 'IMAGE_PNG' }),
    ...(targets.length === 0 ? {} : { targets }),
    statusType: 'ACTIVE',
    ...(created === undefined ? {} : { statusDate: iso(created).slice(0, 10) }),
    ...(info.rightsIntroductionCompleted === undefined
      ? {}
      : { rightsIntroductionCompleted: info.rightsIntroductionCompleted }),
  };
}

/** NgDP's `ContactGroup`: with its organisation and its parent, each in full. */
export function contactGroupJson(view: ContactGroupView): Record<string, unknown> {
  const { group } = view;
  return {
    id: group.id,
    version: group.version,
    transactionId: group.transactionId,
    createdDate: iso(group.createdDate),
    lastUpdated: iso(group.lastUpdated),
    name: group.name,
    description: group.description,
    organisationalUnit: group.organisationalUnit,
    organisation: organisationJson(view.organisation),
    ...(view.parent === undefined ? {} : { parent: contactGroupJson(view.parent) }),
    targets: view.targets,
    postkasseIds: group.postkasseIds,
  };
}
