/**
 * The end-to-end specification of a recipient profile (recipient-push, recipient-pubsub): the
 * reference adapter passes every check under several seeds, chaos on; each broken adapter fails
 * exactly the checks its mistake breaks, and passes the rest of what its scenarios judge.
 */
import { describe, expect, it } from 'vitest';
import type { ReceiverProfile } from '../../../conformance/checks/receiver/ids.ts';
import {
  brokenRecipient,
  failedIds,
  failureLines,
  REFERENCE_RECIPIENT_ADAPTERS,
  runRecipient,
} from './adapters.ts';
import { BROKEN_RECIPIENT_CASES, expectedFailures } from './broken-recipient-cases.ts';

const SEEDS = [7, 42, 2026];
/** Above the slowest case (a 31 s answer, then NgDP's retry). */
const CASE_TIMEOUT_MS = 120_000;

export function describeRecipientProfile(profile: ReceiverProfile): void {
  // One at a time: each delivers a MeMo of over 50 MB.
  describe(`the ${profile} profile against the reference adapter`, () => {
    for (const seed of SEEDS) {
      it(
        `passes every check with chaos on (seed ${seed})`,
        async () => {
          const report = await runRecipient(profile, REFERENCE_RECIPIENT_ADAPTERS[profile], { seed });

          expect(report.chaos).toBe(true);
          expect(failedIds(report), failureLines(report)).toEqual([]);
          expect(
            report.checks.filter((check) => check.status === 'skipped').map((check) => check.id),
          ).toEqual([]);
        },
        CASE_TIMEOUT_MS,
      );
    }
  });

  describe.concurrent(`the ${profile} profile against broken adapters`, () => {
    for (const brokenCase of BROKEN_RECIPIENT_CASES.filter((each) => each.profiles.includes(profile))) {
      it(
        `fails exactly ${expectedFailures(brokenCase, profile).join(', ')} for one that ${brokenCase.mistake}`,
        async () => {
          const report = await runRecipient(profile, brokenRecipient(profile, brokenCase.kind), {
            scenarios: brokenCase.scenarios,
            ...(brokenCase.timeoutS === undefined ? {} : { timeoutS: brokenCase.timeoutS }),
          });

          expect(failedIds(report), failureLines(report)).toEqual(expectedFailures(brokenCase, profile));
          for (const check of report.checks.filter((each) => each.status === 'failed'))
            expect(check.message, check.id).not.toBe('');
        },
        CASE_TIMEOUT_MS,
      );
    }
  });
}
