/**
 * What the MeMo receiver and the notification receiver share once a MeMo is in hand: hand it to
 * `onMemo` once per messageUUID, answer NgDP, then post the business receipt.
 */
import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { DigitalPostClient } from '../client/client.ts';
import { ConflictError, DigitalPostError, InvalidOptionsError, ReceiverRefusal } from '../errors.ts';
import { backoffMs, type RetryOptions, type RetrySettings, retrySettings } from '../http/retry.ts';
import type { Memo } from '../memo/types.ts';
import { type ValidateOptions, validateMemo } from '../memo/validate.ts';
import { answer } from './http.ts';
import { type Inspection, receiptMessage } from './inspect.ts';
import { type ErrorContext, type ErrorHandler, refuse, reporter } from './report.ts';
import { checkVerify, type VerifyCaller } from './verify.ts';

/** A valid MeMo delivered to your recipient system. */
export interface ReceivedMemo {
  /** The MeMo's own `MessageHeader/messageUUID`. */
  messageUUID: string;
  memo: Memo;
  /** The XML exactly as delivered. */
  xml: Buffer;
  /**
   * SHA-256 of `xml`, hex. A pushed MeMo is recognised as a redelivery only by the same
   * messageUUID with the same bytes: should `onMemo` get a messageUUID it has handled before with
   * other bytes, one of the two was not sent by NgDP (see `seen`).
   */
  sha256: string;
}

/**
 * Which deliveries `onMemo` has handled, so that a redelivery is not handled twice. Give one backed
 * by your database to keep that promise across restarts and across processes; the receiver itself
 * also never runs `onMemo` for one messageUUID twice at once within its process.
 *
 * Keys are strings of at most 101 characters:
 * - a MeMo pushed to `createMemoReceiver` — which anyone who can reach the endpoint can POST — is
 *   known by its lower-case messageUUID, a colon and the SHA-256 of its bytes in hex
 *   (`"<messageUUID>:<sha256>"`). A body under a real messageUUID that NgDP did not send is then
 *   recorded under its own bytes, and the genuine MeMo pushed afterwards still reaches `onMemo`.
 * - a MeMo `createNotificationReceiver` fetched from NgDP itself is known by its lower-case
 *   messageUUID: whoever sent the notification, what `onMemo` got came from NgDP.
 *
 * A key is added only after `onMemo` resolved for that delivery.
 */
export interface SeenStore {
  has(key: string): boolean | Promise<boolean>;
  add(key: string): void | Promise<void>;
}

/** Options shared by {@link createMemoReceiver} and {@link createNotificationReceiver}. */
export interface MemoHandlingOptions {
  /** The recipient system's client: it posts the business receipts (and fetches notified MeMos). */
  client: DigitalPostClient;
  /**
   * Your handling of a valid MeMo. NgDP gets its 2xx only once this has resolved; if it throws,
   * NgDP gets a 500, no receipt is sent, and NgDP delivers the MeMo again later.
   */
  onMemo: (received: ReceivedMemo) => void | Promise<void>;
  /** The rules MeMos are validated against (default: NgDP's, as `validateMemo`). */
  validation?: ValidateOptions;
  /** Default: in memory, the last 100 000 keys (handled deliveries) of this process. */
  seen?: SeenStore;
  /**
   * Told about everything that went wrong: a MeMo answered with an INVALID receipt
   * (`MemoParseError`, `MemoValidationError`), the error `onMemo` threw, a receipt NgDP did not
   * take (`ApiError`, `ConnectionError`, `TimeoutError`, `UnknownOutcomeError`; a 409 "already
   * given" is not an error) — each attempt, with `receiptRetryInMs` while it will be posted again —
   * a failing SeenStore, and refused requests (`ReceiverRefusal`: status and code). The context
   * names the `messageUUID` and, where the receiver holds it, the MeMo's raw bytes (`xml`).
   * Default: one line on stderr.
   */
  onError?: ErrorHandler;
  /**
   * Decides, before anything of a request is read, whether it comes from NgDP: e.g.
   * `requireClientCertificate({ fingerprints })`. Refused callers get 401 or 403 (docs/sdk.md,
   * "Only NgDP may push").
   */
  verify?: VerifyCaller;
  /**
   * Posting a business receipt NgDP did not take — it failed in transit, or NgDP refused it for
   * now (429, 5xx, or 401/403 while a key or an allow-list is being fixed) — again, with backoff:
   * after the 2xx NgDP does not push the MeMo again, so a receipt not posted would be lost. Default
   * `{ maxRetries: 8, initialDelayMs: 10_000, maxDelayMs: 600_000 }` (about half an hour with
   * jitter), on top of the client's own retries; `false` for none. A receipt refused for good (400,
   * 404) is not posted again. Resends are kept in memory, at most 10 000 at once: a process that
   * ends drops those still waiting (`onError` has had each MeMo's `xml` with its first failure).
   */
  receiptRetry?: RetryOptions | false;
}

