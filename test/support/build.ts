/**
 * `dist/` as `npm run build` makes it, for the tests and benchmarks that use the built package (the
 * packed tarball, import cost, bulk senders): built first when it is missing or older than anything
 * it is made from, so that they never measure or check a stale build.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..', '..');

/** The folders and files the build reads (tsup.config.ts). */
const SOURCES = ['sdk', 'simulator', 'cli', 'conformance', 'testing', 'testcontainers'];
const CONFIG = ['package.json', 'tsup.config.ts'];

/** The newest modification time of the files the built package is made from. */
function newestSource(): number {
  let newest = 0;
  for (const file of CONFIG) newest = Math.max(newest, statSync(join(ROOT, file)).mtimeMs);
  for (const folder of SOURCES) {
    for (const entry of readdirSync(join(ROOT, folder), { recursive: true, withFileTypes: true })) {
      if (!entry.isFile() || entry.name.endsWith('.test.ts')) continue;
      newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
    }
  }
  return newest;
}

export interface Build {
  /** Whether this call built it. */
  built: boolean;
  /** What was found, in words: "it was missing", "it was older than the sources", "it was current". */
  why: string;
}

/** Builds `dist/` (tsup, as `npm run build`) when it is missing or older than the sources. */
export function ensureBuilt(): Build {
  const marker = join(ROOT, 'dist', 'index.js');
  const builtAt = existsSync(marker) ? statSync(marker).mtimeMs : undefined;
  if (builtAt !== undefined && builtAt >= newestSource()) return { built: false, why: 'it was current' };
  const why = builtAt === undefined ? 'it was missing' : 'it was older than the sources';
  const result = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'tsup', 'dist', 'cli-default.js')], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`building dist/ failed:\n${result.stdout}\n${result.stderr}`);
  return { built: true, why };
}
