/**
 * One SFTP session (protocol version 3) on the chrooted home of `layout.ts`. An adapter: uploads
 * are handed to the engine when they are taken, receipts and error files come from it; the only
 * state of its own is the upload buffers of `/in`.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import ssh2, { type FileEntry, type SFTPWrapper } from 'ssh2';
import { isUuid } from '../../sdk/ngdp/identifiers.ts';
import type { SystemRecord } from '../domain/model.ts';
import type { Engine } from '../engine/engine.ts';
import type { SftpOperation } from '../engine/faults.ts';
import { Rejection } from '../engine/rejections.ts';
import type { Note } from '../engine/transcript.ts';
import { attributes, Home, type Listed, longname } from './home.ts';
import {
  homePath,
  homeSegments,
  type Place,
  placeOf,
  uploadKind,
  uploadNameProblem,
  uploadOfErrorFile,
} from './layout.ts';
import { denied, errorFileOf, missing, Refusal, refusalOf } from './rejections.ts';
import { Upload } from './uploads.ts';

const { OPEN_MODE, STATUS_CODE } = ssh2.utils.sftp;
const WRITE_FLAGS = OPEN_MODE.WRITE | OPEN_MODE.APPEND | OPEN_MODE.CREAT | OPEN_MODE.TRUNC | OPEN_MODE.EXCL;
/** Directory entries per READDIR answer (as OpenSSH's server sends). */
const ENTRIES_PER_READDIR = 100;
/** The most one READ answers, well inside every client's packet limit. */
const MAX_READ = 64 * 1024;
const MAX_HANDLES = 256;

/** What a session needs from the server: the engine, who is logged in, and the uploads. */
export interface SessionContext {
  engine: Engine;
  /** The SFTP user name. */
  username: string;
  /** The system as it logged in; errors of its uploads are recorded under it. */
  login: SystemRecord;
  /**
   * The system as it is now, admitted again as at login (for every change: taking an upload,
   * acknowledging a receipt). Throws the engine's `Rejection` when it may no longer send.
   */
  admit(): SystemRecord;
  /** The system's `/in`, shared by its sessions. */
  uploads: Map<string, Upload>;
  log(line: string): void;
  /** Work that answers later; the server waits for it when it stops. */
  track(work: Promise<void>): void;
  /** Closes the SSH connection the session runs in (an injected fault). */
  disconnect(): void;
}

type Handle = { path: string } & (
  | { kind: 'listing'; entries: Listed[]; next: number }
  | { kind: 'reader'; content: Buffer; modifiedAt: number }
  | {
      kind: 'writer';
      upload: Upload;
      append: boolean;
      readable: boolean;
      /** Why the upload was dropped (it grew past the limit); every later request fails. */
      dropped?: string;
    }
);

/** Serves SFTP requests of one session until the channel closes. */
export function serveSftp(sftp: SFTPWrapper, context: SessionContext): void {
  const session = new Session(sftp, context);
  sftp.on('OPEN', (id, path, flags) =>
    session.run('SFTP OPEN', id, path, () => session.open(id, path, flags)),
  );
  sftp.on('READ', (id, handle, offset, length) =>
    session.run('SFTP READ', id, session.pathOf(handle), () => session.read(id, handle, offset, length)),
  );
  sftp.on('WRITE', (id, handle, offset, data) =>
    session.run(
      'SFTP WRITE',
      id,
      session.pathOf(handle),
      () => session.write(id, handle, offset, data),
      data,
    ),
  );
  sftp.on('CLOSE', (id, handle) =>
    session.run('SFTP CLOSE', id, session.pathOf(handle), () => session.close(id, handle)),
  );
  sftp.on('FSTAT', (id, handle) =>
    session.run('SFTP FSTAT', id, session.pathOf(handle), () => session.fstat(id, handle)),
  );
  sftp.on('FSETSTAT', (id, handle) =>
    session.run('SFTP FSETSTAT', id, session.pathOf(handle), () => session.fsetstat(id, handle)),
  );
  sftp.on('STAT', (id, path) => session.run('SFTP STAT', id, path, () => session.stat(id, path)));
  sftp.on('LSTAT', (id, path) => session.run('SFTP LSTAT', id, path, () => session.stat(id, path)));
  sftp.on('SETSTAT', (id, path) => session.run('SFTP SETSTAT', id, path, () => session.setstat(id, path)));
  sftp.on('OPENDIR', (id, path) => session.run('SFTP OPENDIR', id, path, () => session.opendir(id, path)));
  sftp.on('READDIR', (id, handle) =>
    session.run('SFTP READDIR', id, session.pathOf(handle), () => session.readdir(id, handle)),
  );
  sftp.on('REALPATH', (id, path) => session.run('SFTP REALPATH', id, path, () => session.realpath(id, path)));
  sftp.on('REMOVE', (id, path) => session.run('SFTP REMOVE', id, path, () => session.remove(id, path)));
  sftp.on('RENAME', (id, from, to) =>
    session.run('SFTP RENAME', id, `${from} -> ${to}`, () => session.rename(id, from, to)),
  );
  sftp.on('MKDIR', (id, path) =>
    session.refuse('SFTP MKDIR', id, path, 'folders cannot be made here; the layout is fixed'),
  );
  sftp.on('RMDIR', (id, path) =>
    session.refuse('SFTP RMDIR', id, path, 'folders cannot be removed; the layout is fixed'),
  );
  sftp.on('SYMLINK', (id, link, target) =>
    session.refuse('SFTP SYMLINK', id, `${link} -> ${target}`, 'links cannot be made here'),
  );
  sftp.on('READLINK', (id, path) => session.refuse('SFTP READLINK', id, path, 'there are no links here'));
  // The client has nothing more to ask: close the channel, as OpenSSH's client waits for that.
  sftp.on('end', () => {
    session.release();
    sftp.end();
  });
  sftp.on('close', () => session.release());
}

