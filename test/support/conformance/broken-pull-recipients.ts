/**
 * Deliberately broken PULL recipients: each is the reference adapter
 * (examples/conformance-recipient-pull.ts) with one mistake a real recipient system makes, so that
 * the suite can be shown to fail exactly the checks that mistake breaks — and to pass the rest. Run
 * as an adapter command:
 *
 *   node --import ./test/support/source-imports.ts test/support/conformance/broken-pull-recipients.ts <kind>
 */
import { createHash } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { ServiceUnavailableError } from 'digitalpost';
import { request } from 'undici';
import {
  ConformanceRecipientPull,
  type PullReportLine,
  pullSettingsFromEnvironment,
  type Verdict,
} from '../../../examples/conformance-recipient-pull.ts';
import { apiKeyInQuery } from './broken-senders.ts';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const NO_RETRY = { retry: false } as const;

/** Remembers what it took but never gives NgDP a business receipt. */
class NeverReceipts extends ConformanceRecipientPull {
  protected override async giveReceipt(messageUUID: string): Promise<void> {
    this.receipted.add(messageUUID);
  }
}

/** When a receipt's answer is lost, does the whole job again: fetch, store, report — a second time. */
class TwiceAfterCut extends ConformanceRecipientPull {
  private readonly redone = new Set<string>();

  protected override async giveReceipt(messageUUID: string, verdict: Verdict): Promise<void> {
    try {
      if (verdict.outcome === 'ACCEPTED') await this.client.inbox.complete(messageUUID, NO_RETRY);
      else await this.client.inbox.reject(messageUUID, { ...verdict }, NO_RETRY);
      this.receipted.add(messageUUID);
    } catch (error) {
      if (this.redone.has(messageUUID)) return super.giveReceipt(messageUUID, verdict);
      this.redone.add(messageUUID);
      this.log(`receipt failed (${(error as Error).message}): taking ${messageUUID} again`);
      const again = await this.take(messageUUID);
      if (again !== undefined) await super.giveReceipt(messageUUID, again);
    }
  }
}

/** Marks a MeMo seen before it fetches it (without retries): a fetch whose answer is lost loses the MeMo. */
class LosesCutFetch extends ConformanceRecipientPull {
  private readonly seen = new Set<string>();

  protected override async handle(messageUUID: string): Promise<void> {
    if (this.seen.has(messageUUID) && !this.taken.has(messageUUID)) return;
    this.seen.add(messageUUID);
    return super.handle(messageUUID);
  }

  protected override async take(messageUUID: string): Promise<Verdict | undefined> {
    try {
      return await super.take(messageUUID);
    } catch (error) {
      this.log(`fetch of ${messageUUID} failed: ${(error as Error).message}`);
      return undefined;
    }
  }

  protected override fetch(messageUUID: string): Promise<Buffer> {
    return this.client.inbox.fetchXml(messageUUID, NO_RETRY);
  }
}

/** Takes a list request that failed as the end of the service: it stops polling (and stays up). */
class StopsAfterListError extends ConformanceRecipientPull {
  override async run(): Promise<void> {
    try {
      for (;;) {
        if ((await this.pass()) === 0) await sleep(250);
        if (this.stopping) return;
      }
    } catch (error) {
      this.log(`listing failed, stopping: ${(error as Error).message}`);
      while (!this.stopping) await sleep(100);
    }
  }

  protected override list(): AsyncIterable<string> {
    return this.client.inbox.list({ pageSize: 100, ...NO_RETRY });
  }
}

/** Takes every MeMo as valid, unchecked. */
class AcceptsInvalid extends ConformanceRecipientPull {
  protected override examine(): Verdict {
    return { outcome: 'ACCEPTED' };
  }
}

/** Polls in a tight loop. */
class Hammers extends ConformanceRecipientPull {
  protected override polling = { firstMs: 10, longestMs: 10, afterErrorMs: 10 };
}

/** Polls every 300 ms, whether anything comes or not. */
class PollsOftenWhenIdle extends ConformanceRecipientPull {
  protected override polling = { firstMs: 300, longestMs: 300, afterErrorMs: 1_000 };
}

/** Waits until a MeMo has been listed for 11 s before it takes it (collecting a batch). */
class HoldsNewMemos extends ConformanceRecipientPull {
  private readonly firstListed = new Map<string, number>();

  protected override async handle(messageUUID: string): Promise<void> {
    const first = this.firstListed.get(messageUUID) ?? Date.now();
    this.firstListed.set(messageUUID, first);
    if (Date.now() - first < 11_000) return;
    return super.handle(messageUUID);
  }

  protected override async pass(): Promise<number> {
    await super.pass();
    return 0; // nothing taken yet means no hurry
  }
}

