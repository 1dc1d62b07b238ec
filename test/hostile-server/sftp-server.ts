/**
 * An SFTP server that misbehaves on purpose, for the tests of `SftpSender` and the CLI's `--sftp`
 * modes: ssh2's `Server` on loopback with an in-memory file system that any key may log into, and
 * switches for what a hostile or broken server does — listings that never end or hold `..` names,
 * reads answered a byte at a time, requests never answered, renames refused, a host key of its own
 * (an impostor). It resolves `..` in paths as a real server does, so that a client that follows a
 * name it was given is caught deleting the wrong file. Every request is logged as it came.
 */
import { createServer, type Socket } from 'node:net';
import { posix } from 'node:path';
import ssh2, { type Attributes, type FileEntry, type SFTPWrapper } from 'ssh2';
import { fingerprintOf } from '../../simulator/sftp/host-key.ts';
import { newKeyPair } from '../support/sftp.ts';

const { OPEN_MODE, STATUS_CODE } = ssh2.utils.sftp;

/** The name of an SFTP status (`FAILURE`, `PERMISSION_DENIED`, …). */
export type StatusName = keyof typeof STATUS_CODE;

/** The requests the server tells apart. */
export type Operation =
  | 'OPEN'
  | 'READ'
  | 'WRITE'
  | 'CLOSE'
  | 'STAT'
  | 'OPENDIR'
  | 'READDIR'
  | 'REMOVE'
  | 'RENAME'
  | 'REALPATH';

/** One entry of a made-up listing; `size` defaults to the file's, or 0. */
export interface ListedName {
  filename: string;
  size?: number;
}

/** What the server does wrong; change it at any time, it applies from the next request. */
export interface Misbehaviour {
  /**
   * The listing of a folder instead of its files: READDIR answer `page` (from 0) of the listing
   * opened on `folder`, or undefined to end it (EOF).
   */
  listing?: (folder: string, page: number) => ListedName[] | undefined;
  /** The most one READ answers (a server that answers in tiny pieces). */
  readPiece?: number;
  /** True: the request is never answered. `path` is as the client sent it (RENAME: the source). */
  hold?: (operation: Operation, path: string) => boolean;
  /** A status to refuse the request with, and its message; undefined serves it. */
  refuse?: (operation: Operation, path: string) => { status: StatusName; message: string } | undefined;
  /** Called after a rename was done, with the resolved target (e.g. to write an error file for it). */
  renamed?: (to: string, files: Map<string, Buffer>) => void;
}

export interface HostileSftpServer {
  host: string;
  port: number;
  /** Its host key's fingerprint, `SHA256:…`. */
  hostKeyFingerprint: string;
  /** Its host key's public half as known_hosts writes it: `ssh-ed25519 AAAA…`. */
  hostKeyLine: string;
  /** The files, by resolved absolute path. */
  files: Map<string, Buffer>;
  misbehave: Misbehaviour;
  /**
   * What happened, in order: `LOGIN <user>`, `<OPERATION> <path as sent>` for each request
   * (RENAME: `RENAME <from> -> <to>`), `CONNECTION`.
   */
  log: string[];
  /** How many requests of an operation came. */
  count(operation: Operation): number;
  /** The highest `process.memoryUsage().arrayBuffers` sampled while READs were answered. */
  peakArrayBuffers(): number;
  close(): Promise<void>;
}

const FOLDERS = new Set(['/', '/in', '/out', '/out/receipts', '/out/errors']);
const PAGE = 100;

type Handle =
  | { kind: 'file'; path: string; content: Buffer | undefined }
  | { kind: 'folder'; folder: string; page: number; names: ListedName[] | undefined };

const fileAttributes = (size: number): Attributes => ({
  mode: 0o100644,
  uid: 0,
  gid: 0,
  size,
  atime: 0,
  mtime: 0,
});
const folderAttributes: Attributes = { mode: 0o040755, uid: 0, gid: 0, size: 0, atime: 0, mtime: 0 };

