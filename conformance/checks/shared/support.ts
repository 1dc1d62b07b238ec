/**
 * What the checks of the sender profiles (REST and SFTP) share: how a check is declared, and views
 * of a scenario's observation — the message NgDP holds for each letter, the report's lines.
 */
import type { HeldMessage, LettersObservation, ScenarioLetter } from '../../evidence/sender.ts';
import type { SenderReportLine } from '../../evidence/vendor-report.ts';
import type { Check, Evidence, Failure, Judgement, Level, ProfileName } from '../../model.ts';

/** Where the requirements the sender profiles share come from. */
export const SHARED_CLAUSES = {
  protocol: 'digitalpost conformance protocol (docs/conformance.md, "Writing the adapter")',
  memoSchema: 'MeMo 1.1/1.2 schema and NgDP’s MeMo rules R1–R18 (docs/memo.md)',
  memoParties: 'MeMo MessageHeader/Sender and Recipient (docs/memo.md §3.3–3.4)',
  memoDocuments:
    'MeMo MessageBody/MainDocument and AdditionalDocument, File/content (docs/memo.md §3.13–3.14)',
  outcomes: 'NgDP API Receipt.receiptStatus: COMPLETED, INVALID, NOT_ALLOWED (OpenAPI 1.68)',
  valueDate:
    'Digitaliseringsstyrelsen: value date up to five days ahead, no time of day (MeMo doNotDeliverUntilDate, xs:date)',
} as const;

/** Declares a check of one profile, by the id's part after the profile (`letters.exactly-once`). */
export type DeclareCheck<O> = (
  name: string,
  level: Level,
  title: string,
  clause: string,
  judge: (observation: O) => Judgement,
) => Check<O>;

/** The declarer of `profile`'s checks: ids are `<profile>.<name>`. */
export function declarerOf<O>(profile: ProfileName): DeclareCheck<O> {
  return (name, level, title, clause, judge) => ({
    id: `${profile}.${name}`,
    profile,
    level,
    title,
    clause,
    judge,
  });
}

export const failure = (message: string, evidence: Evidence[] = []): Failure => ({ message, evidence });

export const note = (text: string, messageUUID?: string | null): Evidence => ({
  note: text,
  ...(messageUUID === undefined ? {} : { messageUUID }),
});

export const sameUuid = (a: string | null | undefined, b: string | null | undefined): boolean =>
  a !== null && a !== undefined && b !== null && b !== undefined && a.toLowerCase() === b.toLowerCase();

/** The message NgDP holds under `uuid`. */
export function heldOf(
  observation: LettersObservation,
  uuid: string | null | undefined,
): HeldMessage | undefined {
  return uuid === null || uuid === undefined ? undefined : observation.held.get(uuid.toLowerCase());
}

/** Every message NgDP holds for `ref` (more than one: the letter went twice). */
export function heldForLetter(observation: LettersObservation, ref: string): HeldMessage[] {
  return [...observation.held.values()].filter((message) => message.letter === ref);
}

/** The report's lines for `ref`. */
export function linesFor(observation: LettersObservation, ref: string): SenderReportLine[] {
  return observation.report.lines.filter((line) => line.ref === ref);
}

/**
 * The letter's message at NgDP: the one the report names when NgDP holds it for this letter, else
 * the first NgDP holds for it.
 */
export function messageOfLetter(observation: LettersObservation, ref: string): HeldMessage | undefined {
  const held = heldForLetter(observation, ref);
  const reported = linesFor(observation, ref)[0]?.messageUUID;
  return held.find((message) => sameUuid(message.messageUUID, reported)) ?? held[0];
}

/** The letter the suite gave as `ref`. */
export function letterOf(observation: LettersObservation, ref: string): ScenarioLetter | undefined {
  return observation.letters.find((letter) => letter.ref === ref);
}

/** A short name for a letter in messages: `L2 (to 0101700002)`. */
export function nameOf(letter: ScenarioLetter): string {
  return `${letter.ref} (to ${letter.recipient.id})`;
}

/** `[]` when nothing failed, else the failures; not applicable when `applicable` is false. */
export function judged(applicable: boolean, failures: Failure[]): Judgement {
  return applicable ? failures : 'not-applicable';
}
