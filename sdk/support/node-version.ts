/**
 * The oldest Node.js the package runs on, and the one check of it. The package needs Node 22.19's
 * APIs (`node:sqlite`, zlib's zstd, which undici uses as it loads); on an older Node it would fail
 * somewhere inside a dependency with a stack trace, so every entry point and the CLI ask this first.
 * It must stay cheap: it runs on every import.
 */

/** package.json's `engines.node`, without the `>=` (a test holds the two together). */
export const REQUIRED_NODE = '22.19.0';

/** Why this Node.js cannot run the package, in one line, or undefined when it can. */
export function unsupportedNode(version: string = process.versions.node): string | undefined {
  const have = version.split('.').map(Number);
  const need = REQUIRED_NODE.split('.').map(Number);
  for (let i = 0; i < need.length; i++) {
    const difference = (have[i] ?? 0) - (need[i] ?? 0);
    if (difference > 0) return undefined;
    if (difference < 0)
      return `digitalpost needs Node.js ${REQUIRED_NODE} or newer; this is Node.js ${version}`;
  }
  return undefined;
}
