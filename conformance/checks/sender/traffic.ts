/** Credentials and traffic: the API key in its header only, every call authenticated, no storms of polls. */
import type { SenderObservation } from '../../evidence/sender.ts';
import type { Check } from '../../model.ts';
import { MAX_POLLS_PER_WINDOW, POLL_WINDOW_MS, rateFailures } from '../shared/traffic.ts';
import { CLAUSES, failure, judged, requestEvidence, senderCheck } from './support.ts';

const LISTS = new Set(['GET /receipts/', 'GET /receipts-bulk/']);

export const trafficChecks: Check<SenderObservation>[] = [
  senderCheck(
    'sender.auth.header-only',
    'MUST',
    'The API key travels only in the Authorization header: never in a URL or a body',
    CLAUSES.auth,
    (observation) => {
      const elsewhere = observation.requests.filter((entry) => entry.credentials === 'elsewhere');
      return judged(
        observation.requests.length > 0,
        elsewhere.length === 0
          ? []
          : [
              failure(
                `${elsewhere.length} request${elsewhere.length === 1 ? '' : 's'} carried the API key outside the Authorization header`,
                elsewhere
                  .slice(0, 10)
                  .map((entry) => requestEvidence(entry, 'API key outside Authorization')),
              ),
            ],
      );
    },
  ),
  senderCheck(
    'sender.auth.accepted',
    'MUST',
    'Every request is authenticated as the system: none is refused 401 or 403',
    CLAUSES.auth,
    (observation) => {
      const refused = observation.requests.filter((entry) => entry.status === 401 || entry.status === 403);
      return judged(
        observation.requests.length > 0,
        refused.length === 0
          ? []
          : [
              failure(
                `${refused.length} request${refused.length === 1 ? ' was' : 's were'} refused ${[...new Set(refused.map((e) => `${e.status} ${e.code ?? ''}`.trim()))].join(', ')}`,
                refused.slice(0, 10).map((entry) => requestEvidence(entry, entry.code ?? undefined)),
              ),
            ],
      );
    },
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
