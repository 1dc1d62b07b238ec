/**
 * `SftpSender.sendFiles`: ready-made `.tar.lzma` containers and single `.xml` MeMos, streamed from
 * the disk. A file's identity is the SHA-256 of its bytes: it names the upload
 * (`<file name>-<first 12 hex digits>.<extension>`) and, with a journal, tells a file uploaded
 * before, whatever its local name now.
 */
import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { abortedError, asValidationError } from '../client/batch.ts';
import { prepareMemo } from '../client/prepare.ts';
import { DigitalPostError, InvalidOptionsError, MemoValidationError, SftpSendError } from '../errors.ts';
import { ContainerError, readContainer } from '../memo/container.ts';
import type { ValidateOptions } from '../memo/validate.ts';
import { type commonSettings, RunTotals } from './containers.ts';
import type { InvalidSftpFile, SftpSendResult } from './types.ts';
import { type UploadContext, upload } from './upload.ts';

/** The kind of file a name says, or undefined when it is neither. */
export function fileKind(path: string): 'container' | 'memo' | undefined {
  const lower = basename(path).toLowerCase();
  if (lower.endsWith('.tar.lzma') && lower.length > '.tar.lzma'.length) return 'container';
  if (lower.endsWith('.xml') && lower.length > '.xml'.length) return 'memo';
  return undefined;
}

/** The name a file is uploaded under: its own, made safe, with a piece of its SHA-256. */
export function remoteFileName(path: string, sha256: string): string {
  const extension = fileKind(path) === 'container' ? '.tar.lzma' : '.xml';
  const stem = basename(path).slice(0, -extension.length);
  const safe =
    stem
      .replace(/[^A-Za-z0-9._-]/g, '_')
      .replace(/^[.-]+/, '')
      .slice(0, 100) || 'file';
  return `${safe}-${sha256.slice(0, 12)}${extension}`;
}

async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * The bytes of a file, opened only once they are asked for, hashed on the way: `hash.digest()`
 * afterwards tells whether the file changed since it was first read.
 */
async function* contentOf(path: string, hash: Hash): AsyncGenerator<Buffer> {
  for await (const chunk of createReadStream(path, { highWaterMark: 64 * 1024 })) {
    hash.update(chunk as Buffer);
    yield chunk as Buffer;
  }
}

const containerIssue = (error: ContainerError): MemoValidationError =>
  new MemoValidationError(
    [{ path: '', code: error.code, message: error.message }],
    'not a readable container',
  );

/**
 * The messageUUIDs in a file, read and validated as `send` validates each message.
 *
 * @throws MemoValidationError when the file or an entry is not a valid MeMo, an entry is not named
 *   `<messageUUID>.xml` after its MeMo, or a messageUUID repeats.
 */
async function validatedMessages(
  path: string,
  kind: 'container' | 'memo',
  validation: ValidateOptions | undefined,
): Promise<string[]> {
  const prepare = (xml: Uint8Array): string => {
    try {
      return prepareMemo(xml, { validate: true, validation }).messageUUID;
    } catch (error) {
      throw asValidationError(error) ?? error;
    }
  };
  if (kind === 'memo') return [prepare(await readFile(path))];
  const messageUUIDs: string[] = [];
  const seen = new Set<string>();
  try {
    for await (const entry of readContainer(createReadStream(path))) {
      const invalidEntry = (code: string, message: string): MemoValidationError =>
        new MemoValidationError(
          [{ path: entry.name, code, message }],
          `the container entry ${entry.name} is not valid`,
        );
      if (entry.messageUUID === undefined)
        throw invalidEntry('ENTRY_NAME_INVALID', 'an entry must be named <messageUUID>.xml');
      let messageUUID: string;
      try {
        messageUUID = prepare(entry.xml);
      } catch (error) {
        if (!(error instanceof MemoValidationError)) throw error;
        throw new MemoValidationError(
          error.issues.map((issue) => ({ ...issue, path: `${entry.name}: ${issue.path}` })),
          `the container entry ${entry.name} is not valid`,
        );
      }
      if (messageUUID.toLowerCase() !== entry.messageUUID)
        throw invalidEntry(
          'MEMO_UUID_MISMATCH',
          `the entry is named after ${entry.messageUUID}, its MeMo has ${messageUUID}`,
        );
      if (seen.has(entry.messageUUID))
        throw invalidEntry('DUPLICATE_MESSAGE_UUID', 'a messageUUID appears twice in the container');
      seen.add(entry.messageUUID);
      messageUUIDs.push(messageUUID);
    }
  } catch (error) {
    if (error instanceof ContainerError) throw containerIssue(error);
    throw error;
  }
  if (messageUUIDs.length === 0)
    throw new MemoValidationError(
      [{ path: '', code: 'CONTAINER_EMPTY', message: 'the container holds no MeMo' }],
      'not a container of MeMos',
    );
  return messageUUIDs;
}

