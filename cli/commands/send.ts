import { readFile } from 'node:fs/promises';
import { type Command, Option } from 'commander';
import type { Receipt } from '../../sdk/client/types.ts';
import { DuplicateMessageError, MemoValidationError, UnknownOutcomeError } from '../../sdk/errors.ts';
import { sleep } from '../../sdk/http/deadline.ts';
import { readMemo } from '../../sdk/memo/reader.ts';
import type { MemoIssue } from '../../sdk/memo/types.ts';
import { maskCpr } from '../../sdk/ngdp/identifiers.ts';
import {
  addConnectionOptions,
  type Connection,
  type ConnectionFlags,
  connect,
  count,
  seconds,
  stopsTheRun,
} from '../connection.ts';
import { reason, unreadable } from '../files.ts';
import { CliError, type CliIO, EXIT, errorCode, reportItemProblem } from '../io.ts';
import { addSftpOptions, refuseSftpFlags } from '../sftp.ts';
import { jsonLine, printable } from '../text.ts';
import { type SendSftpFlags, sendOverSftp } from './send-sftp.ts';

interface SendFlags extends ConnectionFlags {
  validate: boolean;
  json?: boolean;
  wait?: boolean;
  /** Seconds. */
  waitTimeout: number;
}

/** What became of one file; also its `--json` line. */
interface FileResult {
  file: string;
  /**
   * `null`: NgDP may have the letter — the answer was lost, or NgDP already holds a message under its
   * messageUUID — so it is neither "sent" nor "not sent".
   */
  sent: boolean | null;
  messageUUID?: string;
  /** The technical receipt (`RECEIVED`). */
  receipt?: Receipt;
  /** With `--wait`: the business receipt, or null when none came in time. */
  businessReceipt?: Receipt | null;
  error?: { code: string; message: string; issues?: Array<Pick<MemoIssue, 'path' | 'code' | 'message'>> };
}

/** Sends one file; resolves to a failed result for problems of this file, throws for run-wide ones. */
async function sendFile(connection: Connection, file: string, validate: boolean): Promise<FileResult> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    return { file, sent: false, error: { code: 'UNREADABLE', message: `cannot read it: ${reason(error)}` } };
  }
  try {
    const receipt = await connection.client.memos.send(bytes, { validate });
    const messageUUID = receipt.messageUUID ?? messageUUIDOf(bytes);
    return { file, sent: true, messageUUID, receipt };
  } catch (error) {
    if (stopsTheRun(error)) throw error;
    if (error instanceof MemoValidationError) {
      const issues = error.issues.map(({ path, code, message }) => ({ path, code, message }));
      return { file, sent: false, error: { code: error.code, message: error.message, issues } };
    }
    if (error instanceof UnknownOutcomeError || error instanceof DuplicateMessageError)
      return { file, sent: null, messageUUID: messageUUIDOf(bytes), ...maybeSent(connection, error) };
    const code = (error as { code?: unknown }).code;
    return {
      file,
      sent: false,
      error: { code: typeof code === 'string' ? code : 'FAILED', message: connection.describe(error) },
    };
  }
}

/** The messageUUID of a MeMo file, when it can be read. */
function messageUUIDOf(bytes: Buffer): string | undefined {
  try {
    return readMemo(bytes).memo.messageHeader?.messageUUID;
  } catch {
    return undefined;
  }
}

const SAFE_AGAIN =
  'sending the same file again is safe (the same messageUUID never makes a second letter), and its ' +
  'business receipt will tell what became of it (digitalpost receipts pull)';

/** The result of a file that NgDP may have: never "not sent". */
function maybeSent(
  connection: Connection,
  error: UnknownOutcomeError | DuplicateMessageError,
): Pick<FileResult, 'error' | 'receipt'> {
  if (error instanceof DuplicateMessageError) {
    const original = error.originalReceipt;
    const earlier =
      original === undefined ? '' : ` (transmissionId ${original.transmissionId}, ${original.timeStamp})`;
    return {
      ...(original === undefined ? {} : { receipt: original as Receipt }),
      error: {
        code: error.code,
        message:
          `NgDP already holds a message under this messageUUID${earlier}, so it was not sent again. If it ` +
          'is this letter, it was sent earlier and its business receipt will tell what became of it ' +
          '(digitalpost receipts pull); only a different letter needs a new messageUUID',
      },
    };
  }
  const cause = error.cause === undefined ? error.message : connection.describe(error.cause);
  return { error: { code: error.code, message: `the answer was lost (${cause}); ${SAFE_AGAIN}` } };
}

