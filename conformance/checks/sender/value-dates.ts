/** Value dates and recall: Danish dates within five days, never a time of day; recall only when asked. */
import { copenhagenDate, daysBetween, valueDateOf } from '../../../sdk/ngdp/time.ts';
import type { HeldMessage, SenderObservation } from '../../evidence/sender.ts';
import { messageUUIDOf } from '../../evidence/sender.ts';
import type { Check } from '../../model.ts';
import type { TranscriptEntry } from '../../runner/transcript.ts';
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

/** How many days after the day of sending a value date may lie (DIGST; docs/simulator.md). */
export const VALUE_DATE_HORIZON_DAYS = 5;

const PLAIN_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The Danish date on which NgDP received the message (simulator time). */
function dayReceived(message: HeldMessage): string | undefined {
  const received = message.state.receivedAt === undefined ? Number.NaN : Date.parse(message.state.receivedAt);
  return Number.isNaN(received) ? undefined : copenhagenDate(received);
}

const withValueDate = (observation: SenderObservation): HeldMessage[] =>
  [...observation.held.values()].filter((message) => message.valueDateText !== undefined);

const recalls = (observation: SenderObservation): TranscriptEntry[] =>
  observation.requests.filter((entry) => entry.operation === 'DELETE /memos/{id}');

export const valueDateChecks: Check<SenderObservation>[] = [
  senderCheck(
    'sender.value-date.as-requested',
    'MUST',
    'A letter with a value date is sent with exactly that date in doNotDeliverUntilDate',
    CLAUSES.valueDate,
    (observation) => {
      const dated = observation.letters.filter((letter) => letter.valueDate !== undefined);
      return judged(
        dated.some((letter) => heldForLetter(observation, letter.ref).length > 0),
        dated.flatMap((letter) =>
          heldForLetter(observation, letter.ref)
            .filter(
              (message) =>
                message.valueDateText === undefined ||
                valueDateOf(message.valueDateText) !== letter.valueDate,
            )
            .map((message) =>
              failure(
                `${nameOf(letter)} was to wait until ${letter.valueDate}, but was sent with ${message.valueDateText ?? 'no value date'}`,
                [note(`doNotDeliverUntilDate: ${message.valueDateText ?? '(none)'}`, message.messageUUID)],
              ),
            ),
        ),
      );
    },
  ),
  senderCheck(
    'sender.value-date.only-when-asked',
    'SHOULD',
    'A letter without a value date is sent without one (or with the day of sending)',
    CLAUSES.valueDate,
    (observation) => {
      const undated = [...observation.held.values()].filter((message) => {
        const letter = message.letter === undefined ? undefined : letterOf(observation, message.letter);
        return letter !== undefined && letter.valueDate === undefined;
      });
      return judged(
        undated.length > 0,
        undated
          .filter((message) => {
            const day = dayReceived(message);
            return (
              message.valueDateText !== undefined &&
              day !== undefined &&
              valueDateOf(message.valueDateText) > day
            );
          })
          .map((message) =>
            failure(`${message.letter} needed no value date, but was held until ${message.valueDateText}`, [
              note(`doNotDeliverUntilDate: ${message.valueDateText}`, message.messageUUID),
            ]),
          ),
      );
    },
  ),
  senderCheck(
    'sender.value-date.date-only',
    'MUST',
    'A value date is a plain calendar date (YYYY-MM-DD): never a time of day or a time zone',
    CLAUSES.valueDate,
    (observation) => {
      const dated = withValueDate(observation);
      return judged(
        dated.length > 0,
        dated
          .filter((message) => !PLAIN_DATE.test(message.valueDateText ?? ''))
          .map((message) =>
            failure(
              `${message.letter ?? message.messageUUID} has the value date "${message.valueDateText}", not a plain date`,
              [note(`doNotDeliverUntilDate: ${message.valueDateText}`, message.messageUUID)],
            ),
          ),
      );
    },
  ),
  senderCheck(
    'sender.value-date.within-horizon',
    'MUST',
    `A value date is at most ${VALUE_DATE_HORIZON_DAYS} days after the Danish date on which the letter is sent`,
    CLAUSES.valueDate,
    (observation) => {
      const dated = withValueDate(observation);
      const asked = observation.letters.some((letter) => letter.valueDate !== undefined);
      return judged(
        dated.length > 0 || asked,
        dated.flatMap((message) => {
          const day = dayReceived(message);
          const date = valueDateOf(message.valueDateText ?? '');
          if (day === undefined || !PLAIN_DATE.test(date)) return [];
          const ahead = daysBetween(day, date);
          return ahead <= VALUE_DATE_HORIZON_DAYS
            ? []
            : [
                failure(
                  `${message.letter ?? message.messageUUID} was sent on ${day} for ${date}, ${ahead} days ahead`,
                  [
                    note(
                      `doNotDeliverUntilDate: ${message.valueDateText}; received ${message.state.receivedAt}`,
                      message.messageUUID,
                    ),
                  ],
                ),
              ];
        }),
      );
    },
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