/**
 * Checks that every path is a readable regular file named `.xml` or `.tar.lzma`, before anything
 * is sent.
 *
 * @throws InvalidOptionsError when `paths` is not an array of strings or a name is of another kind.
 * @throws DigitalPostError FILE_UNREADABLE when a file is missing or not a regular file.
 */
export async function checkFiles(paths: readonly string[]): Promise<void> {
  if (!Array.isArray(paths) || paths.some((path) => typeof path !== 'string'))
    throw new InvalidOptionsError('SftpSender.sendFiles: paths must be an array of file paths');
  for (const path of paths) {
    if (fileKind(path) === undefined)
      throw new InvalidOptionsError(
        `SftpSender.sendFiles: ${path} is neither a MeMo (.xml) nor a container (.tar.lzma)`,
      );
    let regular: boolean;
    try {
      regular = (await stat(path)).isFile();
    } catch (error) {
      throw new DigitalPostError(
        'FILE_UNREADABLE',
        `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)} (nothing was sent)`,
        { cause: error },
      );
    }
    if (!regular)
      throw new DigitalPostError('FILE_UNREADABLE', `${path} is not a regular file (nothing was sent)`);
  }
}

/** Uploads the files; see `SftpSender.sendFiles`. */
export async function sendFiles(
  context: UploadContext,
  paths: readonly string[],
  settings: ReturnType<typeof commonSettings>,
): Promise<SftpSendResult> {
  const totals = new RunTotals(settings.onProgress);
  const skipped: InvalidSftpFile[] = [];
  const sentNow = new Set<string>();
  let invalidMessage: InvalidSftpFile | undefined;
  try {
    for (const [index, file] of paths.entries()) {
      if (settings.signal?.aborted) throw abortedError(settings.signal);
      const kind = fileKind(file) ?? 'memo';
      const sha256 = await sha256Of(file);
      if (sentNow.has(sha256) || context.journal?.hasFile(sha256)) {
        totals.alreadySent++;
        context.emit('skipped', { kind: 'file', file });
        continue;
      }
      let messageUUIDs: string[] = [];
      if (settings.validate) {
        try {
          messageUUIDs = await validatedMessages(file, kind, settings.validation);
        } catch (error) {
          if (!(error instanceof MemoValidationError)) throw error;
          const invalid: InvalidSftpFile = { index, file, messageUUID: undefined, error };
          if (!settings.skipInvalid) {
            invalidMessage = invalid;
            throw error;
          }
          skipped.push(invalid);
          continue;
        }
      }
      const uploadedHash = createHash('sha256');
      const done = await upload(context, {
        kind: 'file',
        name: remoteFileName(file, sha256),
        file,
        source: contentOf(file, uploadedHash),
        messagesSoFar: () => messageUUIDs.length,
        describe: () => {
          if (uploadedHash.digest('hex') !== sha256)
            throw new DigitalPostError(
              'FILE_CHANGED',
              `${file} changed while it was being sent; it was not sent`,
            );
          return { sha256, messageUUIDs };
        },
      });
      sentNow.add(sha256);
      await totals.add(done, skipped.length);
    }
  } catch (error) {
    throw new SftpSendError({ uploads: totals.uploads, skipped, invalidMessage }, error);
  }
  return {
    uploads: totals.uploads,
    messages: totals.messages,
    bytes: totals.bytes,
    skipped,
    alreadySent: totals.alreadySent,
  };
}
