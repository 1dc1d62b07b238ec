/**
 * The messages between the pool (`pool.ts`, on the main thread) and a MeMo thread
 * (`memo-thread.ts`). Bytes travel as transferred ArrayBuffers, never copied. Every message names
 * its job; a thread runs several jobs at once (a container job waits for room now and then).
 */
import type { MemoReading, ValidationRules } from '../domain/memo-digest.ts';

/** What a thread is started with. */
export interface ThreadData {
  rules: ValidationRules;
}

/** Limits of reading one container (the engine's container limits less the compressed size). */
export interface ContainerJobLimits {
  maxEntries: number;
  maxEntryBytes: number;
  maxTotalBytes: number;
}

/** A container entry as it crosses: `prepaid` when the main thread charged its size before it was decoded. */
export type WireEntry = {
  name: string;
  messageUUID: string | undefined;
  xml: Uint8Array;
  prepaid: boolean;
} & MemoReading;

/** A failure of a job, as it crosses (errors do not keep their class between threads). */
export interface WireError {
  name: string;
  message: string;
  /** A ContainerError's code. */
  code?: string;
}

export type ToThread =
  /** Read one MeMo. */
  | { type: 'read'; job: number; xml: Uint8Array }
  /** Read a container's entries. */
  | { type: 'container'; job: number; container: Uint8Array; limits: ContainerJobLimits }
  /** The room asked for with `reserve` is held: go on. */
  | { type: 'granted'; job: number }
  /** Entries not prepaid were charged: `bytes` of the thread's lookahead are free again. */
  | { type: 'ack'; job: number; bytes: number }
  /** The container's reader has stopped (or there was no room): end the job, send nothing more. */
  | { type: 'stop'; job: number };

export type FromThread =
  /** The thread has loaded its modules and takes jobs (job 0: no job). */
  | { type: 'ready'; job: 0 }
  | { type: 'read'; job: number; xml: Uint8Array; reading: MemoReading }
  /** Before decoding an entry this large: hold `bytes` for it, then answer `granted`. */
  | { type: 'reserve'; job: number; bytes: number }
  | { type: 'entries'; job: number; entries: WireEntry[] }
  /** The container has no more entries. */
  | { type: 'end'; job: number }
  | { type: 'failed'; job: number; error: WireError };

/**
 * An array the receiving thread can own: `bytes` itself when it is the whole of its own ArrayBuffer
 * (then it is moved, not copied), else a copy of just its bytes — a view of a shared pool, or of a
 * larger buffer, must not take the rest of that buffer along.
 */
export function movable(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const { buffer } = bytes;
  if (buffer instanceof ArrayBuffer && bytes.byteOffset === 0 && bytes.byteLength === buffer.byteLength)
    return bytes as Uint8Array<ArrayBuffer>;
  return new Uint8Array(bytes);
}
