/**
 * A run of the sender profile: one suite NgDP for the whole run (the vendor's system, id and API key
 * unchanged throughout), and for each scenario — reset, clock to now, the scenario's faults, its
 * letters and file, the adapter command with the protocol's environment, the scenario's script for
 * simulator time — then the evidence: transcript, messages held, vendor report, receipts left.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DigitalPostClient } from '../../sdk/client/client.ts';
import { InvalidOptionsError } from '../../sdk/errors.ts';
import { examineHeld, type HeldMessage, type SenderObservation } from '../evidence/sender.ts';
import { readSenderReport } from '../evidence/vendor-report.ts';
import type { RunSettings } from '../options.ts';
import { streamOf } from '../prng.ts';
import type { ProfileSession } from '../profile.ts';
import type { SenderScenario } from '../scenarios/sender.ts';
import { type AdapterRun, runCommand, waitForVendor } from './adapter.ts';
import { ClockDriver } from './clock.ts';
import { type SuiteNgdp, startSuiteNgdp } from './ngdp.ts';
import { ResendProxy } from './resend-proxy.ts';
import { writeScenario } from './scenario-files.ts';
import { ScenarioTranscript, type TranscriptEntry, TranscriptReader } from './transcript.ts';

/** The shortest deadline `--timeout-s` may give a scenario. */
const SHORTEST_DEADLINE_MS = 15_000;
/** The deadline of a scenario in a manual run (`--wait`) unless `--timeout-s` says otherwise. */
const MANUAL_DEADLINE_MS = 300_000;
/** More messages than this in one scenario are not looked up one by one. */
const MAX_LOOKUPS = 500;
/** How often the suite looks for the receipt push it is to repeat. */
const WATCH_MS = 100;

/** What the sender profile needs of the options. @throws InvalidOptionsError */
function checkSenderSettings(settings: RunSettings): void {
  checkVendorCommand(settings);
  if (settings.receipts === 'push' && settings.receiptEndpoint === undefined)
    throw new InvalidOptionsError(
      '--receipts push needs --receipt-endpoint URL: where your system takes pushed receipts',
    );
  if (settings.receipts === 'pull' && settings.receiptEndpoint !== undefined)
    throw new InvalidOptionsError('--receipt-endpoint goes with --receipts push');
  if (settings.sshPublicKey !== undefined)
    throw new InvalidOptionsError('--ssh-public-key is for the sender-sftp profile');
}

/** A scenario's deadline: its own, `--timeout-s` (at least {@link SHORTEST_DEADLINE_MS}), or a manual run's. */
export function deadlineOf(settings: RunSettings, scenarioDeadlineMs: number): number {
  const { timeoutMs, wait } = settings;
  if (timeoutMs !== undefined) return Math.max(timeoutMs, SHORTEST_DEADLINE_MS);
  return wait ? MANUAL_DEADLINE_MS : scenarioDeadlineMs;
}

/**
 * Runs the vendor's adapter command for a scenario with the protocol's variables — or, with
 * `--wait`, tells them and waits for the vendor's report — and tells `onEvent` how it ended.
 */
export async function runVendor(
  settings: RunSettings,
  run: {
    scenario: string;
    protocol: Record<string, string>;
    reportPath: string;
    deadlineMs: number;
    letterCount: number;
  },
): Promise<AdapterRun> {
  const { scenario, protocol, reportPath, deadlineMs, letterCount } = run;
  let adapter: AdapterRun;
  if (settings.run === undefined) {
    settings.onEvent?.({ kind: 'manual', scenario, settings: protocol, deadlineMs });
    adapter = await waitForVendor({ reportPath, expectedLines: letterCount, deadlineMs });
  } else {
    adapter = await runCommand({
      command: settings.run,
      cwd: settings.cwd,
      env: { ...settings.env, ...protocol },
      deadlineMs,
    });
  }
  settings.onEvent?.({
    kind: 'adapter-end',
    scenario,
    durationMs: adapter.endedAt - adapter.startedAt,
    exitCode: adapter.exitCode,
    timedOut: adapter.timedOut,
  });
  return adapter;
}