/** After a failed list request (its own, without the client's retries) it waits 15 s. */
class WaitsLongAfterError extends ConformanceRecipientPull {
  protected override polling = { firstMs: 250, longestMs: 1_000, afterErrorMs: 15_000 };

  protected override list(): AsyncIterable<string> {
    return this.client.inbox.list({ pageSize: 100, ...NO_RETRY });
  }
}

/** Meets a 503 with an immediate retry, whatever Retry-After says. */
class IgnoresRetryAfter extends ConformanceRecipientPull {
  protected override async pass(): Promise<number> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await super.pass();
      } catch (error) {
        if (!(error instanceof ServiceUnavailableError) || attempt >= 5) throw error;
        await sleep(50);
      }
    }
  }

  protected override list(): AsyncIterable<string> {
    return this.client.inbox.list({ pageSize: 100, ...NO_RETRY });
  }
}

/** Sends each receipt once, without retries: one NgDP did not take is never sent again. */
class NeverResendsReceipt extends ConformanceRecipientPull {
  protected override async giveReceipt(messageUUID: string, verdict: Verdict): Promise<void> {
    try {
      if (verdict.outcome === 'ACCEPTED') await this.client.inbox.complete(messageUUID, NO_RETRY);
      else await this.client.inbox.reject(messageUUID, { ...verdict }, NO_RETRY);
    } catch (error) {
      this.log(`receipt for ${messageUUID} failed, given up: ${(error as Error).message}`);
    }
    this.receipted.add(messageUUID);
  }
}

/** Sends each business receipt ten times, to be sure. */
class SendsReceiptTenTimes extends ConformanceRecipientPull {
  protected override async giveReceipt(messageUUID: string, verdict: Verdict): Promise<void> {
    await super.giveReceipt(messageUUID, verdict);
    for (let again = 1; again < 10; again++)
      await this.client.inbox.complete(messageUUID, NO_RETRY).catch(() => undefined);
  }
}

/** Checks its connection with an unauthenticated list request first. */
class UnauthenticatedProbe extends ConformanceRecipientPull {
  override async run(): Promise<void> {
    const answer = await request(`${this.settings.baseUrl}/memos/`);
    await answer.body.dump();
    await super.run();
  }
}

/** Hashes the MeMo as text: its byte order mark dropped, its line ends made LF. */
class HashesText extends ConformanceRecipientPull {
  protected override hash(xml: Uint8Array): string {
    const text = Buffer.from(xml)
      .toString('utf8')
      .replace(/^\uFEFF/, '')
      .replace(/\r\n/g, '\n');
    return createHash('sha256').update(text).digest('hex');
  }
}

/** Writes a line of its own into the report when it starts. */
class GarbledReport extends ConformanceRecipientPull {
  override async run(): Promise<void> {
    appendFileSync(this.settings.reportPath, '{"status":"started"}\n');
    await super.run();
  }
}

/** Reports the messageUUID the MeMo's header names, not the one NgDP offered it under. */
class ReportsHeaderUuid extends ConformanceRecipientPull {
  protected override report(line: PullReportLine): void {
    super.report({ ...line, messageUUID: this.headerUuid.get(line.messageUUID) ?? line.messageUUID });
  }

  private readonly headerUuid = new Map<string, string>();

  protected override examine(messageUUID: string, xml: Buffer): Verdict {
    const inHeader = /<(?:\w+:)?messageUUID>([^<]+)</.exec(xml.toString('utf8'))?.[1];
    if (inHeader !== undefined) this.headerUuid.set(messageUUID, inHeader.toLowerCase());
    return super.examine(messageUUID, xml);
  }
}

/** Refuses MeMos over 10 MB. */
class RejectsLarge extends ConformanceRecipientPull {
  protected override examine(messageUUID: string, xml: Buffer): Verdict {
    return xml.byteLength > 10_000_000
      ? { outcome: 'REJECTED', errorCode: 'MESSAGE_TOO_LARGE', errorMessage: 'over 10 MB' }
      : super.examine(messageUUID, xml);
  }
}

/** Refuses MeMos with more than five attachments. */
class RejectsManyAttachments extends ConformanceRecipientPull {
  protected override examine(messageUUID: string, xml: Buffer): Verdict {
    const attachments = xml.toString('utf8').match(/AdditionalDocument>/g)?.length ?? 0;
    return attachments / 2 > 5
      ? { outcome: 'REJECTED', errorCode: 'TOO_MANY_ATTACHMENTS', errorMessage: 'at most 5' }
      : super.examine(messageUUID, xml);
  }
}

/** Reads MeMos by matching text: it wants `<?xml` first and the `memo:` prefix. */
class StrictReader extends ConformanceRecipientPull {
  protected override examine(messageUUID: string, xml: Buffer): Verdict {
    const text = xml.toString('latin1');
    return text.startsWith('<?xml') && text.includes('<memo:Message')
      ? super.examine(messageUUID, xml)
      : { outcome: 'REJECTED', errorCode: 'NOT_A_MEMO', errorMessage: 'no <memo:Message>' };
  }
}

