/**
 * Business receipts: created when a message's outcome is known (at once, or later for slow
 * mailboxes and chaos), pushed to REST_PUSH sender systems with a receipt endpoint (with retries),
 * and otherwise kept until the sender fetches and acknowledges them (`/receipts/`, SFTP
 * `/out/receipts`).
 */
import { type BusinessReceiptStatus, EventTag } from '../../sdk/ngdp/enums.ts';
import type { Job, MessageRecord, ReceiptRecord, SystemRecord } from '../domain/model.ts';
import type { EngineContext } from './context.ts';
import type { Faults } from './faults.ts';
import type { Outbound } from './outbound.ts';
import type { Page, PageRequest } from './paging.ts';
import type { Pusher } from './pushing.ts';
import { reject } from './rejections.ts';

/** A receipt's outcome: its status, and for the unhappy ones NgDP's code and text. */
export interface Outcome {
  status: BusinessReceiptStatus;
  code?: string | undefined;
  text?: string | undefined;
}

/** Whether a sender system gets its business receipts pushed (REST_PUSH with a receipt endpoint). */
function pushesReceipts(sender: SystemRecord | undefined): sender is SystemRecord {
  return sender?.protocol === 'REST_PUSH' && sender.receiptEndpoint !== undefined;
}

export class Receipts {
  private readonly context: EngineContext;
  private readonly faults: Faults;
  private readonly pusher: Pusher;
  private readonly outbound: Outbound;

  constructor(context: EngineContext, faults: Faults, pusher: Pusher, outbound: Outbound) {
    this.context = context;
    this.faults = faults;
    this.pusher = pusher;
    this.outbound = outbound;
  }

  // ---------------------------------------------------------------- creating them (in a change)

  /**
   * Decides the outcome of `message` and gives its sender the business receipt: now, or `delayMs`
   * later (a slow mailbox), and under chaos a random while later still. The receipt is pushed to a
   * REST_PUSH sender with a receipt endpoint, and listed under `/receipts/` until delivered or
   * acknowledged. `transmissionId` is the recipient system's, when its receipt is passed on.
   */
  issue(
    message: MessageRecord,
    outcome: Outcome,
    options: { delayMs?: number; transmissionId?: string } = {},
  ): void {
    const delay = (options.delayMs ?? 0) + this.faults.receiptDelay();
    message.businessStatus = outcome.status;
    if (delay <= 0) {
      this.create(message, outcome, options.transmissionId ?? this.context.newId());
      return;
    }
    this.context.store.putMessage(message);
    this.context.schedule('receipt', this.context.now() + delay, {
      messageUUID: message.messageUUID,
      data: {
        status: outcome.status,
        ...(outcome.code === undefined ? {} : { code: outcome.code }),
        ...(outcome.text === undefined ? {} : { text: outcome.text }),
        ...(options.transmissionId === undefined ? {} : { transmissionId: options.transmissionId }),
      },
    });
  }

  /** The `receipt` job: a receipt given later has come due. */
  issueDue(job: Job): void {
    this.context.change(() => {
      this.context.store.deleteJob(job.id);
      const message = this.context.store.getMessage(job.messageUUID as string);
      if (message === undefined) return;
      const data = job.data ?? {};
      this.create(
        message,
        {
          status: data.status as BusinessReceiptStatus,
          code: data.code as string | undefined,
          text: data.text as string | undefined,
        },
        typeof data.transmissionId === 'string' ? data.transmissionId : this.context.newId(),
      );
    });
  }

