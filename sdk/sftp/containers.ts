/**
 * `SftpSender.send`: MeMos packed into `.tar.lzma` containers that are compressed straight into
 * the upload — no container is ever whole in memory. The input is read lazily, one message ahead of
 * the container being written, so memory stays flat whatever the size of the batch.
 *
 * A container is named after its first message, `<messageUUID>.tar.lzma`, so the same input packs
 * into the same names run after run; with a journal, messages the server already has are left out
 * before packing, and a run repeated after a crash sends exactly the rest.
 */
import { createHash } from 'node:crypto';
import { BatchReader, type Entry } from '../client/batch.ts';
import { InvalidOptionsError, SftpSendError } from '../errors.ts';
import { writeContainer } from '../memo/container.ts';
import { validationSettings } from '../memo/validate.ts';
import type { SftpProgress, SftpSendOptions, SftpSendResult, SftpUpload } from './types.ts';
import { type UploadContext, upload } from './upload.ts';

const DEFAULT_MAX_MESSAGES = 1_000;
const MAX_MESSAGES_LIMIT = 100_000;
const DEFAULT_MAX_BYTES = 32 * 1024 * 1024;

interface SendSettings {
  maxMessages: number;
  maxBytes: number;
  skipInvalid: boolean;
  validate: boolean;
  validation: SftpSendOptions['validation'];
  onProgress: SftpSendOptions['onProgress'];
  signal: AbortSignal | undefined;
}

/** The options of `send`, checked. @throws InvalidOptionsError for an invalid one. */
export function sendSettings(options: SftpSendOptions): SendSettings {
  if (typeof options !== 'object' || options === null)
    throw new InvalidOptionsError('SftpSender.send: options must be an object');
  const { maxMessagesPerContainer: maxMessages = DEFAULT_MAX_MESSAGES } = options;
  if (!Number.isInteger(maxMessages) || maxMessages < 1 || maxMessages > MAX_MESSAGES_LIMIT)
    throw new InvalidOptionsError(
      `SftpSender.send: maxMessagesPerContainer must be an integer from 1 to ${MAX_MESSAGES_LIMIT}, got ${String(maxMessages)}`,
    );
  const { maxContainerBytes: maxBytes = DEFAULT_MAX_BYTES } = options;
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 1)
    throw new InvalidOptionsError(
      `SftpSender.send: maxContainerBytes must be a positive integer, got ${String(maxBytes)}`,
    );
  return { maxMessages, maxBytes, ...commonSettings('SftpSender.send', options) };
}

/** The options `send` and `sendFiles` share, checked. @throws InvalidOptionsError for an invalid one. */
export function commonSettings(
  caller: string,
  options: Pick<SftpSendOptions, 'validate' | 'validation' | 'onInvalid' | 'onProgress' | 'signal'>,
): Omit<SendSettings, 'maxMessages' | 'maxBytes'> {
  const { onInvalid = 'throw', onProgress, validate = true, validation, signal } = options;
  if (onInvalid !== 'throw' && onInvalid !== 'skip')
    throw new InvalidOptionsError(`${caller}: onInvalid must be "throw" or "skip", got ${String(onInvalid)}`);
  if (onProgress !== undefined && typeof onProgress !== 'function')
    throw new InvalidOptionsError(`${caller}: onProgress must be a function`);
  if (typeof validate !== 'boolean')
    throw new InvalidOptionsError(`${caller}: validate must be a boolean, got ${String(validate)}`);
  if (validation !== undefined) validationSettings(validation);
  if (signal !== undefined && !(signal instanceof AbortSignal))
    throw new InvalidOptionsError(`${caller}: signal must be an AbortSignal`);
  return { skipInvalid: onInvalid === 'skip', validate, validation, onProgress, signal };
}

/** Running totals of a run, and the `onProgress` checkpoint after each upload. */
export class RunTotals {
  readonly uploads: SftpUpload[] = [];
  messages = 0;
  bytes = 0;
  alreadySent = 0;
  private readonly onProgress: SftpSendOptions['onProgress'];

  constructor(onProgress: SftpSendOptions['onProgress']) {
    this.onProgress = onProgress;
  }

  async add(done: SftpUpload, skipped: number): Promise<void> {
    this.uploads.push(done);
    this.messages += done.messageUUIDs.length;
    this.bytes += done.bytes;
    const progress: SftpProgress = {
      messages: this.messages,
      uploads: this.uploads.length,
      bytes: this.bytes,
      skipped,
      alreadySent: this.alreadySent,
      upload: done,
    };
    await this.onProgress?.(progress);
  }
}

/** Packs and uploads the messages of an input's iterator; see `SftpSender.send`. */
export async function sendContainers(
  context: UploadContext,
  messages: Iterator<unknown> | AsyncIterator<unknown>,
  settings: SendSettings,
): Promise<SftpSendResult> {
  const reader = new BatchReader(messages, {
    skipInvalid: settings.skipInvalid,
    prepare: { validate: settings.validate, validation: settings.validation },
    signal: settings.signal,
    caller: 'SftpSender.send',
  });
  const totals = new RunTotals(settings.onProgress);
  const { journal } = context;

  /** The next message the server does not have yet. */
  const nextToSend = async (): Promise<Entry | undefined> => {
    for (;;) {
      const entry = await reader.next();
      if (entry === undefined || !journal?.hasMessage(entry.messageUUID)) return entry;
      totals.alreadySent++;
      context.emit('skipped', { kind: 'message', messageUUID: entry.messageUUID, index: entry.index });
    }
  };

  let carry: Entry | undefined;
  try {
    for (;;) {
      const first = carry ?? (await nextToSend());
      carry = undefined;
      if (first === undefined) break;
      const hash = createHash('sha256');
      const messageUUIDs: string[] = [];
      const indexes: number[] = [];
      async function* entries(): AsyncGenerator<{ messageUUID: string; xml: Uint8Array }> {
        let size = 0;
        for (let entry: Entry | undefined = first; entry !== undefined; ) {
          hash.update(`${entry.messageUUID.toLowerCase()}\n${entry.xml.byteLength}\n`).update(entry.xml);
          messageUUIDs.push(entry.messageUUID);
          indexes.push(entry.index);
          size += entry.xml.byteLength;
          yield { messageUUID: entry.messageUUID, xml: entry.xml };
          if (messageUUIDs.length >= settings.maxMessages) return;
          entry = await nextToSend();
          if (entry !== undefined && size + entry.xml.byteLength > settings.maxBytes) {
            carry = entry;
            return;
          }
        }
      }
      const done = await upload(context, {
        kind: 'container',
        name: `${first.messageUUID.toLowerCase()}.tar.lzma`,
        source: writeContainer(entries()),
        messagesSoFar: () => messageUUIDs.length,
        describe: () => ({ sha256: hash.digest('hex'), messageUUIDs, indexes }),
      });
      await totals.add(done, reader.skipped.length);
    }
  } catch (error) {
    reader.stop();
    const invalid = reader.stoppedBy;
    throw new SftpSendError(
      {
        uploads: totals.uploads,
        skipped: reader.skipped,
        invalidMessage: invalid !== undefined && invalid.error === error ? invalid : undefined,
      },
      error,
    );
  } finally {
    await reader.close();
  }
  return {
    uploads: totals.uploads,
    messages: totals.messages,
    bytes: totals.bytes,
    skipped: reader.skipped,
    alreadySent: totals.alreadySent,
  };
}
