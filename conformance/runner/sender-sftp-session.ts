/**
 * A run of the sender-sftp profile: one suite NgDP with its SFTP server for the whole run (the
 * vendor's system, SFTP user and key unchanged throughout), and for each scenario — reset, clock to
 * now, an error file waiting when the scenario asks, its faults, its letters and file, the adapter
 * command with the protocol's variables, the clock's script — then the evidence: the SFTP
 * transcript, the containers NgDP took (its event log), the messages it holds, the vendor report,
 * and the receipt and error files left in the home.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import ssh2 from 'ssh2';
import { request } from 'undici';
import { ConformanceSetupError, InvalidOptionsError } from '../../sdk/errors.ts';
import { SftpSender } from '../../sdk/sftp/sender.ts';
import { examineHeld, type HeldMessage } from '../evidence/sender.ts';
import type { LeftFile, RefusedEntry, SftpObservation, TakenContainer } from '../evidence/sender-sftp.ts';
import { readSenderReport } from '../evidence/vendor-report.ts';
import type { RunSettings } from '../options.ts';
import { streamOf } from '../prng.ts';
import type { ProfileSession } from '../profile.ts';
import type { SftpScenario } from '../scenarios/sender-sftp.ts';
import { ClockDriver } from './clock.ts';
import { type SuiteNgdp, startSuiteNgdp, VENDOR_SFTP_USER } from './ngdp.ts';
import { writeScenario } from './scenario-files.ts';
import { checkVendorCommand, deadlineOf, runVendor } from './sender-session.ts';
import { ScenarioTranscript, TranscriptReader } from './transcript.ts';

/** More messages than this in one scenario are not looked up one by one. */
const MAX_LOOKUPS = 500;
/** How long the suite's own SFTP requests may take. */
const SUITE_SFTP_TIMEOUT_MS = 15_000;

/** What the sender-sftp profile needs of the options. @throws InvalidOptionsError */
function checkSftpSettings(settings: RunSettings): string {
  checkVendorCommand(settings);
  if (settings.receipts !== 'pull' || settings.receiptEndpoint !== undefined)
    throw new InvalidOptionsError(
      '--receipts and --receipt-endpoint are for the sender profile: a sender-sftp system finds its receipts in /out/receipts',
    );
  if (settings.sshPublicKey === undefined)
    throw new InvalidOptionsError(
      'the sender-sftp profile needs --ssh-public-key FILE: the public half of the key your system logs in with',
    );
  return resolve(settings.cwd, settings.sshPublicKey);
}

/**
 * The OpenSSH public key line in `path`.
 *
 * @throws InvalidOptionsError when the file cannot be read or holds no public key (a private key
 *   is refused without saying anything of it).
 */
