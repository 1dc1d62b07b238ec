#!/usr/bin/env node
/**
 * Adds the platform packages npm leaves out of package-lock.json when the registry it installs from
 * lacks them (some mirrors only carry linux-x64/arm64 builds of @biomejs/cli-*, @rollup/rollup-*,
 * @esbuild/*). `npm ci` insists that every optional dependency has a lock entry, even one it will
 * skip on this platform, so without them a clean install fails. Each added entry names only the
 * version: npm resolves it from the registry on platforms that need it.
 *
 *   node scripts/complete-lockfile.mjs          # fix package-lock.json in place
 *   node scripts/complete-lockfile.mjs --check  # exit 1 if entries are missing
 */
import { readFileSync, writeFileSync } from 'node:fs';

const path = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(path, 'utf8'));
const packages = lock.packages;
const added = [];
for (const [key, meta] of Object.entries(packages)) {
  for (const [name, spec] of Object.entries(meta.optionalDependencies ?? {})) {
    const nested = `${key ? `${key}/` : ''}node_modules/${name}`;
    if (packages[nested] || packages[`node_modules/${name}`]) continue;
    packages[`node_modules/${name}`] = {
      version: spec.replace(/^[\^~=]/, ''),
      ...(meta.dev ? { dev: true } : {}),
      optional: true,
    };
    added.push(name);
  }
}
if (process.argv.includes('--check')) {
  if (added.length > 0) {
    console.error(
      `package-lock.json lacks ${added.length} optional platform packages (${added.slice(0, 3).join(', ')}, …); run: node scripts/complete-lockfile.mjs`,
    );
    process.exit(1);
  }
} else if (added.length > 0) {
  lock.packages = Object.fromEntries(
    Object.entries(packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : 1)),
  );
  writeFileSync(path, `${JSON.stringify(lock, null, 2)}\n`);
  console.log(`package-lock.json: added ${added.length} optional platform packages`);
}
