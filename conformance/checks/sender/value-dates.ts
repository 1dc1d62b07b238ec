/** Value dates and recall: Danish dates within five days, never a time of day; recall only when asked. */
import type { SenderObservation } from '../../evidence/sender.ts';
import { messageUUIDOf } from '../../evidence/sender.ts';
import type { Check } from '../../model.ts';
import type { TranscriptEntry } from '../../runner/transcript.ts';
import {
  VALUE_DATE_HORIZON_DAYS,
  valueDateAsRequested,
  valueDateDateOnly,
  valueDateOnlyWhenAsked,
  valueDateWithinHorizon,
} from '../shared/value-dates.ts';
import {
  CLAUSES,
  failure,
  heldForLetter,
  heldOf,
  judged,
  letterOf,
  nameOf,
  note,
  requestEvidence,
  sameUuid,
  senderCheck,
} from './support.ts';

const recalls = (observation: SenderObservation): TranscriptEntry[] =>
  observation.requests.filter((entry) => entry.operation === 'DELETE /memos/{id}');

export const valueDateChecks: Check<SenderObservation>[] = [
  senderCheck(
    'sender.value-date.as-requested',
    'MUST',
    'A letter with a value date is sent with exactly that date in doNotDeliverUntilDate',
    CLAUSES.valueDate,
    valueDateAsRequested,
  ),
  senderCheck(
    'sender.value-date.only-when-asked',
    'SHOULD',
    'A letter without a value date is sent without one (or with the day of sending)',
    CLAUSES.valueDate,
    valueDateOnlyWhenAsked,
  ),
  senderCheck(
    'sender.value-date.date-only',
    'MUST',
    'A value date is a plain calendar date (YYYY-MM-DD): never a time of day or a time zone',
    CLAUSES.valueDate,
    valueDateDateOnly,
  ),
  senderCheck(
    'sender.value-date.within-horizon',
    'MUST',
    `A value date is at most ${VALUE_DATE_HORIZON_DAYS} days after the Danish date on which the letter is sent`,
    CLAUSES.valueDate,
    valueDateWithinHorizon,
  ),
  senderCheck(
    'sender.recall.when-asked',
    'MUST',
    'A letter to be recalled is recalled (DELETE /memos/{messageUUID}) once NgDP accepted it, before its value date',
    CLAUSES.recall,
    (observation) => {
      const asked = observation.letters.filter(
        (letter) => letter.recall && heldForLetter(observation, letter.ref).length > 0,
      );
      return judged(
        asked.length > 0,
        asked.flatMap((letter) =>
          heldForLetter(observation, letter.ref)
            .filter((message) => message.state.state !== 'RECALLED')
            .map((message) =>
              failure(`${nameOf(letter)} was to be recalled, but NgDP has it ${message.state.state}`, [
                ...recalls(observation)
                  .filter((entry) => sameUuid(messageUUIDOf(entry), message.messageUUID))
                  .map((entry) => requestEvidence(entry)),
                note(`NgDP: ${message.state.state}`, message.messageUUID),
              ]),
            ),
        ),
      );
    },
  ),
  senderCheck(
    'sender.recall.only-when-asked',
    'MUST',
    'No letter is recalled unless the scenario asks for it',
    CLAUSES.recall,
    (observation) => {
      const wrongly = recalls(observation).filter((entry) => {
        const ref = heldOf(observation, messageUUIDOf(entry))?.letter;
        return ref === undefined || letterOf(observation, ref)?.recall !== true;
      });
      const uuids = new Set(wrongly.map((entry) => messageUUIDOf(entry)?.toLowerCase()));
      return [...uuids].map((uuid) =>
        failure(
          `${heldOf(observation, uuid)?.letter ?? uuid} was recalled, though no recall was asked for`,
          wrongly
            .filter((entry) => sameUuid(messageUUIDOf(entry), uuid))
            .map((entry) => requestEvidence(entry)),
        ),
      );
    },
  ),
  senderCheck(
    'sender.recall.lost-answer',
    'SHOULD',
    'A recall whose answer was lost is tried again (409 ALREADY_RECALLED then means it worked)',
    CLAUSES.recall,
    (observation) => {
      const all = recalls(observation);
      const lostOnes = all.filter((entry) => entry.status === null);
      return judged(
        lostOnes.length > 0,
        lostOnes
          .filter(
            (entry) =>
              !all.some(
                (later) => later.seq > entry.seq && sameUuid(messageUUIDOf(later), messageUUIDOf(entry)),
              ),
          )
          .map((entry) =>
            failure(
              `the answer to recalling ${messageUUIDOf(entry)} was lost and the recall was never tried again`,
              [requestEvidence(entry, 'no answer')],
            ),
          ),
      );
    },
  ),
];
