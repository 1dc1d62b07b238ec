/**
 * What the MeMo receiver and the notification receiver share once a MeMo is in hand: hand it to
 * `onMemo` once per messageUUID, answer NgDP, then post the business receipt.
 */
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
}

/**
 * Which messageUUIDs `onMemo` has handled, so that a redelivery is not handled twice. Keys are
 * lower-case. Give one backed by your database to keep that promise across restarts and across
 * processes; the receiver itself also never runs `onMemo` twice at once for one messageUUID within
 * its process.
 */
export interface SeenStore {
  has(messageUUID: string): boolean | Promise<boolean>;
  add(messageUUID: string): void | Promise<void>;
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
  /** Default: in memory, the last 100 000 messageUUIDs of this process. */
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

/** The default SeenStore: the most recent messageUUIDs, in memory. */
export function memorySeenStore(limit = SEEN_LIMIT): SeenStore {
  const seen = new Set<string>();
  return {
    has: (messageUUID) => seen.has(messageUUID),
    add(messageUUID) {
      seen.delete(messageUUID);
      seen.add(messageUUID);
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

/** A MeMo to hand over: its inspection and the XML it came as. */
export type Obtained = { inspection: Inspection; xml: Buffer };

export class MemoDelivery {
  private readonly options: MemoHandlingOptions;
  private readonly seen: SeenStore;
  readonly report: ErrorHandler;
  private readonly running = new Map<string, Promise<Run>>();

  constructor(options: MemoHandlingOptions, receiver: string) {
    this.options = options;
    this.seen = options.seen ?? memorySeenStore();
    this.report = reporter(options.onError, receiver);
  }

  /**
   * Delivers message `messageUUID` (its receipt goes there): `obtain` gets the MeMo, `onMemo` gets
   * it when valid — both at most once at a time per message, and not again once handled. Answers
   * 200 when done, then posts the receipt. A concurrent duplicate waits for the first and answers
   * as it does, without a second receipt; a redelivery of a handled MeMo answers 200 and posts
   * COMPLETED again, in case the first receipt was lost (a 409 means it was not).
   */
  async deliver(res: ServerResponse, messageUUID: string, obtain: () => Promise<Obtained>): Promise<void> {
    let run: Run;
    try {
      run = await this.once(messageUUID.toLowerCase(), obtain);
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

  private once(key: string, obtain: () => Promise<Obtained>): Promise<Run> {
    const running = this.running.get(key);
    if (running !== undefined) {
      return running.then(
        (run) => ({ state: 'joined', verdict: run.state === 'seen' ? COMPLETED : run.verdict }),
        (error: unknown) => {
          throw new JoinedFailure(error);
        },
      );
    }
    const attempt = this.attempt(key, obtain);
    this.running.set(key, attempt);
    const forget = (): void => {
      this.running.delete(key);
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

  private async handle(key: string, { inspection, xml }: Obtained): Promise<Verdict> {
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
      await this.options.onMemo({ messageUUID, memo, xml });
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
