/**
 * A PULL recipient system's adapter for the conformance suite (`digitalpost conformance run
 * --profile recipient-pull`): the suite starts it once and stops it with SIGTERM at the end, and
 * meanwhile it does what a careful recipient system does — polls its queue gently (sooner while
 * post is coming, less often while nothing is), fetches each MeMo, checks it (schema, NgDP's rules,
 * and that it is the MeMo it asked for), stores it, writes down that it took it, and gives NgDP the
 * business receipt: COMPLETED, or INVALID with the reason. A receipt whose answer was lost, or that
 * NgDP refused for now, is given again on the next pass (NgDP's 409 then means it had it); a journal
 * keeps a MeMo from being taken twice.
 *
 * Run it:
 *
 *   npm run build
 *   npx digitalpost conformance run --profile recipient-pull --run "node examples/conformance-recipient-pull.ts"
 *
 * The suite gives it (docs/conformance.md): DIGITALPOST_BASE_URL, DIGITALPOST_API_KEY,
 * DIGITALPOST_REPORT (where the report lines go) and DIGITALPOST_STATE_DIR (its journal and the
 * stored MeMos). A real adapter starts the vendor's own recipient system instead: the point is what
 * the system does, not this file.
 */
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ClientOptions, ConflictError, DigitalPostClient, NotFoundError } from 'digitalpost';
import { describeIssues, validateMemo } from 'digitalpost/memo';

/** What the suite hands the adapter, read from its environment. */
export interface PullAdapterSettings {
  baseUrl: string;
  apiKey: string;
  reportPath: string;
  stateDir: string;
}

export function pullSettingsFromEnvironment(env: NodeJS.ProcessEnv = process.env): PullAdapterSettings {
  const need = (name: string): string => {
    const value = env[name];
    if (value === undefined || value === '')
      throw new Error(`${name} is not set: run me from digitalpost conformance run --profile recipient-pull`);
    return value;
  };
  return {
    baseUrl: need('DIGITALPOST_BASE_URL'),
    apiKey: need('DIGITALPOST_API_KEY'),
    reportPath: need('DIGITALPOST_REPORT'),
    stateDir: need('DIGITALPOST_STATE_DIR'),
  };
}

/** A report line (docs/conformance.md). */
export interface PullReportLine {
  messageUUID: string;
  sha256: string;
  outcome: 'ACCEPTED' | 'REJECTED';
}

/** What the system made of a MeMo: take it, or refuse it and why. */
export type Verdict =
  | { outcome: 'ACCEPTED' }
  | { outcome: 'REJECTED'; errorCode: string; errorMessage: string };

/** How the queue is polled: the first wait while idle, growing by half each time nothing came, up to the last. */
export interface PullPolling {
  firstMs: number;
  longestMs: number;
  /** The wait after a pass that failed (NgDP unavailable, a connection lost). */
  afterErrorMs: number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/**
 * The adapter: each step is a method, so that a system's own adapter (or a test's deliberately
 * broken one) can change one step and keep the rest.
 */
export class ConformanceRecipientPull {
  protected readonly settings: PullAdapterSettings;
  protected readonly client: DigitalPostClient;
  protected polling: PullPolling = { firstMs: 250, longestMs: 1_000, afterErrorMs: 1_000 };
  /** MeMos taken in (reported), by messageUUID, with the receipt they are to get. */
  protected readonly taken = new Map<string, Verdict>();
  /** MeMos whose business receipt NgDP has (or had: 409). */
  protected readonly receipted = new Set<string>();
  /** When a receipt NgDP did not take may be given again (wall ms), by messageUUID. */
  private readonly receiptNotBefore = new Map<string, number>();
  protected stopping = false;
  protected readonly journal: string;
  private readonly inbox: string;

  constructor(settings: PullAdapterSettings, client: Partial<ClientOptions> = {}) {
    this.settings = settings;
    this.client = new DigitalPostClient({
      baseUrl: settings.baseUrl,
      apiKey: settings.apiKey,
      timeoutMs: 30_000,
      ...client,
    });
    this.inbox = join(settings.stateDir, 'inbox');
    this.journal = join(settings.stateDir, 'journal.jsonl');
    mkdirSync(this.inbox, { recursive: true });
    this.readJournal();
  }

  /** Polls until SIGTERM (or `stop()`). */
  async run(): Promise<void> {
    let wait = this.polling.firstMs;
    while (!this.stopping) {
      let found: number;
      try {
        found = await this.pass();
      } catch (error) {
        this.log(`pass failed: ${(error as Error).message}`);
        await this.pause(this.polling.afterErrorMs);
        continue;
      }
      wait = found > 0 ? this.polling.firstMs : Math.min(Math.round(wait * 1.5), this.polling.longestMs);
      await this.pause(found > 0 ? 0 : wait);
    }
  }

  stop(): void {
    this.stopping = true;
  }

  /** One pass over the queue; resolves to how many MeMos it took in (not those waiting for a receipt). */
  protected async pass(): Promise<number> {
    // Receipts NgDP did not take yet, also for MeMos gone from the list meanwhile (it may have
    // taken one whose answer was lost: then it answers 409).
    for (const [messageUUID, verdict] of this.taken)
      if (!this.receipted.has(messageUUID) && !this.stopping) await this.giveReceipt(messageUUID, verdict);
    let taken = 0;
    for await (const messageUUID of this.list()) {
      if (this.stopping) break;
      const id = messageUUID.toLowerCase();
      const isNew = !this.taken.has(id);
      await this.handle(id);
      if (isNew && this.taken.has(id)) taken++;
    }
    return taken;
  }

