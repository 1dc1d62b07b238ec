/**
 * Deliberately broken sender adapters: each is the reference adapter (examples/conformance-sender.ts)
 * with one mistake a real sender system makes, so that the suite can be shown to fail exactly the
 * checks that mistake breaks — and to pass the rest. Run as an adapter command:
 *
 *   node --import ./test/support/source-imports.ts test/support/conformance/broken-senders.ts <kind>
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  ConflictError,
  DuplicateMessageError,
  type Receipt,
  ServiceUnavailableError,
  UnknownOutcomeError,
} from 'digitalpost';
import { createLetter, type Memo, serializeMemoToBytes } from 'digitalpost/memo';
import { Agent, type Dispatcher, request } from 'undici';
import {
  ConformanceSender,
  type ReportLine,
  type ScenarioLetter,
  settingsFromEnvironment,
} from '../../../examples/conformance-sender.ts';
import { dayBefore, MEMO_MISTAKES, type MemoMistake, REPORT_MISTAKES } from './mistakes.ts';

type Pending = { letter: ScenarioLetter; messageUUID: string };
const lostAnswer = (error: unknown): boolean =>
  error instanceof UnknownOutcomeError || (error as { code?: string }).code === 'CONNECTION_FAILED';

/** Sends with the SDK's retries off, so that the adapter's own handling of each failure shows. */
class OwnRetries extends ConformanceSender {
  /** What to do after a lost answer: the messageUUID it ended under, or undefined to give up. */
  protected async afterLostAnswer(
    _memo: Memo,
    _letter: ScenarioLetter,
    _bytes: Uint8Array,
  ): Promise<string | undefined> {
    return undefined;
  }

  protected async after503(attempt: number): Promise<boolean> {
    await sleep(1_000);
    return attempt < 3;
  }

  protected override async send(memo: Memo, letter: ScenarioLetter): Promise<string | undefined> {
    const bytes = serializeMemoToBytes(memo);
    for (let attempt = 1; ; attempt++) {
      try {
        await this.client.memos.send(bytes, { ...this.sendOptions, retry: false });
        return memo.messageHeader.messageUUID;
      } catch (error) {
        if (error instanceof DuplicateMessageError) return memo.messageHeader.messageUUID;
        if (lostAnswer(error)) return this.afterLostAnswer(memo, letter, bytes);
        if (error instanceof ServiceUnavailableError && (await this.after503(attempt))) continue;
        if (error instanceof ServiceUnavailableError) this.outage = true;
        this.report({ ref: letter.ref, messageUUID: null, outcome: 'FAILED' });
        return undefined;
      }
    }
  }
}

/** Retries a lost answer under a new messageUUID: a second letter when NgDP had taken the first. */
class NewUuidOnLostAnswer extends OwnRetries {
  protected override async afterLostAnswer(_memo: Memo, letter: ScenarioLetter): Promise<string | undefined> {
    return this.send(await this.buildMemo(letter), letter);
  }
}

/** Builds the MeMo again for the retry (a new createdDateTime): same messageUUID, other bytes. */
class ReserializesOnRetry extends OwnRetries {
  protected override async afterLostAnswer(memo: Memo, letter: ScenarioLetter): Promise<string | undefined> {
    const fresh = await this.buildMemo(letter);
    fresh.messageHeader.messageUUID = memo.messageHeader.messageUUID;
    if (fresh.messageBody !== undefined)
      fresh.messageBody.createdDateTime = new Date(Date.now() + 1_000).toISOString().replace(/\.\d+Z$/, 'Z');
    return this.send(fresh, letter);
  }
}

/** Sends the same bytes again after a lost answer, takes the 201, and still reports the letter FAILED. */
class FailsAfterLostAnswer extends OwnRetries {
  protected override async afterLostAnswer(
    memo: Memo,
    letter: ScenarioLetter,
    bytes: Uint8Array,
  ): Promise<string | undefined> {
    await this.client.memos.send(bytes, { retry: false }).catch(() => undefined);
    this.report({ ref: letter.ref, messageUUID: memo.messageHeader.messageUUID, outcome: 'FAILED' });
    return undefined;
  }
}

/** Takes NgDP's 409 DUPLICATE_MESSAGE_UUID to its resend as a refusal, and reports the letter FAILED. */
class DuplicateAsFailure extends OwnRetries {
  protected override async afterLostAnswer(
    memo: Memo,
    letter: ScenarioLetter,
    bytes: Uint8Array,
  ): Promise<string | undefined> {
    try {
      await this.client.memos.send(bytes, { retry: false });
      return memo.messageHeader.messageUUID;
    } catch (error) {
      if (!(error instanceof DuplicateMessageError)) throw error;
    }
    this.report({ ref: letter.ref, messageUUID: memo.messageHeader.messageUUID, outcome: 'FAILED' });
    return undefined;
  }
}

