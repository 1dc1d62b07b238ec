/**
 * A run of the recipient-push or recipient-pubsub profile: one NgDP for the whole run, its vendor
 * system pointed at `--endpoint`, the vendor's receiver started once (`--run`) and waited for; then
 * each scenario in turn against the continuing state — its faults, its MeMos delivered (letters
 * through NgDP, the rest unchecked), scripted redeliveries once a MeMo was taken, the suite's own
 * hostile requests — while simulator time runs as a time-lapse, until every MeMo has come to rest or
 * the scenario's deadline; then the evidence: the transcript, the messages at NgDP, the report.
 */
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConformanceSetupError, InvalidOptionsError } from '../../sdk/errors.ts';
import type { ReceiverProfile } from '../checks/receiver/ids.ts';
import type { DeliveredMemo, ReceiverObservation } from '../evidence/receiver.ts';
import { RecipientReportReader } from '../evidence/recipient-report.ts';
import type { RunSettings } from '../options.ts';
import { streamOf } from '../prng.ts';
import type { ProfileSession } from '../profile.ts';
import type { ReceiverScenario } from '../scenarios/receiver.ts';
import { type BuiltMemo, buildHostile, buildMemo } from '../scenarios/receiver-memos.ts';
import { ClockDriver } from './clock.ts';
import { type HostileResult, sendHostile } from './hostile.ts';
import { LongRunningAdapter } from './recipient-adapter.ts';
import { type RecipientNgdp, SUITE_SENDER_SYSTEM_ID, startRecipientNgdp } from './recipient-ngdp.ts';
import { ScenarioTranscript, type TranscriptEntry, TranscriptReader } from './transcript.ts';

/** How long the suite waits for the endpoint to take connections (conformance.md). */
export const ENDPOINT_WAIT_MS = 30_000;
/** The shortest wait `--timeout-s` may give a scenario (the scenarios end as soon as every MeMo came to rest). */
const SHORTEST_DEADLINE_MS = 5_000;
/** How often the suite looks at what the vendor did. */
const WATCH_MS = 200;
/** After everything came to rest: time for late report lines (a MeMo taken twice). */
const QUIET_MS = 1_000;

const DELIVERY_OPERATIONS = new Set(['PUSH memo', 'PUSH notification']);
const RECEIPT_OPERATION = 'POST /memos/{id}/receipt';

/** What the recipient profiles need of the options. @throws InvalidOptionsError */
function checkReceiverSettings(profile: ReceiverProfile, settings: RunSettings): string {
  if (settings.endpoint === undefined)
    throw new InvalidOptionsError(
      `the ${profile} profile needs --endpoint URL: where your system's receiver takes NgDP's ${profile === 'recipient-push' ? 'pushes' : 'notifications'}`,
    );
  if (settings.receiptEndpoint !== undefined || settings.receipts !== 'pull')
    throw new InvalidOptionsError('--receipts and --receipt-endpoint are for the sender profile');
  if (settings.sshPublicKey !== undefined)
    throw new InvalidOptionsError('--ssh-public-key is for the sender-sftp profile');
  return settings.endpoint;
}

