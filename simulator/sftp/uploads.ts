/**
 * The files in the `/in` folders: uploaded, or being uploaded, and not yet taken. They are kept in
 * memory, bounded per file and held against the engine's memory budget, and shared by every
 * session of a system (a client that reconnects finds its `*.part` files again); they do not
 * outlive the simulator process, nor a reset.
 */
import type { Hold } from '../engine/memory-budget.ts';
import { Rejection, reject } from '../engine/rejections.ts';

/** One write, as it came: a later write wins where two overlap. */
interface Extent {
  at: number;
  data: Buffer;
}

/** Bytes kept beyond twice the file's size before the writes are merged into one buffer. */
const MERGE_SLACK = 1024 * 1024;

/**
 * One file in `/in`. Writes are kept as they come and merged into one buffer only when the file is
 * taken (or when rewrites pile up), so every write costs its own length wherever it lands: a
 * client writing out of order costs no more than one writing in order.
 */
export class Upload {
  name: string;
  /** When it was last written (simulator time, ms). */
  modifiedAt: number;
  /** Write handles open on it; it is taken only once none is. */
  writers = 0;
  private extents: Extent[] = [];
  private length = 0;
  /** Bytes in `extents` (more than `length` where writes overlapped). */
  private kept = 0;
  private readonly hold: Hold;
  /** No longer in `/in` (removed, dropped, replaced, reset): writes still coming go nowhere. */
  private discarded = false;

  /** `hold`: what the upload's bytes are held against; released when it is discarded. */
  constructor(name: string, now: number, hold: Hold) {
    this.name = name;
    this.modifiedAt = now;
    this.hold = hold;
  }

  get size(): number {
    return this.length;
  }

  /**
   * Writes `data` at `offset` (the end when undefined). Writes nothing and returns the refusal when
   * the file would grow past `limit` bytes (`too-large`) or the memory budget has no room for the
   * bytes now (`unavailable`).
   */
  write(data: Uint8Array, offset: number | undefined, limit: number, now: number): Rejection | undefined {
    const at = offset ?? this.length;
    const end = at + data.byteLength;
    if (end > limit) return reject.tooLarge(`/in/${this.name} would be larger than ${limit} bytes`);
    if (this.discarded) return undefined;
    const refusal = this.charge(data.byteLength);
    if (refusal !== undefined) return refusal;
    this.modifiedAt = now;
    // A copy, because the protocol layer reuses its buffers.
    this.extents.push({ at, data: Buffer.from(data) });
    this.kept += data.byteLength;
    this.length = Math.max(this.length, end);
    // Rewrites of the same bytes pile up; merging them keeps the upload near its size.
    if (this.kept > 2 * this.length + MERGE_SLACK) this.merge();
    return undefined;
  }

  /** Up to `length` bytes from `offset` (fewer at the end of the file). */
  read(offset: number, length: number): Buffer {
    const end = Math.min(this.length, offset + length);
    if (offset >= end) return Buffer.alloc(0);
    const [only] = this.extents;
    if (this.extents.length === 1 && only !== undefined && only.at === 0)
      return only.data.subarray(offset, end);
    const out = Buffer.alloc(end - offset);
    for (const { at, data } of this.extents) {
      const from = Math.max(at, offset);
      const to = Math.min(at + data.length, end);
      if (from < to) data.copy(out, from - offset, from - at, to - at);
    }
    return out;
  }

  /**
   * The content, in one buffer, for taking the upload; it stays held until {@link discard}.
   *
   * @throws Rejection `unavailable` when the budget has no room to put the writes together now.
   */
  bytes(): Buffer {
    const refusal = this.merge();
    if (refusal !== undefined) throw refusal;
    return this.extents[0]?.data ?? Buffer.alloc(0);
  }

  /** Lets go of the content and of its hold; writes still coming go nowhere. */
  discard(): void {
    this.discarded = true;
    this.extents = [];
    this.kept = 0;
    this.hold.release();
  }

  private charge(bytes: number): Rejection | undefined {
    try {
      this.hold.grow(bytes);
      return undefined;
    } catch (error) {
      if (error instanceof Rejection) return error;
      throw error;
    }
  }

  /**
   * Puts the writes together into one buffer of the file's size (holes are zeros), in the order they
   * came. The refusal when the budget has no room for that buffer now (nothing changed then).
   */
  private merge(): Rejection | undefined {
    const [only] = this.extents;
    if (this.extents.length === 1 && only?.at === 0 && only.data.length === this.length) return undefined;
    const refusal = this.charge(this.length);
    if (refusal !== undefined) return refusal;
    // Written in order, end to end (as clients do), every byte is covered: no need to zero it first.
    let covered = 0;
    for (const { at, data } of this.extents) covered = at === covered ? covered + data.length : -1;
    const whole = covered === this.length ? Buffer.allocUnsafe(this.length) : Buffer.alloc(this.length);
    for (const { at, data } of this.extents) whole.set(data, at);
    this.hold.shrink(this.kept);
    this.extents = [{ at: 0, data: whole }];
    this.kept = this.length;
    return undefined;
  }
}

/** The `/in` folder of each system, by system id. */
export class UploadFolders {
  private readonly folders = new Map<string, Map<string, Upload>>();

  of(systemId: string): Map<string, Upload> {
    let folder = this.folders.get(systemId);
    if (folder === undefined) {
      folder = new Map();
      this.folders.set(systemId, folder);
    }
    return folder;
  }

  /**
   * Empties every folder (a reset of the simulator). Sessions keep their folder, now empty; a file
   * still open for writing is written on and then dropped: it is no longer in its folder, so it is
   * never taken.
   */
  clear(): void {
    for (const folder of this.folders.values()) {
      for (const upload of folder.values()) upload.discard();
      folder.clear();
    }
  }
}
