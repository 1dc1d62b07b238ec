/**
 * A run of a recipient profile: one suite NgDP and one adapter process for the whole run, one
 * continuing state. Each scenario sets its fault rules, puts its MeMos in front of the vendor's
 * system — valid ones sent by the suite's own sender system through NgDP's intake, invalid ones
 * handed over unchecked — holds still or cuts NgDP off as scripted, and waits until the system has
 * taken every MeMo (a report line and a business receipt at NgDP) or the deadline passed; then the
 * evidence: the system's requests, its new report lines, where each MeMo stands.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { copenhagenDate } from '../../sdk/ngdp/time.ts';
import type { OfferedMemo, RecipientObservation, Spell } from '../evidence/recipient.ts';
import { RecipientReportReader } from '../evidence/recipient-report.ts';
import type { ScenarioInfo } from '../model.ts';
import type { RunSettings } from '../options.ts';
import { streamOf } from '../prng.ts';
import { buildMemo, type CorpusMemo, groupOf, type MemoKind } from '../scenarios/recipient-memos.ts';
import type { FaultRuleInput } from './control.ts';
import { LongRunningAdapter } from './recipient-adapter.ts';
import {
  type RecipientNgdp,
  type RecipientProtocol,
  SUITE_SENDER_SYSTEM_ID,
  startRecipientNgdp,
} from './recipient-ngdp.ts';
import { type TranscriptEntry, TranscriptReader } from './transcript.ts';

/** What every recipient scenario declares. */
export interface RecipientScenario extends ScenarioInfo {
  /** The MeMos it puts in front of the system, in order. */
  memos: readonly MemoKind[];
  /** Fault rules for the system's calls, set before the MeMos are offered and cleared after. */
  faults?: readonly FaultRuleInput[];
  /** Every call of the system is answered 503 for this long (real ms), from before the MeMos come. */
  outageMs?: number;
  /**
   * Nothing comes for this long (real ms) first: value-dated MeMos wait for their date meanwhile,
   * and the clock moves to it after the spell.
   */
  quietMs?: number;
  /** How long the system has to take every MeMo, from the scenario's start. */
  deadlineMs: number;
}

/** The seconds every 503 the suite scripts says in `Retry-After`. */
export const RETRY_AFTER_S = 1;
/** The operations of a recipient's calls, as fault rules name them. */
export const RECIPIENT_OPERATIONS = {
  list: 'GET /memos/',
  fetch: 'GET /memos/{id}',
  receipt: 'POST /memos/{id}/receipt',
} as const;
/** Chaos: each call of the system may meet one of these (a share of them, drawn from the seed). */
const CHAOS_RULES: readonly FaultRuleInput[] = [
  { operation: RECIPIENT_OPERATIONS.list, status: 503, retryAfter: RETRY_AFTER_S, probability: 0.05 },
  { operation: RECIPIENT_OPERATIONS.fetch, drop: 'AFTER', probability: 0.04 },
  { operation: RECIPIENT_OPERATIONS.receipt, status: 503, retryAfter: RETRY_AFTER_S, probability: 0.05 },
];
/** How often the suite looks whether the system has taken the MeMos. */
const WATCH_MS = 100;
/** After the last MeMo was taken: room for the calls still under way to end (and be recorded). */
const AFTERMATH_MS = 150;
/** The deadline of every scenario in a manual run (`--wait`) unless `--timeout-s` says otherwise. */
const MANUAL_DEADLINE_MS = 300_000;
const DAY = 86_400_000;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** What differs between the recipient profiles. */
export interface RecipientProfileSetup {
  protocol: RecipientProtocol;
  /** The push or notification endpoint (`--endpoint`), for push and publish/subscribe. */
  endpoint?: string;
}

/** The state of one recipient run, shared by its scenarios. */
export class RecipientRun {
  readonly ngdp: RecipientNgdp;
  readonly reportPath: string;
  readonly stateDir: string;
  private readonly settings: RunSettings;
  private readonly transcript: TranscriptReader;
  private readonly report: RecipientReportReader;
  private readonly offered = new Map<string, OfferedMemo>();
  private readonly fetched = new Set<string>();
  private adapter: LongRunningAdapter | undefined;

