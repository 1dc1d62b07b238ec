/**
 * `--seed` reproduces a run: the same seed gives the same scenarios, the same letters, the same
 * chaos and the same verdicts — for a system that passes and for one that fails.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DigitalPostClient } from '../sdk/client/client.ts';
import { ServiceUnavailableError } from '../sdk/errors.ts';
import { createLetter } from '../sdk/memo/builder.ts';
import { brokenAdapter, REFERENCE_ADAPTER, runSender } from '../test/support/conformance/adapters.ts';
import type { RunEvent } from './options.ts';
import { streamOf } from './prng.ts';
import { startSuiteNgdp } from './runner/ngdp.ts';
import { RECIPIENTS, SCENARIO_SENDER } from './scenarios/sender.ts';

const RUN_TIMEOUT_MS = 180_000;
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

interface Letter {
  ref: string;
  recipient: unknown;
  label: string;
  document: { filename: string; path?: string };
  attachments?: Array<{ filename: string; path?: string }>;
  valueDate?: string;
  recall?: boolean;
}

/**
 * What a run did, without what is new in every run (the files' paths, messageUUIDs, timestamps) and
 * the value dates (the Danish date may turn between two runs): scenarios played in order, each
 * scenario file's letters, each letter's reported outcome, each check's status.
 */
async function runOf(command: string, seed: number, scenarios: string[]) {
  const workDir = await mkdtemp(join(tmpdir(), 'conformance-determinism-'));
  dirs.push(workDir);
  const played: string[] = [];
  const report = await runSender(command, {
    seed,
    scenarios,
    workDir,
    onEvent: (event: RunEvent) => {
      if (event.kind === 'scenario-start') played.push(event.scenario);
    },
  });
  const letters: Record<string, unknown> = {};
  const outcomes: Record<string, unknown> = {};
  for (const name of (await readdir(join(workDir, 'scenarios'))).sort()) {
    const dir = join(workDir, 'scenarios', name);
    const file = JSON.parse(await readFile(join(dir, 'scenario.json'), 'utf8')) as { letters: Letter[] };
    letters[name] = file.letters.map(({ valueDate, document, attachments, ...letter }) => ({
      ...letter,
      valueDated: valueDate !== undefined,
      files: [document, ...(attachments ?? [])].map((each) => each.filename),
    }));
    outcomes[name] = (await readFile(join(dir, 'report.jsonl'), 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const { ref, outcome, receiptStatus, errorCode } = JSON.parse(line) as Record<string, unknown>;
        return { ref, outcome, receiptStatus, errorCode };
      })
      .sort((a, b) => String(a.ref).localeCompare(String(b.ref)));
  }
  const verdicts = report.checks.map(({ id, status }) => `${status} ${id}`);
  return { seed: report.seed, played, letters, outcomes, verdicts };
}

describe('the same seed, the same run', () => {
  it('plays the same scenarios with the same letters, outcomes and verdicts for a system that passes', {
    timeout: RUN_TIMEOUT_MS,
  }, async () => {
    const scenarios = ['everyday', 'negative-receipts', 'service-unavailable', 'many-letters'];
    const first = await runOf(REFERENCE_ADAPTER, 1_234, scenarios);
    const second = await runOf(REFERENCE_ADAPTER, 1_234, scenarios);
    expect(first.played).toEqual(scenarios);
    expect(Object.keys(first.outcomes)).toHaveLength(scenarios.length);
    expect(second).toEqual(first);
  });

  it('gives the same verdicts, failures included, for a system that fails', {
    timeout: RUN_TIMEOUT_MS,
  }, async () => {
    const scenarios = ['lost-answer-after', 'lost-answer-before'];
    const first = await runOf(brokenAdapter('new-uuid-on-lost-answer'), 99, scenarios);
    const second = await runOf(brokenAdapter('new-uuid-on-lost-answer'), 99, scenarios);
    expect(first.verdicts).toContain('failed sender.retry.same-uuid');
    expect(second.verdicts).toEqual(first.verdicts);
    expect(second.played).toEqual(first.played);
  });
});

describe("the suite's NgDP under a seed", () => {
  /**
   * Whether each of `count` sends, one after another, met chaos's 503 in a scenario's stream, with
   * `listsBetween` receipt lists (their random page sizes drawn too) after each send.
   */
  async function chaosOfSends(seed: number, count: number, listsBetween = 0): Promise<boolean[]> {
    const ngdp = await startSuiteNgdp({ seed, chaos: true, receipts: 'pull' });
    try {
      ngdp.random.use(streamOf(seed, 'many-letters'));
      const client = new DigitalPostClient({ baseUrl: ngdp.simulator.apiUrl, apiKey: ngdp.apiKey });
      const refused: boolean[] = [];
      for (let index = 0; index < count; index++) {
        const memo = await createLetter({
          sender: SCENARIO_SENDER,
          recipient: { cpr: RECIPIENTS.registered },
          label: `Brev ${index}`,
          document: { content: new TextEncoder().encode(`%PDF-1.4 ${index}`), filename: 'brev.pdf' },
        });
        const sent = await client.memos.send(memo, { retry: false }).then(
          () => false,
          (error: unknown) => {
            if (error instanceof ServiceUnavailableError) return true;
            throw error;
          },
        );
        refused.push(sent);
        for (let list = 0; list < listsBetween; list++) for await (const _ of client.receipts.list());
      }
      return refused;
    } finally {
      await ngdp.simulator.stop();
    }
  }

  it('answers the same sends with the same chaos', { timeout: RUN_TIMEOUT_MS }, async () => {
    const first = await chaosOfSends(42, 80);
    expect(first).toContain(true);
    expect(await chaosOfSends(42, 80)).toEqual(first);
  });

  it('refuses the same sends however many list pages were drawn between them (a system’s timing)', {
    timeout: RUN_TIMEOUT_MS,
  }, async () => {
    const quiet = await chaosOfSends(42, 40);
    expect(quiet).toContain(true);
    expect(await chaosOfSends(42, 40, 3)).toEqual(quiet);
  });
});