export async function readPublicKey(path: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new InvalidOptionsError(
      `--ssh-public-key ${path}: cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
  const line = text
    .split(/\r?\n/)
    .map((each) => each.trim())
    .find((each) => each !== '' && !each.startsWith('#'));
  const parsed = line === undefined ? undefined : ssh2.utils.parseKey(line);
  if (line === undefined || parsed === undefined || parsed instanceof Error || parsed.isPrivateKey())
    throw new InvalidOptionsError(
      `--ssh-public-key ${path}: not an OpenSSH public key line (ssh-ed25519, ecdsa-sha2-nistp*, ssh-rsa … as in a .pub file)`,
    );
  return line;
}

/** Opens a sender-sftp run. */
export async function openSftpSession(
  settings: RunSettings,
  _scenarios: readonly SftpScenario[],
): Promise<ProfileSession<SftpScenario, SftpObservation>> {
  const vendorKey = await readPublicKey(checkSftpSettings(settings));
  // The suite's own key, to look into the vendor's home before and after the adapter runs. ECDSA:
  // ssh2 1.17 makes an ed25519 pair it cannot read back about once in 256 (mscdex/ssh2#1390).
  const suiteKey = ssh2.utils.generateKeyPairSync('ecdsa', { bits: 256 });
  const ownWorkDir = settings.workDir === undefined;
  const workDir = settings.workDir ?? (await mkdtemp(join(tmpdir(), 'digitalpost-conformance-')));
  let ngdp: SuiteNgdp;
  try {
    ngdp = await startSuiteNgdp({
      seed: settings.seed,
      chaos: settings.chaos,
      receipts: 'pull',
      sftp: { username: VENDOR_SFTP_USER, publicKeys: [vendorKey, suiteKey.public] },
    });
  } catch (error) {
    if (ownWorkDir) await rm(workDir, { recursive: true, force: true });
    throw error;
  }
  const session = new SftpSession(settings, ngdp, suiteKey.private, workDir);
  await mkdir(session.stateDir, { recursive: true });
  return {
    play: (scenario) => session.play(scenario),
    unjudged: () => 'nothing in this run gave it occasion (no scenario that judges it met what it looks at)',
    async close() {
      await ngdp.simulator.stop();
      if (ownWorkDir) await rm(workDir, { recursive: true, force: true });
    },
  };
}

/** An event of NgDP's event log (`GET /events/`), as far as the suite reads it. */
interface LoggedEvent {
  eventTime: string;
  message?: string;
  metaProperties?: Record<string, string>;
  /** What NgDP's MetaData has no field for: a container's `entries`, an entry's `containerTransmissionId`. */
  eventProperties?: Record<string, string>;
}

class SftpSession {
  private readonly settings: RunSettings;
  private readonly ngdp: SuiteNgdp;
  private readonly suiteKey: string;
  private readonly workDir: string;
  private readonly transcript: TranscriptReader;
  private readonly runId = randomUUID();
  private played = 0;
  /** Every messageUUID NgDP held from the system in this run, with the scenario it first came in. */
  private readonly sentUuids = new Map<string, string>();
  readonly stateDir: string;

  constructor(settings: RunSettings, ngdp: SuiteNgdp, suiteKey: string, workDir: string) {
    this.settings = settings;
    this.ngdp = ngdp;
    this.suiteKey = suiteKey;
    this.workDir = workDir;
    this.stateDir = join(workDir, 'state');
    this.transcript = new TranscriptReader(ngdp.control);
  }

  private get sftp(): NonNullable<SuiteNgdp['simulator']['sftp']> {
    const { sftp } = this.ngdp.simulator;
    if (sftp === null) throw new ConformanceSetupError("the suite's NgDP runs no SFTP server");
    return sftp;
  }

  async play(scenario: SftpScenario): Promise<SftpObservation> {
    const { control, systemId } = this.ngdp;
    this.played += 1;
    await control.reset();
    this.transcript.restart();
    this.ngdp.random.use(streamOf(this.settings.seed, scenario.id));
    const today = await control.setClock(new Date());
    const dir = join(this.workDir, 'scenarios', `${String(this.played).padStart(2, '0')}-${scenario.id}`);
    const errorsPlanted = scenario.errorFile === true ? await this.plantErrorFile(dir) : [];
    // What the suite did itself is not the vendor's.
    await this.transcript.more();
    for (const rule of scenario.faults ?? []) await control.addFault({ ...rule, systemId });
    const deadlineMs = deadlineOf(this.settings, scenario.deadlineMs);
    const { letters, scenarioPath, reportPath } = await writeScenario({
      dir,
      runId: this.runId,
      scenario,
      today,
      deadlineMs,
    });
    const seen = new ScenarioTranscript(this.transcript);
    const clock = new ClockDriver({ control, requests: () => seen.more() }, scenario.clock ?? [], today);
    const sftp = this.sftp;
    let adapter: Awaited<ReturnType<typeof runVendor>>;
    try {
      adapter = await runVendor(this.settings, {
        scenario: scenario.id,
        protocol: {
          DIGITALPOST_BASE_URL: this.ngdp.simulator.apiUrl,
          DIGITALPOST_API_KEY: this.ngdp.apiKey,
          DIGITALPOST_SYSTEM_ID: systemId,
          DIGITALPOST_SFTP_HOST: sftp.host,
          DIGITALPOST_SFTP_PORT: String(sftp.port),
          DIGITALPOST_SFTP_USER: VENDOR_SFTP_USER,
          DIGITALPOST_SFTP_HOST_KEY: sftp.hostKeyFingerprint,
          DIGITALPOST_SCENARIO: scenarioPath,
          DIGITALPOST_REPORT: reportPath,
          DIGITALPOST_STATE_DIR: this.stateDir,
          DIGITALPOST_CONFORMANCE: '1',
        },
        reportPath,
        deadlineMs,
        letterCount: letters.length,
      });
    } finally {
      await clock.stop();
    }
    const requests = (await seen.more()).filter(
      (entry) => entry.direction === 'in' && entry.channel === 'sftp' && entry.systemId === systemId,
    );
    const report = await readSenderReport(reportPath, new Set(letters.map((letter) => letter.ref)));
    const held = new Map<string, HeldMessage>();
    for (const { messageUUID } of (await control.messagesOf(systemId)).slice(0, MAX_LOOKUPS)) {
      const message = await examineHeld(control, messageUUID, systemId, letters);
      if (message !== undefined) held.set(messageUUID.toLowerCase(), message);
    }
    const earlierUuids = new Map(this.sentUuids);
    for (const uuid of held.keys()) if (!this.sentUuids.has(uuid)) this.sentUuids.set(uuid, scenario.id);
    await control.clearFaults();
    const left = await this.filesLeft();
    return {
      scenario,
      systemId,
      deadlineMs,
      letters,
      adapter,
      requests,
      held,
      report,
      clock: clock.log,
      earlierUuids,
      containers: await this.containersTaken(),
      refusedEntries: await this.refusedEntries(),
      receiptsLeft: left.receipts,
      errorsLeft: left.errors,
      errorsPlanted,
    };
  }

  /** Logs in as the vendor's system with the suite's own key. */
  private sender(): SftpSender {
    const sftp = this.sftp;
    return new SftpSender({
      host: sftp.host,
      port: sftp.port,
      username: VENDOR_SFTP_USER,
      privateKey: this.suiteKey,
      hostKey: sftp.hostKeyFingerprint,
      readyTimeoutMs: SUITE_SFTP_TIMEOUT_MS,
      requestTimeoutMs: SUITE_SFTP_TIMEOUT_MS,
    });
  }

  /** Uploads a container NgDP cannot read, so that an error file waits in /out/errors; resolves to its path. */
  private async plantErrorFile(dir: string): Promise<string[]> {
    await mkdir(dir, { recursive: true });
    const path = join(dir, 'ikke-laesbar.tar.lzma');
    await writeFile(path, `not a container: ${this.runId}\n`);
    await using sender = this.sender();
    await sender.sendFiles([path], { validate: false });
    const planted: string[] = [];
    for await (const error of sender.errors()) planted.push(`/out/errors/${error.file}`);
    return planted;
  }

  /** The receipt and error files in the vendor's home. */
  private async filesLeft(): Promise<{ receipts: LeftFile[]; errors: LeftFile[] }> {
    await using sender = this.sender();
    const receipts: LeftFile[] = [];
    for await (const { file, receipt } of sender.receipts())
      receipts.push({
        path: `/out/receipts/${file}`,
        ...(receipt.messageUUID === undefined ? {} : { messageUUID: receipt.messageUUID }),
        receiptStatus: receipt.receiptStatus,
      });
    const errors: LeftFile[] = [];
    for await (const { file } of sender.errors()) errors.push({ path: `/out/errors/${file}` });
    return { receipts, errors };
  }

  /** The containers NgDP took from the system, from its event log, with how many of their entries were new. */
  private async containersTaken(): Promise<TakenContainer[]> {
    const extracted = new Map<string, number>();
    for (const event of await this.events('MEMO_EXTRACTED')) {
      const id = event.eventProperties?.containerTransmissionId;
      if (id !== undefined) extracted.set(id, (extracted.get(id) ?? 0) + 1);
    }
    return (await this.events('MEMO_MASS_SEND_RECEIVED')).flatMap((event) => {
      const id = event.metaProperties?.transmissionId;
      const entries = Number(event.eventProperties?.entries);
      return id === undefined || !Number.isInteger(entries)
        ? []
        : [{ transmissionId: id, at: event.eventTime, entries, fresh: extracted.get(id) ?? 0 }];
    });
  }

  /** The container entries NgDP refused before reading them as MeMos (misnamed, unreadable), from its event log. */
  private async refusedEntries(): Promise<RefusedEntry[]> {
    // A message NgDP took and then refused has this event too; an entry refused unread names its container.
    return (await this.events('MEMO_SEND_VALIDATION_FAILED')).flatMap((event) => {
      // Not a field of NgDP's MetaData: the simulator tells it in eventProperties.
      const containerTransmissionId = event.eventProperties?.containerTransmissionId;
      return containerTransmissionId === undefined
        ? []
        : [
            {
              messageUUID: event.metaProperties?.messageUUID?.toLowerCase(),
              containerTransmissionId,
              reason: event.message ?? 'refused',
            },
          ];
    });
  }

  /** Every event of `eventTag` NgDP's event log shows the system, page after page. */
  private async events(eventTag: string): Promise<LoggedEvent[]> {
    const found: LoggedEvent[] = [];
    let query = `eventTag=${eventTag}&size=1000`;
    for (let page = 0; page < 1_000; page++) {
      const { statusCode, body } = await request(`${this.ngdp.simulator.apiUrl}/events/?${query}`, {
        headers: { authorization: `Basic ${this.ngdp.apiKey}` },
      });
      const text = await body.text();
      if (statusCode !== 200)
        throw new ConformanceSetupError(`the suite's NgDP answered ${statusCode} to GET /events/`);
      const frame = JSON.parse(text) as { events: LoggedEvent[]; next?: string };
      found.push(...frame.events);
      if (frame.next === undefined) break;
      query = `eventTag=${eventTag}&next=${encodeURIComponent(frame.next)}`;
    }
    return found;
  }
}
