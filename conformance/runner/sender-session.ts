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
import { examineHeld, type HeldMessage, messageUUIDsOf, type SenderObservation } from '../evidence/sender.ts';
import { readSenderReport } from '../evidence/vendor-report.ts';
import type { RunSettings } from '../options.ts';
import { streamOf } from '../prng.ts';
import type { ProfileSession } from '../profile.ts';
import type { SenderScenario } from '../scenarios/sender.ts';
import { type AdapterRun, runCommand, waitForVendor } from './adapter.ts';
import { ClockDriver } from './clock.ts';
import { type SuiteNgdp, startSuiteNgdp } from './ngdp.ts';
import { ReceiptRelay } from './relay.ts';
import { ResendProxy } from './resend-proxy.ts';
import { writeScenario } from './scenario-files.ts';
import { type TranscriptEntry, TranscriptReader } from './transcript.ts';

/** The shortest deadline `--timeout-s` may give a scenario. */
const SHORTEST_DEADLINE_MS = 15_000;
/** The deadline of a scenario in a manual run (`--wait`) unless `--timeout-s` says otherwise. */
const MANUAL_DEADLINE_MS = 300_000;
/** More messageUUIDs than this in one scenario are not looked up one by one. */
const MAX_LOOKUPS = 500;

/** What the sender profile needs of the options. @throws InvalidOptionsError */
function checkSenderSettings(settings: RunSettings): void {
  if (settings.endpoint !== undefined)
    throw new InvalidOptionsError(
      '--endpoint is for the recipient-push and recipient-pubsub profiles; the sender profile takes --run or --wait',
    );
  if (settings.run === undefined && !settings.wait)
    throw new InvalidOptionsError('the sender profile needs --run "COMMAND" or --wait');
  if (settings.receipts === 'push' && settings.receiptEndpoint === undefined)
    throw new InvalidOptionsError(
      '--receipts push needs --receipt-endpoint URL: where your system takes pushed receipts',
    );
  if (settings.receipts === 'pull' && settings.receiptEndpoint !== undefined)
    throw new InvalidOptionsError('--receipt-endpoint goes with --receipts push');
  if (settings.sshPublicKey !== undefined)
    throw new InvalidOptionsError('--ssh-public-key is for the sender-sftp profile');
}

/** Opens a sender run. */
export async function openSenderSession(
  settings: RunSettings,
  scenarios: readonly SenderScenario[],
): Promise<ProfileSession<SenderScenario, SenderObservation>> {
  checkSenderSettings(settings);
  const ownWorkDir = settings.workDir === undefined;
  const workDir = settings.workDir ?? (await mkdtemp(join(tmpdir(), 'digitalpost-conformance-')));
  const relay =
    settings.receipts === 'push' && settings.receiptEndpoint !== undefined
      ? await ReceiptRelay.start(settings.receiptEndpoint)
      : undefined;
  let ngdp: SuiteNgdp;
  try {
    ngdp = await startSuiteNgdp({
      seed: settings.seed,
      chaos: settings.chaos,
      receipts: settings.receipts,
      ...(relay === undefined ? {} : { receiptEndpoint: relay.url }),
    });
  } catch (error) {
    await relay?.close();
    if (ownWorkDir) await rm(workDir, { recursive: true, force: true });
    throw error;
  }
  const resends = scenarios.some((scenario) => scenario.resendAnswer !== undefined)
    ? await ResendProxy.start(new URL(ngdp.simulator.apiUrl).origin)
    : undefined;
  const session = new SenderSession(settings, ngdp, { relay, resends }, workDir);
  await mkdir(session.stateDir, { recursive: true });
  return {
    play: (scenario) => session.play(scenario, scenarios.indexOf(scenario)),
    unjudged: (id) =>
      id.startsWith('sender.receipts.push')
        ? 'judged only when receipts are pushed (--receipts push --receipt-endpoint URL)'
        : settings.receipts === 'push' &&
            (id === 'sender.receipts.polled' || id === 'sender.receipts.acknowledged')
          ? 'judged only when receipts are pulled (--receipts pull)'
          : 'nothing in this run gave it occasion (no scenario that judges it met what it looks at)',
    async close() {
      await resends?.close();
      await ngdp.simulator.stop();
      await relay?.close();
      if (ownWorkDir) await rm(workDir, { recursive: true, force: true });
    },
  };
}

/** What stands between the vendor's system and the suite's NgDP, when the run needs it. */
interface Intermediaries {
  /** Pushed receipts pass through it (`--receipts push`). */
  relay: ReceiptRelay | undefined;
  /** Resends meet 409 through it (scenarios with `resendAnswer`). */
  resends: ResendProxy | undefined;
}

