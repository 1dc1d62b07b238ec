import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const EXCLUDE = ['**/node_modules/**', 'dist/**', '**/*.slow.test.ts'];
/** The tests that drive a Docker engine (test/support/containers.ts). */
const CONTAINER_TESTS = ['test/container.test.ts', 'testcontainers/**/*.test.ts'];

export default defineConfig({
  resolve: {
    // Examples import the package by name, as users do; tests run them against the sources.
    alias: [
      {
        find: /^digitalpost\/memo$/,
        replacement: fileURLToPath(new URL('./sdk/memo/index.ts', import.meta.url)),
      },
      {
        find: /^digitalpost\/admin$/,
        replacement: fileURLToPath(new URL('./sdk/admin/index.ts', import.meta.url)),
      },
      {
        find: /^digitalpost\/simulator$/,
        replacement: fileURLToPath(new URL('./simulator/index.ts', import.meta.url)),
      },
      {
        find: /^digitalpost\/conformance$/,
        replacement: fileURLToPath(new URL('./conformance/index.ts', import.meta.url)),
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
    testTimeout: 30_000,
    hookTimeout: 30_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['{sdk,simulator,conformance,cli,testing,testcontainers,examples,test}/**/*.test.ts'],
          exclude: [...EXCLUDE, ...CONTAINER_TESTS],
          // The contract test: every answer of an in-process simulator's /apis/v1 held against NgDP's
          // OpenAPI file (docs/simulator.md, "The contract test").
          setupFiles: ['test/support/contract-setup.ts'],
          // …and on a run of every file, every served operation answered 2xx in some test.
          globalSetup: ['test/support/contract-coverage.ts'],
        },
      },
      {
        // The tests that start containers run once the rest is done: starting a container takes
        // the machine's cores for a moment, which pushed the peak-RSS bounds of tests running beside
        // them (test/memo-reader-memory.test.ts) over the edge.
        extends: true,
        test: {
          name: 'containers',
          include: CONTAINER_TESTS,
          exclude: EXCLUDE,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
