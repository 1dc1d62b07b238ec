/**
 * Deliberately broken SFTP sender adapters: each is the reference adapter
 * (examples/conformance-sender-sftp.ts) with one mistake a real mass-sending system makes, so that
 * the suite can be shown to fail exactly the checks that mistake breaks — and to pass the rest. Run
 * as an adapter command:
 *
 *   SENDER_SFTP_KEY=key node --import ./test/support/source-imports.ts test/support/conformance/broken-sftp-senders.ts <kind>
 */
import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Receipt, SftpSender } from 'digitalpost';
import { createLetter, type Memo, serializeMemoToBytes, writeContainer } from 'digitalpost/memo';
import ssh2, { type SFTPWrapper } from 'ssh2';
import type { ReportLine, ScenarioLetter } from '../../../examples/conformance-sender.ts';
import {
  ConformanceSftpSender,
  type Prepared,
  settingsFromEnvironment,
} from '../../../examples/conformance-sender-sftp.ts';
import { dayBefore, MEMO_MISTAKES, type MemoMistake, REPORT_MISTAKES } from './mistakes.ts';

/** The bytes of a container of `entries`. */
async function containerOf(
  entries: ReadonlyArray<{ messageUUID: string; xml: Uint8Array }>,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of writeContainer(entries)) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/** Runs `work` on a raw SFTP connection (no SDK: a system that does the protocol by hand). */
class RawSftp extends ConformanceSftpSender {
  protected async raw(work: (sftp: SFTPWrapper) => Promise<void>): Promise<void> {
    const { host, port, username, privateKey } = this.settings;
    const client = new ssh2.Client();
    await new Promise<void>((resolve, reject) => {
      client.once('ready', () => resolve()).once('error', reject);
      client.connect({ host, port, username, privateKey, hostVerifier: () => true });
    });
    try {
      const sftp = await new Promise<SFTPWrapper>((resolve, reject) =>
        client.sftp((error, opened) => (error ? reject(error) : resolve(opened))),
      );
      await work(sftp);
    } finally {
      client.end();
    }
  }

  protected static put(sftp: SFTPWrapper, path: string, bytes: Buffer): Promise<void> {
    return new Promise((resolve, reject) =>
      sftp.writeFile(path, bytes, (error) => (error ? reject(error) : resolve())),
    );
  }

  protected static rename(sftp: SFTPWrapper, from: string, to: string): Promise<void> {
    return new Promise((resolve, reject) =>
      sftp.rename(from, to, (error) => (error ? reject(error) : resolve())),
    );
  }

  /** The letters in containers of {@link containerSize}, each container's bytes and final name. */
  protected async containers(letters: readonly Prepared[]): Promise<Array<{ name: string; bytes: Buffer }>> {
    const out: Array<{ name: string; bytes: Buffer }> = [];
    for (let at = 0; at < letters.length; at += this.containerSize) {
      const some = letters.slice(at, at + this.containerSize);
      out.push({
        name: `${some[0]?.messageUUID}.tar.lzma`,
        bytes: await containerOf(some.map(({ messageUUID, bytes }) => ({ messageUUID, xml: bytes }))),
      });
    }
    return out;
  }
}

/** Writes each container straight under its final name: NgDP may take it half-written. */
class WritesFinalName extends RawSftp {
  protected override async upload(_sender: SftpSender, letters: readonly Prepared[]): Promise<Prepared[]> {
    const containers = await this.containers(letters);
    await this.raw(async (sftp) => {
      for (const { name, bytes } of containers) await RawSftp.put(sftp, `/in/${name}`, bytes);
    });
    return [...letters];
  }
}

/** On a failed upload, tries again under a new temporary name and leaves the old one in /in. */
class LeavesPartFiles extends RawSftp {
  protected override async upload(_sender: SftpSender, letters: readonly Prepared[]): Promise<Prepared[]> {
    for (const { name, bytes } of await this.containers(letters)) {
      for (let attempt = 1; attempt <= 3; attempt++) {
        try {
          await this.raw(async (sftp) => {
            await RawSftp.put(sftp, `/in/${name}.${attempt}.part`, bytes);
            await RawSftp.rename(sftp, `/in/${name}.${attempt}.part`, `/in/${name}`);
          });
          break;
        } catch {
          await sleep(1_000);
        }
      }
    }
    return [...letters];
  }
}

