/** Value dates, whatever the channel: Danish dates within five days, never a time of day. */
import { copenhagenDate, daysBetween, valueDateOf } from '../../../sdk/ngdp/time.ts';
import type { HeldMessage, LettersObservation } from '../../evidence/sender.ts';
import type { Judgement } from '../../model.ts';
import { failure, heldForLetter, judged, letterOf, nameOf, note } from './support.ts';

/** How many days after the day of sending a value date may lie (DIGST; docs/simulator.md). */
export const VALUE_DATE_HORIZON_DAYS = 5;

const PLAIN_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The Danish date on which NgDP received the message (simulator time). */
function dayReceived(message: HeldMessage): string | undefined {
  const received = message.state.receivedAt === undefined ? Number.NaN : Date.parse(message.state.receivedAt);
  return Number.isNaN(received) ? undefined : copenhagenDate(received);
}

const withValueDate = (observation: LettersObservation): HeldMessage[] =>
  [...observation.held.values()].filter((message) => message.valueDateText !== undefined);

/** Judges `value-date.as-requested`. */
export const valueDateAsRequested = (observation: LettersObservation): Judgement => {
  const dated = observation.letters.filter((letter) => letter.valueDate !== undefined);
  return judged(
    dated.some((letter) => heldForLetter(observation, letter.ref).length > 0),
    dated.flatMap((letter) =>
      heldForLetter(observation, letter.ref)
        .filter(
          (message) =>
            message.valueDateText === undefined || valueDateOf(message.valueDateText) !== letter.valueDate,
        )
        .map((message) =>
          failure(
            `${nameOf(letter)} was to wait until ${letter.valueDate}, but was sent with ${message.valueDateText ?? 'no value date'}`,
            [note(`doNotDeliverUntilDate: ${message.valueDateText ?? '(none)'}`, message.messageUUID)],
          ),
        ),
    ),
  );
};

/** Judges `value-date.only-when-asked`. */
export const valueDateOnlyWhenAsked = (observation: LettersObservation): Judgement => {
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
          message.valueDateText !== undefined && day !== undefined && valueDateOf(message.valueDateText) > day
        );
      })
      .map((message) =>
        failure(`${message.letter} needed no value date, but was held until ${message.valueDateText}`, [
          note(`doNotDeliverUntilDate: ${message.valueDateText}`, message.messageUUID),
        ]),
      ),
  );
};

/** Judges `value-date.date-only`. */
export const valueDateDateOnly = (observation: LettersObservation): Judgement => {
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
};

/** Judges `value-date.within-horizon`. */
export const valueDateWithinHorizon = (observation: LettersObservation): Judgement => {
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
};
