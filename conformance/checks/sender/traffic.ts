/** Credentials and traffic: the API key in its header only, every call authenticated, no storms of polls. */
import type { SenderObservation } from '../../evidence/sender.ts';
import type { Check } from '../../model.ts';
import { everyCallAuthenticated, keyOnlyInHeader } from '../credentials.ts';
import { MAX_POLLS_PER_WINDOW, POLL_WINDOW_MS, rateFailures } from '../shared/traffic.ts';
import { CLAUSES, requestEvidence, senderCheck } from './support.ts';

const LISTS = new Set(['GET /receipts/', 'GET /receipts-bulk/']);

export const trafficChecks: Check<SenderObservation>[] = [
  senderCheck(
    'sender.auth.header-only',
    'MUST',
    'The API key travels only in the Authorization header: never in a URL or a body',
    CLAUSES.auth,
    (observation) => keyOnlyInHeader(observation.requests),
  ),
  senderCheck(
    'sender.auth.accepted',
    'MUST',
    'Every request is authenticated as the system: none is refused 401 or 403',
    CLAUSES.auth,
    (observation) => everyCallAuthenticated(observation.requests),
  ),
  senderCheck(
    'sender.rate.polling',
    'MUST',
    `Receipts are polled without a storm: at most ${MAX_POLLS_PER_WINDOW} list requests in any ${POLL_WINDOW_MS / 1000} s, and no more than that rate while nothing changes`,
    CLAUSES.polling,
    (observation) => {
      const polls = observation.requests.filter((entry) => LISTS.has(entry.operation));
      return rateFailures(polls, observation.clock.holds, 'receipt list requests', requestEvidence);
    },
  ),
];
