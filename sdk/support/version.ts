/**
 * The package's version (the client's User-Agent, the CLI's `--version`, reports). The build writes it
 * in as a constant (tsup.config.ts `define`), so that package.json is not bundled into `dist/`; run
 * from the sources, it is read from package.json.
 */
import { createRequire } from 'node:module';

declare const __DIGITALPOST_VERSION__: string | undefined;

export const VERSION: string =
  typeof __DIGITALPOST_VERSION__ === 'string'
    ? __DIGITALPOST_VERSION__
    : (createRequire(import.meta.url)('../../package.json') as { version: string }).version;
