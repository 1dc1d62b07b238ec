/** The public types of SFTP mass sending (`SftpSender`). */
import type { BatchMessage } from '../client/batch.ts';
import type { Receipt } from '../client/types.ts';
import type { FieldError, InvalidBatchMessage } from '../errors.ts';
import type { ValidateOptions } from '../memo/validate.ts';

/**
 * Decides whether to trust the server's host key: given its OpenSSH fingerprint (`SHA256:…`) and
 * the key itself (SSH wire format). Returning false refuses the server.
 */
export type HostKeyVerifier = (fingerprint: string, key: Buffer) => boolean;

/** Options of `new SftpSender(…)`. */
export interface SftpSenderOptions {
  /** The SFTP server's host name or IP address. */
  host: string;
  /** Its port (default 22). */
  port?: number;
  /** The SFTP user: the sender system's SSH user name. */
  username: string;
  /** The private key registered for the user, OpenSSH or PEM format (never logged). */
  privateKey: string | Buffer;
  /** The private key's passphrase, when it is encrypted (never logged). */
  passphrase?: string;
  /**
   * The server's host key, pinned: its OpenSSH fingerprint (`SHA256:…`, as `ssh-keygen -lf` prints it,
   * as OpenSSH shows it on first connection, and as the simulator gives it in
   * `startSimulator().sftp.hostKeyFingerprint` and its banner), or a function that decides (a key
   * rotation, a lookup of your own). A server with another key is refused with
   * `SFTP_HOST_KEY_MISMATCH` before logging in.
   *
   * One of `hostKey`, `knownHosts` and `insecureHostKey` must be given: SSH proves a server only by its
   * host key, and a client that takes any key uploads the letters to whoever answers at the address.
   */
  hostKey?: string | HostKeyVerifier;
  /**
   * Instead of `hostKey`: an OpenSSH `known_hosts` file (e.g. `~/.ssh/known_hosts`, expanded by
   * you) that holds the server's key under its name — `host` on port 22, `[host]:port` on another;
   * hashed names, wildcards and `@revoked` lines are understood, `@cert-authority` lines are not.
   * It is read at each connection. A server it has no key for is refused with
   * `SFTP_HOST_KEY_UNKNOWN`, one with another key with `SFTP_HOST_KEY_MISMATCH`.
   */
  knownHosts?: string;
  /**
   * `true` accepts any host key (a `warning` event `HOST_KEY_NOT_PINNED` tells which one): anyone
   * in the network path can then pose as the server and receive the letters. For local tests only.
   */
  insecureHostKey?: boolean;
  /** How long connecting and logging in may take (default 20 000 ms). */
  readyTimeoutMs?: number;
  /**
   * How long one SFTP request (a write, a rename, a read…) may wait for its answer (default
   * 60 000 ms). Past it the connection is closed and the call fails with `SFTP_TIMEOUT`
   * (retryable): a server that stopped answering does not hang a run.
   */
  requestTimeoutMs?: number;
  /**
   * A local file (JSON Lines, created if missing) recording each upload as it happens, flushed to
   * the disk at every step. Running the same input again after a crash then uploads exactly what
   * is missing: nothing twice, nothing lost. One process at a time may use a journal.
   */
  journal?: string;
  /**
   * Where things are on the server (default: the simulator's layout, `/in`, `/out/receipts`,
   * `/out/errors`). NgDP's own SFTP layout is not published; change it here when it is known.
   */
  layout?: Partial<SftpLayout>;
}

/** The folders of the SFTP home, as absolute paths on the server. */
export interface SftpLayout {
  /** Where uploads go (default `/in`). */
  inbox: string;
  /** Where receipt files appear (default `/out/receipts`). */
  receipts: string;
  /** Where error files appear (default `/out/errors`). */
  errors: string;
}

/** Options of `SftpSender.send`. */
export interface SftpSendOptions {
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
   * the run stops before the container it would have gone in, with an `SftpSendError`. `skip`: it
   * is left out and listed in the result's `skipped`; the rest is sent.
   */
  onInvalid?: 'throw' | 'skip';
  /**
   * Called after each upload is complete on the server, and awaited before the next one starts.
   * When it throws, the run stops with an `SftpSendError`.
   */
  onProgress?: (progress: SftpProgress) => void | Promise<void>;
  /** Stops the run between messages and between the pieces of an upload. */
  signal?: AbortSignal;
}

