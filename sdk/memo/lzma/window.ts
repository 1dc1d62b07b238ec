/**
 * The sliding dictionary: the last `dictionarySize` bytes of output, which matches copy from. It
 * starts small and doubles in place as output accumulates, so a small stream declaring NgDP's
 * 128 MiB dictionary costs only about its own size; once at full size it wraps around. Decoded bytes are
 * handed out with {@link OutWindow.take} before the space they occupy is reused.
 */
const INITIAL_CAPACITY = 64 * 1024;

/**
 * ES2024's resizable ArrayBuffer (Node ≥ 20), typed here since the project builds against ES2023's
 * lib. It grows in place: growing the window never holds the old and the new buffer at once.
 */
interface ResizableArrayBuffer extends ArrayBuffer {
  resize(byteLength: number): void;
}
const ResizableArrayBuffer = ArrayBuffer as unknown as new (
  byteLength: number,
  options: { maxByteLength: number },
) => ResizableArrayBuffer;

export class OutWindow {
  buffer: Uint8Array;
  private readonly memory: ResizableArrayBuffer;
  /** Where the next byte goes. */
  position = 0;
  /** Bytes written since the start of the stream (LZMA's position for lp/pb). */
  total = 0;
  /** Start of the bytes not yet handed out with {@link take}. */
  private pending = 0;
  /** Set once the window has wrapped: every byte of the buffer is then history. */
  private wrapped = false;
  private readonly maxCapacity: number;

  constructor(maxCapacity: number) {
    this.maxCapacity = maxCapacity;
    const initial = Math.min(maxCapacity, INITIAL_CAPACITY);
    this.memory = new ResizableArrayBuffer(initial, { maxByteLength: maxCapacity });
    // A fixed-length view, which V8 optimises like any other; replaced when the memory grows.
    this.buffer = new Uint8Array(this.memory, 0, initial);
  }

  /** Bytes written and not yet taken. */
  get untaken(): number {
    return this.position - this.pending;
  }

  /**
   * How far the decoder may write before it must stop and let {@link take} run: the end of the
   * buffer (after growing it, or wrapping once everything was taken), and at most `chunkSize`
   * untaken bytes.
   */
  writeLimit(chunkSize: number): number {
    if (this.position === this.buffer.length && this.pending === this.position) {
      if (this.buffer.length < this.maxCapacity) this.grow();
      else {
        this.position = 0;
        this.pending = 0;
        this.wrapped = true;
      }
    }
    return Math.min(this.buffer.length, this.pending + chunkSize);
  }

  /** True when a match `distance` bytes back (1 = the last byte) lies in the history. */
  reaches(distance: number): boolean {
    return distance <= (this.wrapped ? this.buffer.length : this.position);
  }

  get isEmpty(): boolean {
    return this.position === 0 && !this.wrapped;
  }

  /** The byte `distance` back (1 = the last byte written); the caller checked {@link reaches}. */
  byteAt(distance: number): number {
    const index = this.position - distance;
    return this.buffer[index < 0 ? index + this.buffer.length : index]!;
  }

  put(byte: number): void {
    this.buffer[this.position++] = byte;
    this.total++;
  }

  /** Copies `length` bytes from `distance` back; may overlap itself (a run), stays below the limit. */
  copy(distance: number, length: number): void {
    const buffer = this.buffer;
    const capacity = buffer.length;
    let from = this.position - distance;
    if (from < 0) from += capacity;
    let to = this.position;
    for (let i = 0; i < length; i++) {
      buffer[to++] = buffer[from++]!;
      if (from === capacity) from = 0;
    }
    this.position = to;
    this.total += length;
  }

  /** Hands out a copy of the bytes written since the last call. */
  take(): Uint8Array {
    const bytes = this.buffer.slice(this.pending, this.position);
    this.pending = this.position;
    return bytes;
  }

  private grow(): void {
    const capacity = Math.min(this.maxCapacity, this.buffer.length * 2);
    this.memory.resize(capacity);
    this.buffer = new Uint8Array(this.memory, 0, capacity);
  }
}