function printFailure(result: FileResult, io: CliIO): void {
  const error = result.error;
  if (error === undefined) return;
  const file = result.file;
  if (result.sent === null) {
    reportItemProblem(io, error.code, `${file}: may be at NgDP: ${error.message}`);
  } else if (error.issues !== undefined && error.issues.length > 0) {
    for (const issue of error.issues)
      reportItemProblem(
        io,
        issue.code,
        `${file}: not sent: ${issue.path ? `${issue.path}: ` : ''}${issue.message}`,
      );
  } else reportItemProblem(io, error.code, `${file}: not sent: ${error.message}`);
}

function technicalLine(result: FileResult): string {
  const receipt = result.receipt;
  return `${printable(`${result.file}: ${receipt?.receiptStatus ?? 'RECEIVED'} ${result.messageUUID} (technical receipt, transmissionId ${receipt?.transmissionId})`)}\n`;
}

function businessLine(result: FileResult, receipt: Receipt): string {
  const code = receipt.errorCode === undefined ? '' : ` ${receipt.errorCode}`;
  const message = receipt.errorMessage === undefined ? '' : `: ${maskCpr(receipt.errorMessage)}`;
  return `${printable(`${result.file}: ${receipt.receiptStatus} ${result.messageUUID} (business receipt)${code}${message}`)}\n`;
}

/**
 * Polls the business receipts until every message in `pending` (by lower-case messageUUID) has
 * one or `timeoutMs` passed: a hard deadline, which also stops a poll under way. Receipts are only
 * read, not acknowledged: `receipts pull` still sees them. Calls `arrived` once per message that got
 * one.
 */
async function waitForBusinessReceipts(
  connection: Connection,
  pending: Map<string, FileResult>,
  timeoutMs: number,
  arrived: (result: FileResult, receipt: Receipt) => void,
): Promise<void> {
  const deadline = AbortSignal.timeout(timeoutMs);
  try {
    for (let delay = 100; pending.size > 0; delay = Math.min(delay * 2, 5_000)) {
      await sleep(delay, deadline);
      for await (const receipt of connection.client.receipts.list({ signal: deadline })) {
        const result = pending.get(receipt.messageUUID?.toLowerCase() ?? '');
        if (result === undefined || receipt.receiptStatus === 'RECEIVED') continue;
        pending.delete(receipt.messageUUID?.toLowerCase() ?? '');
        arrived(result, receipt);
        if (pending.size === 0) return;
      }
    }
  } catch (error) {
    // The deadline stopped the wait (between polls, or a poll under way): what is pending timed out.
    if (!deadline.aborted) throw error;
  }
}

async function send(files: string[], flags: SendFlags, io: CliIO): Promise<number> {
  let unreadableFiles = 0;
  for (const file of files) {
    const why = await unreadable(file);
    if (why === undefined) continue;
    io.stderr(`digitalpost: cannot read ${file}: ${why} (nothing was sent)\n`);
    unreadableFiles++;
  }
  if (unreadableFiles > 0) return EXIT.usage;
  const connection = await connect(flags, io);
  const finish = (result: FileResult): void => {
    if (flags.json) io.stdout(jsonLine(result));
  };

  let failed = false;
  const pending = new Map<string, FileResult>();
  for (const [index, file] of files.entries()) {
    let result: FileResult;
    try {
      result = await sendFile(connection, file, flags.validate);
    } catch (error) {
      const left =
        index === 0 ? 'nothing was sent' : `${files.length - index} of ${files.length} files not sent`;
      throw new CliError(`${connection.describe(error)}; ${left}`, EXIT.failed, errorCode(error));
    }
    if (result.sent !== true) {
      failed = true;
      printFailure(result, io);
      // A letter NgDP may have gets a business receipt if it is there: --wait waits for it too.
      if (result.sent === null && flags.wait && result.messageUUID !== undefined)
        pending.set(result.messageUUID.toLowerCase(), result);
      else finish(result);
      continue;
    }
    if (!flags.json) io.stdout(technicalLine(result));
    if (flags.wait) pending.set(result.messageUUID?.toLowerCase() ?? '', result);
    else finish(result);
  }
  if (pending.size === 0) return failed ? EXIT.failed : EXIT.ok;

  try {
    await waitForBusinessReceipts(connection, pending, flags.waitTimeout * 1000, (result, receipt) => {
      result.businessReceipt = receipt;
      if (receipt.receiptStatus !== 'COMPLETED') failed = true;
      if (!flags.json) io.stdout(businessLine(result, receipt));
      finish(result);
    });
  } catch (error) {
    throw new CliError(
      `${connection.describe(error)}; while waiting for business receipts (the files were sent)`,
      EXIT.failed,
      errorCode(error),
    );
  }
  for (const result of pending.values()) {
    failed = true;
    result.businessReceipt = null;
    const message = `no business receipt within ${flags.waitTimeout} s; it may still come (digitalpost receipts pull)`;
    // A letter NgDP may have keeps its own error: still not known.
    if (result.sent !== null) result.error = { code: 'WAIT_TIMEOUT', message };
    io.stderr(`digitalpost: ${printable(`${result.file}: ${result.messageUUID}: ${message}`)}\n`);
    finish(result);
  }
  return failed ? EXIT.failed : EXIT.ok;
}