/** Options of `SftpSender.sendFiles`. */
export interface SftpSendFilesOptions {
  /**
   * Read each file before uploading it (default true): a `.xml` must be a valid MeMo, a `.tar.lzma`
   * a readable container of valid MeMos named `<messageUUID>.xml`. Off, files go as they are.
   */
  validate?: boolean;
  /** Rules of the local validation (default: NgDP's rules). */
  validation?: ValidateOptions;
  /** What an invalid file does: `throw` (default) stops the run; `skip` leaves it out. */
  onInvalid?: 'throw' | 'skip';
  /** As for `send`: called after each upload, and awaited. */
  onProgress?: (progress: SftpProgress) => void | Promise<void>;
  /** Stops the run between files and between the pieces of an upload. */
  signal?: AbortSignal;
}

/** Counts so far, given to `onProgress` after each upload. */
export interface SftpProgress {
  /** Messages in the uploads of this run (for files: the MeMos found when validating). */
  messages: number;
  /** Uploads of this run. */
  uploads: number;
  /** Bytes uploaded in this run. */
  bytes: number;
  /** Invalid messages or files left out (`onInvalid: 'skip'`). */
  skipped: number;
  /** Messages or files left out because the journal says they were uploaded before. */
  alreadySent: number;
  /** The upload just completed: a checkpoint to store. */
  upload: SftpUpload;
}

/** One container or file complete on the server, under its final name in `/in`. */
export interface SftpUpload {
  /** A container packed by `send`, or a file given to `sendFiles`. */
  kind: 'container' | 'file';
  /** Its final name in `/in` (it was written as `<name>.part`, then renamed). */
  name: string;
  /**
   * Its identity, hex. Containers: SHA-256 over the entries (messageUUID and XML of each, in
   * order), so the same messages give the same value whatever the compression. Files: SHA-256 of
   * the file's bytes.
   */
  sha256: string;
  /** Bytes uploaded. */
  bytes: number;
  /** The messageUUIDs it holds, in order (for an unvalidated file: empty). */
  messageUUIDs: string[];
  /** Containers: the position in the input of each message, parallel to `messageUUIDs`. */
  indexes?: number[];
  /** Files: the local path given. */
  file?: string;
  /** True when a crashed run had left it complete and this run only finished it (journal). */
  recovered?: boolean;
}

/** What `SftpSender.send` and `sendFiles` resolve to. */
export interface SftpSendResult {
  /** The uploads of this run, in order. */
  uploads: SftpUpload[];
  /** Messages in those uploads (for files: those found when validating). */
  messages: number;
  /** Bytes uploaded. */
  bytes: number;
  /** Invalid messages or files left out (`onInvalid: 'skip'`); for files, with their path. */
  skipped: InvalidBatchMessage[];
  /** Messages (`send`) or files (`sendFiles`) left out because the journal says they were uploaded. */
  alreadySent: number;
}

/** An invalid file left out by `sendFiles` (`onInvalid: 'skip'`). */
export interface InvalidSftpFile extends InvalidBatchMessage {
  /** The local path given. */
  file: string;
}

/** Where `SftpSender.send` reads its messages from (as for `memos.sendBatch`). */
export type SftpSendInput = Iterable<BatchMessage> | AsyncIterable<BatchMessage>;

/** A receipt file in `/out/receipts`, downloaded and parsed. */
export interface SftpReceipt {
  /** The file's name, e.g. `<messageUUID>.json`. */
  file: string;
  /** NgDP's Receipt, as the file holds it. */
  receipt: Receipt;
  /** Acknowledges the receipt by deleting its file; one deleted meanwhile is as good. */
  ack(): Promise<void>;
}

/** NgDP's `ErrorMessage`, as an error file holds it. */
export interface SftpErrorMessage {
  /** Why, e.g. `CONTAINER_UNREADABLE`, `DUPLICATE_MESSAGE_UUID`, `SYSTEM_NOT_ACTIVE`. */
  code: string;
  /** In words. */
  message: string;
  /** Details per field, when the server gives them. */
  fieldErrors?: FieldError[];
  /** For a `DUPLICATE_MESSAGE_UUID`: the receipt of the message the server already holds. */
  receipt?: Receipt;
}

/** An error file in `/out/errors`: why an upload was not taken. */
export interface SftpFileError {
  /** The error file's name, `<upload>.json`. */
  file: string;
  /** The name of the upload it is about, in `/in`. */
  upload: string;
  /** The file's content. */
  error: SftpErrorMessage;
  /** Removes the error file (it has been handled); one removed meanwhile is as good. */
  dismiss(): Promise<void>;
}

