/**
 * The package as users get it: `npm pack`'s tarball of the current build, installed into a fresh
 * project of its own with `npm ci`. No registry is asked (CI may have none): the project's lock is
 * made from this repository's package-lock.json — the package's own dependencies and what the
 * consumer adds (TypeScript, @types/node, the optional peers), each with the version, tarball URL
 * and integrity pinned there — so npm takes every tarball from its cache, as the repository's own
 * `npm ci` left it. Nothing else of the repository is reachable from the project.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureBuilt, ROOT } from './build.ts';

export interface Packed {
  /** The tarball's path. */
  path: string;
  /** The sum of the sizes of its files, bytes (npm's "unpacked size"). */
  unpackedSize: number;
  /** The paths of its files, e.g. `dist/index.js`. */
  files: string[];
}

/** Packs the current build (built first when stale) into `folder`. */
export function pack(folder: string): Packed {
  ensureBuilt();
  const packed = run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', folder], ROOT);
  const [info] = JSON.parse(packed) as [
    { filename: string; unpackedSize: number; files: Array<{ path: string }> },
  ];
  return {
    path: join(folder, info.filename),
    unpackedSize: info.unpackedSize,
    files: info.files.map((file) => file.path),
  };
}

interface LockEntry {
  version?: string;
  resolved?: string;
  integrity?: string;
  dev?: boolean;
  devOptional?: boolean;
  peer?: boolean;
  optional?: boolean;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  [field: string]: unknown;
}

/**
 * Where npm finds `name` for the package installed at `from` (`node_modules/a/node_modules/b`): its
 * own node_modules, then each enclosing one.
 */
function resolveIn(packages: Record<string, LockEntry>, from: string, name: string): string | undefined {
  let at = from;
  for (;;) {
    const candidate = `${at === '' ? '' : `${at}/`}node_modules/${name}`;
    if (packages[candidate] !== undefined) return candidate;
    if (at === '') return undefined;
    const cut = at.lastIndexOf('/node_modules/');
    at = cut === -1 ? '' : at.slice(0, cut);
  }
}

/**
 * Installs `tarball` into `folder` (an empty directory) with `npm ci --offline`, beside `extra`:
 * packages of this repository's lock the consumer installs too (by name, at the version locked).
 */
export function installConsumer(folder: string, tarball: string, extra: readonly string[]): void {
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, LockEntry>;
  };
  const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as LockEntry & {
    dependencies: Record<string, string>;
  };
  const packages: Record<string, LockEntry> = {};
  const visit = (path: string): void => {
    if (packages[path] !== undefined) return;
    const { dev, devOptional, peer, ...entry } = lock.packages[path] as LockEntry;
    packages[path] = entry;
    const wanted = {
      ...entry.dependencies,
      ...entry.optionalDependencies,
      ...Object.fromEntries(
        Object.entries(entry.peerDependencies ?? {}).filter(
          ([name]) => entry.peerDependenciesMeta?.[name]?.optional !== true,
        ),
      ),
    };
    for (const name of Object.keys(wanted)) {
      const found = resolveIn(lock.packages, path, name);
      if (found !== undefined) visit(found);
    }
  };
  for (const name of [...Object.keys(manifest.dependencies), ...extra]) visit(`node_modules/${name}`);

  const bytes = readFileSync(tarball);
  const own = `file:${tarball}`;
  packages['node_modules/digitalpost'] = {
    version: manifest.version,
    resolved: own,
    integrity: `sha512-${createHash('sha512').update(bytes).digest('base64')}`,
    license: manifest.license,
    dependencies: manifest.dependencies,
    peerDependencies: manifest.peerDependencies,
    peerDependenciesMeta: manifest.peerDependenciesMeta,
    bin: manifest.bin,
    engines: manifest.engines,
  };
  const dependencies: Record<string, string> = { digitalpost: own };
  for (const name of extra) dependencies[name] = lock.packages[`node_modules/${name}`]?.version as string;
  const root = { name: 'consumer', version: '1.0.0', private: true, dependencies };
  writeFileSync(join(folder, 'package.json'), `${JSON.stringify(root, null, 2)}\n`);
  writeFileSync(
    join(folder, 'package-lock.json'),
    `${JSON.stringify(
      {
        name: 'consumer',
        version: '1.0.0',
        lockfileVersion: 3,
        requires: true,
        packages: { '': root, ...packages },
      },
      null,
      2,
    )}\n`,
  );
  run('npm', ['ci', '--offline', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], folder);
}

/** Runs a command, returning its stdout; throws with its output when it fails. */
export function run(command: string, args: readonly string[], cwd: string): string {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} failed (${result.error?.message ?? `exit ${result.status}`}):\n${result.stdout}\n${result.stderr}`,
    );
  }
  return result.stdout;
}
