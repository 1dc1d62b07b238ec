/**
 * One logged-in SFTP session on ssh2's client: connecting with host key verification, the
 * operations `SftpSender` needs as promises, and every failure as an {@link SftpError} that says
 * what and where (never the key or its passphrase).
 */
import { inspect } from 'node:util';
import type { Client, ClientErrorExtensions, FileEntryWithStats, SFTPWrapper } from 'ssh2';
import { abortedError } from '../client/batch.ts';
import { type DigitalPostError, SftpError, type SftpErrorCode } from '../errors.ts';
import { printable } from '../support/printable.ts';
import {
  directVerdict,
  fingerprintOf,
  type HostKeyCheck,
  type HostKeyVerdict,
  type KnownHosts,
  knownHostsName,
  knownHostsVerdict,
  knownKeyTypes,
  preferredAlgorithms,
  readKnownHosts,
} from './host-keys.ts';

/** SFTP status codes (draft-ietf-secsh-filexfer-02) this module tells apart. */
const STATUS = { EOF: 1, NO_SUCH_FILE: 2, PERMISSION_DENIED: 3 } as const;
/** Bytes per WRITE request: within every server's packet limit (ssh2's own is 32 KiB + overhead). */
const WRITE_PIECE = 32 * 1024;
/** WRITE requests in flight at once: pipelining, with memory bounded to a few hundred KiB. */
const WRITES_IN_FLIGHT = 8;
/** Bytes per READ request. */
const READ_PIECE = 32 * 1024;

/** What a session needs to connect. */
export interface SessionSettings {
  host: string;
  port: number;
  username: string;
  privateKey: string | Buffer;
  passphrase: string | undefined;
  hostKeyCheck: HostKeyCheck;
  readyTimeoutMs: number;
  /** How long a request may wait for its answer before the connection is given up. */
  requestTimeoutMs: number;
}

