/**
 * The local journal of SFTP uploads: JSON Lines, one line per step of an upload, each flushed to
 * the disk before the step it records is taken further. It is what makes a run safe to repeat after
 * a crash:
 *
 * ```
 * uploading   <name>.part is about to be opened; nothing of it is on the server for sure
 * written     <name>.part is complete and closed (its identity and messageUUIDs are recorded)
 * uploaded    renamed to <name>: the server has it                                   (final)
 * abandoned   <name>.part was removed; its messages were not sent                    (final)
 * refused     the server wrote an error file for <name>; its messages were not sent  (final)
 * ```
 *
 * The first line names the file as a journal, so that a wrong path is refused instead of appended
 * to. A line cut short by a crash is the last one; it is cut off on opening. One process at a time
 * holds the journal, through `<journal>.lock` holding its pid.
 */
import { createReadStream } from 'node:fs';
import { type FileHandle, open, stat, truncate } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import { SftpError } from '../errors.ts';
import { acquirePidLock } from '../support/pid-lock.ts';

const HEADER = { journal: 'digitalpost-sftp', v: 1 } as const;

/** What is uploaded: a container packed by `send`, or a file of `sendFiles`. */
export type UploadKind = 'container' | 'file';

/** One line of the journal (after the header). */
export type JournalRecord =
  | { state: 'uploading'; kind: UploadKind; name: string; file?: string }
  | {
      state: 'written';
      kind: UploadKind;
      name: string;
      sha256: string;
      bytes: number;
      messageUUIDs: string[];
    }
  | { state: 'uploaded' | 'abandoned'; name: string }
  | { state: 'refused'; name: string; code: string };

/** An upload a run left before its final state. */
export interface Unfinished {
  name: string;
  kind: UploadKind;
  state: 'uploading' | 'written';
  /** `written`: its identity and messages. */
  sha256?: string;
  bytes?: number;
  messageUUIDs?: string[];
  file?: string;
}

export class Journal {
  readonly path: string;
  private readonly handle: FileHandle;
  private readonly unlock: () => void;
  /** Uploads not in a final state, by name. */
  private readonly open = new Map<string, Unfinished>();
  /** messageUUIDs (lower case) of uploads the server has. */
  private readonly messages = new Set<string>();
  /** SHA-256 of the files the server has. */
  private readonly files = new Set<string>();

  private constructor(path: string, handle: FileHandle, unlock: () => void) {
    this.path = path;
    this.handle = handle;
    this.unlock = unlock;
  }

  /**
   * Opens (or creates) the journal at `path` and locks it for this process.
   *
   * @throws SftpError SFTP_JOURNAL_LOCKED when another process (or another sender of this one)
   *   holds it; SFTP_JOURNAL_INVALID when it cannot be read, or is not a journal.
   */
  static async open(path: string): Promise<Journal> {
    const unlock = lock(path);
    try {
      await cutTornLine(path);
      const handle = await open(path, 'a').catch((error: unknown) => {
        throw invalid(path, `cannot open it: ${describe(error)}`, error);
      });
      const journal = new Journal(path, handle, unlock);
      try {
        const empty = (await handle.stat()).size === 0;
        if (empty) {
          await journal.append(HEADER);
          await syncDirectory(dirname(path));
        } else await journal.load();
      } catch (error) {
        await handle.close();
        throw error;
      }
      return journal;
    } catch (error) {
      unlock();
      throw error;
    }
  }

  /** Whether the server has this message from an earlier upload. */
  hasMessage(messageUUID: string): boolean {
    return this.messages.has(messageUUID.toLowerCase());
  }

  /** Whether the server has a file with this content from an earlier upload. */
  hasFile(sha256: string): boolean {
    return this.files.has(sha256);
  }

  /** The uploads a crashed run left unfinished. */
  unfinished(): Unfinished[] {
    return [...this.open.values()];
  }

  /** Records a step, flushed to the disk before it resolves. */
  async record(record: JournalRecord): Promise<void> {
    await this.append({ ...record, at: new Date().toISOString() });
    this.apply(record);
  }

  /** Closes the file and releases the lock. */
  async close(): Promise<void> {
    await this.handle.close().catch(() => {});
    this.unlock();
  }

  private async append(line: object): Promise<void> {
    try {
      await this.handle.appendFile(`${JSON.stringify(line)}\n`);
      await this.handle.datasync();
    } catch (error) {
      throw invalid(this.path, `cannot write it: ${describe(error)}`, error);
    }
  }

