/** Letters and their MeMos: each letter once, under its own messageUUID, as a valid, faithful MeMo. */
import type { SenderObservation } from '../../evidence/sender.ts';
import type { Check } from '../../model.ts';
import {
  invalidMemos,
  lettersEachSent,
  lettersNoStray,
  lettersSentTwice,
  memoDocuments,
  memoLabel,
  memoParties,
} from '../shared/letters.ts';
import { CLAUSES, failure, judged, requestEvidence, sameUuid, senderCheck, sendsOf } from './support.ts';

export const letterChecks: Check<SenderObservation>[] = [
  senderCheck(
    'sender.letters.each-sent',
    'MUST',
    'Every letter of the scenario reaches NgDP',
    CLAUSES.protocol,
    lettersEachSent,
  ),
  senderCheck(
    'sender.letters.exactly-once',
    'MUST',
    'No letter is sent twice: NgDP never holds one letter under two messageUUIDs',
    CLAUSES.resend,
    (observation) =>
      lettersSentTwice(observation, (uuids) =>
        sendsOf(observation)
          .filter((entry) => uuids.some((uuid) => sameUuid(uuid, entry.messageUUID)))
          .map((entry) => requestEvidence(entry)),
      ),
  ),
  senderCheck(
    'sender.letters.unique-uuid',
    'MUST',
    'Every letter gets a new messageUUID: none is used again for another letter in the run',
    'MeMo R1: messageUUID is a new random UUID v4 per message (docs/memo.md)',
    (observation) => {
      const failures = sendsOf(observation).flatMap((entry) => {
        const earlier =
          entry.messageUUID === null
            ? undefined
            : observation.earlierUuids.get(entry.messageUUID.toLowerCase());
        return earlier === undefined
          ? []
          : [
              failure(`${entry.messageUUID} was sent already, for a letter of scenario ${earlier}`, [
                requestEvidence(entry),
              ]),
            ];
      });
      const unique = new Map(failures.map((item) => [item.evidence[0]?.messageUUID, item]));
      return [...unique.values()];
    },
  ),
  senderCheck(
    'sender.letters.no-stray',
    'SHOULD',
    'The system sends no MeMo that is not one of the scenario’s letters',
    CLAUSES.protocol,
    lettersNoStray,
  ),
  senderCheck(
    'sender.memo.valid',
    'MUST',
    'Every MeMo the system sends is valid: the MeMo schema and NgDP’s rules',
    CLAUSES.memoSchema,
    (observation) => {
      const unreadable = sendsOf(observation)
        .filter((entry) => entry.status === 400 && entry.code === 'MEMO_UNREADABLE')
        .map((entry) =>
          failure('NgDP could not read a MeMo at all (400 MEMO_UNREADABLE)', [requestEvidence(entry)]),
        );
      const invalid = invalidMemos(observation);
      return judged(observation.held.size > 0 || unreadable.length > 0, [...unreadable, ...invalid]);
    },
  ),
  senderCheck(
    'sender.memo.parties',
    'MUST',
    'Each MeMo names the scenario’s sender (CVR and name) and the letter’s recipient (CPR or CVR, with its idType)',
    CLAUSES.memoParties,
    memoParties,
  ),
  senderCheck(
    'sender.memo.documents',
    'MUST',
    'Each letter’s main document and attachments are sent byte for byte, under their file names',
    CLAUSES.memoDocuments,
    memoDocuments,
  ),
  senderCheck(
    'sender.memo.label',
    'SHOULD',
    'Each MeMo’s label is the letter’s label',
    'MeMo MessageHeader/label (docs/memo.md §3.2)',
    memoLabel,
  ),
  senderCheck(
    'sender.send.request',
    'MUST',
    'Sends are requests NgDP can take: application/xml with memo-message-uuid equal to the MeMo’s messageUUID (never 400, 413 or 415)',
    CLAUSES.sendMemo,
    (observation) => {
      const sends = sendsOf(observation);
      return judged(
        sends.length > 0,
        sends
          .filter((entry) => entry.status === 400 || entry.status === 413 || entry.status === 415)
          .map((entry) =>
            failure(`a send was refused ${entry.status} ${entry.code ?? ''}`.trim(), [
              requestEvidence(entry, entry.code ?? undefined),
            ]),
          ),
      );
    },
  ),
];
