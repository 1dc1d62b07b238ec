/** The memory budget for requests in flight (`memory-budget.ts`). */
import { describe, expect, it } from 'vitest';
import { MemoryBudget } from './memory-budget.ts';

describe('the memory budget', () => {
  it('counts what every hold holds, and gives it back on release', () => {
    const budget = new MemoryBudget(1000);
    const a = budget.hold('a');
    const b = budget.hold('b');
    a.grow(300);
    b.grow(500);
    a.grow(100);
    expect([a.bytes, b.bytes, budget.used]).toEqual([400, 500, 900]);
    a.release();
    expect(budget.used).toBe(500);
    a.release();
    expect(budget.used).toBe(500);
  });

  it('refuses for now what does not fit beside the others: unavailable, naming what it was for', () => {
    const budget = new MemoryBudget(1000);
    budget.hold('a').grow(800);
    const b = budget.hold('the request body');
    expect(() => b.grow(300)).toThrow(
      expect.objectContaining({
        kind: 'unavailable',
        code: 'SERVICE_UNAVAILABLE',
        message: expect.stringContaining('the request body'),
      }),
    );
    expect([b.bytes, budget.used]).toEqual([0, 800]);
  });

  it('refuses what one hold could never have as too large, whatever the others hold', () => {
    const b = new MemoryBudget(1000).hold('the container');
    b.grow(600);
    expect(() => b.grow(500)).toThrow(
      expect.objectContaining({ kind: 'too-large', code: 'MESSAGE_TOO_LARGE' }),
    );
  });

  it('shrinks a hold by at most what it holds', () => {
    const budget = new MemoryBudget(1000);
    const a = budget.hold('a');
    a.grow(100);
    a.shrink(40);
    a.shrink(1000);
    expect([a.bytes, budget.used]).toEqual([0, 0]);
  });
});
