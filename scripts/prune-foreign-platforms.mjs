#!/usr/bin/env node
/**
 * Removes from a node_modules folder the packages built for another platform: those whose own
 * package.json names `os`, `cpu` or `libc` values that exclude this machine. The container image's
 * dependencies stage runs it after `npm ci`: package-lock.json holds @napi-rs/lzma's platform
 * packages without those fields (scripts/complete-lockfile.mjs adds them by version only), so npm
 * installs every one of them — some 20 MB of binaries no container here can load.
 *
 *   node scripts/prune-foreign-platforms.mjs [node_modules]
 */
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = process.argv[2] ?? 'node_modules';
const libc = process.report.getReport().header.glibcVersionRuntime === undefined ? 'musl' : 'glibc';

/** Whether a package.json field (["linux"], ["!win32"], absent) admits this value. */
function admits(field, value) {
  if (!Array.isArray(field) || field.length === 0) return true;
  if (field.includes(`!${value}`)) return false;
  const allowed = field.filter((entry) => !entry.startsWith('!'));
  return allowed.length === 0 || allowed.includes(value);
}

const folders = readdirSync(root, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.'))
  .flatMap((entry) =>
    entry.name.startsWith('@')
      ? readdirSync(join(root, entry.name)).map((name) => join(root, entry.name, name))
      : [join(root, entry.name)],
  );
for (const folder of folders) {
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8'));
  } catch {
    continue;
  }
  const fits =
    admits(manifest.os, process.platform) &&
    admits(manifest.cpu, process.arch) &&
    admits(manifest.libc, libc);
  if (!fits) {
    rmSync(folder, { recursive: true, force: true });
    console.log(
      `removed ${manifest.name} (built for ${[manifest.os, manifest.cpu, manifest.libc].flat().filter(Boolean).join(' ')})`,
    );
  }
}
