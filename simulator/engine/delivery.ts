/**
 * Delivery of a validated message along its route: into a citizen's or company's mailbox, pushed to
 * a REST_PUSH recipient system (retried on the delivery schedule, then handed to the organisation's
 * default recipient system), or offered to a PULL or publish/subscribe system (with a notification
 * for the latter). Every call to a system goes through the outbound port.
 */
import { EventTag } from '../../sdk/ngdp/enums.ts';
import { isActive } from '../domain/auth.ts';
import { can, move } from '../domain/lifecycle.ts';
import { servedSha256 } from '../domain/memo-digest.ts';
import type { Job, MessageRecord, SystemRecord } from '../domain/model.ts';
import { nemSmsSendingTime } from '../domain/nemsms.ts';
import type { EngineContext } from './context.ts';
import type { Outbound, PushOutcome } from './outbound.ts';
import type { Pusher, PushSubject } from './pushing.ts';
import type { Receipts } from './receipts.ts';
import { reject } from './rejections.ts';
import type { Systems } from './systems.ts';

/** What the transcript says of a pushed MeMo: its messageUUID, size and SHA-256 as pushed. */
function memoSubject(message: MessageRecord, xml: Uint8Array): PushSubject {
  const sha256 = servedSha256(message);
  return {
    messageUUID: message.messageUUID,
    ...(sha256 === null ? {} : { body: { bytes: xml.byteLength, sha256 } }),
  };
}

/** The protocols by which messages are pushed (a MeMo, or a notification of one). */
const PUSHED: ReadonlySet<SystemRecord['protocol']> = new Set(['REST_PUSH', 'REST_PUBLISH_SUBSCRIBE']);

export class Delivery {
  private readonly context: EngineContext;
  private readonly receipts: Receipts;
  private readonly systems: Systems;
  private readonly pusher: Pusher;
  private readonly outbound: Outbound;

  constructor(
    context: EngineContext,
    receipts: Receipts,
    systems: Systems,
    pusher: Pusher,
    outbound: Outbound,
  ) {
    this.context = context;
    this.receipts = receipts;
    this.systems = systems;
    this.pusher = pusher;
    this.outbound = outbound;
  }

  /** Hands a validated message to its route (inside a change). */
  deliver(message: MessageRecord): void {
    const { store } = this.context;
    const route = message.route;
    if (route === undefined) return;
    if (route.kind === 'MAILBOX') {
      const now = this.context.now();
      const events = move(message, 'deliverToMailbox', now);
      store.putMessage(message);
      store.addToMailbox({ owner: route.owner, messageUUID: message.messageUUID, deliveredAt: now });
      for (const tag of events) this.context.record(tag, message);
      if (message.messageType === 'NEMSMS') this.sendSms(message, now);
      if (message.businessStatus !== undefined) return;
      const contact = store.findContact(message.recipientIdType === 'CPR' ? 'cpr' : 'cvr', route.owner);
      this.receipts.issue(message, { status: 'COMPLETED' }, { delayMs: contact?.receiptDelayMs ?? 0 });
      return;
    }
    const system = store.getSystem(route.systemId);
    if (system === undefined) {
      this.fail(message, 'the recipient system no longer exists');
      return;
    }
    this.handTo(message, system);
  }

  /** The `deliver` job: a message's value date has come. */
  deliverDue(job: Job): void {
    this.context.change(() => {
      this.context.store.deleteJob(job.id);
      const message = this.context.store.getMessage(job.messageUUID as string);
      if (message === undefined || message.state !== 'AWAITING_DELAY') return;
      this.context.record(EventTag.DELAYED_MEMO_SEND_SENT, message);
      this.deliver(message);
    });
  }

  /** Sends a delivered NemSMS's SMS now, or schedules it for 08:00 when NgDP is quiet (18:00–08:00). */
  private sendSms(message: MessageRecord, now: number): void {
    const at = nemSmsSendingTime(now);
    if (at === now) this.context.record(EventTag.NEM_SMS_SENT_SUCCESSFULLY, message);
    else this.context.schedule('send-sms', at, { messageUUID: message.messageUUID });
  }

  /** The `send-sms` job: the morning after a NemSMS delivered in the quiet hours. */
  sendSmsDue(job: Job): void {
    this.context.change(() => {
      this.context.store.deleteJob(job.id);
      const message = this.context.store.getMessage(job.messageUUID as string);
      if (message !== undefined) this.context.record(EventTag.NEM_SMS_SENT_SUCCESSFULLY, message);
    });
  }

