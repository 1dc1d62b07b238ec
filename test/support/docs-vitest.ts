/**
 * What a docs block written as a vitest test file gets for `import { it, … } from 'vitest'` when
 * test/docs-blocks.test.ts runs it: its tests and hooks are collected while the block's module is
 * evaluated and then run in order, inside the docs test (vitest does not allow a test within a
 * test). `expect` is vitest's own. Type-checking sees the real `vitest`.
 */
import { expect } from 'vitest';

export { expect };

type Fn = () => unknown;

interface Collected {
  beforeAll: Fn[];
  beforeEach: Fn[];
  afterEach: Fn[];
  afterAll: Fn[];
  tests: Array<{ name: string; fn: Fn }>;
}

let collected: Collected = emptyCollection();

function emptyCollection(): Collected {
  return { beforeAll: [], beforeEach: [], afterEach: [], afterAll: [], tests: [] };
}

export const beforeAll = (fn: Fn): void => void collected.beforeAll.push(fn);
export const beforeEach = (fn: Fn): void => void collected.beforeEach.push(fn);
export const afterEach = (fn: Fn): void => void collected.afterEach.push(fn);
export const afterAll = (fn: Fn): void => void collected.afterAll.push(fn);
export const it = (name: string, fn: Fn): void => void collected.tests.push({ name, fn });
export const test = it;
/** Blocks are flat: a `describe` only names its tests. */
export const describe = (_name: string, fn: () => void): void => fn();

/** Forgets what an earlier block collected. */
export function startCollecting(): void {
  collected = emptyCollection();
}

/** Runs what the block collected, as vitest would: the names of the tests run, or the first failure. */
export async function runCollected(): Promise<string[]> {
  const { beforeAll, beforeEach, afterEach, afterAll, tests } = collected;
  collected = emptyCollection();
  for (const hook of beforeAll) await hook();
  try {
    for (const { name, fn } of tests) {
      for (const hook of beforeEach) await hook();
      try {
        await fn();
      } catch (error) {
        throw new Error(`the block's test "${name}" failed`, { cause: error });
      } finally {
        for (const hook of afterEach) await hook();
      }
    }
  } finally {
    for (const hook of afterAll) await hook();
  }
  return tests.map((test) => test.name);
}
