/** Access to `../shared` (specs, official schemas and examples), which a user's clone does not have. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The shared folder beside the repository, or undefined when absent. */
export const sharedDir: string | undefined = (() => {
  const dir = fileURLToPath(new URL('../../../shared/', import.meta.url));
  return existsSync(dir) ? dir : undefined;
})();

/**
 * The absolute path of `path` inside `../shared`, or undefined when it is absent. Tests declare the
 * paths they need with `describeWith({ shared: [path] }, …)` (requirements.ts), which decides what
 * an absent one means.
 */
export function sharedPath(path: string, dir: string | undefined = sharedDir): string | undefined {
  if (dir === undefined) return undefined;
  const full = join(dir, path);
  return existsSync(full) ? full : undefined;
}
