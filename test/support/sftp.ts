/**
 * Test helpers for the simulator's SFTP server: keys, registering them, and an ssh2 SFTP client
 * with promise-returning calls that answer SFTP statuses by name.
 */
import ssh2, {
  type Client,
  type ConnectConfig,
  type FileEntry,
  type OpenMode,
  type SFTPWrapper,
  type Stats,
} from 'ssh2';
import type { RunningSimulator } from '../../simulator/index.ts';
import { fingerprintOf } from '../../simulator/sftp/host-key.ts';
import { call } from './simulator.ts';

const { STATUS_CODE } = ssh2.utils.sftp;

/** An ed25519 key pair in OpenSSH's formats. */
export interface KeyPair {
  private: string;
  public: string;
}

/**
 * An ed25519 key pair whose halves ssh2 can read back. ssh2 1.17's `generateKeyPairSync('ed25519')`
 * drops leading zero bytes of the public key about once in 256 pairs (mscdex/ssh2#1390, #1513); such
 * a pair is unusable and is made again.
 */
export function newKeyPair(passphrase?: string): KeyPair {
  for (;;) {
    const keys =
      passphrase === undefined
        ? ssh2.utils.generateKeyPairSync('ed25519', { comment: 'test@digitalpost' })
        : ssh2.utils.generateKeyPairSync('ed25519', { passphrase, cipher: 'aes256-ctr', rounds: 16 });
    const readable =
      !(ssh2.utils.parseKey(keys.public) instanceof Error) &&
      !(ssh2.utils.parseKey(keys.private, passphrase) instanceof Error);
    if (readable) return keys;
  }
}

/** `PUT /simulator/v1/systems/{id}/ssh-key`; throws unless it answers 200. */
export async function registerKey(
  simulator: Pick<RunningSimulator, 'controlUrl'>,
  systemId: string,
  publicKey: string,
): Promise<void> {
  const response = await call(`${simulator.controlUrl}/systems/${systemId}/ssh-key`, {
    method: 'PUT',
    body: publicKey,
    contentType: 'text/plain',
  });
  if (response.status !== 200) throw new Error(`PUT ssh-key failed: ${response.status} ${response.text}`);
}

/** The name of an SFTP status code (`PERMISSION_DENIED`, …), or `OK`. */
export type StatusName = keyof typeof STATUS_CODE;

function statusName(error: unknown): StatusName {
  const code = (error as { code?: unknown }).code;
  const name = (Object.keys(STATUS_CODE) as StatusName[]).find((key) => STATUS_CODE[key] === code);
  if (name === undefined) throw error;
  return name;
}

/** A connected SFTP client. Every call rejects with the SFTP error; `status` turns it into a name. */
export interface SftpClient {
  sftp: SFTPWrapper;
  /** The host key fingerprint the server presented. */
  hostKeyFingerprint: string;
  /** Writes a whole file (open with `flags`, write in pieces, close). */
  put(path: string, content: Uint8Array | string, flags?: OpenMode): Promise<void>;
  get(path: string): Promise<Buffer>;
  /** The names in a folder, sorted. */
  list(path: string): Promise<string[]>;
  listEntries(path: string): Promise<FileEntry[]>;
  rename(from: string, to: string): Promise<void>;
  remove(path: string): Promise<void>;
  realpath(path: string): Promise<string>;
  stat(path: string): Promise<Stats>;
  /** Resolves to `OK` or the name of the status the server refused with. */
  status(work: Promise<unknown>): Promise<StatusName>;
  /** Resolves once the connection is closed, by either side. */
  closed: Promise<void>;
  /** Disconnects; resolves once the connection is closed. */
  end(): Promise<void>;
}

const callback =
  <T>(resolve: (value: T) => void, reject: (error: Error) => void) =>
  (error: Error | null | undefined, value?: T): void => {
    if (error) reject(error);
    else resolve(value as T);
  };

/** Connects and logs in; rejects when the login fails (within a few seconds, never hanging). */
export function connectSftp(
  simulator: Pick<RunningSimulator, 'sftp'>,
  login: { username: string } & Pick<
    ConnectConfig,
    'privateKey' | 'password' | 'tryKeyboard' | 'authHandler'
  >,
): Promise<SftpClient> {
  const address = simulator.sftp;
  if (address === null) throw new Error('the simulator runs no SFTP server');
  const client = new ssh2.Client();
  const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
  let hostKeyFingerprint = '';
  return new Promise<SftpClient>((resolve, reject) => {
    client.once('error', reject);
    client.once('ready', () => {
      client.sftp((error, sftp) => {
        if (error) {
          reject(error);
          return;
        }
        client.off('error', reject);
        client.on('error', () => {});
        resolve(clientOf(client, sftp, hostKeyFingerprint, closed));
      });
    });
    client.connect({
      host: address.host,
      port: address.port,
      readyTimeout: 5_000,
      hostVerifier: (key: Buffer) => {
        hostKeyFingerprint = fingerprintOf(key);
        return true;
      },
      ...login,
    });
    // Small request–answer packets: without this, Nagle's algorithm adds ~40 ms to each.
    client.setNoDelay(true);
  });
}

function clientOf(
  client: Client,
  sftp: SFTPWrapper,
  hostKeyFingerprint: string,
  closed: Promise<void>,
): SftpClient {
  const run = <T>(work: (done: (error: Error | null | undefined, value?: T) => void) => void): Promise<T> =>
    new Promise<T>((resolve, reject) => work(callback(resolve, reject)));
  return {
    sftp,
    hostKeyFingerprint,
    async put(path, content, flags = 'w') {
      const bytes = typeof content === 'string' ? Buffer.from(content) : Buffer.from(content);
      const handle = await run<Buffer>((done) => sftp.open(path, flags, done));
      const piece = 32 * 1024;
      for (let at = 0; at < bytes.length; at += piece) {
        const chunk = bytes.subarray(at, at + piece);
        await run<void>((done) => sftp.write(handle, chunk, 0, chunk.length, at, done));
      }
      await run<void>((done) => sftp.close(handle, done));
    },
    async get(path) {
      const handle = await run<Buffer>((done) => sftp.open(path, 'r', done));
      const chunks: Buffer[] = [];
      for (let at = 0; ; ) {
        const buffer = Buffer.alloc(32 * 1024);
        let read: number;
        try {
          read = await new Promise<number>((resolve, reject) =>
            sftp.read(handle, buffer, 0, buffer.length, at, (error, bytesRead) =>
              error ? reject(error) : resolve(bytesRead),
            ),
          );
        } catch (error) {
          if (statusName(error) === 'EOF') break;
          throw error;
        }
        if (read === 0) break;
        chunks.push(buffer.subarray(0, read));
        at += read;
      }
      await run<void>((done) => sftp.close(handle, done));
      return Buffer.concat(chunks);
    },
    async list(path) {
      const entries = await run<FileEntry[]>((done) => sftp.readdir(path, done));
      return entries.map((entry) => entry.filename).sort();
    },
    listEntries: (path) => run<FileEntry[]>((done) => sftp.readdir(path, done)),
    rename: (from, to) => run<void>((done) => sftp.rename(from, to, done)),
    remove: (path) => run<void>((done) => sftp.unlink(path, done)),
    realpath: (path) => run<string>((done) => sftp.realpath(path, done)),
    stat: (path) => run<Stats>((done) => sftp.stat(path, done)),
    status: (work) => work.then(() => 'OK' as const, statusName),
    closed,
    end: () => {
      client.end();
      return closed;
    },
  };
}
