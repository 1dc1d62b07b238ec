/** The adapter and its report: the suite's protocol, without which nothing else can be judged. */

import type { SenderObservation } from '../../evidence/sender.ts';
import type { Check } from '../../model.ts';
import {
  CLAUSES,
  failure,
  heldForLetter,
  heldOf,
  judged,
  linesFor,
  nameOf,
  note,
  senderCheck,
} from './support.ts';

const STDERR_SHOWN = 600;

const stderrNote = (stderr: string): string =>
  stderr.trim() === '' ? 'no stderr' : `stderr (end): ${stderr.trim().slice(-STDERR_SHOWN)}`;

export const protocolChecks: Check<SenderObservation>[] = [
  senderCheck(
    'sender.adapter.exit-zero',
    'MUST',
    'The adapter command exits with status 0 when it has done what its system would do',
    CLAUSES.protocol,
    ({ adapter }) => {
      if (adapter.timedOut || (adapter.exitCode === null && adapter.signal === null)) return 'not-applicable';
      if (adapter.exitCode === 0) return [];
      const how =
        adapter.exitCode === null
          ? `was ended by ${adapter.signal}`
          : `exited with status ${adapter.exitCode}`;
      return [failure(`the adapter ${how}`, [note(stderrNote(adapter.stderr))])];
    },
  ),
  senderCheck(
    'sender.adapter.within-deadline',
    'MUST',
    'The adapter command finishes before the scenario’s deadline',
    CLAUSES.protocol,
    ({ adapter, deadlineMs }) =>
      adapter.timedOut
        ? [
            failure(
              `the adapter was still running at the deadline (${deadlineMs / 1000} s) and was stopped with SIGTERM`,
              [note(stderrNote(adapter.stderr))],
            ),
          ]
        : [],
  ),
  senderCheck(
    'sender.report.well-formed',
    'MUST',
    'Every line of the vendor report is one JSON object naming a letter of the scenario and an outcome of the protocol',
    CLAUSES.protocol,
    ({ report }) =>
      report.problems.map((problem) =>
        failure(`report line ${problem.line}: ${problem.reason}`, [
          note(`line ${problem.line}: ${problem.text}`),
        ]),
      ),
  ),
  senderCheck(
    'sender.report.every-letter',
    'MUST',
    'Every letter of the scenario is reported exactly once',
    CLAUSES.protocol,
    (observation) =>
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
      }),
  ),
  senderCheck(
    'sender.report.message-uuid',
    'MUST',
    'The messageUUID reported for a letter is the one NgDP holds it under (null only when NgDP holds none)',
    CLAUSES.protocol,
    (observation) => {
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
            failure(
              `${line.ref} was reported ${line.outcome} as ${line.messageUUID}, which NgDP does not hold`,
              [note(`report line ${line.line}`, line.messageUUID)],
            ),
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
    },
  ),
];
