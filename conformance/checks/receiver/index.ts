/** The catalogues of the recipient-push and recipient-pubsub profiles, in the order of their ids. */
import type { ReceiverObservation } from '../../evidence/receiver.ts';
import type { Check } from '../../model.ts';
import { answerChecks } from './answers.ts';
import { endpointChecks } from './endpoint.ts';
import { type ReceiverProfile, receiverCheckIds } from './ids.ts';
import { memoChecks } from './memos.ts';

/** The checks of `profile`, in catalogue order. */
export function receiverChecks(profile: ReceiverProfile): Check<ReceiverObservation>[] {
  const byId = new Map(
    [...memoChecks(profile), ...answerChecks(profile), ...endpointChecks(profile)].map((check) => [
      check.id,
      check,
    ]),
  );
  return receiverCheckIds(profile).map((id) => {
    const check = byId.get(id);
    if (check === undefined)
      throw new Error(`the ${profile} catalogue lists ${id}, but no check is declared for it`);
    return check;
  });
}
