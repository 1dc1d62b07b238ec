/** Running the recipient-pull profile against the project's own PULL recipients: the reference one and the broken ones. */
import { fileURLToPath } from 'node:url';
import {
  type ConformanceOptions,
  type ConformanceReport,
  runConformance,
} from '../../../conformance/index.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const NODE = `'${process.execPath}' --import ./test/support/source-imports.ts`;

/** The command that runs the reference adapter, examples/conformance-recipient-pull.ts, from the sources. */
export const PULL_REFERENCE_ADAPTER = `${NODE} examples/conformance-recipient-pull.ts`;

/** The command that runs the broken PULL recipient `kind` (broken-pull-recipients.ts). */
export const brokenPullRecipient = (kind: string): string =>
  `${NODE} test/support/conformance/broken-pull-recipients.ts ${kind}`;

/** Runs the recipient-pull profile against `command`, from the repository's root. */
export function runRecipientPull(
  command: string,
  options: Partial<ConformanceOptions> = {},
): Promise<ConformanceReport> {
  return runConformance({ profile: 'recipient-pull', run: command, cwd: ROOT, seed: 7, ...options });
}
