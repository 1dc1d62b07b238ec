#!/usr/bin/env node
/**
 * The `digitalpost` command (dist/cli.js). It checks the Node.js version before anything else is
 * loaded — a static import would load the whole program, and its dependencies, first — and says in one
 * line what it needs instead of crashing inside one of them.
 */
import { unsupportedNode } from '../sdk/support/node-version.ts';

const problem = unsupportedNode();
if (problem === undefined) {
  await import('./index.ts');
} else {
  process.stderr.write(`${problem}\n`);
  process.exitCode = 1;
}