/** Writes a connection-test file at the top of its home, where nothing may be written. */
class ProbesRoot extends RawSftp {
  override async run(): Promise<void> {
    await this.raw((sftp) =>
      RawSftp.put(sftp, '/forbindelsestest.txt', Buffer.from('test\n')).catch(() => {}),
    );
    await super.run();
  }
}

/** Logs in once with a password (and its key) before it starts: ssh2 tries the password first. */
class TriesPasswordFirst extends RawSftp {
  override async run(): Promise<void> {
    const { host, port, username, privateKey } = this.settings;
    const client = new ssh2.Client();
    await new Promise<void>((resolve, reject) => {
      client.once('ready', () => resolve()).once('error', reject);
      client.connect({ host, port, username, password: 'hemmelig', privateKey, hostVerifier: () => true });
    });
    client.end();
    await super.run();
  }
}

/** Offers another key of its machine first, which NgDP refuses, before its own. */
class OffersAnotherKey extends RawSftp {
  override async run(): Promise<void> {
    const { host, port, username } = this.settings;
    const client = new ssh2.Client();
    await new Promise<void>((resolve) => {
      client.once('ready', () => resolve()).once('error', () => resolve());
      client.connect({
        host,
        port,
        username,
        privateKey: ssh2.utils.generateKeyPairSync('ecdsa', { bits: 256 }).private,
        hostVerifier: () => true,
      });
    });
    client.end();
    await super.run();
  }
}

/** Opens a new connection for every look into /out/receipts, twice a second and more. */
class ReconnectsEveryLook extends ConformanceSftpSender {
  protected override pollMs = 400;
  protected override async readReceipts(
    _sender: SftpSender,
    ours: ReadonlyMap<string, Prepared>,
    waiting: Map<string, Prepared>,
  ): Promise<void> {
    const { host, port, username, privateKey, hostKey } = this.settings;
    await using fresh = new SftpSender({ host, port, username, privateKey, hostKey });
    await super.readReceipts(fresh, ours, waiting);
  }
}

/** Uploads without a journal: after a lost rename answer it cannot know NgDP took the container. */
class NoJournal extends ConformanceSftpSender {
  protected override newSender(): SftpSender {
    const { host, port, username, privateKey, hostKey } = this.settings;
    const sender = new SftpSender({ host, port, username, privateKey, hostKey });
    sender.on('uploaded', (upload) => this.remember(upload.messageUUIDs));
    return sender;
  }
}

/** Builds every letter again, under new messageUUIDs, after a failed upload. */
class NewUuidsOnRetry extends ConformanceSftpSender {
  protected override async upload(sender: SftpSender, letters: readonly Prepared[]): Promise<Prepared[]> {
    try {
      await sender.send(
        letters.map((each) => each.bytes),
        { maxMessagesPerContainer: this.containerSize },
      );
      return [...letters];
    } catch {
      await sleep(1_000);
      const again: Prepared[] = [];
      for (const each of letters) again.push(await this.prepare(each.letter));
      return super.upload(sender, again);
    }
  }
}

/** Gives up at the first failed upload: the letters NgDP does not have yet are reported FAILED. */
class GivesUpOnError extends ConformanceSftpSender {
  protected override maxAttempts = 1;
}

/** Takes the letters of an upload whose rename answer was lost for failed, and sends the rest. */
class LostAnswerAsFailed extends ConformanceSftpSender {
  private underWay: string | undefined;

  protected override newSender(): SftpSender {
    const sender = super.newSender();
    sender.on('upload-start', (start) => {
      this.underWay = start.name.split('.')[0];
    });
    return sender;
  }

