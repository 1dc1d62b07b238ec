/** Letters and their MeMos, whatever the channel: each letter at NgDP, as a faithful MeMo. */
import type { HeldMessage, LettersObservation, ScenarioLetter } from '../../evidence/sender.ts';
import { sha256 } from '../../evidence/sender.ts';
import type { Evidence, Failure, Judgement } from '../../model.ts';
import { SCENARIO_SENDER } from '../../scenarios/sender.ts';
import { failure, heldForLetter, judged, letterOf, nameOf, note } from './support.ts';

/** The held messages tied to a letter, with the letter. */
function tied(observation: LettersObservation): Array<{ message: HeldMessage; letter: ScenarioLetter }> {
  return [...observation.held.values()].flatMap((message) => {
    const letter = message.letter === undefined ? undefined : letterOf(observation, message.letter);
    return letter === undefined ? [] : [{ message, letter }];
  });
}

/** Where NgDP's copy of a letter differs from the letter: wrong parties. */
function partiesProblems(message: HeldMessage, letter: ScenarioLetter): string[] {
  const header = message.memo?.messageHeader;
  if (header === undefined) return ['the MeMo has no readable header'];
  const problems: string[] = [];
  const { sender, recipient } = header;
  if (sender?.senderID !== SCENARIO_SENDER.cvr || sender.idType !== 'CVR')
    problems.push(`Sender is ${sender?.idType} ${sender?.senderID}, not CVR ${SCENARIO_SENDER.cvr}`);
  if (sender?.label !== SCENARIO_SENDER.label)
    problems.push(`Sender/label is "${sender?.label}", not "${SCENARIO_SENDER.label}"`);
  if (recipient?.recipientID !== letter.recipient.id || recipient.idType !== letter.recipient.idType)
    problems.push(
      `Recipient is ${recipient?.idType} ${recipient?.recipientID}, not ${letter.recipient.idType} ${letter.recipient.id}`,
    );
  return problems;
}

/** Where NgDP's copy of a letter differs from the letter: documents missing, changed or renamed. */
function documentProblems(message: HeldMessage, letter: ScenarioLetter): string[] {
  const body = message.memo?.messageBody;
  const main = body?.mainDocument.files ?? [];
  const problems: string[] = [];
  const mainFile = main.find((file) => sha256(file.content) === letter.document.sha256);
  if (mainFile !== undefined && mainFile.filename !== letter.document.filename)
    problems.push(`the main document is named "${mainFile.filename}", not "${letter.document.filename}"`);
  const attached = (body?.additionalDocuments ?? []).flatMap((document) => document.files);
  for (const attachment of letter.attachments) {
    const file = attached.find((candidate) => sha256(candidate.content) === attachment.sha256);
    if (file === undefined) problems.push(`the attachment ${attachment.filename} is missing or changed`);
    else if (file.filename !== attachment.filename)
      problems.push(`the attachment ${attachment.filename} is named "${file.filename}"`);
  }
  return problems;
}

/** Judges `letters.each-sent`. */
export const lettersEachSent = (observation: LettersObservation): Judgement => {
  const due = observation.letters.filter((letter) => letter.arrives);
  return judged(
    due.length > 0,
    due
      .filter((letter) => heldForLetter(observation, letter.ref).length === 0)
      .map((letter) => failure(`${nameOf(letter)} never reached NgDP (no MeMo with its main document)`)),
  );
};

/** Judges `letters.no-stray`. */
export const lettersNoStray = (observation: LettersObservation): Judgement =>
  [...observation.held.values()]
    .filter((message) => message.letter === undefined)
    .map((message) =>
      failure(`NgDP holds ${message.messageUUID}, whose main document is no letter of the scenario`, [
        note(`label "${message.memo?.messageHeader.label ?? '?'}"`, message.messageUUID),
      ]),
    );

/** Judges `memo.parties`. */
export const memoParties = (observation: LettersObservation): Judgement => {
  const pairs = tied(observation);
  return judged(
    pairs.length > 0,
    pairs.flatMap(({ message, letter }) => {
      const problems = partiesProblems(message, letter);
      return problems.length === 0
        ? []
        : [
            failure(`${nameOf(letter)}: ${problems.join('; ')}`, [
              note(problems.join('; '), message.messageUUID),
            ]),
          ];
    }),
  );
};

/** Judges `memo.documents`. */
export const memoDocuments = (observation: LettersObservation): Judgement => {
  const pairs = tied(observation);
  return judged(
    pairs.length > 0,
    pairs.flatMap(({ message, letter }): Failure[] => {
      const problems = documentProblems(message, letter);
      return problems.length === 0
        ? []
        : [
            failure(`${nameOf(letter)}: ${problems.join('; ')}`, [
              note(problems.join('; '), message.messageUUID),
            ]),
          ];
    }),
  );
};

/** Judges `memo.label`. */
export const memoLabel = (observation: LettersObservation): Judgement => {
  const pairs = tied(observation);
  return judged(
    pairs.length > 0,
    pairs
      .filter(({ message, letter }) => message.memo?.messageHeader.label !== letter.label)
      .map(({ message, letter }) =>
        failure(
          `${nameOf(letter)} is labelled "${message.memo?.messageHeader.label}", not "${letter.label}"`,
          [note('label', message.messageUUID)],
        ),
      ),
  );
};

/** A failure for each letter NgDP holds more than once; `evidenceOf` names the requests behind the messageUUIDs. */
export function lettersSentTwice(
  observation: LettersObservation,
  evidenceOf: (uuids: string[]) => Evidence[],
): Failure[] {
  return observation.letters.flatMap((letter) => {
    const held = heldForLetter(observation, letter.ref);
    if (held.length < 2) return [];
    const uuids = held.map((message) => message.messageUUID);
    return [
      failure(`${nameOf(letter)} is at NgDP ${held.length} times: ${uuids.join(', ')}`, evidenceOf(uuids)),
    ];
  });
}

/** A failure for each message NgDP holds whose MeMo the validator finds invalid, with its codes. */
export function invalidMemos(observation: LettersObservation): Failure[] {
  return [...observation.held.values()]
    .filter((message) => message.issues.length > 0)
    .map((message) =>
      failure(
        `${message.messageUUID}${message.letter ? ` (${message.letter})` : ''} is not a valid MeMo: ${[...new Set(message.issues.map((issue) => issue.code))].join(', ')}`,
        message.issues
          .slice(0, 20)
          .map((issue) =>
            note(`${issue.path || '(document)'}: ${issue.code}: ${issue.message}`, message.messageUUID),
          ),
      ),
    );
}
