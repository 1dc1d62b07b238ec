/**
 * The recipient system's side: its PULL queue (`GET /memos/`), fetching a MeMo routed to it, and
 * its business receipt for a MeMo (`POST /memos/{id}/receipt`), which NgDP passes on to the sender.
 */
import { EventTag, isOneOf, RECIPIENT_RECEIPT_STATUSES } from '../../sdk/ngdp/enums.ts';
import { isRecipientSystem } from '../domain/auth.ts';
import { acceptsRecipientReceipt, isFetchable, move } from '../domain/lifecycle.ts';
import type { MessageRecord, SystemRecord } from '../domain/model.ts';
import type { EngineContext } from './context.ts';
import type { Faults } from './faults.ts';
import type { Page, PageRequest } from './paging.ts';
import type { Receipts } from './receipts.ts';
import { reject } from './rejections.ts';

/** A recipient system's business receipt, as read from its request (fields checked for type). */
export interface RecipientReceipt {
  /** `COMPLETED` or `INVALID`; anything else is refused. */
  receiptStatus: unknown;
  transmissionId?: string;
  errorCode?: string;
  errorMessage?: string;
}

export class Recipients {
  private readonly context: EngineContext;
  private readonly faults: Faults;
  private readonly receipts: Receipts;

  constructor(context: EngineContext, faults: Faults, receipts: Receipts) {
    this.context = context;
    this.faults = faults;
    this.receipts = receipts;
  }

  /** A page of the messageUUIDs waiting in the system's PULL queue, oldest first. */
  queue(system: SystemRecord, request: PageRequest): Page<string> {
    const { store } = this.context;
    const size = this.faults.pageSize(request.size);
    return {
      items: store.listFetchable(system.id, { offset: request.page * size, limit: size }),
      page: request.page,
      size,
      total: store.countFetchable(system.id),
    };
  }

  /**
   * The XML of a MeMo routed to the system; its first fetch is recorded.
   *
   * @throws Rejection NOT_FOUND when no such MeMo is (or is yet) there for the system.
   */
  fetch(system: SystemRecord, messageUUID: string): Uint8Array {
    const message = this.routedTo(system, messageUUID);
    if (!isFetchable(message)) throw reject.notFound(`memo ${messageUUID} is not available to this system`);
    if (message.fetchedAt === undefined) {
      this.context.change(() => {
        message.fetchedAt = this.context.now();
        this.context.store.putMessage(message);
        this.context.record(EventTag.MEMO_SEND_FETCHED_BY_RECIPIENT_SYSTEM, message, {
          actorSystemId: system.id,
        });
      });
    }
    return this.context.store.getMessageXml(message.messageUUID) ?? new Uint8Array(0);
  }

  /**
   * The system's business receipt for a MeMo routed to it: the message is delivered, and its sender
   * gets the receipt.
   *
   * @throws Rejection NOT_FOUND (no such MeMo for the system), RECEIPT_ALREADY_GIVEN, or
   *   RECEIPT_STATUS_NOT_ACCEPTED (not COMPLETED or INVALID).
   */
  acceptReceipt(system: SystemRecord, messageUUID: string, receipt: RecipientReceipt): void {
    const message = this.routedTo(system, messageUUID);
    if (!acceptsRecipientReceipt(message)) throw reject.receiptAlreadyGiven(messageUUID);
    const status = receipt.receiptStatus;
    if (!isOneOf(RECIPIENT_RECEIPT_STATUSES, status)) throw reject.receiptStatusNotAccepted(status);
    this.context.change(() => {
      const events = move(message, 'recipientReceipt', this.context.now());
      this.context.store.putMessage(message);
      for (const tag of events)
        this.context.record(tag, message, { meta: { receiptStatus: status }, actorSystemId: system.id });
      this.receipts.issue(
        message,
        { status, code: receipt.errorCode, text: receipt.errorMessage },
        receipt.transmissionId === undefined ? {} : { transmissionId: receipt.transmissionId },
      );
    });
  }

  /** The message, if `system` is the recipient system it was routed to. */
  private routedTo(system: SystemRecord, messageUUID: string): MessageRecord {
    const message = this.context.store.getMessage(messageUUID.toLowerCase());
    if (
      message === undefined ||
      message.route?.kind !== 'SYSTEM' ||
      message.route.systemId !== system.id ||
      !isRecipientSystem(system)
    ) {
      throw reject.notFound(`no memo ${messageUUID} for this system`);
    }
    return message;
  }
}
