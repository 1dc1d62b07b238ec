/**
 * Lets a program run by a test in a process of its own (`node --import ./test/support/source-imports.ts
 * examples/x.ts`) import the package by name, as users do — `digitalpost`, `digitalpost/memo`, … —
 * and get the sources, not `dist/`: the same mapping as vitest.config.ts's aliases.
 */
import { registerHooks } from 'node:module';

const ENTRIES: Readonly<Record<string, string>> = {
  digitalpost: '../../sdk/index.ts',
  'digitalpost/memo': '../../sdk/memo/index.ts',
  'digitalpost/simulator': '../../simulator/index.ts',
  'digitalpost/testing': '../../testing/index.ts',
  'digitalpost/conformance': '../../conformance/index.ts',
};

registerHooks({
  resolve(specifier, context, nextResolve) {
    const entry = ENTRIES[specifier];
    if (entry === undefined) return nextResolve(specifier, context);
    return { url: new URL(entry, import.meta.url).href, shortCircuit: true };
  },
});
