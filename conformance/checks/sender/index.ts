/** The sender profile's catalogue, in the order of {@link SENDER_CHECK_IDS}. */
import type { SenderObservation } from '../../evidence/sender.ts';
import type { Check } from '../../model.ts';
import { SENDER_CHECK_IDS } from './ids.ts';
import { letterChecks } from './letters.ts';
import { protocolChecks } from './protocol.ts';
import { receiptChecks } from './receipts.ts';
import { retryChecks } from './retries.ts';
import { trafficChecks } from './traffic.ts';
import { valueDateChecks } from './value-dates.ts';

const all = [
  ...protocolChecks,
  ...letterChecks,
  ...retryChecks,
  ...receiptChecks,
  ...valueDateChecks,
  ...trafficChecks,
];
const byId = new Map(all.map((check) => [check.id, check]));

export const SENDER_CHECKS: readonly Check<SenderObservation>[] = SENDER_CHECK_IDS.map((id) => {
  const check = byId.get(id);
  if (check === undefined)
    throw new Error(`the sender catalogue lists ${id}, but no check is declared for it`);
  return check;
});
