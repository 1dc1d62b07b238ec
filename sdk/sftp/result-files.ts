/**
 * Reading what the server gives back: its folders of receipt files and error files. Everything in
 * them — the names, the sizes, the contents — is the server's word, so reading them is bounded
 * where a server cannot push: at most `maxEntries` entries per listing (then
 * `SFTP_LISTING_TOO_LONG`), each name once, plain file names only (never `..` or a `/`: a name cannot
 * steer a read or a delete elsewhere), at most `maxFileBytes` per file. A file that cannot be used —
 * too large, not JSON of the expected shape, refused by the server — is left alone with a warning,
 * and the listing goes on.
 */
import { abortedError } from '../client/batch.ts';
import type { Receipt } from '../client/types.ts';
import { InvalidOptionsError, SftpError } from '../errors.ts';
import type { SftpSession } from './session.ts';
import type { SftpErrorMessage, SftpFileError, SftpListOptions, SftpReceipt, SftpWarning } from './types.ts';

/** Receipt and error files are small; a larger one is not what it claims to be. */
const DEFAULT_MAX_FILE_BYTES = 1024 * 1024;
/** Entries of one folder listing: far more receipt files than a mailing leaves, far fewer than forever. */
const DEFAULT_MAX_ENTRIES = 100_000;
/** Downloads at a time. */
const DEFAULT_CONCURRENCY = 16;

const S_IFMT = 0o170000;
const S_IFDIR = 0o040000;
/** Longer names are no receipt or error file of ours. */
const MAX_NAME_LENGTH = 255;
/** Warnings about unsafe names in one listing; a server that lists nothing else is said soon enough. */
const MAX_NAME_WARNINGS = 16;

/** How a listing of receipt or error files goes, checked. */
export interface ListSettings {
  concurrency: number;
  maxEntries: number;
  maxFileBytes: number;
  signal: AbortSignal | undefined;
}

const positiveInteger = (value: unknown): boolean => Number.isSafeInteger(value) && (value as number) > 0;

/** The options of a listing, checked. @throws InvalidOptionsError for an invalid one. */
export function listSettings(caller: string, options: SftpListOptions): ListSettings {
  if (typeof options !== 'object' || options === null)
    throw new InvalidOptionsError(`${caller}: options must be an object`);
  const {
    concurrency = DEFAULT_CONCURRENCY,
    maxEntries = DEFAULT_MAX_ENTRIES,
    maxFileBytes = DEFAULT_MAX_FILE_BYTES,
    signal,
  } = options;
  for (const [name, value] of Object.entries({ concurrency, maxEntries, maxFileBytes }))
    if (!positiveInteger(value))
      throw new InvalidOptionsError(`${caller}: ${name} must be a positive integer, got ${String(value)}`);
  if (signal !== undefined && !(signal instanceof AbortSignal))
    throw new InvalidOptionsError(`${caller}: signal must be an AbortSignal`);
  return { concurrency, maxEntries, maxFileBytes, signal };
}

/**
 * Whether a name from a listing is a plain file name, safe to put after a folder: a server must not
 * steer a read or a delete elsewhere with `..`, a `/` or a name that is not one.
 */
function isPlainName(name: string): boolean {
  return (
    name.length > 0 &&
    name.length <= MAX_NAME_LENGTH &&
    name !== '.' &&
    name !== '..' &&
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses.
    !/[/\\\u0000-\u001f\u007f-\u009f]/.test(name)
  );
}

/** A file-level refusal of the server (as opposed to a broken connection): the next file may do. */
const refusedByServer = (error: unknown): error is SftpError =>
  error instanceof SftpError && (error.code === 'SFTP_FAILURE' || error.code === 'SFTP_PERMISSION_DENIED');

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const RECEIPT_TEXTS = [
  'id',
  'transmissionId',
  'messageUUID',
  'messageId',
  'timeStamp',
  'errorCode',
  'errorMessage',
];

/** Whether a receipt file holds a Receipt: its status, and text (or nothing) where text belongs. */
const isReceipt = (value: unknown): value is Receipt =>
  isObject(value) &&
  typeof value.receiptStatus === 'string' &&
  RECEIPT_TEXTS.every(
    (field) => value[field] === undefined || value[field] === null || typeof value[field] === 'string',
  );

/** What reading a folder needs: the session, the server's name for messages, where warnings go. */
export interface FolderReader {
  session: SftpSession;
  /** `host:port`. */
  server: string;
  warn(warning: SftpWarning): void;
  /** Told of each receipt file read. */
  received?(receipt: SftpReceipt): void;
}

function unreadable(reader: FolderReader, path: string, why: string): void {
  reader.warn({
    code: 'UNREADABLE_FILE',
    message: `${path} on ${reader.server} was left alone: ${why}`,
    name: path,
  });
}

/**
 * A file's JSON; undefined when it is gone meanwhile, or is left alone (with a warning): not JSON,
 * too large, or refused by the server.
 */
async function parsedFile(
  reader: FolderReader,
  path: string,
  size: number | undefined,
  settings: ListSettings,
): Promise<unknown> {
  let content: Buffer;
  try {
    content = await reader.session.download(path, settings.maxFileBytes, size, settings.signal);
  } catch (error) {
    if (error instanceof SftpError && error.code === 'SFTP_NO_SUCH_FILE') return undefined;
    if (!refusedByServer(error)) throw error;
    unreadable(reader, path, error.message);
    return undefined;
  }
  try {
    return JSON.parse(content.toString('utf8'));
  } catch {
    unreadable(reader, path, 'not JSON');
    return undefined;
  }
}

