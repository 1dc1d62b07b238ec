/** The protocol, and letters and their MeMos: the judges the sender-sftp profile shares with the sender profile. */
import type { SftpObservation } from '../../evidence/sender-sftp.ts';
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
import {
  adapterExitZero,
  adapterWithinDeadline,
  reportEveryLetter,
  reportMessageUuid,
  reportWellFormed,
} from '../shared/protocol.ts';
import { failure, judged, note } from '../shared/support.ts';
import { CLAUSES, sftpCheck } from './support.ts';

export const letterChecks: Check<SftpObservation>[] = [
  sftpCheck(
    'adapter.exit-zero',
    'MUST',
    'The adapter command exits with status 0 when it has done what its system would do',
    CLAUSES.protocol,
    adapterExitZero,
  ),
  sftpCheck(
    'adapter.within-deadline',
    'MUST',
    'The adapter command finishes before the scenario’s deadline',
    CLAUSES.protocol,
    adapterWithinDeadline,
  ),
  sftpCheck(
    'report.well-formed',
    'MUST',
    'Every line of the vendor report is one JSON object naming a letter of the scenario and an outcome of the protocol',
    CLAUSES.protocol,
    reportWellFormed,
  ),
  sftpCheck(
    'report.every-letter',
    'MUST',
    'Every letter of the scenario is reported exactly once',
    CLAUSES.protocol,
    reportEveryLetter,
  ),
  sftpCheck(
    'report.message-uuid',
    'MUST',
    'The messageUUID reported for a letter is the one NgDP holds it under (null only when NgDP holds none)',
    CLAUSES.protocol,
    reportMessageUuid,
  ),
  sftpCheck(
    'letters.each-sent',
    'MUST',
    'Every letter of the scenario reaches NgDP',
    CLAUSES.protocol,
    lettersEachSent,
  ),
  sftpCheck(
    'letters.exactly-once',
    'MUST',
    'No letter is sent twice: NgDP never holds one letter under two messageUUIDs',
    CLAUSES.resend,
    (observation) =>
      lettersSentTwice(observation, (uuids) => uuids.map((uuid) => note('NgDP holds the letter as', uuid))),
  ),
  sftpCheck(
    'letters.unique-uuid',
    'MUST',
    'Every letter gets a new messageUUID: none is used again for another letter in the run',
    'MeMo R1: messageUUID is a new random UUID v4 per message (docs/memo.md)',
    (observation) =>
      [...observation.held.values()].flatMap((message) => {
        const earlier = observation.earlierUuids.get(message.messageUUID.toLowerCase());
        return earlier === undefined
          ? []
          : [
              failure(`${message.messageUUID} was sent already, for a letter of scenario ${earlier}`, [
                note(`now ${message.letter ?? 'no letter of the scenario'}`, message.messageUUID),
              ]),
            ];
      }),
  ),
  sftpCheck(
    'letters.no-stray',
    'SHOULD',
    'The system sends no MeMo that is not one of the scenario’s letters',
    CLAUSES.protocol,
    lettersNoStray,
  ),
  sftpCheck(
    'memo.valid',
    'MUST',
    'Every MeMo the system sends is valid: the MeMo schema and NgDP’s rules',
    CLAUSES.memoSchema,
    (observation) => judged(observation.held.size > 0, invalidMemos(observation)),
  ),
  sftpCheck(
    'memo.parties',
    'MUST',
    'Each MeMo names the scenario’s sender (CVR and name) and the letter’s recipient (CPR or CVR, with its idType)',
    CLAUSES.memoParties,
    memoParties,
  ),
  sftpCheck(
    'memo.documents',
    'MUST',
    'Each letter’s main document and attachments are sent byte for byte, under their file names',
    CLAUSES.memoDocuments,
    memoDocuments,
  ),
  sftpCheck(
    'memo.label',
    'SHOULD',
    'Each MeMo’s label is the letter’s label',
    'MeMo MessageHeader/label (docs/memo.md §3.2)',
    memoLabel,
  ),
];
