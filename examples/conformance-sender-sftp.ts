/**
 * An SFTP mass-sending system's adapter for the conformance suite (`digitalpost conformance run
 * --profile sender-sftp`): the suite runs it once per scenario, and it does what a careful system
 * does with the scenario's letters — builds each MeMo once (a new messageUUID per letter), uploads
 * them with the SDK's `SftpSender` (containers written as `*.part` and renamed, a journal so that a
 * dropped connection or a lost rename answer never sends a container twice), tries again after a
 * refusal with a growing wait and gives up after a few tries, reads and removes error files, then
 * looks for the business receipts in `/out/receipts` once a second, reporting each letter before it
 * removes its receipt file.
 *
 * Run it:
 *
 *   ssh-keygen -t ed25519 -N '' -f conformance_key      # your system's key pair, once
 *   npm run build
 *   npx digitalpost conformance run --profile sender-sftp --ssh-public-key conformance_key.pub \
 *     --run "SENDER_SFTP_KEY=conformance_key node examples/conformance-sender-sftp.ts"
 *
 * The suite gives it (docs/conformance.md): DIGITALPOST_SFTP_HOST, DIGITALPOST_SFTP_PORT,
 * DIGITALPOST_SFTP_USER, DIGITALPOST_SFTP_HOST_KEY (the server's fingerprint, to pin),
 * DIGITALPOST_SCENARIO, DIGITALPOST_REPORT and DIGITALPOST_STATE_DIR (where the journals live). The
 * private key is the vendor's own (SENDER_SFTP_KEY: its file). A real adapter hands the letters to
 * the vendor's own system instead of building them here: the point is what the system does.
 */
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Receipt, SftpSender } from 'digitalpost';
import { createLetter, type Memo, serializeMemoToBytes, toCopenhagenDate } from 'digitalpost/memo';
import type { ReportLine, Scenario, ScenarioLetter } from './conformance-sender.ts';

/** What the suite hands the adapter, read from its environment. */
export interface SftpAdapterSettings {
  host: string;
  port: number;
  username: string;
  /** The server's host key fingerprint (`SHA256:…`): the adapter trusts no other. */
  hostKey: string;
  /** The system's private key (the vendor's own setting, not the suite's). */
  privateKey: Buffer;
  scenarioPath: string;
  reportPath: string;
  stateDir: string;
}

export function settingsFromEnvironment(env: NodeJS.ProcessEnv = process.env): SftpAdapterSettings {
  const need = (name: string): string => {
    const value = env[name];
    if (value === undefined || value === '')
      throw new Error(`${name} is not set: run me from digitalpost conformance run --profile sender-sftp`);
    return value;
  };
  return {
    host: need('DIGITALPOST_SFTP_HOST'),
    port: Number(need('DIGITALPOST_SFTP_PORT')),
    username: need('DIGITALPOST_SFTP_USER'),
    hostKey: need('DIGITALPOST_SFTP_HOST_KEY'),
    privateKey: readFileSync(need('SENDER_SFTP_KEY')),
    scenarioPath: need('DIGITALPOST_SCENARIO'),
    reportPath: need('DIGITALPOST_REPORT'),
    stateDir: need('DIGITALPOST_STATE_DIR'),
  };
}

/** NgDP takes value dates up to five days ahead (docs/simulator.md, "Value date"). */
const VALUE_DATE_HORIZON_DAYS = 5;
/** Time kept back from the deadline to report and exit. */
const DEADLINE_MARGIN_MS = 2_500;
const DAY = 86_400_000;

/** A letter with its MeMo, serialized once: every upload of it carries the same bytes. */
export interface Prepared {
  letter: ScenarioLetter;
  messageUUID: string;
  bytes: Uint8Array;
}

/**
 * The adapter: each step is a method, so that a system's own adapter (or a test's deliberately
 * broken one) can change one step and keep the rest.
 */