  /** Starts the delivery to a recipient system, counting attempts afresh. */
  private handTo(message: MessageRecord, system: SystemRecord): void {
    const { store } = this.context;
    const now = this.context.now();
    message.attempts = 0;
    delete message.firstAttemptAt;
    if (system.protocol === 'REST_PUSH') {
      move(message, 'startPush', now);
      store.putMessage(message);
      this.context.schedule('push-memo', now, { messageUUID: message.messageUUID });
      return;
    }
    const events = move(message, 'offerForFetch', now);
    store.putMessage(message);
    for (const tag of events) this.context.record(tag, message);
    if (system.protocol === 'REST_PUBLISH_SUBSCRIBE')
      this.context.schedule('push-notification', now, { messageUUID: message.messageUUID });
  }

  /** Every attempt failed, or there is nowhere to deliver: the sender gets a NOT_ALLOWED receipt. */
  private fail(
    message: MessageRecord,
    reason: string,
    code = 'RECIPIENT_NOT_REACHABLE',
    text = `delivery to the recipient system failed: ${reason}`,
  ): void {
    const events = move(message, 'fail', this.context.now());
    message.businessStatus = 'NOT_ALLOWED';
    this.context.store.putMessage(message);
    for (const tag of events) this.context.record(tag, message, { text: reason });
    this.receipts.issue(message, { status: 'NOT_ALLOWED', code, text });
  }

  /**
   * A job of the message's delivery failed so often that the scheduler gave it up (a bug): the
   * message fails with a NOT_ALLOWED receipt PROCESSING_FAILED instead of waiting for ever (inside a
   * change). A message already in a final state is left as it is.
   */
  abandon(messageUUID: string, reason: string): void {
    const message = this.context.store.getMessage(messageUUID);
    if (message === undefined || !can(message, 'fail')) return;
    this.fail(
      message,
      reason,
      'PROCESSING_FAILED',
      `the simulator could not deliver the message (${reason.slice(0, 500)}); see its log`,
    );
  }

  // ---------------------------------------------------------------- pushes

  /** The `push-memo` job: one attempt at pushing a MeMo to its recipient system. */
  async pushMemo(job: Job): Promise<void> {
    const { store } = this.context;
    const message = store.getMessage(job.messageUUID as string);
    const system = message?.route?.kind === 'SYSTEM' ? store.getSystem(message.route.systemId) : undefined;
    if (message === undefined || message.state !== 'DELIVERING' || system === undefined) {
      this.context.change(() => store.deleteJob(job.id));
      return;
    }
    if (job.data?.windowOver === true) {
      this.context.change(() => {
        store.deleteJob(job.id);
        // The delivery to the system has failed for good: the end of the window counts as a
        // failure too, so a system failing since the first attempt is deactivated now.
        this.systems.deliveryFailed(system);
        this.afterWindow(message, system, 'every attempt in the resend window failed');
      });
      return;
    }
    const xml = store.getMessageXml(message.messageUUID) ?? new Uint8Array(0);
    const attemptAt = this.context.now();
    const outcome: PushOutcome = isActive(system, attemptAt)
      ? await this.pusher.attempt(
          'PUSH memo',
          system,
          system.endpoint,
          (url, timeoutMs) =>
            this.outbound.pushMemo(url, { messageUUID: message.messageUUID, xml }, timeoutMs),
          memoSubject(message, xml),
        )
      : { ok: false, reason: 'the recipient system is not in operation' };
    this.context.change(() => {
      const current = store.getMessage(message.messageUUID);
      if (current === undefined || current.state !== 'DELIVERING') {
        store.deleteJob(job.id);
        return;
      }
      current.attempts += 1;
      current.firstAttemptAt ??= attemptAt;
      if (outcome.ok) {
        store.deleteJob(job.id);
        const events = move(current, 'pushSucceeded', this.context.now());
        store.putMessage(current);
        for (const tag of events) this.context.record(tag, current);
        this.systems.deliverySucceeded(system);
        return;
      }
      this.context.record(EventTag.MEMO_SEND_SENT_TO_RECIPIENT_SYSTEM_FAILED, current, {
        text: outcome.reason,
      });
      this.systems.deliveryFailed(system);
      const next = this.pusher.nextAttempt(
        current.firstAttemptAt,
        current.attempts,
        current.fallback === true,
      );
      if (next !== undefined) {
        store.putMessage(current);
        store.putJob({ ...job, dueAt: next, attempt: current.attempts });
        return;
      }
      // The schedule is exhausted: the message waits for the end of its resend window.
      const windowOver = current.fallback === true ? 0 : this.pusher.windowEndsAt(current.firstAttemptAt);
      if (windowOver > this.context.now()) {
        store.putMessage(current);
        store.putJob({ ...job, dueAt: windowOver, attempt: current.attempts, data: { windowOver: true } });
        return;
      }
      store.deleteJob(job.id);
      this.afterWindow(current, system, outcome.reason);
    });
  }