/** Refuses MeMos with parts it does not know: forwarded messages, reservations. */
class RejectsUnknownParts extends ConformanceRecipientPull {
  protected override examine(messageUUID: string, xml: Buffer): Verdict {
    return /ForwardData|Reservation/.test(xml.toString('utf8'))
      ? { outcome: 'REJECTED', errorCode: 'UNSUPPORTED', errorMessage: 'unknown parts' }
      : super.examine(messageUUID, xml);
  }
}

/** Reports every MeMo ACCEPTED as soon as it has it, before checking it. */
class ReportsBeforeChecking extends ConformanceRecipientPull {
  protected override report(line: PullReportLine): void {
    super.report({ ...line, outcome: 'ACCEPTED' });
  }
}

/** Completes each MeMo it finds listed, then fetches it. */
class CompletesBeforeFetching extends ConformanceRecipientPull {
  protected override async handle(messageUUID: string): Promise<void> {
    if (!this.taken.has(messageUUID)) {
      await this.client.inbox.complete(messageUUID);
      this.receipted.add(messageUUID);
    }
    return super.handle(messageUUID);
  }
}

/** Tries the receipt status RECEIVED first, then the right one. */
class BadReceiptStatus extends ConformanceRecipientPull {
  protected override async giveReceipt(messageUUID: string, verdict: Verdict): Promise<void> {
    const answer = await request(`${this.settings.baseUrl}/memos/${messageUUID}/receipt`, {
      method: 'POST',
      headers: { authorization: `Basic ${this.settings.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ messageUUID, timeStamp: new Date().toISOString(), receiptStatus: 'RECEIVED' }),
    });
    await answer.body.dump();
    await super.giveReceipt(messageUUID, verdict);
  }
}

/** Stops once it has found nothing for two seconds, like a batch job. */
class ExitsWhenIdle extends ConformanceRecipientPull {
  private idleSince = Date.now();

  protected override async pass(): Promise<number> {
    const found = await super.pass();
    if (found > 0) this.idleSince = Date.now();
    else if (Date.now() - this.idleSince > 2_000) process.exit(0);
    return found;
  }
}

/** Fetches each MeMo four times (to check, to store, to index, to archive). */
class FetchStorm extends ConformanceRecipientPull {
  protected override async fetch(messageUUID: string): Promise<Buffer> {
    for (let time = 1; time < 4; time++) await super.fetch(messageUUID);
    return super.fetch(messageUUID);
  }
}

const KINDS: Readonly<
  Record<
    string,
    new (
      ...args: ConstructorParameters<typeof ConformanceRecipientPull>
    ) => ConformanceRecipientPull
  >
> = {
  'never-receipts': NeverReceipts,
  'twice-after-cut': TwiceAfterCut,
  'loses-cut-fetch': LosesCutFetch,
  'stops-after-list-error': StopsAfterListError,
  'accepts-invalid': AcceptsInvalid,
  hammers: Hammers,
  'polls-often-when-idle': PollsOftenWhenIdle,
  'holds-new-memos': HoldsNewMemos,
  'waits-long-after-error': WaitsLongAfterError,
  'ignores-retry-after': IgnoresRetryAfter,
  'never-resends-receipt': NeverResendsReceipt,
  'sends-receipt-ten-times': SendsReceiptTenTimes,
  'api-key-in-query': ConformanceRecipientPull,
  'unauthenticated-probe': UnauthenticatedProbe,
  'hashes-text': HashesText,
  'garbled-report': GarbledReport,
  'reports-header-uuid': ReportsHeaderUuid,
  'rejects-large': RejectsLarge,
  'rejects-many-attachments': RejectsManyAttachments,
  'strict-reader': StrictReader,
  'rejects-unknown-parts': RejectsUnknownParts,
  'reports-before-checking': ReportsBeforeChecking,
  'completes-before-fetching': CompletesBeforeFetching,
  'bad-receipt-status': BadReceiptStatus,
  'exits-when-idle': ExitsWhenIdle,
  'fetch-storm': FetchStorm,
};

/** The kinds of broken PULL recipient this module plays. */
export const BROKEN_PULL_RECIPIENTS = Object.keys(KINDS);

if (import.meta.url === `file://${process.argv[1]}`) {
  const kind = process.argv[2] ?? '';
  const Kind = KINDS[kind];
  if (Kind === undefined) throw new Error(`no broken PULL recipient ${kind}`);
  const settings = pullSettingsFromEnvironment();
  const client = kind === 'api-key-in-query' ? { dispatcher: apiKeyInQuery(settings.apiKey) } : {};
  const adapter = new Kind(settings, client);
  process.once('SIGTERM', () => adapter.stop());
  await adapter.run();
}
