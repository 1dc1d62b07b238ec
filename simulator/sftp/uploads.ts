/**
 * The files in the `/in` folders: uploaded, or being uploaded, and not yet taken. They are kept in
 * memory, bounded per file, and shared by every session of a system (a client that reconnects
 * finds its `*.part` files again); they do not outlive the simulator process, nor a reset.
 */

/** One file in `/in`. */
export class Upload {
  name: string;
  /** When it was last written (simulator time, ms). */
  modifiedAt: number;
  /** Write handles open on it; it is taken only once none is. */
  writers = 0;
  private chunks: Buffer[] = [];
  private length = 0;

  constructor(name: string, now: number) {
    this.name = name;
    this.modifiedAt = now;
  }

  get size(): number {
    return this.length;
  }

  /**
   * Writes `data` at `offset` (the end when undefined). Returns false, writing nothing, when the
   * file would grow past `limit` bytes.
   */
  write(data: Uint8Array, offset: number | undefined, limit: number, now: number): boolean {
    const at = offset ?? this.length;
    const end = at + data.byteLength;
    if (end > limit) return false;
    this.modifiedAt = now;
    // Clients write in order; a copy, because the protocol layer reuses its buffers.
    if (at === this.length) {
      this.chunks.push(Buffer.from(data));
      this.length = end;
      return true;
    }
    const whole = Buffer.alloc(Math.max(end, this.length));
    this.bytes().copy(whole);
    whole.set(data, at);
    this.chunks = [whole];
    this.length = whole.length;
    return true;
  }

  /** The content, in one buffer. */
  bytes(): Buffer {
    if (this.chunks.length !== 1) this.chunks = [Buffer.concat(this.chunks, this.length)];
    return this.chunks[0] as Buffer;
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
    for (const folder of this.folders.values()) folder.clear();
  }
}
