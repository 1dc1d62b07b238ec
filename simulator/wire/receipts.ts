/** NgDP's `Receipt` JSON, from the simulator's records. */
import type { Receipt } from '../../sdk/ngdp/wire.ts';
import type { MessageRecord, ReceiptRecord } from '../domain/model.ts';

const iso = (time: number): string => new Date(time).toISOString();

/** A business (or container entry) receipt; `withId` for lists that let the caller fetch or delete it. */
export function receiptJson(receipt: ReceiptRecord, withId = false): Receipt {
  return {
    ...(withId ? { id: receipt.id } : {}),
    transmissionId: receipt.transmissionId,
    ...(receipt.messageUUID === undefined ? {} : { messageUUID: receipt.messageUUID }),
    ...(receipt.messageId === undefined ? {} : { messageId: receipt.messageId }),
    timeStamp: iso(receipt.timeStamp),
    receiptStatus: receipt.receiptStatus,
    ...(receipt.errorCode === undefined ? {} : { errorCode: receipt.errorCode }),
    ...(receipt.errorMessage === undefined ? {} : { errorMessage: receipt.errorMessage }),
  };
}

/** The technical receipt of a message taken in (`POST /memos/` → 201). */
export function technicalReceiptJson(message: MessageRecord): Receipt {
  return {
    transmissionId: message.transmissionId,
    messageUUID: message.messageUUID,
    ...(message.messageId === undefined ? {} : { messageId: message.messageId }),
    timeStamp: iso(message.receivedAt),
    receiptStatus: 'RECEIVED',
  };
}

/** The technical receipt of a bulk container: the transmission, no message of its own. */
export function containerReceiptJson(container: { transmissionId: string; receivedAt: number }): Receipt {
  return {
    transmissionId: container.transmissionId,
    timeStamp: iso(container.receivedAt),
    receiptStatus: 'RECEIVED',
  };
}

/**
 * The body NgDP answers `POST /memos/` with when it cannot take a MeMo now (503): a Receipt with an
 * error, and no message (docs/simulator.md, "NgDP's API").
 */
export function unavailableReceiptJson(transmissionId: string, now: number): Omit<Receipt, 'receiptStatus'> {
  return {
    transmissionId,
    timeStamp: iso(now),
    errorCode: 'SERVICE_UNAVAILABLE',
    errorMessage: 'Digital Post is temporarily unavailable; send the same message again later',
  };
}
