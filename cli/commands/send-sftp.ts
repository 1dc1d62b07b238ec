/**
 * `digitalpost send --sftp HOST:PORT …`: MeMo files packed into `.tar.lzma` containers and
 * ready-made containers uploaded to NgDP's SFTP server with `SftpSender`; one line per file, a
 * progress display on stderr for large batches, and a journal that makes a repeated run after a
 * crash send exactly what is missing.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Receipt } from '../../sdk/client/types.ts';
import { DigitalPostError, type InvalidBatchMessage, SftpError, SftpSendError } from '../../sdk/errors.ts';
import type { MemoIssue } from '../../sdk/memo/types.ts';
import { maskCpr } from '../../sdk/ngdp/identifiers.ts';
import { fileKind } from '../../sdk/sftp/files.ts';
import type { SftpSendResult, SftpUpload } from '../../sdk/sftp/types.ts';
import { reason } from '../files.ts';
import { CliError, type CliIO, EXIT, errorCode } from '../io.ts';
import { formatBytes, progressDisplay } from '../progress.ts';
import { type SftpConnection, type SftpFlags, sftpConnection } from '../sftp.ts';
import { jsonLine, printable } from '../text.ts';

export interface SendSftpFlags extends SftpFlags {
  validate: boolean;
  json?: boolean;
  wait?: boolean;
  /** Seconds. */
  waitTimeout: number;
  journal?: string;
  maxPerContainer?: number;
  quiet?: boolean;
}

/** From this many files on, a batch shows its progress and a summary on stderr. */
const LARGE_BATCH = 50;

/** What became of one file; also its `--json` line. */
interface FileResult {
  file: string;
  sent: boolean;
  /** A MeMo file: its messageUUID. */
  messageUUID?: string;
  /** A container file: the messageUUIDs in it (when validated). */
  messageUUIDs?: string[];
  /** The upload's name in /in on the server (a MeMo file: the container it went in). */
  upload?: string;
  /** True when the journal says an earlier run uploaded it. */
  alreadySent?: boolean;
  /** With --wait: the business receipt (a MeMo file), or null when none came in time. */
  businessReceipt?: Receipt | null;
  /** With --wait: the business receipts of a container file's messages. */
  businessReceipts?: Receipt[];
  error?: { code: string; message: string; issues?: Array<Pick<MemoIssue, 'path' | 'code' | 'message'>> };
}

/** The MeMo files and container files to send, in order. */
interface Inputs {
  memos: string[];
  containers: string[];
}

/**
 * Finds the files of `paths` (a directory gives its *.xml and *.tar.lzma, in name order); undefined
 * when any cannot be used, each said on stderr.
 */
async function inputsOf(paths: string[], io: CliIO): Promise<Inputs | undefined> {
  const inputs: Inputs = { memos: [], containers: [] };
  const add = (file: string): void => {
    if (fileKind(file) === 'container') inputs.containers.push(file);
    else inputs.memos.push(file);
  };
  let problems = 0;
  const problem = (text: string): void => {
    io.stderr(`digitalpost: ${text} (nothing was sent)\n`);
    problems++;
  };
  for (const path of paths) {
    let isDirectory: boolean;
    try {
      const stats = await stat(path);
      if (!stats.isDirectory() && !stats.isFile()) {
        problem(`cannot read ${path}: not a regular file or directory`);
        continue;
      }
      isDirectory = stats.isDirectory();
    } catch (error) {
      problem(`cannot read ${path}: ${reason(error)}`);
      continue;
    }
    if (!isDirectory) {
      if (fileKind(path) === undefined)
        problem(`${path} is neither a MeMo (.xml) nor a container (.tar.lzma)`);
      else add(path);
      continue;
    }
    let names: string[];
    try {
      const entries = await readdir(path, { withFileTypes: true });
      names = entries
        .filter((entry) => entry.isFile() && fileKind(entry.name) !== undefined)
        .map((entry) => entry.name)
        .sort();
    } catch (error) {
      problem(`cannot read the directory ${path}: ${reason(error)}`);
      continue;
    }
    if (names.length === 0)
      problem(`the directory ${path} holds no MeMo (.xml) or container (.tar.lzma) files`);
    for (const name of names) add(join(path, name));
  }
  return problems > 0 ? undefined : inputs;
}

