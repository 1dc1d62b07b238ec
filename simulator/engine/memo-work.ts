/**
 * The MeMo work port: reading, checking and hashing MeMos, and reading bulk containers — the part
 * of taking messages in that costs CPU in proportion to their size. The engine awaits it and never
 * knows where it runs. {@link InlineMemoWork} runs it on the calling thread (engine tests, and
 * `workerThreads: 0`); `simulator/threads/` runs large MeMos and containers on worker threads, so
 * that a 100 MB MeMo or a decompression bomb does not stop the simulator from answering others.
 */
import { readContainer } from '../../sdk/memo/container.ts';
import { digestMemo, type MemoReading, type ValidationRules } from '../domain/memo-digest.ts';
import type { Hold } from './memory-budget.ts';
import type { ContainerLimits } from './settings.ts';

/** A MeMo read, with its bytes (handed back: they may have been on another thread meanwhile). */
export type MemoRead = { xml: Uint8Array } & MemoReading;

/** A container entry read: its name in the tar, the messageUUID its name gives, and its MeMo. */
export type EntryRead = {
  name: string;
  /** Lower case; undefined when the name is not `<uuid>.xml`. */
  messageUUID: string | undefined;
  xml: Uint8Array;
} & MemoReading;

export interface ContainerReading {
  limits: ContainerLimits;
  /** Charged with each entry's size before the entry is decoded; what it throws stops the reading. */
  hold: Hold;
}

export interface MemoWork {
  /**
   * Reads one MeMo against the engine's MeMo rules. The bytes may be handed to another thread and
   * back: afterwards use the result's `xml`, not the array given, which may have been emptied.
   *
   * @throws only on a bug: a MeMo that cannot be read is a result (`unreadable`), not an error.
   */
  read(xml: Uint8Array): Promise<MemoRead>;
  /**
   * Reads a bulk container's entries in order, decoding each only once the one before has been
   * taken and its size has been charged to `hold`. The container's bytes are handed over: do not
   * use them afterwards.
   *
   * @throws ContainerError when the container cannot be read or breaks a limit; what `hold`
   *   throws, as it is.
   */
  readContainer(container: Uint8Array, reading: ContainerReading): AsyncIterable<EntryRead>;
  /** Ends the work's threads, if it has any. */
  close(): Promise<void>;
}

/** The work done on the calling thread: simple and fast for small MeMos, but it holds the thread. */
export class InlineMemoWork implements MemoWork {
  private readonly rules: ValidationRules;

  constructor(rules: ValidationRules) {
    this.rules = rules;
  }

  async read(xml: Uint8Array): Promise<MemoRead> {
    return { xml, ...digestMemo(xml, this.rules) };
  }

  async *readContainer(container: Uint8Array, { limits, hold }: ContainerReading): AsyncIterable<EntryRead> {
    const entries = readContainer(container, {
      maxEntries: limits.maxEntries,
      maxEntryBytes: limits.maxEntryBytes,
      maxTotalBytes: limits.maxTotalBytes,
      beforeEntry: ({ size }) => hold.grow(size),
    });
    for await (const { name, messageUUID, xml } of entries)
      yield { name, messageUUID, xml, ...digestMemo(xml, this.rules) };
  }

  async close(): Promise<void> {}
}
