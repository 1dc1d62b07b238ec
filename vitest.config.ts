import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{sdk,simulator,conformance,cli,testing,examples,test}/**/*.test.ts'],
    exclude: ['**/node_modules/**', 'dist/**', '**/*.slow.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