export class ConformanceSftpSender {
  protected readonly settings: SftpAdapterSettings;
  protected readonly scenario: Scenario;
  protected readonly stopAt: number;
  /** Letters per container: small, so that a scenario's letters travel in several uploads. */
  protected containerSize = 2;
  /** Tries of one upload run before the letters left are reported FAILED. */
  protected maxAttempts = 5;
  /** The wait after the first failed try … */
  protected firstBackoffMs = 1_000;
  /** … grows this many times after each. */
  protected backoffFactor = 2;
  /** Between two looks into /out/receipts. */
  protected pollMs = 1_000;
  /** Validate each MeMo locally before it is uploaded (an invalid one is never sent). */
  protected validate = true;
  /** The messageUUIDs NgDP has, as far as the uploads and the journal tell. */
  protected readonly taken = new Set<string>();

  constructor(settings: SftpAdapterSettings) {
    this.settings = settings;
    this.scenario = JSON.parse(readFileSync(settings.scenarioPath, 'utf8')) as Scenario;
    this.stopAt = Date.now() + this.scenario.deadlineMs - DEADLINE_MARGIN_MS;
  }

  /** Uploads the scenario's letters, follows their receipts and reports each. */
  async run(): Promise<void> {
    await using sender = this.newSender();
    await this.handleErrorFiles(sender);
    const prepared: Prepared[] = [];
    for (const letter of this.scenario.letters) {
      if (letter.valueDate !== undefined && letter.valueDate > this.latestValueDate()) {
        // NgDP takes a value date at most five days ahead: the system sends it later.
        this.report({ ref: letter.ref, messageUUID: null, outcome: 'PENDING' });
        continue;
      }
      prepared.push(await this.prepare(letter));
    }
    const uploaded = await this.upload(sender, prepared);
    await this.followReceipts(sender, uploaded);
  }

  /** The SFTP sender: the server's key pinned, a journal per scenario in the state folder. */
  protected newSender(): SftpSender {
    const { host, port, username, privateKey, hostKey, stateDir } = this.settings;
    const sender = new SftpSender({
      host,
      port,
      username,
      privateKey,
      hostKey,
      journal: join(stateDir, `${this.scenario.scenario}.journal`),
    });
    sender.on('uploaded', (upload) => this.remember(upload.messageUUIDs));
    sender.on('skipped', (skipped) => this.remember(skipped.messageUUID ? [skipped.messageUUID] : []));
    return sender;
  }

  protected remember(messageUUIDs: readonly string[]): void {
    for (const uuid of messageUUIDs) this.taken.add(uuid.toLowerCase());
  }

  /** The latest value date NgDP takes today. */
  protected latestValueDate(): string {
    return toCopenhagenDate(new Date(Date.now() + VALUE_DATE_HORIZON_DAYS * DAY));
  }

  /** A letter's MeMo, built and serialized once. */
  protected async prepare(letter: ScenarioLetter): Promise<Prepared> {
    const memo = await this.buildMemo(letter);
    return { letter, messageUUID: memo.messageHeader.messageUUID, bytes: serializeMemoToBytes(memo) };
  }

  /** The MeMo of a letter: a new messageUUID, the files as they are, the value date as a Danish date. */
  protected buildMemo(letter: ScenarioLetter): Promise<Memo> {
    return createLetter({
      sender: this.scenario.sender,
      recipient: letter.recipient,
      label: letter.label,
      document: { path: letter.document.path, filename: letter.document.filename },
      attachments: (letter.attachments ?? []).map((file) => ({ path: file.path, filename: file.filename })),
      ...(letter.valueDate === undefined ? {} : { doNotDeliverUntil: letter.valueDate }),
    });
  }

