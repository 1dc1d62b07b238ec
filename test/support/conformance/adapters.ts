/** Running the suite against the project's own adapters: the reference one and the broken ones. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ssh2 from 'ssh2';
import {
  type ConformanceOptions,
  type ConformanceReport,
  runConformance,
} from '../../../conformance/index.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const NODE = `'${process.execPath}' --import ./test/support/source-imports.ts`;

/** The command that runs the reference adapter, examples/conformance-sender.ts, from the sources. */
export const REFERENCE_ADAPTER = `${NODE} examples/conformance-sender.ts`;

/** The command that runs the broken adapter `kind` (test/support/conformance/broken-senders.ts). */
export const brokenAdapter = (kind: string): string =>
  `${NODE} test/support/conformance/broken-senders.ts ${kind}`;

/** The command that runs the reference SFTP adapter, examples/conformance-sender-sftp.ts, from the sources. */
export const REFERENCE_SFTP_ADAPTER = `${NODE} examples/conformance-sender-sftp.ts`;

/** The command that runs the broken SFTP adapter `kind` (test/support/conformance/broken-sftp-senders.ts). */
export const brokenSftpAdapter = (kind: string): string =>
  `${NODE} test/support/conformance/broken-sftp-senders.ts ${kind}`;

/** A key pair for the vendor's SFTP user, in files: `publicKey` for `--ssh-public-key`, `privateKey` for the adapter. */
export function vendorKeyFiles(): { publicKey: string; privateKey: string } {
  const dir = mkdtempSync(join(tmpdir(), 'conformance-sftp-key-'));
  // ECDSA: ssh2 1.17 makes an unreadable ed25519 pair about once in 256 (mscdex/ssh2#1390).
  const keys = ssh2.utils.generateKeyPairSync('ecdsa', { bits: 256 });
  const files = { publicKey: join(dir, 'vendor.pub'), privateKey: join(dir, 'vendor') };
  writeFileSync(files.publicKey, `${keys.public}\n`);
  writeFileSync(files.privateKey, keys.private, { mode: 0o600 });
  return files;
}

/** Runs the sender-sftp profile against `command` with a fresh key pair, from the repository's root. */
export async function runSenderSftp(
  command: string,
  options: Partial<ConformanceOptions> = {},
): Promise<ConformanceReport> {
  const keys = vendorKeyFiles();
  return runConformance({
    profile: 'sender-sftp',
    run: command,
    sshPublicKey: keys.publicKey,
    env: { ...process.env, SENDER_SFTP_KEY: keys.privateKey },
    cwd: ROOT,
    seed: 7,
    ...options,
  });
}

/** A loopback port nothing listens on now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** Runs the sender profile against `command` (with push receipts when `push`), from the repository's root. */
export async function runSender(
  command: string,
  options: Partial<ConformanceOptions> & { push?: boolean } = {},
): Promise<ConformanceReport> {
  const { push, ...rest } = options;
  const port = push ? await freePort() : undefined;
  return runConformance({
    profile: 'sender',
    run: port === undefined ? command : `SENDER_RECEIPT_PORT=${port} ${command}`,
    cwd: ROOT,
    seed: 7,
    ...(port === undefined ? {} : { receipts: 'push', receiptEndpoint: `http://127.0.0.1:${port}/receipts` }),
    ...rest,
  });
}

/** The commands that run the reference recipient adapters from the sources. */
export const REFERENCE_RECIPIENT_ADAPTERS = {
  'recipient-push': `${NODE} examples/conformance-recipient-push.ts`,
  'recipient-pubsub': `${NODE} examples/conformance-recipient-pubsub.ts`,
} as const;

/** The command that runs the broken recipient adapter `kind` (test/support/conformance/broken-recipients.ts). */
export const brokenRecipient = (profile: 'recipient-push' | 'recipient-pubsub', kind: string): string =>
  `${NODE} test/support/conformance/broken-recipients.ts ${profile} ${kind}`;

/** Runs a recipient profile against `command`, listening on a free loopback port, from the repository's root. */
export async function runRecipient(
  profile: 'recipient-push' | 'recipient-pubsub',
  command: string,
  options: Partial<ConformanceOptions> = {},
): Promise<ConformanceReport> {
  const port = await freePort();
  return runConformance({
    profile,
    run: command,
    endpoint: `http://127.0.0.1:${port}/digitalpost/${profile === 'recipient-push' ? 'memos' : 'notifications'}`,
    cwd: ROOT,
    seed: 7,
    ...options,
  });
}

/** The ids of the checks a report failed (failed or xpassed), sorted. */
export function failedIds(report: ConformanceReport): string[] {
  return report.checks
    .filter((check) => check.status === 'failed' || check.status === 'xpassed')
    .map((check) => check.id)
    .sort();
}

/** The failures of a report, one line each: for a test's message when it fails unexpectedly. */
export function failureLines(report: ConformanceReport): string {
  return report.checks
    .filter((check) => check.status === 'failed')
    .map((check) => `${check.id}: ${check.message}`)
    .join('\n');
}
