import { defineConfig } from 'tsup';

export default defineConfig([
  {
    entry: {
      index: 'sdk/index.ts',
      memo: 'sdk/memo/index.ts',
      simulator: 'simulator/index.ts',
      testing: 'testing/index.ts',
    },
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node22',
    platform: 'node',
    splitting: true,
    // node:sqlite exists only under its node: name.
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