/** `digitalpost send` */
export function registerSendCommand(program: Command, io: CliIO, setExitCode: (code: number) => void): void {
  const command = program
    .command('send')
    .description(
      'send MeMo XML files (validated first); one line per file with its messageUUID and technical receipt. ' +
        'With --sftp: upload MeMo files packed into .tar.lzma containers, and ready-made containers, to the SFTP server',
    )
    .argument('<file...>', 'MeMo XML files; with --sftp also .tar.lzma containers and directories of both')
    .option('--no-validate', 'send without validating locally first (NgDP still validates)')
    .option('--wait', 'then wait for each business receipt and print it (it stays for receipts pull)')
    .option(
      '--wait-timeout <seconds>',
      'how long --wait waits for the business receipts',
      seconds('--wait-timeout'),
      120,
    )
    .option(
      '--json',
      'print one JSON object per file (JSON Lines): {file, sent, messageUUID, receipt, …}; sent is null when NgDP may have the letter',
    );
  addConnectionOptions(command);
  addSftpOptions(command, [
    new Option(
      '--journal <file>',
      'record every upload in this file; running the same command again after a crash sends exactly what is missing',
    ),
    new Option(
      '--max-per-container <n>',
      'at most this many MeMos in one container (default 1000)',
    ).argParser(count('--max-per-container')),
    new Option('--quiet', 'no progress display and summary on stderr'),
  ])
    .addHelpText(
      'after',
      [
        '',
        'Sending the same file again is safe: NgDP answers with the original receipt, not a second letter.',
        'A file whose answer was lost is reported as "may be at NgDP", never as "not sent": send it again',
        'unchanged, or look for its business receipt (digitalpost receipts pull).',
        '--wait needs a sender system that pulls its business receipts (REST_PULL, or SFTP with --sftp).',
        '',
        'With --sftp, MeMo files (given, or the *.xml of a directory) go up packed into containers named',
        '<messageUUID of the first>.tar.lzma, .tar.lzma files as they are; each is written under a .part',
        'name and renamed. One line per file: "FILE: UPLOADED messageUUID (in /in/NAME)". Large batches',
        'show their progress on stderr (a bar on a terminal). Example, against the simulator:',
        '  digitalpost send --sftp 127.0.0.1:4522 --user testkommune --key ~/.ssh/id_ed25519 \\',
        '    --host-key SHA256:… --journal mailing.journal letters/',
        '',
        'Exit codes: 0 every file sent (with --wait: every business receipt COMPLETED),',
        '  1 a file was not sent, not taken or may be at NgDP, a business receipt is INVALID or NOT_ALLOWED, --wait timed',
        '    out, or the server refused the login or could not be reached,',
        '  2 usage error, missing credentials or an unreadable file or key (then nothing is sent).',
      ].join('\n'),
    )
    .action(async (files: string[], flags: SendFlags & SendSftpFlags) => {
      if (flags.sftp !== undefined) {
        setExitCode(await sendOverSftp(files, flags, io));
        return;
      }
      refuseSftpFlags(flags, [
        ['journal', '--journal'],
        ['maxPerContainer', '--max-per-container'],
        ['quiet', '--quiet'],
      ]);
      setExitCode(await send(files, flags, io));
    });
}
