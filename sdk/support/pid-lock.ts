/**
 * One owner at a time for a file or folder, across processes: a lock file naming the owner process.
 * A lock whose process no longer runs (killed, crashed) is taken over, so nothing has to be cleaned
 * up by hand after a `kill -9`. Used by the SFTP journal and the simulator's data folder.
 *
 * A pid alone is not a process: after a restart — in a container above all, where every start
 * counts pids from 1 again — the pid of a killed owner is soon some other process, and a lock
 * trusting the pid stays "held" for ever. So the lock file names the owner by its pid, its start
 * time (`/proc/<pid>/stat`, in clock ticks since boot), the boot it ran in
 * (`/proc/sys/kernel/random/boot_id`) and its host name; a lock is held only by a running process
 * that matches all of what was recorded and can be checked here. On systems without `/proc` the pid
 * and host name remain.
 *
 * Synchronous, and without a package: lock libraries on npm (proper-lockfile and its kin) decide
 * staleness by the lock's age and keep it fresh with a timer, which needs the owner to stay
 * responsive; here the owner's process either runs or it does not, and the few file operations
 * happen once, when a journal or a data folder is opened.
 */
import { readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
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

/** Who a lock file names: the first line is the pid (what older versions wrote), then `key=value` lines. */
interface Owner {
  pid: number;
  /** Clock ticks after boot at which the process started (Linux). */
  start?: string;
  /** The kernel's boot id (Linux). */
  boot?: string;
  host?: string;
}

/** Reads a file of the proc file system, or undefined where there is none. */
function proc(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** A process's start time from `/proc/<pid>/stat` (field 22, after the parenthesised command name). */
function startTimeOf(pid: number | 'self'): string | undefined {
  const stat = proc(`/proc/${pid}/stat`);
  if (stat === undefined) return undefined;
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
}

/** This process, as its lock files name it. */
function thisOwner(): Owner {
  const start = startTimeOf('self');
  const boot = proc('/proc/sys/kernel/random/boot_id')?.trim();
  return {
    pid: process.pid,
    ...(start === undefined ? {} : { start }),
    ...(boot === undefined || boot === '' ? {} : { boot }),
    host: hostname(),
  };
}

function ownerText(owner: Owner): string {
  const lines = [String(owner.pid)];
  for (const key of ['start', 'boot', 'host'] as const) {
    const value = owner[key];
    if (value !== undefined) lines.push(`${key}=${value.replace(/\s/g, '')}`);
  }
  return `${lines.join('\n')}\n`;
}

/** The owner a lock file names, or undefined when it is gone (released meanwhile) or names no pid. */
function ownerOf(path: string): Owner | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const [first = '', ...rest] = text.split('\n');
  const pid = Number.parseInt(first, 10);
  if (!(Number.isInteger(pid) && pid > 0)) return undefined;
  const owner: Owner = { pid };
  for (const line of rest) {
    const match = /^(start|boot|host)=(\S+)$/.exec(line.trim());
    if (match !== null) owner[match[1] as 'start' | 'boot' | 'host'] = match[2] as string;
  }
  return owner;
}

/**
 * Whether the owner a lock file names still runs: same host, same boot, a running process with its
 * pid and, where both are known, its start time. Anything recorded that differs means the owner
 * has gone (the machine restarted, or the pid belongs to another process now).
 */
function alive(owner: Owner, self: Owner): boolean {
  if (owner.host !== undefined && owner.host !== self.host) return false;
  if (owner.boot !== undefined && self.boot !== undefined && owner.boot !== self.boot) return false;
  if (!running(owner.pid)) return false;
  if (owner.start === undefined) return true;
  const start = startTimeOf(owner.pid);
  return start === undefined || start === owner.start;
}

/**
 * Takes the lock file at `path` for this process, writing its pid, start time, boot id and host
 * name there (mode 0600). A lock file naming a process that no longer runs, naming no process,
 * naming this process without this process having taken it (a pid used again after a restart, as
 * pid 1 in a container), or naming a pid that now belongs to a process started at another time, in
 * another boot or on another host (a container started anew), is taken over.
 *
 * @returns `{ release }` when taken (releasing twice is harmless), else `{ heldBy }`.
 * @throws the file system's error when the lock file cannot be made or read (no such folder, no
 *   permission).
 */
export function acquirePidLock(path: string): PidLockAttempt {
  const absolute = resolve(path);
  const key = join(realpathSync(dirname(absolute)), basename(absolute));
  if (heldHere.has(key)) return { heldBy: 'this process' };
  const self = thisOwner();
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    try {
      writeFileSync(absolute, ownerText(self), { flag: 'wx', mode: 0o600 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = ownerOf(absolute);
      if (holder !== undefined && holder.pid !== process.pid && alive(holder, self))
        return { heldBy: holder.pid };
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
