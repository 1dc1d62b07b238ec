/**
 * `client.memos.sendBatch`: many MeMos as bulk containers (`.tar.lzma`, ngdp-api.md §3.2, §11) on
 * `POST /memos/`. The input is read lazily, at most one container ahead of the one being posted, so
 * memory stays bounded whatever the size of the batch; containers are posted one after the other,
 * in input order, which is what makes "resume from index N" exact.
 */
import {
  BatchSendError,
  DigitalPostError,
  type InvalidBatchMessage,
  InvalidOptionsError,
  MemoParseError,
  MemoSerializeError,
  MemoValidationError,
} from '../errors.ts';
import { retrySettings } from '../http/retry.ts';
import type { Effect, RequestOptions, Transport } from '../http/transport.ts';
import { writeContainer } from '../memo/container.ts';
import { readMemo } from '../memo/reader.ts';
import type { Memo, MemoIssue } from '../memo/types.ts';
import { type ValidateOptions, validationSettings } from '../memo/validate.ts';
import { isUuid } from '../ngdp/identifiers.ts';
import { isMemo, prepareMemo } from './prepare.ts';
import { reading, receiptShape } from './responses.ts';
import type { ContainerReceipt } from './types.ts';

/** One message of a batch: a MeMo model, or MeMo XML as text or bytes (as for `memos.send`). */
export type BatchMessage = Memo | string | Uint8Array;

/** Where {@link Memos.sendBatch} reads its messages from: an array, any iterable or async iterable. */
export type BatchInput = Iterable<BatchMessage> | AsyncIterable<BatchMessage>;

/** Counts so far, given to `onProgress` after each container NgDP accepted. */
export interface BatchProgress {
  /** Messages NgDP accepted. */
  accepted: number;
  /** Invalid messages skipped (`onInvalid: 'skip'`). */
  skipped: number;
  /** Containers NgDP accepted. */
  containers: number;
  /** Bytes sent in those containers (compressed). */
  bytes: number;
  /** The container just accepted: its technical receipt and messageUUIDs — a checkpoint to store. */
  container: ContainerReceipt;
}

/** Options of {@link Memos.sendBatch}. */
export interface SendBatchOptions extends RequestOptions {
  /** At most this many messages in one container (default 1 000; 1 to 100 000). */
  maxMessagesPerContainer?: number;
  /**
   * At most this many bytes of MeMo XML in one container, before compression (default 32 MiB). A
   * message larger than this travels alone in its own container.
   */
  maxContainerBytes?: number;
  /** Validate each MeMo locally before sending (default true): invalid ones are never sent. */
  validate?: boolean;
  /** Rules of the local validation (default: NgDP's rules). */
  validation?: ValidateOptions;
  /**
   * What an invalid message (or one repeating a messageUUID of the batch) does. `throw` (default):
   * the batch stops before the container it would have gone in, with a {@link BatchSendError}.
   * `skip`: it is left out and listed in the result's `skipped`; the rest is sent.
   */
  onInvalid?: 'throw' | 'skip';
  /**
   * Called after each container NgDP accepted, and awaited before the next one is posted: a good
   * place to record the container's messages as sent. The input is meanwhile read for the next
   * container. When it throws, the batch stops with a {@link BatchSendError}.
   */
  onProgress?: (progress: BatchProgress) => void | Promise<void>;
}

/** What {@link Memos.sendBatch} resolves to. */
export interface BatchResult {
  /** The containers NgDP accepted, in input order, each with its technical receipt and messages. */
  containers: ContainerReceipt[];
  /** How many messages NgDP accepted. */
  accepted: number;
  /** Invalid messages left out (`onInvalid: 'skip'`); empty otherwise. */
  skipped: InvalidBatchMessage[];
  /** Bytes sent (compressed), over all containers. */
  bytes: number;
}

const DEFAULT_MAX_MESSAGES = 1_000;

/** A container post whose answer was lost (see BatchSendError.unsentMessageUUIDs). */
const containerEffect: Effect = {
  operation: 'memos.sendBatch',
  check:
    "The container's messages may be at NgDP: send them again unchanged (from the BatchSendError's " +
    'resumeFrom; the same messageUUIDs never make second letters), or wait for their business receipts.',
  repeatable: true,
};
const MAX_MESSAGES_LIMIT = 100_000;
const DEFAULT_MAX_BYTES = 32 * 1024 * 1024;