  private create(message: MessageRecord, outcome: Outcome, transmissionId: string): void {
    const { store } = this.context;
    const receipt: ReceiptRecord = {
      id: this.context.newId(),
      systemId: message.senderSystemId,
      transmissionId,
      messageUUID: message.messageUUID,
      ...(message.messageId === undefined ? {} : { messageId: message.messageId }),
      timeStamp: this.context.now(),
      receiptStatus: outcome.status,
      ...(outcome.code === undefined ? {} : { errorCode: outcome.code }),
      ...(outcome.text === undefined ? {} : { errorMessage: outcome.text }),
    };
    message.businessStatus = outcome.status;
    const sender = store.getSystem(message.senderSystemId);
    if (pushesReceipts(sender)) message.pushedReceipt = receipt;
    store.putMessage(message);
    store.putReceipt(receipt);
    this.context.record(EventTag.BUSINESS_RECEIPT_CREATED, message, {
      meta: { receiptStatus: outcome.status, errorCode: outcome.code },
    });
    // A sender that fetches its receipts has it now, in its list; one it is pushed to, once the
    // push succeeded (BUSINESS_RECEIPT_SEND_TO_SENDER_SYSTEM).
    if (!pushesReceipts(sender))
      this.context.record(EventTag.BUSINESS_RECEIPT_SENT, message, {
        meta: { receiptStatus: outcome.status },
      });
    this.pushLater(sender, receipt);
  }

  /**
   * An INVALID receipt for a container entry that is not (or not again) a message of its own: its
   * name is not its messageUUID, or the messageUUID names another message.
   */
  issueForEntry(system: SystemRecord, messageUUID: string, code: string, text: string): void {
    const receipt: ReceiptRecord = {
      id: this.context.newId(),
      systemId: system.id,
      transmissionId: this.context.newId(),
      messageUUID,
      timeStamp: this.context.now(),
      receiptStatus: 'INVALID',
      errorCode: code,
      errorMessage: text,
    };
    this.context.store.putReceipt(receipt);
    this.pushLater(system, receipt);
  }

  private pushLater(sender: SystemRecord | undefined, receipt: ReceiptRecord): void {
    if (!pushesReceipts(sender)) return;
    this.context.schedule('push-receipt', this.context.now(), {
      receiptId: receipt.id,
      ...(receipt.messageUUID === undefined ? {} : { messageUUID: receipt.messageUUID }),
    });
  }

  // ---------------------------------------------------------------- pushing them

  /** The `push-receipt` job: one attempt at posting a receipt to its sender's receipt endpoint. */
  async push(job: Job): Promise<void> {
    const { store } = this.context;
    const receipt = store.getReceipt(job.receiptId as string);
    const sender = receipt && store.getSystem(receipt.systemId);
    if (receipt === undefined || sender === undefined) {
      this.context.change(() => store.deleteJob(job.id));
      return;
    }
    const attemptAt = this.context.now();
    const outcome = await this.pusher.attempt(
      'PUSH receipt',
      sender,
      sender.receiptEndpoint,
      (url, timeoutMs) => this.outbound.pushReceipt(url, receipt, timeoutMs),
      { messageUUID: receipt.messageUUID, code: receipt.errorCode },
    );
    this.context.change(() => {
      const message = receipt.messageUUID === undefined ? undefined : store.getMessage(receipt.messageUUID);
      if (outcome.ok) {
        store.deleteJob(job.id);
        store.deleteReceipt(receipt.id);
        this.context.record(EventTag.BUSINESS_RECEIPT_SEND_TO_SENDER_SYSTEM, message, {
          systemIds: [sender.id],
        });
        return;
      }
      this.context.record(EventTag.BUSINESS_RECEIPT_SEND_TO_SENDER_SYSTEM_FAILED, message, {
        systemIds: [sender.id],
        text: outcome.reason,
      });
      // Acknowledged meanwhile (listed and deleted by the sender): nothing more to push.
      this.pusher.retryLater(job, attemptAt, store.getReceipt(receipt.id) !== undefined);
    });
  }