/** Starts a hostile server on 127.0.0.1 with `files` in it. */
export async function startHostileSftpServer(
  files: Record<string, string | Uint8Array> = {},
): Promise<HostileSftpServer> {
  const hostKey = newKeyPair();
  const publicKey = ssh2.utils.parseKey(hostKey.public);
  if (publicKey instanceof Error) throw publicKey;
  const stored = new Map(Object.entries(files).map(([path, content]) => [path, Buffer.from(content)]));
  const log: string[] = [];
  const counts = new Map<Operation, number>();
  const misbehave: Misbehaviour = {};
  const sockets = new Set<Socket>();
  let peak = 0;

  function serve(sftp: SFTPWrapper): void {
    const handles = new Map<number, Handle>();
    let nextHandle = 1;
    const handleOf = (buffer: Buffer): Handle | undefined => handles.get(buffer.readUInt32BE(0));
    const newHandle = (handle: Handle): Buffer => {
      const id = nextHandle++;
      handles.set(id, handle);
      const buffer = Buffer.alloc(4);
      buffer.writeUInt32BE(id);
      return buffer;
    };
    const fail = (id: number, status: StatusName, message?: string): void => {
      sftp.status(id, STATUS_CODE[status], message);
    };

    /** Logs the request; false when a misbehaviour answered it (or holds it). */
    const serveRequest = (operation: Operation, id: number, path: string, shown = path): boolean => {
      log.push(`${operation} ${shown}`);
      counts.set(operation, (counts.get(operation) ?? 0) + 1);
      if (misbehave.hold?.(operation, path)) return false;
      const refusal = misbehave.refuse?.(operation, path);
      if (refusal === undefined) return true;
      fail(id, refusal.status, refusal.message);
      return false;
    };

    sftp.on('REALPATH', (id, path) => {
      if (!serveRequest('REALPATH', id, path)) return;
      const resolved = posix.resolve('/', path);
      sftp.name(id, [{ filename: resolved, longname: resolved, attrs: folderAttributes }]);
    });
    sftp.on('OPEN', (id, path, flags) => {
      if (!serveRequest('OPEN', id, path)) return;
      const resolved = posix.resolve('/', path);
      if (flags & OPEN_MODE.WRITE) {
        stored.set(resolved, Buffer.alloc(0));
        sftp.handle(id, newHandle({ kind: 'file', path: resolved, content: undefined }));
        return;
      }
      const content = stored.get(resolved);
      if (content === undefined) fail(id, 'NO_SUCH_FILE');
      else sftp.handle(id, newHandle({ kind: 'file', path: resolved, content }));
    });
    sftp.on('READ', (id, buffer, offset, length) => {
      const handle = handleOf(buffer);
      if (!serveRequest('READ', id, handle?.kind === 'file' ? handle.path : '?')) return;
      if (handle?.kind !== 'file' || handle.content === undefined) return fail(id, 'FAILURE');
      peak = Math.max(peak, process.memoryUsage().arrayBuffers);
      if (offset >= handle.content.length) return fail(id, 'EOF');
      const piece = Math.min(length, misbehave.readPiece ?? length);
      sftp.data(id, handle.content.subarray(offset, offset + piece));
    });
    sftp.on('WRITE', (id, buffer, offset, data) => {
      const handle = handleOf(buffer);
      if (!serveRequest('WRITE', id, handle?.kind === 'file' ? handle.path : '?')) return;
      if (handle?.kind !== 'file') return fail(id, 'FAILURE');
      const before = stored.get(handle.path) ?? Buffer.alloc(0);
      const after = Buffer.alloc(Math.max(before.length, offset + data.length));
      before.copy(after);
      data.copy(after, offset);
      stored.set(handle.path, after);
      fail(id, 'OK');
    });
    sftp.on('CLOSE', (id, buffer) => {
      const handle = handleOf(buffer);
      if (!serveRequest('CLOSE', id, handle?.kind === 'file' ? handle.path : (handle?.folder ?? '?'))) return;
      handles.delete(buffer.readUInt32BE(0));
      fail(id, 'OK');
    });
    const stat = (id: number, path: string): void => {
      if (!serveRequest('STAT', id, path)) return;
      const resolved = posix.resolve('/', path);
      const content = stored.get(resolved);
      if (FOLDERS.has(resolved)) sftp.attrs(id, folderAttributes);
      else if (content === undefined) fail(id, 'NO_SUCH_FILE');
      else sftp.attrs(id, fileAttributes(content.length));
    };
    sftp.on('STAT', stat);
    sftp.on('LSTAT', stat);
    sftp.on('FSTAT', (id, buffer) => {
      const handle = handleOf(buffer);
      if (handle?.kind !== 'file') return fail(id, 'FAILURE');
      sftp.attrs(id, fileAttributes(handle.content?.length ?? stored.get(handle.path)?.length ?? 0));
    });
    sftp.on('OPENDIR', (id, path) => {
      if (!serveRequest('OPENDIR', id, path)) return;
      const folder = posix.resolve('/', path);
      if (!FOLDERS.has(folder)) return fail(id, 'NO_SUCH_FILE');
      const names = [...stored.keys()]
        .filter((file) => posix.dirname(file) === folder)
        .map((file) => ({ filename: posix.basename(file) }));
      sftp.handle(id, newHandle({ kind: 'folder', folder, page: 0, names }));
    });
    sftp.on('READDIR', (id, buffer) => {
      const handle = handleOf(buffer);
      if (!serveRequest('READDIR', id, handle?.kind === 'folder' ? handle.folder : '?')) return;
      if (handle?.kind !== 'folder') return fail(id, 'FAILURE');
      const page = handle.page++;
      const listed = misbehave.listing
        ? misbehave.listing(handle.folder, page)
        : handle.names?.slice(page * PAGE, (page + 1) * PAGE);
      if (listed === undefined || listed.length === 0) return fail(id, 'EOF');
      const entries: FileEntry[] = listed.map(({ filename, size }) => ({
        filename,
        longname: `-rw-r--r-- 1 0 0 ${size ?? 0} Jan 1 00:00 ${filename}`,
        attrs: fileAttributes(size ?? stored.get(posix.join(handle.folder, filename))?.length ?? 0),
      }));
      sftp.name(id, entries);
    });
    sftp.on('REMOVE', (id, path) => {
      if (!serveRequest('REMOVE', id, path)) return;
      if (stored.delete(posix.resolve('/', path))) fail(id, 'OK');
      else fail(id, 'NO_SUCH_FILE');
    });
    sftp.on('RENAME', (id, from, to) => {
      if (!serveRequest('RENAME', id, from, `${from} -> ${to}`)) return;
      const source = posix.resolve('/', from);
      const target = posix.resolve('/', to);
      const content = stored.get(source);
      if (content === undefined) return fail(id, 'NO_SUCH_FILE');
      if (stored.has(target)) return fail(id, 'FAILURE', 'the target exists');
      stored.delete(source);
      stored.set(target, content);
      misbehave.renamed?.(target, stored);
      fail(id, 'OK');
    });
    sftp.on('end', () => sftp.end());
  }

  const ssh = new ssh2.Server({ hostKeys: [hostKey.private] }, (connection) => {
    let user = '';
    connection.on('error', () => {});
    connection.on('authentication', (context) => {
      user = context.username;
      context.accept();
    });
    connection.on('ready', () => {
      log.push(`LOGIN ${user}`);
      connection.on('session', (accept) => {
        accept().on('sftp', (acceptSftp) => serve(acceptSftp()));
      });
    });
  });
  const listener = createServer((socket) => {
    log.push('CONNECTION');
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.setNoDelay(true);
    ssh.injectSocket(socket);
  });
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const address = listener.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return {
    host: '127.0.0.1',
    port: address.port,
    hostKeyFingerprint: fingerprintOf(publicKey.getPublicSSH()),
    hostKeyLine: `${publicKey.type} ${publicKey.getPublicSSH().toString('base64')}`,
    files: stored,
    misbehave,
    log,
    count: (operation) => counts.get(operation) ?? 0,
    peakArrayBuffers: () => peak,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => listener.close(() => resolve()));
    },
  };
}
