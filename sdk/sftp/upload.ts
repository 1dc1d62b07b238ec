/**
 * One upload, the way every upload goes: journaled, written to `<name>.part` in `/in`, closed,
 * then renamed to `<name>` — the server takes a file only under its final name, so it never sees
 * half of one. And the recovery of uploads a crashed run left unfinished.
 */
import { SftpError } from '../errors.ts';
import type { Journal, UploadKind } from './journal.ts';
import type { SftpSession } from './session.ts';
import type { SftpLayout, SftpSenderEvents, SftpUpload } from './types.ts';

/** The suffix of the temporary name an upload is written under. */
export const PART = '.part';

/** What an upload needs from the run it belongs to. */
export interface UploadContext {
  session: SftpSession;
  journal: Journal | undefined;
  layout: SftpLayout;
  signal: AbortSignal | undefined;
  emit<K extends keyof SftpSenderEvents>(event: K, ...args: SftpSenderEvents[K]): void;
}

/** One thing to upload. */
export interface UploadItem {
  kind: UploadKind;
  /** The final name in `/in`. */
  name: string;
  /** Files: the local path. */
  file?: string;
  /** The bytes, produced as they are written (a container is packed while it is uploaded). */
  source: AsyncIterable<Uint8Array>;
  /** Messages packed so far (containers), for progress events. */
  messagesSoFar(): number;
  /**
   * Its identity and messages, asked once all of it is written and closed; throwing drops the
   * upload (its `.part` is removed).
   */
  describe(): { sha256: string; messageUUIDs: string[]; indexes?: number[] };
}

const pathIn = (folder: string, name: string): string => `${folder.replace(/\/+$/, '')}/${name}`;

/** The server answered, and said no (as opposed to a connection that broke or timed out). */
const refusal = (error: unknown): error is SftpError =>
  error instanceof SftpError &&
  (error.code === 'SFTP_FAILURE' ||
    error.code === 'SFTP_PERMISSION_DENIED' ||
    error.code === 'SFTP_NO_SUCH_FILE');

/** Removes a file, and says whether it is gone; a refusal is not an error here. */
async function removedIfAllowed(session: SftpSession, path: string): Promise<boolean> {
  try {
    await session.remove(path);
    return true;
  } catch (error) {
    if (refusal(error)) return false;
    throw error;
  }
}

/**
 * Uploads `item` under a temporary name and renames it. On failure the temporary file is removed
 * when the connection still allows it, and the journal says so; otherwise the journal keeps it
 * `uploading` and the next run removes it.
 */
export async function upload(context: UploadContext, item: UploadItem): Promise<SftpUpload> {
  const { session, journal, layout } = context;
  const { kind, name } = item;
  const part = pathIn(layout.inbox, `${name}${PART}`);
  await journal?.record({
    state: 'uploading',
    kind,
    name,
    ...(item.file === undefined ? {} : { file: item.file }),
  });
  context.emit('upload-start', { kind, name, ...(item.file === undefined ? {} : { file: item.file }) });
  let bytes: number;
  let described: ReturnType<UploadItem['describe']>;
  try {
    const handle = await session.openForWriting(part);
    try {
      bytes = await session.writeAll(handle, part, item.source, {
        signal: context.signal,
        onWritten: (written) =>
          context.emit('upload-progress', { kind, name, bytes: written, messages: item.messagesSoFar() }),
      });
    } catch (error) {
      await session.closeHandle(handle, part).catch(() => {});
      throw error;
    }
    await session.closeHandle(handle, part);
    described = item.describe();
  } catch (error) {
    if (
      session.open &&
      (await session.remove(part).then(
        () => true,
        () => false,
      ))
    )
      await journal?.record({ state: 'abandoned', name });
    throw error;
  }
  const { sha256, messageUUIDs, indexes } = described;
  await journal?.record({ state: 'written', kind, name, sha256, bytes, messageUUIDs });
  try {
    await session.rename(part, pathIn(layout.inbox, name));
  } catch (error) {
    if (refusal(error)) await abandonRefusedRename(context, name);
    throw error;
  }
  await journal?.record({ state: 'uploaded', name });
  const done: SftpUpload = {
    kind,
    name,
    sha256,
    bytes,
    messageUUIDs,
    ...(indexes === undefined ? {} : { indexes }),
    ...(item.file === undefined ? {} : { file: item.file }),
  };
  context.emit('uploaded', done);
  return done;
}