interface BatchSettings {
  maxMessages: number;
  maxBytes: number;
  skipInvalid: boolean;
  onProgress: SendBatchOptions['onProgress'];
  prepare: { validate: boolean; validation: ValidateOptions | undefined };
  request: RequestOptions;
}

/** A valid message read from the input, ready to go into a container. */
export interface Entry {
  index: number;
  messageUUID: string;
  xml: Uint8Array;
}

function batchSettings(options: SendBatchOptions): BatchSettings {
  if (typeof options !== 'object' || options === null)
    throw new InvalidOptionsError('sendBatch: options must be an object');
  const { maxMessagesPerContainer: maxMessages = DEFAULT_MAX_MESSAGES } = options;
  if (!Number.isInteger(maxMessages) || maxMessages < 1 || maxMessages > MAX_MESSAGES_LIMIT) {
    throw new InvalidOptionsError(
      `sendBatch: maxMessagesPerContainer must be an integer from 1 to ${MAX_MESSAGES_LIMIT}, got ${String(maxMessages)}`,
    );
  }
  const { maxContainerBytes: maxBytes = DEFAULT_MAX_BYTES } = options;
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 1) {
    throw new InvalidOptionsError(
      `sendBatch: maxContainerBytes must be a positive integer, got ${String(maxBytes)}`,
    );
  }
  const { onInvalid = 'throw', onProgress, validate = true, validation } = options;
  if (onInvalid !== 'throw' && onInvalid !== 'skip')
    throw new InvalidOptionsError(`sendBatch: onInvalid must be "throw" or "skip", got ${String(onInvalid)}`);
  if (onProgress !== undefined && typeof onProgress !== 'function')
    throw new InvalidOptionsError('sendBatch: onProgress must be a function');
  if (typeof validate !== 'boolean')
    throw new InvalidOptionsError(`sendBatch: validate must be a boolean, got ${String(validate)}`);
  if (validation !== undefined) validationSettings(validation);
  const { timeoutMs, retry, signal } = options;
  if (timeoutMs !== undefined && !(Number.isFinite(timeoutMs) && timeoutMs > 0))
    throw new InvalidOptionsError(`sendBatch: timeoutMs must be a positive number, got ${String(timeoutMs)}`);
  if (retry !== undefined) retrySettings(retry);
  return {
    maxMessages,
    maxBytes,
    skipInvalid: onInvalid === 'skip',
    onProgress,
    prepare: { validate, validation },
    request: {
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
      ...(retry === undefined ? {} : { retry }),
      ...(signal === undefined ? {} : { signal }),
    },
  };
}

/**
 * The iterator of a batch's input.
 *
 * @throws InvalidOptionsError, naming `caller`, when `messages` is not a list of messages.
 */
export function iteratorOf(
  messages: unknown,
  caller = 'sendBatch',
): Iterator<unknown> | AsyncIterator<unknown> {
  if (typeof messages === 'string' || messages instanceof Uint8Array || isMemo(messages)) {
    throw new InvalidOptionsError(
      `${caller}: messages must be a list of MeMos (an array, iterable or async iterable); send one MeMo with memos.send`,
    );
  }
  if (typeof messages === 'object' && messages !== null) {
    const asyncIterator = (messages as Partial<AsyncIterable<unknown>>)[Symbol.asyncIterator];
    if (typeof asyncIterator === 'function') return asyncIterator.call(messages);
    const iterator = (messages as Partial<Iterable<unknown>>)[Symbol.iterator];
    if (typeof iterator === 'function') return iterator.call(messages);
  }
  throw new InvalidOptionsError(
    `${caller}: messages must be an array, iterable or async iterable of MeMos, got ${kindOf(messages)}`,
  );
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object'
    ? `an object (${Object.keys(value).slice(0, 3).join(', ') || 'empty'})`
    : typeof value;
}

export function abortedError(signal: AbortSignal): DigitalPostError {
  return new DigitalPostError('ABORTED', 'the batch was aborted', { cause: signal.reason });
}

