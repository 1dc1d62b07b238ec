import { join } from 'node:path';
import type { Command } from 'commander';
import type { Receipt } from '../../sdk/client/types.ts';
import { NotFoundError } from '../../sdk/errors.ts';
import { maskCpr } from '../../sdk/http/transport.ts';
import { addConnectionOptions, type Connection, type ConnectionFlags, connect } from '../connection.ts';
import { ensureDirectory, isSafeFileName, reason, writeFileAtomically } from '../files.ts';
import { CliError, type CliIO, EXIT } from '../io.ts';

interface PullFlags extends ConnectionFlags {
  ack: boolean;
  out?: string;
  json?: boolean;
}

function line(receipt: Receipt): string {
  const code = receipt.errorCode === undefined ? '' : ` ${receipt.errorCode}`;
  const message = receipt.errorMessage === undefined ? '' : `: ${maskCpr(receipt.errorMessage)}`;
  return `${receipt.messageUUID ?? '-'} ${receipt.receiptStatus} ${receipt.timeStamp}${code}${message}\n`;
}

/** Waits until the printed line is out; a closed stdout stops the run before the receipt is acknowledged. */
async function printed(io: CliIO): Promise<void> {
  try {
    await io.flushed?.();
  } catch (error) {
    throw new CliError(
      `cannot write to stdout: ${reason(error)}; the last receipt stays unacknowledged`,
      EXIT.failed,
    );
  }
}

/** Acknowledges a handled receipt; one acknowledged meanwhile (404) is as good. */
async function acknowledge(connection: Connection, receipt: Receipt): Promise<void> {
  if (receipt.id === undefined) return;
  try {
    await connection.client.receipts.ack(receipt.id);
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error;
  }
}

async function pull(flags: PullFlags, io: CliIO): Promise<number> {
  const connection = await connect(flags, io);
  if (flags.out !== undefined) await ensureDirectory(flags.out, '--out');
  let exitCode: number = EXIT.ok;
  try {
    for await (const receipt of connection.client.receipts.list()) {
      if (flags.out !== undefined) {
        const name = receipt.messageUUID ?? receipt.id;
        if (!isSafeFileName(name)) {
          io.stderr(
            `digitalpost: a receipt's messageUUID cannot be a file name, left unacknowledged: ${JSON.stringify(name)}\n`,
          );
          exitCode = EXIT.failed;
          continue;
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
      io.stdout(flags.json ? `${JSON.stringify(receipt)}\n` : line(receipt));
      if (!flags.ack) continue;
      await printed(io);
      await acknowledge(connection, receipt);
    }
  } catch (error) {
    if (error instanceof CliError) throw error;
    connection.fail(error);
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
  addConnectionOptions(command)
    .addHelpText(
      'after',
      [
        '',
        'A receipt is acknowledged only after it is printed (and written to --out): a crash in between',
        'shows it again next time, never loses it. CPR numbers in errorMessage are masked in the text',
        'lines, not in --json or --out.',
        '',
        'Exit codes: 0 every receipt handled (also when there were none),',
        '  1 NgDP unreachable or refused, or a file could not be written, 2 usage error or missing credentials.',
      ].join('\n'),
    )
    .action(async (flags: PullFlags) => setExitCode(await pull(flags, io)));
}
