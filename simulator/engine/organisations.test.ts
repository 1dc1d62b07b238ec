/**
 * Organisations and contact groups as systems look them up, on the memory store: the default seed's
 * group tree, targets derived from the contact points in a group and below it, the filters, and a
 * reset going back to the seed's groups.
 */
import { describe, expect, it } from 'vitest';
import { rejectionOf, SEED_IDS, testEngine } from '../../test/support/engine.ts';
import { matchesAny } from './organisations.ts';

describe('contact groups', () => {
  it("are the default seed's tree, each with its organisation and parent", () => {
    const { engine } = testEngine();

    const views = engine.organisations.contactGroups();

    expect(views.map((view) => [view.group.name, view.parent?.group.id])).toEqual([
      ['Testkommune', undefined],
      ['Borger og familie', SEED_IDS.contactGroupRoot],
      ['Teknik og miljø', SEED_IDS.contactGroupRoot],
    ]);
    expect(views.every((view) => view.organisation.organisation.id === SEED_IDS.authority)).toBe(true);
  });

  it('take their targets from the active contact points in them and in the groups below', () => {
    const { engine } = testEngine();
    const targets = () => engine.organisations.contactGroups().map((view) => view.targets.length);
    expect(targets()).toEqual([3, 3, 0]);

    engine.directory.updateContactPoint(SEED_IDS.contactPoint, { active: false });

    expect(targets()).toEqual([0, 0, 0]);
  });

  it('filter by root and by name', () => {
    const { engine } = testEngine();
    const names = (filter: Parameters<typeof engine.organisations.contactGroups>[0]) =>
      engine.organisations.contactGroups(filter).map((view) => view.group.name);

    expect(names({ isRoot: true })).toEqual(['Testkommune']);
    expect(names({ isRoot: false, names: ['*MILJØ'] })).toEqual(['Teknik og miljø']);
  });

  it('come back as seeded after a reset', async () => {
    const { engine } = testEngine();
    const before = engine.organisations.contactGroups();

    await engine.reset();

    expect(engine.organisations.contactGroups()).toEqual(before);
  });
});

describe('organisations', () => {
  it('are found by CVR number, type, name and search terms', () => {
    const { engine } = testEngine();
    const names = (filter: Parameters<typeof engine.organisations.search>[0]) =>
      engine.organisations.search(filter).map((view) => view.organisation.name);

    expect(names({ cvrNumbers: ['11223344'] })).toEqual(['Testbutik ApS']);
    expect(names({ type: 'AUTHORITY' })).toEqual(['Testkommune']);
    expect(names({ names: ['testfirma aps', 'nobody'] })).toEqual(['Testfirma ApS']);
    expect(names({ searchTerms: ['TEST', 'butik'] })).toEqual(['Testbutik ApS']);
  });

  it('an unknown id is NOT_FOUND', async () => {
    const { engine } = testEngine();
    expect(await rejectionOf(() => engine.organisations.get('no-such-id'))).toMatchObject({
      kind: 'not-found',
    });
  });
});

describe('matchesAny', () => {
  it.each([
    ['Testkommune', ['testkommune'], true],
    ['Testkommune', ['test*'], true],
    ['Testkommune', ['*kom*'], true],
    ['Testkommune', ['test'], false],
    ['a.b', ['a?b', 'a.b'], true],
    ['axb', ['a.b'], false],
  ])('%s against %o is %s', (value, patterns, expected) => {
    expect(matchesAny(value, patterns)).toBe(expected);
  });
});