  /** The messageUUIDs in the queue (every page; walked again until nothing new turns up). */
  protected list(): AsyncIterable<string> {
    return this.client.inbox.list({ pageSize: 100 });
  }

  /** One MeMo of the queue: taken in once, then its receipt given (again, if NgDP did not have it). */
  protected async handle(messageUUID: string): Promise<void> {
    let verdict = this.taken.get(messageUUID);
    if (verdict === undefined) {
      verdict = await this.take(messageUUID);
      if (verdict === undefined) return;
    }
    if (!this.receipted.has(messageUUID)) await this.giveReceipt(messageUUID, verdict);
  }

  /** Fetches, checks, stores and reports a MeMo; undefined when it is gone meanwhile. */
  protected async take(messageUUID: string): Promise<Verdict | undefined> {
    let xml: Buffer;
    try {
      xml = await this.fetch(messageUUID);
    } catch (error) {
      if (error instanceof NotFoundError) return undefined; // another worker took it
      throw error;
    }
    const verdict = this.examine(messageUUID, xml);
    if (verdict.outcome === 'ACCEPTED') this.store(messageUUID, xml);
    this.remember(messageUUID, verdict);
    this.report({ messageUUID, sha256: this.hash(xml), outcome: verdict.outcome });
    return verdict;
  }

  /** The MeMo's bytes exactly as NgDP served them. */
  protected fetch(messageUUID: string): Promise<Buffer> {
    return this.client.inbox.fetchXml(messageUUID);
  }

  /** The SHA-256 the report gives: of the bytes as served, a byte order mark included. */
  protected hash(xml: Uint8Array): string {
    return sha256(xml);
  }

  /** The system's checks: readable, valid by the schema and NgDP's rules, and the MeMo asked for. */
  protected examine(messageUUID: string, xml: Buffer): Verdict {
    const result = validateMemo(xml);
    const [first] = result.issues;
    if (first !== undefined || result.memo === undefined)
      return {
        outcome: 'REJECTED',
        errorCode: first?.code ?? 'MEMO_UNREADABLE',
        errorMessage: describeIssues(result.issues, { limit: 1 }).slice(0, 500),
      };
    const inHeader = result.memo.messageHeader.messageUUID;
    if (inHeader.toLowerCase() !== messageUUID)
      return {
        outcome: 'REJECTED',
        errorCode: 'MESSAGE_UUID_MISMATCH',
        errorMessage: `the MeMo's header names ${inHeader}, not ${messageUUID}`,
      };
    return { outcome: 'ACCEPTED' };
  }

  /** Writes the MeMo whole or not at all. */
  protected store(messageUUID: string, xml: Uint8Array): void {
    const file = join(this.inbox, `${messageUUID}.xml`);
    writeFileSync(`${file}.partial`, xml);
    renameSync(`${file}.partial`, file);
  }

  /** The business receipt; one NgDP did not take now is given again on the next pass. */
  protected async giveReceipt(messageUUID: string, verdict: Verdict): Promise<void> {
    if ((this.receiptNotBefore.get(messageUUID) ?? 0) > Date.now()) return;
    try {
      if (verdict.outcome === 'ACCEPTED') await this.client.inbox.complete(messageUUID);
      else
        await this.client.inbox.reject(messageUUID, {
          errorCode: verdict.errorCode,
          errorMessage: verdict.errorMessage,
        });
    } catch (error) {
      if (!(error instanceof ConflictError)) {
        this.log(`receipt for ${messageUUID} not given yet: ${(error as Error).message}`);
        // The client waited as NgDP's Retry-After asked between its own attempts; so does this.
        this.receiptNotBefore.set(messageUUID, Date.now() + this.polling.afterErrorMs);
        return;
      }
      // 409: NgDP has a receipt for it already (an earlier attempt whose answer was lost).
    }
    appendFileSync(this.journal, `${JSON.stringify({ messageUUID, receipted: true })}\n`);
    this.receipted.add(messageUUID);
  }

  protected report(line: PullReportLine): void {
    appendFileSync(this.settings.reportPath, `${JSON.stringify(line)}\n`);
  }

  protected log(text: string): void {
    process.stderr.write(`conformance-recipient-pull: ${text}\n`);
  }

  /**
   * Notes in the journal that the MeMo is taken in: it is never reported twice, also after a
   * restart, and its receipt is given until NgDP has it.
   */
  private remember(messageUUID: string, verdict: Verdict): void {
    appendFileSync(this.journal, `${JSON.stringify({ messageUUID, verdict })}\n`);
    this.taken.set(messageUUID, verdict);
  }

  private readJournal(): void {
    if (!existsSync(this.journal)) return;
    for (const line of readFileSync(this.journal, 'utf8').split('\n')) {
      if (line.trim() === '') continue;
      const entry = JSON.parse(line) as { messageUUID: string; verdict?: Verdict; receipted?: true };
      if (entry.verdict !== undefined) this.taken.set(entry.messageUUID, entry.verdict);
      if (entry.receipted) this.receipted.add(entry.messageUUID);
    }
  }

  private async pause(ms: number): Promise<void> {
    const until = Date.now() + ms;
    while (!this.stopping && Date.now() < until) await sleep(Math.min(50, until - Date.now()));
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const adapter = new ConformanceRecipientPull(pullSettingsFromEnvironment());
  process.once('SIGTERM', () => adapter.stop());
  process.once('SIGINT', () => adapter.stop());
  await adapter.run();
}
