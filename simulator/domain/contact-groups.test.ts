/** The rules of contact-group trees: parents of the same organisation, no cycles; derived targets. */
import { describe, expect, it } from 'vitest';
import { allGroupTargets, contactGroupTreeProblem } from './contact-groups.ts';
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

describe('allGroupTargets', () => {
  const groups = [group('root'), group('left', 'root'), group('right', 'root'), group('deep', 'left')];

  it("is the union of the active points' targets in each group and below, in NgDP's order", () => {
    const points = [
      point(['left'], ['AUTHORITY', 'CITIZEN']),
      point(['right'], ['COMPANY'], false),
      point(['deep', 'right'], ['COMPANY']),
    ];

    expect(Object.fromEntries(allGroupTargets(groups, points))).toEqual({
      root: ['CITIZEN', 'COMPANY', 'AUTHORITY'],
      left: ['CITIZEN', 'COMPANY', 'AUTHORITY'],
      right: ['COMPANY'],
      deep: ['COMPANY'],
    });
  });

  it('ends at a cycle instead of looping', () => {
    const cycle = [group('a', 'b'), group('b', 'a')];
    expect(allGroupTargets(cycle, [point(['a'], ['CITIZEN'])]).get('a')).toEqual(['CITIZEN']);
  });
});
