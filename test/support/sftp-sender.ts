/**
 * Test helpers for `SftpSender` and the CLI's `--sftp` modes: a simulator with its SFTP server and
 * a registered key, what it took (from its log), and containers made by the system's `tar` and
 * `xz --format=lzma`.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { type ContainerInput, writeContainer } from '../../sdk/memo/container.ts';
import type { Memo } from '../../sdk/memo/types.ts';
import { serializeMemoToBytes } from '../../sdk/memo/writer.ts';
import type { RunningSimulator } from '../../simulator/index.ts';
import { connectSftp, type KeyPair, newKeyPair, registerKey } from './sftp.ts';
import { letterTo, mailbox, resetSimulator, SEED_IDS, startTestSimulator } from './simulator.ts';

/** The SFTP user of the seeded SFTP sender system (Testkommune). */
export const SFTP_USER = 'testkommune';

/** A simulator with an SFTP server, a key registered for the seeded SFTP sender, and its log. */
export interface SftpSimulator {
  simulator: RunningSimulator;
  host: string;
  port: number;
  hostKeyFingerprint: string;
  keys: KeyPair;
  /** The simulator's log lines since the last `reset()`. */
  log: string[];
  /** Resets the simulator, registers the key again and clears the log. */
  reset(): Promise<void>;
  /** What the SFTP server took since the last reset: one entry per taking, in order. */
  taken(): Array<{ name: string; stored: number; rejected: number }>;
  /** The messageUUIDs in citizen 0101700001's mailbox. */
  delivered(): Promise<string[]>;
  /** The names in a folder of the SFTP home, sorted. */
  list(folder: string): Promise<string[]>;
  stop(): Promise<void>;
}

export async function startSftpSimulator(): Promise<SftpSimulator> {
  const log: string[] = [];
  const simulator = await startTestSimulator({ sftpPort: 0, log: (line) => log.push(line) });
  const address = simulator.sftp;
  if (address === null) throw new Error('the simulator runs no SFTP server');
  const keys = usableKeyPair();
  await registerKey(simulator, SEED_IDS.senderSftp, keys.public);
  return {
    simulator,
    host: address.host,
    port: address.port,
    hostKeyFingerprint: address.hostKeyFingerprint,
    keys,
    log,
    async reset() {
      await resetSimulator(simulator);
      await registerKey(simulator, SEED_IDS.senderSftp, keys.public);
      log.length = 0;
    },
    taken() {
      return log.flatMap((line) => {
        const match = /: took (\S+): container \S+, (\d+) messages stored, (\d+) rejected$/.exec(line);
        if (match !== null)
          return [{ name: match[1] as string, stored: Number(match[2]), rejected: Number(match[3]) }];
        const memo = /: took (\S+): MeMo \S+$/.exec(line);
        return memo === null ? [] : [{ name: memo[1] as string, stored: 1, rejected: 0 }];
      });
    },
    async delivered() {
      await simulator.settle();
      return (await mailbox(simulator, '0101700001')).map((entry) => entry.messageUUID);
    },
    async list(folder) {
      const client = await connectSftp(simulator, { username: SFTP_USER, privateKey: keys.private });
      try {
        return await client.list(folder);
      } finally {
        client.end();
      }
    },
    stop: () => simulator.stop(),
  };
}

/** An ed25519 key pair ssh2 can read back (see `newKeyPair`). */
export function usableKeyPair(passphrase?: string): KeyPair {
  return newKeyPair(passphrase);
}

/** `count` valid letters to citizen 0101700001. */
export function letters(count: number): Promise<Memo[]> {
  return Promise.all(
    Array.from({ length: count }, (_, i) => letterTo({ cpr: '0101700001' }, { label: `Brev ${i + 1}` })),
  );
}

export const uuidOf = (memo: Memo): string => memo.messageHeader.messageUUID;

/** A `.tar.lzma` container of the messages, whole, as `writeContainer` writes it. */
export async function containerOf(messages: ContainerInput[]): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of writeContainer(messages)) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** Writes each MeMo to `<dir>/<prefix><n>.xml`, in order; returns the paths. */
export async function writeMemoFiles(
  dir: string,
  memos: readonly Memo[],
  prefix = 'letter-',
): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const paths: string[] = [];
  for (const [index, memo] of memos.entries()) {
    const path = join(dir, `${prefix}${String(index + 1).padStart(5, '0')}.xml`);
    await writeFile(path, serializeMemoToBytes(memo));
    paths.push(path);
  }
  return paths;
}

const run = promisify(execFile);

/**
 * A `.tar.lzma` container made by the system's `tar` and `xz --format=lzma`, at `path`. A test that
 * uses it starts with `needs(context, { tools: ['tar', 'xz'] })` (requirements.ts).
 */
export async function containerByTools(path: string, memos: readonly Memo[]): Promise<void> {
  const staging = await mkdtemp(join(tmpdir(), 'dp-tar-'));
  try {
    for (const memo of memos)
      await writeFile(join(staging, `${uuidOf(memo)}.xml`), serializeMemoToBytes(memo));
    const target = resolve(path);
    await run('sh', [
      '-c',
      'cd "$1" && tar -cf - -- *.xml | xz --format=lzma -c > "$2"',
      'sh',
      staging,
      target,
    ]);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}
