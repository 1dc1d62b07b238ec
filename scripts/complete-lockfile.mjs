#!/usr/bin/env node
/**
 * Adds the platform packages npm leaves out of package-lock.json when the registry it installs from
 * lacks them (some mirrors only carry linux-x64/arm64 builds of @biomejs/cli-*, @rollup/rollup-*,
 * @esbuild/*). `npm ci` insists that every optional dependency has a lock entry, even one it will
 * skip on this platform, so without them a clean install fails. Each added entry names the version
 * (npm resolves it from the registry on platforms that need it) and the platform it is for — `os`,
 * `cpu`, `libc`, from the installed package when there is one, else from its name
 * (`@esbuild/darwin-arm64`, `@napi-rs/lzma-linux-x64-musl`) — because an optional entry without them
 * is installed everywhere: `npm ci` fetched every platform's build of every such package.
 *
 *   node scripts/complete-lockfile.mjs          # fix package-lock.json in place
 *   node scripts/complete-lockfile.mjs --check  # exit 1 if entries are missing or name no platform
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

const root = new URL('..', import.meta.url);
const path = new URL('package-lock.json', root);
const lock = JSON.parse(readFileSync(path, 'utf8'));
const packages = lock.packages;

const OSES = [
  'aix',
  'android',
  'darwin',
  'freebsd',
  'linux',
  'netbsd',
  'openbsd',
  'openharmony',
  'sunos',
  'win32',
];
const CPUS = ['arm', 'arm64', 'ia32', 'loong64', 'mips64el', 'ppc64', 'riscv64', 's390x', 'wasm32', 'x64'];

/** The platform fields of the package `name`: its installed manifest's, or read from its name. */
function platformOf(key, name) {
  const installed = new URL(`${key}/package.json`, root);
  if (existsSync(installed)) {
    const manifest = JSON.parse(readFileSync(installed, 'utf8'));
    return Object.fromEntries(['os', 'cpu', 'libc'].filter((f) => manifest[f]).map((f) => [f, manifest[f]]));
  }
  const parts = name.split('/').pop().split('-');
  const os = parts.find((part) => OSES.includes(part));
  const cpu = parts.find((part) => CPUS.includes(part));
  const libc = parts.some((part) => part.startsWith('musl'))
    ? ['musl']
    : os === 'linux' && parts.some((part) => part.startsWith('gnu'))
      ? ['glibc']
      : undefined;
  return {
    ...(os ? { os: [os] } : {}),
    ...(cpu ? { cpu: [cpu] } : {}),
    ...(libc ? { libc } : {}),
  };
}

const added = [];
const placed = [];
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
// Every version-only entry (added now or before) says which platform it is for, when it is for one.
for (const [key, entry] of Object.entries(packages)) {
  if (!entry.optional || entry.resolved || entry.os || entry.cpu) continue;
  const platform = platformOf(key, key.slice(key.lastIndexOf('node_modules/') + 'node_modules/'.length));
  if (Object.keys(platform).length === 0) continue;
  Object.assign(entry, platform);
  placed.push(key);
}
if (process.argv.includes('--check')) {
  if (added.length > 0 || placed.length > 0) {
    const names = [...added, ...placed];
    console.error(
      `package-lock.json lacks ${added.length} optional platform packages and the platform of ${placed.length} (${names.slice(0, 3).join(', ')}, …); run: node scripts/complete-lockfile.mjs`,
    );
    process.exit(1);
  }
} else if (added.length > 0 || placed.length > 0) {
  // New entries go where npm would put them; the others keep npm's order.
  if (added.length > 0) {
    lock.packages = Object.fromEntries(
      Object.entries(packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : 1)),
    );
  }
  writeFileSync(path, `${JSON.stringify(lock, null, 2)}\n`);
  console.log(
    `package-lock.json: added ${added.length} optional platform packages, named the platform of ${placed.length}`,
  );
}
