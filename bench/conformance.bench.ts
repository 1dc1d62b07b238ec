/**
 * The conformance suite's own cost: the wall time of the whole `sender` profile against the
 * reference adapter (examples/conformance-sender.ts, run from `dist/` as a vendor would run theirs),
 * with receipts pulled (the default, and the target's case) and pushed to the adapter's endpoint,
 * and the suite's overhead per scenario — reset, files, the clock's script, reading the transcript,
 * looking up and validating every message — measured two ways: the scenario's time minus the
 * adapter's, and whole scenarios against an adapter that does nothing (`true`).
 *
 * Then the `recipient-pull` profile against its reference adapter (one adapter process for the run,
 * the 50 MB MeMo built in memory, sent through the simulator's intake, fetched and checked), and the
 * recipient-push and recipient-pubsub profiles against their reference receivers: the wall time of a
 * run and of each scenario (the 50 MB MeMo's is most of it).
 *
 * Target: the sender and recipient-pull profiles under 30 s each on the project's machines (most of
 * it the adapter's own time).
 *
 * `npm run build && node --expose-gc bench/conformance.bench.ts [--json] [--quick] [--rounds=N]
 * [--profile=P]`, or `npm run bench -- conformance`. `--quick`: one round. Rounds default to 3 (a
 * run is ~25 s).
 */
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { type RunEvent, runConformance } from '../conformance/index.ts';
import { freePort } from '../test/support/conformance/adapters.ts';
import { args, median, round } from './harness.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const roundsArg = process.argv.find((arg) => arg.startsWith('--rounds='))?.slice('--rounds='.length);
const ROUNDS =
  roundsArg !== undefined ? Math.max(1, Number.parseInt(roundsArg, 10) || 1) : args.quick ? 1 : 3;
const TARGET_S = 30;
const profileArg = process.argv.find((arg) => arg.startsWith('--profile='))?.slice('--profile='.length);
const PROFILES: readonly string[] =
  profileArg === undefined
    ? ['sender', 'recipient-pull', 'recipient-push', 'recipient-pubsub']
    : [profileArg];

if (!existsSync(`${ROOT}dist/index.js`)) {
  process.stderr.write(
    'bench/conformance: run `npm run build` first (the adapter imports digitalpost from dist/)\n',
  );
  process.exit(1);
}

interface Timings {
  totalMs: number;
  scenarios: Map<string, { scenarioMs: number; adapterMs: number }>;
  failed: number;
  /** The MUST checks that failed, with why (a bench run that fails one says which). */
  failures: string[];
}

async function timeRun(
  command: string,
  seed: number,
  {
    push = false,
    profile = 'sender' as const,
  }: { push?: boolean; profile?: 'sender' | 'recipient-pull' } = {},
): Promise<Timings> {
  const scenarios = new Map<string, { scenarioMs: number; adapterMs: number }>();
  const onEvent = (event: RunEvent): void => {
    const entry = scenarios.get(event.scenario) ?? { scenarioMs: 0, adapterMs: 0 };
    if (event.kind === 'scenario-end') entry.scenarioMs = event.durationMs;
    if (event.kind === 'adapter-end') entry.adapterMs = event.durationMs;
    scenarios.set(event.scenario, entry);
  };
  const port = push ? await freePort() : undefined;
  const receipts =
    port === undefined
      ? {}
      : { receipts: 'push' as const, receiptEndpoint: `http://127.0.0.1:${port}/receipts` };
  const run = port === undefined ? command : `SENDER_RECEIPT_PORT=${port} ${command}`;
  const started = performance.now();
  const result = await runConformance({ profile, run, cwd: ROOT, seed, onEvent, ...receipts });
  const failed = result.checks.filter((check) => check.status === 'failed' && check.level === 'MUST');
  return {
    totalMs: performance.now() - started,
    scenarios,
    failed: failed.length,
    failures: failed.map((check) => `${check.id}: ${check.message}`),
  };
}

const seconds = (ms: number): string => (ms / 1000).toFixed(1);