/** Whether `endpoint` takes a TCP connection within `timeoutMs`. */
function accepts(endpoint: string, timeoutMs: number): Promise<boolean> {
  const url = new URL(endpoint);
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits for the endpoint; @throws ConformanceSetupError when it never took a connection. */
async function waitForEndpoint(endpoint: string, command: LongRunningAdapter | undefined): Promise<void> {
  const until = Date.now() + ENDPOINT_WAIT_MS;
  while (Date.now() < until) {
    if (await accepts(endpoint, 1_000)) return;
    const state = command?.state();
    if (state?.exitedAt !== undefined) {
      command?.assertStarted();
      const said = state.stderr.trim().split('\n').at(-1) ?? '';
      throw new ConformanceSetupError(
        `the adapter command exited (${state.exitCode ?? state.signal}) before ${endpoint} took connections${said ? `: ${said}` : ''}`,
      );
    }
    await sleep(100);
  }
  throw new ConformanceSetupError(
    `${endpoint} took no connection within ${ENDPOINT_WAIT_MS / 1000} s: is the receiver running there?`,
  );
}

/** Opens a run of `profile`. */
export function receiverSessionOf(profile: ReceiverProfile) {
  return async (
    settings: RunSettings,
    _scenarios: readonly ReceiverScenario[],
  ): Promise<ProfileSession<ReceiverScenario, ReceiverObservation>> => {
    const endpoint = checkReceiverSettings(profile, settings);
    const ownWorkDir = settings.workDir === undefined;
    const workDir = settings.workDir ?? (await mkdtemp(join(tmpdir(), 'digitalpost-conformance-')));
    const cleanUp = async (): Promise<void> => {
      if (ownWorkDir) await rm(workDir, { recursive: true, force: true });
    };
    let ngdp: RecipientNgdp;
    try {
      ngdp = await startRecipientNgdp({
        seed: settings.seed,
        chaos: settings.chaos,
        protocol: profile === 'recipient-push' ? 'REST_PUSH' : 'REST_PUBLISH_SUBSCRIBE',
        endpoint,
      });
    } catch (error) {
      await cleanUp();
      throw error;
    }
    const session = new ReceiverSession(profile, settings, ngdp, endpoint, workDir);
    try {
      await session.start();
    } catch (error) {
      await session.close();
      await cleanUp();
      throw error;
    }
    return {
      play: (scenario) => session.play(scenario),
      unjudged: () =>
        'nothing in this run gave it occasion (no scenario that judges it met what it looks at)',
      async close() {
        await session.close();
        await cleanUp();
      },
    };
  };
}

class ReceiverSession {
  private readonly profile: ReceiverProfile;
  private readonly settings: RunSettings;
  private readonly ngdp: RecipientNgdp;
  private readonly endpoint: string;
  private readonly reportPath: string;
  private readonly stateDir: string;
  private readonly transcript: TranscriptReader;
  private readonly known = new Set<string>();
  private command: LongRunningAdapter | undefined;
  private readonly report: RecipientReportReader;

  constructor(
    profile: ReceiverProfile,
    settings: RunSettings,
    ngdp: RecipientNgdp,
    endpoint: string,
    workDir: string,
  ) {
    this.profile = profile;
    this.settings = settings;
    this.ngdp = ngdp;
    this.endpoint = endpoint;
    this.reportPath = join(workDir, 'report.jsonl');
    this.report = new RecipientReportReader(this.reportPath);
    this.stateDir = join(workDir, 'state');
    this.transcript = new TranscriptReader(ngdp.control);
  }

  /** Starts the vendor's receiver (`--run`), or tells a manual run what to set, and waits for the endpoint. */
  async start(): Promise<void> {
    await mkdir(this.stateDir, { recursive: true });
    const protocol: Record<string, string> = {
      DIGITALPOST_BASE_URL: this.ngdp.simulator.apiUrl,
      DIGITALPOST_API_KEY: this.ngdp.apiKey,
      DIGITALPOST_SYSTEM_ID: this.ngdp.systemId,
      DIGITALPOST_REPORT: this.reportPath,
      DIGITALPOST_ENDPOINT: this.endpoint,
      DIGITALPOST_STATE_DIR: this.stateDir,
      DIGITALPOST_CONFORMANCE: '1',
    };
    if (this.settings.run !== undefined)
      this.command = LongRunningAdapter.start(this.settings.run, this.settings.cwd, {
        ...this.settings.env,
        ...protocol,
      });
    else
      this.settings.onEvent?.({
        kind: 'manual',
        scenario: 'all',
        settings: protocol,
        deadlineMs: ENDPOINT_WAIT_MS,
      });
    await waitForEndpoint(this.endpoint, this.command);
  }

  async close(): Promise<void> {
    await this.command?.stop();
    await this.ngdp.simulator.stop();
  }

  async play(scenario: ReceiverScenario): Promise<ReceiverObservation> {
    const { control, systemId } = this.ngdp;
    const startedAt = Date.now();
    const random = streamOf(this.settings.seed, `${this.profile}/${scenario.id}`);
    this.ngdp.random.use(streamOf(this.settings.seed, `${this.profile}/${scenario.id}/ngdp`));
    const pubsub = this.profile === 'recipient-pubsub';
    const built: BuiltMemo[] = [];
    for (const plan of scenario.memos) built.push(await buildMemo(plan, random));
    const hostile = [];
    for (const kind of scenario.hostile ?? []) hostile.push(await buildHostile(kind, pubsub, random));
    for (const memo of built) this.known.add(memo.messageUUID.toLowerCase());
    for (const request of hostile) for (const uuid of request.uuids) this.known.add(uuid.toLowerCase());

    await this.transcript.more(); // what came before the scenario is not its own
    await this.report.more();
    const before = { lines: this.report.lines.length, problems: this.report.problems.length };
    for (const rule of scenario.faults ?? []) await control.addFault({ ...rule, systemId });
    const seen = new ScenarioTranscript(this.transcript);
    const clock = new ClockDriver({ control, requests: () => seen.more() }, [], await control.now());
    const results: HostileResult[] = [];
    try {
      for (const memo of built) await this.deliver(memo);
      await this.watch(scenario, built, seen);
      for (const request of hostile) results.push(await sendHostile(this.endpoint, request));
      await sleep(QUIET_MS);
    } finally {
      await clock.stop();
      await control.clearFaults();
    }
    const entries = await seen.more();
    await this.report.more(true);
    const uuids = new Set(built.map((memo) => memo.messageUUID.toLowerCase()));
    const memos: DeliveredMemo[] = [];
    for (const { xml, ...memo } of built) {
      const state = await control.message(memo.messageUUID);
      memos.push({
        ...memo,
        messageUUID: memo.messageUUID.toLowerCase(),
        sha256: state?.sha256 ?? createHash('sha256').update(xml).digest('hex'),
        bytes: xml.length,
        state,
      });
    }
    return {
      profile: this.profile,
      scenario,
      systemId,
      endpoint: this.endpoint,
      memos,
      deliveries: entries.filter(
        (entry) =>
          entry.direction === 'out' &&
          DELIVERY_OPERATIONS.has(entry.operation) &&
          entry.systemId === systemId &&
          uuids.has(entry.messageUUID?.toLowerCase() ?? ''),
      ),
      requests: entries.filter(
        (entry) =>
          entry.direction === 'in' &&
          entry.channel === 'http' &&
          (entry.systemId === systemId || entry.systemId === null),
      ),
      hostile: results,
      report: { lines: [...this.report.lines], problems: [...this.report.problems] },
      newLines: this.report.lines.slice(before.lines),
      newProblems: this.report.problems.slice(before.problems),
      knownUuids: new Set(this.known),
      alive: await this.alive(),
      startedAt,
      endedAt: Date.now(),
    };
  }

  /** Hands NgDP a MeMo to deliver: a letter through its API, anything else unchecked. */
  private async deliver(memo: BuiltMemo): Promise<void> {
    try {
      if (memo.kind === 'letter') await this.ngdp.sender.memos.send(memo.xml);
      else
        await this.ngdp.control.inject({
          memo: memo.xml,
          messageUUID: memo.messageUUID,
          senderSystemId: SUITE_SENDER_SYSTEM_ID,
          recipientSystemId: this.ngdp.systemId,
        });
    } catch (error) {
      throw new ConformanceSetupError(
        `the suite's NgDP did not take MeMo ${memo.ref} of the scenario: ${(error as Error).message}`,
        { cause: error },
      );
    }
  }

  /**
   * Until every MeMo has come to rest — taken and its receipt given, or refused — or the deadline:
   * meanwhile each MeMo to be delivered again is, once its first delivery was taken.
   */
  private async watch(
    scenario: ReceiverScenario,
    memos: readonly BuiltMemo[],
    seen: ScenarioTranscript,
  ): Promise<void> {
    const { timeoutMs } = this.settings;
    const deadline =
      Date.now() +
      (timeoutMs === undefined ? scenario.deadlineMs : Math.max(timeoutMs, SHORTEST_DEADLINE_MS));
    const redelivered = new Set<string>();
    while (Date.now() < deadline) {
      const entries = await seen.more();
      await this.report.more();
      let resting = true;
      for (const memo of memos) {
        const uuid = memo.messageUUID.toLowerCase();
        const of = (entry: TranscriptEntry): boolean => entry.messageUUID?.toLowerCase() === uuid;
        const deliveries = entries.filter(
          (entry) => entry.direction === 'out' && DELIVERY_OPERATIONS.has(entry.operation) && of(entry),
        );
        const taken = deliveries.some(
          (entry) => entry.status !== null && entry.status < 300 && entry.status >= 200,
        );
        if (memo.redeliver > 0 && taken && !redelivered.has(uuid)) {
          redelivered.add(uuid);
          for (let time = 0; time < memo.redeliver; time++)
            await this.ngdp.control.redeliver(memo.messageUUID);
        }
        const receipt = entries.some(
          (entry) =>
            entry.direction === 'in' &&
            entry.operation === RECEIPT_OPERATION &&
            of(entry) &&
            (entry.status === 409 || (entry.status !== null && entry.status >= 200 && entry.status < 300)),
        );
        const reported = this.report.lines.some((line) => line.messageUUID === uuid);
        const refused = deliveries.some(
          (entry) => entry.status !== null && entry.status >= 400 && entry.status < 500,
        );
        const again = memo.redeliver === 0 || (redelivered.has(uuid) && deliveries.length > memo.redeliver);
        const rests = memo.valid ? reported && receipt : refused || receipt;
        if (!(rests && again)) resting = false;
      }
      if (resting) return;
      await sleep(WATCH_MS);
    }
  }

  /** Whether the receiver still takes connections (and its process, when the suite started it, runs). */
  private async alive(): Promise<ReceiverObservation['alive']> {
    const state = this.command?.state();
    if (state?.exitedAt !== undefined)
      return { ok: false, reason: `the adapter command exited (${state.exitCode ?? state.signal})` };
    return (await accepts(this.endpoint, 2_000))
      ? { ok: true }
      : { ok: false, reason: `${this.endpoint} took no connection` };
  }
}