/** Tries again at once after a 503, whatever Retry-After says. */
class IgnoresRetryAfter extends OwnRetries {
  protected override async after503(attempt: number): Promise<boolean> {
    return attempt < 5;
  }
}

/** Tries twelve times a second apart before it gives up. */
class RetriesTooLong extends OwnRetries {
  protected override async after503(attempt: number): Promise<boolean> {
    await sleep(1_000);
    return attempt < 12;
  }
}

/** Under an outage, reports letters PENDING ("will try later") instead of FAILED. */
class GivesUpSilently extends ConformanceSender {
  protected override report(line: ReportLine): void {
    super.report(
      line.outcome === 'FAILED' && line.messageUUID === null ? { ...line, outcome: 'PENDING' } : line,
    );
  }
}

/** Stays after reporting, until it is stopped. */
class Overstays extends ConformanceSender {
  override async run(): Promise<void> {
    await super.run();
    await sleep(600_000);
  }
}

/** Writes the value date with a time of day. */
class TimeOfDay extends ConformanceSender {
  protected override sendOptions = { validate: false };
  protected override async buildMemo(letter: ScenarioLetter): Promise<Memo> {
    const memo = await super.buildMemo(letter);
    if (letter.valueDate !== undefined)
      memo.messageHeader.doNotDeliverUntilDate = `${letter.valueDate}T08:00:00`;
    return memo;
  }
}

/** Writes the value date with a time zone (schema-valid, but not a plain date). */
class ZonedValueDate extends TimeOfDay {
  protected override async buildMemo(letter: ScenarioLetter): Promise<Memo> {
    const memo = await super.buildMemo(letter);
    if (letter.valueDate !== undefined)
      memo.messageHeader.doNotDeliverUntilDate = `${letter.valueDate}+01:00`;
    return memo;
  }
}

/** Turns the Danish date into a UTC instant and back: one day early. */
class ValueDateOffByOne extends ConformanceSender {
  protected override buildMemo(letter: ScenarioLetter): Promise<Memo> {
    return super.buildMemo(
      letter.valueDate === undefined ? letter : { ...letter, valueDate: dayBefore(letter.valueDate) },
    );
  }
}

/** Gives every letter a value date: two days ahead when it had none. */
class AlwaysValueDate extends ConformanceSender {
  protected override buildMemo(letter: ScenarioLetter): Promise<Memo> {
    const later = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
    return super.buildMemo({ ...letter, valueDate: letter.valueDate ?? later });
  }
}

/** Sends a value date however far ahead it lies. */
class SendsBeyondHorizon extends ConformanceSender {
  protected override latestValueDate(): string {
    return '9999-12-31';
  }
}

/** Never recalls. */
class NeverRecalls extends ConformanceSender {
  protected override handle(letter: ScenarioLetter): Promise<Pending | undefined> {
    return super.handle({ ...letter, recall: false });
  }
}

/** Recalls every value-dated letter. */
class RecallsEveryDated extends ConformanceSender {
  protected override handle(letter: ScenarioLetter): Promise<Pending | undefined> {
    return super.handle({ ...letter, recall: letter.valueDate !== undefined });
  }
}

/** A recall whose answer was lost is taken as done, without trying again. */
class RecallOnce extends ConformanceSender {
  protected override async recall(letter: ScenarioLetter, messageUUID: string): Promise<void> {
    await this.client.memos.recall(messageUUID).catch((error: unknown) => {
      if (!(error instanceof UnknownOutcomeError || error instanceof ConflictError)) throw error;
    });
    this.report({ ref: letter.ref, messageUUID, outcome: 'RECALLED' });
  }
}

/** Reports a recalled letter as DELIVERED. */
class RecallAsDelivered extends ConformanceSender {
  protected override report(line: ReportLine): void {
    super.report(line.outcome === 'RECALLED' ? { ...line, outcome: 'DELIVERED' } : line);
  }
}

/** Reports each letter as soon as it is accepted, PENDING: it never asks for receipts. */
class NeverFetchesReceipts extends ConformanceSender {
  protected override async followReceipts(pending: Pending[]): Promise<void> {
    for (const { letter, messageUUID } of pending)
      this.report({ ref: letter.ref, messageUUID, outcome: 'PENDING' });
  }
}

/** Polls once, waits, then gives up on what had not come at that first poll. */
class StopsFollowingEarly extends ConformanceSender {
  protected override async followReceipts(pending: Pending[]): Promise<void> {
    const waiting = new Map(pending.map((item) => [item.messageUUID.toLowerCase(), item]));
    await this.pollReceipts(waiting);
    await sleep(6_000);
    for (const { letter, messageUUID } of waiting.values())
      this.report({ ref: letter.ref, messageUUID, outcome: 'PENDING' });
  }
}

