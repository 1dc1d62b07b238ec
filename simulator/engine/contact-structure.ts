/**
 * Administrativ Adgang's contact structure (admin.md §2; docs/admin.md, "Contact structure"): an
 * authority's contact groups and contact points, listed, created, changed and deleted by an
 * employee in its context organisation, each change in the action log. The points are the same
 * records the integration API's `GET contact-points/` finds and routing sends letters by; the
 * groups the records `GET contact-groups/` lists.
 */
import { isUuid } from '../../sdk/ngdp/identifiers.ts';
import { isRecipientSystem } from '../domain/auth.ts';
import { subtreeOf } from '../domain/contact-groups.ts';
import {
  type ContactGroupSettings,
  type ContactPointSettings,
  groupProblems,
  groupWith,
  pointProblems,
  pointWith,
  readContactGroupCommand,
  readContactPointCommand,
  type Structure,
  shownGroup,
  shownPoint,
} from '../domain/contact-structure.ts';
import type { CommandProblem } from '../domain/mail-system.ts';
import type { ContactGroupRecord, ContactPoint } from '../domain/model.ts';
import type { ContactPointPlace } from '../store/store.ts';
import type { AdminLog } from './admin-log.ts';
import type { EngineContext } from './context.ts';
import type { AdminCaller } from './identities.ts';
import { CONTACT_GROUPS, type ContactGroupView, type Organisations } from './organisations.ts';
import { reject } from './rejections.ts';
import { expectVersion, type VersionCheck } from './versions.ts';

/** `visibility` of the admin searches: VISIBLE, HIDDEN or ALL (default). */
export type Visibility = 'VISIBLE' | 'HIDDEN' | 'ALL';

/** The filters of `queryContactGroups` beyond the generic query. */
export interface ContactGroupFilters {
  isRoot?: boolean | undefined;
  visibility?: Visibility | undefined;
}

/** What deleting a group does (admin.md §2.4). */
export interface GroupDeletion {
  group: ContactGroupRecord;
  /** The group and every group below it: deleted. */
  groups: ContactGroupRecord[];
  /** The points in them and in no other group: deleted. */
  points: ContactPoint[];
  /** The points also in groups outside: they only lose their places in the deleted groups. */
  references: Array<{ point: ContactPoint; elsewhere: string[] }>;
  /** Whether the deletion needs the caller's confirmation (anything below the group). */
  confirmationRequired: boolean;
}

/** The points a search with `visibility` shows. */
function shownAs(points: readonly ContactPoint[], visibility: Visibility): ContactPoint[] {
  return points.filter(
    (point) => visibility === 'ALL' || (point.visible !== false) === (visibility === 'VISIBLE'),
  );
}

export class ContactStructure {
  private readonly context: EngineContext;
  private readonly log: AdminLog;
  private readonly organisations: Organisations;

  constructor(context: EngineContext, log: AdminLog, organisations: Organisations) {
    this.context = context;
    this.log = log;
    this.organisations = organisations;
  }

  // ---------------------------------------------------------------- reading

  /**
   * The context organisation's groups matching `filters`, in the order they were made (`points`:
   * the places of its contact points, when the caller read them already).
   */
  groups(
    caller: AdminCaller,
    filters: ContactGroupFilters = {},
    points: readonly ContactPointPlace[] = this.context.store.listContactPointPlaces(caller.organisation.id),
    groups: readonly ContactGroupRecord[] = this.context.store.listRecords(
      CONTACT_GROUPS,
      caller.organisation.id,
    ),
  ): ContactGroupRecord[] {
    const { isRoot, visibility = 'ALL' } = filters;
    const visiblePoints = points.filter((point) => point.visible !== false);
    return groups.filter((group) => {
      if (isRoot !== undefined && isRoot !== (group.parentId === undefined)) return false;
      if (visibility === 'ALL') return true;
      // A group is visible when a visible point is in it or below it (admin.md §2.1: derived).
      const subtree = subtreeOf(group, groups);
      const visible = visiblePoints.some((point) =>
        (point.contactGroupIds ?? []).some((id) => subtree.has(id)),
      );
      return visible === (visibility === 'VISIBLE');
    });
  }

  /** The groups matching `filters` as NgDP shows them (with their organisation, parents and targets). */
  groupViews(caller: AdminCaller, filters: ContactGroupFilters = {}): ContactGroupView[] {
    const points = this.context.store.listContactPointPlaces(caller.organisation.id);
    const views = this.organisations.contactGroupsOf(caller.organisation.id, points);
    if (filters.isRoot === undefined && (filters.visibility ?? 'ALL') === 'ALL') return views;
    const groups = views.map((view) => view.group);
    const wanted = new Set(this.groups(caller, filters, points, groups).map((group) => group.id));
    return views.filter((view) => wanted.has(view.group.id));
  }

