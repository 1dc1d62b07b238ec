import { readFileSync, writeFileSync } from 'node:fs';
import { defineConfig, type Options } from 'tsup';

/** The library's entry points: one per `exports` subpath of package.json. */
const LIBRARY = {
  index: 'sdk/index.ts',
  memo: 'sdk/memo/index.ts',
  admin: 'sdk/admin/index.ts',
  simulator: 'simulator/index.ts',
  testing: 'testing/index.ts',
  conformance: 'conformance/index.ts',
  testcontainers: 'testcontainers/index.ts',
};

const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };

const common: Options = {
  target: 'node22',
  platform: 'node',
  // The version as a constant (sdk/support/version.ts), so that package.json is not bundled.
  define: { __DIGITALPOST_VERSION__: JSON.stringify(version) },
  // node:sqlite exists only under its node: name.
  removeNodeProtocol: false,
  // No source maps: the bundles are not minified, so a stack trace reads as it is, and maps (which
  // would point at sources the package does not ship) were two thirds of the package's size.
  sourcemap: false,
};

/**
 * Puts the Node.js version check (sdk/support/node-check.ts, built on its own beside the bundles) first
 * in every entry point: an ES module's imports all load before its code runs, and a dependency that
 * needs a newer Node (undici) must not load before the check has said so in one line.
 */
function checkNodeFirst(extension: '.js' | '.cjs', names: readonly string[]): () => Promise<void> {
  const statement = extension === '.js' ? 'import "./node-check.js";' : 'require("./node-check.cjs");';
  return async () => {
    for (const name of names) {
      const file = `dist/${name}${extension}`;
      const code = readFileSync(file, 'utf8');
      // After CJS's "use strict", which is a directive only as the first statement.
      const strict = /^"use strict";/.exec(code)?.[0] ?? '';
      writeFileSync(file, `${strict}${statement}\n${code.slice(strict.length)}`);
    }
  };
}

/**
 * The entry points whose `require` condition loads the ES module through Node's require(esm)
 * instead of a CommonJS copy of it. The conformance suite is run from the CLI or from ES modules;
 * its CommonJS copy was an eighth of the package for `require('digitalpost/conformance')`, which
 * Node ≥ 22.12 serves from the ES build (the package needs 22.19). The SDK, the simulator and the
 * testing helpers keep a real CommonJS build: Jest's CommonJS runtime cannot require ES modules.
 */
const REQUIRES_ESM = ['conformance'] as const;

/** `dist/<name>.cjs` for each of {@link REQUIRES_ESM}: the version check, then the ES module. */
async function requireEsm(): Promise<void> {
  for (const name of REQUIRES_ESM) {
    writeFileSync(
      `dist/${name}.cjs`,
      `"use strict";\nrequire("./node-check.cjs");\nmodule.exports = require("./${name}.js");\n`,
    );
  }
}

const CJS_ENTRIES = Object.fromEntries(
  Object.entries(LIBRARY).filter(([name]) => !(REQUIRES_ESM as readonly string[]).includes(name)),
);

export default defineConfig([
  {
    ...common,
    entry: { 'node-check': 'sdk/support/node-check.ts' },
    format: ['esm', 'cjs'],
    clean: true,
  },
  {
    ...common,
    // One ESM build of the library, the CLI and the MeMo thread (simulator/threads/, started by the
    // pool through a URL beside it, from the CJS build too), so that they share their chunks: the CLI
    // does not carry a second copy of the library.
    entry: { ...LIBRARY, cli: 'cli/bin.ts', 'memo-thread': 'simulator/threads/memo-thread.ts' },
    format: ['esm'],
    dts: { entry: LIBRARY },
    splitting: true,
    onSuccess: checkNodeFirst('.js', Object.keys(LIBRARY)),
  },
  {
    ...common,
    entry: CJS_ENTRIES,
    format: ['cjs'],
    dts: { entry: LIBRARY },
    splitting: true,
    // The MeMo pool finds its thread's module beside itself through import.meta.url, in CJS too.
    shims: true,
    onSuccess: async () => {
      await checkNodeFirst('.cjs', Object.keys(CJS_ENTRIES))();
      await requireEsm();
    },
  },
]);
