import { Command, CommanderError } from 'commander';
import packageJson from '../package.json' with { type: 'json' };
import { DigitalPostError } from '../sdk/errors.ts';
import { registerMemoCommands } from './commands/memo.ts';
import { registerSimCommands } from './commands/sim.ts';
import { CliError, type CliIO, EXIT } from './io.ts';

/**
 * Runs the `digitalpost` command line with `argv` (without the node and script entries) and
 * resolves to the exit code. Errors become one line on stderr, never a stack trace.
 */
export async function runCli(argv: readonly string[], io: CliIO): Promise<number> {
  let exitCode: number = EXIT.ok;
  const program = new Command('digitalpost')
    .description(
      "Toolkit for Denmark's Next generation Digital Post: MeMo files, the local simulator, sending",
    )
    .version(packageJson.version, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help for a command')
    .exitOverride()
    .configureOutput({
      writeOut: io.stdout,
      writeErr: io.stderr,
      outputError: (text, write) =>
        write(`digitalpost: ${text.replace(/^error: /, '').trimEnd()} (see --help)\n`),
    })
    .addHelpText('after', '\nEvery command has --help. Exit codes: 0 success, 1 failure, 2 usage error.');
  const setExitCode = (code: number): void => {
    exitCode = code;
  };
  registerMemoCommands(program, io, setExitCode);
  registerSimCommands(program, io, setExitCode);
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
    if (error instanceof CliError) {
      io.stderr(`digitalpost: ${error.message}\n`);
      return error.exitCode;
    }
    if (error instanceof DigitalPostError) {
      io.stderr(`digitalpost: ${error.message}\n`);
      return EXIT.failed;
    }
    io.stderr(`digitalpost: unexpected error: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT.failed;
  }
  return exitCode;
}
