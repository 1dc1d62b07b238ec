/**
 * NgDP's bulk container: a tar of `<messageUUID>.xml` entries, one MeMo each, compressed with
 * LZMA-alone (`.tar.lzma`; ngdp-api.md §11). Written and read as streams: memory stays bounded by
 * the LZMA dictionary and one entry, however many messages a container holds.
 */
import tar, { type Extract } from 'tar-stream';
import { DigitalPostError } from '../errors.ts';
import { LzmaError } from './lzma/errors.ts';
import { compressLzmaAlone, decompressLzmaAlone } from './lzma/stream.ts';
import type { Memo } from './types.ts';
import { serializeMemoToBytes } from './writer.ts';

/** A MeMo to put in a container: a model, or XML bytes with their messageUUID. */
export type ContainerInput = Memo | { messageUUID: string; xml: Uint8Array };

/** One entry read from a container. */
export interface ContainerEntry {
  /** The entry's name in the tar, e.g. `8d0c6a52-….xml`. */
  name: string;
  /** The messageUUID the name gives (`<uuid>.xml`), lower case; undefined when the name is not one. */
  messageUUID: string | undefined;
  /** The entry's bytes as stored (may start with a UTF-8 BOM). */
  xml: Buffer;
}

/** Codes of {@link ContainerError}. */
export type ContainerErrorCode = 'CONTAINER_UNREADABLE' | 'CONTAINER_TOO_LARGE';

/** A container that cannot be read (not LZMA, not tar, truncated) or breaks a limit. */
export class ContainerError extends DigitalPostError {
  declare readonly code: ContainerErrorCode;

