/**
 * The one account of the memory that requests take while they are in flight: request bodies,
 * SFTP uploads in `/in`, the entries of a bulk container being read and its decoder's window.
 * Whoever holds such bytes holds them against this budget first; what does not fit now is refused
 * as `unavailable` (503 with Retry-After, an SFTP FAILURE) and what could never fit as `too-large`.
 * So no number of concurrent callers can make the simulator allocate more than the budget (plus
 * the work of one message per thread), and none of them is answered with an allocation failure.
 *
 * It counts what callers declare; it does not measure the heap. Stored messages are not in flight:
 * the store's memory is the store's.
 */
import { reject } from './rejections.ts';

/** Bytes held against the budget by one request, upload or container; give them back with `release`. */
export interface Hold {
  /** What the bytes are for, in refusals: "the request body", "/in/x.tar.lzma", … */
  readonly what: string;
  /** Bytes held now. */
  readonly bytes: number;
  /**
   * Holds `bytes` more.
   *
   * @throws Rejection `unavailable` when the budget has no room for them now, `too-large` when this
   *   hold would need more than the whole budget.
   */
  grow(bytes: number): void;
  /** Gives back `bytes` of what it holds. */
  shrink(bytes: number): void;
  /** Gives back everything it holds; the hold may be used again. */
  release(): void;
}

export class MemoryBudget {
  /** The budget, bytes. */
  readonly capacity: number;
  private inUse = 0;

  constructor(capacity: number) {
    this.capacity = capacity;
  }

  /** Bytes held by every hold together. */
  get used(): number {
    return this.inUse;
  }

  /** A new, empty hold. */
  hold(what: string): Hold {
    const budget = this;
    let held = 0;
    return {
      what,
      get bytes() {
        return held;
      },
      grow(bytes) {
        if (bytes <= 0) return;
        if (held + bytes > budget.capacity) throw reject.overBudget(what, held + bytes, budget.capacity);
        if (budget.inUse + bytes > budget.capacity) throw reject.busy(what, budget.inUse, budget.capacity);
        held += bytes;
        budget.inUse += bytes;
      },
      shrink(bytes) {
        const given = Math.min(held, Math.max(0, bytes));
        held -= given;
        budget.inUse -= given;
      },
      release() {
        budget.inUse -= held;
        held = 0;
      },
    };
  }
}
