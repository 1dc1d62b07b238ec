/**
 * `SftpSender`: NgDP's mass sending over SFTP (simulator.md, "SFTP mass sending"). MeMos go up as
 * `.tar.lzma` containers (or ready-made files) into `/in`, written under a temporary name and
 * renamed; receipts come back as files in `/out/receipts`, acknowledged by deleting them; files the
 * server could not take are explained in `/out/errors`.
 */
import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { inspect } from 'node:util';
import { abortedError, iteratorOf } from '../client/batch.ts';
import type { Receipt } from '../client/types.ts';
import { InvalidOptionsError, SftpError } from '../errors.ts';
import { commonSettings, sendContainers, sendSettings } from './containers.ts';
import { checkFiles, sendFiles } from './files.ts';
import { hostKeyCheckOf } from './host-keys.ts';
import { Journal } from './journal.ts';
import {
  errorFiles,
  type FolderReader,
  type ListSettings,
  listSettings,
  receiptFiles,
} from './result-files.ts';
import { type SessionSettings, SftpSession } from './session.ts';
import type {
  SftpFileError,
  SftpLayout,
  SftpListOptions,
  SftpReceipt,
  SftpSenderEvents,
  SftpSenderOptions,
  SftpSendFilesOptions,
  SftpSendInput,
  SftpSendOptions,
  SftpSendResult,
  SftpWaitOptions,
  SftpWaitResult,
} from './types.ts';
import { recover, type UploadContext } from './upload.ts';

const DEFAULT_LAYOUT: SftpLayout = { inbox: '/in', receipts: '/out/receipts', errors: '/out/errors' };
const DEFAULT_WAIT_MS = 120_000;
const DEFAULT_POLL_MS = 2_000;
const MAX_TIMER_MS = 2 ** 31 - 1;

const realClock = {
  now: () => Date.now(),
  sleep: (ms: number) => sleep(ms),
};

/** The options of `waitForReceipts`, checked. @throws InvalidOptionsError for an invalid one. */
function waitSettings(options: SftpWaitOptions): {
  timeoutMs: number;
  pollIntervalMs: number;
  ack: boolean;
  clock: NonNullable<SftpWaitOptions['clock']>;
  list: ListSettings;
} {
  const caller = 'SftpSender.waitForReceipts';
  const list = listSettings(caller, options);
  const { timeoutMs = DEFAULT_WAIT_MS, pollIntervalMs = DEFAULT_POLL_MS, ack = true, clock } = options;
  for (const [name, value] of Object.entries({ timeoutMs, pollIntervalMs }))
    if (!(Number.isFinite(value) && value >= 0))
      throw new InvalidOptionsError(
        `${caller}: ${name} must be a number of milliseconds, got ${String(value)}`,
      );
  if (typeof ack !== 'boolean') throw new InvalidOptionsError(`${caller}: ack must be a boolean`);
  if (
    clock !== undefined &&
    (typeof clock !== 'object' || typeof clock.now !== 'function' || typeof clock.sleep !== 'function')
  )
    throw new InvalidOptionsError(`${caller}: clock must have now() and sleep(ms)`);
  return { timeoutMs, pollIntervalMs, ack, clock: clock ?? realClock, list };
}