/** The business receipt a MeMo earns. */
export type Verdict =
  | { receiptStatus: 'COMPLETED' }
  | { receiptStatus: 'INVALID'; errorCode: string; errorMessage: string };

const COMPLETED: Verdict = { receiptStatus: 'COMPLETED' };

const SEEN_LIMIT = 100_000;

/** The default schedule of {@link MemoHandlingOptions.receiptRetry}. */
const RECEIPT_RETRY: RetrySettings = retrySettings({
  maxRetries: 8,
  initialDelayMs: 10_000,
  maxDelayMs: 600_000,
});

/** Receipts waiting to be posted again, at most. */
const MAX_PENDING_RECEIPTS = 10_000;

/** Statuses of a receipt refused for good: posting it again cannot help. */
const FINAL_STATUSES = new Set([400, 404, 422]);

/** Whether posting the receipt again may help: it failed in transit, or NgDP refused it for now. */
function resendable(error: unknown): boolean {
  if (!(error instanceof DigitalPostError) || error instanceof InvalidOptionsError) return false;
  const status = (error as { status?: unknown }).status;
  return error.retryable || (typeof status === 'number' && !FINAL_STATUSES.has(status) && status < 500);
}

/** The default SeenStore: the most recent keys, in memory. */
export function memorySeenStore(limit = SEEN_LIMIT): SeenStore {
  const seen = new Set<string>();
  return {
    has: (key) => seen.has(key),
    add(key) {
      seen.delete(key);
      seen.add(key);
      // A Set iterates in insertion order: the first entry is the oldest.
      if (seen.size > limit) seen.delete(seen.values().next().value as string);
    },
  };
}

export function requireFunction(owner: string, name: string, value: unknown): void {
  if (typeof value !== 'function') throw new InvalidOptionsError(`${owner}: ${name} must be a function`);
}

/** Checks the shared options once, when the receiver is created. */
export function checkMemoHandlingOptions(owner: string, options: MemoHandlingOptions): void {
  if (typeof options !== 'object' || options === null)
    throw new InvalidOptionsError(`${owner}: options are required`);
  const inbox = (options.client as Partial<DigitalPostClient> | undefined)?.inbox;
  const methods = [inbox?.complete, inbox?.reject, inbox?.fetchXml];
  if (methods.some((method) => typeof method !== 'function')) {
    throw new InvalidOptionsError(`${owner}: client must be the recipient system's DigitalPostClient`);
  }
  requireFunction(owner, 'onMemo', options.onMemo);
  if (options.onError !== undefined) requireFunction(owner, 'onError', options.onError);
  checkVerify(owner, options.verify);
  if (options.receiptRetry !== undefined && options.receiptRetry !== false)
    receiptRetrySettings(options.receiptRetry);
  if (options.seen !== undefined) {
    requireFunction(owner, 'seen.has', options.seen?.has);
    requireFunction(owner, 'seen.add', options.seen?.add);
  }
  // Throws InvalidOptionsError for invalid validation options (the empty document itself is only reported).
  validateMemo('', options.validation);
}

/** The receipt schedule, checked: a RetryOptions error names `receiptRetry`. */
function receiptRetrySettings(options: RetryOptions | false | undefined): RetrySettings {
  try {
    return retrySettings(options, RECEIPT_RETRY);
  } catch (error) {
    throw new InvalidOptionsError((error as Error).message.replace(/^retry\./, 'receiptRetry.'));
  }
}

