/** The adapter, its report, and the MeMos: each taken in once, the valid ones as valid, the invalid ones refused. */
import type { OfferedMemo } from '../../evidence/recipient.ts';
import type { Check } from '../../model.ts';
import type { MemoGroup } from '../../scenarios/recipient-memos.ts';
import type { PullObservation } from '../../scenarios/recipient-pull.ts';
import type { RecipientPullCheckId } from './ids.ts';
import {
  CLAUSES,
  failure,
  judged,
  memoEvidence,
  nameOf,
  notAccepted,
  note,
  pullCheck,
  reported,
} from './support.ts';

/** How soon after it is offered a MeMo should be taken in (large ones aside). */
export const PROMPT_MS = 10_000;
const STDERR_SHOWN = 600;

/** Every offered MeMo of the run so far, by messageUUID. */
function offeredSoFar(observation: PullObservation): Map<string, OfferedMemo> {
  return new Map([
    ...observation.earlier,
    ...observation.memos.map((memo) => [memo.messageUUID, memo] as const),
  ]);
}

/** A check that the MeMos of `group` were accepted: reported ACCEPTED, business receipt COMPLETED. */
function groupCheck(
  id: RecipientPullCheckId,
  group: MemoGroup,
  title: string,
  clause: string,
): Check<PullObservation> {
  return pullCheck(id, 'MUST', title, clause, (observation) => {
    const memos = observation.memos.filter((memo) => memo.group === group);
    return judged(
      memos.length > 0,
      memos.flatMap((memo) => {
        const how = notAccepted(observation, memo);
        return how === undefined
          ? []
          : [failure(`the valid MeMo ${nameOf(memo)} ${how}`, [memoEvidence(observation, memo)])];
      }),
    );
  });
}