  /**
   * The context organisation's points (visible, hidden or both: the default) and the views of all
   * its groups (what a point's `contactGroups` shows), from one reading of the points.
   */
  pointViews(
    caller: AdminCaller,
    visibility: Visibility = 'ALL',
  ): { points: ContactPoint[]; groups: ContactGroupView[] } {
    const all = this.context.store.listContactPoints(caller.organisation.id);
    return {
      points: shownAs(all, visibility),
      groups: this.organisations.contactGroupsOf(caller.organisation.id, all),
    };
  }

  /** @throws Rejection NOT_FOUND for an id that is not a group of the context organisation. */
  group(caller: AdminCaller, id: string): ContactGroupRecord {
    const group = isUuid(id) ? this.context.store.getRecord(CONTACT_GROUPS, id.toLowerCase()) : undefined;
    if (group === undefined || group.organisationId !== caller.organisation.id)
      throw reject.notFound(`no contact group ${id} in organisation ${caller.organisation.id}`);
    return group;
  }

  /** The context organisation's points, visible or hidden or both (default), in the order they were made. */
  points(caller: AdminCaller, visibility: Visibility = 'ALL'): ContactPoint[] {
    return shownAs(this.context.store.listContactPoints(caller.organisation.id), visibility);
  }

  /** @throws Rejection NOT_FOUND for an id that is not a point of the context organisation. */
  point(caller: AdminCaller, id: string): ContactPoint {
    const point = isUuid(id) ? this.context.store.getContactPoint(id.toLowerCase()) : undefined;
    if (point === undefined || point.organisationId !== caller.organisation.id)
      throw reject.notFound(`no contact point ${id} in organisation ${caller.organisation.id}`);
    return point;
  }

  /** The DP/DP2 mailbox ids (`postkasseId`) of the context organisation's groups and points, ascending. */
  postkasseIds(caller: AdminCaller): number[] {
    const ids = new Set<number>();
    for (const group of this.groups(caller)) for (const id of group.postkasseIds) ids.add(id);
    for (const point of this.points(caller))
      for (const translation of point.translations ?? []) ids.add(translation.postkasseId);
    return [...ids].sort((a, b) => a - b);
  }

  /**
   * The `postkasseEmneId`s its points translate under `postkasseId`, ascending.
   *
   * @throws Rejection 400 for a postkasseId that is no number; NOT_FOUND for one the
   *   organisation does not have.
   */
  postkasseEmneIds(caller: AdminCaller, postkasseId: string): number[] {
    if (!/^\d{1,18}$/.test(postkasseId))
      throw reject.invalidField(
        'path',
        'postkasseId',
        'INVALID_FORMAT',
        'must be a whole number',
        postkasseId,
      );
    const wanted = Number(postkasseId);
    if (!this.postkasseIds(caller).includes(wanted))
      throw reject.notFound(`organisation ${caller.organisation.id} has no postkasseId ${postkasseId}`);
    const ids = new Set<number>();
    for (const point of this.points(caller))
      for (const translation of point.translations ?? [])
        if (translation.postkasseId === wanted && translation.postkasseEmneId !== undefined)
          ids.add(translation.postkasseEmneId);
    return [...ids].sort((a, b) => a - b);
  }

  /**
   * The organisation's structure as a change checks it (`withPoints` false: without its points,
   * which a change of one group or point does not need).
   */
  structure(organisationId: string, withPoints = true): Structure {
    const { store } = this.context;
    return {
      groups: new Map(store.listRecords(CONTACT_GROUPS, organisationId).map((group) => [group.id, group])),
      points: new Map(
        withPoints ? store.listContactPoints(organisationId).map((point) => [point.id, point]) : [],
      ),
      recipientSystems: new Set(
        store
          .listSystems(organisationId)
          .filter((system) => system.deletedAt === undefined && isRecipientSystem(system))
          .map((system) => system.id),
      ),
    };
  }

  // ---------------------------------------------------------------- groups

  /**
   * Creates a group from a `ContactGroupCommand` (admin.md §2.1).
   *
   * @throws Rejection 400 with every field at fault (a parent that is no group of the organisation).
   */
  createGroup(caller: AdminCaller, body: unknown): ContactGroupRecord {
    const settings = this.groupSettings(body);
    const structure = this.structure(caller.organisation.id, false);
    const group = this.newGroup(caller.organisation.id, settings, this.context.newId());
    this.refuse(groupProblems(group, structure, 'ContactGroupCommand'));
    this.context.change(() => this.saveGroup(caller, group, undefined));
    return group;
  }

