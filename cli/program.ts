import { Command, CommanderError } from 'commander';
import { DigitalPostError } from '../sdk/errors.ts';
import { VERSION } from '../sdk/support/version.ts';
import { registerConformanceCommands } from './commands/conformance.ts';
import { registerContactStructureCommands } from './commands/contact-structure.ts';
import { registerContactsCommands } from './commands/contacts.ts';
import { registerIdentityCommands } from './commands/identity.ts';
import { registerInboxCommands } from './commands/inbox.ts';
import { registerLoginCommand } from './commands/login.ts';
import { registerMemoCommands } from './commands/memo.ts';
import { registerReceiptsCommands } from './commands/receipts.ts';
import { registerSendCommand } from './commands/send.ts';
import { registerSimCommands } from './commands/sim.ts';
import { DEFAULT_CONTROL_URL, SIM_CONTROL_ENV } from './commands/sim-control.ts';
import { envBoolean, SIM_START_ENV } from './commands/sim-env.ts';
import { registerSystemCommands } from './commands/system.ts';
import { ENV } from './connection.ts';
import { CliError, type CliIO, EXIT, errorJsonLine, jsonStderr } from './io.ts';
import { printable } from './text.ts';

const HELP_AFTER = `
Commands that talk to NgDP (send, receipts, inbox, contacts) take --base-url or --environment and
--api-key, or read ${ENV.baseUrl} and ${ENV.apiKey} (and ${ENV.passphrase}).

The sim commands clock, faults, mailbox, message, ssh-key and reset drive a running simulator: --url
or ${SIM_CONTROL_ENV.url} (default ${DEFAULT_CONTROL_URL}). ${ENV.log}=debug logs each
request to stderr (never secrets).

Try it against the simulator (keys are printed by sim start):
  digitalpost sim start
  export ${ENV.baseUrl}=http://127.0.0.1:4500/apis/v1 ${ENV.apiKey}=<a sender system's key>
  digitalpost contacts lookup 0101700001
  digitalpost send letter.xml --wait

Administrativ Adgang as a test employee (identity, system, contact-structure) after
  digitalpost login --username admin-12345678 --password test-12345678

Every command has --help. Exit codes: 0 success, 1 failure, 2 usage error. Under --json, output is
JSON Lines and so is stderr: a failure is {"error":{"code","message"}}.`;

/** The command `argv` names (`memo validate`), as far as it names one. */
function commandOf(program: Command, argv: readonly string[]): Command {
  let command = program;
  for (const token of argv) {
    if (token === '--') break;
    const sub = command.commands.find((c) => c.name() === token || c.aliases().includes(token));
    if (sub !== undefined) command = sub;
  }
  return command;
}

/**
 * Whether `argv` asks its command for JSON output (`--json` as a switch, not `--json FILE`), or,
 * for `sim start`, its variable does.
 */
function wantsJson(program: Command, argv: readonly string[], env: CliIO['env']): boolean {
  const command = commandOf(program, argv);
  const option = command.options.find((o) => o.long === '--json');
  if (option === undefined || option.required || option.optional) return false;
  const end = argv.indexOf('--');
  if ((end === -1 ? argv : argv.slice(0, end)).includes('--json')) return true;
  const simStart = command.name() === 'start' && command.parent?.name() === 'sim';
  return simStart && envBoolean(env[SIM_START_ENV.json] ?? '') === true;
}

/** `commander.unknownOption` → `UNKNOWN_OPTION`. */
function commanderCode(code: string): string {
  return code
    .replace(/^commander\./, '')
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toUpperCase();
}

/** Exit 2 for what the caller gave wrong (a file that cannot be read, bad options). */
const USAGE_CODES = new Set(['FILE_UNREADABLE', 'INVALID_OPTIONS']);

