/**
 * The first thing every entry point of the built package loads (tsup.config.ts puts its import at the
 * top of each): on a Node.js older than the package needs, it throws one clear line instead of letting
 * a dependency crash deep inside. An ES module's imports all load before its own code runs, so the
 * check is a module of its own, imported before everything else. Its only effect is that throw: a
 * bundler that leaves it out (package.json's `sideEffects: false`) changes nothing on a supported Node.
 */
import { unsupportedNode } from './node-version.ts';

const problem = unsupportedNode();
if (problem !== undefined) {
  const error = new Error(problem);
  // The stack would only point here; the line says everything.
  error.stack = `Error: ${problem}`;
  throw error;
}