function issuesOf(invalid: InvalidBatchMessage): FileResult['error'] {
  const { error } = invalid;
  const issues = error.issues.map(({ path, code, message }) => ({ path, code, message }));
  return { code: error.code, message: error.message, issues };
}

/** A business receipt's line; every field came from the server, and is printed escaped. */
function businessLine(file: string, receipt: Receipt): string {
  const code = receipt.errorCode === undefined ? '' : ` ${String(receipt.errorCode)}`;
  const message = receipt.errorMessage === undefined ? '' : `: ${maskCpr(String(receipt.errorMessage))}`;
  return `${printable(`${file}: ${String(receipt.receiptStatus)} ${String(receipt.messageUUID)} (business receipt)${code}${message}`)}\n`;
}

/** One run of `send --sftp`. */
class SftpSendRun {
  private readonly inputs: Inputs;
  private readonly flags: SendSftpFlags;
  private readonly io: CliIO;
  private readonly connection: SftpConnection;
  private readonly results: FileResult[] = [];
  /** Upload name → the results of the files in it (to match error files). */
  private readonly byUpload = new Map<string, FileResult[]>();
  private readonly progress;
  private readonly large: boolean;
  private failed = false;
  private done = 0;
  private bytes = 0;
  private bytesBefore = 0;
  private uploads = 0;
  /** The upload begun and not yet confirmed (its name in /in). */
  private inFlight: string | undefined;

  constructor(inputs: Inputs, flags: SendSftpFlags, io: CliIO, connection: SftpConnection) {
    this.inputs = inputs;
    this.flags = flags;
    this.io = io;
    this.connection = connection;
    const total = inputs.memos.length + inputs.containers.length;
    this.large = total >= LARGE_BATCH;
    this.progress = progressDisplay(io, { unit: 'files', quiet: flags.quiet === true || !this.large });
    this.listen();
  }

  private get total(): number {
    return this.inputs.memos.length + this.inputs.containers.length;
  }

  private showProgress(): void {
    this.progress.update({ done: this.done, total: this.total, bytes: this.bytes, uploads: this.uploads });
  }

  private listen(): void {
    const { sender } = this.connection;
    sender.on('upload-progress', ({ bytes }) => {
      this.bytes = this.bytesBefore + bytes;
      this.showProgress();
    });
    sender.on('upload-start', ({ name }) => {
      this.inFlight = name;
    });
    sender.on('uploaded', (upload) => {
      this.inFlight = undefined;
      this.uploaded(upload);
    });
    sender.on('skipped', (skipped) => {
      const file = skipped.file ?? this.inputs.memos[skipped.index ?? -1];
      if (file === undefined) return;
      this.finish({
        file,
        sent: true,
        alreadySent: true,
        ...(skipped.messageUUID === undefined ? {} : { messageUUID: skipped.messageUUID }),
      });
    });
  }

  private uploaded(upload: SftpUpload): void {
    this.uploads++;
    this.bytesBefore += upload.bytes;
    this.bytes = this.bytesBefore;
    const files: FileResult[] = [];
    if (upload.kind === 'container') {
      for (const [i, index] of (upload.indexes ?? []).entries()) {
        const file = this.inputs.memos[index];
        const messageUUID = upload.messageUUIDs[i];
        if (file !== undefined && messageUUID !== undefined)
          files.push({ file, sent: true, messageUUID, upload: upload.name });
      }
    } else if (upload.file !== undefined) {
      files.push({ file: upload.file, sent: true, messageUUIDs: upload.messageUUIDs, upload: upload.name });
    }
    this.byUpload.set(upload.name, files);
    for (const result of files) this.finish(result);
  }

  /** A file's outcome so far: printed now, or (JSON with --wait) once its receipt is known. */
  private finish(result: FileResult): void {
    this.done++;
    this.results.push(result);
    if (!result.sent) {
      this.failed = true;
      this.printFailure(result);
    } else if (!this.flags.json) {
      this.progress.finish();
      const what =
        result.messageUUID !== undefined
          ? `${result.messageUUID} `
          : result.messageUUIDs !== undefined && result.messageUUIDs.length > 0
            ? `${result.messageUUIDs.length} messages `
            : '';
      this.io.stdout(
        result.alreadySent
          ? `${result.file}: ALREADY UPLOADED ${what}(journal)\n`
          : `${result.file}: UPLOADED ${what}(in /in/${result.upload})\n`,
      );
    }
    if (this.flags.json && !(this.flags.wait && result.sent && !result.alreadySent)) this.json(result);
    this.showProgress();
  }