  protected override async upload(sender: SftpSender, letters: readonly Prepared[]): Promise<Prepared[]> {
    try {
      await sender.send(
        letters.map((each) => each.bytes),
        { maxMessagesPerContainer: this.containerSize },
      );
      return [...letters];
    } catch {
      const first = letters.findIndex((each) => each.messageUUID.toLowerCase() === this.underWay);
      const lost = letters.slice(Math.max(0, first), Math.max(0, first) + this.containerSize);
      for (const each of lost)
        this.report({ ref: each.letter.ref, messageUUID: each.messageUUID, outcome: 'FAILED' });
      await sleep(1_000);
      return super.upload(
        sender,
        letters.filter((each) => !lost.includes(each)),
      );
    }
  }
}

/** Tries again at once after a refusal. */
class RetriesAtOnce extends ConformanceSftpSender {
  protected override firstBackoffMs = 0;
}

/** Tries twelve times, a second apart, before it gives up. */
class RetriesTooLong extends ConformanceSftpSender {
  protected override maxAttempts = 12;
  protected override backoffFactor = 1;
}

/** Under a lasting refusal, reports letters PENDING ("will try later") instead of FAILED. */
class GivesUpSilently extends ConformanceSftpSender {
  protected override report(line: ReportLine): void {
    super.report(
      line.outcome === 'FAILED' && line.messageUUID === null ? { ...line, outcome: 'PENDING' } : line,
    );
  }
}

/** Never looks into /out/errors. */
class IgnoresErrorFiles extends ConformanceSftpSender {
  protected override async handleErrorFiles(): Promise<void> {}
}

/** Reads the error files, and leaves them. */
class KeepsErrorFiles extends ConformanceSftpSender {
  protected override async handleErrorFiles(sender: SftpSender): Promise<void> {
    for await (const refused of sender.errors()) process.stderr.write(`error file ${refused.file}\n`);
  }
}

/** Reads its receipt files and never removes them. */
class KeepsReceiptFiles extends ConformanceSftpSender {
  protected override async readReceipts(
    sender: SftpSender,
    _ours: ReadonlyMap<string, Prepared>,
    waiting: Map<string, Prepared>,
  ): Promise<void> {
    for await (const file of sender.receipts()) {
      const item = waiting.get(file.receipt.messageUUID?.toLowerCase() ?? '');
      if (item === undefined) continue;
      this.report(this.lineOf(item, file.receipt));
      waiting.delete(item.messageUUID.toLowerCase());
    }
  }
}

/** Reports each letter PENDING as soon as it is uploaded: it never looks for receipts. */
class NeverLooksForReceipts extends ConformanceSftpSender {
  protected override async followReceipts(_sender: SftpSender, letters: readonly Prepared[]): Promise<void> {
    for (const each of letters)
      this.report({ ref: each.letter.ref, messageUUID: each.messageUUID, outcome: 'PENDING' });
  }
}

/** Looks once, waits, then gives up on what had not come at that first look. */
class StopsFollowingEarly extends ConformanceSftpSender {
  protected override async followReceipts(sender: SftpSender, letters: readonly Prepared[]): Promise<void> {
    const ours = new Map(letters.map((each) => [each.messageUUID.toLowerCase(), each]));
    const waiting = new Map(ours);
    await this.readReceipts(sender, ours, waiting);
    await sleep(6_000);
    for (const each of waiting.values())
      this.report({ ref: each.letter.ref, messageUUID: each.messageUUID, outcome: 'PENDING' });
  }
}

/** Lists /out/receipts in a tight loop. */
class Hammers extends ConformanceSftpSender {
  protected override pollMs = 20;
}

/** Uploads an empty container first, as a connection test (NgDP refuses it with an error file). */
class SendsEmptyContainer extends ConformanceSftpSender {
  override async run(): Promise<void> {
    const path = join(this.settings.stateDir, `${this.scenario.scenario}-test.tar.lzma`);
    await writeFile(path, await containerOf([]));
    {
      await using sender = this.newSender();
      await sender.sendFiles([path], { validate: false });
    }
    await super.run();
  }
}