/** The SFTPWrapper methods that answer a request; their first argument is the request id. */
const ANSWERS = ['status', 'handle', 'data', 'name', 'attrs'] as const;

/**
 * Lets `answered` see every answer before it goes out, with its SFTP status (OK for an answer with
 * data); when it says the answer is lost (a `DISCONNECT_AFTER` fault: done, but the client never
 * hears of it), the answer goes nowhere.
 */
function watchAnswers(sftp: SFTPWrapper, answered: (id: number, status: number) => 'send' | 'lose'): void {
  for (const method of ANSWERS) {
    const answer = sftp[method] as (id: number, ...rest: never[]) => boolean;
    (sftp as unknown as Record<string, unknown>)[method] = (id: number, ...rest: never[]): boolean => {
      const status = method === 'status' ? (rest[0] as unknown as number) : STATUS_CODE.OK;
      if (answered(id, status) === 'lose') return true;
      return answer.call(sftp, id, ...rest);
    };
  }
}

/** What the transcript calls what an SFTP fault did to a request. */
const TRANSCRIPT_FAULT = {
  FAILURE: 'status',
  DISCONNECT_BEFORE: 'drop-before',
  DISCONNECT_AFTER: 'drop-after',
} as const;

/** The messageUUID an SFTP path names: the file's name starts with one (receipts, single MeMos). */
function messageUUIDOf(path: string): string | undefined {
  const name = path.slice(path.lastIndexOf('/') + 1);
  const candidate = name.slice(0, 36);
  return isUuid(candidate) ? candidate.toLowerCase() : undefined;
}

/** What taking an upload came to: the single MeMo taken, or the code of its error file. */
interface TakeOutcome {
  messageUUID?: string;
  code?: string;
}

class Session {
  private readonly sftp: SFTPWrapper;
  private readonly context: SessionContext;
  private readonly home: Home;
  private readonly handles = new Map<number, Handle>();
  private nextHandle = 1;
  /** Requests whose answer is to be lost (`DISCONNECT_AFTER`). */
  private readonly lost = new Set<number>();
  /** The transcript's notes of the requests not yet answered. */
  private readonly notes = new Map<number, Note>();
  /** A request a fault delays, until it has started: later requests start after it. */
  private delayed: Promise<void> | undefined;
  /** The session is over: requests still coming (or delayed) are not served. */
  private ended = false;

  constructor(sftp: SFTPWrapper, context: SessionContext) {
    this.sftp = sftp;
    this.context = context;
    this.home = new Home(context.engine, context.login, context.uploads);
    watchAnswers(sftp, (id, status) => this.answered(id, status));
  }