  private constructor(settings: RunSettings, ngdp: RecipientNgdp, workDir: string) {
    this.settings = settings;
    this.ngdp = ngdp;
    this.reportPath = join(workDir, 'report.jsonl');
    this.stateDir = join(workDir, 'state');
    this.transcript = new TranscriptReader(ngdp.control);
    this.report = new RecipientReportReader(this.reportPath);
  }

  /** Starts the suite's NgDP and the adapter (or, with `--wait`, tells the vendor the settings). */
  static async open(
    settings: RunSettings,
    setup: RecipientProfileSetup,
    workDir: string,
  ): Promise<RecipientRun> {
    const ngdp = await startRecipientNgdp({
      seed: settings.seed,
      chaos: settings.chaos,
      protocol: setup.protocol,
      ...(setup.endpoint === undefined ? {} : { endpoint: setup.endpoint }),
    });
    const run = new RecipientRun(settings, ngdp, workDir);
    await mkdir(run.stateDir, { recursive: true });
    const protocol: Record<string, string> = {
      DIGITALPOST_BASE_URL: ngdp.simulator.apiUrl,
      DIGITALPOST_API_KEY: ngdp.apiKey,
      DIGITALPOST_SYSTEM_ID: ngdp.systemId,
      DIGITALPOST_REPORT: run.reportPath,
      DIGITALPOST_STATE_DIR: run.stateDir,
      DIGITALPOST_CONFORMANCE: '1',
      ...(setup.endpoint === undefined ? {} : { DIGITALPOST_ENDPOINT: setup.endpoint }),
    };
    if (settings.run === undefined)
      settings.onEvent?.({
        kind: 'manual',
        scenario: 'run',
        settings: protocol,
        deadlineMs: MANUAL_DEADLINE_MS,
      });
    else run.adapter = LongRunningAdapter.start(settings.run, settings.cwd, { ...settings.env, ...protocol });
    return run;
  }

  /** Plays one scenario and resolves to what it observed. */
  async play<S extends RecipientScenario>(scenario: S): Promise<RecipientObservation<S>> {
    this.adapter?.assertStarted();
    const { control, systemId } = this.ngdp;
    const startedAt = Date.now();
    const linesBefore = this.report.lines.length;
    const problemsBefore = this.report.problems.length;
    const deadlineMs = this.deadlineOf(scenario);
    const random = streamOf(this.settings.seed, scenario.id);
    this.ngdp.random.use(streamOf(this.settings.seed, `${scenario.id}/faults`));
    const rules = [...(this.settings.chaos ? CHAOS_RULES : []), ...(scenario.faults ?? [])];
    for (const rule of rules) await control.addFault({ ...rule, systemId });

    let outage: Spell | undefined;
    const outageIds: string[] = [];
    if (scenario.outageMs !== undefined) {
      for (const operation of Object.values(RECIPIENT_OPERATIONS))
        outageIds.push(
          (await control.addFault({ operation, systemId, status: 503, retryAfter: RETRY_AFTER_S })).id,
        );
      outage = { from: Date.now(), to: Date.now() };
    }

    const now = await control.now();
    const valueDate = copenhagenDate(now + DAY);
    const corpus = scenario.memos.map((kind) =>
      buildMemo(kind, { random, seed: this.settings.seed, now, valueDate }),
    );
    for (const memo of corpus) await this.put(memo);
    await control.settle();
    const quiet: Spell[] = [];
    if (scenario.quietMs !== undefined) {
      const from = Date.now();
      await sleep(scenario.quietMs);
      quiet.push({ from, to: Date.now() });
      if (corpus.some((memo) => memo.valueDate !== undefined)) await control.advance(2 * DAY);
      await control.settle();
    }
    const offeredAt = Date.now();
    const memos: OfferedMemo[] = [];
    for (const memo of corpus) memos.push(await this.offer(memo, scenario.id, offeredAt));

    if (outage !== undefined) {
      await sleep(Math.max(0, (scenario.outageMs ?? 0) - (Date.now() - outage.from)));
      for (const id of outageIds) await control.removeFault(id);
      outage.to = Date.now();
    }
    await this.waitTaken(memos, startedAt + deadlineMs);
    this.adapter?.assertStarted();
    await sleep(AFTERMATH_MS);
    await control.clearFaults();

    await this.report.more();
    for (const memo of memos) await this.refresh(memo);
    const entries = await this.transcript.more();
    const earlier = new Map([...this.offered].filter(([, memo]) => memo.scenario !== scenario.id));
    for (const memo of memos) this.offered.set(memo.messageUUID, memo);
    const requests = entries.filter(isCallOf(systemId));
    const fetchedBefore = new Set(this.fetched);
    for (const entry of requests)
      if (
        entry.operation === RECIPIENT_OPERATIONS.fetch &&
        entry.status === 200 &&
        entry.messageUUID !== null
      )
        this.fetched.add(entry.messageUUID.toLowerCase());
    return {
      scenario,
      systemId,
      memos,
      earlier,
      requests,
      fetchedBefore,
      report: {
        lines: this.report.lines.slice(linesBefore),
        problems: this.report.problems.slice(problemsBefore),
        earlier: this.report.lines.slice(0, linesBefore),
      },
      quiet,
      outage,
      retryAfterMs: RETRY_AFTER_S * 1000,
      startedAt,
      endedAt: Date.now(),
      deadlineMs,
      adapter: this.adapter?.state(),
    };
  }

