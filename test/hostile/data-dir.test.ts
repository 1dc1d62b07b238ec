/**
 * Issue 11, findings 4 and 7 on the data folder: it holds every letter and CPR number, so it is
 * made for its owner only (folder 0700, files 0600), also when an older version made it 0755/0644;
 * and a lock left by a killed simulator whose pid now belongs to another process does not block the
 * next start.
 */
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator } from '../../simulator/index.ts';
import { keyOf, letterTo, SEED_IDS, sendMemo } from '../support/simulator.ts';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'dp-hostile-data-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const modeOf = (path: string): number => statSync(path).mode & 0o777;

/** A letter over 1 MB: the SQLite store keeps it in a file of its own under `memos/`. */
const largeLetter = () =>
  letterTo({ cpr: '0101700001' }, {
    document: { content: Buffer.alloc(1_200_000, 0x41), filename: 'large.pdf' },
  } as never);

describe('the data folder is for its owner only', () => {
  it('is made 0700, and every file in it 0600: database, WAL, lock, host key, large MeMos', async () => {
    const dataDir = join(root, 'data');
    const simulator = await startSimulator({ port: 0, sftpPort: 0, dataDir, clock: 'manual' });
    try {
      const sent = await sendMemo(simulator, keyOf(simulator, SEED_IDS.senderPull), await largeLetter());
      expect(sent.status, sent.text).toBe(201);
      expect(modeOf(dataDir)).toBe(0o700);
      expect(modeOf(join(dataDir, 'memos'))).toBe(0o700);
      const files = [
        ...readdirSync(dataDir)
          .filter((name) => name !== 'memos')
          .map((name) => join(dataDir, name)),
        ...readdirSync(join(dataDir, 'memos')).map((name) => join(dataDir, 'memos', name)),
      ];
      expect(files.map((file) => file.slice(dataDir.length + 1)).sort()).toEqual(
        expect.arrayContaining([
          'digitalpost.lock',
          'digitalpost.sqlite',
          'digitalpost.sqlite-wal',
          'ssh_host_ed25519_key',
          expect.stringMatching(/^memos\/.+\.xml$/),
        ]),
      );
      for (const file of files) expect([file, modeOf(file)]).toEqual([file, 0o600]);
    } finally {
      await simulator.stop();
    }
  });

  it('takes group and other permissions off the files an older version left readable', async () => {
    const dataDir = join(root, 'old');
    const first = await startSimulator({ port: 0, dataDir, clock: 'manual' });
    await sendMemo(first, keyOf(first, SEED_IDS.senderPull), await largeLetter());
    await first.stop();
    const loosened = [join(dataDir, 'digitalpost.sqlite'), join(dataDir, 'memos')];
    for (const path of readdirSync(join(dataDir, 'memos'))) chmodSync(join(dataDir, 'memos', path), 0o644);
    chmodSync(loosened[0] as string, 0o644);
    chmodSync(loosened[1] as string, 0o755);

    const second = await startSimulator({ port: 0, dataDir, clock: 'manual' });
    try {
      expect(modeOf(join(dataDir, 'digitalpost.sqlite'))).toBe(0o600);
      expect(modeOf(join(dataDir, 'memos'))).toBe(0o700);
    } finally {
      await second.stop();
    }
  });

  it('leaves the mode of a folder that was there before alone (it may be yours)', async () => {
    const dataDir = join(root, 'existing');
    mkdirSync(dataDir, { mode: 0o750 });
    chmodSync(dataDir, 0o750);
    const simulator = await startSimulator({ port: 0, dataDir, clock: 'manual' });
    try {
      expect(modeOf(dataDir)).toBe(0o750);
      expect(modeOf(join(dataDir, 'digitalpost.sqlite'))).toBe(0o600);
    } finally {
      await simulator.stop();
    }
  });
});

describe('a stale lock', () => {
  it.each([
    ['the pid of a running process that started at another time', () => 'start=1\n'],
    ['the pid of a running process on another host (a new container)', () => 'host=yesterdays-container\n'],
  ])('does not block the start when it names %s', async (_name, extra) => {
    if (extra().startsWith('start')) expect(existsSync('/proc/self/stat'), 'needs /proc').toBe(true);
    const dataDir = join(root, 'locked');
    mkdirSync(dataDir);
    // The parent of this test runs, as pid 1 of a restarted container runs.
    writeFileSync(join(dataDir, 'digitalpost.lock'), `${process.ppid}\n${extra()}`);
    const simulator = await startSimulator({ port: 0, dataDir, clock: 'manual' });
    await simulator.stop();
  });

  it('still blocks the start while the process it names runs', async () => {
    const dataDir = join(root, 'held');
    const holder = await startSimulator({ port: 0, dataDir, clock: 'manual' });
    try {
      await expect(startSimulator({ port: 0, dataDir, clock: 'manual' })).rejects.toMatchObject({
        code: 'DATA_DIR_IN_USE',
      });
    } finally {
      await holder.stop();
    }
  });
});