function senderSettings(options: SftpSenderOptions): {
  session: SessionSettings;
  insecure: boolean;
  journal?: string;
  layout: SftpLayout;
} {
  if (typeof options !== 'object' || options === null)
    throw new InvalidOptionsError('SftpSender: options must be an object');
  const {
    host,
    port = 22,
    username,
    privateKey,
    passphrase,
    readyTimeoutMs = 20_000,
    requestTimeoutMs = 60_000,
    journal,
  } = options;
  if (typeof host !== 'string' || host.trim() === '')
    throw new InvalidOptionsError('SftpSender: host must be a host name or IP address');
  if (!Number.isInteger(port) || port < 1 || port > 65_535)
    throw new InvalidOptionsError(`SftpSender: port must be an integer from 1 to 65535, got ${String(port)}`);
  if (typeof username !== 'string' || username === '')
    throw new InvalidOptionsError('SftpSender: username must be given');
  if (!(typeof privateKey === 'string' || Buffer.isBuffer(privateKey)) || privateKey.length === 0)
    throw new InvalidOptionsError('SftpSender: privateKey must be the private key, as a string or Buffer');
  if (passphrase !== undefined && typeof passphrase !== 'string')
    throw new InvalidOptionsError('SftpSender: passphrase must be a string');
  const hostKeyCheck = hostKeyCheckOf(options);
  if (!(Number.isFinite(readyTimeoutMs) && readyTimeoutMs > 0))
    throw new InvalidOptionsError(
      `SftpSender: readyTimeoutMs must be a positive number, got ${String(readyTimeoutMs)}`,
    );
  if (!(Number.isFinite(requestTimeoutMs) && requestTimeoutMs > 0))
    throw new InvalidOptionsError(
      `SftpSender: requestTimeoutMs must be a positive number, got ${String(requestTimeoutMs)}`,
    );
  if (journal !== undefined && (typeof journal !== 'string' || journal === ''))
    throw new InvalidOptionsError('SftpSender: journal must be a file path');
  const layout = { ...DEFAULT_LAYOUT, ...options.layout };
  for (const [key, path] of Object.entries(layout))
    if (typeof path !== 'string' || !path.startsWith('/'))
      throw new InvalidOptionsError(
        `SftpSender: layout.${key} must be an absolute path on the server, got ${String(path)}`,
      );
  return {
    session: { host, port, username, privateKey, passphrase, hostKeyCheck, readyTimeoutMs, requestTimeoutMs },
    insecure: hostKeyCheck.kind === 'insecure',
    ...(journal === undefined ? {} : { journal }),
    layout,
  };
}

/** The messageUUID a receipt file name starts with (`<uuid>.json`, `<uuid>.<receipt id>.json`). */
const receiptFileUUID = (name: string): string => (name.split('.')[0] ?? '').toLowerCase();

/**
 * Sends MeMos to NgDP over SFTP, and reads what came of them.
 *
 * ```ts
 * await using sender = new SftpSender({ host, username, privateKey, hostKey: 'SHA256:…', journal: 'batch.journal' });
 * const { uploads } = await sender.send(letters(), { maxMessagesPerContainer: 1_000 });
 * const { receipts, missing } = await sender.waitForReceipts(uploads.flatMap((u) => u.messageUUIDs));
 * ```
 *
 * It connects on first use (or at {@link SftpSender.connect}) and reconnects after the connection
 * broke. It is an `EventEmitter` of {@link SftpSenderEvents}: `upload-start`, `upload-progress`,
 * `uploaded`, `skipped`, `receipt` and `warning`. Runs of `send` and `sendFiles` on one sender take
 * turns. It prints as `[SftpSender host:port user=…]` (`console.log`, `util.inspect`,
 * `JSON.stringify`): the key and its passphrase are never shown.
 */
export class SftpSender extends EventEmitter<SftpSenderEvents> {
  /** `host:port`. */
  readonly server: string;
  /** The private key and its passphrase are in here: a private field, out of sight of inspect. */
  readonly #settings: SessionSettings;
  readonly #insecure: boolean;
  private readonly journalPath: string | undefined;
  private readonly layout: SftpLayout;
  #session: SftpSession | undefined;
  #connecting: Promise<SftpSession> | undefined;
  private journal: Promise<Journal> | undefined;
  private warnedFingerprint: string | undefined;
  private turn: Promise<unknown> = Promise.resolve();
  private closed = false;

  /** @throws InvalidOptionsError for invalid options, or no choice of how to check the host key (nothing is connected). */
  constructor(options: SftpSenderOptions) {
    super();
    const settings = senderSettings(options);
    this.#settings = settings.session;
    this.#insecure = settings.insecure;
    this.journalPath = settings.journal;
    this.layout = settings.layout;
    const { host, port } = this.#settings;
    this.server = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  }

  /** The fingerprint of the host key the server presented (`SHA256:…`), once connected. */
  get hostKeyFingerprint(): string | undefined {
    return this.#session?.hostKeyFingerprint;
  }