/** The SFTP status code of an ssh2 error, when it is one. */
export function statusOf(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** At most this much of a text the server chose goes into an error message. */
const MAX_SERVER_TEXT = 300;

/**
 * A text the server chose (a status message), fit for an error message: its control characters
 * escaped — a hostile server must not drive the terminal a log is read on — and its length bounded.
 */
export function serverText(text: string): string {
  return printable(text.length > MAX_SERVER_TEXT ? `${text.slice(0, MAX_SERVER_TEXT)}…` : text);
}

/** A logged-in session. Every method rejects with an {@link SftpError}. */
export class SftpSession {
  readonly where: string;
  /** The host key fingerprint the server presented. */
  readonly hostKeyFingerprint: string;
  /** ssh2's client keeps its configuration, the private key included: never shown, never enumerated. */
  readonly #client: Client;
  readonly #sftp: SFTPWrapper;
  private closed = false;
  /** Why the connection ended, when it did. */
  private lost: Error | undefined;
  /**
   * How to fail each call still waiting for its answer. ssh2 fails the requests in flight when the
   * channel closes, but not one made as it closes — say the `close` of a handle after a write
   * failed — whose callback then never comes: every call must end when the connection does.
   */
  private readonly waiting = new Set<(error: Error) => void>();
  private readonly requestTimeoutMs: number;

  private constructor(
    where: string,
    client: Client,
    sftp: SFTPWrapper,
    fingerprint: string,
    requestTimeoutMs: number,
  ) {
    this.where = where;
    this.requestTimeoutMs = requestTimeoutMs;
    this.#client = client;
    this.#sftp = sftp;
    this.hostKeyFingerprint = fingerprint;
    client.on('error', (error: Error) => {
      this.lost = error;
    });
    const ended = (): void => {
      this.closed = true;
      const error = this.lost ?? new Error('the connection closed');
      for (const fail of [...this.waiting]) fail(error);
    };
    client.on('close', ended);
    // The SFTP channel can close before the connection does; nothing more can be asked then.
    sftp.on('close', ended);
  }

  /** Whether the connection is still up. */
  get open(): boolean {
    return !this.closed;
  }

  [inspect.custom](): string {
    return `[SftpSession ${this.where}${this.closed ? ' closed' : ''}]`;
  }

  /**
   * Connects, verifies the host key and logs in. The key is checked before the login: a server that
   * is not trusted never sees the user name or a signature.
   *
   * @throws SftpError SFTP_KEY_INVALID, SFTP_HOST_KEY_UNKNOWN, SFTP_HOST_KEY_MISMATCH,
   *   SFTP_AUTH_FAILED, SFTP_CONNECTION_FAILED or SFTP_TIMEOUT.
   */
  static async connect(settings: SessionSettings): Promise<SftpSession> {
    const where = `${settings.host.includes(':') ? `[${settings.host}]` : settings.host}:${settings.port}`;
    const { default: ssh2 } = await import('ssh2');
    const parsed = ssh2.utils.parseKey(settings.privateKey, settings.passphrase);
    const problem = keyProblem(parsed, settings.passphrase !== undefined);
    if (problem !== undefined)
      throw new SftpError('SFTP_KEY_INVALID', `the private key for ${where} cannot be used: ${problem}`, {
        where,
      });
    const check = settings.hostKeyCheck;
    const hostName = knownHostsName(settings.host, settings.port);
    // Read at every connection, so that an edited file counts from the next one.
    const known: KnownHosts | undefined =
      check.kind === 'known-hosts' ? await readKnownHosts(check.file) : undefined;
    const algorithms = known === undefined ? undefined : preferredAlgorithms(knownKeyTypes(known, hostName));
    let presented: string | undefined;
    let refusal: HostKeyVerdict | undefined;
    const client = new ssh2.Client();
    return new Promise<SftpSession>((resolve, reject) => {
      // Not `once`: a connection refused at login can still report its reset after; unheard, an
      // 'error' event would end the process.
      const fail = (error: Error & Partial<ClientErrorExtensions>): void => {
        client.end();
        reject(connectError(error, where, settings, presented, refusal));
      };
      client.on('error', fail);
      client.once('ready', () => {
        client.sftp((error, sftp) => {
          if (error) {
            fail(error);
            return;
          }
          client.off('error', fail);
          resolve(new SftpSession(where, client, sftp, presented ?? '', settings.requestTimeoutMs));
        });
      });
      client.once('close', () =>
        reject(
          new SftpError(
            'SFTP_CONNECTION_FAILED',
            `the SFTP server at ${where} closed the connection during login`,
            { where },
          ),
        ),
      );
      client.connect({
        host: settings.host,
        port: settings.port,
        username: settings.username,
        privateKey: settings.privateKey,
        ...(settings.passphrase === undefined ? {} : { passphrase: settings.passphrase }),
        readyTimeout: settings.readyTimeoutMs,
        // A server that stops answering ends the session within about 30 s instead of hanging it.
        keepaliveInterval: 10_000,
        keepaliveCountMax: 3,
        ...(algorithms === undefined ? {} : { algorithms: { serverHostKey: algorithms } }),
        hostVerifier: (key: Buffer) => {
          presented = fingerprintOf(key);
          const verdict =
            check.kind === 'known-hosts'
              ? knownHostsVerdict(known as KnownHosts, hostName, key)
              : directVerdict(check, presented, key);
          refusal = verdict.trusted ? undefined : verdict;
          return verdict.trusted;
        },
      });
      // SFTP is small requests and answers: without this, Nagle's algorithm delays each by ~40 ms.
      client.setNoDelay(true);
    });
  }

  /** Ends the connection. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.#client.end();
  }

  private fail(error: unknown, action: string, path: string | undefined): SftpError {
    const status = statusOf(error);
    const at = path === undefined ? '' : ` ${path}`;
    if (status === undefined || this.closed) {
      const why = this.lost === undefined ? messageOf(error) : this.lost.message;
      return new SftpError(
        'SFTP_CONNECTION_FAILED',
        `the connection to the SFTP server at ${this.where} broke while trying to ${action}${at}: ${serverText(why)}`,
        { where: this.where, ...(path === undefined ? {} : { path }) },
        { cause: error },
      );
    }
    const code: SftpErrorCode =
      status === STATUS.PERMISSION_DENIED
        ? 'SFTP_PERMISSION_DENIED'
        : status === STATUS.NO_SUCH_FILE
          ? 'SFTP_NO_SUCH_FILE'
          : 'SFTP_FAILURE';
    return new SftpError(
      code,
      `the SFTP server at ${this.where} refused to ${action}${at}: ${serverText(messageOf(error))}`,
      { where: this.where, ...(path === undefined ? {} : { path }) },
      { cause: error },
    );
  }

  /**
   * Runs one ssh2 call; its error as an SftpError about `action` on `path`. The `signal` ends the
   * wait for the answer (which is then ignored when it comes).
   */
  private call<T>(
    action: string,
    path: string | undefined,
    work: (done: (error: Error | null | undefined, value?: T) => void) => void,
    signal?: AbortSignal,
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.closed) {
        reject(this.fail(this.lost ?? new Error('the connection is closed'), action, path));
        return;
      }
      if (signal?.aborted) {
        reject(abortedError(signal));
        return;
      }
      const settle = (): void => {
        clearTimeout(timer);
        this.waiting.delete(fail);
        signal?.removeEventListener('abort', aborted);
      };
      const fail = (error: Error): void => {
        settle();
        reject(this.fail(error, action, path));
      };
      const aborted = (): void => {
        settle();
        reject(abortedError(signal as AbortSignal));
      };
      this.waiting.add(fail);
      signal?.addEventListener('abort', aborted, { once: true });
      // A server that stops answering would hold the call forever: give up the connection.
      const timer = setTimeout(() => {
        settle();
        const at = path === undefined ? '' : ` ${path}`;
        this.lost = new Error(`the server did not answer a request within ${this.requestTimeoutMs} ms`);
        reject(
          new SftpError(
            'SFTP_TIMEOUT',
            `the SFTP server at ${this.where} did not answer to ${action}${at} within ${this.requestTimeoutMs} ms; the connection was closed`,
            { where: this.where, ...(path === undefined ? {} : { path }) },
          ),
        );
        this.close();
      }, this.requestTimeoutMs);
      const done = (error: Error | null | undefined, value?: T): void => {
        if (error) {
          fail(error);
          return;
        }
        settle();
        resolve(value as T);
      };
      try {
        work(done);
      } catch (error) {
        // ssh2 throws synchronously once the channel is gone.
        fail(error as Error);
      }
    });
  }

  /** Opens a file for writing, created or truncated. */
  openForWriting(path: string): Promise<Buffer> {
    return this.call('create', path, (done) => this.#sftp.open(path, 'w', done));
  }

  closeHandle(handle: Buffer, path: string): Promise<void> {
    return this.call('close', path, (done) => this.#sftp.close(handle, done));
  }

  /**
   * Writes `source` to an open handle from offset 0, a few requests in flight at once; resolves to
   * the bytes written once the server confirmed all of them. Reading the source waits while the
   * most requests are in flight: that is the backpressure.
   */
  async writeAll(
    handle: Buffer,
    path: string,
    source: AsyncIterable<Uint8Array>,
    options: { signal: AbortSignal | undefined; onWritten: (bytes: number) => void },
  ): Promise<number> {
    const inFlight = new Set<Promise<void>>();
    let position = 0;
    let written = 0;
    try {
      for await (const chunk of source) {
        const bytes = Buffer.isBuffer(chunk)
          ? chunk
          : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
        for (let at = 0; at < bytes.length; at += WRITE_PIECE) {
          if (options.signal?.aborted) throw abortedError(options.signal);
          while (inFlight.size >= WRITES_IN_FLIGHT) await Promise.race(inFlight);
          const piece = bytes.subarray(at, at + WRITE_PIECE);
          const offset = position;
          position += piece.length;
          // ssh2 copies the piece into its packet at once: the chunk may be reused after this call.
          const request: Promise<void> = this.call<void>('write', path, (done) =>
            this.#sftp.write(handle, piece, 0, piece.length, offset, done),
          ).then(() => {
            inFlight.delete(request);
            written += piece.length;
            options.onWritten(written);
          });
          // Its failure is thrown by the race or the wait below; until then it must not count as unhandled.
          request.catch(() => {});
          inFlight.add(request);
        }
      }
      await Promise.all(inFlight);
    } catch (error) {
      await Promise.allSettled(inFlight);
      throw error;
    }
    return position;
  }

  rename(from: string, to: string): Promise<void> {
    return this.call('rename', `${from} to ${to}`, (done) => this.#sftp.rename(from, to, done));
  }

  /** Removes a file; false when it was not there. */
  async remove(path: string, signal?: AbortSignal): Promise<boolean> {
    try {
      await this.call('remove', path, (done) => this.#sftp.unlink(path, done), signal);
      return true;
    } catch (error) {
      if ((error as SftpError).code === 'SFTP_NO_SUCH_FILE') return false;
      throw error;
    }
  }

  /** Whether a file is there. */
  async exists(path: string): Promise<boolean> {
    try {
      await this.call('look up', path, (done) => this.#sftp.stat(path, done));
      return true;
    } catch (error) {
      if ((error as SftpError).code === 'SFTP_NO_SUCH_FILE') return false;
      throw error;
    }
  }

  /**
   * The entries of a folder, one READDIR answer at a time (the folder is not read whole). The
   * `signal` stops it between answers and while one is awaited.
   */
  async *list(path: string, signal?: AbortSignal): AsyncGenerator<FileEntryWithStats[]> {
    const handle = await this.call<Buffer>('list', path, (done) => this.#sftp.opendir(path, done), signal);
    try {
      for (;;) {
        let page: FileEntryWithStats[];
        try {
          page = await this.call<FileEntryWithStats[]>(
            'list',
            path,
            (done) => this.#sftp.readdir(handle, done),
            signal,
          );
        } catch (error) {
          if (statusOf((error as SftpError).cause) === STATUS.EOF) return;
          throw error;
        }
        yield page.filter((entry) => entry.filename !== '.' && entry.filename !== '..');
      }
    } finally {
      if (this.open) this.closeHandle(handle, path).catch(() => {});
    }
  }

  /**
   * The content of a small file. `expectedSize` (from the listing) saves the round trip that would
   * only learn the end of the file; the handle is closed without waiting for the answer. The file
   * is read into one buffer, grown as needed: a server that answers each read with a byte or two
   * costs no more memory than the file.
   *
   * @throws SftpError SFTP_FAILURE when it is larger than `maxBytes`.
   */
  async download(
    path: string,
    maxBytes: number,
    expectedSize?: number,
    signal?: AbortSignal,
  ): Promise<Buffer> {
    const handle = await this.call<Buffer>('read', path, (done) => this.#sftp.open(path, 'r', done), signal);
    // A size of 0 may mean "not known" (virtual files): then read to the end.
    const known = expectedSize !== undefined && expectedSize > 0 ? expectedSize : Number.POSITIVE_INFINITY;
    // One byte more than allowed tells a file that is too large.
    const limit = maxBytes + 1;
    let data = Buffer.allocUnsafe(Math.min(known, READ_PIECE, limit));
    let size = 0;
    try {
      while (size < known && size < limit) {
        if (size === data.length) {
          const larger = Buffer.allocUnsafe(Math.min(data.length * 2, limit));
          data.copy(larger, 0, 0, size);
          data = larger;
        }
        const buffer = data;
        const length = Math.min(READ_PIECE, buffer.length - size);
        const offset = size;
        let read: number;
        try {
          read = await this.call<number>(
            'read',
            path,
            (done) =>
              this.#sftp.read(handle, buffer, offset, length, offset, (error, bytesRead) =>
                done(error, bytesRead),
              ),
            signal,
          );
        } catch (error) {
          if (statusOf((error as SftpError).cause) === STATUS.EOF) break;
          throw error;
        }
        if (read === 0) break;
        size += read;
      }
      if (size > maxBytes)
        throw new SftpError('SFTP_FAILURE', `${path} on ${this.where} is larger than ${maxBytes} bytes`, {
          where: this.where,
          path,
        });
    } finally {
      if (this.open) this.closeHandle(handle, path).catch(() => {});
    }
    return data.subarray(0, size);
  }
}

/** Why a parsed private key cannot be used to log in, or undefined when it can. */
function keyProblem(parsed: unknown, hasPassphrase: boolean): string | undefined {
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  if (key instanceof Error) {
    if (/passphrase|decrypt|bad decrypt/i.test(key.message))
      return hasPassphrase ? 'wrong passphrase' : 'it is encrypted and no passphrase was given';
    return `not a private key in OpenSSH or PEM format (${key.message.replace(/^Cannot parse privateKey: /, '')})`;
  }
  if (typeof key !== 'object' || key === null || !(key as { isPrivateKey(): boolean }).isPrivateKey())
    return 'it is a public key, not a private key';
  return undefined;
}

/** An ssh2 connect error as one line saying what happened where. */
function connectError(
  error: Error & Partial<ClientErrorExtensions>,
  where: string,
  settings: SessionSettings,
  presented: string | undefined,
  refusal: HostKeyVerdict | undefined,
): DigitalPostError {
  const details = { where, ...(presented === undefined ? {} : { hostKeyFingerprint: presented }) };
  if (refusal !== undefined && !refusal.trusted) {
    if (refusal.why === 'unknown')
      return new SftpError(
        'SFTP_HOST_KEY_UNKNOWN',
        `the SFTP server at ${where} presented the host key ${presented}, which cannot be verified: ${refusal.detail}. ` +
          `Make sure it is the server you mean (ask its operator) before trusting that key`,
        details,
        { cause: error },
      );
    return new SftpError(
      'SFTP_HOST_KEY_MISMATCH',
      `the SFTP server at ${where} presented the host key ${presented}, ${refusal.detail}: it may not be the server you mean`,
      details,
      { cause: error },
    );
  }
  if (error.level === 'client-authentication')
    return new SftpError(
      'SFTP_AUTH_FAILED',
      `the SFTP server at ${where} refused the login of user ${JSON.stringify(settings.username)} with this key`,
      details,
      { cause: error },
    );
  if (error.level === 'client-timeout')
    return new SftpError(
      'SFTP_TIMEOUT',
      `the SFTP server at ${where} did not complete the login within ${settings.readyTimeoutMs} ms`,
      details,
      { cause: error },
    );
  const code = (error as NodeJS.ErrnoException).code;
  return new SftpError(
    'SFTP_CONNECTION_FAILED',
    `cannot reach the SFTP server at ${where}: ${code ?? serverText(error.message)}`,
    details,
    { cause: error },
  );
}