  /** Ends a request's transcript entry as it is answered, or loses the answer (and the connection). */
  private answered(id: number, status: number): 'send' | 'lose' {
    const note = this.notes.get(id);
    this.notes.delete(id);
    if (this.lost.delete(id)) {
      note?.end(null);
      this.disconnect();
      return 'lose';
    }
    note?.end(status);
    return 'send';
  }

  /** The path a handle was opened with, for the transcript ('' for no open handle). */
  pathOf(bytes: Buffer): string {
    const id = bytes.length === 4 ? bytes.readUInt32BE() : 0;
    return this.handles.get(id)?.path ?? '';
  }

  /** Opens the transcript entry of a request. */
  private note(operation: string, id: number, path: string): Note {
    const note = this.engine.transcript.sftp({
      systemId: this.context.login.id,
      operation,
      path,
      messageUUID: messageUUIDOf(path),
    });
    this.notes.set(id, note);
    return note;
  }

  private get engine(): Engine {
    return this.context.engine;
  }

  private get uploads(): Map<string, Upload> {
    return this.context.uploads;
  }

  private now(): number {
    return this.engine.clock.now();
  }

  /**
   * Runs a request, unless a fault rule for it says otherwise (`/simulator/v1/faults`): a Refusal
   * becomes its status, anything else a logged FAILURE. While a fault delays a request, the
   * requests after it wait their turn, so that they still start in the order they came. The
   * request goes into the transcript as `path` (with a WRITE's `data` as its body).
   */
  run(
    operation: SftpOperation,
    id: number,
    path: string,
    work: () => void | Promise<void>,
    data?: Buffer,
  ): void {
    if (this.ended) return;
    const note = this.note(operation, id, path);
    if (data !== undefined) {
      note.body(data);
      note.bodyEnd();
    }
    const waitingFor = this.delayed;
    const begin = () => this.begin(operation, id, note, work);
    const started = waitingFor === undefined ? begin() : waitingFor.then(begin, begin);
    if (started === undefined) return;
    this.delayed = started;
    const done = (): void => {
      if (this.delayed === started) this.delayed = undefined;
    };
    started.then(done, (error: unknown) => {
      done();
      this.context.log(
        `sftp: ${this.context.username}: ${operation} failed: ${error instanceof Error ? error.message : String(error)}`,
      );
    });
  }

  /** Starts a request; when a fault delays it, a promise that settles once it has started. */
  private begin(
    operation: SftpOperation,
    id: number,
    note: Note,
    work: () => void | Promise<void>,
  ): Promise<void> | undefined {
    if (this.ended) return undefined;
    const fault = this.engine.faults.forSftp(operation, this.context.login.id);
    if (fault === undefined) {
      this.perform(id, work);
      return undefined;
    }
    note.fault = fault.fault === undefined ? 'delay' : TRANSCRIPT_FAULT[fault.fault];
    const apply = (): void => {
      if (this.ended) return;
      this.context.log(
        `sftp: ${this.context.username}: ${operation}: injected fault ${fault.fault ?? `delay of ${fault.delayMs} ms`}`,
      );
      switch (fault.fault) {
        case 'FAILURE':
          this.perform(id, () => {
            throw new Refusal(STATUS_CODE.FAILURE, `${operation}: injected fault`);
          });
          return;
        case 'DISCONNECT_BEFORE':
          this.disconnect();
          return;
        case 'DISCONNECT_AFTER':
          this.lost.add(id);
          this.perform(id, work);
          return;
        default:
          this.perform(id, work);
      }
    };
    const { delayMs } = fault;
    if (delayMs === 0) {
      apply();
      return undefined;
    }
    // Not tracked, and not holding the process: stopping the server does not wait for a delay.
    return sleep(delayMs, undefined, { ref: false }).then(apply);
  }

  private perform(id: number, work: () => void | Promise<void>): void {
    try {
      const pending = work();
      if (pending !== undefined) this.context.track(pending.catch((error: unknown) => this.fail(id, error)));
    } catch (error) {
      this.fail(id, error);
    }
  }

  /** Closes the connection (an injected fault); requests still coming are not served. */
  private disconnect(): void {
    if (this.ended) return;
    this.release();
    this.context.disconnect();
  }

  /**
   * Lets go of the session's handles when it ends. An upload still open for writing is not taken:
   * it stays in `/in` as far as it came, for the client to remove, write again or rename.
   */
  release(): void {
    this.ended = true;
    for (const handle of this.handles.values()) if (handle.kind === 'writer') handle.upload.writers--;
    this.handles.clear();
    // Requests the session ends before answering: no answer went out.
    for (const note of this.notes.values()) note.end(null);
    this.notes.clear();
  }