  /**
   * Changes a group from a `ContactGroupCommand` (the whole of it, as NgDP's PUT does).
   *
   * @throws Rejection 400 with every field at fault (CYCLE: under itself or a group below it);
   *   409 VERSION_CONFLICT.
   */
  updateGroup(caller: AdminCaller, id: string, body: unknown, version: VersionCheck): ContactGroupRecord {
    const current = this.group(caller, id);
    expectVersion(this.context, `contact group ${current.id}`, current.version, version);
    const settings = this.groupSettings(body);
    const structure = this.structure(caller.organisation.id, false);
    const next = this.changedGroup(current, settings);
    this.refuse(groupProblems(next, structure, 'ContactGroupCommand'));
    this.context.change(() => this.saveGroup(caller, next, current));
    return next;
  }

  /**
   * Deletes a group and what is below it (admin.md §2.4), atomically: a subgroup or point that is
   * also placed elsewhere in the structure (a point in a group outside the subtree) loses only its
   * references to the subtree; the rest is deleted. A group with anything below it needs
   * `confirmed` (unless the settings say otherwise).
   *
   * @throws Rejection 409 VERSION_CONFLICT; 422 CONFIRMATION_REQUIRED.
   */
  removeGroup(caller: AdminCaller, id: string, version: VersionCheck, confirmed: boolean): void {
    const current = this.group(caller, id);
    expectVersion(this.context, `contact group ${current.id}`, current.version, version);
    const plan = this.deletionOf(caller, current);
    if (plan.confirmationRequired && !confirmed)
      throw reject.confirmationRequired(
        `deleting contact group ${current.id} deletes ${plan.groups.length - 1} group(s) and ${plan.points.length} contact point(s) below it, irreversibly (and takes ${plan.references.length} point(s) out of it): confirm it with the header X-Confirm-Delete: true`,
      );
    this.context.change(() => {
      for (const { point, elsewhere } of plan.references)
        this.savePoint(caller, this.nextVersion({ ...point, contactGroupIds: elsewhere }), point);
      for (const point of plan.points) this.deletePoint(caller, point);
      for (const group of plan.groups) {
        this.context.store.deleteRecord(CONTACT_GROUPS, group.id);
        this.logged(caller, 'CONTACT_GROUP_CHANGED', group, shownGroup(group), undefined);
      }
    });
  }

  /**
   * What deleting a group would do (admin.md §2.4, the portal's preview): the groups and points it
   * deletes, and the points that only lose their places in it.
   *
   * @throws Rejection NOT_FOUND for an id that is not a group of the context organisation.
   */
  groupDeletion(caller: AdminCaller, id: string): GroupDeletion {
    return this.deletionOf(caller, this.group(caller, id));
  }

  private deletionOf(caller: AdminCaller, group: ContactGroupRecord): GroupDeletion {
    const structure = this.structure(caller.organisation.id);
    const all = [...structure.groups.values()];
    const subtree = subtreeOf(group, all);
    const groups = all.filter((each) => subtree.has(each.id));
    const points: ContactPoint[] = [];
    const references: GroupDeletion['references'] = [];
    for (const point of structure.points.values()) {
      const places = point.contactGroupIds ?? [];
      if (!places.some((place) => subtree.has(place))) continue;
      const elsewhere = places.filter((place) => !subtree.has(place));
      if (elsewhere.length > 0) references.push({ point, elsewhere });
      else points.push(point);
    }
    return {
      group,
      groups,
      points,
      references,
      confirmationRequired:
        (groups.length > 1 || points.length > 0 || references.length > 0) &&
        this.context.settings.admin.confirmGroupDeletion,
    };
  }

  // ---------------------------------------------------------------- points

  /**
   * Creates a point from a `ContactPointCommand` (admin.md §2.2).
   *
   * @throws Rejection 400 with every field at fault (a system that is no recipient system of the
   *   organisation, a group that is none of its groups).
   */
  createPoint(caller: AdminCaller, body: unknown): ContactPoint {
    const settings = this.pointSettings(body);
    const structure = this.structure(caller.organisation.id, false);
    const point = this.newPoint(caller.organisation.id, settings, this.context.newId());
    this.refuse(pointProblems(point, structure, 'ContactPointCommand'));
    this.context.change(() => this.savePoint(caller, point, undefined));
    return point;
  }

  /**
   * Changes a point from a `ContactPointCommand` (the whole of it).
   *
   * @throws Rejection 400 with every field at fault; 409 VERSION_CONFLICT.
   */
  updatePoint(caller: AdminCaller, id: string, body: unknown, version: VersionCheck): ContactPoint {
    const current = this.point(caller, id);
    expectVersion(this.context, `contact point ${current.id}`, current.version ?? 1, version);
    const settings = this.pointSettings(body);
    const structure = this.structure(caller.organisation.id, false);
    const next = this.changedPoint(current, settings);
    this.refuse(pointProblems(next, structure, 'ContactPointCommand'));
    this.context.change(() => this.savePoint(caller, next, current));
    return next;
  }

