/**
 * A sender system's adapter for the conformance suite (`digitalpost conformance run --profile
 * sender`): the suite runs it once per scenario, and it does what a careful sender system does with
 * the scenario's letters — sends each once (the SDK resends the same bytes after a lost answer or a
 * 503, so a retry never makes a second letter), holds back a letter whose value date is more than
 * five days ahead, recalls when asked, follows business receipts (polling gently, acknowledging each
 * it handled; or taking them at its receipt endpoint), stops trying when NgDP is down, and writes
 * one report line per letter.
 *
 * Run it:
 *
 *   npm run build
 *   npx digitalpost conformance run --profile sender --run "node examples/conformance-sender.ts"
 *
 *   # receipts pushed to the adapter's own endpoint (it listens on SENDER_RECEIPT_PORT):
 *   npx digitalpost conformance run --profile sender --receipts push \
 *     --receipt-endpoint http://127.0.0.1:8123/receipts \
 *     --run "SENDER_RECEIPT_PORT=8123 node examples/conformance-sender.ts"
 *
 * The suite gives it (docs/conformance.md): DIGITALPOST_BASE_URL, DIGITALPOST_API_KEY,
 * DIGITALPOST_RECEIPTS (pull or push), DIGITALPOST_SCENARIO (the letters, as JSON) and
 * DIGITALPOST_REPORT (where the report lines go). A real adapter calls the vendor's own system
 * instead of building the letters here: the point is what the system does, not this file.
 */
import { appendFileSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import {
  type ClientOptions,
  ConflictError,
  createReceiptReceiver,
  DigitalPostClient,
  DuplicateMessageError,
  type Receipt,
  type SendOptions,
  ServiceUnavailableError,
  UnknownOutcomeError,
} from 'digitalpost';
import { createLetter, type Memo, serializeMemoToBytes, toCopenhagenDate } from 'digitalpost/memo';

/** The scenario file, as the suite writes it. */
export interface Scenario {
  scenario: string;
  sender: { cvr: string; label: string };
  letters: ScenarioLetter[];
  deadlineMs: number;
}

export interface ScenarioLetter {
  ref: string;
  recipient: { cpr: string } | { cvr: string };
  label: string;
  document: { filename: string; path: string };
  attachments?: Array<{ filename: string; path: string }>;
  valueDate?: string;
  recall?: boolean;
}

/** A report line (docs/conformance.md). */
export interface ReportLine {
  ref: string;
  messageUUID: string | null;
  outcome: 'DELIVERED' | 'NOT_DELIVERED' | 'INVALID' | 'RECALLED' | 'PENDING' | 'FAILED';
  receiptStatus?: string;
  errorCode?: string;
}

/** What the suite hands the adapter, read from its environment. */
export interface AdapterSettings {
  baseUrl: string;
  apiKey: string;
  receipts: 'pull' | 'push';
  scenarioPath: string;
  reportPath: string;
  /** Push: the port of the receipt endpoint (the vendor's own setting, not the suite's). */
  receiptPort?: number;
}

export function settingsFromEnvironment(env: NodeJS.ProcessEnv = process.env): AdapterSettings {
  const need = (name: string): string => {
    const value = env[name];
    if (value === undefined || value === '')
      throw new Error(`${name} is not set: run me from digitalpost conformance run`);
    return value;
  };
  const receipts = need('DIGITALPOST_RECEIPTS') === 'push' ? 'push' : 'pull';
  const port = env.SENDER_RECEIPT_PORT;
  if (receipts === 'push' && port === undefined)
    throw new Error('receipts are pushed: set SENDER_RECEIPT_PORT, where to listen');
  return {
    baseUrl: need('DIGITALPOST_BASE_URL'),
    apiKey: need('DIGITALPOST_API_KEY'),
    receipts,
    scenarioPath: need('DIGITALPOST_SCENARIO'),
    reportPath: need('DIGITALPOST_REPORT'),
    ...(port === undefined ? {} : { receiptPort: Number(port) }),
  };
}

/** NgDP takes value dates up to five days ahead (docs/simulator.md, "Value date"). */
const VALUE_DATE_HORIZON_DAYS = 5;
/** Time kept back from the deadline to report and exit. */
const DEADLINE_MARGIN_MS = 2_500;
const DAY = 86_400_000;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A letter NgDP accepted, waiting for its business receipt. */
interface Pending {
  letter: ScenarioLetter;
  messageUUID: string;
}

/** How gently receipts are polled: the first wait, growing by half each time nothing came, up to the last. */
export interface Polling {
  firstMs: number;
  longestMs: number;
}

/**
 * The adapter: each step is a method, so that a system's own adapter (or a test's deliberately
 * broken one) can change one step and keep the rest.
 */
export class ConformanceSender {
  protected readonly settings: AdapterSettings;
  protected readonly scenario: Scenario;
  protected readonly client: DigitalPostClient;
  protected readonly stopAt: number;
  protected polling: Polling = { firstMs: 250, longestMs: 2_000 };
  /** Options of each send (the MeMo is checked locally first: an invalid one is never sent). */
  protected sendOptions: SendOptions = {};
  /** Receipts pushed to the endpoint, by messageUUID. */
  protected readonly pushed = new Map<string, Receipt>();
  /** Set when NgDP stays unavailable: the letters after it are not tried in this run. */
  protected outage = false;

  constructor(settings: AdapterSettings, client: Partial<ClientOptions> = {}) {
    this.settings = settings;
    this.scenario = JSON.parse(readFileSync(settings.scenarioPath, 'utf8')) as Scenario;
    this.stopAt = Date.now() + this.scenario.deadlineMs - DEADLINE_MARGIN_MS;
    this.client = new DigitalPostClient({
      baseUrl: settings.baseUrl,
      apiKey: settings.apiKey,
      timeoutMs: 10_000,
      ...client,
    });
  }

  /** Sends the scenario's letters, follows their receipts and reports each. */
  async run(): Promise<void> {
    const receiver = this.settings.receipts === 'push' ? await this.listenForReceipts() : undefined;
    try {
      const pending: Pending[] = [];
      for (const letter of this.scenario.letters) {
        const accepted = await this.handle(letter);
        if (accepted !== undefined) pending.push(accepted);
      }
      await this.followReceipts(pending);
    } finally {
      await new Promise<void>((resolve) => (receiver ? receiver.close(() => resolve()) : resolve()));
    }
  }

  /** One letter: held back, not tried, or sent (and recalled when asked). Resolves to it when it awaits a receipt. */
  protected async handle(letter: ScenarioLetter): Promise<Pending | undefined> {
    if (letter.valueDate !== undefined && letter.valueDate > this.latestValueDate()) {
      // NgDP takes a value date at most five days ahead: the system sends it later.
      this.report({ ref: letter.ref, messageUUID: null, outcome: 'PENDING' });
      return undefined;
    }
    if (this.outage) {
      this.report({
        ref: letter.ref,
        messageUUID: null,
        outcome: 'FAILED',
        errorCode: 'SERVICE_UNAVAILABLE',
      });
      return undefined;
    }
    const messageUUID = await this.send(await this.buildMemo(letter), letter);
    if (messageUUID === undefined) return undefined;
    if (letter.recall === true) {
      await this.recall(letter, messageUUID);
      return undefined;
    }
    return { letter, messageUUID };
  }

  /** The latest value date NgDP takes today. */
  protected latestValueDate(): string {
    return toCopenhagenDate(new Date(Date.now() + VALUE_DATE_HORIZON_DAYS * DAY));
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
   * Sends one MeMo, serialized once: every attempt carries the same messageUUID and bytes. Resolves
   * to the messageUUID NgDP has the letter under; a letter it cannot get in is reported FAILED.
   */
  protected async send(memo: Memo, letter: ScenarioLetter): Promise<string | undefined> {
    const bytes = serializeMemoToBytes(memo);
    const messageUUID = memo.messageHeader.messageUUID;
    for (let attempt = 1; attempt <= 3; attempt++) {
      try {
        await this.client.memos.send(bytes, this.sendOptions);
        return messageUUID;
      } catch (error) {
        if (error instanceof DuplicateMessageError) return messageUUID; // NgDP holds this very letter already
        if (error instanceof UnknownOutcomeError) {
          await sleep(500 * attempt); // the answer was lost: the same bytes again are safe
          continue;
        }
        if (error instanceof ServiceUnavailableError) this.outage = true;
        const code = (error as { code?: string }).code;
        this.report({
          ref: letter.ref,
          messageUUID: null,
          outcome: 'FAILED',
          ...(code ? { errorCode: code } : {}),
        });
        return undefined;
      }
    }
    // Still unknown after three tries: it may be at NgDP; its receipt will tell.
    return messageUUID;
  }

  /** Recalls a value-dated letter; a recall whose answer was lost is tried again (409 then means it worked). */
  protected async recall(letter: ScenarioLetter, messageUUID: string): Promise<void> {
    for (let attempt = 1; attempt <= 3; attempt++) {
      try {
        await this.client.memos.recall(messageUUID);
        this.report({ ref: letter.ref, messageUUID, outcome: 'RECALLED' });
        return;
      } catch (error) {
        if (error instanceof ConflictError && error.code === 'ALREADY_RECALLED') {
          this.report({ ref: letter.ref, messageUUID, outcome: 'RECALLED' });
          return;
        }
        if (!(error instanceof UnknownOutcomeError)) break;
        await sleep(300 * attempt);
      }
    }
    this.report({ ref: letter.ref, messageUUID, outcome: 'FAILED' });
  }

  /** Waits for the business receipts of `pending` (polling, or as pushed) until all came or time is up. */
  protected async followReceipts(pending: Pending[]): Promise<void> {
    const waiting = new Map(pending.map((item) => [item.messageUUID.toLowerCase(), item]));
    let wait = this.polling.firstMs;
    while (waiting.size > 0 && Date.now() < this.stopAt) {
      const before = waiting.size;
      if (this.settings.receipts === 'pull') await this.pollReceipts(waiting);
      else this.takePushedReceipts(waiting);
      if (waiting.size === 0) break;
      wait = waiting.size < before ? this.polling.firstMs : Math.min(wait * 1.5, this.polling.longestMs);
      await sleep(
        Math.min(this.settings.receipts === 'pull' ? wait : 100, Math.max(0, this.stopAt - Date.now())),
      );
    }
    for (const { letter, messageUUID } of waiting.values())
      this.report({ ref: letter.ref, messageUUID, outcome: 'PENDING' });
  }

  /** One pass over NgDP's receipts: each of ours is reported, then acknowledged. */
  protected async pollReceipts(waiting: Map<string, Pending>): Promise<void> {
    try {
      for await (const receipt of this.client.receipts.list()) {
        const item = waiting.get(receipt.messageUUID?.toLowerCase() ?? '');
        if (item === undefined || receipt.receiptStatus === 'RECEIVED') continue;
        this.report(this.lineOf(item, receipt)); // handled (stored) first…
        waiting.delete(item.messageUUID.toLowerCase());
        if (receipt.id !== undefined) await this.client.receipts.ack(receipt.id); // …then acknowledged
      }
    } catch {
      // A failed poll loses nothing: the receipts stay listed until acknowledged; the next poll tries again.
    }
  }

  protected takePushedReceipts(waiting: Map<string, Pending>): void {
    for (const [uuid, item] of waiting) {
      const receipt = this.pushed.get(uuid);
      if (receipt === undefined) continue;
      this.report(this.lineOf(item, receipt));
      waiting.delete(uuid);
    }
  }

  /** The report line of a business receipt. */
  protected lineOf(item: Pending, receipt: Receipt): ReportLine {
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

  /** The receipt endpoint (push): each receipt kept by messageUUID, so a repeat changes nothing. */
  protected async listenForReceipts(): Promise<Server> {
    const handler = createReceiptReceiver({
      onReceipt: (receipt) => {
        if (receipt.messageUUID !== undefined) this.pushed.set(receipt.messageUUID.toLowerCase(), receipt);
      },
    });
    const server = createServer(handler);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.settings.receiptPort, '127.0.0.1', () => resolve());
    });
    return server;
  }

  /** Appends a report line (written at once, so nothing is lost if the adapter is stopped). */
  protected report(line: ReportLine): void {
    appendFileSync(this.settings.reportPath, `${JSON.stringify(line)}\n`);
  }
}

export async function main(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  await new ConformanceSender(settingsFromEnvironment(env)).run();
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await main();
}
