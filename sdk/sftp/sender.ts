/**
 * `SftpSender`: NgDP's mass sending over SFTP (simulator.md, "SFTP mass sending"). MeMos go up as
 * `.tar.lzma` containers (or ready-made files) into `/in`, written under a temporary name and
 * renamed; receipts come back as files in `/out/receipts`, acknowledged by deleting them; files the
 * server could not take are explained in `/out/errors`.
 */
import { EventEmitter } from 'node:events';
import { abortedError, iteratorOf } from '../client/batch.ts';
import type { Receipt } from '../client/types.ts';
import { InvalidOptionsError, SftpError } from '../errors.ts';
import { commonSettings, sendContainers, sendSettings } from './containers.ts';
import { checkFiles, sendFiles } from './files.ts';
import { Journal } from './journal.ts';
import { isFingerprint, type SessionSettings, SftpSession } from './session.ts';
import type {
  SftpErrorMessage,
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
/** Receipt and error files are small; a larger one is not what it claims to be. */
const MAX_RESULT_FILE_BYTES = 1024 * 1024;
const DEFAULT_CONCURRENCY = 16;
const S_IFMT = 0o170000;
const S_IFDIR = 0o040000;

const realClock = {
  now: () => Date.now(),
  sleep: (ms: number) => new Promise((resolve) => setTimeout(resolve, ms)),
};

function senderSettings(options: SftpSenderOptions): {
  session: SessionSettings;
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
    hostKey,
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
  if (
    hostKey !== undefined &&
    typeof hostKey !== 'function' &&
    !(typeof hostKey === 'string' && isFingerprint(hostKey))
  )
    throw new InvalidOptionsError(
      'SftpSender: hostKey must be an OpenSSH SHA-256 fingerprint ("SHA256:" and 43 base64 characters, as ssh-keygen -l prints it) or a function',
    );
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
    session: { host, port, username, privateKey, passphrase, hostKey, readyTimeoutMs, requestTimeoutMs },
    ...(journal === undefined ? {} : { journal }),
    layout,
  };
}

/** The messageUUID a receipt file name starts with (`<uuid>.json`, `<uuid>.<receipt id>.json`). */
const receiptFileUUID = (name: string): string => (name.split('.')[0] ?? '').toLowerCase();

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

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
 * turns.
 */
export class SftpSender extends EventEmitter<SftpSenderEvents> {
  /** `host:port`. */
  readonly server: string;
  private readonly settings: SessionSettings;
  private readonly journalPath: string | undefined;
  private readonly layout: SftpLayout;
  private session: SftpSession | undefined;
  private connecting: Promise<SftpSession> | undefined;
  private journal: Promise<Journal> | undefined;
  private warnedFingerprint: string | undefined;
  private turn: Promise<unknown> = Promise.resolve();
  private closed = false;

  /** @throws InvalidOptionsError for invalid options (nothing is connected). */
  constructor(options: SftpSenderOptions) {
    super();
    const settings = senderSettings(options);
    this.settings = settings.session;
    this.journalPath = settings.journal;
    this.layout = settings.layout;
    const { host, port } = this.settings;
    this.server = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  }

  /** The fingerprint of the host key the server presented (`SHA256:…`), once connected. */
  get hostKeyFingerprint(): string | undefined {
    return this.session?.hostKeyFingerprint;
  }

  /**
   * Connects and logs in now, instead of at first use: to fail early on a wrong key or host key.
   *
   * @throws SftpError SFTP_KEY_INVALID, SFTP_HOST_KEY_MISMATCH, SFTP_AUTH_FAILED,
   *   SFTP_CONNECTION_FAILED or SFTP_TIMEOUT.
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
    this.session?.close();
    this.session = undefined;
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
   * a Receipt is left alone with a `warning` event.
   */
  receipts(options: SftpListOptions = {}): AsyncGenerator<SftpReceipt> {
    return this.receiptFiles(options, () => true);
  }

