#!/usr/bin/env node
/**
 * Checks the package as npm would publish it: publint (package.json against the files it names —
 * exports, types, bin, files) and @arethetypeswrong/cli (every entry point's types resolve, and match
 * the JavaScript they describe, under each of TypeScript's module resolutions, from ESM and CJS).
 * Both run on the packed tarball, not on the working tree, so what they see is what users install.
 *
 *   npm run check:package                  # packs first (npm pack: its prepack builds)
 *   npm run check:package -- <tarball>     # checks a tarball packed before
 *
 * Exits 1 when either finds a problem (publint's warnings count). test/package.test.ts runs it in CI.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const bin = (name) => join(root, 'node_modules', '.bin', name);

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', ...options });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

let tarball = process.argv[2];
let packedIn;
if (tarball === undefined) {
  packedIn = mkdtempSync(join(tmpdir(), 'digitalpost-pack-'));
  const packed = spawnSync('npm', ['pack', '--json', '--pack-destination', packedIn], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (packed.status !== 0) {
    console.error('check:package: npm pack failed');
    process.exit(1);
  }
  // The prepack's build also writes to stdout; npm's JSON comes last.
  const json = packed.stdout.slice(packed.stdout.search(/^\[/m));
  tarball = join(packedIn, JSON.parse(json)[0].filename);
}

try {
  const lint = run(bin('publint'), ['run', tarball, '--strict']);
  const types = run(bin('attw'), [tarball, '--no-emoji', '--no-color', '--format', 'table-flipped']);
  if (lint !== 0 || types !== 0) {
    console.error(
      `check:package: ${[lint !== 0 && 'publint', types !== 0 && 'attw'].filter(Boolean).join(' and ')} found problems in ${tarball}`,
    );
    process.exitCode = 1;
  }
} finally {
  if (packedIn !== undefined) rmSync(packedIn, { recursive: true, force: true });
}
