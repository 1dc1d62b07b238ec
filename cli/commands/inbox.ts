import { join } from 'node:path';
import { type Command, Option } from 'commander';
import type { InboxMemo } from '../../sdk/client/types.ts';
import { MemoParseError } from '../../sdk/errors.ts';
import { describeIssues } from '../../sdk/memo/issues.ts';
import type { MemoIssue } from '../../sdk/memo/types.ts';
import { maskCpr } from '../../sdk/ngdp/identifiers.ts';
import {
  addConnectionOptions,
  type Connection,
  type ConnectionFlags,
  connect,
  stopsTheRun,
} from '../connection.ts';
import { ensureDirectory, isSafeFileName, reason, writeFileAtomically } from '../files.ts';
import { CliError, type CliIO, EXIT } from '../io.ts';
import { jsonLine, printable } from '../text.ts';

interface InboxPullFlags extends ConnectionFlags {
  out: string;
  complete: boolean;
  reject: boolean;
  rules: 'ngdp' | 'schema';
  json?: boolean;
}

/** The `--json` line of one MeMo. */
interface MemoResult {
  messageUUID: string;
  status: 'COMPLETED' | 'SAVED' | 'REJECTED' | 'INVALID' | 'FAILED';
  file?: string;
  issues?: Array<Pick<MemoIssue, 'path' | 'code' | 'message'>>;
  error?: { code: string; message: string };
}

/** The error code of the business receipt for a MeMo that cannot be processed. */
const REJECT_CODE = 'MEMO_SCHEMA_INVALID';
const MAX_REASON_LENGTH = 500;

/** One line about a MeMo's problems, CPR numbers masked, short enough for a receipt. */
function summary(issues: readonly MemoIssue[]): string {
  if (issues.length === 0) return 'the MeMo is not valid';
  return describeIssues(issues, { limit: 1, maxLength: MAX_REASON_LENGTH });
}

/** Fetches one MeMo; a MeMo that cannot even be read comes back as one issue. */
async function fetchMemo(
  connection: Connection,
  messageUUID: string,
  rules: InboxPullFlags['rules'],
): Promise<Pick<InboxMemo, 'xml' | 'issues'>> {
  try {
    return await connection.client.inbox.fetch(messageUUID, { validation: { rules } });
  } catch (error) {
    if (!(error instanceof MemoParseError)) throw error;
    return { xml: Buffer.alloc(0), issues: [{ path: '', code: error.code, message: error.message }] };
  }
}

async function handleInvalid(
  connection: Connection,
  messageUUID: string,
  issues: readonly MemoIssue[],
  flags: InboxPullFlags,
): Promise<MemoResult> {
  const listed = issues.map(({ path, code, message }) => ({ path, code, message: maskCpr(message) }));
  if (!flags.reject) return { messageUUID, status: 'INVALID', issues: listed };
  await connection.client.inbox.reject(messageUUID, {
    errorCode: REJECT_CODE,
    errorMessage: summary(issues),
  });
  return { messageUUID, status: 'REJECTED', issues: listed };
}

/** Saves, then completes (or rejects) one MeMo. Run-wide failures are thrown. */
async function handle(
  connection: Connection,
  messageUUID: string,
  flags: InboxPullFlags,
): Promise<MemoResult> {
  if (!isSafeFileName(messageUUID)) {
    return {
      messageUUID,
      status: 'FAILED',
      error: { code: 'UNSAFE_NAME', message: 'this messageUUID cannot be a file name; left waiting' },
    };
  }
  try {
    const memo = await fetchMemo(connection, messageUUID, flags.rules);
    if (memo.issues.length > 0) return await handleInvalid(connection, messageUUID, memo.issues, flags);
    const file = join(flags.out, `${messageUUID}.xml`);
    try {
      await writeFileAtomically(file, memo.xml);
    } catch (error) {
      throw new CliError(`${messageUUID}: cannot write ${file}: ${reason(error)}; left waiting`, EXIT.failed);
    }
    if (!flags.complete) return { messageUUID, status: 'SAVED', file };
    await connection.client.inbox.complete(messageUUID);
    return { messageUUID, status: 'COMPLETED', file };
  } catch (error) {
    if (error instanceof CliError || stopsTheRun(error)) throw error;
    const code = (error as { code?: unknown }).code;
    return {
      messageUUID,
      status: 'FAILED',
      error: { code: typeof code === 'string' ? code : 'FAILED', message: connection.describe(error) },
    };
  }
}

