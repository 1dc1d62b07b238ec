/**
 * One attempt at a delivery the simulator makes (a MeMo, a receipt, a notification) through the
 * outbound port — or the outcome a fault rule gives it instead — and when the next attempt is due
 * after a failure (docs/differences.md, "Delivery, receipts and retries").
 */
import type { Job, SystemRecord } from '../domain/model.ts';
import { nextAttemptAt, windowEndsAt } from '../domain/retry.ts';
import type { EngineContext } from './context.ts';
import type { Faults, PUSH_OPERATIONS } from './faults.ts';
import type { PushOutcome } from './outbound.ts';
import type { Transcript } from './transcript.ts';

export type PushOperation = (typeof PUSH_OPERATIONS)[number];

/** What the transcript says of a push besides the call itself. */
export interface PushSubject {
  messageUUID?: string | undefined;
  /** A pushed receipt's errorCode. */
  code?: string | undefined;
  /** The size and SHA-256 of what is pushed, when the engine knows it (a MeMo's XML). */
  body?: { bytes: number; sha256: string } | undefined;
}

/** How an attempt goes: as every attempt (chaos may repeat a success), or exactly once. */
export interface AttemptOptions {
  once?: boolean;
}

export class Pusher {
  private readonly context: EngineContext;
  private readonly faults: Faults;
  private readonly transcript: Transcript;

  constructor(context: EngineContext, faults: Faults, transcript: Transcript) {
    this.context = context;
    this.faults = faults;
    this.transcript = transcript;
  }

  /**
   * Delivers to `system` at `url` with `send`, unless a fault rule decides the outcome. A success
   * is sent once more now and then under chaos (NgDP delivers at least once), unless `once`. Each
   * call made, and each outcome a fault rule gave instead, goes into the transcript.
   */
  async attempt(
    operation: PushOperation,
    system: SystemRecord,
    url: string | undefined,
    send: (url: string, timeoutMs: number) => Promise<PushOutcome>,
    subject: PushSubject = {},
    options: AttemptOptions = {},
  ): Promise<PushOutcome> {
    const note = () => {
      const started = this.transcript.push({ systemId: system.id, operation, url: url ?? '', ...subject });
      if (subject.body !== undefined) started.bodyKnown(subject.body.bytes, subject.body.sha256);
      return started;
    };
    const first = note();
    const faulted = await this.faults.forPush(operation, system.id);
    if (faulted !== undefined) first.fault = faulted.fault;
    if (faulted?.outcome !== undefined) {
      first.end(faulted.outcome.status ?? null);
      return faulted.outcome;
    }
    // Nothing to call: no entry, as no call is made.
    if (url === undefined) return { ok: false, reason: 'the system has no endpoint configured' };
    const { pushTimeoutMs } = this.context.settings;
    const made = async (entry: ReturnType<typeof note>): Promise<PushOutcome> => {
      const outcome = await send(url, pushTimeoutMs);
      if (outcome.sent !== undefined && subject.body === undefined)
        entry.bodyKnown(outcome.sent.bytes, outcome.sent.sha256);
      entry.end(outcome.status ?? null);
      return outcome;
    };
    const outcome = await made(first);
    if (outcome.ok && !options.once && this.faults.repeatPush()) await made(note());
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

  /** When the resend window of a push first attempted at `firstAttemptAt` ends. */
  windowEndsAt(firstAttemptAt: number): number {
    return windowEndsAt(this.context.settings.retry, firstAttemptAt);
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
    else store.putJob({ ...job, dueAt: next, attempt: attempts, data: { ...job.data, firstAttemptAt } });
  }
}