  private json(result: FileResult): void {
    this.io.stdout(jsonLine(result));
  }

  private printFailure(result: FileResult): void {
    const { error } = result;
    if (error === undefined) return;
    this.progress.finish();
    if (error.issues !== undefined && error.issues.length > 0) {
      for (const issue of error.issues)
        this.io.stderr(
          `digitalpost: ${printable(`${result.file}: not sent: ${issue.path ? `${issue.path}: ` : ''}${issue.message}`)}\n`,
        );
    } else this.io.stderr(`digitalpost: ${printable(`${result.file}: not sent: ${error.message}`)}\n`);
  }

  private invalid(skipped: readonly InvalidBatchMessage[], files: readonly string[]): void {
    for (const invalid of skipped) {
      const file = (invalid as { file?: string }).file ?? files[invalid.index];
      if (file !== undefined) this.finish({ file, sent: false, error: issuesOf(invalid) });
    }
  }

  /** Sends everything; the exit code. */
  async run(): Promise<number> {
    const { sender } = this.connection;
    const { memos, containers } = this.inputs;
    const sent: SftpSendResult[] = [];
    try {
      if (memos.length > 0) {
        async function* contents(): AsyncGenerator<Buffer> {
          for (const file of memos) yield await readFile(file);
        }
        const result = await sender.send(contents(), {
          validate: this.flags.validate,
          onInvalid: 'skip',
          ...(this.flags.maxPerContainer === undefined
            ? {}
            : { maxMessagesPerContainer: this.flags.maxPerContainer }),
        });
        this.invalid(result.skipped, memos);
        sent.push(result);
      }
      if (containers.length > 0) {
        const result = await sender.sendFiles(containers, {
          validate: this.flags.validate,
          onInvalid: 'skip',
        });
        this.invalid(result.skipped, containers);
        sent.push(result);
      }
    } catch (error) {
      this.progress.finish();
      throw this.stopped(error);
    }
    await this.notTaken();
    if (this.flags.wait) await this.waitForReceipts();
    this.progress.finish();
    this.summary(sent);
    return this.failed ? EXIT.failed : EXIT.ok;
  }

  /** The one line for a run that stopped, and where it got to. */
  private stopped(error: unknown): CliError {
    const cause = error instanceof SftpSendError ? error.cause : error;
    if (error instanceof SftpSendError) this.invalid(error.skipped, []);
    const uploaded = this.results.filter((result) => result.sent).length;
    const where =
      uploaded === 0
        ? 'nothing was sent'
        : `${uploaded} of ${this.total} files were uploaded${this.flags.journal === undefined ? '' : '; run the same command again to send the rest'}`;
    const text =
      cause instanceof SftpError || !(cause instanceof Error)
        ? this.connection.describe(cause)
        : (cause as NodeJS.ErrnoException).code !== undefined &&
            (cause as NodeJS.ErrnoException).path !== undefined
          ? `cannot read ${(cause as NodeJS.ErrnoException).path}: ${reason(cause)}`
          : cause.message;
    const usage = cause instanceof SftpError && cause.code === 'SFTP_JOURNAL_INVALID';
    const code = cause instanceof DigitalPostError ? cause.code : undefined;
    if (this.renameAnswerLost(cause))
      return new CliError(
        `${printable(text)}; ${uploaded === 0 ? 'no upload was confirmed' : where}, and ${this.inFlight ?? 'the last upload'} may have been taken: its rename was sent but the answer was lost. ${
          this.flags.journal === undefined
            ? 'Sending the same files again may send its letters twice (NgDP answers those with DUPLICATE_MESSAGE_UUID receipts); check with receipts pull --sftp, and use --journal to resume safely'
            : 'Run the same command again: the journal finds out whether the server has it and sends exactly what is missing'
        }`,
        EXIT.failed,
        'UNKNOWN_OUTCOME',
      );
    return new CliError(`${printable(text)}; ${where}`, usage ? EXIT.usage : EXIT.failed, code);
  }

  /**
   * Whether the run stopped with the connection lost while the server was renaming an upload to its
   * final name: the server may have done it, and taken the upload, without the answer arriving.
   */
  private renameAnswerLost(cause: unknown): boolean {
    return (
      this.inFlight !== undefined &&
      cause instanceof SftpError &&
      (cause.code === 'SFTP_CONNECTION_FAILED' || cause.code === 'SFTP_TIMEOUT') &&
      // The session names a rename's path "<from>.part to <to>".
      /\.part to /.test(cause.path ?? '')
    );
  }

