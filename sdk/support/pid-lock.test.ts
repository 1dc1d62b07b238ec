import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquirePidLock, type PidLockAttempt } from './pid-lock.ts';

let dir: string;
let lockFile: string;
const releases: Array<() => void> = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'dp-pid-lock-'));
  lockFile = join(dir, 'thing.lock');
});
afterEach(() => {
  for (const release of releases.splice(0)) release();
  rmSync(dir, { recursive: true, force: true });
});

function taken(attempt: PidLockAttempt): () => void {
  if (!('release' in attempt)) throw new Error(`not taken: held by ${String(attempt.heldBy)}`);
  releases.push(attempt.release);
  return attempt.release;
}

/** The pid of a process that has ended. */
function endedPid(): number {
  const child = spawnSync(process.execPath, ['-e', '']);
  if (child.pid === undefined) throw new Error('no child process');
  return child.pid;
}

describe('acquirePidLock', () => {
  it('takes a free lock, writing this process id into the lock file', () => {
    taken(acquirePidLock(lockFile));
    expect(readFileSync(lockFile, 'utf8').trim()).toBe(String(process.pid));
  });

  it('removes the lock file on release, and a second release changes nothing', () => {
    const release = taken(acquirePidLock(lockFile));
    release();
    expect(existsSync(lockFile)).toBe(false);

    taken(acquirePidLock(lockFile));
    release();
    expect(existsSync(lockFile)).toBe(true);
  });

  it('is held by "this process" while this process holds it, also under another name of its folder', () => {
    const release = taken(acquirePidLock(lockFile));
    const alias = join(dir, 'alias');
    symlinkSync(dir, alias);

    expect(acquirePidLock(lockFile)).toEqual({ heldBy: 'this process' });
    expect(acquirePidLock(join(alias, 'thing.lock'))).toEqual({ heldBy: 'this process' });
    release();
    taken(acquirePidLock(lockFile));
  });

  it('is held by a running process whose pid the lock file holds', () => {
    writeFileSync(lockFile, `${process.ppid}\n`);
    expect(acquirePidLock(lockFile)).toEqual({ heldBy: process.ppid });
    expect(readFileSync(lockFile, 'utf8')).toBe(`${process.ppid}\n`);
  });

  it.each([
    ['a process that has ended', () => `${endedPid()}\n`],
    ['no pid at all', () => 'garbage'],
    ['nothing (an empty file)', () => ''],
    [
      'this process id, which this process never took (the pid was used again after a restart)',
      () => String(process.pid),
    ],
  ])('takes over a lock file naming %s', (_, content) => {
    writeFileSync(lockFile, content());
    taken(acquirePidLock(lockFile));
    expect(readFileSync(lockFile, 'utf8').trim()).toBe(String(process.pid));
  });

  it('throws the file system error when the lock file cannot be made', () => {
    expect(() => acquirePidLock(join(dir, 'missing', 'thing.lock'))).toThrow(
      expect.objectContaining({ code: 'ENOENT' }),
    );
  });
});
