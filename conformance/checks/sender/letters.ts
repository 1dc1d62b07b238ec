/** Letters and their MeMos: each letter once, under its own messageUUID, as a valid, faithful MeMo. */
import type { HeldMessage, ScenarioLetter, SenderObservation } from '../../evidence/sender.ts';
import { sha256 } from '../../evidence/sender.ts';
import type { Check, Failure } from '../../model.ts';
import { SCENARIO_SENDER } from '../../scenarios/sender.ts';
import {
  CLAUSES,
  failure,
  heldForLetter,
  judged,
  letterOf,
  nameOf,
  note,
  requestEvidence,
  sameUuid,
  senderCheck,
  sendsOf,
} from './support.ts';

/** The held messages tied to a letter, with the letter. */
function tied(observation: SenderObservation): Array<{ message: HeldMessage; letter: ScenarioLetter }> {
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

export const letterChecks: Check<SenderObservation>[] = [
  senderCheck(
    'sender.letters.each-sent',
    'MUST',
    'Every letter of the scenario reaches NgDP',
    CLAUSES.protocol,
    (observation) => {
      const due = observation.letters.filter((letter) => letter.arrives);
      return judged(
        due.length > 0,
        due
          .filter((letter) => heldForLetter(observation, letter.ref).length === 0)
          .map((letter) => failure(`${nameOf(letter)} never reached NgDP (no MeMo with its main document)`)),
      );
    },
  ),
  senderCheck(
    'sender.letters.exactly-once',
    'MUST',
    'No letter is sent twice: NgDP never holds one letter under two messageUUIDs',
    CLAUSES.resend,
    (observation) =>
      observation.letters.flatMap((letter) => {
        const held = heldForLetter(observation, letter.ref);
        if (held.length < 2) return [];
        const uuids = held.map((message) => message.messageUUID);
        return [
          failure(
            `${nameOf(letter)} is at NgDP ${held.length} times: ${uuids.join(', ')}`,
            sendsOf(observation)
              .filter((entry) => uuids.some((uuid) => sameUuid(uuid, entry.messageUUID)))
              .map((entry) => requestEvidence(entry)),
          ),
        ];
      }),
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
    (observation) =>
      [...observation.held.values()]
        .filter((message) => message.letter === undefined)
        .map((message) =>
          failure(`NgDP holds ${message.messageUUID}, whose main document is no letter of the scenario`, [
            note(`label "${message.memo?.messageHeader.label ?? '?'}"`, message.messageUUID),
          ]),
        ),
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
      const invalid = [...observation.held.values()]
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
      return judged(observation.held.size > 0 || unreadable.length > 0, [...unreadable, ...invalid]);
    },
  ),
  senderCheck(
    'sender.memo.parties',
    'MUST',
    'Each MeMo names the scenario’s sender (CVR and name) and the letter’s recipient (CPR or CVR, with its idType)',
    CLAUSES.memoParties,
    (observation) => {
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
    },
  ),
  senderCheck(
    'sender.memo.documents',
    'MUST',
    'Each letter’s main document and attachments are sent byte for byte, under their file names',
    CLAUSES.memoDocuments,
    (observation) => {
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
    },
  ),
  senderCheck(
    'sender.memo.label',
    'SHOULD',
    'Each MeMo’s label is the letter’s label',
    'MeMo MessageHeader/label (docs/memo.md §3.2)',
    (observation) => {
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
    },
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
