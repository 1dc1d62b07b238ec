/**
 * The rules of contact groups (admin.md §2.1): a tree per organisation, one parent each, no
 * cycles; a group's targets are derived from the contact points in it (§6.6).
 */
import type { ContactGroupRecord, ContactPoint } from './model.ts';

type Target = ContactPoint['targets'][number];

/** What a point says about where it is and who can write to it. */
type Placed = Pick<ContactPoint, 'active' | 'targets' | 'contactGroupIds'>;

const TARGET_ORDER: readonly Target[] = ['CITIZEN', 'COMPANY', 'AUTHORITY'];

/** The ids of `group` and of every group below it, among `groups` (of its organisation). */
export function subtreeOf(group: ContactGroupRecord, groups: readonly ContactGroupRecord[]): Set<string> {
  const ids = new Set([group.id]);
  let grown = true;
  while (grown) {
    grown = false;
    for (const other of groups) {
      if (other.parentId !== undefined && ids.has(other.parentId) && !ids.has(other.id)) {
        ids.add(other.id);
        grown = true;
      }
    }
  }
  return ids;
}

/** Who can write to any of `points`: the targets of the active ones, in NgDP's order. */
export function targetsOf(points: readonly Placed[]): Target[] {
  const found = new Set<Target>();
  for (const point of points) if (point.active) for (const target of point.targets) found.add(target);
  return TARGET_ORDER.filter((target) => found.has(target));
}

/**
 * Who can write to each group of `groups` (by id): the targets of the active contact points in it
 * or in a group below it, in NgDP's order (none when it holds no active point) — each point and
 * each group looked at once.
 */
export function allGroupTargets(
  groups: readonly ContactGroupRecord[],
  points: readonly Placed[],
): Map<string, Target[]> {
  const own = new Map<string, Set<Target>>();
  for (const point of points) {
    if (!point.active) continue;
    for (const id of point.contactGroupIds ?? []) {
      const found = own.get(id) ?? new Set<Target>();
      for (const target of point.targets) found.add(target);
      own.set(id, found);
    }
  }
  const children = new Map<string, ContactGroupRecord[]>();
  for (const group of groups)
    if (group.parentId !== undefined)
      children.set(group.parentId, [...(children.get(group.parentId) ?? []), group]);
  const below = new Map<string, Set<Target>>();
  const targetsBelow = (group: ContactGroupRecord, path: Set<string>): Set<Target> => {
    const known = below.get(group.id);
    if (known !== undefined) return known;
    const found = new Set(own.get(group.id));
    // A cycle (which the rules never let in) ends the walk instead of looping.
    for (const child of children.get(group.id) ?? [])
      if (!path.has(child.id))
        for (const target of targetsBelow(child, new Set([...path, child.id]))) found.add(target);
    below.set(group.id, found);
    return found;
  };
  return new Map(
    groups.map((group) => {
      const found = targetsBelow(group, new Set([group.id]));
      return [group.id, TARGET_ORDER.filter((target) => found.has(target))];
    }),
  );
}

/**
 * Why `groups` do not form trees, or undefined when they do: a parent must be a group of the same
 * organisation, and following parents must never come back to where it started.
 */
export function contactGroupTreeProblem(groups: readonly ContactGroupRecord[]): string | undefined {
  const byId = new Map(groups.map((group) => [group.id, group]));
  for (const group of groups) {
    if (group.parentId === undefined) continue;
    const parent = byId.get(group.parentId);
    if (parent === undefined) return `the parent of contact group ${group.id} is no contact group`;
    if (parent.organisationId !== group.organisationId)
      return `the parent of contact group ${group.id} belongs to another organisation`;
    const seen = new Set([group.id]);
    for (let at: ContactGroupRecord | undefined = parent; at !== undefined; ) {
      if (seen.has(at.id)) return `contact group ${group.id} is below itself (CYCLE)`;
      seen.add(at.id);
      at = at.parentId === undefined ? undefined : byId.get(at.parentId);
    }
  }
  return undefined;
}
