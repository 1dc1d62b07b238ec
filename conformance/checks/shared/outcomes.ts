/** Business receipts and outcomes, whatever the channel: each letter reported as NgDP decided it. */
import type { HeldMessage, LettersObservation } from '../../evidence/sender.ts';
import type { SenderOutcome } from '../../evidence/vendor-report.ts';
import type { Judgement } from '../../model.ts';
import {
  failure,
  heldForLetter,
  heldOf,
  judged,
  letterOf,
  linesFor,
  messageOfLetter,
  nameOf,
  note,
} from './support.ts';

/** A receipt NgDP had made this long before the adapter ended should have been seen. */
export const FOLLOW_GRACE_MS = 2_000;
/**
 * NgDP's verdict on a letter → the outcome the vendor must report. `PENDING` is judged by
 * `sender.receipts.followed`, not here.
 */
function outcomeCheck(
  observation: LettersObservation,
  isVerdict: (message: HeldMessage) => boolean,
  expected: SenderOutcome,
  verdict: string,
): Judgement {
  const concerned = observation.letters.flatMap((letter) => {
    const message = messageOfLetter(observation, letter.ref);
    return message !== undefined && isVerdict(message) ? [{ letter, message }] : [];
  });
  return judged(
    concerned.length > 0,
    concerned.flatMap(({ letter, message }) =>
      linesFor(observation, letter.ref)
        .filter((line) => line.outcome !== expected && line.outcome !== 'PENDING')
        .map((line) =>
          failure(`${letter.ref}: NgDP's verdict is ${verdict}, but it was reported ${line.outcome}`, [
            note(
              `NgDP: ${message.state.state}, receipt ${message.state.receiptStatus ?? 'none yet'}; report line ${line.line}: ${line.outcome}`,
              message.messageUUID,
            ),
          ]),
        ),
    ),
  );
}

/** Judges `receipts.followed`. */
export const receiptsFollowed = (observation: LettersObservation): Judgement => {
  const accepted = [...observation.held.values()].filter((message) => message.letter !== undefined);
  const endedAt = observation.adapter.endedAt;
  return judged(
    accepted.length > 0,
    observation.report.lines
      .filter((line) => line.outcome === 'PENDING')
      .flatMap((line) => {
        const message = heldOf(observation, line.messageUUID) ?? messageOfLetter(observation, line.ref);
        if (message?.receiptMadeAt === undefined) return [];
        const visible = observation.clock.wallAfter(message.receiptMadeAt);
        if (visible === undefined || visible > endedAt - FOLLOW_GRACE_MS) return [];
        return [
          failure(
            `${line.ref} was reported PENDING, though its ${message.state.receiptStatus} receipt was there ${((endedAt - visible) / 1000).toFixed(1)} s before the adapter ended`,
            [
              note(
                `receipt made (simulator time) ${new Date(message.receiptMadeAt).toISOString()}`,
                message.messageUUID,
              ),
            ],
          ),
        ];
      }),
  );
};

/** Judges `outcome.delivered`. */
export const outcomeDelivered = (observation: LettersObservation): Judgement =>
  outcomeCheck(observation, (m) => m.state.receiptStatus === 'COMPLETED', 'DELIVERED', 'COMPLETED');

/** Judges `outcome.not-delivered`. */
export const outcomeNotDelivered = (observation: LettersObservation): Judgement =>
  outcomeCheck(observation, (m) => m.state.receiptStatus === 'NOT_ALLOWED', 'NOT_DELIVERED', 'NOT_ALLOWED');

/** Judges `outcome.invalid`. */
export const outcomeInvalid = (observation: LettersObservation): Judgement =>
  outcomeCheck(observation, (m) => m.state.receiptStatus === 'INVALID', 'INVALID', 'INVALID');

/** Judges `outcome.error-code`. */
export const outcomeErrorCode = (observation: LettersObservation): Judgement => {
  const concerned = observation.report.lines.filter(
    (line) =>
      (line.outcome === 'NOT_DELIVERED' || line.outcome === 'INVALID') &&
      letterOf(observation, line.ref)?.errorCode !== undefined,
  );
  return judged(
    concerned.length > 0,
    concerned
      .filter((line) => line.errorCode !== letterOf(observation, line.ref)?.errorCode)
      .map((line) =>
        failure(
          `${line.ref} was reported with errorCode ${line.errorCode ?? '(none)'}, NgDP's is ${letterOf(observation, line.ref)?.errorCode}`,
          [note(`report line ${line.line}`, line.messageUUID)],
        ),
      ),
  );
};

/**
 * Under a lasting outage (`outage`), each letter NgDP never took must be reported FAILED: the system
 * gave up within the deadline and said so.
 */
export function givenUpAsFailed(observation: LettersObservation, outage: boolean): Judgement {
  if (!outage) return 'not-applicable';
  return observation.letters
    .filter((letter) => heldForLetter(observation, letter.ref).length === 0)
    .flatMap((letter) => {
      const lines = linesFor(observation, letter.ref);
      if (lines.length === 0)
        return [failure(`${nameOf(letter)} was never reported: the system did not give up in time`)];
      return lines
        .filter((line) => line.outcome !== 'FAILED')
        .map((line) => failure(`${nameOf(letter)} was reported ${line.outcome}, though NgDP never took it`));
    });
}