export const memoChecks: Check<PullObservation>[] = [
  pullCheck(
    'recipient-pull.adapter.keeps-running',
    'MUST',
    'The adapter command keeps running until the suite stops it: it does not exit during the run',
    CLAUSES.protocol,
    ({ adapter }) => {
      if (adapter === undefined) return 'not-applicable';
      if (adapter.exitedAt === undefined) return [];
      const how =
        adapter.exitCode === null
          ? `was ended by ${adapter.signal}`
          : `exited with status ${adapter.exitCode}`;
      const stderr = adapter.stderr.trim();
      return [
        failure(
          `the adapter ${how} ${((adapter.exitedAt - adapter.startedAt) / 1000).toFixed(1)} s after it started`,
          [note(stderr === '' ? 'no stderr' : `stderr (end): ${stderr.slice(-STDERR_SHOWN)}`)],
        ),
      ];
    },
  ),
  pullCheck(
    'recipient-pull.report.well-formed',
    'MUST',
    'Every line of the vendor report is one JSON object with the messageUUID, the SHA-256 of the MeMo and the outcome ACCEPTED or REJECTED',
    CLAUSES.protocol,
    ({ report }) =>
      report.problems.map((problem) =>
        failure(`report line ${problem.line}: ${problem.reason}`, [
          note(`line ${problem.line}: ${problem.text}`),
        ]),
      ),
  ),
  pullCheck(
    'recipient-pull.report.offered-memo',
    'MUST',
    'Every report line names a MeMo NgDP offered to the system, by the messageUUID it was offered under',
    CLAUSES.protocol,
    (observation) => {
      const offered = offeredSoFar(observation);
      return observation.report.lines
        .filter((line) => !offered.has(line.messageUUID))
        .map((line) =>
          failure(`report line ${line.line} names ${line.messageUUID}, which NgDP never offered the system`, [
            note(`line ${line.line}: ${line.outcome}`, line.messageUUID),
          ]),
        );
    },
  ),
  pullCheck(
    'recipient-pull.report.sha256',
    'MUST',
    'The SHA-256 reported for a MeMo is that of its bytes exactly as GET /memos/{id} served them',
    CLAUSES.protocol,
    (observation) => {
      const offered = offeredSoFar(observation);
      const lines = observation.report.lines.filter((line) => offered.has(line.messageUUID));
      return judged(
        lines.length > 0,
        lines.flatMap((line) => {
          const memo = offered.get(line.messageUUID) as OfferedMemo;
          return line.sha256 === memo.sha256
            ? []
            : [
                failure(`the SHA-256 reported for ${nameOf(memo)} is not that of the bytes NgDP served`, [
                  note(`reported ${line.sha256}, served ${memo.sha256}`, memo.messageUUID),
                ]),
              ];
        }),
      );
    },
  ),
  pullCheck(
    'recipient-pull.report.matches-receipt',
    'MUST',
    'A MeMo reported ACCEPTED has the business receipt COMPLETED at NgDP, one reported REJECTED the receipt INVALID',
    CLAUSES.receipt,
    (observation) => {
      const both = observation.memos.filter(
        (memo) => memo.receiptStatus !== null && reported(observation, memo).length > 0,
      );
      return judged(
        both.length > 0,
        both.flatMap((memo) => {
          const line = reported(observation, memo)[0];
          const expected = line?.outcome === 'ACCEPTED' ? 'COMPLETED' : 'INVALID';
          return memo.receiptStatus === expected
            ? []
            : [
                failure(
                  `${nameOf(memo)} was reported ${line?.outcome} but given the business receipt ${memo.receiptStatus}`,
                  [memoEvidence(observation, memo)],
                ),
              ];
        }),
      );
    },
  ),
  pullCheck(
    'recipient-pull.memos.every-taken',
    'MUST',
    'Every MeMo in the system’s queue is taken in — reported, ACCEPTED or REJECTED — before the scenario’s deadline',
    CLAUSES.pull,
    (observation) =>
      observation.memos
        .filter((memo) => reported(observation, memo).length === 0)
        .map((memo) =>
          failure(`${nameOf(memo)} was not taken in within ${observation.deadlineMs / 1000} s`, [
            memoEvidence(observation, memo),
          ]),
        ),
  ),
  pullCheck(
    'recipient-pull.memos.exactly-once',
    'MUST',
    'No MeMo is taken in twice: one report line per MeMo in the whole run',
    CLAUSES.protocol,
    (observation) => {
      const seen = new Set(observation.report.earlier.map((line) => line.messageUUID));
      const failures = [];
      for (const line of observation.report.lines) {
        if (seen.has(line.messageUUID)) {
          const all = [...observation.report.earlier, ...observation.report.lines].filter(
            (other) => other.messageUUID === line.messageUUID,
          );
          failures.push(
            failure(
              `${line.messageUUID} was reported again (line ${line.line}): the MeMo was taken in twice`,
              all.map((other) => note(`line ${other.line}: ${other.outcome}`, other.messageUUID)),
            ),
          );
        }
        seen.add(line.messageUUID);
      }
      return judged(observation.report.lines.length > 0, failures);
    },
  ),
  groupCheck(
    'recipient-pull.memos.ordinary',
    'ordinary',
    'Plain MeMo 1.1 and 1.2 letters, with and without attachments, are accepted (reported ACCEPTED, business receipt COMPLETED)',
    CLAUSES.memo,
  ),
  groupCheck(
    'recipient-pull.memos.features',
    'feature',
    'Valid MeMos that use the optional parts of MeMo — attention data, contact points, content data, reply and forward data, actions, technical documents, mandatory post, value dates — are accepted',
    CLAUSES.memo,
  ),
  groupCheck(
    'recipient-pull.memos.xml-forms',
    'xml-form',
    'Valid MeMos written in other XML forms — a byte order mark, other namespace prefixes, CDATA, line-broken base64, character references — are accepted',
    'XML 1.0 and Namespaces in XML; xs:base64Binary (MeMo schema, docs/memo.md)',
  ),
  groupCheck(
    'recipient-pull.memos.ten-attachments',
    'attachments',
    'A MeMo with ten attachments, the most NgDP allows, is accepted',
    CLAUSES.limits,
  ),
  groupCheck(
    'recipient-pull.memos.large',
    'large',
    'A MeMo of 50 MB is fetched and accepted',
    CLAUSES.limits,
  ),
  pullCheck(
    'recipient-pull.memos.prompt',
    'SHOULD',
    `A MeMo is taken in within ${PROMPT_MS / 1000} s of arriving in the queue (the system keeps polling, also after a quiet spell)`,
    CLAUSES.polling,
    (observation) => {
      const scripted = observation.scenario.faults !== undefined || observation.outage !== undefined;
      // MeMos never taken in are memos.every-taken's to judge.
      const memos = observation.memos.filter(
        (memo) => memo.group !== 'large' && reported(observation, memo).length > 0,
      );
      return judged(
        !scripted && memos.length > 0,
        memos.flatMap((memo) => {
          const took = (reported(observation, memo)[0]?.seenAt ?? 0) - memo.offeredAt;
          return took <= PROMPT_MS
            ? []
            : [
                failure(`${nameOf(memo)} was taken in ${(took / 1000).toFixed(1)} s after it arrived`, [
                  memoEvidence(observation, memo),
                ]),
              ];
        }),
      );
    },
  ),
  pullCheck(
    'recipient-pull.invalid.never-accepted',
    'MUST',
    'An invalid MeMo — not XML, not a MeMo, against the schema or NgDP’s rules, or naming another messageUUID — is never reported ACCEPTED nor given a COMPLETED receipt',
    CLAUSES.invalid,
    (observation) => {
      const invalid = observation.memos.filter((memo) => !memo.valid);
      return judged(
        invalid.length > 0,
        invalid.flatMap((memo) => {
          const accepted = reported(observation, memo).some((line) => line.outcome === 'ACCEPTED');
          return accepted || memo.receiptStatus === 'COMPLETED'
            ? [
                failure(`the invalid MeMo ${nameOf(memo)} was taken as valid`, [
                  memoEvidence(observation, memo),
                ]),
              ]
            : [];
        }),
      );
    },
  ),
  pullCheck(
    'recipient-pull.invalid.refused',
    'MUST',
    'An invalid MeMo is refused with an INVALID business receipt, as NgDP’s reference recipient does',
    CLAUSES.invalid,
    (observation) => {
      const invalid = observation.memos.filter((memo) => !memo.valid);
      return judged(
        invalid.length > 0,
        invalid
          .filter((memo) => memo.receiptStatus !== 'INVALID')
          .map((memo) =>
            failure(
              `the invalid MeMo ${nameOf(memo)} got ${memo.receiptStatus === null ? 'no business receipt' : `the business receipt ${memo.receiptStatus}`}`,
              [memoEvidence(observation, memo)],
            ),
          ),
      );
    },
  ),
];