/** Reads receipts but never acknowledges them. */
class NeverAcks extends ConformanceSender {
  protected override async pollReceipts(waiting: Map<string, Pending>): Promise<void> {
    for await (const receipt of this.client.receipts.list()) {
      const item = waiting.get(receipt.messageUUID?.toLowerCase() ?? '');
      if (item === undefined) continue;
      this.report(this.lineOf(item, receipt));
      waiting.delete(item.messageUUID.toLowerCase());
    }
  }
}

/** Polls for receipts in a tight loop. */
class Hammers extends ConformanceSender {
  protected override polling = { firstMs: 5, longestMs: 5 };
}

/** A receipt endpoint that answers `status(messageUUID, seen)` and keeps what it answers 2xx. */
class RawReceiver extends ConformanceSender {
  private readonly seen = new Set<string>();

  protected statusFor(_messageUUID: string, _seenBefore: boolean): number {
    return 200;
  }

  protected override async listenForReceipts(): Promise<Server> {
    const server = createServer((incoming, outgoing) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('end', () => {
        const receipt = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Receipt;
        const uuid = receipt.messageUUID?.toLowerCase() ?? '';
        const status = this.statusFor(uuid, this.seen.has(uuid));
        this.seen.add(uuid);
        if (status < 300) this.pushed.set(uuid, receipt);
        outgoing.writeHead(status).end();
      });
    });
    await new Promise<void>((resolve) =>
      server.listen(this.settings.receiptPort, '127.0.0.1', () => resolve()),
    );
    return server;
  }
}

/** Its receipt endpoint fails the first delivery of each receipt. */
class ReceiverErrors extends RawReceiver {
  protected override statusFor(_uuid: string, seenBefore: boolean): number {
    return seenBefore ? 200 : 500;
  }
}

/** Its receipt endpoint refuses a receipt it has had already. */
class RefusesRepeatedReceipt extends RawReceiver {
  protected override statusFor(_uuid: string, seenBefore: boolean): number {
    return seenBefore ? 409 : 200;
  }
}

/** Maps one receipt status to the wrong outcome. */
function misreads(from: string, to: ReportLine['outcome']) {
  return class extends ConformanceSender {
    protected override outcomeOf(receiptStatus: string): ReportLine['outcome'] {
      return receiptStatus === from ? to : super.outcomeOf(receiptStatus);
    }
  };
}

/** Leaves NgDP's errorCode out of its report lines. */
class DropsErrorCode extends ConformanceSender {
  protected override lineOf(item: Pending, receipt: Receipt): ReportLine {
    const { errorCode: _dropped, ...line } = super.lineOf(item, receipt);
    return line;
  }
}

/** Changes one part of each MeMo it builds (unchecked when the mistake makes it invalid). */
function builds(mistake: MemoMistake | undefined) {
  if (mistake === undefined) throw new Error('no such MeMo mistake');
  const { change, validate } = mistake;
  return class extends ConformanceSender {
    protected override sendOptions = { validate };
    protected override async buildMemo(letter: ScenarioLetter): Promise<Memo> {
      const memo = await super.buildMemo(letter);
      change(memo, letter);
      return memo;
    }
  };
}

/** Writes its report lines with one mistake. */
function reports(
  change: ((line: ReportLine, letters: readonly ScenarioLetter[]) => ReportLine[]) | undefined,
) {
  if (change === undefined) throw new Error('no such report mistake');
  return class extends ConformanceSender {
    protected override report(line: ReportLine): void {
      for (const each of change(line, this.scenario.letters)) super.report(each);
    }
  };
}

/** Sends the first letter once with the wrong memo-message-uuid, then as it should. */
class BadFirstRequest extends ConformanceSender {
  private tried = false;
  protected override async send(memo: Memo, letter: ScenarioLetter): Promise<string | undefined> {
    if (!this.tried) {
      this.tried = true;
      const answer = await request(`${this.settings.baseUrl}/memos/?memo-message-uuid=${randomUUID()}`, {
        method: 'POST',
        headers: { authorization: `Basic ${this.settings.apiKey}`, 'content-type': 'application/xml' },
        body: serializeMemoToBytes(memo),
      });
      await answer.body.dump();
    }
    return super.send(memo, letter);
  }
}

/** Checks its connection with an unauthenticated request first. */
class UnauthenticatedHealthCheck extends ConformanceSender {
  override async run(): Promise<void> {
    const answer = await request(`${this.settings.baseUrl}/contacts/?cprNumber=0101700001`);
    await answer.body.dump();
    await super.run();
  }
}

