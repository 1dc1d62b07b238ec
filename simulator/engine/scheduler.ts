/**
 * Runs the store's jobs when they fall due on the simulator clock: deliveries, retries, value
 * dates, delayed receipts. Jobs live in the store, so they survive a restart with `--data-dir`.
 *
 * Due jobs run concurrently (up to `concurrency`), each job being responsible for deleting or
 * rescheduling itself in the store. A job whose runner throws is tried again a minute later, and
 * given up after a few failures. With a manual clock, `advanceTo` moves time job by job so every
 * job runs at its own due time, in order.
 */
import type { Clock } from '../clock.ts';
import type { Job } from '../domain/model.ts';
import type { Store } from '../store/store.ts';

export type JobRunner = (job: Job) => Promise<void> | void;

/** Jobs the engine runs synchronously (no I/O); the scheduler batches them into one transaction. */
export interface SyncJobs {
  isSync(job: Job): boolean;
  run(job: Job): void;
}

/** At most this many synchronous jobs share one transaction (one commit with --data-dir). */
const SYNC_BATCH = 64;

/** Longest timer Node accepts. */
const MAX_TIMER = 2 ** 31 - 1;
/** A job whose runner threw is tried again this much later (simulator time). */
const FAILED_JOB_DELAY = 60_000;
/**
 * A job whose runner threw this often is given up: a runner that throws is a bug or a state no
 * retry mends, and trying it every minute for ever would leave its message without a final state.
 */
export const MAX_JOB_FAILURES = 5;

export class Scheduler {
  private readonly inFlight = new Set<string>();
  private readonly idleWaiters: Array<() => void> = [];
  private timer: NodeJS.Timeout | undefined;
  private pumpQueued = false;
  private stopped = false;
  private readonly store: Store;
  private readonly clock: Clock;
  private readonly run: JobRunner;
  private readonly sync: SyncJobs | undefined;
  private readonly concurrency: number;
  private readonly onError: (error: unknown, job: Job) => void;
  private readonly giveUp: (job: Job, error: unknown) => void;

  constructor(options: {
    store: Store;
    clock: Clock;
    run: JobRunner;
    sync?: SyncJobs;
    concurrency?: number;
    onError: (error: unknown, job: Job) => void;
    /** Ends what a job was for once it failed {@link MAX_JOB_FAILURES} times (inside a transaction). */
    giveUp?: (job: Job, error: unknown) => void;
  }) {
    this.store = options.store;
    this.clock = options.clock;
    this.run = options.run;
    this.sync = options.sync;
    this.concurrency = options.concurrency ?? 32;
    this.onError = options.onError;
    this.giveUp = options.giveUp ?? (() => {});
  }

  /**
   * After a job's runner threw (its own changes undone): tried again a minute later, or, after
   * {@link MAX_JOB_FAILURES} failures, removed and given up.
   */
  private failed(job: Job, error: unknown): void {
    this.onError(error, job);
    const failures = (job.failures ?? 0) + 1;
    this.store.transaction(() => {
      if (failures < MAX_JOB_FAILURES) {
        this.store.putJob({ ...job, failures, dueAt: this.clock.now() + FAILED_JOB_DELAY });
        return;
      }
      this.store.deleteJob(job.id);
      try {
        this.store.transaction(() => this.giveUp(job, error));
      } catch (giveUpError) {
        this.onError(giveUpError, job);
      }
    });
  }

  /** Look for due jobs soon (after new jobs were scheduled or the clock moved). */
  wake(): void {
    if (this.pumpQueued || this.stopped) return;
    this.pumpQueued = true;
    setImmediate(() => {
      this.pumpQueued = false;
      this.pump();
    });
  }

  private pump(): void {
    if (this.stopped) return;
    const due = this.store
      .listDueJobs(this.clock.now(), this.concurrency + this.inFlight.size + SYNC_BATCH)
      .filter((job) => !this.inFlight.has(job.id));
    const sync = this.sync;
    // Asked once per job: running the batch may change the answer (a processed message's MeMo
    // leaves the cache), and a job must not then be started a second time.
    const synchronous = new Set(sync === undefined ? [] : due.filter((job) => sync.isSync(job)));
    const batch = [...synchronous].slice(0, SYNC_BATCH);
    if (sync !== undefined && batch.length > 0) this.runBatch(sync, batch);
    for (const job of due) {
      if (this.inFlight.size >= this.concurrency) break;
      if (!synchronous.has(job)) this.start(job);
    }
    this.armTimer();
    this.checkIdle();
  }

  /**
   * Runs synchronous jobs in order inside one transaction: with SQLite that is one commit for the
   * batch instead of one per job. Each job's own transaction is a savepoint, so a failing job
   * undoes only itself and is tried again later. More due jobs are picked up by the next pump,
   * after pending I/O has had its turn.
   */
  private runBatch(sync: SyncJobs, batch: Job[]): void {
    this.store.transaction(() => {
      for (const job of batch) {
        try {
          sync.run(job);
        } catch (error) {
          this.failed(job, error);
        }
      }
    });
    this.wake();
  }

  private start(job: Job): void {
    this.inFlight.add(job.id);
    Promise.resolve()
      .then(() => this.run(job))
      .catch((error: unknown) => {
        try {
          this.failed(job, error);
        } catch (storeError) {
          this.onError(storeError, job);
        }
      })
      .finally(() => {
        this.inFlight.delete(job.id);
        this.wake();
      });
  }

  private armTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.clock.mode !== 'real' || this.stopped) return;
    const next = this.store.nextJob();
    if (next === undefined || this.inFlight.has(next.id)) return;
    const delay = Math.min(Math.max(next.dueAt - this.clock.now(), 0), MAX_TIMER);
    this.timer = setTimeout(() => this.wake(), delay);
    this.timer.unref();
  }

  private isIdle(): boolean {
    if (this.inFlight.size > 0) return false;
    const next = this.store.nextJob();
    return next === undefined || next.dueAt > this.clock.now();
  }

  private checkIdle(): void {
    if (this.idleWaiters.length === 0 || !(this.stopped || this.isIdle())) return;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  /** Resolves when no job is running and none is due. */
  idle(): Promise<void> {
    if (this.stopped || this.isIdle()) return Promise.resolve();
    const done = new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    this.wake();
    return done;
  }

  /**
   * Moves a manual clock to `target` with `moveTo`, running every job due on the way at its due
   * time.
   */
  async advanceTo(target: number, moveTo: (instant: number) => void): Promise<void> {
    for (;;) {
      await this.idle();
      const next = this.store.nextJob();
      if (next === undefined || next.dueAt > target) break;
      if (next.dueAt > this.clock.now()) moveTo(next.dueAt);
      this.wake();
    }
    if (target > this.clock.now()) moveTo(target);
    this.wake();
    await this.idle();
  }

  /** Stops scheduling; resolves when running jobs have finished. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    while (this.inFlight.size > 0) await new Promise((resolve) => setTimeout(resolve, 5));
    this.checkIdle();
  }

  /** Starts again after `stop` (used by reset). */
  resume(): void {
    this.stopped = false;
    this.wake();
  }
}
