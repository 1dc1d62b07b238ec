/** The adapter and its report: the suite's protocol, the same for every sender profile. */
import type { LettersObservation } from '../../evidence/sender.ts';
import type { Judgement } from '../../model.ts';
import { failure, heldForLetter, heldOf, judged, linesFor, nameOf, note } from './support.ts';

const STDERR_SHOWN = 600;

const stderrNote = (stderr: string): string =>
  stderr.trim() === '' ? 'no stderr' : `stderr (end): ${stderr.trim().slice(-STDERR_SHOWN)}`;

/** Judges `adapter.exit-zero`. */
export const adapterExitZero = ({ adapter }: LettersObservation): Judgement => {
  if (adapter.timedOut || (adapter.exitCode === null && adapter.signal === null)) return 'not-applicable';
  if (adapter.exitCode === 0) return [];
  const how =
    adapter.exitCode === null ? `was ended by ${adapter.signal}` : `exited with status ${adapter.exitCode}`;
  return [failure(`the adapter ${how}`, [note(stderrNote(adapter.stderr))])];
};

/** Judges `adapter.within-deadline`. */
export const adapterWithinDeadline = ({ adapter, deadlineMs }: LettersObservation): Judgement =>
  adapter.timedOut
    ? [
        failure(
          `the adapter was still running at the deadline (${deadlineMs / 1000} s) and was stopped with SIGTERM`,
          [note(stderrNote(adapter.stderr))],
        ),
      ]
    : [];

/** Judges `report.well-formed`. */
export const reportWellFormed = ({ report }: LettersObservation): Judgement =>
  report.problems.map((problem) =>
    failure(`report line ${problem.line}: ${problem.reason}`, [
      note(`line ${problem.line}: ${problem.text}`),
    ]),
  );

/** Judges `report.every-letter`. */
export const reportEveryLetter = (observation: LettersObservation): Judgement =>
  observation.letters.flatMap((letter) => {
    const lines = linesFor(observation, letter.ref);
    if (lines.length === 1) return [];
    if (lines.length === 0) return [failure(`${nameOf(letter)} was not reported`)];
    return [
      failure(
        `${nameOf(letter)} was reported ${lines.length} times`,
        lines.map((line) => note(`line ${line.line}: ${line.outcome}`, line.messageUUID)),
      ),
    ];
  });

/** Judges `report.message-uuid`. */
export const reportMessageUuid = (observation: LettersObservation): Judgement => {
  const failures = observation.report.lines.flatMap((line) => {
    const held = heldOf(observation, line.messageUUID);
    const forLetter = heldForLetter(observation, line.ref);
    if (line.messageUUID === null) {
      return forLetter.length === 0
        ? []
        : [
            failure(
              `${line.ref} was reported without a messageUUID, but NgDP holds it as ${forLetter.map((m) => m.messageUUID).join(', ')}`,
              forLetter.map((m) => note(`NgDP holds ${line.ref}: ${m.state.state}`, m.messageUUID)),
            ),
          ];
    }
    if (held !== undefined && held.letter !== line.ref) {
      return [
        failure(
          `${line.ref} was reported as ${line.messageUUID}, which NgDP holds as ${held.letter ?? 'no letter of the scenario'}`,
          [note(`report line ${line.line}`, line.messageUUID)],
        ),
      ];
    }
    if (held === undefined && line.outcome !== 'FAILED') {
      return [
        failure(`${line.ref} was reported ${line.outcome} as ${line.messageUUID}, which NgDP does not hold`, [
          note(`report line ${line.line}`, line.messageUUID),
        ]),
      ];
    }
    if (held === undefined && forLetter.length > 0) {
      return [
        failure(
          `${line.ref} was reported FAILED as ${line.messageUUID}, but NgDP holds it as ${forLetter[0]?.messageUUID}`,
          [note(`report line ${line.line}`, line.messageUUID)],
        ),
      ];
    }
    return [];
  });
  return judged(observation.report.lines.length > 0, failures);
};