class SenderSession {
  private readonly settings: RunSettings;
  private readonly ngdp: SuiteNgdp;
  private readonly relay: ReceiptRelay | undefined;
  private readonly resends: ResendProxy | undefined;
  private readonly workDir: string;
  private readonly transcript: TranscriptReader;
  private readonly runId = randomUUID();
  /** Every messageUUID the system sent in this run, with the scenario it first came in. */
  private readonly sentUuids = new Map<string, string>();
  readonly stateDir: string;

  constructor(settings: RunSettings, ngdp: SuiteNgdp, between: Intermediaries, workDir: string) {
    this.settings = settings;
    this.ngdp = ngdp;
    this.relay = between.relay;
    this.resends = between.resends;
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
    const deadlineMs = this.deadlineOf(scenario);
    const dir = join(this.workDir, 'scenarios', `${String(index + 1).padStart(2, '0')}-${scenario.id}`);
    const { letters, scenarioPath, reportPath } = await writeScenario({
      dir,
      runId: this.runId,
      scenario,
      today,
      deadlineMs,
    });
    this.relay?.begin(scenario.repeatReceipt === true);
    this.resends?.begin();

    const seen: TranscriptEntry[] = [];
    const requestsSoFar = async (): Promise<readonly TranscriptEntry[]> => {
      seen.push(...(await this.transcript.more()));
      return seen;
    };
    const clock = new ClockDriver({ control, requests: requestsSoFar }, scenario.clock ?? [], today);
    let adapter: AdapterRun;
    try {
      adapter = await this.runAdapter(scenario, scenarioPath, reportPath, deadlineMs, letters.length);
    } finally {
      await clock.stop();
    }
    this.settings.onEvent?.({
      kind: 'adapter-end',
      scenario: scenario.id,
      durationMs: adapter.endedAt - adapter.startedAt,
      exitCode: adapter.exitCode,
      timedOut: adapter.timedOut,
    });
    const pushes = (await this.relay?.finish()) ?? [];
    await requestsSoFar();
    const requests = seen.filter(
      (entry) =>
        entry.direction === 'in' &&
        entry.channel === 'http' &&
        (entry.systemId === systemId || entry.systemId === null),
    );
    const report = await readSenderReport(reportPath, new Set(letters.map((letter) => letter.ref)));
    const held = new Map<string, HeldMessage>();
    for (const uuid of messageUUIDsOf(requests, report).slice(0, MAX_LOOKUPS)) {
      const message = await examineHeld(control, uuid, systemId, letters);
      if (message !== undefined) held.set(uuid.toLowerCase(), message);
    }
    const earlierUuids = new Map(this.sentUuids);
    for (const entry of requests) {
      if (
        entry.operation === 'POST /memos/' &&
        entry.messageUUID !== null &&
        !this.sentUuids.has(entry.messageUUID.toLowerCase())
      )
        this.sentUuids.set(entry.messageUUID.toLowerCase(), scenario.id);
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
      pushes,
      clock: clock.log,
      earlierUuids,
    };
  }

  private deadlineOf(scenario: SenderScenario): number {
    const { timeoutMs, wait } = this.settings;
    if (timeoutMs !== undefined) return Math.max(timeoutMs, SHORTEST_DEADLINE_MS);
    return wait ? MANUAL_DEADLINE_MS : scenario.deadlineMs;
  }

  private runAdapter(
    scenario: SenderScenario,
    scenarioPath: string,
    reportPath: string,
    deadlineMs: number,
    letterCount: number,
  ): Promise<AdapterRun> {
    const protocol: Record<string, string> = {
      DIGITALPOST_BASE_URL:
        scenario.resendAnswer !== undefined && this.resends !== undefined
          ? this.resends.apiUrl
          : this.ngdp.simulator.apiUrl,
      DIGITALPOST_API_KEY: this.ngdp.apiKey,
      DIGITALPOST_SYSTEM_ID: this.ngdp.systemId,
      DIGITALPOST_RECEIPTS: this.settings.receipts,
      DIGITALPOST_SCENARIO: scenarioPath,
      DIGITALPOST_REPORT: reportPath,
      DIGITALPOST_STATE_DIR: this.stateDir,
      DIGITALPOST_CONFORMANCE: '1',
    };
    if (this.settings.run === undefined) {
      this.settings.onEvent?.({ kind: 'manual', scenario: scenario.id, settings: protocol, deadlineMs });
      return waitForVendor({ reportPath, expectedLines: letterCount, deadlineMs });
    }
    return runCommand({
      command: this.settings.run,
      cwd: this.settings.cwd,
      env: { ...this.settings.env, ...protocol },
      deadlineMs,
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
