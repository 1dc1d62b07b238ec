/**
 * The end-to-end specification of a recipient profile (recipient-push, recipient-pubsub): the
 * reference adapter passes every check under several seeds, chaos on; each broken adapter fails
 * exactly the checks its mistake breaks, and passes the rest of what its scenarios judge.
 */
import { describe, expect, it } from 'vitest';
import type { ReceiverProfile } from '../../../conformance/checks/receiver/ids.ts';
import { runConformance } from '../../../conformance/index.ts';
import {
  type RecipientAdapter,
  startRecipientAdapter,
} from '../../../examples/conformance-recipient-push.ts';
import {
  brokenRecipient,
  failedIds,
  failureLines,
  freePort,
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

  it(
    'judges a receiver that already runs at --endpoint (no --run), told the settings as a manual run',
    async () => {
      const port = await freePort();
      const endpoint = `http://127.0.0.1:${port}/digitalpost/receive`;
      let adapter: Promise<RecipientAdapter> | undefined;
      try {
        const report = await runConformance({
          profile,
          endpoint,
          wait: true,
          seed: 11,
          scenarios: ['everyday', 'hostile'],
          onEvent: (event) => {
            if (event.kind !== 'manual') return;
            const given = event.settings;
            adapter = startRecipientAdapter(
              {
                baseUrl: given.DIGITALPOST_BASE_URL ?? '',
                apiKey: given.DIGITALPOST_API_KEY ?? '',
                endpoint: new URL(given.DIGITALPOST_ENDPOINT ?? ''),
                reportPath: given.DIGITALPOST_REPORT ?? '',
                stateDir: given.DIGITALPOST_STATE_DIR ?? '',
              },
              // Quiet: refusing the hostile requests is what it is for.
              {
                receiving: profile === 'recipient-push' ? 'push' : 'pubsub',
                receiver: { onError: () => {} },
              },
            );
          },
        });

        expect(adapter).toBeDefined();
        expect(failedIds(report), failureLines(report)).toEqual([]);
        expect(report.checks.find((check) => check.id === `${profile}.memo.taken`)?.status).toBe('passed');
      } finally {
        await (await adapter)?.close();
      }
    },
    CASE_TIMEOUT_MS,
  );

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
