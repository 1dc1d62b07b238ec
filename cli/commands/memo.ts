import { readFile, writeFile } from 'node:fs/promises';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { MemoValidationError } from '../../sdk/errors.ts';
import { createLetter, createNemSms, type RecipientInput } from '../../sdk/memo/builder.ts';
import type { MemoIssue, MemoVersion } from '../../sdk/memo/types.ts';
import { type ValidateOptions, validateMemo } from '../../sdk/memo/validate.ts';
import { serializeMemoToBytes } from '../../sdk/memo/writer.ts';
import { reason, unreadable } from '../files.ts';
import { CliError, type CliIO, EXIT, reportItemProblem } from '../io.ts';
import { jsonLine } from '../text.ts';

function integer(name: string) {
  return (value: string): number => {
    if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`${name} must be a non-negative integer`);
    return Number(value);
  };
}

interface ValidateFlags {
  json?: boolean;
  rules: 'ngdp' | 'schema';
  schemaVersion?: MemoVersion;
  notificationMaxLength?: number;
  maxAttachments?: number;
}

function line(file: string, issue: MemoIssue, prefix = ''): string {
  return `${file}: ${issue.path ? `${issue.path}: ` : ''}${prefix}${issue.message}\n`;
}

async function validateFiles(files: string[], flags: ValidateFlags, io: CliIO): Promise<number> {
  const options: ValidateOptions = { rules: flags.rules };
  if (flags.schemaVersion !== undefined) options.version = flags.schemaVersion;
  if (flags.notificationMaxLength !== undefined) options.notificationMaxLength = flags.notificationMaxLength;
  if (flags.maxAttachments !== undefined) options.maxAttachments = flags.maxAttachments;

  let exitCode: number = EXIT.ok;
  for (const file of files) {
    let bytes: Buffer;
    try {
      bytes = await readFile(file);
    } catch (error) {
      reportItemProblem(io, 'FILE_UNREADABLE', `cannot read ${file}: ${reason(error)}`);
      exitCode = EXIT.usage;
      continue;
    }
    const result = validateMemo(bytes, options);
    if (!result.valid && exitCode === EXIT.ok) exitCode = EXIT.failed;
    // One line per file, as it is checked: a long run can be read (and piped) as it goes.
    if (flags.json) {
      io.stdout(
        jsonLine({
          file,
          valid: result.valid,
          version: result.version ?? null,
          issues: result.issues.map(({ path, code, message }) => ({ path, code, message })),
          warnings: result.warnings.map(({ path, code, message }) => ({ path, code, message })),
        }),
      );
      continue;
    }
    for (const issue of result.issues) io.stdout(line(file, issue));
    for (const warning of result.warnings) io.stdout(line(file, warning, 'warning: '));
    if (result.valid) io.stdout(`${file}: valid MeMo ${result.version}\n`);
  }
  return exitCode;
}

interface BuildFlags {
  sender: string;
  senderLabel: string;
  recipient: string;
  recipientType?: 'cpr' | 'cvr';
  recipientLabel?: string;
  label: string;
  file: string[];
  valueDate?: string;
  nemsms?: string;
  notification?: string;
  memoVersion: MemoVersion;
  messageUuid?: string;
  out?: string;
  indent: number;
}

function recipientOf(flags: BuildFlags): RecipientInput {
  const id = flags.recipient;
  const type = flags.recipientType ?? (id.length === 10 ? 'cpr' : id.length === 8 ? 'cvr' : undefined);
  if (type === undefined) {
    throw new CliError(
      '--recipient must be a CPR number (10 digits) or CVR number (8 digits); or pass --recipient-type',
    );
  }
  const label = flags.recipientLabel === undefined ? {} : { label: flags.recipientLabel };
  return type === 'cpr' ? { cpr: id, ...label } : { cvr: id, ...label };
}