type Run =
  | { state: 'seen' }
  | { state: 'joined'; verdict: Verdict }
  | { state: 'ran'; verdict: Verdict; xml: Buffer };

/** The failure of a delivery a duplicate waited for: answered alike, but reported only once. */
class JoinedFailure {
  readonly failure: unknown;

  constructor(failure: unknown) {
    this.failure = failure;
  }
}

const ignore = (): void => {};

/** A MeMo to hand over: its inspection, the XML it came as and that XML's SHA-256 (hex). */
export type Obtained = { inspection: Inspection; xml: Buffer; sha256: string };

/** One delivery to hand over. */
export interface Delivery {
  /** The message it is (where its receipt goes). */
  messageUUID: string;
  /** What it is known by in the SeenStore (see {@link SeenStore}). */
  key: string;
  /** Gets the MeMo. */
  obtain: () => Promise<Obtained>;
}

export class MemoDelivery {
  private readonly options: MemoHandlingOptions;
  private readonly seen: SeenStore;
  readonly report: ErrorHandler;
  private readonly receiptRetry: RetrySettings;
  /** Receipts waiting to be posted again. */
  private pendingReceipts = 0;
  /** The MeMo behind a refusal, for onError. */
  private readonly memoOf = new WeakMap<object, Buffer>();
  /** The attempt under way for each key, which a duplicate joins. */
  private readonly running = new Map<string, Promise<Run>>();
  /** The last attempt queued for each messageUUID: other bytes under it wait for it. */
  private readonly lanes = new Map<string, Promise<Run>>();

  constructor(options: MemoHandlingOptions, receiver: string) {
    this.options = options;
    this.seen = options.seen ?? memorySeenStore();
    this.report = reporter(options.onError, receiver);
    this.receiptRetry = receiptRetrySettings(options.receiptRetry);
  }

  /** The `verify` hook, if any. */
  get verify(): VerifyCaller | undefined {
    return this.options.verify;
  }

  /**
   * Hands the delivery over: `obtain` gets the MeMo, `onMemo` gets it when valid — one attempt at
   * a time per messageUUID, and not again once its key is seen. Answers 200 when done, then posts
   * the receipt. A concurrent duplicate (same key) waits for the first and answers as it does,
   * without a second receipt; other bytes under the same messageUUID wait their turn and are
   * handled on their own. A redelivery of a handled MeMo answers 200 and posts COMPLETED again, in
   * case the first receipt was lost (a 409 means it was not).
   */
  async deliver(res: ServerResponse, delivery: Delivery): Promise<void> {
    const { messageUUID } = delivery;
    let run: Run;
    try {
      run = await this.once(messageUUID.toLowerCase(), delivery.key, delivery.obtain);
    } catch (error) {
      if (error instanceof JoinedFailure) refuse(res, error.failure, ignore, {});
      else this.refuse(res, error, messageUUID);
      return;
    }
    answer(res, 200);
    if (run.state === 'joined') return;
    if (run.state === 'seen') await this.postReceipt(messageUUID, COMPLETED, undefined);
    else await this.postReceipt(messageUUID, run.verdict, run.xml);
  }

  refuse(res: ServerResponse, error: unknown, messageUUID?: string): void {
    const xml = typeof error === 'object' && error !== null ? this.memoOf.get(error) : undefined;
    refuse(res, error, this.report, {
      ...(messageUUID === undefined ? {} : { messageUUID }),
      ...(xml === undefined ? {} : { xml }),
    });
  }

  private once(lane: string, key: string, obtain: () => Promise<Obtained>): Promise<Run> {
    const running = this.running.get(key);
    if (running !== undefined) {
      return running.then(
        (run) => ({ state: 'joined', verdict: run.state === 'seen' ? COMPLETED : run.verdict }),
        (error: unknown) => {
          throw new JoinedFailure(error);
        },
      );
    }
    const before = this.lanes.get(lane);
    const start = (): Promise<Run> => this.attempt(key, obtain);
    const attempt = before === undefined ? start() : before.then(start, start);
    this.running.set(key, attempt);
    this.lanes.set(lane, attempt);
    const forget = (): void => {
      if (this.running.get(key) === attempt) this.running.delete(key);
      if (this.lanes.get(lane) === attempt) this.lanes.delete(lane);
    };
    attempt.then(forget, forget);
    return attempt;
  }