if (PROFILES.includes('sender')) await benchSender();
if (PROFILES.includes('recipient-pull')) await benchRecipientPull();
await benchReceivers();

async function benchSender(): Promise<void> {
  const REFERENCE = `'${process.execPath}' examples/conformance-sender.ts`;
  const reference: Timings[] = [];
  const pushed: Timings[] = [];
  const idle: Timings[] = [];
  for (let index = 0; index < ROUNDS; index++) {
    reference.push(await timeRun(REFERENCE, 1_000 + index));
    pushed.push(await timeRun(REFERENCE, 1_000 + index, { push: true }));
    idle.push(await timeRun('true', 2_000 + index));
  }

  const totals = reference.map((run) => run.totalMs);
  const pushTotals = pushed.map((run) => run.totalMs);
  const overheads = reference.flatMap((run) =>
    [...run.scenarios.values()].map((s) => s.scenarioMs - s.adapterMs),
  );
  const idleScenarios = idle.flatMap((run) => [...run.scenarios.values()].map((s) => s.scenarioMs));
  const summary = {
    rounds: ROUNDS,
    wallSecondsMedian: Number(seconds(median(totals))),
    wallSecondsMax: Number(seconds(Math.max(...totals))),
    pushWallSecondsMedian: Number(seconds(median(pushTotals))),
    pushWallSecondsMax: Number(seconds(Math.max(...pushTotals))),
    mustFailures: Math.max(...[...reference, ...pushed].map((run) => run.failed)),
    targetSeconds: TARGET_S,
    met: median(totals) < TARGET_S * 1000,
    overheadMsMedian: round(median(overheads), 0),
    overheadMsMax: round(Math.max(...overheads), 0),
    idleScenarioMsMedian: round(median(idleScenarios), 0),
    idleScenarioMsMax: round(Math.max(...idleScenarios), 0),
  };
  const perScenario = [...(reference[0]?.scenarios.keys() ?? [])].map((name) => {
    const own = reference.map((run) => run.scenarios.get(name)).filter((entry) => entry !== undefined);
    return {
      scenario: name,
      scenarioMs: round(median(own.map((entry) => entry.scenarioMs)), 0),
      adapterMs: round(median(own.map((entry) => entry.adapterMs)), 0),
    };
  });
  if (args.json) {
    process.stdout.write(`${JSON.stringify({ case: 'sender profile', ...summary })}\n`);
    for (const row of perScenario) process.stdout.write(`${JSON.stringify(row)}\n`);
  } else {
    const lines = [
      `conformance — ${ROUNDS} round${ROUNDS === 1 ? '' : 's'}, load ${loadavg()[0]?.toFixed(2)}`,
      '',
      `sender profile, reference adapter: ${summary.wallSecondsMedian} s median, ${summary.wallSecondsMax} s max ` +
        `(target < ${TARGET_S} s: ${summary.met ? 'met' : 'NOT met'}); MUST failures: ${summary.mustFailures}`,
      `sender profile, receipts pushed: ${summary.pushWallSecondsMedian} s median, ${summary.pushWallSecondsMax} s max`,
      `suite overhead per scenario (scenario − adapter): ${summary.overheadMsMedian} ms median, ${summary.overheadMsMax} ms max`,
      `a scenario with an adapter that does nothing: ${summary.idleScenarioMsMedian} ms median, ${summary.idleScenarioMsMax} ms max`,
      ...[...reference, ...pushed].flatMap((run) =>
        run.failures.map((failure) => `  MUST failure: ${failure}`),
      ),
      '',
      'scenario                    scenario ms  adapter ms',
      ...perScenario.map(
        (row) =>
          `${row.scenario.padEnd(28)}${String(row.scenarioMs).padStart(11)}${String(row.adapterMs).padStart(12)}`,
      ),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  }
}

/** The recipient-pull profile: one adapter process for the run, so the time per scenario is the suite's and the adapter's together. */
async function benchRecipientPull(): Promise<void> {
  const runs: Timings[] = [];
  for (let index = 0; index < ROUNDS; index++)
    runs.push(
      await timeRun(`'${process.execPath}' examples/conformance-recipient-pull.ts`, 3_000 + index, {
        profile: 'recipient-pull',
      }),
    );
  const totals = runs.map((run) => run.totalMs);
  const summary = {
    rounds: ROUNDS,
    wallSecondsMedian: Number(seconds(median(totals))),
    wallSecondsMax: Number(seconds(Math.max(...totals))),
    mustFailures: Math.max(...runs.map((run) => run.failed)),
    targetSeconds: TARGET_S,
    met: median(totals) < TARGET_S * 1000,
  };
  const perScenario = [...(runs[0]?.scenarios.keys() ?? [])].map((name) => ({
    scenario: name,
    scenarioMs: round(median(runs.map((run) => run.scenarios.get(name)?.scenarioMs ?? 0)), 0),
  }));
  if (args.json) {
    process.stdout.write(`${JSON.stringify({ case: 'recipient-pull profile', ...summary })}\n`);
    for (const row of perScenario) process.stdout.write(`${JSON.stringify(row)}\n`);
    return;
  }
  const lines = [
    '',
    `recipient-pull profile, reference adapter: ${summary.wallSecondsMedian} s median, ${summary.wallSecondsMax} s max ` +
      `(target < ${TARGET_S} s: ${summary.met ? 'met' : 'NOT met'}); MUST failures: ${summary.mustFailures}`,
    ...runs.flatMap((run) => run.failures.map((failure) => `  MUST failure: ${failure}`)),
    '',
    'scenario                    scenario ms',
    ...perScenario.map((row) => `${row.scenario.padEnd(28)}${String(row.scenarioMs).padStart(11)}`),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

/**
 * The push and publish/subscribe profiles: the whole run against the reference receiver, which the
 * suite starts once (from `dist/`, as a vendor would), and the wall time of each scenario.
 */
async function benchReceivers(): Promise<void> {
  for (const [profile, example, path] of [
    ['recipient-push', 'conformance-recipient-push.ts', 'memos'],
    ['recipient-pubsub', 'conformance-recipient-pubsub.ts', 'notifications'],
  ] as const) {
    if (!PROFILES.includes(profile)) continue;
    const runs: Array<{ totalMs: number; failed: number; scenarios: Map<string, number> }> = [];
    for (let index = 0; index < ROUNDS; index++) {
      const scenarios = new Map<string, number>();
      const started = performance.now();
      const result = await runConformance({
        profile,
        run: `'${process.execPath}' examples/${example}`,
        endpoint: `http://127.0.0.1:${await freePort()}/digitalpost/${path}`,
        cwd: ROOT,
        seed: 3_000 + index,
        onEvent: (event) => {
          if (event.kind === 'scenario-end') scenarios.set(event.scenario, event.durationMs);
        },
      });
      runs.push({
        totalMs: performance.now() - started,
        failed: result.checks.filter((check) => check.status === 'failed' && check.level === 'MUST').length,
        scenarios,
      });
    }
    const wall = runs.map((run) => run.totalMs);
    const row = {
      case: `${profile} profile`,
      rounds: ROUNDS,
      wallSecondsMedian: Number(seconds(median(wall))),
      wallSecondsMax: Number(seconds(Math.max(...wall))),
      mustFailures: Math.max(...runs.map((run) => run.failed)),
      scenarioMs: Object.fromEntries(
        [...(runs[0]?.scenarios.keys() ?? [])].map((name) => [
          name,
          round(median(runs.map((run) => run.scenarios.get(name) ?? 0)), 0),
        ]),
      ),
    };
    process.stdout.write(
      args.json
        ? `${JSON.stringify(row)}\n`
        : `\n${profile} profile, reference adapter: ${row.wallSecondsMedian} s median, ${row.wallSecondsMax} s max; MUST failures: ${row.mustFailures}\n` +
            Object.entries(row.scenarioMs)
              .map(([name, ms]) => `${name.padEnd(28)}${String(ms).padStart(11)}`)
              .join('\n') +
            '\n',
    );
  }
}
