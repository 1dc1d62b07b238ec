/**
 * One simulator per data folder: two would run the same jobs and deliver everything twice. A lock
 * file holds the owner's process id; a lock left by a process that no longer runs (`kill -9`) is
 * taken over.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DigitalPostError } from '../../sdk/errors.ts';

const heldHere = new Set<string>();

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Locks `dir` for this process; returns the function that releases it. */
export function lockDataDir(dir: string): () => void {
  const path = join(resolve(dir), 'digitalpost.lock');
  const inUse = (owner: string): DigitalPostError =>
    new DigitalPostError(
      'DATA_DIR_IN_USE',
      `the data folder ${dir} is in use by another simulator (${owner}); stop it or use another --data-dir`,
    );
  if (heldHere.has(path)) throw inUse('in this process');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(path, String(process.pid), { flag: 'wx' });
      heldHere.add(path);
      return () => {
        heldHere.delete(path);
        rmSync(path, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const pid = Number.parseInt(readFileSync(path, 'utf8'), 10);
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && running(pid))
        throw inUse(`process ${pid}`);
      rmSync(path, { force: true });
    }
  }
  throw inUse('another simulator took the lock while this one started');
}