  private async attempt(key: string, obtain: () => Promise<Obtained>): Promise<Run> {
    let seen: boolean;
    try {
      seen = await this.seen.has(key);
    } catch (error) {
      throw new ReceiverRefusal(503, 'SEEN_STORE_FAILED', 'cannot tell whether this MeMo was handled', {
        cause: error,
      });
    }
    if (seen) return { state: 'seen' };
    const obtained = await obtain();
    return { state: 'ran', verdict: await this.handle(key, obtained), xml: obtained.xml };
  }

  private async handle(key: string, { inspection, xml, sha256 }: Obtained): Promise<Verdict> {
    if (!inspection.valid) {
      this.report(inspection.cause ?? inspection.problem, { messageUUID: inspection.messageUUID, xml });
      return {
        receiptStatus: 'INVALID',
        errorCode: inspection.errorCode,
        errorMessage: receiptMessage(inspection.problem),
      };
    }
    const { messageUUID, memo } = inspection;
    try {
      await this.options.onMemo({ messageUUID, memo, xml, sha256 });
    } catch (error) {
      const refusal = new ReceiverRefusal(
        500,
        'MEMO_NOT_HANDLED',
        'the MeMo was not handled; deliver it again',
        {
          cause: error,
        },
      );
      this.memoOf.set(refusal, xml);
      throw refusal;
    }
    try {
      await this.seen.add(key);
    } catch (error) {
      // Handled all the same; only a later redelivery would be handled again.
      this.report(error, { messageUUID });
    }
    return COMPLETED;
  }

  /**
   * Posts the MeMo's business receipt. One NgDP did not take is reported (with the MeMo's bytes,
   * when in hand) and posted again later, on the `receiptRetry` schedule, apart from the request
   * that brought the MeMo: its answer and its share of the receiver's budget are not held up.
   */
  private async postReceipt(messageUUID: string, verdict: Verdict, xml: Buffer | undefined): Promise<void> {
    const failure = await this.tryReceipt(messageUUID, verdict);
    if (failure === undefined) return;
    const context: ErrorContext = { messageUUID, ...(xml === undefined ? {} : { xml }) };
    if (
      this.receiptRetry.maxRetries === 0 ||
      !resendable(failure) ||
      this.pendingReceipts >= MAX_PENDING_RECEIPTS
    ) {
      this.report(failure, context);
      return;
    }
    const wait = backoffMs(0, this.receiptRetry, undefined, Math.random);
    this.report(failure, { ...context, receiptRetryInMs: wait });
    this.pendingReceipts += 1;
    void this.resendReceipt(messageUUID, verdict, wait).finally(() => {
      this.pendingReceipts -= 1;
    });
  }

  /** Posts the receipt again after `wait`, and so on until it is taken or the schedule ends. */
  private async resendReceipt(messageUUID: string, verdict: Verdict, wait: number): Promise<void> {
    for (let retry = 1; ; retry++) {
      await new Promise((resolve) => setTimeout(resolve, wait).unref());
      const failure = await this.tryReceipt(messageUUID, verdict);
      if (failure === undefined) return;
      if (retry >= this.receiptRetry.maxRetries || !resendable(failure)) {
        this.report(failure, { messageUUID });
        return;
      }
      wait = backoffMs(retry, this.receiptRetry, undefined, Math.random);
      this.report(failure, { messageUUID, receiptRetryInMs: wait });
    }
  }

  /** Posts the receipt once; resolves to the failure, or undefined when NgDP has it (a 409: it had it). */
  private async tryReceipt(messageUUID: string, verdict: Verdict): Promise<unknown> {
    const { inbox } = this.options.client;
    try {
      if (verdict.receiptStatus === 'COMPLETED') await inbox.complete(messageUUID);
      else
        await inbox.reject(messageUUID, { errorCode: verdict.errorCode, errorMessage: verdict.errorMessage });
      return undefined;
    } catch (error) {
      return error instanceof ConflictError ? undefined : error;
    }
  }
}

/** SHA-256 of bytes, hex. */
export const sha256Of = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