/** The messageUUID of a message that failed to prepare, when one can be read at all. */
function messageUUIDIn(value: BatchMessage): string | undefined {
  try {
    const uuid = (isMemo(value) ? value : readMemo(value).memo).messageHeader?.messageUUID;
    return typeof uuid === 'string' ? uuid : undefined;
  } catch {
    return undefined;
  }
}

function invalidUUID(messageUUID: string, issue: Omit<MemoIssue, 'path'>): MemoValidationError {
  return new MemoValidationError(
    [{ path: 'MessageHeader/messageUUID', ...issue }],
    `the MeMo ${messageUUID} was not sent`,
  );
}

/** What a {@link BatchReader} needs to know. */
export interface ReaderSettings {
  skipInvalid: boolean;
  prepare: { validate: boolean; validation: ValidateOptions | undefined };
  signal: AbortSignal | undefined;
  /** The API reading, named in errors (`sendBatch`, `SftpSender.send`). */
  caller: string;
}

/**
 * Reads the input one message at a time: checks the type, prepares (validates, serializes) and
 * refuses a messageUUID seen earlier in the batch. Shared by `memos.sendBatch` and `SftpSender.send`.
 */
export class BatchReader {
  /** Invalid messages left out (`skip`). */
  readonly skipped: InvalidBatchMessage[] = [];
  /** The invalid message that stopped the batch (`throw`). */
  stoppedBy: InvalidBatchMessage | undefined;
  /** How many items were taken from the input. */
  count = 0;
  private readonly iterator: Iterator<unknown> | AsyncIterator<unknown>;
  private readonly settings: ReaderSettings;
  /** messageUUID (lower case) → index of the message that has it. */
  private readonly seen = new Map<string, number>();
  private finished = false;
  private stopped = false;

  constructor(iterator: Iterator<unknown> | AsyncIterator<unknown>, settings: ReaderSettings) {
    this.iterator = iterator;
    this.settings = settings;
  }

  /** The next valid message, or undefined at the end of the input. */
  async next(): Promise<Entry | undefined> {
    for (;;) {
      if (this.stopped) throw new DigitalPostError('BATCH_STOPPED', 'the batch stopped');
      const { signal } = this.settings;
      if (signal?.aborted) throw abortedError(signal);
      const result = await this.iterator.next();
      if (result.done) {
        this.finished = true;
        return undefined;
      }
      const entry = this.entryOf(result.value, this.count++);
      if (entry !== undefined) return entry;
    }
  }

  /** Makes reading ahead end: the batch failed elsewhere. */
  stop(): void {
    this.stopped = true;
  }

  /** Lets the input clean up (a generator's `finally`) when the batch stops before its end. */
  async close(): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    try {
      await this.iterator.return?.();
    } catch {
      // The batch's own outcome matters more than an input that fails to close.
    }
  }

  private entryOf(value: unknown, index: number): Entry | undefined {
    if (!(typeof value === 'string' || value instanceof Uint8Array || isMemo(value))) {
      throw new InvalidOptionsError(
        `${this.settings.caller}: the message at index ${index} is not a MeMo (a Memo, or MeMo XML as text or bytes), got ${kindOf(value)}`,
      );
    }
    let prepared: { bytes: Uint8Array; messageUUID: string };
    try {
      prepared = prepareMemo(value, this.settings.prepare);
    } catch (error) {
      const invalid = asValidationError(error);
      if (invalid === undefined) throw error;
      return this.invalid({ index, messageUUID: messageUUIDIn(value), error: invalid });
    }
    const { messageUUID } = prepared;
    // The messageUUID names the container entry, so nothing but a UUID may get into the tar.
    if (!isUuid(messageUUID)) {
      const error = invalidUUID(messageUUID, {
        code: 'INVALID_UUID',
        message: `must be a UUID (it names the container entry), got "${messageUUID}"`,
      });
      return this.invalid({ index, messageUUID, error });
    }
    const key = messageUUID.toLowerCase();
    const first = this.seen.get(key);
    if (first !== undefined) {
      const error = invalidUUID(messageUUID, {
        code: 'DUPLICATE_MESSAGE_UUID',
        message: `the message at index ${first} of this batch has the same messageUUID`,
      });
      return this.invalid({ index, messageUUID, error });
    }
    this.seen.set(key, index);
    return { index, messageUUID, xml: prepared.bytes };
  }

  private invalid(message: InvalidBatchMessage): undefined {
    if (!this.settings.skipInvalid) {
      this.stoppedBy = message;
      throw message.error;
    }
    this.skipped.push(message);
    return undefined;
  }
}