  /**
   * Deletes a point, and with it its place in every group: from then on no search finds it, and
   * a letter to it goes to the organisation's primary recipient system (admin.md §2.2).
   *
   * @throws Rejection 409 VERSION_CONFLICT.
   */
  removePoint(caller: AdminCaller, id: string, version: VersionCheck): void {
    const current = this.point(caller, id);
    expectVersion(this.context, `contact point ${current.id}`, current.version ?? 1, version);
    this.context.change(() => this.deletePoint(caller, current));
  }

  // ---------------------------------------------------------------- shared with the import

  /** A new group of `organisationId` with `settings`, at version 1. */
  newGroup(organisationId: string, settings: ContactGroupSettings, id: string): ContactGroupRecord {
    const now = this.context.now();
    return {
      id,
      organisationId,
      ...settings,
      version: 1,
      transactionId: this.context.newId(),
      createdDate: now,
      lastUpdated: now,
    };
  }

  /** `current` with `settings`, one version on. */
  changedGroup(current: ContactGroupRecord, settings: ContactGroupSettings): ContactGroupRecord {
    return {
      ...groupWith(current, settings),
      version: current.version + 1,
      transactionId: this.context.newId(),
      lastUpdated: this.context.now(),
    };
  }

  /** A new point of `organisationId` with `settings`, at version 1. */
  newPoint(organisationId: string, settings: ContactPointSettings, id: string): ContactPoint {
    const now = this.context.now();
    return { id, organisationId, ...settings, createdDate: now, lastUpdated: now, version: 1 };
  }

  /** `current` with `settings`, one version on. */
  changedPoint(current: ContactPoint, settings: ContactPointSettings): ContactPoint {
    return this.nextVersion(pointWith(current, settings));
  }

  /** Stores a group and writes its action-log rows (inside the caller's `context.change`). */
  saveGroup(caller: AdminCaller, group: ContactGroupRecord, before: ContactGroupRecord | undefined): void {
    this.context.store.putRecord(CONTACT_GROUPS, group);
    this.logged(caller, 'CONTACT_GROUP_CHANGED', group, before && shownGroup(before), shownGroup(group));
  }

  /** Stores a point and writes its action-log rows (inside the caller's `context.change`). */
  savePoint(caller: AdminCaller, point: ContactPoint, before: ContactPoint | undefined): void {
    this.context.store.putContactPoint(point);
    this.logged(caller, 'CONTACT_POINT_CHANGED', point, before && shownPoint(before), shownPoint(point));
    this.context.emit({ type: 'contact-point-saved', contactPoint: point });
  }

  // ---------------------------------------------------------------- helpers

  private deletePoint(caller: AdminCaller, point: ContactPoint): void {
    this.context.store.deleteContactPoint(point.id);
    this.logged(caller, 'CONTACT_POINT_CHANGED', point, shownPoint(point), undefined);
  }

  /**
   * The action-log rows of a change to a group or point (admin.md §2: subject Kontaktstruktur):
   * made when there was nothing `before`, deleted when there is nothing `after`.
   */
  private logged(
    caller: AdminCaller,
    eventTag: 'CONTACT_GROUP_CHANGED' | 'CONTACT_POINT_CHANGED',
    record: { id: string; name: string },
    before: Record<string, unknown> | undefined,
    after: Record<string, unknown> | undefined,
  ): void {
    this.log.changed(caller, {
      subject: 'Kontaktstruktur',
      resourceId: record.id,
      name: record.name,
      event: before === undefined ? 'Oprettet' : after === undefined ? 'Slettet' : 'Redigeret',
      eventTag,
      ...(before === undefined ? {} : { before }),
      after: after ?? {},
    });
  }

  private nextVersion(point: ContactPoint): ContactPoint {
    return { ...point, version: (point.version ?? 1) + 1, lastUpdated: this.context.now() };
  }

  private groupSettings(body: unknown): ContactGroupSettings {
    const read = readContactGroupCommand(body);
    this.refuse(read.problems);
    return read.settings as ContactGroupSettings;
  }

  private pointSettings(body: unknown): ContactPointSettings {
    const read = readContactPointCommand(body);
    this.refuse(read.problems);
    return read.settings as ContactPointSettings;
  }

  private refuse(problems: readonly CommandProblem[]): void {
    if (problems.length > 0) throw reject.commandInvalid(problems);
  }
}