async function build(flags: BuildFlags, io: CliIO): Promise<number> {
  for (const file of flags.file) {
    const why = await unreadable(file);
    if (why !== undefined)
      throw new CliError(`cannot read --file ${file}: ${why}`, EXIT.usage, 'FILE_UNREADABLE');
  }
  const common = {
    version: flags.memoVersion,
    sender: { cvr: flags.sender, label: flags.senderLabel },
    recipient: recipientOf(flags),
    label: flags.label,
    ...(flags.messageUuid !== undefined && { messageUUID: flags.messageUuid }),
  };
  let memo: Awaited<ReturnType<typeof createLetter>>;
  try {
    if (flags.nemsms !== undefined) {
      if (flags.file.length > 0) throw new CliError('--nemsms builds a NemSMS, which carries no --file');
      memo = createNemSms({ ...common, text: flags.nemsms });
    } else {
      const [document, ...attachments] = flags.file;
      if (document === undefined)
        throw new CliError('a letter needs at least one --file (the main document)');
      memo = await createLetter({
        ...common,
        document,
        attachments,
        ...(flags.valueDate !== undefined && { doNotDeliverUntil: flags.valueDate }),
        ...(flags.notification !== undefined && { notification: flags.notification }),
      });
    }
  } catch (error) {
    if (error instanceof MemoValidationError) {
      for (const issue of error.issues)
        reportItemProblem(io, issue.code, `${issue.path ? `${issue.path}: ` : ''}${issue.message}`);
      return EXIT.failed;
    }
    throw error;
  }
  const bytes = serializeMemoToBytes(memo, { indent: flags.indent });
  if (flags.out === undefined) io.stdout(bytes.toString('utf8'));
  else {
    try {
      await writeFile(flags.out, bytes);
    } catch (error) {
      throw new CliError(`cannot write ${flags.out}: ${reason(error)}`, EXIT.failed);
    }
    io.stderr(`wrote ${flags.out} (MeMo ${memo.version}, messageUUID ${memo.messageHeader.messageUUID})\n`);
  }
  return EXIT.ok;
}

const EXIT_CODES_HELP = '\nExit codes: 0 all valid, 1 a MeMo is invalid, 2 usage error or unreadable file.';

/** `digitalpost memo …` */
export function registerMemoCommands(program: Command, io: CliIO, setExitCode: (code: number) => void): void {
  const memo = program.command('memo').description('validate and build MeMo messages');

  memo
    .command('validate')
    .description('check MeMo files against the schema and NgDP rules; one line per problem')
    .argument('<file...>', 'MeMo XML files')
    .option(
      '--json',
      'print one JSON line per file: {file, valid, version, issues: [{path, code, message}], warnings}',
    )
    .addOption(
      new Option('--rules <rules>', 'ngdp: schema and NgDP rules; schema: the XSD only')
        .choices(['ngdp', 'schema'])
        .default('ngdp'),
    )
    .addOption(
      new Option(
        '--schema-version <version>',
        'validate against this MeMo version whatever memoVersion says',
      ).choices(['1.1', '1.2']),
    )
    .option(
      '--notification-max-length <n>',
      'maximum notification length (default 150; memo-lib allows 160)',
      integer('--notification-max-length'),
    )
    .option(
      '--max-attachments <n>',
      'maximum number of attachments (default 10)',
      integer('--max-attachments'),
    )
    .addHelpText('after', EXIT_CODES_HELP)
    .action(async (files: string[], flags: ValidateFlags) =>
      setExitCode(await validateFiles(files, flags, io)),
    );

  memo
    .command('build')
    .description('build a MeMo letter (or NemSMS) from flags and write it to stdout or --out')
    .requiredOption('--sender <cvr>', "the sending organisation's CVR number")
    .requiredOption('--sender-label <name>', 'the sender name shown to the recipient')
    .requiredOption('--recipient <cpr|cvr>', 'CPR (10 digits) or CVR (8 digits) of the recipient')
    .addOption(new Option('--recipient-type <type>', 'when the length does not tell').choices(['cpr', 'cvr']))
    .option('--recipient-label <name>', 'the recipient name')
    .requiredOption('--label <text>', 'the subject')
    .option(
      '--file <path>',
      'a document; the first is the letter, the rest attachments (repeatable)',
      (v: string, all: string[]) => [...all, v],
      [],
    )
    .option('--value-date <YYYY-MM-DD>', 'doNotDeliverUntilDate: hold the letter until this Danish date')
    .option('--notification <text>', 'notification text')
    .option('--nemsms <text>', 'build a NemSMS with this text instead of a letter')
    .addOption(new Option('--memo-version <version>', 'MeMo version').choices(['1.1', '1.2']).default('1.2'))
    .option('--message-uuid <uuid>', 'messageUUID (default: a new random UUID)')
    .option('--indent <n>', 'indent nested elements by n spaces', integer('--indent'), 2)
    .option('-o, --out <file>', 'write to this file instead of stdout')
    .addHelpText(
      'after',
      '\nExit codes: 0 written, 1 the MeMo would be invalid or cannot be written, 2 usage error or unreadable file.',
    )
    .action(async (flags: BuildFlags) => setExitCode(await build(flags, io)));
}
