/**
 * The conformance suite's own cost: the wall time of the whole `sender` profile against the
 * reference adapter (examples/conformance-sender.ts, run from `dist/` as a vendor would run theirs),
 * and the suite's overhead per scenario — reset, files, the clock's script, reading the transcript,
 * looking up and validating every message — measured two ways: the scenario's time minus the
 * adapter's, and whole scenarios against an adapter that does nothing (`true`). Then the wall time
 * of the whole `recipient-pull` profile against its reference adapter
 * (examples/conformance-recipient-pull.ts), scenario by scenario — the 50 MB MeMo's included (built
 * in memory, sent through the simulator's intake, fetched and checked by the adapter).
 *
 * Target: the sender and recipient-pull profiles under 30 s each on the project's machines (most of
 * it the adapter's own time).
 *
 * `npm run build && node --expose-gc bench/conformance.bench.ts [--json] [--quick] [--rounds=N]
 * [--profile=sender|recipient-pull]`, or `npm run bench -- conformance`. `--quick`: one round.
 * Rounds default to 3 (a run is ~25 s).
 */
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { type RunEvent, runConformance } from '../conformance/index.ts';
import { args, median, round } from './harness.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const roundsArg = process.argv.find((arg) => arg.startsWith('--rounds='))?.slice('--rounds='.length);
const ROUNDS =
  roundsArg !== undefined ? Math.max(1, Number.parseInt(roundsArg, 10) || 1) : args.quick ? 1 : 3;
const TARGET_S = 30;
const profileArg = process.argv.find((arg) => arg.startsWith('--profile='))?.slice('--profile='.length);
const PROFILES = profileArg === undefined ? ['sender', 'recipient-pull'] : [profileArg];

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

async function timeRun(command: string, seed: number, profile = 'sender'): Promise<Timings> {
  const scenarios = new Map<string, { scenarioMs: number; adapterMs: number }>();
  const onEvent = (event: RunEvent): void => {
    const entry = scenarios.get(event.scenario) ?? { scenarioMs: 0, adapterMs: 0 };
    if (event.kind === 'scenario-end') entry.scenarioMs = event.durationMs;
    if (event.kind === 'adapter-end') entry.adapterMs = event.durationMs;
    scenarios.set(event.scenario, entry);
  };
  const started = performance.now();
  const result = await runConformance({ profile, run: command, cwd: ROOT, seed, onEvent });
  return {
    totalMs: performance.now() - started,
    scenarios,
    failed: result.checks.filter((check) => check.status === 'failed' && check.level === 'MUST').length,
    failures: result.checks
      .filter((check) => check.status === 'failed' && check.level === 'MUST')
      .map((check) => `${check.id}: ${check.message}`),
  };
}

const seconds = (ms: number): string => (ms / 1000).toFixed(1);

if (PROFILES.includes('sender')) await benchSender();
if (PROFILES.includes('recipient-pull')) await benchRecipientPull();

async function benchSender(): Promise<void> {
  const reference: Timings[] = [];
  const idle: Timings[] = [];
  for (let index = 0; index < ROUNDS; index++) {
    reference.push(await timeRun(`'${process.execPath}' examples/conformance-sender.ts`, 1_000 + index));
    idle.push(await timeRun('true', 2_000 + index));
  }

  const totals = reference.map((run) => run.totalMs);
  const overheads = reference.flatMap((run) =>
    [...run.scenarios.values()].map((s) => s.scenarioMs - s.adapterMs),
  );
  const idleScenarios = idle.flatMap((run) => [...run.scenarios.values()].map((s) => s.scenarioMs));
  const summary = {
    rounds: ROUNDS,
    wallSecondsMedian: Number(seconds(median(totals))),
    wallSecondsMax: Number(seconds(Math.max(...totals))),
    mustFailures: Math.max(...reference.map((run) => run.failed)),
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
      `suite overhead per scenario (scenario − adapter): ${summary.overheadMsMedian} ms median, ${summary.overheadMsMax} ms max`,
      `a scenario with an adapter that does nothing: ${summary.idleScenarioMsMedian} ms median, ${summary.idleScenarioMsMax} ms max`,
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
      await timeRun(
        `'${process.execPath}' examples/conformance-recipient-pull.ts`,
        3_000 + index,
        'recipient-pull',
      ),
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
