import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Command, Option } from 'commander';
import type { Receipt } from '../../sdk/client/types.ts';
import { NotFoundError, UnknownOutcomeError } from '../../sdk/errors.ts';
import { maskCpr } from '../../sdk/ngdp/identifiers.ts';
import {
  addConnectionOptions,
  type Connection,
  type ConnectionFlags,
  connect,
  seconds,
} from '../connection.ts';
import { ensureDirectory, isSafeFileName, reason, writeFileAtomically } from '../files.ts';
import { CliError, type CliIO, EXIT, errorCode } from '../io.ts';
import { addSftpOptions, refuseSftpFlags, type SftpFlags, sftpConnection } from '../sftp.ts';
import { jsonLine, printable } from '../text.ts';

export interface PullFlags extends ConnectionFlags {
  ack: boolean;
  out?: string;
  json?: boolean;
}

function line(receipt: Receipt): string {
  const code = receipt.errorCode === undefined ? '' : ` ${receipt.errorCode}`;
  const message = receipt.errorMessage === undefined ? '' : `: ${maskCpr(receipt.errorMessage)}`;
  return `${printable(`${receipt.messageUUID ?? '-'} ${receipt.receiptStatus} ${receipt.timeStamp}${code}${message}`)}\n`;
}

/** Waits until the printed line is out; a closed stdout stops the run before the receipt is acknowledged. */
export async function printed(io: CliIO): Promise<void> {
  try {
    await io.flushed?.();
  } catch (error) {
    throw new CliError(
      `cannot write to stdout: ${reason(error)}; the last receipt stays unacknowledged`,
      EXIT.failed,
    );
  }
}

/**
 * Acknowledges a handled receipt; one acknowledged meanwhile (404) is as good. An acknowledgement
 * whose answer was lost is said on stderr and the run goes on: the receipt is handled, and if it
 * is still at NgDP it is only printed again next time.
 */
async function acknowledge(connection: Connection, receipt: Receipt, io: CliIO): Promise<void> {
  if (receipt.id === undefined) return;
  try {
    await connection.client.receipts.ack(receipt.id);
  } catch (error) {
    if (error instanceof UnknownOutcomeError) {
      io.stderr(
        `digitalpost: ${receipt.messageUUID ?? receipt.id}: not known whether it was acknowledged (${printable(connection.describe(error.cause))}); if not, it is printed again next time\n`,
      );
      return;
    }
    if (!(error instanceof NotFoundError)) throw error;
  }
}

/**
 * Writes a receipt to --out (when given) and prints it. False when it must stay unacknowledged: its
 * messageUUID cannot be a file name (said on stderr).
 *
 * @throws CliError when the file cannot be written.
 */
export async function printReceipt(
  receipt: Receipt,
  flags: Pick<PullFlags, 'out' | 'json'>,
  io: CliIO,
): Promise<boolean> {
  if (flags.out !== undefined) {
    const name = receipt.messageUUID ?? receipt.id;
    if (!isSafeFileName(name)) {
      io.stderr(
        `digitalpost: a receipt's messageUUID cannot be a file name, left unacknowledged: ${printable(JSON.stringify(name))}\n`,
      );
      return false;
    }
    const file = join(flags.out, `${name}.json`);
    try {
      await writeFileAtomically(file, `${JSON.stringify(receipt, null, 2)}\n`);
    } catch (error) {
      throw new CliError(
        `cannot write ${file}: ${reason(error)}; the receipt stays unacknowledged`,
        EXIT.failed,
      );
    }
  }
  io.stdout(flags.json ? jsonLine(receipt) : line(receipt));
  return true;
}

async function pull(flags: PullFlags, io: CliIO): Promise<number> {
  const connection = await connect(flags, io);
  if (flags.out !== undefined) await ensureDirectory(flags.out, '--out');
  let exitCode: number = EXIT.ok;
  try {
    for await (const receipt of connection.client.receipts.list()) {
      if (!(await printReceipt(receipt, flags, io))) {
        exitCode = EXIT.failed;
        continue;
      }
      if (!flags.ack) continue;
      await printed(io);
      await acknowledge(connection, receipt, io);
    }
  } catch (error) {
    if (error instanceof CliError) throw error;
    connection.fail(error);
  }
  return exitCode;
}

interface PullSftpFlags extends SftpFlags {
  /** Seconds to keep looking for new receipts. */
  wait?: number;
}

/**
 * The CLI's IO with everything written escaped but each write's final newline (`printReceipt`
 * writes one line at a time): receipt files come from the SFTP server, text and names alike.
 */
const escapedLines = (io: CliIO): CliIO => {
  const line = (text: string): string =>
    text.endsWith('\n') ? `${printable(text.slice(0, -1))}\n` : printable(text);
  return { ...io, stdout: (text) => io.stdout(line(text)), stderr: (text) => io.stderr(line(text)) };
};