/** What every sender profile needs of the options: a command or `--wait`, not an endpoint. @throws InvalidOptionsError */
export function checkVendorCommand(settings: RunSettings): void {
  if (settings.endpoint !== undefined)
    throw new InvalidOptionsError(
      `--endpoint is for the recipient-push and recipient-pubsub profiles; the ${settings.profile} profile takes --run or --wait`,
    );
  if (settings.run === undefined && !settings.wait)
    throw new InvalidOptionsError(`the ${settings.profile} profile needs --run "COMMAND" or --wait`);
}

/** Opens a sender run. */
export async function openSenderSession(
  settings: RunSettings,
  scenarios: readonly SenderScenario[],
): Promise<ProfileSession<SenderScenario, SenderObservation>> {
  checkSenderSettings(settings);
  const ownWorkDir = settings.workDir === undefined;
  const workDir = settings.workDir ?? (await mkdtemp(join(tmpdir(), 'digitalpost-conformance-')));
  let ngdp: SuiteNgdp;
  try {
    ngdp = await startSuiteNgdp({
      seed: settings.seed,
      chaos: settings.chaos,
      receipts: settings.receipts,
      ...(settings.receiptEndpoint === undefined ? {} : { receiptEndpoint: settings.receiptEndpoint }),
    });
  } catch (error) {
    if (ownWorkDir) await rm(workDir, { recursive: true, force: true });
    throw error;
  }
  const resends = scenarios.some((scenario) => scenario.resendAnswer !== undefined)
    ? await ResendProxy.start(new URL(ngdp.simulator.apiUrl).origin)
    : undefined;
  const session = new SenderSession(settings, ngdp, resends, workDir);
  await mkdir(session.stateDir, { recursive: true });
  return {
    play: (scenario) => session.play(scenario, scenarios.indexOf(scenario)),
    unjudged: (id) =>
      id.startsWith('sender.receipts.push')
        ? 'judged only when receipts are pushed (--receipts push --receipt-endpoint URL)'
        : settings.receipts === 'push' &&
            ['sender.receipts.polled', 'sender.receipts.acknowledged', 'sender.rate.polling'].includes(id)
          ? 'judged only when receipts are pulled (--receipts pull)'
          : 'nothing in this run gave it occasion (no scenario that judges it met what it looks at)',
    async close() {
      await resends?.close();
      await ngdp.simulator.stop();
      if (ownWorkDir) await rm(workDir, { recursive: true, force: true });
    },
  };
}

const isReceiptPush = (systemId: string) => (entry: TranscriptEntry) =>
  entry.direction === 'out' && entry.operation === 'PUSH receipt' && entry.systemId === systemId;

class SenderSession {
  private readonly settings: RunSettings;
  private readonly ngdp: SuiteNgdp;
  private readonly resends: ResendProxy | undefined;
  private readonly workDir: string;
  private readonly transcript: TranscriptReader;
  private readonly runId = randomUUID();
  /** Every messageUUID the system sent in this run, with the scenario it first came in. */
  private readonly sentUuids = new Map<string, string>();
  readonly stateDir: string;

  constructor(settings: RunSettings, ngdp: SuiteNgdp, resends: ResendProxy | undefined, workDir: string) {
    this.settings = settings;
    this.ngdp = ngdp;
    this.resends = resends;
    this.workDir = workDir;
    this.stateDir = join(workDir, 'state');
    this.transcript = new TranscriptReader(ngdp.control);
  }

