import { defineConfig } from 'tsup';

export default defineConfig([
  {
    entry: {
      index: 'sdk/index.ts',
      memo: 'sdk/memo/index.ts',
      simulator: 'simulator/index.ts',
      testing: 'testing/index.ts',
      conformance: 'conformance/index.ts',
      testcontainers: 'testcontainers/index.ts',
    },
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node22',
    platform: 'node',
    splitting: true,
    // The MeMo pool finds its thread's module beside itself through import.meta.url, in CJS too.
    shims: true,
    // node:sqlite exists only under its node: name.
    removeNodeProtocol: false,
  },
  {
    // The MeMo thread (simulator/threads/): a module of its own in dist/, beside the bundles that
    // start it; ESM, as the package is.
    entry: { 'memo-thread': 'simulator/threads/memo-thread.ts' },
    format: ['esm'],
    sourcemap: true,
    target: 'node22',
    platform: 'node',
    removeNodeProtocol: false,
  },
  {
    entry: { cli: 'cli/index.ts' },
    format: ['esm'],
    sourcemap: true,
    target: 'node22',
    platform: 'node',
    banner: { js: '#!/usr/bin/env node' },
    removeNodeProtocol: false,
  },
]);