/** Every command with its options, writing through `io` (`commandIo` is what the commands get). */
function createProgram(
  io: CliIO,
  commandIo: CliIO,
  setExitCode: (code: number) => void,
  isJson: () => boolean,
): Command {
  const program = new Command('digitalpost')
    .description(
      "Toolkit for Denmark's Next generation Digital Post: MeMo files, the local simulator, and NgDP's API",
    )
    .version(VERSION, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help for a command')
    // A command's options come after its name: `sim clock --json` and `sim clock advance P1D --json`
    // each reach the command named.
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({
      writeOut: io.stdout,
      writeErr: io.stderr,
      // Under --json the error is written once caught, as JSON.
      outputError: (text, write) => {
        if (!isJson()) write(`digitalpost: ${text.replace(/^error: /, '').trimEnd()} (see --help)\n`);
      },
    })
    .addHelpText('after', HELP_AFTER);
  registerMemoCommands(program, commandIo, setExitCode);
  registerSimCommands(program, commandIo, setExitCode);
  registerSendCommand(program, commandIo, setExitCode);
  registerReceiptsCommands(program, commandIo, setExitCode);
  registerInboxCommands(program, commandIo, setExitCode);
  registerContactsCommands(program, commandIo, setExitCode);
  registerConformanceCommands(program, commandIo, setExitCode);
  registerLoginCommand(program, commandIo, setExitCode);
  registerIdentityCommands(program, commandIo, setExitCode);
  registerSystemCommands(program, commandIo, setExitCode);
  registerContactStructureCommands(program, commandIo, setExitCode);
  for (const command of program.commands.flatMap(function all(c): Command[] {
    return [c, ...c.commands.flatMap(all)];
  })) {
    command.exitOverride().configureOutput(program.configureOutput());
  }
  return program;
}

/** The leaf commands, as their words (`['sim', 'clock', 'advance']`): for tests that walk them all. */
export function commandPaths(): string[][] {
  const quiet: CliIO = { stdout: () => {}, stderr: () => {}, env: {} };
  const program = createProgram(
    quiet,
    quiet,
    () => {},
    () => false,
  );
  const walk = (command: Command, path: string[]): string[][] =>
    command.commands.length === 0
      ? [path]
      : [
          // A group with its own action (`sim clock`) is a command too.
          ...((command as unknown as { _actionHandler?: unknown })._actionHandler ? [path] : []),
          ...command.commands.filter((c) => c.name() !== 'help').flatMap((c) => walk(c, [...path, c.name()])),
        ];
  return walk(program, []).filter((path) => path.length > 0);
}

/**
 * Runs the `digitalpost` command line with `argv` (without the node and script entries) and
 * resolves to the exit code. Errors become one line on stderr, never a stack trace.
 */
export async function runCli(argv: readonly string[], io: CliIO): Promise<number> {
  let exitCode: number = EXIT.ok;
  let json = false;
  const stderrAsJson = jsonStderr(io.stderr);
  const commandIo: CliIO = {
    ...io,
    stderr: (text) => (json ? stderrAsJson(text) : io.stderr(text)),
    // A progress bar redrawn in place is no JSON line.
    get stderrIsTTY() {
      return !json && io.stderrIsTTY === true;
    },
    get json() {
      return json;
    },
  };
  const setExitCode = (code: number): void => {
    exitCode = code;
  };
  const program = createProgram(io, commandIo, setExitCode, () => json);
  json = wantsJson(program, argv, io.env);
  const fail = (code: string, message: string, exit: number): number => {
    // Messages quote what NgDP (or a file) said: printed through printable, never raw.
    io.stderr(json ? errorJsonLine(code, message) : `digitalpost: ${printable(message)}\n`);
    return exit;
  };

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return EXIT.ok;
      if (error.code === 'commander.help') return EXIT.ok;
      if (json)
        io.stderr(
          errorJsonLine(commanderCode(error.code), `${error.message.replace(/^error: /, '')} (see --help)`),
        );
      return EXIT.usage;
    }
    if (error instanceof CliError) return fail(error.code, error.message, error.exitCode);
    if (error instanceof DigitalPostError)
      return fail(error.code, error.message, USAGE_CODES.has(error.code) ? EXIT.usage : EXIT.failed);
    const message = error instanceof Error ? error.message : String(error);
    return fail('UNEXPECTED', `unexpected error: ${message}`, EXIT.failed);
  }
  return exitCode;
}
