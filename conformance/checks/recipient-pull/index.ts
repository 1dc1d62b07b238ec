/** The recipient-pull profile's catalogue, in the order of {@link RECIPIENT_PULL_CHECK_IDS}. */
import type { Check } from '../../model.ts';
import type { PullObservation } from '../../scenarios/recipient-pull.ts';
import { faultChecks } from './faults.ts';
import { RECIPIENT_PULL_CHECK_IDS } from './ids.ts';
import { memoChecks } from './memos.ts';
import { receiptChecks } from './receipts.ts';
import { trafficChecks } from './traffic.ts';

const byId = new Map(
  [...memoChecks, ...receiptChecks, ...faultChecks, ...trafficChecks].map((check) => [check.id, check]),
);

export const RECIPIENT_PULL_CHECKS: readonly Check<PullObservation>[] = RECIPIENT_PULL_CHECK_IDS.map((id) => {
  const check = byId.get(id);
  if (check === undefined)
    throw new Error(`the recipient-pull catalogue lists ${id}, but no check is declared for it`);
  return check;
});