/** Bounds of reading a folder of receipt or error files: what a misbehaving server may cost. */
export interface SftpListLimits {
  /**
   * At most this many entries in one listing of a folder (default 100 000). A listing that goes on
   * longer — a server that never ends it, or repeats itself — stops with `SFTP_LISTING_TOO_LONG`
   * after what was read so far. Acknowledge what you read and list again, or raise it.
   */
  maxEntries?: number;
  /**
   * At most this many bytes in one receipt or error file (default 1 MiB). A larger file is left alone
   * with a `warning` event `UNREADABLE_FILE`; the listing goes on.
   */
  maxFileBytes?: number;
}

/** Options of `SftpSender.receipts` and `errors`. */
export interface SftpListOptions extends SftpListLimits {
  /** Downloads at a time (default 16). */
  concurrency?: number;
  /** Stops the listing between files, and while an answer of the server is awaited. */
  signal?: AbortSignal;
}

/** Options of `SftpSender.waitForReceipts`. */
export interface SftpWaitOptions extends SftpListLimits {
  /**
   * Give up after this long (default 120 000 ms): the result then lists what is `missing`. It is a
   * hard deadline: a listing or download under way then is cut short (on the real clock).
   */
  timeoutMs?: number;
  /** Time between polls of `/out/receipts` (default 2 000 ms). */
  pollIntervalMs?: number;
  /** Acknowledge (delete) each receipt found (default true). */
  ack?: boolean;
  /** Stops the wait (it rejects with `ABORTED`), also in the middle of a poll. */
  signal?: AbortSignal;
  /**
   * The clock the wait runs on (default real time); with another clock the deadline is checked
   * between files and polls. Tests on a simulator with a manual clock pass
   * `{ now: () => sim.clock.now().getTime(), sleep: (ms) => sim.clock.advance(ms) }`.
   */
  clock?: { now(): number; sleep(ms: number): Promise<unknown> };
}

/** What `SftpSender.waitForReceipts` resolves to. */
export interface SftpWaitResult {
  /** The business receipt of each message that got one, in the order they were found. */
  receipts: Receipt[];
  /** The messageUUIDs without a receipt when the time was up (lower case). */
  missing: string[];
}

/** A warning: nothing failed, but you should know. */
export interface SftpWarning {
  /**
   * `HOST_KEY_NOT_PINNED`: `insecureHostKey: true`, the key in `fingerprint` was trusted blindly.
   * `RECOVERED`: the journal found an upload an earlier run left unfinished, and this run finished
   * or removed it. `UNREADABLE_FILE`: a receipt or error file is not JSON of the expected shape, is
   * larger than `maxFileBytes`, or the server refused to read it; it was left alone.
   * `UNSAFE_FILE_NAME`: a listing held a name that is not a plain file name (`..`, a `/`, control
   * characters); it was neither read nor deleted.
   */
  code: 'HOST_KEY_NOT_PINNED' | 'RECOVERED' | 'UNREADABLE_FILE' | 'UNSAFE_FILE_NAME';
  message: string;
  /** `HOST_KEY_NOT_PINNED`: the server's host key fingerprint. */
  fingerprint?: string;
  /** The remote name concerned (for `UNSAFE_FILE_NAME`, as JSON: its characters escaped). */
  name?: string;
}

/** An upload begins: `<name>.part` is opened in `/in`. */
export interface SftpUploadStart {
  kind: 'container' | 'file';
  name: string;
  /** Files: the local path. */
  file?: string;
}

/** Bytes of an upload the server has confirmed so far. */
export interface SftpUploadProgress {
  kind: 'container' | 'file';
  name: string;
  /** Bytes confirmed written, of this upload. */
  bytes: number;
  /** Containers: messages packed so far. */
  messages: number;
}

/** Something left out because the journal says it was uploaded before. */
export interface SftpSkipped {
  kind: 'message' | 'file';
  /** Messages: the messageUUID. */
  messageUUID?: string;
  /** Messages: the position in the input. */
  index?: number;
  /** Files: the local path. */
  file?: string;
}

/** The events an `SftpSender` emits (it is an `EventEmitter`). */
export interface SftpSenderEvents {
  /** An upload begins. */
  'upload-start': [start: SftpUploadStart];
  /** More bytes of an upload are confirmed by the server (after each piece). */
  'upload-progress': [progress: SftpUploadProgress];
  /** An upload is complete under its final name. */
  uploaded: [upload: SftpUpload];
  /** A message or file was left out: the journal says it was uploaded before. */
  skipped: [skipped: SftpSkipped];
  /** A receipt file was downloaded (`receipts`, `waitForReceipts`). */
  receipt: [receipt: SftpReceipt];
  warning: [warning: SftpWarning];
}
