/**
 * One attempt at a delivery the simulator makes (a MeMo, a receipt, a notification) through the
 * outbound port — or the outcome a fault rule gives it instead — and when the next attempt is due
 * after a failure (docs/differences.md, "Delivery, receipts and retries").
 */
import type { Job, SystemRecord } from '../domain/model.ts';
import { nextAttemptAt } from '../domain/retry.ts';
import type { EngineContext } from './context.ts';
import type { Faults, PUSH_OPERATIONS } from './faults.ts';
import type { PushOutcome } from './outbound.ts';

export type PushOperation = (typeof PUSH_OPERATIONS)[number];

export class Pusher {
  private readonly context: EngineContext;
  private readonly faults: Faults;

  constructor(context: EngineContext, faults: Faults) {
    this.context = context;
    this.faults = faults;
  }

  /**
   * Delivers to `system` at `url` with `send`, unless a fault rule decides the outcome. A success
   * is sent once more now and then under chaos (NgDP delivers at least once).
   */
  async attempt(
    operation: PushOperation,
    system: SystemRecord,
    url: string | undefined,
    send: (url: string, timeoutMs: number) => Promise<PushOutcome>,
  ): Promise<PushOutcome> {
    const faulted = await this.faults.forPush(operation, system.id);
    if (faulted !== undefined) return faulted;
    if (url === undefined) return { ok: false, reason: 'the system has no endpoint configured' };
    const { pushTimeoutMs } = this.context.settings;
    const outcome = await send(url, pushTimeoutMs);
    if (outcome.ok && this.faults.repeatPush()) await send(url, pushTimeoutMs);
    return outcome;
  }

  /**
   * When the attempt after `attempts` attempts is due, at the same target or (`fallback`) at the
   * organisation's default recipient system; undefined when the schedule is exhausted.
   */
  nextAttempt(firstAttemptAt: number, attempts: number, fallback: boolean): number | undefined {
    const next = nextAttemptAt(this.context.settings.retry, attempts, firstAttemptAt, fallback);
    return next === undefined ? undefined : Math.max(next, this.context.now());
  }

  /**
   * After a failed attempt of a job that counts its own attempts (receipts, notifications): the job
   * again at the next attempt's time, or gone when the schedule is exhausted or it is no longer
   * `wanted` (inside a change). `attemptAt` is when this attempt began.
   */
  retryLater(job: Job, attemptAt: number, wanted = true): void {
    const { store } = this.context;
    const firstAttemptAt = Number(job.data?.firstAttemptAt ?? attemptAt);
    const attempts = job.attempt + 1;
    const next = this.nextAttempt(firstAttemptAt, attempts, false);
    if (next === undefined || !wanted) store.deleteJob(job.id);
    else store.putJob({ ...job, dueAt: next, attempt: attempts, data: { firstAttemptAt } });
  }
}