  /** `[SftpSender host:port user=…]`. */
  override toString(): string {
    return `[SftpSender ${this.server} user=${JSON.stringify(this.#settings.username)}]`;
  }

  /** `JSON.stringify(sender)`: the same line as `toString()`, never the key. */
  toJSON(): string {
    return this.toString();
  }

  [inspect.custom](): string {
    return this.toString();
  }

  /**
   * Connects and logs in now, instead of at first use: to fail early on a wrong key or host key.
   *
   * @throws SftpError SFTP_KEY_INVALID, SFTP_HOST_KEY_UNKNOWN, SFTP_HOST_KEY_MISMATCH,
   *   SFTP_AUTH_FAILED, SFTP_CONNECTION_FAILED or SFTP_TIMEOUT.
   */
  async connect(): Promise<void> {
    await this.sessionNow();
  }

  /**
   * Ends the connection and releases the journal. A run still going fails (its journal stays
   * consistent: the next run finishes what it left). The sender may not be used after.
   */
  async close(): Promise<void> {
    this.closed = true;
    this.#session?.close();
    this.#session = undefined;
    await this.turn.catch(() => {});
    const journal = this.journal;
    this.journal = undefined;
    await journal?.then((opened) => opened.close()).catch(() => {});
  }

  /** `await using sender = new SftpSender(…)` closes it at the end of the block. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /**
   * Packs MeMos into `.tar.lzma` containers and uploads each into `/in`: compressed straight into
   * the upload as `<name>.part`, then renamed to `<name>` (`<messageUUID of its first message>.tar.lzma`).
   * `messages` takes `Memo` models or MeMo XML (text or bytes), as an array, iterable or async
   * iterable, read lazily: memory stays flat whatever the size of the batch.
   *
   * With a `journal`, messages uploaded by an earlier run are left out (`skipped` events,
   * `alreadySent`), and what a crashed run left unfinished is finished or removed first.
   *
   * @throws InvalidOptionsError for invalid options or `messages` that is not a list (nothing is sent).
   * @throws SftpError when connecting or the journal fails (nothing is sent).
   * @throws SftpSendError when the run stops before the end of its input; `cause` says why.
   */
  async send(messages: SftpSendInput, options: SftpSendOptions = {}): Promise<SftpSendResult> {
    const settings = sendSettings(options);
    const input = iteratorOf(messages, 'SftpSender.send');
    return this.inTurn(async () => {
      let context: UploadContext;
      try {
        context = await this.uploadContext(settings.signal);
      } catch (error) {
        // Nothing was read: let the input clean up (a generator's finally) all the same.
        await Promise.resolve(input.return?.()).catch(() => {});
        throw error;
      }
      return sendContainers(context, input, settings);
    });
  }

  /**
   * Uploads existing files: `.tar.lzma` containers and single `.xml` MeMos, streamed from the disk
   * under a temporary name and renamed to `<file name>-<SHA-256 prefix>.<extension>`. Each is
   * validated first unless `validate: false`. With a `journal`, a file with the same content as
   * one uploaded before is left out.
   *
   * @throws InvalidOptionsError when a path is not named `.xml` or `.tar.lzma`, or for invalid options.
   * @throws DigitalPostError FILE_UNREADABLE when a file cannot be read (nothing is sent).
   * @throws SftpError when connecting or the journal fails (nothing is sent).
   * @throws SftpSendError when the run stops before the last file; `cause` says why.
   */
  async sendFiles(paths: readonly string[], options: SftpSendFilesOptions = {}): Promise<SftpSendResult> {
    const settings = commonSettings('SftpSender.sendFiles', options);
    await checkFiles(paths);
    return this.inTurn(async () => sendFiles(await this.uploadContext(settings.signal), paths, settings));
  }