  /** Refuses a request no fault rule can name (folders, links). */
  refuse(operation: string, id: number, path: string, message: string): void {
    if (this.ended) return;
    this.note(operation, id, path);
    this.sftp.status(id, STATUS_CODE.PERMISSION_DENIED, message);
  }

  private fail(id: number, error: unknown): void {
    if (error instanceof Refusal) {
      this.sftp.status(id, error.status, error.message);
      return;
    }
    this.context.log(
      `sftp: ${this.context.username}: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    this.sftp.status(id, STATUS_CODE.FAILURE, 'the simulator failed to handle the request; see its log');
  }

  // ---------------------------------------------------------------- paths and handles

  private locate(path: string): Place {
    const segments = homeSegments(path);
    if (segments === undefined) throw denied(`${path} is outside the home folder`);
    return placeOf(segments);
  }

  private makeRoomForHandle(): void {
    if (this.handles.size >= MAX_HANDLES) {
      throw new Refusal(STATUS_CODE.FAILURE, `at most ${MAX_HANDLES} handles may be open at once`);
    }
  }

  private addHandle(handle: Handle): Buffer {
    const id = this.nextHandle++;
    this.handles.set(id, handle);
    const bytes = Buffer.alloc(4);
    bytes.writeUInt32BE(id);
    return bytes;
  }

  private handleOf(bytes: Buffer): { id: number; handle: Handle } {
    const id = bytes.length === 4 ? bytes.readUInt32BE() : 0;
    const handle = this.handles.get(id);
    if (handle === undefined) throw new Refusal(STATUS_CODE.FAILURE, 'not an open handle');
    return { id, handle };
  }

  // ---------------------------------------------------------------- requests

  open(id: number, path: string, flags: number): void {
    const place = this.locate(path);
    this.makeRoomForHandle();
    if ((flags & WRITE_FLAGS) === 0) {
      const { content, modifiedAt } = this.home.fileAt(place, path);
      this.sftp.handle(id, this.addHandle({ path, kind: 'reader', content, modifiedAt }));
      return;
    }
    if (place.kind !== 'upload') throw denied(`${path}: only files in /in may be written`);
    const problem = uploadNameProblem(place.name);
    if (problem !== undefined) throw denied(`${path}: ${problem}`);
    let upload = this.uploads.get(place.name);
    const create = (flags & OPEN_MODE.CREAT) !== 0;
    if (upload !== undefined && create && (flags & OPEN_MODE.EXCL) !== 0)
      throw new Refusal(STATUS_CODE.FAILURE, `${path} exists`);
    if (upload === undefined && !create) throw missing(path);
    // A new or truncated file is a new upload; a writer still on the old one writes to nowhere.
    if (upload === undefined || (flags & OPEN_MODE.TRUNC) !== 0) {
      upload?.discard();
      upload = new Upload(place.name, this.now(), this.engine.memory.hold(`/in/${place.name}`));
      this.uploads.set(place.name, upload);
    }
    upload.writers++;
    const append = (flags & OPEN_MODE.APPEND) !== 0;
    const readable = (flags & OPEN_MODE.READ) !== 0;
    this.sftp.handle(id, this.addHandle({ path, kind: 'writer', upload, append, readable }));
  }

  read(id: number, bytes: Buffer, offset: number, length: number): void {
    const { handle } = this.handleOf(bytes);
    const wanted = Math.min(length, MAX_READ);
    let size: number;
    let read: () => Buffer;
    if (handle.kind === 'reader') {
      size = handle.content.length;
      read = () => handle.content.subarray(offset, offset + wanted);
    } else if (handle.kind === 'writer' && handle.readable && handle.dropped === undefined) {
      size = handle.upload.size;
      read = () => handle.upload.read(offset, wanted);
    } else throw new Refusal(STATUS_CODE.FAILURE, 'the handle was not opened for reading');
    if (offset >= size) {
      this.sftp.status(id, STATUS_CODE.EOF);
      return;
    }
    this.sftp.data(id, read());
  }

  write(id: number, bytes: Buffer, offset: number, data: Buffer): void {
    const { handle } = this.handleOf(bytes);
    if (handle.kind !== 'writer')
      throw new Refusal(STATUS_CODE.FAILURE, 'the handle was not opened for writing');
    if (handle.dropped !== undefined) throw new Refusal(STATUS_CODE.FAILURE, handle.dropped);
    const { upload } = handle;
    const limit = this.engine.intake.limits.containerBytes;
    const refusal = upload.write(data, handle.append ? undefined : offset, limit, this.now());
    if (refusal !== undefined) {
      // Dropped, so that a file that cannot be finished holds no memory; the error file says why.
      handle.dropped =
        refusal.kind === 'too-large'
          ? `/in/${upload.name} would be larger than ${limit} bytes, the most an upload may have; it was dropped`
          : `/in/${upload.name} was dropped: ${refusal.message}`;
      if (this.uploads.get(upload.name) === upload) this.uploads.delete(upload.name);
      upload.discard();
      this.engine.fileErrors.record(
        this.context.login,
        upload.name,
        errorFileOf(new Rejection(refusal.kind, refusal.code, handle.dropped)),
      );
      this.context.log(`sftp: ${this.context.username}: dropped ${upload.name}: ${refusal.message}`);
      throw new Refusal(STATUS_CODE.FAILURE, handle.dropped);
    }
    this.sftp.status(id, STATUS_CODE.OK);
  }

  async close(id: number, bytes: Buffer): Promise<void> {
    const { id: handleId, handle } = this.handleOf(bytes);
    this.handles.delete(handleId);
    if (handle.kind === 'writer') {
      handle.upload.writers--;
      if (handle.dropped !== undefined) throw new Refusal(STATUS_CODE.FAILURE, handle.dropped);
      this.taken(id, await this.takeWhenFinal(handle.upload));
    }
    this.sftp.status(id, STATUS_CODE.OK);
  }

  fstat(id: number, bytes: Buffer): void {
    const { handle } = this.handleOf(bytes);
    const entry =
      handle.kind === 'listing'
        ? { directory: true, size: 0, modifiedAt: this.now() }
        : handle.kind === 'reader'
          ? { directory: false, size: handle.content.length, modifiedAt: handle.modifiedAt }
          : { directory: false, size: handle.upload.size, modifiedAt: handle.upload.modifiedAt };
    this.sftp.attrs(id, attributes(entry));
  }

  /** Attributes of uploads are taken and ignored (clients set times and modes after a `put`). */
  fsetstat(id: number, bytes: Buffer): void {
    const { handle } = this.handleOf(bytes);
    if (handle.kind !== 'writer') throw denied('only uploads in /in may have their attributes set');
    this.sftp.status(id, STATUS_CODE.OK);
  }

  stat(id: number, path: string): void {
    this.sftp.attrs(id, this.home.attributesAt(this.locate(path), path));
  }

  setstat(id: number, path: string): void {
    const place = this.locate(path);
    if (place.kind !== 'upload') throw denied(`${path}: only uploads in /in may have their attributes set`);
    if (!this.uploads.has(place.name)) throw missing(path);
    this.sftp.status(id, STATUS_CODE.OK);
  }

  opendir(id: number, path: string): void {
    const place = this.locate(path);
    if (place.kind === 'directory') {
      this.makeRoomForHandle();
      const entries = this.home.listing(place.path);
      this.sftp.handle(id, this.addHandle({ path, kind: 'listing', entries, next: 0 }));
      return;
    }
    this.home.fileAt(place, path);
    throw new Refusal(STATUS_CODE.FAILURE, `${path} is not a folder`);
  }

  readdir(id: number, bytes: Buffer): void {
    const { handle } = this.handleOf(bytes);
    if (handle.kind !== 'listing') throw new Refusal(STATUS_CODE.FAILURE, 'the handle is not a folder');
    if (handle.next >= handle.entries.length) {
      this.sftp.status(id, STATUS_CODE.EOF);
      return;
    }
    const page = handle.entries.slice(handle.next, handle.next + ENTRIES_PER_READDIR);
    handle.next += page.length;
    this.sftp.name(
      id,
      page.map(
        (entry): FileEntry => ({
          filename: entry.name,
          longname: longname(entry, this.context.username),
          attrs: attributes(entry),
        }),
      ),
    );
  }

  realpath(id: number, path: string): void {
    const segments = homeSegments(path);
    if (segments === undefined) throw denied(`${path} is outside the home folder`);
    const resolved = homePath(segments);
    const place = placeOf(segments);
    const entry = { directory: place.kind === 'directory', size: 0, modifiedAt: this.now() };
    this.sftp.name(id, [{ filename: resolved, longname: resolved, attrs: attributes(entry) }]);
  }

  remove(id: number, path: string): void {
    const place = this.locate(path);
    switch (place.kind) {
      case 'upload': {
        const upload = this.uploads.get(place.name);
        if (upload === undefined) throw missing(path);
        this.uploads.delete(place.name);
        upload.discard();
        break;
      }
      case 'receipt': {
        const receipt = this.home.receiptNamed(place.name);
        if (receipt === undefined) throw missing(path);
        this.engine.receipts.acknowledge(this.admitted(), receipt.id);
        break;
      }
      case 'error': {
        const upload = uploadOfErrorFile(place.name);
        if (upload === undefined || !this.engine.fileErrors.dismiss(this.admitted(), upload))
          throw missing(path);
        break;
      }
      case 'directory':
        throw denied(`${path} is a folder of the fixed layout`);
      default:
        throw denied(`${path}: nothing is there, and nothing may be`);
    }
    this.sftp.status(id, STATUS_CODE.OK);
  }

  async rename(id: number, from: string, to: string): Promise<void> {
    const source = this.locate(from);
    const target = this.locate(to);
    if (source.kind !== 'upload' || target.kind !== 'upload')
      throw denied('only files in /in may be renamed, and only within /in');
    const upload = this.uploads.get(source.name);
    if (upload === undefined) throw missing(from);
    const problem = uploadNameProblem(target.name);
    if (problem !== undefined) throw denied(`${to}: ${problem}`);
    if (target.name !== source.name) {
      if (this.uploads.has(target.name)) throw new Refusal(STATUS_CODE.FAILURE, `${to} exists`);
      this.uploads.delete(source.name);
      upload.name = target.name;
      this.uploads.set(target.name, upload);
      this.taken(id, await this.takeWhenFinal(upload));
    }
    this.sftp.status(id, STATUS_CODE.OK);
  }

  // ---------------------------------------------------------------- taking uploads

  /** The system, admitted again; a refusal (e.g. deactivated since login) as its SFTP status. */
  private admitted(): SystemRecord {
    try {
      return this.context.admit();
    } catch (error) {
      if (error instanceof Rejection) throw refusalOf(error);
      throw error;
    }
  }

  /** What the request that took an upload says in the transcript: the MeMo taken, or the error file's code. */
  private taken(id: number, outcome: TakeOutcome): void {
    const note = this.notes.get(id);
    if (note === undefined) return;
    if (outcome.messageUUID !== undefined) note.messageUUID = outcome.messageUUID;
    if (outcome.code !== undefined) note.code = outcome.code;
  }

  /**
   * Takes an upload that is complete (no writer left) under a final name: it leaves `/in` and goes
   * to the engine, which has stored it when this resolves. A refusal by the engine becomes the
   * upload's error file; a success removes an error file left by an earlier upload of that name.
   */
  private async takeWhenFinal(upload: Upload): Promise<TakeOutcome> {
    const kind = uploadKind(upload.name);
    if (kind === undefined || upload.writers > 0 || this.uploads.get(upload.name) !== upload) return {};
    this.uploads.delete(upload.name);
    const { engine, login, username, log } = this.context;
    try {
      const system = this.context.admit();
      if (kind === 'container') {
        const { transmissionId, stored, rejected } = await engine.intake.submitContainer(
          system,
          upload.bytes(),
        );
        log(
          `sftp: ${username}: took ${upload.name}: container ${transmissionId}, ${stored} messages stored, ${rejected} rejected`,
        );
      } else {
        const { message } = await engine.intake.submitMemoFile(system, upload.bytes());
        log(`sftp: ${username}: took ${upload.name}: MeMo ${message.messageUUID}`);
        engine.fileErrors.dismiss(system, upload.name);
        return { messageUUID: message.messageUUID };
      }
      engine.fileErrors.dismiss(system, upload.name);
      return {};
    } catch (error) {
      if (!(error instanceof Rejection)) throw error;
      engine.fileErrors.record(login, upload.name, errorFileOf(error));
      log(`sftp: ${username}: did not take ${upload.name}: ${error.code}: ${error.message}`);
      return { code: error.code };
    } finally {
      upload.discard();
    }
  }
}
