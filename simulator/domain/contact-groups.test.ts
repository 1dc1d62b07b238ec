/** The rules of contact-group trees: parents of the same organisation, no cycles; derived targets. */
import { describe, expect, it } from 'vitest';
import { contactGroupTreeProblem, groupTargets } from './contact-groups.ts';
import type { ContactGroupRecord, ContactPoint } from './model.ts';

const group = (id: string, parentId?: string, organisationId = 'org'): ContactGroupRecord => ({
  id,
  organisationId,
  name: id,
  description: '',
  organisationalUnit: false,
  ...(parentId === undefined ? {} : { parentId }),
  postkasseIds: [],
  version: 1,
  transactionId: id,
  createdDate: 0,
  lastUpdated: 0,
});

const point = (groups: string[], targets: ContactPoint['targets'], active = true): ContactPoint => ({
  id: `point-${groups.join('-')}`,
  organisationId: 'org',
  name: 'point',
  targets,
  active,
  contactGroupIds: groups,
  createdDate: 0,
  lastUpdated: 0,
});

describe('contactGroupTreeProblem', () => {
  it('accepts trees', () => {
    expect(contactGroupTreeProblem([group('a'), group('b', 'a'), group('c', 'b')])).toBeUndefined();
  });

  it.each([
    [[group('a', 'b'), group('b', 'a')], 'contact group a is below itself (CYCLE)'],
    [[group('a', 'a')], 'contact group a is below itself (CYCLE)'],
    [[group('a', 'x')], 'the parent of contact group a is no contact group'],
    [[group('a'), group('b', 'a', 'other')], 'the parent of contact group b belongs to another organisation'],
  ])('refuses %o', (groups, problem) => {
    expect(contactGroupTreeProblem(groups)).toBe(problem);
  });
});

describe('groupTargets', () => {
  const groups = [group('root'), group('left', 'root'), group('right', 'root')];

  it("is the union of the active points' targets in the group and below, in NgDP's order", () => {
    const points = [point(['left'], ['AUTHORITY', 'CITIZEN']), point(['right'], ['COMPANY'], false)];

    expect(groupTargets(groups[0]!, groups, points)).toEqual(['CITIZEN', 'AUTHORITY']);
    expect(groupTargets(groups[1]!, groups, points)).toEqual(['CITIZEN', 'AUTHORITY']);
    expect(groupTargets(groups[2]!, groups, points)).toEqual([]);
  });
});