  /**
   * The receipt files in `/out/receipts`, downloaded a few at a time and parsed. Reading does not
   * acknowledge: call `ack()` on each once it is handled (that deletes the file). A file that is not
   * a Receipt, is larger than `maxFileBytes` or cannot be read is left alone with a `warning` event;
   * a name that is not a plain file name is never read or deleted (`UNSAFE_FILE_NAME`).
   *
   * @throws InvalidOptionsError for invalid options (at once).
   * @throws SftpError SFTP_LISTING_TOO_LONG past `maxEntries` entries; the connection errors.
   */
  receipts(options: SftpListOptions = {}): AsyncGenerator<SftpReceipt> {
    const settings = listSettings('SftpSender.receipts', options);
    return (async function* (sender: SftpSender) {
      const reader = sender.readerOf(await sender.sessionNow(settings.signal));
      yield* receiptFiles(reader, sender.layout.receipts, settings, () => true);
    })(this);
  }

  /**
   * The error files in `/out/errors`: for each upload the server could not take (an unreadable
   * container, a duplicate MeMo, …), its `ErrorMessage`. `dismiss()` deletes the file. Files are
   * read as for {@link SftpSender.receipts}, within the same limits.
   *
   * @throws InvalidOptionsError for invalid options (at once).
   * @throws SftpError SFTP_LISTING_TOO_LONG past `maxEntries` entries; the connection errors.
   */
  errors(options: SftpListOptions = {}): AsyncGenerator<SftpFileError> {
    const settings = listSettings('SftpSender.errors', options);
    return (async function* (sender: SftpSender) {
      const reader = sender.readerOf(await sender.sessionNow(settings.signal));
      yield* errorFiles(reader, sender.layout.errors, settings);
    })(this);
  }

  /**
   * Polls `/out/receipts` until every message in `messageUUIDs` has its business receipt, or the
   * time is up; only the files of those messages are downloaded. Receipts are acknowledged as they
   * are found unless `ack: false`. `timeoutMs` is a hard deadline: a listing or download under way
   * when it passes is cut short, and the wait resolves with what it found.
   *
   * @throws InvalidOptionsError for invalid options.
   * @throws DigitalPostError ABORTED when `signal` aborts.
   * @throws SftpError when connecting or listing fails (SFTP_LISTING_TOO_LONG past `maxEntries`).
   */
  async waitForReceipts(
    messageUUIDs: Iterable<string>,
    options: SftpWaitOptions = {},
  ): Promise<SftpWaitResult> {
    const { timeoutMs, pollIntervalMs, ack, clock, list } = waitSettings(options);
    const callerSignal = list.signal;
    const deadline = clock.now() + timeoutMs;
    const wanted = new Set([...messageUUIDs].map((uuid) => uuid.toLowerCase()));
    const found: Receipt[] = [];
    // On the real clock the deadline is a timer that cuts short whatever is under way.
    const timeUp = new AbortController();
    // (A timer cannot wait longer than 2^31 - 1 ms; a longer wait is checked between files and polls.)
    const timer =
      clock === realClock && timeoutMs <= MAX_TIMER_MS
        ? setTimeout(() => timeUp.abort(), timeoutMs)
        : undefined;
    const signal =
      callerSignal === undefined ? timeUp.signal : AbortSignal.any([callerSignal, timeUp.signal]);
    const expired = (): boolean => timeUp.signal.aborted || clock.now() >= deadline;
    const isTimeUp = (error: unknown): boolean =>
      timeUp.signal.aborted && !callerSignal?.aborted && (error as { code?: unknown }).code === 'ABORTED';
    try {
      while (wanted.size > 0) {
        try {
          const session = await this.sessionNow(signal);
          const pick = (name: string): boolean => wanted.has(receiptFileUUID(name));
          const reader = this.readerOf(session);
          for await (const file of receiptFiles(reader, this.layout.receipts, { ...list, signal }, pick)) {
            const uuid = file.receipt.messageUUID?.toLowerCase();
            if (uuid !== undefined && wanted.has(uuid) && file.receipt.receiptStatus !== 'RECEIVED') {
              wanted.delete(uuid);
              found.push(file.receipt);
              if (ack) await session.remove(`${this.layout.receipts}/${file.file}`, signal);
            }
            if (wanted.size === 0 || expired()) break;
          }
        } catch (error) {
          if (isTimeUp(error)) break;
          throw error;
        }
        const left = deadline - clock.now();
        if (wanted.size === 0 || left <= 0) break;
        if (callerSignal?.aborted) throw abortedError(callerSignal);
        if (clock === realClock)
          await sleep(Math.min(pollIntervalMs, left, MAX_TIMER_MS), undefined, { signal }).catch(
            (error: unknown) => {
              if (callerSignal?.aborted) throw abortedError(callerSignal);
              if (!timeUp.signal.aborted) throw error;
            },
          );
        else await clock.sleep(Math.min(pollIntervalMs, left));
      }
    } finally {
      clearTimeout(timer);
    }
    return { receipts: found, missing: [...wanted] };
  }