/** The error files of `folder`, parsed; see `SftpSender.errors`. */
export async function* errorFiles(
  reader: FolderReader,
  folder: string,
  settings: ListSettings,
): AsyncGenerator<SftpFileError> {
  const { session } = reader;
  const read = async (file: string, size: number | undefined): Promise<SftpFileError | undefined> => {
    const content = await parsedFile(reader, `${folder}/${file}`, size, settings);
    if (content === undefined) return undefined;
    if (!isObject(content) || typeof content.code !== 'string') {
      unreadable(reader, `${folder}/${file}`, 'not an ErrorMessage');
      return undefined;
    }
    return {
      file,
      upload: file.slice(0, -'.json'.length),
      error: {
        ...content,
        message: typeof content.message === 'string' ? content.message : '',
      } as SftpErrorMessage,
      dismiss: async () => {
        await session.remove(`${folder}/${file}`);
      },
    };
  };
  yield* downloadAll(reader, folder, settings, (name) => name.endsWith('.json') && name !== '.json', read);
}

/** The receipt files of `folder` whose names `wanted` picks, parsed; see `SftpSender.receipts`. */
export async function* receiptFiles(
  reader: FolderReader,
  folder: string,
  settings: ListSettings,
  wanted: (name: string) => boolean,
): AsyncGenerator<SftpReceipt> {
  const { session } = reader;
  const read = async (file: string, size: number | undefined): Promise<SftpReceipt | undefined> => {
    const content = await parsedFile(reader, `${folder}/${file}`, size, settings);
    if (content === undefined) return undefined;
    if (!isReceipt(content)) {
      unreadable(reader, `${folder}/${file}`, 'not a Receipt');
      return undefined;
    }
    const receipt: SftpReceipt = {
      file,
      // A field given as null is a field not given, as the Receipt type has it.
      receipt: Object.fromEntries(
        Object.entries(content).filter(([, value]) => value !== null),
      ) as unknown as Receipt,
      ack: async () => {
        await session.remove(`${folder}/${file}`);
      },
    };
    reader.received?.(receipt);
    return receipt;
  };
  yield* downloadAll(reader, folder, settings, (name) => name.endsWith('.json') && wanted(name), read);
}

/**
 * Lists a folder page by page and downloads the files `wanted` picks, `concurrency` at a time,
 * yielding them in listing order — within bounds a server cannot push: at most `maxEntries`
 * entries, each name once, plain file names only, files of at most `maxFileBytes`.
 */
async function* downloadAll<T>(
  reader: FolderReader,
  folder: string,
  settings: ListSettings,
  wanted: (name: string) => boolean,
  read: (name: string, size: number | undefined) => Promise<T | undefined>,
): AsyncGenerator<T> {
  const { session } = reader;
  const { concurrency, maxEntries, maxFileBytes, signal } = settings;
  const queue: Array<Promise<T | undefined>> = [];
  const names: Array<{ name: string; size: number | undefined }> = [];
  /** The names taken from this listing: a listing that repeats itself reads each once. */
  const seen = new Set<string>();
  let entries = 0;
  let unsafeNames = 0;
  const fill = (): void => {
    while (queue.length < concurrency && names.length > 0) {
      const { name, size } = names.shift() as { name: string; size: number | undefined };
      const download = read(name, size);
      // Awaited in turn below; until then (or if the caller stops early) not an unhandled rejection.
      download.catch(() => {});
      queue.push(download);
    }
  };
  const next = async (): Promise<T | undefined> => {
    if (signal?.aborted) throw abortedError(signal);
    const item = await queue.shift();
    fill();
    return item;
  };
  let tooLong: SftpError | undefined;
  listing: for await (const page of session.list(folder, signal)) {
    for (const entry of page) {
      if (++entries > maxEntries) {
        tooLong = new SftpError(
          'SFTP_LISTING_TOO_LONG',
          `the listing of ${folder} on ${session.where} went on past ${maxEntries} entries (a server whose listing does not end?): acknowledge what was read and list again, or raise maxEntries`,
          { where: session.where, path: folder },
        );
        break listing;
      }
      const name: unknown = entry.filename;
      if (typeof name !== 'string' || !wanted(name) || seen.has(name)) continue;
      if (!isPlainName(name)) {
        if (++unsafeNames <= MAX_NAME_WARNINGS) {
          const shown = JSON.stringify(name.length > 300 ? `${name.slice(0, 300)}…` : name);
          reader.warn({
            code: 'UNSAFE_FILE_NAME',
            message: `${folder} on ${reader.server} lists ${shown}, which is not a plain file name: it was neither read nor deleted`,
            name: shown,
          });
        }
        continue;
      }
      if ((entry.attrs?.mode & S_IFMT) === S_IFDIR) continue;
      seen.add(name);
      const size = entry.attrs?.size;
      if (typeof size === 'number' && size > maxFileBytes) {
        unreadable(reader, `${folder}/${name}`, `it is larger than ${maxFileBytes} bytes (${size})`);
        continue;
      }
      names.push({ name, size: typeof size === 'number' ? size : undefined });
    }
    fill();
    while (queue.length > 0 && (names.length > 0 || queue.length >= concurrency)) {
      const item = await next();
      if (item !== undefined) yield item;
    }
  }
  // What was found before the listing ended (or was cut off) is read all the same.
  fill();
  while (queue.length > 0) {
    const item = await next();
    if (item !== undefined) yield item;
  }
  if (tooLong !== undefined) throw tooLong;
}
