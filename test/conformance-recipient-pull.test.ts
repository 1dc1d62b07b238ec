/**
 * The recipient-pull profile against real adapters, end to end: the suite's NgDP, the adapter as a
 * long-running process, every scenario. The reference adapter passes every check with chaos on
 * under more than one seed; each broken adapter fails exactly the checks its mistake breaks.
 */
import { describe, expect, it } from 'vitest';
import { ConformanceSetupError, InvalidOptionsError, type RunEvent } from '../conformance/index.ts';
import {
  ConformanceRecipientPull,
  pullSettingsFromEnvironment,
} from '../examples/conformance-recipient-pull.ts';
import { failedIds, failureLines } from './support/conformance/adapters.ts';
import { BROKEN_PULL_CASES } from './support/conformance/broken-pull-cases.ts';
import {
  brokenPullRecipient,
  PULL_REFERENCE_ADAPTER,
  runRecipientPull,
} from './support/conformance/pull-adapters.ts';

const PROFILE_MS = 180_000;

describe('the recipient-pull profile and its reference adapter', () => {
  for (const seed of [7, 1234]) {
    it(
      `passes every check with chaos on, seed ${seed}`,
      async () => {
        const report = await runRecipientPull(PULL_REFERENCE_ADAPTER, { seed });
        expect(failedIds(report), failureLines(report)).toEqual([]);
        expect(report.checks.filter((check) => check.status === 'skipped').map((check) => check.id)).toEqual(
          [],
        );
        expect(report).toMatchObject({ profile: 'recipient-pull', seed, chaos: true });
      },
      PROFILE_MS,
    );
  }
});

describe('broken PULL recipients fail exactly the checks their mistake breaks', () => {
  for (const broken of BROKEN_PULL_CASES) {
    it(
      `${broken.kind}: ${broken.mistake}`,
      async () => {
        const report = await runRecipientPull(brokenPullRecipient(broken.kind), {
          chaos: false,
          scenarios: broken.scenarios,
        });
        expect(failedIds(report), failureLines(report)).toEqual([...broken.fails].sort());
      },
      PROFILE_MS,
    );
  }
});

describe('running the recipient-pull profile', () => {
  it('refuses --endpoint, which is for push and publish/subscribe', async () => {
    await expect(
      runRecipientPull(PULL_REFERENCE_ADAPTER, { endpoint: 'http://127.0.0.1:1/memos' }),
    ).rejects.toThrow(InvalidOptionsError);
  });

  it('with --wait, tells the settings once and judges the system started by hand with them', async () => {
    let adapter: ConformanceRecipientPull | undefined;
    const running: Array<Promise<void>> = [];
    const onEvent = (event: RunEvent): void => {
      if (event.kind !== 'manual') return;
      expect(event.settings).not.toHaveProperty('DIGITALPOST_SCENARIO');
      adapter = new ConformanceRecipientPull(pullSettingsFromEnvironment(event.settings));
      running.push(adapter.run());
    };
    try {
      const report = await runRecipientPull(PULL_REFERENCE_ADAPTER, {
        run: undefined,
        wait: true,
        chaos: false,
        scenarios: ['first-post'],
        onEvent,
      });
      expect(failedIds(report), failureLines(report)).toEqual([]);
      expect(report.checks.find((check) => check.id === 'recipient-pull.memos.every-taken')?.status).toBe(
        'passed',
      );
    } finally {
      adapter?.stop();
      await Promise.all(running);
    }
  });

  it('stops with a setup error when the adapter command cannot start', async () => {
    await expect(
      runRecipientPull('/nonexistent/digitalpost-adapter', { scenarios: ['first-post'] }),
    ).rejects.toThrow(ConformanceSetupError);
  });
});
