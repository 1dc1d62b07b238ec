/** Files the commands read and write: readable checks, safe names, and writes that survive a crash. */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { CliError, EXIT } from './io.ts';

/** A short reason for a failed file operation, without a stack or the errno number. */
export function reason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'it is a directory';
  if (code === 'ENOTDIR') return 'a parent is not a directory';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'ENOSPC') return 'no space left on the device';
  if (code === 'EEXIST') return 'it exists and is not a directory';
  if (code === 'EPIPE') return 'the reader closed it';
  return code ?? (error instanceof Error ? error.message : String(error));
}

/** Why `file` cannot be read as a regular file, or undefined when it can. */
export async function unreadable(file: string): Promise<string | undefined> {
  try {
    if (!(await stat(file)).isFile()) return 'not a regular file';
    await access(file, constants.R_OK);
    return undefined;
  } catch (error) {
    return reason(error);
  }
}

/** Creates `dir` (and its parents) for `flag`, or fails the command with one line. */
export async function ensureDirectory(dir: string, flag: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (error) {
    throw new CliError(`cannot create the ${flag} directory ${dir}: ${reason(error)}`, EXIT.failed);
  }
}

/**
 * Whether an identifier that came from NgDP can be used as a file name as it is: it must not be
 * able to leave the directory (`/`, `..`), hide (leading dot) or surprise a shell.
 */
export function isSafeFileName(name: string | undefined): name is string {
  return name !== undefined && /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/.test(name);
}

/**
 * Writes `data` to `path` so that `path` never holds a partial file: it is written to a hidden
 * temporary name in the same directory, flushed to the disk, then renamed. Only then is it safe to
 * tell NgDP the data is handled (a completed MeMo or an acknowledged receipt is gone from NgDP).
 * `mode` (less the umask) is the file's permissions from its first byte: `0o600` for a secret.
 */
export async function writeFileAtomically(
  path: string,
  data: string | Uint8Array,
  mode = 0o666,
): Promise<void> {
  const dir = dirname(path);
  const temporary = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.part`);
  try {
    const handle = await open(temporary, 'wx', mode);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  await syncDirectory(dir);
}

/** Flushes a directory entry (the rename) to the disk where the platform allows it. */
async function syncDirectory(dir: string): Promise<void> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // Windows cannot open a directory; the rename is then as durable as the file system makes it.
  } finally {
    await handle?.close();
  }
}