  /**
   * The resend window of a pushed message is over (inside a change): it goes to its organisation's
   * primary recipient system, or fails when there is none to go to.
   */
  private afterWindow(message: MessageRecord, failing: SystemRecord, reason: string): void {
    const fallback = this.fallbackFor(message, failing);
    if (fallback === undefined) {
      this.fail(message, reason);
      return;
    }
    message.fallback = true;
    message.route = { kind: 'SYSTEM', systemId: fallback.id, organisationId: fallback.organisationId };
    this.handTo(message, fallback);
  }

  /**
   * Pushes a message once more, now, as NgDP's at-least-once delivery may (a conformance suite's
   * scripted repeat): its MeMo to a REST_PUSH recipient system, whatever the message's state; its
   * notification to a publish/subscribe one. The push is a `redeliver` job, in the transcript like
   * every push; its outcome changes neither the message nor its receipts.
   *
   * @throws Rejection NOT_FOUND for an unknown message; NOT_PUSH_ROUTED when the message is not
   *   routed to a REST_PUSH or publish/subscribe system.
   */
  redeliver(messageUUID: string): { messageUUID: string; pushes: number } {
    const { store } = this.context;
    const message = store.getMessage(messageUUID.toLowerCase());
    if (message === undefined) throw reject.notFound(`no message ${messageUUID.toLowerCase()}`);
    const system = message.route?.kind === 'SYSTEM' ? store.getSystem(message.route.systemId) : undefined;
    if (system === undefined || !PUSHED.has(system.protocol)) throw reject.notPushRouted(message.messageUUID);
    this.context.change(() =>
      this.context.schedule('redeliver', this.context.now(), { messageUUID: message.messageUUID }),
    );
    return { messageUUID: message.messageUUID, pushes: 1 };
  }

  /** The `redeliver` job: the one push, its outcome left to the transcript. */
  async redeliverDue(job: Job): Promise<void> {
    const { store } = this.context;
    const message = store.getMessage(job.messageUUID as string);
    const system = message?.route?.kind === 'SYSTEM' ? store.getSystem(message.route.systemId) : undefined;
    if (message !== undefined && system?.protocol === 'REST_PUSH') {
      const xml = store.getMessageXml(message.messageUUID) ?? new Uint8Array(0);
      await this.pusher.attempt(
        'PUSH memo',
        system,
        system.endpoint,
        (url, timeoutMs) => this.outbound.pushMemo(url, { messageUUID: message.messageUUID, xml }, timeoutMs),
        memoSubject(message, xml),
        { once: true },
      );
    } else if (message !== undefined && system?.protocol === 'REST_PUBLISH_SUBSCRIBE') {
      const timeStamp = this.context.now();
      await this.pusher.attempt(
        'PUSH notification',
        system,
        system.endpoint,
        (url, timeoutMs) =>
          this.outbound.pushNotification(url, { messageUUID: message.messageUUID, timeStamp }, timeoutMs),
        { messageUUID: message.messageUUID },
        { once: true },
      );
    }
    this.context.change(() => store.deleteJob(job.id));
  }

  /** The organisation's default recipient system, when the failing system is another one. */
  private fallbackFor(message: MessageRecord, failing: SystemRecord): SystemRecord | undefined {
    if (message.fallback) return undefined;
    const now = this.context.now();
    return this.context.store
      .listSystems(failing.organisationId)
      .find(
        (system) =>
          system.id !== failing.id && system.roles.includes('RECIPIENT_DEFAULT') && isActive(system, now),
      );
  }

  /** The `push-notification` job: one attempt at telling a publish/subscribe system of a MeMo. */
  async pushNotification(job: Job): Promise<void> {
    const { store } = this.context;
    const message = store.getMessage(job.messageUUID as string);
    const system = message?.route?.kind === 'SYSTEM' ? store.getSystem(message.route.systemId) : undefined;
    if (message === undefined || message.state !== 'READY_FOR_FETCH' || system === undefined) {
      this.context.change(() => store.deleteJob(job.id));
      return;
    }
    const attemptAt = this.context.now();
    const outcome = await this.pusher.attempt(
      'PUSH notification',
      system,
      system.endpoint,
      (url, timeoutMs) =>
        this.outbound.pushNotification(
          url,
          { messageUUID: message.messageUUID, timeStamp: attemptAt },
          timeoutMs,
        ),
      { messageUUID: message.messageUUID },
    );
    this.context.change(() => {
      if (outcome.ok) {
        store.deleteJob(job.id);
        this.context.record(EventTag.NOTIFICATION_SENT, message);
        this.systems.deliverySucceeded(system);
        return;
      }
      this.context.record(EventTag.NOTIFICATION_FAILED, message, { text: outcome.reason });
      this.systems.deliveryFailed(system);
      this.pusher.retryLater(job, attemptAt);
    });
  }
}