  /** Reports the uploads of this run the server did not take (their error files stay). */
  private async notTaken(): Promise<void> {
    if (this.byUpload.size === 0) return;
    try {
      for await (const refused of this.connection.sender.errors()) {
        const files = this.byUpload.get(refused.upload);
        if (files === undefined) continue;
        for (const result of files) {
          result.sent = false;
          result.error = {
            code: refused.error.code,
            message: `not taken by the server: ${refused.error.message}`,
          };
          this.failed = true;
          this.progress.finish();
          this.io.stderr(
            `digitalpost: ${printable(`${result.file}: not taken by the server (/out/errors/${refused.file}): ${String(refused.error.code)}: ${maskCpr(refused.error.message)}`)}\n`,
          );
        }
      }
    } catch (error) {
      throw new CliError(
        `${this.connection.describe(error)}; while reading /out/errors (the files were uploaded)`,
        EXIT.failed,
        errorCode(error),
      );
    }
  }

  private async waitForReceipts(): Promise<void> {
    const byMessage = new Map<string, FileResult>();
    for (const result of this.results)
      if (result.sent && !result.alreadySent)
        for (const uuid of result.messageUUID === undefined
          ? (result.messageUUIDs ?? [])
          : [result.messageUUID])
          byMessage.set(uuid.toLowerCase(), result);
    let found: Receipt[];
    let missing: string[];
    try {
      ({ receipts: found, missing } = await this.connection.sender.waitForReceipts(byMessage.keys(), {
        ack: false,
        timeoutMs: this.flags.waitTimeout * 1000,
        pollIntervalMs: 500,
      }));
    } catch (error) {
      throw new CliError(
        `${this.connection.describe(error)}; while waiting for business receipts (the files were uploaded)`,
        EXIT.failed,
        errorCode(error),
      );
    }
    for (const receipt of found) {
      const result = byMessage.get(receipt.messageUUID?.toLowerCase() ?? '');
      if (result === undefined) continue;
      if (receipt.receiptStatus !== 'COMPLETED') this.failed = true;
      if (result.messageUUID !== undefined) result.businessReceipt = receipt;
      else result.businessReceipts = [...(result.businessReceipts ?? []), receipt];
      if (!this.flags.json) this.io.stdout(businessLine(result.file, receipt));
    }
    for (const uuid of missing) {
      const result = byMessage.get(uuid);
      if (result === undefined) continue;
      this.failed = true;
      if (result.messageUUID !== undefined) result.businessReceipt = null;
      const message = `no business receipt within ${this.flags.waitTimeout} s; it may still come (digitalpost receipts pull --sftp …)`;
      result.error ??= { code: 'WAIT_TIMEOUT', message };
      this.io.stderr(`digitalpost: ${result.file}: ${uuid}: ${message}\n`);
    }
    if (this.flags.json)
      for (const result of this.results) if (result.sent && !result.alreadySent) this.json(result);
  }

  private summary(sent: SftpSendResult[]): void {
    if (!this.large || this.flags.quiet) return;
    const messages = sent.reduce((sum, result) => sum + result.messages, 0);
    const already = sent.reduce((sum, result) => sum + result.alreadySent, 0);
    const invalid = sent.reduce((sum, result) => sum + result.skipped.length, 0);
    const parts = [
      `uploaded ${messages} messages in ${this.uploads} files (${formatBytes(this.bytesBefore)}) to ${this.connection.server}`,
      ...(already > 0 ? [`${already} already uploaded (journal)`] : []),
      ...(invalid > 0 ? [`${invalid} not sent`] : []),
    ];
    this.io.stderr(`digitalpost: ${parts.join('; ')}\n`);
  }
}

/** `digitalpost send --sftp …`: the exit code. */
export async function sendOverSftp(paths: string[], flags: SendSftpFlags, io: CliIO): Promise<number> {
  const inputs = await inputsOf(paths, io);
  if (inputs === undefined) return EXIT.usage;
  const connection = await sftpConnection(
    flags,
    io,
    flags.journal === undefined ? {} : { journal: flags.journal },
  );
  try {
    await connection.connect('nothing was sent');
    return await new SftpSendRun(inputs, flags, io, connection).run();
  } finally {
    await connection.close();
  }
}
