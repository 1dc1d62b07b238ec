/**
 * What the MeMo receiver and the notification receiver share once a MeMo is in hand: hand it to
 * `onMemo` once per messageUUID, answer NgDP, then post the business receipt.
 */
import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { DigitalPostClient } from '../client/client.ts';
import { ConflictError, InvalidOptionsError, ReceiverRefusal } from '../errors.ts';
import type { Memo } from '../memo/types.ts';
import { type ValidateOptions, validateMemo } from '../memo/validate.ts';
import { answer } from './http.ts';
import { type Inspection, receiptMessage } from './inspect.ts';
import { type ErrorHandler, refuse, reporter } from './report.ts';

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
   * take (`ApiError`, `ConnectionError`, `TimeoutError`; a 409 "already given" is not an error), a
   * failing SeenStore, and refused requests (`ReceiverRefusal`: status and code). Default: one line
   * on stderr.
   */
  onError?: ErrorHandler;
}

/** The business receipt a MeMo earns. */
export type Verdict =
  | { receiptStatus: 'COMPLETED' }
  | { receiptStatus: 'INVALID'; errorCode: string; errorMessage: string };

const COMPLETED: Verdict = { receiptStatus: 'COMPLETED' };

const SEEN_LIMIT = 100_000;

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
  if (options.seen !== undefined) {
    requireFunction(owner, 'seen.has', options.seen?.has);
    requireFunction(owner, 'seen.add', options.seen?.add);
  }
  // Throws InvalidOptionsError for invalid validation options (the empty document itself is only reported).
  validateMemo('', options.validation);
}

type Run = { state: 'seen' } | { state: 'ran' | 'joined'; verdict: Verdict };

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
  /** The attempt under way for each key, which a duplicate joins. */
  private readonly running = new Map<string, Promise<Run>>();
  /** The last attempt queued for each messageUUID: other bytes under it wait for it. */
  private readonly lanes = new Map<string, Promise<Run>>();

  constructor(options: MemoHandlingOptions, receiver: string) {
    this.options = options;
    this.seen = options.seen ?? memorySeenStore();
    this.report = reporter(options.onError, receiver);
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
    await this.postReceipt(messageUUID, run.state === 'seen' ? COMPLETED : run.verdict);
  }

  refuse(res: ServerResponse, error: unknown, messageUUID?: string): void {
    refuse(res, error, this.report, messageUUID === undefined ? {} : { messageUUID });
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
    return { state: 'ran', verdict: await this.handle(key, await obtain()) };
  }

  private async handle(key: string, { inspection, xml, sha256 }: Obtained): Promise<Verdict> {
    if (!inspection.valid) {
      this.report(inspection.cause ?? inspection.problem, { messageUUID: inspection.messageUUID });
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
      throw new ReceiverRefusal(500, 'MEMO_NOT_HANDLED', 'the MeMo was not handled; deliver it again', {
        cause: error,
      });
    }
    try {
      await this.seen.add(key);
    } catch (error) {
      // Handled all the same; only a later redelivery would be handled again.
      this.report(error, { messageUUID });
    }
    return COMPLETED;
  }

  private async postReceipt(messageUUID: string, verdict: Verdict): Promise<void> {
    const { inbox } = this.options.client;
    try {
      if (verdict.receiptStatus === 'COMPLETED') await inbox.complete(messageUUID);
      else
        await inbox.reject(messageUUID, { errorCode: verdict.errorCode, errorMessage: verdict.errorMessage });
    } catch (error) {
      // 409: NgDP already holds this message's receipt.
      if (!(error instanceof ConflictError)) this.report(error, { messageUUID });
    }
  }
}

/** SHA-256 of bytes, hex. */
export const sha256Of = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
