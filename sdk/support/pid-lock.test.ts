import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
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

/** A process's start time, field 22 of /proc/<pid>/stat. */
function startTime(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] as string;
}

/** A lock file naming `pid` as this machine sees it now, with `differing` fields instead. */
function ownerLines(pid: number, differing: { start?: string; boot?: string; host?: string } = {}): string {
  const proc = existsSync('/proc/self/stat');
  const fields = {
    ...(proc
      ? {
          start: startTime(pid),
          boot: readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim(),
        }
      : {}),
    host: hostname(),
    ...differing,
  };
  return `${pid}\n${Object.entries(fields)
    .map(([key, value]) => `${key}=${value}`)
    .join('\n')}\n`;
}

/** The pid of a process that has ended. */
function endedPid(): number {
  const child = spawnSync(process.execPath, ['-e', '']);
  if (child.pid === undefined) throw new Error('no child process');
  return child.pid;
}

describe('acquirePidLock', () => {
  it('takes a free lock, writing this process id first, then its start time, boot id and host name', () => {
    taken(acquirePidLock(lockFile));
    const [pid, ...rest] = readFileSync(lockFile, 'utf8').trim().split('\n');
    expect(pid).toBe(String(process.pid));
    expect(rest).toContain(`host=${hostname()}`);
    if (existsSync('/proc/self/stat')) {
      expect(rest).toContain(`start=${startTime(process.pid)}`);
      expect(rest).toContain(`boot=${readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim()}`);
    }
  });

  it('makes the lock file readable by its owner only', () => {
    taken(acquirePidLock(lockFile));
    expect(statSync(lockFile).mode & 0o777).toBe(0o600);
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

  it('is held by a running process whose pid the lock file holds (as older versions wrote it)', () => {
    writeFileSync(lockFile, `${process.ppid}\n`);
    expect(acquirePidLock(lockFile)).toEqual({ heldBy: process.ppid });
    expect(readFileSync(lockFile, 'utf8')).toBe(`${process.ppid}\n`);
  });

  it('is held by a running process that matches everything the lock file records', () => {
    writeFileSync(lockFile, ownerLines(process.ppid));
    expect(acquirePidLock(lockFile)).toEqual({ heldBy: process.ppid });
  });

  it.each([
    ['a start time other than its process has (the pid was used again)', { start: '1' }],
    ['another boot of the machine', { boot: '00000000-0000-4000-8000-000000000000' }],
    ['another host (a container started anew)', { host: 'container-of-yesterday' }],
  ])('takes over a lock whose running pid has %s', (_name, differing) => {
    if ('start' in differing || 'boot' in differing)
      expect(existsSync('/proc/self/stat'), 'this rule needs /proc').toBe(true);
    writeFileSync(lockFile, ownerLines(process.ppid, differing));
    taken(acquirePidLock(lockFile));
    expect(readFileSync(lockFile, 'utf8').split('\n')[0]).toBe(String(process.pid));
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
    expect(readFileSync(lockFile, 'utf8').split('\n')[0]).toBe(String(process.pid));
  });

  it('throws the file system error when the lock file cannot be made', () => {
    expect(() => acquirePidLock(join(dir, 'missing', 'thing.lock'))).toThrow(
      expect.objectContaining({ code: 'ENOENT' }),
    );
  });
});
