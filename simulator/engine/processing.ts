/**
 * What NgDP decides about a received message, after it answered 201: the MeMo's schema and rules,
 * the sender's permissions, the value date and the recipient (`domain/acceptance.ts`). A message
 * that passes is held for its value date or delivered; one that does not is rejected with an
 * INVALID or NOT_ALLOWED business receipt.
 */
import { EventTag } from '../../sdk/ngdp/enums.ts';
import { decide, type Rejection as Refusal } from '../domain/acceptance.ts';
import { move } from '../domain/lifecycle.ts';
import type { Job, MessageRecord } from '../domain/model.ts';
import type { EngineContext } from './context.ts';
import type { Delivery } from './delivery.ts';
import type { MemoCache } from './memo-cache.ts';
import type { Receipts } from './receipts.ts';

export class Processing {
  private readonly context: EngineContext;
  private readonly memos: MemoCache;
  private readonly delivery: Delivery;
  private readonly receipts: Receipts;

  constructor(context: EngineContext, memos: MemoCache, delivery: Delivery, receipts: Receipts) {
    this.context = context;
    this.memos = memos;
    this.delivery = delivery;
    this.receipts = receipts;
  }

  /**
   * The `process` job: validation, permissions, value date and routing of a received message. Its
   * MeMo was checked when it was read (the digest says whether it is valid), so this is quick.
   * Whatever throws on the way ends the message INVALID with the reason (see {@link failed}).
   */
  process(job: Job): void {
    try {
      this.decide(job);
    } catch (error) {
      this.failed(job, error);
    }
  }

  /**
   * Processing threw — a bug, or a MeMo beyond what the rules foresaw (once: 150,000 unknown
   * elements overflowed the stack). Trying again would fail again, for ever, and the sender would
   * never hear: the message is rejected instead, with an INVALID receipt PROCESSING_FAILED, and the
   * error goes to the log. The failed attempt's own changes were undone with its transaction.
   */
  private failed(job: Job, error: unknown): void {
    const messageUUID = job.messageUUID as string;
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    this.context.log(
      `processing ${messageUUID} failed; it is rejected as INVALID: ${error instanceof Error ? (error.stack ?? reason) : reason}`,
    );
    const { store } = this.context;
    this.context.change(() => {
      store.deleteJob(job.id);
      const message = store.getMessage(messageUUID);
      if (message === undefined || message.state !== 'RECEIVED') return;
      this.reject(message, {
        status: 'INVALID',
        code: 'PROCESSING_FAILED',
        message: `the simulator could not process the MeMo (${reason.slice(0, 500)}); see its log`,
      });
    });
  }

  private decide(job: Job): void {
    const messageUUID = job.messageUUID as string;
    const digest = this.memos.take(messageUUID);
    const { store, settings } = this.context;
    this.context.change(() => {
      store.deleteJob(job.id);
      const message = store.getMessage(messageUUID);
      if (message === undefined || message.state !== 'RECEIVED') return;
      if (digest === undefined) {
        this.reject(message, {
          status: 'INVALID',
          code: 'MEMO_SCHEMA_INVALID',
          message: 'the stored MeMo cannot be read',
        });
        return;
      }
      const { header, invalid } = digest;
      if (header !== undefined) {
        message.label = typeof header.label === 'string' ? header.label : undefined;
        message.messageType = header.messageType === 'NEMSMS' ? 'NEMSMS' : 'DIGITALPOST';
        message.recipientId = header.recipient?.recipientID;
        message.recipientIdType = header.recipient?.idType?.toUpperCase();
        message.doNotDeliverUntilDate = header.doNotDeliverUntilDate;
      }
      if (invalid !== undefined || header === undefined) {
        this.reject(
          message,
          invalid ?? { status: 'INVALID', code: 'MEMO_SCHEMA_INVALID', message: 'no MessageHeader' },
        );
        return;
      }
      const sender = store.getSystem(message.senderSystemId);
      const organisation = sender && store.getOrganisation(sender.organisationId);
      if (organisation === undefined) {
        this.reject(message, {
          status: 'NOT_ALLOWED',
          code: 'SYSTEM_NOT_ACTIVE',
          message: 'the sender system no longer exists',
        });
        return;
      }
      const decision = decide(
        { messageHeader: header },
        organisation,
        store,
        { valueDateHorizonDays: settings.valueDateHorizonDays, loose: settings.loose },
        { now: this.context.now(), newId: () => this.context.newId() },
      );
      if (!decision.ok) {
        this.reject(message, decision);
        return;
      }
      if (decision.register !== undefined) store.putContact(decision.register);
      message.route = decision.route;
      this.context.record(EventTag.MEMO_SEND_VALIDATED, message);
      if (decision.deliverAt === undefined) {
        this.delivery.deliver(message);
        return;
      }
      const events = move(message, 'awaitValueDate', this.context.now());
      store.putMessage(message);
      for (const tag of events) this.context.record(tag, message);
      this.context.schedule('deliver', decision.deliverAt, { messageUUID });
      if (settings.valueDateReceipt === 'acceptance' && decision.route.kind === 'MAILBOX')
        this.receipts.issue(message, { status: 'COMPLETED' });
    });
  }

  /** The message is not taken: rejected, with its INVALID or NOT_ALLOWED receipt (inside a change). */
  reject(message: MessageRecord, refusal: Refusal): void {
    const events = move(message, 'reject', this.context.now());
    message.businessStatus = refusal.status;
    this.context.store.putMessage(message);
    for (const tag of events)
      this.context.record(tag, message, { text: `${refusal.code}: ${refusal.message}` });
    this.receipts.issue(message, { status: refusal.status, code: refusal.code, text: refusal.message });
  }
}