  /**
   * Pushes a message's last business receipt to its sender once more, now (a conformance suite's
   * scripted repeat: a sender must take a receipt pushed twice as one). A `redeliver` job, in the
   * transcript like every push; its outcome changes nothing.
   *
   * @throws Rejection NOT_FOUND for an unknown message, or one with no pushed receipt yet;
   *   NOT_PUSH_RECEIPTS when its sender gets receipts by PULL.
   */
  redeliver(messageUUID: string): { messageUUID: string; pushes: number } {
    const { store } = this.context;
    const message = store.getMessage(messageUUID.toLowerCase());
    if (message === undefined) throw reject.notFound(`no message ${messageUUID.toLowerCase()}`);
    if (!pushesReceipts(store.getSystem(message.senderSystemId)))
      throw reject.notPushReceipts(message.senderSystemId);
    if (message.pushedReceipt === undefined)
      throw reject.notFound(`message ${message.messageUUID} has no business receipt pushed yet`);
    this.context.change(() =>
      this.context.schedule('redeliver', this.context.now(), {
        messageUUID: message.messageUUID,
        data: { receipt: true },
      }),
    );
    return { messageUUID: message.messageUUID, pushes: 1 };
  }

  /** The `redeliver` job of a receipt: the one push, its outcome left to the transcript. */
  async redeliverDue(job: Job): Promise<void> {
    const { store } = this.context;
    const receipt = store.getMessage(job.messageUUID as string)?.pushedReceipt;
    const sender = receipt === undefined ? undefined : store.getSystem(receipt.systemId);
    if (receipt !== undefined && sender !== undefined && pushesReceipts(sender)) {
      await this.pusher.attempt(
        'PUSH receipt',
        sender,
        sender.receiptEndpoint,
        (url, timeoutMs) => this.outbound.pushReceipt(url, receipt, timeoutMs),
        { messageUUID: receipt.messageUUID, code: receipt.errorCode },
        { once: true },
      );
    }
    this.context.change(() => store.deleteJob(job.id));
  }

  // ---------------------------------------------------------------- the sender's side

  /** A page of the system's available receipts, oldest first. */
  list(system: SystemRecord, request: PageRequest): Page<ReceiptRecord> {
    const { store } = this.context;
    const size = this.faults.pageSize(request.size);
    return {
      items: store.listReceipts(system.id, { offset: request.page * size, limit: size }),
      page: request.page,
      size,
      total: store.countReceipts(system.id),
    };
  }

  /** Every available receipt of the system, oldest first (one read: a snapshot). */
  all(system: SystemRecord): ReceiptRecord[] {
    const { store } = this.context;
    return store.listReceipts(system.id, { offset: 0, limit: store.countReceipts(system.id) });
  }

  /** The system's available receipts for one message, oldest first. */
  ofMessage(system: SystemRecord, messageUUID: string): ReceiptRecord[] {
    return this.context.store.listMessageReceipts(system.id, messageUUID);
  }

  /** One available receipt of the system, or undefined. */
  find(system: SystemRecord, id: string): ReceiptRecord | undefined {
    const receipt = this.context.store.getReceipt(id.toLowerCase());
    return receipt?.systemId === system.id ? receipt : undefined;
  }

  /**
   * One receipt of the system; deleted as it is read unless `remove` is false.
   *
   * @throws Rejection NOT_FOUND when the system has no such receipt.
   */
  take(system: SystemRecord, id: string, remove: boolean): ReceiptRecord {
    const receipt = this.owned(system, id);
    if (remove) this.context.change(() => this.context.store.deleteReceipt(receipt.id));
    return receipt;
  }

  /**
   * Acknowledges (deletes) a receipt the system has handled.
   *
   * @throws Rejection NOT_FOUND when the system has no such receipt.
   */
  acknowledge(system: SystemRecord, id: string): void {
    const receipt = this.owned(system, id);
    this.context.change(() => this.context.store.deleteReceipt(receipt.id));
  }

  private owned(system: SystemRecord, id: string): ReceiptRecord {
    const receipt = this.find(system, id);
    if (receipt === undefined) throw reject.notFound(`no receipt ${id} for this system`);
    return receipt;
  }
}
