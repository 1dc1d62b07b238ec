/** Access to `../shared` (specs, official schemas and examples), which a user's clone does not have. */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The shared folder beside the repository, or undefined when absent. */
export const sharedDir: string | undefined = (() => {
  const dir = fileURLToPath(new URL('../../../shared/', import.meta.url));
  return existsSync(dir) ? dir : undefined;
})();

/** A one-line reason to skip, for tests that need `../shared`. */
export const noSharedReason =
  '../shared is absent (as in a fresh clone): skipping tests that use the official schemas and examples';