/**
 * The server refused to rename `<name>.part`: while the `.part` is still there, the upload was not
 * taken — a file already under the final name (which may have made the rename fail) is not this
 * one. It is removed and the journal says `abandoned`, so that its messages go again and no later
 * run takes that other file for this upload. Without the `.part` (a server that renamed and said
 * no), the journal stays at `written` for the next run's recovery to decide.
 */
async function abandonRefusedRename(context: UploadContext, name: string): Promise<void> {
  const { session, journal, layout } = context;
  const part = pathIn(layout.inbox, `${name}${PART}`);
  try {
    if (!(await session.exists(part))) return;
    await removedIfAllowed(session, part);
    await journal?.record({ state: 'abandoned', name });
  } catch {
    // The connection broke: the next run's recovery finds out what is there.
  }
}

/**
 * Brings every upload a crashed run left unfinished to a final state, so that the journal tells
 * exactly which messages and files the server has:
 *
 * - `uploading` (the crash came while writing): the `.part` is removed; its messages go again.
 * - `written` (complete, maybe renamed): still in `/in` under its final name → the server has it;
 *   only the `.part` there → renamed now, or, when the server refuses that, removed (its messages go
 *   again); neither, but an error file → the server refused it, its messages go again; neither →
 *   the server took it already.
 *
 * A rename or removal the server refuses never leaves an upload unfinished: that would stop every
 * later run with this journal at the same place.
 */
export async function recover(context: UploadContext): Promise<void> {
  const { session, journal, layout } = context;
  if (journal === undefined) return;
  for (const left of journal.unfinished()) {
    const part = pathIn(layout.inbox, `${left.name}${PART}`);
    const final = pathIn(layout.inbox, left.name);
    if (left.state === 'uploading') {
      const removed = await removedIfAllowed(session, part);
      await journal.record({ state: 'abandoned', name: left.name });
      warn(
        context,
        left.name,
        removed
          ? `removed ${part}, left half-written by an earlier run; it is sent again`
          : `${part}, left half-written by an earlier run, could not be removed (the server refused); it is sent again`,
      );
      continue;
    }
    if (await session.exists(final)) {
      await removedIfAllowed(session, part);
      await journal.record({ state: 'uploaded', name: left.name });
      warn(
        context,
        left.name,
        `${final}, uploaded by an earlier run, is on the server; it is not sent again`,
      );
    } else if (await session.exists(part)) {
      try {
        await session.rename(part, final);
      } catch (error) {
        if (!refusal(error)) throw error;
        await removedIfAllowed(session, part);
        await journal.record({ state: 'abandoned', name: left.name });
        warn(
          context,
          left.name,
          `the server refused to rename ${part}, complete from an earlier run, to ${final} (${error.message}); it is sent again`,
        );
        continue;
      }
      await journal.record({ state: 'uploaded', name: left.name });
      warn(context, left.name, `renamed ${part}, complete from an earlier run, to ${final}`);
    } else if (await session.exists(pathIn(layout.errors, `${left.name}.json`))) {
      await journal.record({ state: 'refused', name: left.name, code: 'ERROR_FILE' });
      warn(
        context,
        left.name,
        `the server did not take ${final} of an earlier run (see ${pathIn(layout.errors, `${left.name}.json`)}); it is sent again`,
      );
    } else {
      await journal.record({ state: 'uploaded', name: left.name });
      warn(context, left.name, `the server took ${final} of an earlier run; it is not sent again`);
    }
  }
}

function warn(context: UploadContext, name: string, message: string): void {
  context.emit('warning', { code: 'RECOVERED', message, name });
}
