import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // Examples import the package by name, as users do; tests run them against the sources.
    alias: [
      {
        find: /^digitalpost\/memo$/,
        replacement: fileURLToPath(new URL('./sdk/memo/index.ts', import.meta.url)),
      },
      {
        find: /^digitalpost\/simulator$/,
        replacement: fileURLToPath(new URL('./simulator/index.ts', import.meta.url)),
      },
      {
        find: /^digitalpost\/testcontainers$/,
        replacement: fileURLToPath(new URL('./testcontainers/index.ts', import.meta.url)),
      },
      {
        find: /^digitalpost\/testing$/,
        replacement: fileURLToPath(new URL('./testing/index.ts', import.meta.url)),
      },
      { find: /^digitalpost$/, replacement: fileURLToPath(new URL('./sdk/index.ts', import.meta.url)) },
    ],
  },
  test: {
    include: ['{sdk,simulator,conformance,cli,testing,testcontainers,examples,test}/**/*.test.ts'],
    exclude: ['**/node_modules/**', 'dist/**', '**/*.slow.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
