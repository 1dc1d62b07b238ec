/**
 * One simulator per data folder: two would run the same jobs and deliver everything twice. The
 * folder's `digitalpost.lock` names the owner process (sdk/support/pid-lock.ts: pid, start time,
 * boot id, host name); a lock left by a process that no longer runs (`kill -9`, a container started
 * anew whose pids began again from 1) is taken over.
 */
import { join, resolve } from 'node:path';
import { DigitalPostError } from '../../sdk/errors.ts';
import { acquirePidLock } from '../../sdk/support/pid-lock.ts';

/** Locks `dir` for this process; returns the function that releases it. */
export function lockDataDir(dir: string): () => void {
  const attempt = acquirePidLock(join(resolve(dir), 'digitalpost.lock'));
  if ('release' in attempt) return attempt.release;
  const owner =
    attempt.heldBy === 'this process'
      ? 'in this process'
      : attempt.heldBy === undefined
        ? 'another simulator took the lock while this one started'
        : `process ${attempt.heldBy}`;
  throw new DigitalPostError(
    'DATA_DIR_IN_USE',
    `the data folder ${dir} is in use by another simulator (${owner}); stop it or use another --data-dir`,
  );
}