/** Sends a connection-test letter of its own first. */
class SendsATestLetter extends ConformanceSender {
  override async run(): Promise<void> {
    const memo = await createLetter({
      sender: this.scenario.sender,
      recipient: { cpr: '0101700001' },
      label: 'Forbindelsestest',
      document: { content: Buffer.from(`%PDF-1.4\n% test ${randomUUID()}\n%%EOF\n`), filename: 'test.pdf' },
    });
    await this.client.memos.send(memo);
    await super.run();
  }
}

/** Never sends letters to companies (CVR): reports them FAILED. */
class SkipsCompanyLetters extends ConformanceSender {
  protected override async handle(letter: ScenarioLetter): Promise<Pending | undefined> {
    if (!('cvr' in letter.recipient)) return super.handle(letter);
    this.report({ ref: letter.ref, messageUUID: null, outcome: 'FAILED' });
    return undefined;
  }
}

/** A dispatcher that adds the API key to every request's query too (a logging proxy's habit, or a misread guide). */
export function apiKeyInQuery(apiKey: string): Dispatcher {
  return new Agent().compose(
    (dispatch) => (options, handler) =>
      dispatch(
        {
          ...options,
          path: `${options.path}${options.path.includes('?') ? '&' : '?'}apiKey=${encodeURIComponent(apiKey)}`,
        },
        handler,
      ),
  );
}

const KINDS: Readonly<
  Record<string, new (...args: ConstructorParameters<typeof ConformanceSender>) => ConformanceSender>
> = {
  'new-uuid-on-lost-answer': NewUuidOnLostAnswer,
  'reserializes-on-retry': ReserializesOnRetry,
  'fails-after-lost-answer': FailsAfterLostAnswer,
  'duplicate-as-failure': DuplicateAsFailure,
  'ignores-retry-after': IgnoresRetryAfter,
  'retries-too-long': RetriesTooLong,
  'gives-up-silently': GivesUpSilently,
  'time-of-day': TimeOfDay,
  'zoned-value-date': ZonedValueDate,
  'value-date-off-by-one': ValueDateOffByOne,
  'always-value-date': AlwaysValueDate,
  'sends-beyond-horizon': SendsBeyondHorizon,
  'never-recalls': NeverRecalls,
  'recalls-every-dated': RecallsEveryDated,
  'recall-once': RecallOnce,
  'recall-as-delivered': RecallAsDelivered,
  'never-fetches-receipts': NeverFetchesReceipts,
  'stops-following-early': StopsFollowingEarly,
  'never-acks': NeverAcks,
  hammers: Hammers,
  'receiver-errors': ReceiverErrors,
  'refuses-repeated-receipt': RefusesRepeatedReceipt,
  'not-allowed-as-delivered': misreads('NOT_ALLOWED', 'DELIVERED'),
  'completed-as-not-delivered': misreads('COMPLETED', 'NOT_DELIVERED'),
  'invalid-as-failed': misreads('INVALID', 'FAILED'),
  'drops-error-code': DropsErrorCode,
  'invalid-memo': builds(MEMO_MISTAKES['invalid-memo']),
  'wrong-sender-label': builds(MEMO_MISTAKES['wrong-sender-label']),
  'renames-attachments': builds(MEMO_MISTAKES['renames-attachments']),
  'generic-label': builds(MEMO_MISTAKES['generic-label']),
  'uuid-from-ref': builds(MEMO_MISTAKES['uuid-from-ref']),
  'bad-first-request': BadFirstRequest,
  'unauthenticated-health-check': UnauthenticatedHealthCheck,
  'sends-a-test-letter': SendsATestLetter,
  'skips-company-letters': SkipsCompanyLetters,
  'garbled-report': reports(REPORT_MISTAKES['garbled-report']),
  'forgets-a-letter': reports(REPORT_MISTAKES['forgets-a-letter']),
  'reports-wrong-uuid': reports(REPORT_MISTAKES['reports-wrong-uuid']),
  'api-key-in-query': ConformanceSender,
  'crashes-at-end': ConformanceSender,
  overstays: Overstays,
};

/** The kinds of broken adapter this module plays. */
export const BROKEN_SENDERS = Object.keys(KINDS);

if (import.meta.url === `file://${process.argv[1]}`) {
  const kind = process.argv[2] ?? '';
  const Kind = KINDS[kind];
  if (Kind === undefined) throw new Error(`no broken sender ${kind}`);
  const settings = settingsFromEnvironment();
  const client = kind === 'api-key-in-query' ? { dispatcher: apiKeyInQuery(settings.apiKey) } : {};
  await new Kind(settings, client).run();
  if (kind === 'crashes-at-end') process.exitCode = 3;
}
