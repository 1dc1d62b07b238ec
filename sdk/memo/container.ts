/**
 * NgDP's bulk container: a tar of `<messageUUID>.xml` entries, one MeMo each, compressed with
 * LZMA-alone (`.tar.lzma`; ngdp-api.md §11). Written and read as streams of entries.
 */
import { Readable } from 'node:stream';
import { lzma } from '@napi-rs/lzma';
import tar from 'tar-stream';
import { DigitalPostError } from '../errors.ts';
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
  /** At most this many bytes uncompressed in all (default 2 GiB). */
  maxTotalBytes?: number;
}

export interface WriteContainerOptions {
  /** Start each entry with a UTF-8 BOM, as DIGST's memo-lib does (default true). */
  byteOrderMark?: boolean;
  /** Entries' modification time (default now). */
  mtime?: Date;
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

async function collect(source: Uint8Array | AsyncIterable<Uint8Array>): Promise<Buffer> {
  if (source instanceof Uint8Array) return Buffer.from(source.buffer, source.byteOffset, source.byteLength);
  const chunks: Buffer[] = [];
  for await (const chunk of source) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/**
 * Writes MeMos as a `.tar.lzma` container and yields its bytes. Entries are named
 * `<messageUUID>.xml` and mode 0700, as NgDP's own tooling writes them.
 */
export async function* writeContainer(
  messages: Iterable<ContainerInput> | AsyncIterable<ContainerInput>,
  options: WriteContainerOptions = {},
): AsyncGenerator<Buffer> {
  const pack = tar.pack();
  const tarChunks: Buffer[] = [];
  pack.on('data', (chunk: unknown) => tarChunks.push(chunk as Buffer));
  const done = new Promise<void>((resolve, reject) => {
    pack.on('end', resolve);
    pack.on('error', reject);
  });
  const mtime = options.mtime ?? new Date();
  for await (const message of messages) {
    const { name, body } = entryOf(message, options.byteOrderMark !== false);
    await new Promise<void>((resolve, reject) => {
      pack.entry({ name, size: body.length, mode: 0o700, mtime, uid: 0, gid: 0 }, body, (error) =>
        error ? reject(error) : resolve(),
      );
    });
  }
  pack.finalize();
  await done;
  yield await lzma.compress(Buffer.concat(tarChunks));
}

/**
 * Reads a `.tar.lzma` container and yields its entries in order.
 *
 * @throws ContainerError when it is not an LZMA-compressed tar, is truncated, or breaks a limit.
 */
export async function* readContainer(
  source: Uint8Array | AsyncIterable<Uint8Array>,
  options: ReadContainerOptions = {},
): AsyncGenerator<ContainerEntry> {
  const maxEntries = options.maxEntries ?? 100_000;
  const maxEntryBytes = options.maxEntryBytes ?? 140 * 1024 * 1024;
  const maxTotalBytes = options.maxTotalBytes ?? 2 * 1024 * 1024 * 1024;
  let tarBytes: Buffer;
  try {
    tarBytes = await lzma.decompress(await collect(source));
  } catch (error) {
    throw new ContainerError(
      'CONTAINER_UNREADABLE',
      'the container is not LZMA-compressed (.tar.lzma expected)',
      {
        cause: error,
      },
    );
  }
  if (tarBytes.length > maxTotalBytes) {
    throw new ContainerError('CONTAINER_TOO_LARGE', `the container holds more than ${maxTotalBytes} bytes`);
  }
  const extract = tar.extract();
  Readable.from([tarBytes]).pipe(extract);
  let count = 0;
  try {
    for await (const entry of extract) {
      const { name, type, size } = entry.header;
      if (type !== 'file') {
        entry.resume();
        continue;
      }
      if (++count > maxEntries)
        throw new ContainerError('CONTAINER_TOO_LARGE', `the container has more than ${maxEntries} entries`);
      if ((size ?? 0) > maxEntryBytes) {
        throw new ContainerError(
          'CONTAINER_TOO_LARGE',
          `the entry ${name} is larger than ${maxEntryBytes} bytes`,
        );
      }
      const parts: Buffer[] = [];
      for await (const part of entry) parts.push(part as Buffer);
      const match = UUID_NAME.exec(name.replace(/^\.\//, ''));
      yield { name, messageUUID: match?.[1]?.toLowerCase(), xml: Buffer.concat(parts) };
    }
  } catch (error) {
    if (error instanceof ContainerError) throw error;
    throw new ContainerError(
      'CONTAINER_UNREADABLE',
      `the container's tar cannot be read: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
}
