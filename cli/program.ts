import { Command, CommanderError } from 'commander';
import { DigitalPostError } from '../sdk/errors.ts';
import { VERSION } from '../sdk/support/version.ts';
import { registerConformanceCommands } from './commands/conformance.ts';
import { registerContactsCommands } from './commands/contacts.ts';
import { registerInboxCommands } from './commands/inbox.ts';
import { registerMemoCommands } from './commands/memo.ts';
import { registerReceiptsCommands } from './commands/receipts.ts';
import { registerSendCommand } from './commands/send.ts';
import { registerSimCommands } from './commands/sim.ts';
import { ENV } from './connection.ts';
import { CliError, type CliIO, EXIT } from './io.ts';
import { printable } from './text.ts';

const HELP_AFTER = `
Commands that talk to NgDP (send, receipts, inbox, contacts) take --base-url or --environment and
--api-key, or read ${ENV.baseUrl} and ${ENV.apiKey} (and ${ENV.passphrase}).

Try it against the simulator (keys are printed by sim start):
  digitalpost sim start
  export ${ENV.baseUrl}=http://127.0.0.1:4500/apis/v1 ${ENV.apiKey}=<a sender system's key>
  digitalpost contacts lookup 0101700001
  digitalpost send letter.xml --wait

Every command has --help. Exit codes: 0 success, 1 failure, 2 usage error.`;

/**
 * Runs the `digitalpost` command line with `argv` (without the node and script entries) and
 * resolves to the exit code. Errors become one line on stderr, never a stack trace.
 */
export async function runCli(argv: readonly string[], io: CliIO): Promise<number> {
  let exitCode: number = EXIT.ok;
  const program = new Command('digitalpost')
    .description(
      "Toolkit for Denmark's Next generation Digital Post: MeMo files, the local simulator, and NgDP's API",
    )
    .version(VERSION, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help for a command')
    .exitOverride()
    .configureOutput({
      writeOut: io.stdout,
      writeErr: io.stderr,
      outputError: (text, write) =>
        write(`digitalpost: ${text.replace(/^error: /, '').trimEnd()} (see --help)\n`),
    })
    .addHelpText('after', HELP_AFTER);
  const setExitCode = (code: number): void => {
    exitCode = code;
  };
  registerMemoCommands(program, io, setExitCode);
  registerSimCommands(program, io, setExitCode);
  registerSendCommand(program, io, setExitCode);
  registerReceiptsCommands(program, io, setExitCode);
  registerInboxCommands(program, io, setExitCode);
  registerContactsCommands(program, io, setExitCode);
  registerConformanceCommands(program, io, setExitCode);
  for (const command of program.commands.flatMap((c) => [c, ...c.commands])) {
    command.exitOverride().configureOutput(program.configureOutput());
  }

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return EXIT.ok;
      if (error.code === 'commander.help') return EXIT.ok;
      return EXIT.usage;
    }
    // Messages quote what NgDP (or a file) said: printed through printable, never raw.
    if (error instanceof CliError) {
      io.stderr(`digitalpost: ${printable(error.message)}\n`);
      return error.exitCode;
    }
    if (error instanceof DigitalPostError) {
      io.stderr(`digitalpost: ${printable(error.message)}\n`);
      return EXIT.failed;
    }
    const message = error instanceof Error ? error.message : String(error);
    io.stderr(`digitalpost: unexpected error: ${printable(message)}\n`);
    return EXIT.failed;
  }
  return exitCode;
}