function report(result: MemoResult, flags: InboxPullFlags, io: CliIO): void {
  if (flags.json) {
    io.stdout(jsonLine(result));
    return;
  }
  const id = result.messageUUID;
  switch (result.status) {
    case 'COMPLETED':
    case 'SAVED':
      io.stdout(`${id} ${result.status} ${result.file}\n`);
      return;
    case 'REJECTED':
      io.stdout(`${id} REJECTED ${printable(summary(result.issues ?? []))}\n`);
      return;
    case 'INVALID':
      io.stderr(
        `digitalpost: ${id}: invalid MeMo left waiting (--no-reject): ${printable(summary(result.issues ?? []))}\n`,
      );
      return;
    case 'FAILED':
      io.stderr(`digitalpost: ${id}: ${printable(result.error?.message ?? '')}\n`);
  }
}

async function pull(flags: InboxPullFlags, io: CliIO): Promise<number> {
  const connection = await connect(flags, io);
  await ensureDirectory(flags.out, '--out');
  let exitCode: number = EXIT.ok;
  try {
    for await (const messageUUID of connection.client.inbox.list()) {
      const result = await handle(connection, messageUUID, flags);
      if (result.status === 'INVALID' || result.status === 'FAILED') exitCode = EXIT.failed;
      report(result, flags, io);
    }
  } catch (error) {
    if (error instanceof CliError) throw error;
    connection.fail(error);
  }
  return exitCode;
}

/** `digitalpost inbox …` */
export function registerInboxCommands(
  program: Command,
  io: CliIO,
  setExitCode: (code: number) => void,
): void {
  const inbox = program.command('inbox').description('MeMos waiting for a recipient system that pulls them');
  const command = inbox
    .command('pull')
    .description(
      'save every waiting MeMo as <dir>/<messageUUID>.xml, then complete it; reject the ones that are not valid',
    )
    .requiredOption('--out <dir>', 'where to save the MeMos (created if missing)')
    .option('--no-complete', 'only save: leave the MeMos waiting (no business receipt)')
    .option('--no-reject', 'leave invalid MeMos waiting instead of rejecting them as INVALID')
    .addOption(
      new Option('--rules <rules>', 'what makes a MeMo invalid: ngdp (schema and NgDP rules) or schema')
        .choices(['ngdp', 'schema'])
        .default('ngdp'),
    )
    .option(
      '--json',
      'print one JSON object per MeMo (JSON Lines): {messageUUID, status, file?, issues?, error?}',
    );
  addConnectionOptions(command)
    .addHelpText(
      'after',
      [
        '',
        'One line per MeMo: "messageUUID COMPLETED|SAVED file" or "messageUUID REJECTED reason" on stdout;',
        'failures on stderr. A MeMo is completed only after its file is on the disk under its final name',
        '(written to a temporary name, flushed, renamed); a MeMo that fails stays waiting for the next run.',
        `Invalid MeMos get the business receipt INVALID with errorCode ${REJECT_CODE} and the first problem.`,
        '',
        'Exit codes: 0 every MeMo saved (and completed) or rejected, also when none were waiting,',
        '  1 a MeMo could not be fetched, saved or completed, or was left waiting as invalid, or NgDP is',
        '  unreachable or refused, 2 usage error or missing credentials.',
      ].join('\n'),
    )
    .action(async (flags: InboxPullFlags) => setExitCode(await pull(flags, io)));
}