  private apply(record: JournalRecord): void {
    switch (record.state) {
      case 'uploading':
        this.open.set(record.name, {
          name: record.name,
          kind: record.kind,
          state: 'uploading',
          ...(record.file === undefined ? {} : { file: record.file }),
        });
        return;
      case 'written': {
        const { name, kind, sha256, bytes, messageUUIDs } = record;
        const file = this.open.get(name)?.file;
        this.open.set(name, {
          name,
          kind,
          state: 'written',
          sha256,
          bytes,
          messageUUIDs,
          ...(file === undefined ? {} : { file }),
        });
        return;
      }
      case 'uploaded': {
        const done = this.open.get(record.name);
        this.open.delete(record.name);
        if (done?.state !== 'written') return;
        for (const messageUUID of done.messageUUIDs ?? []) this.messages.add(messageUUID.toLowerCase());
        if (done.kind === 'file' && done.sha256 !== undefined) this.files.add(done.sha256);
        return;
      }
      default:
        this.open.delete(record.name);
    }
  }

  private async load(): Promise<void> {
    const lines = createInterface({ input: createReadStream(this.path, 'utf8'), crlfDelay: Infinity });
    let number = 0;
    for await (const line of lines) {
      number++;
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        parsed = undefined;
      }
      if (number === 1) {
        const header = parsed as Partial<typeof HEADER> | undefined;
        if (header?.journal !== HEADER.journal)
          throw invalid(this.path, 'it is not a digitalpost SFTP journal (choose another file)');
        if (header.v !== HEADER.v) throw invalid(this.path, `its version ${String(header.v)} is not known`);
        continue;
      }
      if (!isRecord(parsed)) throw invalid(this.path, `line ${number} is not a journal record`);
      this.apply(parsed);
    }
  }
}

function isRecord(value: unknown): value is JournalRecord {
  if (typeof value !== 'object' || value === null) return false;
  const { state, name } = value as { state?: unknown; name?: unknown };
  if (typeof name !== 'string') return false;
  if (state === 'written') {
    const { sha256, messageUUIDs } = value as { sha256?: unknown; messageUUIDs?: unknown };
    return typeof sha256 === 'string' && Array.isArray(messageUUIDs);
  }
  return ['uploading', 'uploaded', 'abandoned', 'refused'].includes(state as string);
}

function describe(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? (error instanceof Error ? error.message : String(error));
}

function invalid(path: string, why: string, cause?: unknown): SftpError {
  return new SftpError(
    'SFTP_JOURNAL_INVALID',
    `the journal ${path}: ${why}`,
    { where: path },
    cause === undefined ? undefined : { cause },
  );
}

/**
 * Locks the journal through `<journal>.lock`, taking over a lock left by a process that ended
 * without closing its sender (a crash); returns the function that releases it.
 */
function lock(path: string): () => void {
  const lockPath = `${path}.lock`;
  let attempt: ReturnType<typeof acquirePidLock>;
  try {
    attempt = acquirePidLock(lockPath);
  } catch (error) {
    throw invalid(path, `cannot make its lock file ${lockPath}: ${describe(error)}`, error);
  }
  if ('release' in attempt) return attempt.release;
  if (attempt.heldBy === undefined)
    throw new SftpError('SFTP_JOURNAL_LOCKED', `the journal ${path} could not be locked`, { where: path });
  const who =
    attempt.heldBy === 'this process' ? 'another SftpSender of this process' : `process ${attempt.heldBy}`;
  throw new SftpError(
    'SFTP_JOURNAL_LOCKED',
    `the journal ${path} is in use by ${who} (lock file ${lockPath}); one run at a time may use it`,
    { where: path },
  );
}

/** Cuts off a last line without its newline: the append a crash interrupted. */
async function cutTornLine(path: string): Promise<void> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw invalid(path, `cannot read it: ${describe(error)}`, error);
  }
  if (size === 0) return;
  const handle = await open(path, 'r');
  let last = -1;
  try {
    const block = Buffer.alloc(64 * 1024);
    for (let end = size; end > 0 && last < 0; ) {
      const start = Math.max(0, end - block.length);
      const { bytesRead } = await handle.read(block, 0, end - start, start);
      const found = block.subarray(0, bytesRead).lastIndexOf(0x0a);
      if (found >= 0) last = start + found;
      end = start;
    }
  } finally {
    await handle.close();
  }
  if (last !== size - 1) await truncate(path, last + 1);
}

/** Flushes a new directory entry to the disk where the platform allows it. */
async function syncDirectory(dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // Windows cannot open a directory; the entry is then as durable as the file system makes it.
  } finally {
    await handle?.close();
  }
}