  async play(scenario: SenderScenario, index: number): Promise<SenderObservation> {
    const { control, systemId } = this.ngdp;
    await control.reset();
    this.transcript.restart();
    this.ngdp.random.use(streamOf(this.settings.seed, scenario.id));
    const today = await control.setClock(new Date());
    for (const rule of scenario.faults ?? []) await control.addFault({ ...rule, systemId });
    const deadlineMs = deadlineOf(this.settings, scenario.deadlineMs);
    const dir = join(this.workDir, 'scenarios', `${String(index + 1).padStart(2, '0')}-${scenario.id}`);
    const { letters, scenarioPath, reportPath } = await writeScenario({
      dir,
      runId: this.runId,
      scenario,
      today,
      deadlineMs,
    });
    this.resends?.begin();

    const seen = new ScenarioTranscript(this.transcript);
    const clock = new ClockDriver({ control, requests: () => seen.more() }, scenario.clock ?? [], today);
    const watching = { stop: false };
    const repeating = scenario.repeatReceipt === true ? this.repeatFirstReceipt(seen, watching) : undefined;
    let adapter: AdapterRun;
    try {
      adapter = await this.runAdapter(scenario, scenarioPath, reportPath, deadlineMs, letters.length);
    } finally {
      watching.stop = true;
      await repeating;
      await clock.stop();
    }
    const entries = await seen.more();
    const requests = entries.filter(
      (entry) =>
        entry.direction === 'in' &&
        entry.channel === 'http' &&
        (entry.systemId === systemId || entry.systemId === null),
    );
    const report = await readSenderReport(reportPath, new Set(letters.map((letter) => letter.ref)));
    const held = new Map<string, HeldMessage>();
    for (const { messageUUID } of (await control.messagesOf(systemId)).slice(0, MAX_LOOKUPS)) {
      const message = await examineHeld(control, messageUUID, systemId, letters);
      if (message !== undefined) held.set(messageUUID.toLowerCase(), message);
    }
    const earlierUuids = new Map(this.sentUuids);
    for (const entry of requests) {
      const uuid = entry.operation === 'POST /memos/' ? entry.messageUUID?.toLowerCase() : undefined;
      if (uuid !== undefined && !this.sentUuids.has(uuid)) this.sentUuids.set(uuid, scenario.id);
    }
    return {
      scenario,
      receipts: this.settings.receipts,
      systemId,
      deadlineMs,
      letters,
      adapter,
      requests,
      held,
      report,
      leftoverReceipts: this.settings.receipts === 'pull' ? await this.leftoverReceipts() : undefined,
      pushes: entries.filter(isReceiptPush(systemId)),
      clock: clock.log,
      earlierUuids,
    };
  }

  /**
   * Once NgDP has pushed a receipt and the endpoint took it, NgDP pushes it once more — the
   * at-least-once delivery a receipt endpoint must take in its stride.
   */
  private async repeatFirstReceipt(seen: ScenarioTranscript, watching: { stop: boolean }): Promise<void> {
    const pushed = isReceiptPush(this.ngdp.systemId);
    while (!watching.stop) {
      const taken = (await seen.more()).find(
        (entry) => pushed(entry) && entry.status !== null && entry.status < 300 && entry.messageUUID !== null,
      );
      if (taken?.messageUUID) {
        await this.ngdp.control.redeliverReceipt(taken.messageUUID);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, WATCH_MS));
    }
  }

  private runAdapter(
    scenario: SenderScenario,
    scenarioPath: string,
    reportPath: string,
    deadlineMs: number,
    letterCount: number,
  ): Promise<AdapterRun> {
    const baseUrl =
      scenario.resendAnswer !== undefined && this.resends !== undefined
        ? this.resends.apiUrl
        : this.ngdp.simulator.apiUrl;
    return runVendor(this.settings, {
      scenario: scenario.id,
      protocol: {
        DIGITALPOST_BASE_URL: baseUrl,
        DIGITALPOST_API_KEY: this.ngdp.apiKey,
        DIGITALPOST_SYSTEM_ID: this.ngdp.systemId,
        DIGITALPOST_RECEIPTS: this.settings.receipts,
        DIGITALPOST_SCENARIO: scenarioPath,
        DIGITALPOST_REPORT: reportPath,
        DIGITALPOST_STATE_DIR: this.stateDir,
        DIGITALPOST_CONFORMANCE: '1',
      },
      reportPath,
      deadlineMs,
      letterCount,
    });
  }

  /** The business receipts NgDP still lists for the vendor's system (asked as the system, after the run). */
  private async leftoverReceipts(): Promise<SenderObservation['leftoverReceipts']> {
    await this.ngdp.control.clearFaults();
    const client = new DigitalPostClient({ baseUrl: this.ngdp.simulator.apiUrl, apiKey: this.ngdp.apiKey });
    const left: NonNullable<SenderObservation['leftoverReceipts']> = [];
    for await (const receipt of client.receipts.list()) {
      left.push({
        ...(receipt.id === undefined ? {} : { id: receipt.id }),
        ...(receipt.messageUUID === undefined ? {} : { messageUUID: receipt.messageUUID }),
        receiptStatus: receipt.receiptStatus,
      });
    }
    return left;
  }
}
