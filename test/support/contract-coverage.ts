/**
 * The other half of the contract test (a global setup of the unit project, vitest.config.ts): on a
 * run of every test file, each operation the simulator serves must have given at least one checked
 * successful answer (2xx, or a 3xx redirect) somewhere in the run — an operation that is served but never answered successfully in
 * a test would escape the OpenAPI check. The workers note the operations they saw
 * (`contract-setup.ts`, one file per test file in a folder made here); the teardown compares them
 * with `SERVED_OPERATIONS`. A run of some files only checks nothing here.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { TestProject } from 'vitest/node';
import { SERVED_OPERATIONS } from '../../simulator/http/api/operations.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The folder where each test file's worker writes the operations it saw answer 2xx. */
    contractSeenDir: string;
  }
}

/**
 * Served operations that never answer successfully by design, with why (their refusals are still
 * checked like every answer).
 */
export const NEVER_SUCCEEDS: Readonly<Record<string, string>> = {
  updateSystemFetch:
    "the simulator's system fetches finish at once, so changing one is always 422 SYSTEM_FETCH_ENDED (docs/differences.md)",
};

/** The served operations not in `seen` (nor in {@link NEVER_SUCCEEDS}), in the served list's order. */
export function unanswered(served: readonly string[], seen: ReadonlySet<string>): string[] {
  return served.filter(
    (operationId) => !seen.has(operationId) && !Object.hasOwn(NEVER_SUCCEEDS, operationId),
  );
}

/** Whether this run ran every test file of the project, with no test-name filter. */
async function ranEverything(project: TestProject): Promise<boolean> {
  if (project.vitest.config.testNamePattern !== undefined) return false;
  const { testFiles } = await project.globTestFiles();
  const ran = new Set(
    project.vitest.state
      .getFiles()
      .filter((file) => file.projectName === project.name)
      .map((file) => resolve(file.filepath)),
  );
  return testFiles.every((file) => ran.has(resolve(file)));
}

export default function setup(project: TestProject): () => Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'digitalpost-contract-'));
  project.provide('contractSeenDir', dir);
  return async () => {
    try {
      if (!(await ranEverything(project))) return;
      const seen = new Set<string>();
      for (const name of readdirSync(dir))
        for (const operationId of JSON.parse(readFileSync(join(dir, name), 'utf8')) as string[])
          seen.add(operationId);
      const missing = unanswered(SERVED_OPERATIONS, seen);
      if (missing.length > 0)
        throw new Error(
          `served operations that gave no successful (2xx/3xx) answer in any test, so the contract test never checked them: ${missing.join(', ')}`,
        );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}
