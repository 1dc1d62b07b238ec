/**
 * Organisations and their contact groups as systems look them up (`GET /organisations/`,
 * `GET /organisations/{id}`, `GET /contact-groups/`). Contact groups are a generic collection of the
 * store, scoped by organisation, so that the administration can create, change and delete them
 * without a new store method.
 */
import { allGroupTargets, targetsOf } from '../domain/contact-groups.ts';
import type { ContactGroupRecord, ContactPoint, Organisation, OrganisationType } from '../domain/model.ts';
import { type ContactPointPlace, collection } from '../store/store.ts';
import type { EngineContext } from './context.ts';
import { reject } from './rejections.ts';

/** The contact groups of every organisation, listed per organisation. */
export const CONTACT_GROUPS = collection<ContactGroupRecord>(
  'contact-groups',
  (group) => group.organisationId,
);

type Target = ContactPoint['targets'][number];

/** An organisation as NgDP shows it: its record and who can write to it. */
export interface OrganisationView {
  organisation: Organisation;
  /** The targets of its active contact points (none for an organisation without any). */
  targets: Target[];
}

/** A contact group as NgDP shows it: with its organisation, its parent (in full) and its targets. */
export interface ContactGroupView {
  group: ContactGroupRecord;
  organisation: OrganisationView;
  parent?: ContactGroupView;
  targets: Target[];
}

export interface OrganisationFilter {
  /** Names, any of which matches (case-insensitive; `*` stands for any text). */
  names?: string[] | undefined;
  type?: OrganisationType | undefined;
  /** CVR numbers, any of which matches. */
  cvrNumbers?: string[] | undefined;
  /** Search terms, every one of which must be in the name or the CVR number (case-insensitive). */
  searchTerms?: string[] | undefined;
}

export interface ContactGroupFilter {
  /** Names, any of which matches (case-insensitive; `*` stands for any text). */
  names?: string[] | undefined;
  /** true: only groups without a parent; false: only groups with one. */
  isRoot?: boolean | undefined;
}

/**
 * Whether `value` matches any of `patterns`, as NgDP's field filters read a value (ngdp-api.md §8:
 * comma-separated values OR-ed, `*` a wildcard), case-insensitively.
 */
export function matchesAny(value: string, patterns: readonly string[]): boolean {
  return patterns.some((pattern) => {
    const source = pattern
      .split('*')
      .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*');
    return new RegExp(`^${source}$`, 'i').test(value);
  });
}

export class Organisations {
  private readonly context: EngineContext;

  constructor(context: EngineContext) {
    this.context = context;
  }

  /** Every organisation matching `filter`, in the store's order. */
  search(filter: OrganisationFilter = {}): OrganisationView[] {
    const { names, type, cvrNumbers, searchTerms } = filter;
    return this.context.store
      .listOrganisations()
      .filter(
        (organisation) =>
          (names === undefined || matchesAny(organisation.name, names)) &&
          (type === undefined || organisation.type === type) &&
          (cvrNumbers === undefined || cvrNumbers.includes(organisation.cvrNumber)) &&
          (searchTerms === undefined ||
            searchTerms.every((term) =>
              `${organisation.name} ${organisation.cvrNumber}`.toLowerCase().includes(term.toLowerCase()),
            )),
      )
      .map((organisation) => this.view(organisation));
  }

  /**
   * One organisation.
   *
   * @throws Rejection NOT_FOUND for an id that names none.
   */
  get(id: string): OrganisationView {
    const organisation = this.context.store.getOrganisation(id.toLowerCase());
    if (organisation === undefined) throw reject.notFound(`no organisation ${id}`);
    return this.view(organisation);
  }

  /** Every organisation's contact groups matching `filter`, organisation by organisation. */
  contactGroups(filter: ContactGroupFilter = {}): ContactGroupView[] {
    const { names, isRoot } = filter;
    return this.context.store
      .listOrganisations()
      .flatMap((organisation) => this.groupViews(organisation))
      .filter(
        ({ group }) =>
          (names === undefined || matchesAny(group.name, names)) &&
          (isRoot === undefined || isRoot === (group.parentId === undefined)),
      );
  }

  /**
   * One organisation's contact groups, as NgDP shows them (none for an unknown organisation); with
   * `points`, the organisation's contact points (or their places) as the caller already read them.
   */
  contactGroupsOf(organisationId: string, points?: readonly ContactPointPlace[]): ContactGroupView[] {
    const organisation = this.context.store.getOrganisation(organisationId);
    return organisation === undefined ? [] : this.groupViews(organisation, points);
  }

  private groupViews(organisation: Organisation, given?: readonly ContactPointPlace[]): ContactGroupView[] {
    const { store } = this.context;
    const groups = store.listRecords(CONTACT_GROUPS, organisation.id);
    if (groups.length === 0) return [];
    const points = given ?? store.listContactPointPlaces(organisation.id);
    const owner = this.view(organisation, points);
    const byId = new Map(groups.map((group) => [group.id, group]));
    const targets = allGroupTargets(groups, points);
    const viewOf = (group: ContactGroupRecord, depth = 0): ContactGroupView => {
      const parent = group.parentId === undefined ? undefined : byId.get(group.parentId);
      return {
        group,
        organisation: owner,
        // The tree has no cycles (checked when groups are made); the depth bound is a backstop.
        ...(parent === undefined || depth > groups.length ? {} : { parent: viewOf(parent, depth + 1) }),
        targets: targets.get(group.id) ?? [],
      };
    };
    return groups.map((group) => viewOf(group));
  }

  private view(
    organisation: Organisation,
    points: readonly ContactPointPlace[] = this.context.store.listContactPointPlaces(organisation.id),
  ): OrganisationView {
    return { organisation, targets: targetsOf(points) };
  }
}