  /** Stops the adapter and the suite's NgDP. */
  async close(): Promise<void> {
    await this.adapter?.stop();
    await this.ngdp.simulator.stop();
  }

  /** Valid MeMos go through NgDP's intake as any sender's would; invalid ones are handed over as they are. */
  private async put(memo: CorpusMemo): Promise<void> {
    if (memo.valid) {
      await this.ngdp.sender.memos.send(memo.bytes, { validate: false });
      return;
    }
    await this.ngdp.control.inject({
      memo: memo.bytes,
      messageUUID: memo.messageUUID,
      senderSystemId: SUITE_SENDER_SYSTEM_ID,
      recipientSystemId: this.ngdp.systemId,
    });
  }

  private async offer(memo: CorpusMemo, scenario: string, offeredAt: number): Promise<OfferedMemo> {
    const offered: OfferedMemo = {
      kind: memo.kind,
      group: groupOf(memo.kind),
      messageUUID: memo.messageUUID.toLowerCase(),
      valid: memo.valid,
      size: memo.bytes.byteLength,
      sha256: '',
      scenario,
      offeredAt,
      receiptStatus: null,
      state: undefined,
    };
    await this.refresh(offered);
    return offered;
  }

  private async refresh(memo: OfferedMemo): Promise<void> {
    const state = await this.ngdp.control.message(memo.messageUUID);
    memo.state = state;
    memo.receiptStatus = state?.receiptStatus ?? null;
    memo.sha256 = state?.sha256 ?? memo.sha256;
  }

  /** Until every MeMo has a report line and a business receipt at NgDP, or `until` (wall ms). */
  private async waitTaken(memos: readonly OfferedMemo[], until: number): Promise<void> {
    const waiting = new Set(memos.map((memo) => memo.messageUUID));
    while (waiting.size > 0 && Date.now() < until) {
      await sleep(WATCH_MS);
      await this.report.more();
      const reported = new Set(this.report.lines.map((line) => line.messageUUID));
      for (const memo of memos) {
        if (!waiting.has(memo.messageUUID) || !reported.has(memo.messageUUID)) continue;
        await this.refresh(memo);
        if (memo.receiptStatus !== null) waiting.delete(memo.messageUUID);
      }
      if (this.adapter?.state().exitedAt !== undefined) break;
    }
  }

  private deadlineOf(scenario: RecipientScenario): number {
    const { timeoutMs, wait } = this.settings;
    if (timeoutMs !== undefined) return Math.max(timeoutMs, scenario.deadlineMs);
    return wait ? MANUAL_DEADLINE_MS : scenario.deadlineMs;
  }
}

/** A call into NgDP's API by the system (or by someone who could not say who they were). */
const isCallOf =
  (systemId: string) =>
  (entry: TranscriptEntry): boolean =>
    entry.direction === 'in' &&
    entry.channel === 'http' &&
    (entry.systemId === systemId || entry.systemId === null);

/** The work folder of a run: the given one, or a temporary one removed at the end. */
export async function workFolder(
  settings: RunSettings,
): Promise<{ dir: string; remove: () => Promise<void> }> {
  if (settings.workDir !== undefined) {
    await mkdir(settings.workDir, { recursive: true });
    return { dir: settings.workDir, remove: async () => undefined };
  }
  const dir = await mkdtemp(join(tmpdir(), 'digitalpost-conformance-'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}