/** Names the first letter's container entry after another messageUUID than its MeMo's. */
class MisnamesAnEntry extends ConformanceSftpSender {
  protected override async upload(sender: SftpSender, letters: readonly Prepared[]): Promise<Prepared[]> {
    const [first, ...rest] = letters;
    if (first === undefined) return super.upload(sender, letters);
    const path = join(this.settings.stateDir, `${this.scenario.scenario}-misnamed.tar.lzma`);
    await writeFile(path, await containerOf([{ messageUUID: randomUUID(), xml: first.bytes }]));
    await sender.sendFiles([path], { validate: false });
    return [first, ...(await super.upload(sender, rest))];
  }
}

/** Maps one receipt status to the wrong outcome. */
function misreads(from: string, to: ReportLine['outcome']) {
  return class extends ConformanceSftpSender {
    protected override outcomeOf(receiptStatus: string): ReportLine['outcome'] {
      return receiptStatus === from ? to : super.outcomeOf(receiptStatus);
    }
  };
}

/** Leaves NgDP's errorCode out of its report lines. */
class DropsErrorCode extends ConformanceSftpSender {
  protected override lineOf(item: Prepared, receipt: Receipt): ReportLine {
    const { errorCode: _dropped, ...line } = super.lineOf(item, receipt);
    return line;
  }
}

/** Changes one part of each MeMo it builds (unchecked when `validate` is false). */
function builds(mistake: MemoMistake | undefined) {
  if (mistake === undefined) throw new Error('no such MeMo mistake');
  const { change, validate } = mistake;
  return class extends ConformanceSftpSender {
    protected override validate = validate;
    protected override async buildMemo(letter: ScenarioLetter): Promise<Memo> {
      const memo = await super.buildMemo(letter);
      change(memo, letter);
      return memo;
    }
  };
}

/** Changes the letter before its MeMo is built. */
function reads(change: (letter: ScenarioLetter) => ScenarioLetter) {
  return class extends ConformanceSftpSender {
    protected override buildMemo(letter: ScenarioLetter): Promise<Memo> {
      return super.buildMemo(change(letter));
    }
  };
}

/** Writes its report lines with one mistake. */
function reports(
  change: ((line: ReportLine, letters: readonly ScenarioLetter[]) => ReportLine[]) | undefined,
) {
  if (change === undefined) throw new Error('no such report mistake');
  return class extends ConformanceSftpSender {
    protected override report(line: ReportLine): void {
      for (const each of change(line, this.scenario.letters)) super.report(each);
    }
  };
}

/** Sends a connection-test letter of its own first. */
class SendsATestLetter extends ConformanceSftpSender {
  protected override async upload(sender: SftpSender, letters: readonly Prepared[]): Promise<Prepared[]> {
    const memo = await createLetter({
      sender: this.scenario.sender,
      recipient: { cpr: '0101700001' },
      label: 'Forbindelsestest',
      document: { content: Buffer.from(`%PDF-1.4\n% test ${randomUUID()}\n%%EOF\n`), filename: 'test.pdf' },
    });
    await sender.send([serializeMemoToBytes(memo)]);
    return super.upload(sender, letters);
  }
}

/** Never sends letters to companies (CVR): reports them FAILED. */
class SkipsCompanyLetters extends ConformanceSftpSender {
  protected override async upload(sender: SftpSender, letters: readonly Prepared[]): Promise<Prepared[]> {
    const [companies, citizens] = [
      letters.filter((l) => 'cvr' in l.letter.recipient),
      letters.filter((l) => !('cvr' in l.letter.recipient)),
    ];
    for (const each of companies) this.report({ ref: each.letter.ref, messageUUID: null, outcome: 'FAILED' });
    return super.upload(sender, citizens);
  }
}

/** Stays after reporting, until it is stopped. */
class Overstays extends ConformanceSftpSender {
  override async run(): Promise<void> {
    await super.run();
    await sleep(600_000);
  }
}