  /**
   * The error files in `/out/errors`: for each upload the server could not take (an unreadable
   * container, a duplicate MeMo, …), its `ErrorMessage`. `dismiss()` deletes the file.
   */
  async *errors(options: SftpListOptions = {}): AsyncGenerator<SftpFileError> {
    const session = await this.sessionNow();
    const folder = this.layout.errors;
    const read = async (file: string, size: number | undefined): Promise<SftpFileError | undefined> => {
      const content = await this.parsedFile(session, `${folder}/${file}`, size);
      if (content === undefined) return undefined;
      if (!isObject(content) || typeof content.code !== 'string') {
        this.unreadable(`${folder}/${file}`, 'not an ErrorMessage');
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
    yield* this.downloadAll(
      session,
      folder,
      options,
      (name) => name.endsWith('.json') && name !== '.json',
      read,
    );
  }

  /**
   * Polls `/out/receipts` until every message in `messageUUIDs` has its business receipt, or the
   * time is up; only the files of those messages are downloaded. Receipts are acknowledged as they
   * are found unless `ack: false`.
   */
  async waitForReceipts(
    messageUUIDs: Iterable<string>,
    options: SftpWaitOptions = {},
  ): Promise<SftpWaitResult> {
    const clock = options.clock ?? realClock;
    const deadline = clock.now() + (options.timeoutMs ?? 120_000);
    const wanted = new Set([...messageUUIDs].map((uuid) => uuid.toLowerCase()));
    const found: Receipt[] = [];
    const listOptions = options.signal === undefined ? {} : { signal: options.signal };
    while (wanted.size > 0) {
      for await (const file of this.receiptFiles(listOptions, (name) => wanted.has(receiptFileUUID(name)))) {
        const uuid = file.receipt.messageUUID?.toLowerCase();
        if (uuid === undefined || !wanted.has(uuid) || file.receipt.receiptStatus === 'RECEIVED') continue;
        wanted.delete(uuid);
        found.push(file.receipt);
        if (options.ack !== false) await file.ack();
      }
      const left = deadline - clock.now();
      if (wanted.size === 0 || left <= 0) break;
      if (options.signal?.aborted) throw abortedError(options.signal);
      await clock.sleep(Math.min(options.pollIntervalMs ?? 2_000, left));
    }
    return { receipts: found, missing: [...wanted] };
  }

  // ---------------------------------------------------------------- internals

  private async sessionNow(): Promise<SftpSession> {
    if (this.closed)
      throw new SftpError('SFTP_SENDER_CLOSED', 'SftpSender: the sender is closed', { where: this.server });
    if (this.session?.open) return this.session;
    this.connecting ??= SftpSession.connect(this.settings).finally(() => {
      this.connecting = undefined;
    });
    const session = await this.connecting;
    this.session = session;
    if (this.settings.hostKey === undefined && this.warnedFingerprint !== session.hostKeyFingerprint) {
      this.warnedFingerprint = session.hostKeyFingerprint;
      this.emit('warning', {
        code: 'HOST_KEY_NOT_PINNED',
        message: `the host key of the SFTP server at ${this.server} was not checked; it is ${session.hostKeyFingerprint}: pin it (hostKey) so that no other server can pose as it`,
        fingerprint: session.hostKeyFingerprint,
      });
    }
    return session;
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

  private unreadable(path: string, why: string): void {
    this.emit('warning', {
      code: 'UNREADABLE_FILE',
      message: `${path} on ${this.server} was left alone: ${why}`,
      name: path,
    });
  }

  /** A file's JSON; undefined when it is gone meanwhile or is not JSON (with a warning). */
  private async parsedFile(session: SftpSession, path: string, size: number | undefined): Promise<unknown> {
    let content: Buffer;
    try {
      content = await session.download(path, MAX_RESULT_FILE_BYTES, size);
    } catch (error) {
      if (error instanceof SftpError && error.code === 'SFTP_NO_SUCH_FILE') return undefined;
      throw error;
    }
    try {
      return JSON.parse(content.toString('utf8'));
    } catch {
      this.unreadable(path, 'not JSON');
      return undefined;
    }
  }

  private async *receiptFiles(
    options: SftpListOptions,
    wanted: (name: string) => boolean,
  ): AsyncGenerator<SftpReceipt> {
    const session = await this.sessionNow();
    const folder = this.layout.receipts;
    const read = async (file: string, size: number | undefined): Promise<SftpReceipt | undefined> => {
      const content = await this.parsedFile(session, `${folder}/${file}`, size);
      if (content === undefined) return undefined;
      if (!isObject(content) || typeof content.receiptStatus !== 'string') {
        this.unreadable(`${folder}/${file}`, 'not a Receipt');
        return undefined;
      }
      const receipt: SftpReceipt = {
        file,
        receipt: content as unknown as Receipt,
        ack: async () => {
          await session.remove(`${folder}/${file}`);
        },
      };
      this.emit('receipt', receipt);
      return receipt;
    };
    yield* this.downloadAll(session, folder, options, (name) => name.endsWith('.json') && wanted(name), read);
  }

  /**
   * Lists a folder page by page and downloads the files `wanted` picks, `concurrency` at a time,
   * yielding them in listing order.
   */
  private async *downloadAll<T>(
    session: SftpSession,
    folder: string,
    options: SftpListOptions,
    wanted: (name: string) => boolean,
    read: (name: string, size: number | undefined) => Promise<T | undefined>,
  ): AsyncGenerator<T> {
    const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
    if (!Number.isInteger(concurrency) || concurrency < 1)
      throw new InvalidOptionsError(
        `SftpSender: concurrency must be a positive integer, got ${String(concurrency)}`,
      );
    const queue: Array<Promise<T | undefined>> = [];
    const names: Array<{ name: string; size: number | undefined }> = [];
    const fill = (): void => {
      while (queue.length < concurrency && names.length > 0) {
        const { name, size } = names.shift() as { name: string; size: number | undefined };
        const download = read(name, size);
        // Awaited in turn below; until then (or if the caller stops early) not an unhandled rejection.
        download.catch(() => {});
        queue.push(download);
      }
    };
    for await (const page of session.list(folder)) {
      for (const entry of page)
        if (wanted(entry.filename) && (entry.attrs.mode & S_IFMT) !== S_IFDIR)
          names.push({ name: entry.filename, size: entry.attrs.size });
      fill();
      while (queue.length > 0 && (names.length > 0 || queue.length >= concurrency)) {
        if (options.signal?.aborted) throw abortedError(options.signal);
        const item = await queue.shift();
        fill();
        if (item !== undefined) yield item;
      }
    }
    while (queue.length > 0) {
      if (options.signal?.aborted) throw abortedError(options.signal);
      const item = await queue.shift();
      fill();
      if (item !== undefined) yield item;
    }
  }
}
