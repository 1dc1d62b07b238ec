/**
 * Group commit: changes requested during one turn of the event loop are written in one store
 * transaction, each in its own savepoint, and every caller learns its own outcome once the whole
 * group has committed. With SQLite that turns one commit per request into one per busy moment —
 * the same promise of durability (nothing is answered before it is on disk), far fewer commits.
 */
import type { Store } from '../store/store.ts';

interface Pending {
  work: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

export class GroupCommit {
  private readonly store: Store;
  private queue: Pending[] = [];
  private scheduled = false;
  private readonly afterCommit: () => void;

  constructor(store: Store, afterCommit: () => void) {
    this.store = store;
    this.afterCommit = afterCommit;
  }

  /** Runs `work` in the next group's transaction; resolves with its result after the commit. */
  run<T>(work: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const group = this.queue;
    this.queue = [];
    const outcomes: Array<{ ok: true; value: unknown } | { ok: false; error: unknown }> = [];
    try {
      this.store.transaction(() => {
        for (const pending of group) {
          try {
            outcomes.push({ ok: true, value: this.store.transaction(pending.work) });
          } catch (error) {
            outcomes.push({ ok: false, error });
          }
        }
      });
    } catch (error) {
      // The commit itself failed: nothing of the group was written.
      for (const pending of group) pending.reject(error);
      return;
    }
    group.forEach((pending, index) => {
      const outcome = outcomes[index];
      if (outcome?.ok) pending.resolve(outcome.value);
      else pending.reject(outcome?.error);
    });
    this.afterCommit();
  }
}