/** A local MeMo problem as a MemoValidationError, or undefined for any other error. */
export function asValidationError(error: unknown): MemoValidationError | undefined {
  if (error instanceof MemoValidationError) return error;
  if (error instanceof MemoParseError)
    return new MemoValidationError([{ path: '', code: error.code, message: error.message }], 'not a MeMo');
  if (error instanceof MemoSerializeError) {
    return new MemoValidationError(
      [{ path: error.path, code: error.code, message: error.message }],
      'the MeMo cannot be serialized',
    );
  }
  return undefined;
}

/** A container built and not yet accepted. */
interface BuiltContainer {
  /** All of its bytes (a view of one of the sender's two buffers): a retry resends exactly these. */
  body: Buffer;
  messageUUIDs: string[];
  /** The input position after it: where a resume starts once it is accepted. */
  nextIndex: number;
}

/**
 * One run of `sendBatch`: reads and packs the next container while the one before it is being
 * posted (compression overlaps the network), posts in order, and keeps what a resume needs.
 */
class BatchSender {
  private readonly transport: Transport;
  private readonly settings: BatchSettings;
  private readonly reader: BatchReader;
  private readonly containers: ContainerReceipt[] = [];
  private accepted = 0;
  private bytes = 0;
  private resumeFrom = 0;
  /** The messageUUIDs of the containers read and not accepted yet: the one posted, the one built. */
  private readonly unaccepted: string[][] = [];
  /** A message read that did not fit the container before it: the first of the next one. */
  private carry: Entry | undefined;
  /**
   * The containers' bytes, two buffers used in turn: one holds the container being posted, the
   * other the one being built. A container's buffer is refilled only two containers later, once it
   * has been accepted (see {@link run}). A fresh buffer per container would be garbage of up to
   * megabytes each that outlives a young-generation GC (it lives as long as its POST) and is freed
   * only by a full GC, which V8 runs rarely while the JavaScript heap stays small: measured, a batch
   * of 10 000 letters with their own PDFs left ≈ 12 MB of dead containers in memory.
   */
  private readonly buffers = [new ContainerBuffer(), new ContainerBuffer()];
  private built = 0;

  constructor(transport: Transport, settings: BatchSettings, reader: BatchReader) {
    this.transport = transport;
    this.settings = settings;
    this.reader = reader;
  }

  async run(): Promise<BatchResult> {
    let next: Promise<BuiltContainer | undefined> | undefined;
    try {
      next = this.build();
      for (;;) {
        const container = await next;
        next = undefined;
        if (container === undefined) break;
        next = this.build();
        // Awaited in turn below; until then its failure must not count as unhandled.
        next.catch(() => {});
        await this.post(container);
      }
    } catch (error) {
      this.reader.stop();
      await next?.catch(() => {});
      throw this.failure(error);
    } finally {
      await this.reader.close();
    }
    return {
      containers: this.containers,
      accepted: this.accepted,
      skipped: this.reader.skipped,
      bytes: this.bytes,
    };
  }

  /** The next container, or undefined at the end of the input. */
  private async build(): Promise<BuiltContainer | undefined> {
    const first = this.carry ?? (await this.reader.next());
    this.carry = undefined;
    if (first === undefined) return undefined;
    const messageUUIDs = [first.messageUUID];
    this.unaccepted.push(messageUUIDs);
    // run() builds container n + 2 only after container n is accepted: its buffer is free again.
    const buffer = this.buffers[this.built++ % 2] as ContainerBuffer;
    buffer.clear();
    for await (const chunk of writeContainer(this.entries(first, messageUUIDs))) buffer.append(chunk);
    return {
      body: buffer.bytes(),
      messageUUIDs,
      nextIndex: this.nextIndex(),
    };
  }