  // ---------------------------------------------------------------- internals

  /**
   * The logged-in session, connecting when there is none. The `signal` ends the wait for a
   * connection under way (which goes on, and is kept, or closed when the sender is).
   */
  private async sessionNow(signal?: AbortSignal): Promise<SftpSession> {
    if (this.closed)
      throw new SftpError('SFTP_SENDER_CLOSED', 'SftpSender: the sender is closed', { where: this.server });
    if (this.#session?.open) return this.#session;
    this.#connecting ??= this.newSession().finally(() => {
      this.#connecting = undefined;
    });
    return signal === undefined ? this.#connecting : untilAborted(this.#connecting, signal);
  }

  private async newSession(): Promise<SftpSession> {
    const session = await SftpSession.connect(this.#settings);
    if (this.closed) {
      session.close();
      throw new SftpError('SFTP_SENDER_CLOSED', 'SftpSender: the sender is closed', { where: this.server });
    }
    this.#session = session;
    if (this.#insecure && this.warnedFingerprint !== session.hostKeyFingerprint) {
      this.warnedFingerprint = session.hostKeyFingerprint;
      this.emit('warning', {
        code: 'HOST_KEY_NOT_PINNED',
        message: `the host key of the SFTP server at ${this.server} was not checked (insecureHostKey); it is ${session.hostKeyFingerprint}: pin it (hostKey) so that no other server can pose as it`,
        fingerprint: session.hostKeyFingerprint,
      });
    }
    return session;
  }

  /** How the folders of receipt and error files are read on `session`: warnings and receipts as events. */
  private readerOf(session: SftpSession): FolderReader {
    return {
      session,
      server: this.server,
      warn: (warning) => this.emit('warning', warning),
      received: (receipt) => this.emit('receipt', receipt),
    };
  }

  /** Runs `work` after every run started before it ended. */
  private inTurn<T>(work: () => Promise<T>): Promise<T> {
    const run = this.turn.then(work, work);
    this.turn = run.catch(() => {});
    return run;
  }

  /**
   * The session, the journal and the events, for a run. Every run first finishes what an earlier one
   * left unfinished — a crashed process, or a run of this sender whose connection broke mid-upload.
   */
  private async uploadContext(signal: AbortSignal | undefined): Promise<UploadContext> {
    const session = await this.sessionNow();
    let journal: Journal | undefined;
    if (this.journalPath !== undefined) {
      const path = this.journalPath;
      if (this.journal === undefined) {
        const opening = Journal.open(path);
        // A journal that failed to open is tried again by the next run.
        opening.catch(() => {
          if (this.journal === opening) this.journal = undefined;
        });
        this.journal = opening;
      }
      journal = await this.journal;
    }
    const context: UploadContext = {
      session,
      journal,
      layout: this.layout,
      signal,
      emit: (event, ...args) => {
        // The UploadContext's emit is typed per event already.
        (this as EventEmitter).emit(event, ...args);
      },
    };
    await recover(context);
    return context;
  }
}

/** `work`, or ABORTED as soon as `signal` aborts (the work goes on, unobserved). */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(abortedError(signal));
  return new Promise<T>((resolve, reject) => {
    const aborted = (): void => reject(abortedError(signal));
    signal.addEventListener('abort', aborted, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', aborted));
  });
}
