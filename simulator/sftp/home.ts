/**
 * The files of an SFTP user's home as a session sees them (layout.ts): the uploads in `/in`, the
 * system's receipts in `/out/receipts` and its error files in `/out/errors` — their names, contents,
 * attributes and listings. It reads; the session changes.
 */
import type { Attributes } from 'ssh2';
import ssh2 from 'ssh2';
import type { FileErrorRecord, ReceiptRecord, SystemRecord } from '../domain/model.ts';
import type { Engine } from '../engine/engine.ts';
import { receiptJson } from '../wire/receipts.ts';
import {
  type Directory,
  errorFileName,
  type Place,
  readReceiptFileName,
  receiptFileNames,
  SUBDIRECTORIES,
  uploadOfErrorFile,
} from './layout.ts';
import { denied, missing, Refusal } from './rejections.ts';
import type { Upload } from './uploads.ts';

const { STATUS_CODE } = ssh2.utils.sftp;
const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** A directory entry, before it becomes SFTP's FileEntry. */
export interface Listed {
  name: string;
  directory: boolean;
  size: number;
  modifiedAt: number;
}

export function attributes(entry: Pick<Listed, 'directory' | 'size' | 'modifiedAt'>): Attributes {
  const seconds = Math.floor(entry.modifiedAt / 1000);
  return {
    mode: entry.directory ? S_IFDIR | 0o755 : S_IFREG | 0o644,
    uid: 0,
    gid: 0,
    size: entry.size,
    atime: seconds,
    mtime: seconds,
  };
}

/** An `ls -l` line, which OpenSSH's `ls -l` prints as it is. */
export function longname(entry: Listed, owner: string): string {
  const date = new Date(entry.modifiedAt);
  const two = (n: number): string => String(n).padStart(2, '0');
  return [
    entry.directory ? 'drwxr-xr-x' : '-rw-r--r--',
    '   1',
    owner.padEnd(8),
    owner.padEnd(8),
    String(entry.size).padStart(8),
    MONTHS[date.getUTCMonth()],
    String(date.getUTCDate()).padStart(2),
    `${two(date.getUTCHours())}:${two(date.getUTCMinutes())}`,
    entry.name,
  ].join(' ');
}

const receiptContent = (receipt: ReceiptRecord): Buffer =>
  Buffer.from(`${JSON.stringify(receiptJson(receipt, true))}\n`);
const errorContent = (error: FileErrorRecord): Buffer =>
  Buffer.from(`${JSON.stringify(error.errorMessage)}\n`);

/** A user's home: where each name leads, for the system logged in and its `/in`. */
export class Home {
  private readonly engine: Engine;
  private readonly login: SystemRecord;
  private readonly uploads: Map<string, Upload>;

  constructor(engine: Engine, login: SystemRecord, uploads: Map<string, Upload>) {
    this.engine = engine;
    this.login = login;
    this.uploads = uploads;
  }

  private now(): number {
    return this.engine.clock.now();
  }

  receiptNamed(name: string): ReceiptRecord | undefined {
    const { receipts } = this.engine;
    const { login } = this;
    const parsed = readReceiptFileName(name);
    if (parsed === undefined) return undefined;
    if ('first' in parsed) {
      const [oldest] = receipts.ofMessage(login, parsed.first);
      if (oldest !== undefined) return oldest;
      const alone = receipts.find(login, parsed.first);
      return alone?.messageUUID === undefined ? alone : undefined;
    }
    const receipt = receipts.find(login, parsed.id);
    return receipt?.messageUUID === parsed.messageUUID ? receipt : undefined;
  }

  errorNamed(name: string): FileErrorRecord | undefined {
    const upload = uploadOfErrorFile(name);
    return upload === undefined ? undefined : this.engine.fileErrors.find(this.login, upload);
  }

  /** A file's content and time, or a refusal saying why there is none. */
  fileAt(place: Place, path: string): { content: Buffer; modifiedAt: number } {
    switch (place.kind) {
      case 'upload': {
        const upload = this.uploads.get(place.name);
        if (upload === undefined) throw missing(path);
        return { content: upload.bytes(), modifiedAt: upload.modifiedAt };
      }
      case 'receipt': {
        const receipt = this.receiptNamed(place.name);
        if (receipt === undefined) throw missing(path);
        return { content: receiptContent(receipt), modifiedAt: receipt.timeStamp };
      }
      case 'error': {
        const error = this.errorNamed(place.name);
        if (error === undefined) throw missing(path);
        return { content: errorContent(error), modifiedAt: error.createdAt };
      }
      case 'directory':
        throw new Refusal(STATUS_CODE.FAILURE, `${path} is a folder`);
      default:
        throw denied(`${path}: nothing is there, and nothing may be`);
    }
  }

  attributesAt(place: Place, path: string): Attributes {
    if (place.kind === 'directory') return attributes({ directory: true, size: 0, modifiedAt: this.now() });
    if (place.kind === 'upload') {
      const upload = this.uploads.get(place.name);
      if (upload === undefined) throw missing(path);
      return attributes({ directory: false, size: upload.size, modifiedAt: upload.modifiedAt });
    }
    const { content, modifiedAt } = this.fileAt(place, path);
    return attributes({ directory: false, size: content.length, modifiedAt });
  }

  listing(path: Directory): Listed[] {
    const now = this.now();
    const subdirectories = SUBDIRECTORIES[path];
    if (subdirectories !== undefined)
      return subdirectories.map((name) => ({ name, directory: true, size: 0, modifiedAt: now }));
    if (path === '/in') {
      return [...this.uploads.values()].map((upload) => ({
        name: upload.name,
        directory: false,
        size: upload.size,
        modifiedAt: upload.modifiedAt,
      }));
    }
    if (path === '/out/errors') {
      return this.engine.fileErrors.list(this.login).map((error) => ({
        name: errorFileName(error.fileName),
        directory: false,
        size: errorContent(error).length,
        modifiedAt: error.createdAt,
      }));
    }
    // One read for the whole folder: a snapshot, paged out by READDIR.
    const receipts = this.engine.receipts.all(this.login);
    const names = receiptFileNames(receipts);
    return receipts.map((receipt, i) => ({
      name: names[i] as string,
      directory: false,
      size: receiptContent(receipt).length,
      modifiedAt: receipt.timeStamp,
    }));
  }
}