const KINDS: Readonly<
  Record<string, new (...args: ConstructorParameters<typeof ConformanceSftpSender>) => ConformanceSftpSender>
> = {
  'writes-final-name': WritesFinalName,
  'leaves-part-files': LeavesPartFiles,
  'probes-root': ProbesRoot,
  'tries-password-first': TriesPasswordFirst,
  'offers-another-key': OffersAnotherKey,
  'reconnects-every-look': ReconnectsEveryLook,
  'no-journal': NoJournal,
  'new-uuids-on-retry': NewUuidsOnRetry,
  'gives-up-on-error': GivesUpOnError,
  'lost-answer-as-failed': LostAnswerAsFailed,
  'retries-at-once': RetriesAtOnce,
  'retries-too-long': RetriesTooLong,
  'gives-up-silently': GivesUpSilently,
  'ignores-error-files': IgnoresErrorFiles,
  'keeps-error-files': KeepsErrorFiles,
  'keeps-receipt-files': KeepsReceiptFiles,
  'never-looks-for-receipts': NeverLooksForReceipts,
  'stops-following-early': StopsFollowingEarly,
  hammers: Hammers,
  'sends-empty-container': SendsEmptyContainer,
  'misnames-an-entry': MisnamesAnEntry,
  'not-allowed-as-delivered': misreads('NOT_ALLOWED', 'DELIVERED'),
  'completed-as-not-delivered': misreads('COMPLETED', 'NOT_DELIVERED'),
  'invalid-as-failed': misreads('INVALID', 'FAILED'),
  'drops-error-code': DropsErrorCode,
  'time-of-day': builds({
    validate: false,
    change: (memo, letter) => {
      if (letter.valueDate !== undefined)
        memo.messageHeader.doNotDeliverUntilDate = `${letter.valueDate}T08:00:00`;
    },
  }),
  'zoned-value-date': builds({
    validate: false,
    change: (memo, letter) => {
      if (letter.valueDate !== undefined)
        memo.messageHeader.doNotDeliverUntilDate = `${letter.valueDate}+01:00`;
    },
  }),
  'value-date-off-by-one': reads((letter) =>
    letter.valueDate === undefined ? letter : { ...letter, valueDate: dayBefore(letter.valueDate) },
  ),
  'always-value-date': reads((letter) => ({
    ...letter,
    valueDate: letter.valueDate ?? new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10),
  })),
  'sends-beyond-horizon': class extends ConformanceSftpSender {
    protected override latestValueDate(): string {
      return '9999-12-31';
    }
  },
  'invalid-memo': builds(MEMO_MISTAKES['invalid-memo']),
  'wrong-sender-label': builds(MEMO_MISTAKES['wrong-sender-label']),
  'renames-attachments': builds(MEMO_MISTAKES['renames-attachments']),
  'generic-label': builds(MEMO_MISTAKES['generic-label']),
  'uuid-from-ref': builds(MEMO_MISTAKES['uuid-from-ref']),
  'sends-a-test-letter': SendsATestLetter,
  'skips-company-letters': SkipsCompanyLetters,
  'garbled-report': reports(REPORT_MISTAKES['garbled-report']),
  'forgets-a-letter': reports(REPORT_MISTAKES['forgets-a-letter']),
  'reports-wrong-uuid': reports(REPORT_MISTAKES['reports-wrong-uuid']),
  'crashes-at-end': ConformanceSftpSender,
  overstays: Overstays,
};

/** The kinds of broken adapter this module plays. */
export const BROKEN_SFTP_SENDERS = Object.keys(KINDS);

if (import.meta.url === `file://${process.argv[1]}`) {
  const kind = process.argv[2] ?? '';
  const Kind = KINDS[kind];
  if (Kind === undefined) throw new Error(`no broken SFTP sender ${kind}`);
  await new Kind(settingsFromEnvironment()).run();
  if (kind === 'crashes-at-end') process.exitCode = 3;
}
