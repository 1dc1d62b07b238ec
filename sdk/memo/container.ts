/**
 * NgDP's bulk container: a tar of `<messageUUID>.xml` entries, one MeMo each, compressed with
 * LZMA-alone (`.tar.lzma`; ngdp-api.md §11). Written and read as streams: memory stays bounded by
 * the LZMA dictionary and one entry, however many messages a container holds.
 */
import type { Extract } from 'tar-stream';
import { ContainerError, type ContainerErrorCode, InvalidOptionsError } from '../errors.ts';
import { isUuid } from '../ngdp/identifiers.ts';
import { LzmaError } from './lzma/errors.ts';
import { HEADER_SIZE, parseHeader } from './lzma/header.ts';
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

// Declared with every other error in sdk/errors.ts, and exported here beside readContainer.
export { ContainerError, type ContainerErrorCode };

export interface ReadContainerOptions {
  /** At most this many entries (default 100 000). */
  maxEntries?: number;
  /** At most this many bytes in one entry (default 140 MiB). */
  maxEntryBytes?: number;
  /** At most this many bytes uncompressed in all, counted as they are decompressed (default 2 GiB). */
  maxTotalBytes?: number;
  /**
   * Called with each file entry's name and size (from its tar header) before its bytes are read,
   * which they are once it returns (or its promise resolves): a reader can make room for the entry
   * first, or stop. What it throws stops reading and is thrown as it is.
   */
  beforeEntry?: (entry: { name: string; size: number }) => void | Promise<void>;
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

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** The messageUUID an entry named `<uuid>.xml` (or `./<uuid>.xml`) carries, lower case. */
function messageUUIDOfName(name: string): string | undefined {
  const file = name.startsWith('./') ? name.slice(2) : name;
  if (!file.endsWith('.xml')) return undefined;
  const uuid = file.slice(0, -'.xml'.length);
  return isUuid(uuid) ? uuid.toLowerCase() : undefined;
}

function isMemo(input: ContainerInput): input is Memo {
  return 'messageHeader' in input;
}

/**
 * Containers whose LZMA header declares a larger dictionary are refused as unreadable: NgDP's own
 * declare 128 MiB. Reading costs about min(dictionary, bytes decompressed so far) of memory.
 */
const MAX_DICTIONARY_SIZE = 256 * 1024 * 1024;

/**
 * The most memory {@link readContainer} can spend on the LZMA window of a container starting with
 * `head`: the dictionary its header declares, but no more than the data's declared length or
 * `maxTotalBytes`. 0 for bytes it refuses at once (not LZMA-alone, too large a dictionary).
 */
export function containerWindowBytes(head: Uint8Array, maxTotalBytes: number): number {
  if (head.byteLength < HEADER_SIZE) return 0;
  try {
    const header = parseHeader(head, MAX_DICTIONARY_SIZE);
    return Math.min(header.dictionarySize, header.uncompressedSize ?? Infinity, maxTotalBytes);
  } catch {
    return 0;
  }
}

/** Tar archives are written in records of 20 blocks, as GNU tar and NgDP's own containers are. */
const TAR_RECORD_SIZE = 20 * 512;
const TAR_BLOCK_SIZE = 512;
/** Zeros for padding entries and ending the archive; only ever read. */
const ZEROS = Buffer.alloc(TAR_RECORD_SIZE);

/**
 * Writes MeMos as a `.tar.lzma` container and yields its bytes as they are compressed. Entries are
 * named `<messageUUID>.xml` and mode 0700, as NgDP's own tooling writes them. Messages are pulled
 * from `messages` only as the output is consumed, so memory stays flat however many there are.
 *
 * @throws InvalidOptionsError when a messageUUID makes an entry name longer than a tar header holds (100 bytes).
 */
export async function* writeContainer(
  messages: Iterable<ContainerInput> | AsyncIterable<ContainerInput>,
  options: WriteContainerOptions = {},
): AsyncGenerator<Buffer> {
  const level = options.compressionLevel;
  yield* compressLzmaAlone(packTar(messages, options), level === undefined ? {} : { level });
}

/**
 * The tar of the messages, produced as it is read: per entry its header, a BOM when one is added,
 * the message's own bytes (not copied) and the padding. The header is one buffer rewritten for
 * every entry, so a chunk is valid only until the next one is asked for — the compressor copies
 * each one as it takes it. Nothing is allocated per message but the message itself: a batch of
 * thousands leaves no garbage behind that could outlive its container.
 */
async function* packTar(
  messages: Iterable<ContainerInput> | AsyncIterable<ContainerInput>,
  options: WriteContainerOptions,
): AsyncGenerator<Buffer> {
  const byteOrderMark = options.byteOrderMark !== false;
  const mtime = Math.floor((options.mtime ?? new Date()).getTime() / 1000);
  const header = Buffer.alloc(TAR_BLOCK_SIZE);
  let size = 0;
  for await (const message of messages) {
    let name: string;
    let body: Buffer;
    let bom = false;
    if (isMemo(message)) {
      name = `${message.messageHeader.messageUUID}.xml`;
      body = serializeMemoToBytes(message, { byteOrderMark });
    } else {
      name = `${message.messageUUID}.xml`;
      body = Buffer.from(message.xml.buffer, message.xml.byteOffset, message.xml.byteLength);
      bom = byteOrderMark && !(body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf);
    }
    const length = body.length + (bom ? BOM.length : 0);
    writeTarHeader(header, name, length, mtime);
    yield header;
    if (bom) yield BOM;
    if (body.length > 0) yield body;
    const padding = (TAR_BLOCK_SIZE - (length % TAR_BLOCK_SIZE)) % TAR_BLOCK_SIZE;
    if (padding > 0) yield ZEROS.subarray(0, padding);
    size += TAR_BLOCK_SIZE + length + padding;
  }
  // The end of the archive (two zero blocks), then zeros to a whole record.
  const end = 2 * TAR_BLOCK_SIZE;
  yield ZEROS.subarray(0, end + ((TAR_RECORD_SIZE - ((size + end) % TAR_RECORD_SIZE)) % TAR_RECORD_SIZE));
}

/**
 * A ustar header for a regular file, mode 0700, owned by 0:0 — byte for byte what tar-stream and
 * GNU tar write for it — into `header` (512 bytes).
 */
function writeTarHeader(header: Buffer, name: string, size: number, mtime: number): void {
  if (Buffer.byteLength(name) > 100)
    throw new InvalidOptionsError(
      `writeContainer: the entry name ${name} is longer than a tar header holds (100 bytes)`,
    );
  if (size >= 8 ** 11)
    throw new InvalidOptionsError(`writeContainer: the entry ${name} is larger than tar allows`);
  header.fill(0);
  header.write(name, 0);
  writeOctal(header, 100, 0o700, 6);
  writeOctal(header, 108, 0, 6);
  writeOctal(header, 116, 0, 6);
  writeOctal(header, 124, size, 11);
  writeOctal(header, 136, mtime, 11);
  header[156] = 0x30; // '0': a regular file
  header.write('ustar\x0000', 257, 'latin1');
  writeOctal(header, 329, 0, 6);
  writeOctal(header, 337, 0, 6);
  // The checksum counts its own 8 bytes as spaces.
  let checksum = 8 * 0x20;
  for (let i = 0; i < TAR_BLOCK_SIZE; i++) if (i < 148 || i >= 156) checksum += header[i] as number;
  writeOctal(header, 148, checksum, 6);
}

/** `value` as `digits` octal digits and a space. */
function writeOctal(header: Buffer, offset: number, value: number, digits: number): void {
  header.write(`${value.toString(8).padStart(digits, '0')} `, offset, 'latin1');
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
  // Loaded on the first container read, not with the package.
  const { default: tar } = await import('tar-stream');
  const extract = tar.extract();
  const decompressed = decompressLzmaAlone(source instanceof Uint8Array ? [source] : source, {
    maxDictionarySize: MAX_DICTIONARY_SIZE,
  });
  const feeding = feedExtract(extract, decompressed, maxTotalBytes);
  const { beforeEntry } = options;
  /** What `beforeEntry` threw: the caller's own, passed on unchanged. */
  let refusal: { error: unknown } | undefined;
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
      if (type !== 'file') {
        await skipEntry(entry, size);
        continue;
      }
      if (beforeEntry !== undefined) {
        try {
          await beforeEntry({ name, size });
        } catch (error) {
          refusal = { error };
          throw error;
        }
      }
      const body = await readEntry(entry, size);
      yield { name, messageUUID: messageUUIDOfName(name), xml: body };
    }
  } catch (error) {
    if (refusal !== undefined) throw refusal.error;
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

/**
 * Reads an entry's body whole into one buffer of the size its header gives (so an entry costs its
 * size once, not its parts and then their concatenation), checking it is exactly that long.
 */
async function readEntry(entry: AsyncIterable<unknown>, size: number): Promise<Buffer> {
  const body = Buffer.allocUnsafe(size);
  let length = 0;
  for await (const part of entry) {
    const bytes = part as Buffer;
    if (length + bytes.length > size) throw new Error(`an entry is longer than its ${size} bytes`);
    bytes.copy(body, length);
    length += bytes.length;
  }
  if (length !== size) throw new Error(`an entry ends after ${length} of its ${size} bytes`);
  return body;
}

/** Reads past an entry that is not a file (a folder, a link), checking its length as {@link readEntry} does. */
async function skipEntry(entry: AsyncIterable<unknown>, size: number): Promise<void> {
  let length = 0;
  for await (const part of entry) length += (part as Buffer).length;
  if (length !== size) throw new Error(`an entry ends after ${length} of its ${size} bytes`);
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