  constructor(code: ContainerErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

export interface ReadContainerOptions {
  /** At most this many entries (default 100 000). */
  maxEntries?: number;
  /** At most this many bytes in one entry (default 140 MiB). */
  maxEntryBytes?: number;
  /** At most this many bytes uncompressed in all, counted as they are decompressed (default 2 GiB). */
  maxTotalBytes?: number;
}

export interface WriteContainerOptions {
  /** Start each entry with a UTF-8 BOM, as DIGST's memo-lib does (default true). */
  byteOrderMark?: boolean;
  /** Entries' modification time (default now). */
  mtime?: Date;
  /**
   * LZMA preset 0–9, as xz's. The default, 1, has a 1 MiB dictionary: small letters compress as well
   * as with 6 (8 MiB) at about three times the speed, and an attachment repeated in every letter
   * still compresses away while it is under about 700 KB. 0 (256 KiB) is about 1.4 times faster.
   */
  compressionLevel?: number;
}

const UUID_NAME = /^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\.xml$/;
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

function isMemo(input: ContainerInput): input is Memo {
  return 'messageHeader' in input;
}

function entryOf(input: ContainerInput, byteOrderMark: boolean): { name: string; body: Buffer } {
  if (isMemo(input)) {
    return {
      name: `${input.messageHeader.messageUUID}.xml`,
      body: serializeMemoToBytes(input, { byteOrderMark }),
    };
  }
  const xml = Buffer.from(input.xml.buffer, input.xml.byteOffset, input.xml.byteLength);
  const hasBom = xml[0] === 0xef && xml[1] === 0xbb && xml[2] === 0xbf;
  return {
    name: `${input.messageUUID}.xml`,
    body: byteOrderMark && !hasBom ? Buffer.concat([BOM, xml]) : xml,
  };
}

/**
 * Containers whose LZMA header declares a larger dictionary are refused as unreadable: NgDP's own
 * declare 128 MiB. Reading costs about min(dictionary, bytes decompressed so far) of memory.
 */
const MAX_DICTIONARY_SIZE = 256 * 1024 * 1024;

/** Tar archives are written in records of 20 blocks, as GNU tar and NgDP's own containers are. */
const TAR_RECORD_SIZE = 20 * 512;

/**
 * Writes MeMos as a `.tar.lzma` container and yields its bytes as they are compressed. Entries are
 * named `<messageUUID>.xml` and mode 0700, as NgDP's own tooling writes them. Messages are pulled
 * from `messages` only as the output is consumed, so memory stays flat however many there are.
 */
export async function* writeContainer(
  messages: Iterable<ContainerInput> | AsyncIterable<ContainerInput>,
  options: WriteContainerOptions = {},
): AsyncGenerator<Buffer> {
  const level = options.compressionLevel;
  yield* compressLzmaAlone(packTar(messages, options), level === undefined ? {} : { level });
}

/** The tar of the messages, produced as it is read. */
async function* packTar(
  messages: Iterable<ContainerInput> | AsyncIterable<ContainerInput>,
  options: WriteContainerOptions,
): AsyncGenerator<Buffer> {
  const pack = tar.pack();
  const adding = addEntries(pack, messages, options);
  let size = 0;
  try {
    for await (const chunk of pack as AsyncIterable<Buffer>) {
      size += chunk.length;
      yield chunk;
    }
  } catch (error) {
    throw (await adding)?.error ?? error;
  } finally {
    pack.destroy();
  }
  const failure = await adding;
  if (failure) throw failure.error;
  const padding = (TAR_RECORD_SIZE - (size % TAR_RECORD_SIZE)) % TAR_RECORD_SIZE;
  if (padding > 0) yield Buffer.alloc(padding);
}

/**
 * Adds the messages to `pack` one by one, each once the pack has taken the previous one (so at
 * most one message waits in memory), then finalizes it. Never rejects: a failure destroys the pack
 * and is returned, for the reader of the pack to throw.
 */
async function addEntries(
  pack: tar.Pack,
  messages: Iterable<ContainerInput> | AsyncIterable<ContainerInput>,
  options: WriteContainerOptions,
): Promise<{ error: unknown } | undefined> {
  const mtime = options.mtime ?? new Date();
  try {
    for await (const message of messages) {
      const { name, body } = entryOf(message, options.byteOrderMark !== false);
      await new Promise<void>((resolve, reject) => {
        pack.entry({ name, size: body.length, mode: 0o700, mtime, uid: 0, gid: 0 }, body, (error) =>
          error ? reject(error) : resolve(),
        );
      });
    }
    pack.finalize();
    return undefined;
  } catch (error) {
    pack.destroy(error instanceof Error ? error : new Error(String(error)));
    return { error };
  }
}

/**
 * Reads a `.tar.lzma` container and yields its entries in order, each as soon as it is complete.
 * The limits are enforced while decompressing, so a small container that would decompress to
 * gigabytes is stopped after `maxTotalBytes`, having cost about that much time and little memory.
 *
 * @throws ContainerError CONTAINER_UNREADABLE when it is not an LZMA-compressed tar, is truncated or
 *   corrupt; CONTAINER_TOO_LARGE when it breaks a limit.
 */
export async function* readContainer(
  source: Uint8Array | AsyncIterable<Uint8Array>,
  options: ReadContainerOptions = {},
): AsyncGenerator<ContainerEntry> {
  const maxEntries = options.maxEntries ?? 100_000;
  const maxEntryBytes = options.maxEntryBytes ?? 140 * 1024 * 1024;
  const maxTotalBytes = options.maxTotalBytes ?? 2 * 1024 * 1024 * 1024;
  const extract = tar.extract();
  const decompressed = decompressLzmaAlone(source instanceof Uint8Array ? [source] : source, {
    maxDictionarySize: MAX_DICTIONARY_SIZE,
  });
  const feeding = feedExtract(extract, decompressed, maxTotalBytes);
  let count = 0;
  try {
    for await (const entry of extract) {
      if (++count > maxEntries) {
        throw new ContainerError('CONTAINER_TOO_LARGE', `the container has more than ${maxEntries} entries`);
      }
      const { name, type, size = 0 } = entry.header;
      if (size > maxEntryBytes) {
        throw new ContainerError(
          'CONTAINER_TOO_LARGE',
          `the entry ${name} is larger than ${maxEntryBytes} bytes`,
        );
      }
      const body = await readEntry(entry, size);
      if (type !== 'file') continue;
      const match = UUID_NAME.exec(name.replace(/^\.\//, ''));
      yield { name, messageUUID: match?.[1]?.toLowerCase(), xml: body };
    }
  } catch (error) {
    throw containerErrorOf(feeding.failure ?? error);
  } finally {
    // Stops the decompression too: the feeder sees the extract destroyed when it next wakes.
    extract.destroy();
  }
  if (feeding.failure !== undefined) throw containerErrorOf(feeding.failure);
}

/**
 * Writes the decompressed bytes into the tar extractor as it asks for them, counting them against
 * `maxTotalBytes`. Runs beside the reader of the entries; a failure destroys the extractor (which
 * ends that reader) and is kept in `failure`.
 */
function feedExtract(
  extract: Extract,
  chunks: AsyncIterable<Buffer>,
  maxTotalBytes: number,
): { failure: unknown } {
  const state: { failure: unknown } = { failure: undefined };
  (async () => {
    let total = 0;
    try {
      for await (const chunk of chunks) {
        if (extract.destroyed) return;
        total += chunk.length;
        if (total > maxTotalBytes) {
          throw new ContainerError(
            'CONTAINER_TOO_LARGE',
            `the container holds more than ${maxTotalBytes} bytes uncompressed`,
          );
        }
        if (!extract.write(chunk)) await drained(extract);
      }
      extract.end(undefined); // streamx types its argument as required; none is written
    } catch (error) {
      state.failure = error;
      extract.destroy(error instanceof Error ? error : new Error(String(error)));
    }
  })();
  return state;
}

/** Resolves when `stream` wants more data, or is gone. */
function drained(stream: Extract): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      stream.off('drain', done);
      stream.off('close', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('close', done);
  });
}

/** Reads an entry's body whole, checking it is as long as its header said. */
async function readEntry(entry: AsyncIterable<unknown>, size: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let length = 0;
  for await (const part of entry) {
    parts.push(part as Buffer);
    length += (part as Buffer).length;
  }
  if (length !== size) throw new Error(`an entry ends after ${length} of its ${size} bytes`);
  return Buffer.concat(parts, length);
}

function containerErrorOf(error: unknown): ContainerError {
  if (error instanceof ContainerError) return error;
  if (error instanceof LzmaError) {
    const detail =
      error.code === 'LZMA_BAD_HEADER' ? 'it is not LZMA-alone (.tar.lzma expected)' : error.message;
    return new ContainerError('CONTAINER_UNREADABLE', `the container cannot be decompressed: ${detail}`, {
      cause: error,
    });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new ContainerError('CONTAINER_UNREADABLE', `the container's tar cannot be read: ${message}`, {
    cause: error,
  });
}
