/** Dropped connections and refusals: back, in good time, within a bound — and nothing sent twice. */

import {
  dropped,
  INBOX,
  inFolder,
  refused,
  renameOf,
  type SftpObservation,
  takingsOf,
} from '../../evidence/sender-sftp.ts';
import type { Check } from '../../model.ts';
import { type TranscriptEntry, wallOf } from '../../runner/transcript.ts';
import { givenUpAsFailed } from '../shared/outcomes.ts';
import { failure, heldForLetter, judged, linesFor, nameOf } from '../shared/support.ts';
import { CLAUSES, requestEvidence, sftpCheck } from './support.ts';

/** The least wait after a refusal before the upload is tried again (interpreted, as NgDP's Retry-After: 1). */
export const BACKOFF_MS = 1_000;
/** Timers on the two sides differ a little. */
const CLOCK_SLACK_MS = 50;
/** The most attempts one upload may take in a scenario. */
export const MAX_ATTEMPTS = 8;

/** The letters NgDP should end up holding but does not. */
const missing = (observation: SftpObservation) =>
  observation.letters.filter(
    (letter) => letter.arrives && heldForLetter(observation, letter.ref).length === 0,
  );

/** An attempt at an upload: a temporary file opened in /in, or a rename there. */
const attempt = (entry: TranscriptEntry): boolean =>
  inFolder('SFTP OPEN', INBOX)(entry) || inFolder('SFTP RENAME', INBOX)(entry);

export const retryChecks: Check<SftpObservation>[] = [
  sftpCheck(
    'retry.resumes',
    'MUST',
    'After the connection drops (mid-upload, or at a rename), the system reconnects and uploads what NgDP had not taken',
    CLAUSES.sftp,
    (observation) => {
      const drop = observation.requests.find(dropped);
      if (drop === undefined) return 'not-applicable';
      return missing(observation).map((letter) =>
        failure(`${nameOf(letter)} never reached NgDP after the connection dropped`, [
          requestEvidence(drop, 'the connection closed here'),
        ]),
      );
    },
  ),
  sftpCheck(
    'retry.lost-answer',
    'MUST',
    'An upload whose rename answer was lost counts as taken when it is gone from /in: its letters are followed, not reported FAILED',
    CLAUSES.resend,
    (observation) => {
      const lost = takingsOf(observation.requests).find((entry) => entry.fault === 'drop-after');
      if (lost === undefined) return 'not-applicable';
      return observation.letters.flatMap((letter) =>
        heldForLetter(observation, letter.ref).length === 0
          ? []
          : linesFor(observation, letter.ref)
              .filter((line) => line.outcome === 'FAILED')
              .map((line) =>
                failure(`${nameOf(letter)} was reported FAILED, though NgDP had taken it`, [
                  requestEvidence(lost, 'the rename was done, its answer lost'),
                  { note: `report line ${line.line}`, messageUUID: line.messageUUID },
                ]),
              ),
      );
    },
  ),
  sftpCheck(
    'retry.after-refusal',
    'MUST',
    'A write or rename NgDP refuses (SSH_FX_FAILURE) is tried again: the letters still reach NgDP',
    CLAUSES.refusals,
    (observation) => {
      const refusal = observation.requests.find(refused);
      if (refusal === undefined || observation.scenario.outage === true) return 'not-applicable';
      return missing(observation).map((letter) =>
        failure(`${nameOf(letter)} never reached NgDP after a refusal`, [
          requestEvidence(refusal, 'refused'),
        ]),
      );
    },
  ),
  sftpCheck(
    'retry.backs-off',
    'MUST',
    `After a refused write or rename, the upload is not tried again before ${BACKOFF_MS / 1000} s have passed`,
    CLAUSES.refusals,
    ({ requests }) => {
      const refusals = requests.filter(refused);
      return judged(
        refusals.length > 0,
        refusals.flatMap((entry) => {
          const next = requests.find((later) => later.seq > entry.seq && attempt(later));
          if (next === undefined) return [];
          const waited = wallOf(next) - (wallOf(entry) + entry.durationMs);
          return waited + CLOCK_SLACK_MS >= BACKOFF_MS
            ? []
            : [
                failure(`the upload was tried again ${Math.max(0, waited)} ms after a refusal`, [
                  requestEvidence(entry, 'refused'),
                  requestEvidence(next, `${Math.max(0, waited)} ms later`),
                ]),
              ];
        }),
      );
    },
  ),
  sftpCheck(
    'retry.bounded',
    'MUST',
    `Retries are bounded: one upload is renamed into place at most ${MAX_ATTEMPTS} times in a scenario`,
    CLAUSES.refusals,
    ({ requests }) => {
      const byTarget = new Map<string, TranscriptEntry[]>();
      for (const entry of requests) {
        const rename = renameOf(entry);
        if (rename === undefined) continue;
        byTarget.set(rename.to, [...(byTarget.get(rename.to) ?? []), entry]);
      }
      return judged(
        requests.some((entry) => refused(entry) || dropped(entry)),
        [...byTarget]
          .filter(([, entries]) => entries.length > MAX_ATTEMPTS)
          .map(([target, entries]) =>
            failure(`${target} was renamed into place ${entries.length} times`, [
              requestEvidence(entries[0] as TranscriptEntry, 'first'),
              requestEvidence(entries.at(-1) as TranscriptEntry, 'last'),
            ]),
          ),
      );
    },
  ),
  sftpCheck(
    'retry.gives-up',
    'MUST',
    'When NgDP refuses every upload, the system gives up within the deadline and reports each letter FAILED',
    CLAUSES.refusals,
    (observation) => givenUpAsFailed(observation, observation.scenario.outage === true),
  ),
];
