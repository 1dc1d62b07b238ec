/** Retries: after a lost answer, a 503, an outage — the same letter again, in good time, within a bound. */
import type { SenderObservation } from '../../evidence/sender.ts';
import type { Check } from '../../model.ts';
import { type TranscriptEntry, wallOf } from '../../runner/transcript.ts';
import { givenUpAsFailed } from '../shared/outcomes.ts';
import {
  CLAUSES,
  failure,
  heldForLetter,
  heldOf,
  judged,
  linesFor,
  requestEvidence,
  sameUuid,
  senderCheck,
  sendsOf,
} from './support.ts';

/** The simulator answers every 503 with `Retry-After: 1` (docs/simulator.md); proxy mode records the real one. */
export const RETRY_AFTER_MS = 1_000;
/** Timers on the two sides differ a little. */
const CLOCK_SLACK_MS = 50;
/** The most attempts one send may take in a scenario. */
export const MAX_ATTEMPTS = 8;

/** The sends of each messageUUID (lower-cased), in order. */
function sendsByUuid(observation: SenderObservation): Map<string, TranscriptEntry[]> {
  const byUuid = new Map<string, TranscriptEntry[]>();
  for (const entry of sendsOf(observation)) {
    if (entry.messageUUID === null) continue;
    const key = entry.messageUUID.toLowerCase();
    byUuid.set(key, [...(byUuid.get(key) ?? []), entry]);
  }
  return byUuid;
}

const lost = (entry: TranscriptEntry): boolean => entry.status === null;
const answeredWithOriginal = (entry: TranscriptEntry): boolean =>
  entry.status === 201 || (entry.status === 409 && entry.code === 'DUPLICATE_MESSAGE_UUID');

export const retryChecks: Check<SenderObservation>[] = [
  senderCheck(
    'sender.retry.same-uuid',
    'MUST',
    'A send whose answer was lost is sent again with the same messageUUID',
    CLAUSES.resend,
    (observation) => {
      const sends = sendsOf(observation);
      const lostSends = sends.filter(lost);
      return judged(
        lostSends.length > 0,
        lostSends.flatMap((entry) => {
          const again = sends.some(
            (later) => later.seq > entry.seq && sameUuid(later.messageUUID, entry.messageUUID),
          );
          if (again) return [];
          const held = heldOf(observation, entry.messageUUID);
          const letter = held?.letter;
          const others =
            letter === undefined ? [] : heldForLetter(observation, letter).filter((m) => m !== held);
          const tail =
            others.length > 0
              ? `; the letter went again as ${others.map((m) => m.messageUUID).join(', ')}`
              : '';
          return [
            failure(
              `the answer to sending ${entry.messageUUID} was lost and it was never sent again${tail}`,
              [requestEvidence(entry, 'no answer')],
            ),
          ];
        }),
      );
    },
  ),
  senderCheck(
    'sender.retry.same-bytes',
    'MUST',
    'Every send of a messageUUID carries the same bytes (the MeMo is serialized once)',
    CLAUSES.resend,
    (observation) => {
      const repeated = [...sendsByUuid(observation).values()].filter((entries) => entries.length > 1);
      return judged(
        repeated.length > 0,
        repeated.flatMap((entries) => {
          const hashes = new Set(entries.map((entry) => entry.bodySha256).filter((hash) => hash !== null));
          return hashes.size <= 1
            ? []
            : [
                failure(
                  `${entries[0]?.messageUUID} was sent ${entries.length} times with ${hashes.size} different bodies`,
                  entries.map((entry) =>
                    requestEvidence(entry, `body sha256 ${entry.bodySha256?.slice(0, 16)}…`),
                  ),
                ),
              ];
        }),
      );
    },
  ),
  senderCheck(
    'sender.retry.original-receipt',
    'MUST',
    'A resend answered with the original receipt (201 again, or 409 DUPLICATE_MESSAGE_UUID) counts as sent: the letter is not reported FAILED',
    CLAUSES.resend,
    (observation) => {
      const resent = [...sendsByUuid(observation).values()].filter(
        (entries) => entries.length > 1 && entries.slice(1).some(answeredWithOriginal),
      );
      return judged(
        resent.length > 0,
        resent.flatMap((entries) => {
          const letter = heldOf(observation, entries[0]?.messageUUID)?.letter;
          if (letter === undefined) return [];
          return linesFor(observation, letter)
            .filter((line) => line.outcome === 'FAILED')
            .map(() =>
              failure(
                `${letter} was reported FAILED, though NgDP answered its resend with the original receipt`,
                entries.map((e) => requestEvidence(e)),
              ),
            );
        }),
      );
    },
  ),
  senderCheck(
    'sender.retry.honours-retry-after',
    'MUST',
    'After a 503 with Retry-After, the same send is not repeated before that time has passed',
    CLAUSES.unavailable,
    (observation) => {
      const refused = sendsOf(observation).filter((entry) => entry.status === 503);
      return judged(
        refused.length > 0,
        refused.flatMap((entry) => {
          const next = sendsOf(observation).find(
            (later) => later.seq > entry.seq && sameUuid(later.messageUUID, entry.messageUUID),
          );
          if (next === undefined) return [];
          const waited = wallOf(next) - (wallOf(entry) + entry.durationMs);
          const asked = entry.retryAfterMs ?? RETRY_AFTER_MS;
          return waited + CLOCK_SLACK_MS >= asked
            ? []
            : [
                failure(
                  `${entry.messageUUID} was sent again ${Math.max(0, waited)} ms after a 503 with Retry-After: ${asked / 1000}`,
                  [
                    requestEvidence(entry, `Retry-After: ${asked / 1000}`),
                    requestEvidence(next, `${Math.max(0, waited)} ms later`),
                  ],
                ),
              ];
        }),
      );
    },
  ),
  senderCheck(
    'sender.retry.bounded',
    'MUST',
    `Retries are bounded: one letter is tried at most ${MAX_ATTEMPTS} times in a scenario`,
    CLAUSES.outage,
    (observation) => {
      const sends = sendsOf(observation);
      const troubled = sends.some((entry) => entry.status === null || entry.status === 503);
      return judged(
        troubled,
        [...sendsByUuid(observation).values()]
          .filter((entries) => entries.length > MAX_ATTEMPTS)
          .map((entries) =>
            failure(`${entries[0]?.messageUUID} was sent ${entries.length} times`, [
              requestEvidence(entries[0] as TranscriptEntry, 'first'),
              requestEvidence(entries.at(-1) as TranscriptEntry, 'last'),
            ]),
          ),
      );
    },
  ),
  senderCheck(
    'sender.retry.gives-up',
    'MUST',
    'Under a lasting outage the system gives up within the deadline and reports each letter FAILED',
    CLAUSES.outage,
    (observation) => givenUpAsFailed(observation, observation.scenario.outage === true),
  ),
];
