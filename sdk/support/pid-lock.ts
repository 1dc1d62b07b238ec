/**
 * One owner at a time for a file or folder, across processes: a lock file holding the owner's
 * process id. A lock whose process no longer runs (killed, crashed) is taken over, so nothing has
 * to be cleaned up by hand after a `kill -9`. Used by the SFTP journal and the simulator's data
 * folder.
 *
 * Synchronous, and without a package: lock libraries on npm (proper-lockfile and its kin) decide
 * staleness by the lock's age and keep it fresh with a timer, which needs the owner to stay
 * responsive; here the owner's process either runs or it does not, and the few file operations
 * happen once, when a journal or a data folder is opened.
 */
import { readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

/**
 * Who holds a lock that could not be taken: a running process (its pid), this process (an owner
 * that has not released it yet), or `undefined` when other processes kept taking it while this one
 * tried.
 */
export type PidLockHolder = number | 'this process' | undefined;

/** The outcome of {@link acquirePidLock}: the lock and how to release it, or who holds it. */
export type PidLockAttempt = { release: () => void } | { heldBy: PidLockHolder };

/** Locks held by this process, by real path: its own pid in a lock file it did not take is stale. */
const heldHere = new Set<string>();

/** How often a lock that keeps changing hands is tried before giving up. */
const ATTEMPTS = 3;

/** Whether a process with this pid runs (a zombie counts: its parent has not seen it end). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The pid a lock file names, or undefined when it is gone (released meanwhile) or holds none. */
function holderOf(path: string): number | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const pid = Number.parseInt(text, 10);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/**
 * Takes the lock file at `path` for this process, writing its pid there. A lock file naming a
 * process that no longer runs, naming no process, or naming this process without this process
 * having taken it (a pid used again after a restart, as pid 1 in a container) is taken over.
 *
 * @returns `{ release }` when taken (releasing twice is harmless), else `{ heldBy }`.
 * @throws the file system's error when the lock file cannot be made or read (no such folder, no
 *   permission).
 */
export function acquirePidLock(path: string): PidLockAttempt {
  const absolute = resolve(path);
  const key = join(realpathSync(dirname(absolute)), basename(absolute));
  if (heldHere.has(key)) return { heldBy: 'this process' };
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    try {
      writeFileSync(absolute, `${process.pid}\n`, { flag: 'wx' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = holderOf(absolute);
      if (holder !== undefined && holder !== process.pid && running(holder)) return { heldBy: holder };
      rmSync(absolute, { force: true });
      continue;
    }
    heldHere.add(key);
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        heldHere.delete(key);
        rmSync(absolute, { force: true });
      },
    };
  }
  return { heldBy: undefined };
}
