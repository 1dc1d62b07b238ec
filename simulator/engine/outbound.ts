/**
 * The outbound port: the calls NgDP makes to systems — MeMos to REST_PUSH recipient systems,
 * business receipts to sender systems, publish/subscribe notifications. The engine decides what to
 * deliver, when and how often; an adapter (`http/outbound.ts`) says how it looks on the wire and
 * makes the call. Any 2xx is success; any other status, a connection error or no answer within
 * `timeoutMs` is a failed attempt.
 */
import type { ReceiptRecord } from '../domain/model.ts';
import type { ContactChange } from '../domain/subscriptions.ts';

/** The size and SHA-256 (hex) of the body a push sent, for the transcript. */
export interface SentBody {
  bytes: number;
  sha256: string;
}

export type PushOutcome = ({ ok: true; status: number } | { ok: false; status?: number; reason: string }) & {
  /** What was sent (receipts and notifications: the JSON; a MeMo's XML the engine knows itself). */
  sent?: SentBody;
};

/** What a contact subscription's notification tells: which contact changed, how, and when. */
export interface ContactNotification {
  subscriptionId: string;
  contactId: string;
  change: ContactChange;
  /** The contact's version after the change. */
  version: number;
  /** When NgDP sent it. */
  timeStamp: number;
}

/** What an organisation subscription's notification tells: which organisation changed, and when. */
export interface OrganisationNotification {
  subscriptionId: string;
  organisationId: string;
  cvrNumber: string;
  change: ContactChange;
  /** The organisation's version after the change. */
  version: number;
  /** When NgDP sent it. */
  timeStamp: number;
}

export interface Outbound {
  /** Delivers a MeMo to a recipient system's endpoint. */
  pushMemo(
    url: string,
    memo: { messageUUID: string; xml: Uint8Array },
    timeoutMs: number,
  ): Promise<PushOutcome>;
  /** Delivers a business receipt to a sender system's receipt endpoint. */
  pushReceipt(url: string, receipt: ReceiptRecord, timeoutMs: number): Promise<PushOutcome>;
  /** Tells a publish/subscribe recipient system that a MeMo waits for it (sent at `timeStamp`). */
  pushNotification(
    url: string,
    notification: { messageUUID: string; timeStamp: number },
    timeoutMs: number,
  ): Promise<PushOutcome>;
  /** Tells a sender system's contact subscription (at its `notificationUrl`) that a contact changed. */
  pushContactNotification(
    url: string,
    notification: ContactNotification,
    timeoutMs: number,
  ): Promise<PushOutcome>;
  /** Tells a sender system's organisation subscription that an organisation changed. */
  pushOrganisationNotification(
    url: string,
    notification: OrganisationNotification,
    timeoutMs: number,
  ): Promise<PushOutcome>;
}
