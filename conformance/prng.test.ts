/**
 * The run's randomness: a stream per seed and name, the same every time, so that a scenario sees
 * the same draws whatever ran before it and `--seed` repeats a run.
 */
import { describe, expect, it } from 'vitest';
import { below, type Random, SwitchableRandom, shuffled, streamOf } from './prng.ts';

const draws = (random: Random, count = 8): number[] => Array.from({ length: count }, () => random());

describe('the streams of a seed', () => {
  it('give the same numbers for the same seed and name, each in [0, 1)', () => {
    const first = draws(streamOf(7, 'everyday'), 1_000);
    expect(draws(streamOf(7, 'everyday'), 1_000)).toEqual(first);
    for (const value of first) expect(value >= 0 && value < 1).toBe(true);
  });

  it('differ for another seed or another name', () => {
    const base = draws(streamOf(7, 'everyday'));
    expect(draws(streamOf(8, 'everyday'))).not.toEqual(base);
    expect(draws(streamOf(7, 'outage'))).not.toEqual(base);
  });

  it('do not depend on what was drawn from another stream before', () => {
    const alone = draws(new SwitchableRandom(streamOf(7, 'outage')).next);
    const random = new SwitchableRandom(streamOf(7, 'everyday'));
    draws(random.next, 50);
    random.use(streamOf(7, 'outage'));
    expect(draws(random.next)).toEqual(alone);
  });

  it('give each purpose its own stream: one drawn more often does not shift another', () => {
    const alone = new SwitchableRandom(streamOf(7, 'everyday'));
    const rejects = draws(() => alone.next('chaos-reject'));
    const interleaved = new SwitchableRandom(streamOf(7, 'everyday'));
    const mixed = rejects.map(() => {
      draws(() => interleaved.next('page-size'), 3);
      return interleaved.next('chaos-reject');
    });
    expect(mixed).toEqual(rejects);
    expect(draws(() => alone.next('page-size'))).not.toEqual(rejects);
  });

  it('shuffle and pick reproducibly, leaving the items as they were', () => {
    const items = ['a', 'b', 'c', 'd', 'e', 'f'];
    const order = shuffled(streamOf(3, 'x'), items);
    expect(shuffled(streamOf(3, 'x'), items)).toEqual(order);
    expect([...order].sort()).toEqual(items);
    expect(items).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
    const random = streamOf(3, 'y');
    for (let index = 0; index < 100; index++) expect(below(random, 6)).toBeLessThan(6);
  });
});
