/**
 * Proxy mode for a recipient system that pulls its MeMos: what the proxy recorded, as the
 * recipient-pull profile's observation, and which of its checks that record can judge. NgDP's
 * queue is not the suite's here: the MeMos are the ones NgDP served the system (`GET /memos/{id}`
 * 200), valid or not by {@link validateMemo}, and the business receipt NgDP holds for each is the
 * one the system gave and NgDP took. There is no vendor report, no scripted fault and no quiet
 * spell, so the checks that need them are skipped.
 */
import { validateMemo } from '../sdk/memo/validate.ts';
import type { RecipientPullCheckId } from './checks/recipient-pull/ids.ts';
import { RECIPIENT_PULL_CHECKS } from './checks/recipient-pull/index.ts';
import { withoutReceipt } from './checks/recipient-pull/receipts.ts';
import { judged } from './checks/recipient-pull/support.ts';
import type { OfferedMemo } from './evidence/recipient.ts';
import { sha256 } from './evidence/sender.ts';
import type { Check } from './model.ts';
import { type TranscriptEntry, wallOf } from './runner/transcript.ts';
import type { PullObservation } from './scenarios/recipient-pull.ts';

/** The recipient-pull checks proxy mode judges: those its record of the system's requests can. */
export const PROXY_PULL_CHECKS: readonly RecipientPullCheckId[] = [
  'recipient-pull.invalid.never-accepted',
  'recipient-pull.invalid.refused',
  'recipient-pull.receipts.each',
  'recipient-pull.receipts.after-fetch',
  'recipient-pull.receipts.accepted',
  'recipient-pull.receipts.resent',
  'recipient-pull.receipts.already-given',
  'recipient-pull.receipts.bounded',
  'recipient-pull.retry.honours-retry-after',
  'recipient-pull.fetch.bounded',
  'recipient-pull.auth.header-only',
  'recipient-pull.auth.accepted',
  'recipient-pull.rate.polling',
];

/** A MeMo NgDP served the system, as the proxy saw it go by. */
export interface ServedMemo {
  sha256: string;
  size: number;
  /** A valid MeMo by {@link validateMemo}, offered under the messageUUID its header names. */
  valid: boolean;
}

/** What the proxy keeps of the traffic. */
export interface ProxyRecord {
  readonly entries: readonly TranscriptEntry[];
  /** Request bodies kept, by the entry's seq. */
  readonly bodies: ReadonlyMap<number, Buffer>;
  /** MeMos NgDP served (the last time), by lower-cased messageUUID. */
  readonly served: ReadonlyMap<string, ServedMemo>;
}

/** What NgDP served under `messageUUID`, judged as a MeMo. */
export function servedMemoOf(messageUUID: string, body: Buffer): ServedMemo {
  const validation = validateMemo(body);
  const named = validation.memo?.messageHeader.messageUUID.toLowerCase();
  return {
    sha256: sha256(body),
    size: body.length,
    valid: validation.valid && named === messageUUID.toLowerCase(),
  };
}

function receiptStatusOf(body: Buffer | undefined): string | null {
  try {
    const status = (JSON.parse(body?.toString('utf8') ?? '') as { receiptStatus?: unknown }).receiptStatus;
    return typeof status === 'string' ? status : null;
  } catch {
    return null;
  }
}

/** The proxy's record as a recipient-pull observation of one "scenario": all of it. */
export function pullObservationOf(record: ProxyRecord, startedAt: Date): PullObservation {
  const receipts = new Map<string, string>();
  const firstFetch = new Map<string, number>();
  for (const entry of record.entries) {
    const uuid = entry.messageUUID?.toLowerCase();
    if (uuid === undefined) continue;
    if (entry.operation === 'GET /memos/{id}' && entry.status === 200 && !firstFetch.has(uuid))
      firstFetch.set(uuid, wallOf(entry));
    // 409: NgDP had one already, most likely this one, given before (perhaps before the proxy).
    const took =
      entry.status !== null && ((entry.status >= 200 && entry.status < 300) || entry.status === 409);
    const status = receiptStatusOf(record.bodies.get(entry.seq));
    if (entry.operation === 'POST /memos/{id}/receipt' && took && status !== null && !receipts.has(uuid))
      receipts.set(uuid, status);
  }
  const memos: OfferedMemo[] = [...record.served].map(([messageUUID, served]) => ({
    kind: 'served',
    group: served.valid ? 'ordinary' : 'invalid',
    messageUUID,
    valid: served.valid,
    size: served.size,
    sha256: served.sha256,
    scenario: 'proxy',
    offeredAt: firstFetch.get(messageUUID) ?? startedAt.getTime(),
    receiptStatus: receipts.get(messageUUID) ?? null,
    state: undefined,
  }));
  return {
    scenario: {
      id: 'proxy',
      title: 'what the system did through the proxy',
      judges: PROXY_PULL_CHECKS,
      memos: [],
      deadlineMs: 0,
    },
    systemId: '',
    memos,
    earlier: new Map(),
    requests: [...record.entries],
    fetchedBefore: new Set(),
    report: { lines: [], problems: [], earlier: [] },
    quiet: [],
    outage: undefined,
    retryAfterMs: 0,
    startedAt: startedAt.getTime(),
    endedAt: Date.now(),
    deadlineMs: 0,
    adapter: undefined,
  };
}

/**
 * The recipient-pull catalogue as proxy mode judges it. Without a vendor report "taken in" cannot
 * be seen, so `receipts.each` asks it of every MeMo NgDP served the system.
 */
export const PROXY_PULL_CATALOGUE: readonly Check<PullObservation>[] = RECIPIENT_PULL_CHECKS.map((check) =>
  check.id === 'recipient-pull.receipts.each'
    ? {
        ...check,
        judge: (observation: PullObservation) =>
          judged(observation.memos.length > 0, withoutReceipt(observation, observation.memos, 'was fetched')),
      }
    : check,
);