/** With --wait: seconds between looks, and the most the last look may take after the time is up. */
const POLL_SECONDS = 2;

/**
 * `receipts pull --sftp`: the receipt files of /out/receipts, printed and deleted (acknowledged);
 * and the error files of /out/errors on stderr, deleted too. With --wait, again every 2 s, and once
 * more when the time is up; that last look is cut short after 2 s (a server that does not answer
 * cannot hold the run), and Ctrl-C cuts short any.
 */
async function pullOverSftp(flags: PullFlags & PullSftpFlags, io: CliIO): Promise<number> {
  const connection = await sftpConnection(flags, io);
  if (flags.out !== undefined) await ensureDirectory(flags.out, '--out');
  const escaped = escapedLines(io);
  let exitCode: number = EXIT.ok;
  const stopping = new AbortController();
  const { signal } = stopping;
  const waitMs = (flags.wait ?? 0) * 1000;
  const timeUpAt = Date.now() + waitMs;
  let deadline: NodeJS.Timeout | undefined;
  // Only a run that waits takes over Ctrl-C; otherwise it ends the process.
  if (flags.wait !== undefined) {
    void io.untilStopped?.().then(() => stopping.abort());
    deadline = setTimeout(() => stopping.abort(), waitMs + POLL_SECONDS * 1000);
  }
  try {
    await connection.connect('nothing was done');
    const { sender } = connection;
    while (!signal.aborted) {
      for await (const file of sender.receipts({ signal })) {
        if (!(await printReceipt(file.receipt, flags, escaped))) {
          exitCode = EXIT.failed;
          continue;
        }
        if (!flags.ack) continue;
        await printed(io);
        await file.ack();
      }
      for await (const refused of sender.errors({ signal })) {
        exitCode = EXIT.failed;
        io.stderr(
          `digitalpost: ${printable(`the server did not take ${refused.upload} (/out/errors/${refused.file}): ${refused.error.code}: ${maskCpr(refused.error.message)}`)}\n`,
        );
        if (flags.ack) await refused.dismiss();
      }
      const left = timeUpAt - Date.now();
      if (left <= 0) break;
      await sleep(Math.min(POLL_SECONDS * 1000, left), undefined, { signal }).catch(() => {});
    }
  } catch (error) {
    if (error instanceof CliError) throw error;
    // The time is up (or Ctrl-C) in the middle of a listing: what was printed is handled.
    if (!(signal.aborted && (error as { code?: unknown }).code === 'ABORTED'))
      throw new CliError(connection.describe(error), EXIT.failed, errorCode(error));
  } finally {
    clearTimeout(deadline);
    await connection.close();
  }
  return exitCode;
}

/** `digitalpost receipts …` */
export function registerReceiptsCommands(
  program: Command,
  io: CliIO,
  setExitCode: (code: number) => void,
): void {
  const receipts = program.command('receipts').description("a sender system's business receipts");
  const command = receipts
    .command('pull')
    .description(
      'print every available business receipt ("messageUUID STATUS timeStamp [errorCode: errorMessage]") and acknowledge it',
    )
    .option('--no-ack', 'leave the receipts on NgDP (they are printed again next time)')
    .option('--out <dir>', 'also write each receipt to <dir>/<messageUUID>.json (created if missing)')
    .option('--json', 'print each receipt as NgDP gave it, one JSON object per line (JSON Lines)');
  addConnectionOptions(command);
  addSftpOptions(command, [
    new Option(
      '--wait <seconds>',
      'with --sftp: keep looking for new receipts this long (every 2 s; Ctrl-C stops)',
    ).argParser(seconds('--wait')),
  ])
    .addHelpText(
      'after',
      [
        '',
        'A receipt is acknowledged only after it is printed (and written to --out): a crash in between',
        'shows it again next time, never loses it. CPR numbers in errorMessage are masked in the text',
        'lines, not in --json or --out.',
        '',
        'With --sftp the receipts are the files in /out/receipts, acknowledged by deleting them; error',
        'files in /out/errors (uploads the server did not take) are printed on stderr and removed too',
        '(unless --no-ack), and make the exit code 1. Example, against the simulator:',
        '  digitalpost receipts pull --sftp 127.0.0.1:4522 --user testkommune --key ~/.ssh/id_ed25519 \\',
        '    --host-key SHA256:…   (as sim start prints it)',
        '',
        'Exit codes: 0 every receipt handled (also when there were none),',
        '  1 NgDP unreachable or refused, a file could not be written, or (--sftp) an upload was not taken,',
        '  2 usage error or missing credentials.',
      ].join('\n'),
    )
    .action(async (flags: PullFlags & PullSftpFlags) => {
      if (flags.sftp !== undefined) {
        setExitCode(await pullOverSftp(flags, io));
        return;
      }
      refuseSftpFlags(flags, [['wait', '--wait']]);
      setExitCode(await pull(flags, io));
    });
}