  /** Where the input goes on after what has been read into containers. */
  private nextIndex(): number {
    return this.carry?.index ?? this.reader.count;
  }

  /** Feeds the container writer until the container is full or the input ends. */
  private async *entries(
    first: Entry,
    messageUUIDs: string[],
  ): AsyncGenerator<{ messageUUID: string; xml: Uint8Array }> {
    let size = first.xml.byteLength;
    yield { messageUUID: first.messageUUID, xml: first.xml };
    while (messageUUIDs.length < this.settings.maxMessages) {
      const next = await this.reader.next();
      if (next === undefined) return;
      if (size + next.xml.byteLength > this.settings.maxBytes) {
        this.carry = next;
        return;
      }
      messageUUIDs.push(next.messageUUID);
      size += next.xml.byteLength;
      yield { messageUUID: next.messageUUID, xml: next.xml };
    }
  }

  private async post(built: BuiltContainer): Promise<void> {
    const { signal } = this.settings.request;
    if (signal?.aborted) throw abortedError(signal);
    const receipt = await this.transport.json(
      {
        method: 'POST',
        path: '/memos/',
        body: built.body,
        contentType: 'application/x-lzma',
        effect: containerEffect,
        idempotent: true,
      },
      this.settings.request,
      reading(receiptShape),
    );
    const container: ContainerReceipt = {
      transmissionId: receipt.transmissionId,
      timeStamp: receipt.timeStamp,
      receiptStatus: receipt.receiptStatus,
      messageUUIDs: built.messageUUIDs,
      bytes: built.body.byteLength,
    };
    this.unaccepted.shift();
    this.containers.push(container);
    this.accepted += container.messageUUIDs.length;
    this.bytes += container.bytes;
    this.resumeFrom = built.nextIndex;
    await this.settings.onProgress?.({
      accepted: this.accepted,
      skipped: this.reader.skipped.length,
      containers: this.containers.length,
      bytes: this.bytes,
      container,
    });
  }

  private failure(cause: unknown): BatchSendError {
    const unsent = this.unaccepted.flat();
    if (this.carry !== undefined) unsent.push(this.carry.messageUUID);
    const invalid = this.reader.stoppedBy;
    return new BatchSendError(
      {
        containers: this.containers,
        resumeFrom: this.resumeFrom,
        unsentMessageUUIDs: unsent,
        skipped: this.reader.skipped.filter((message) => message.index < this.resumeFrom),
        invalidMessage: invalid !== undefined && invalid.error === cause ? invalid : undefined,
      },
      cause,
    );
  }
}

/** Bytes appended into one buffer that grows (doubling) as needed and is kept for reuse. */
class ContainerBuffer {
  private buffer = Buffer.allocUnsafe(0);
  private length = 0;

  clear(): void {
    this.length = 0;
  }

  append(chunk: Uint8Array): void {
    const needed = this.length + chunk.byteLength;
    if (needed > this.buffer.length) {
      const grown = Buffer.allocUnsafe(Math.max(needed, 2 * this.buffer.length, 64 * 1024));
      this.buffer.copy(grown, 0, 0, this.length);
      this.buffer = grown;
    }
    this.buffer.set(chunk, this.length);
    this.length = needed;
  }

  /** What has been appended since the last {@link clear}: a view, valid until the next one. */
  bytes(): Buffer {
    return this.buffer.subarray(0, this.length);
  }
}

/**
 * Sends many MeMos as bulk containers; see {@link Memos.sendBatch}.
 *
 * @throws InvalidOptionsError for invalid options or input that is not a list (nothing is read or sent).
 * @throws BatchSendError when the batch stops before the end of its input.
 */
export async function sendBatch(
  transport: Transport,
  messages: BatchInput,
  options: SendBatchOptions = {},
): Promise<BatchResult> {
  const settings = batchSettings(options);
  const reader = new BatchReader(iteratorOf(messages), {
    skipInvalid: settings.skipInvalid,
    prepare: settings.prepare,
    signal: settings.request.signal,
    caller: 'sendBatch',
  });
  return new BatchSender(transport, settings, reader).run();
}