  /**
   * Uploads the letters; after a failure (a dropped connection, a refused write or rename) the
   * same bytes go again after a growing wait — the journal leaves out what NgDP has already and
   * finishes or removes what the failure left. Letters not taken after the last try are reported
   * FAILED. Resolves to the letters NgDP has.
   */
  protected async upload(sender: SftpSender, letters: readonly Prepared[]): Promise<Prepared[]> {
    let wait = this.firstBackoffMs;
    for (let attempt = 1; letters.length > 0; attempt++) {
      try {
        await sender.send(
          letters.map((each) => each.bytes),
          { maxMessagesPerContainer: this.containerSize, validate: this.validate },
        );
        this.remember(letters.map((each) => each.messageUUID));
        break;
      } catch (error) {
        process.stderr.write(`upload try ${attempt} failed: ${(error as Error).message}\n`);
        if (attempt >= this.maxAttempts || Date.now() + wait >= this.stopAt) break;
        await sleep(wait);
        wait *= this.backoffFactor;
      }
    }
    const uploaded: Prepared[] = [];
    for (const each of letters) {
      if (this.taken.has(each.messageUUID.toLowerCase())) uploaded.push(each);
      else this.report({ ref: each.letter.ref, messageUUID: null, outcome: 'FAILED' });
    }
    return uploaded;
  }

  /** Error files: why NgDP did not take an upload. The system logs each, then removes it. */
  protected async handleErrorFiles(sender: SftpSender): Promise<void> {
    for await (const refused of sender.errors()) {
      process.stderr.write(
        `NgDP did not take ${refused.upload}: ${refused.error.code}: ${refused.error.message}\n`,
      );
      await refused.dismiss();
    }
  }

  /** Looks into /out/receipts until every letter has its business receipt or time is up; what is left is PENDING. */
  protected async followReceipts(sender: SftpSender, letters: readonly Prepared[]): Promise<void> {
    const ours = new Map(letters.map((each) => [each.messageUUID.toLowerCase(), each]));
    const waiting = new Map(ours);
    for (let look = 0; waiting.size > 0 && Date.now() < this.stopAt; look++) {
      try {
        if (look % 5 === 4) await this.handleErrorFiles(sender);
        await this.readReceipts(sender, ours, waiting);
      } catch (error) {
        // A failed look loses nothing: the files stay until removed; the next look tries again.
        process.stderr.write(`looking for receipts failed: ${(error as Error).message}\n`);
      }
      if (waiting.size > 0) await sleep(Math.min(this.pollMs, Math.max(0, this.stopAt - Date.now())));
    }
    for (const each of waiting.values())
      this.report({ ref: each.letter.ref, messageUUID: each.messageUUID, outcome: 'PENDING' });
  }

  /** One look: each receipt of ours is reported (once), then its file removed. */
  protected async readReceipts(
    sender: SftpSender,
    ours: ReadonlyMap<string, Prepared>,
    waiting: Map<string, Prepared>,
  ): Promise<void> {
    for await (const file of sender.receipts()) {
      const uuid = file.receipt.messageUUID?.toLowerCase() ?? '';
      if (!ours.has(uuid)) continue; // not this run's: another part of the system handles it
      const item = waiting.get(uuid);
      if (item !== undefined) {
        const line = this.lineOf(item, file.receipt);
        if (line.outcome === 'PENDING') continue;
        this.report(line); // handled (stored) first…
        waiting.delete(uuid);
      }
      await file.ack(); // …then acknowledged
    }
  }

  /** The report line of a business receipt. */
  protected lineOf(item: Prepared, receipt: Receipt): ReportLine {
    return {
      ref: item.letter.ref,
      messageUUID: item.messageUUID,
      outcome: this.outcomeOf(receipt.receiptStatus),
      receiptStatus: receipt.receiptStatus,
      ...(receipt.errorCode === undefined ? {} : { errorCode: receipt.errorCode }),
    };
  }

  /** NgDP's business receipt status as the protocol's outcome. */
  protected outcomeOf(receiptStatus: string): ReportLine['outcome'] {
    switch (receiptStatus) {
      case 'COMPLETED':
        return 'DELIVERED';
      case 'NOT_ALLOWED':
        return 'NOT_DELIVERED'; // exempt, closed, unknown, not reachable: the system falls back to print
      case 'INVALID':
        return 'INVALID';
      default:
        return 'PENDING';
    }
  }

  /** Appends a report line (written at once, so nothing is lost if the adapter is stopped). */
  protected report(line: ReportLine): void {
    appendFileSync(this.settings.reportPath, `${JSON.stringify(line)}\n`);
  }
}

export async function main(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  await new ConformanceSftpSender(settingsFromEnvironment(env)).run();
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await main();
}
