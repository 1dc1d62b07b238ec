import { type Command, InvalidArgumentError, Option } from 'commander';
import { VERSION } from '../../sdk/support/version.ts';
import { retrySchedule } from '../../simulator/domain/retry.ts';
import { parseDuration } from '../../simulator/domain/time.ts';
import { type RunningSimulator, SimulatorConfigError, startSimulator } from '../../simulator/index.ts';
import { seconds } from '../connection.ts';
import { CliError, type CliIO, EXIT } from '../io.ts';
import { DEFAULT_CONTROL_URL, registerSimControlCommands } from './sim-control.ts';
import { envBoolean, SIM_START_ENV, type SimStartSetting } from './sim-env.ts';

interface StartFlags {
  host: string;
  port: number;
  sftpPort: number;
  /** False with --no-sftp. */
  sftp: boolean;
  dataDir?: string;
  clock: 'real' | 'manual';
  clockStart?: Date;
  seed: string;
  chaos?: boolean;
  loose?: boolean;
  json?: boolean;
  controlToken?: string;
  memoryBudget?: number;
  allowedHosts?: string[];
  /** Seconds. */
  pushTimeout?: number;
  /** Offsets of the retries from the first attempt, in ms. */
  retrySchedule?: number[];
  /** When a held mailbox letter is receipted; undefined: the seed's setting, else at delivery. */
  valueDateReceipt?: 'delivery' | 'acceptance';
  acceptChunked?: boolean;
  undeclaredParameters?: 'refuse' | 'ignore';
}

function port(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) > 65535)
    throw new InvalidArgumentError('must be a port number from 0 to 65535');
  return Number(value);
}

function hostNames(value: string, previous: string[] = []): string[] {
  const names = value
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  if (names.length === 0) throw new InvalidArgumentError('give one or more host names, comma-separated');
  return [...previous, ...names];
}

function dateTime(value: string): Date {
  const date = new Date(value);
  if (value.trim() === '' || Number.isNaN(date.getTime()))
    throw new InvalidArgumentError('must be a date and time, e.g. 2025-06-02T08:00:00Z');
  return date;
}

const BYTE_UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
};

/** `none`, or ISO 8601 durations after the first attempt, ascending: `PT1S,PT5S,PT30S`. */
function retryOffsets(value: string): number[] {
  if (value.trim().toLowerCase() === 'none') return [];
  const offsets = value.split(',').map((part) => parseDuration(part.trim()));
  if (offsets.some((offset) => offset === undefined || offset <= 0))
    throw new InvalidArgumentError(
      'must be ISO 8601 durations after the first attempt, comma-separated, e.g. PT1S,PT5S,PT30S (or none)',
    );
  const valid = offsets as number[];
  if (valid.some((offset, index) => index > 0 && offset <= (valid[index - 1] as number)))
    throw new InvalidArgumentError('must be in ascending order, e.g. PT1S,PT5S,PT30S');
  return valid;
}

/** A size in bytes: a whole number with an optional unit (`1GiB`, `600MB`, `1073741824`). */
function byteSize(value: string): number {
  const match = /^(\d+)\s*([a-z]*)$/i.exec(value.trim());
  const unit = BYTE_UNITS[(match?.[2] ?? '').toLowerCase()];
  if (match === null || unit === undefined)
    throw new InvalidArgumentError('must be a size in bytes, e.g. 1073741824, 600MB or 1GiB');
  return Number(match[1]) * unit;
}

/** The flags `digitalpost sim …` needs to reach this simulator's control API (none for the default). */
function controlFlags(simulator: RunningSimulator): string {
  const url = simulator.controlUrl === DEFAULT_CONTROL_URL ? '' : ` --url ${simulator.controlUrl}`;
  return `${url}${simulator.controlToken ? ` --control-token ${simulator.controlToken}` : ''}`;
}

function banner(simulator: RunningSimulator, flags: StartFlags): string {
  const lines = [
    `digitalpost simulator ${VERSION} — NgDP's integration API on your machine`,
    `  API      ${simulator.apiUrl}`,
    `  control  ${simulator.controlUrl}${simulator.controlToken ? `  (Authorization: Bearer ${simulator.controlToken})` : ''}`,
    `  status   ${simulator.uiUrl}`,
    `  SFTP     ${
      simulator.sftp === null
        ? 'off'
        : `sftp://${simulator.sftp.host.includes(':') ? `[${simulator.sftp.host}]` : simulator.sftp.host}:${simulator.sftp.port}  (host key ${simulator.sftp.hostKeyFingerprint})`
    }`,
    ...(simulator.sftp === null ? [] : [`           known_hosts: ${simulator.sftp.knownHostsLine}`]),
    `  clock    ${simulator.clock.mode}, ${simulator.clock.now().toISOString()}`,
    `  store    ${flags.dataDir ? `SQLite in ${flags.dataDir}` : 'in memory'}${flags.chaos ? ', chaos on' : ''}${flags.loose ? ', loose' : ''}`,
  ];
  const { systems, citizens, companies, employees } = simulator.fixtures;
  if (systems.length > 0) {
    lines.push('', 'Systems (send the key as "Authorization: Basic <key>"):');
    for (const system of systems) {
      lines.push(
        `  ${system.name}`,
        `    ${system.roles.join('+')} ${system.protocol}  id ${system.id}`,
        `    key ${system.apiKey}`,
      );
      if (system.sshUsername !== null && simulator.sftp !== null)
        lines.push(
          `    SFTP user ${system.sshUsername}; register your public key with`,
          `      digitalpost sim ssh-key add ${system.sshUsername} $HOME/.ssh/id_ed25519.pub${controlFlags(simulator)}`,
          '    or',
          `      curl -X PUT --data-binary @$HOME/.ssh/id_ed25519.pub${simulator.controlToken ? ` -H "Authorization: Bearer ${simulator.controlToken}"` : ''} ${simulator.controlUrl}/systems/${system.id}/ssh-key`,
        );
    }
  }
  if (citizens.length > 0) {
    lines.push('', 'Test citizens:');
    for (const citizen of citizens)
      lines.push(`  ${citizen.cprNumber}  ${citizen.publicRegistrationStatus.padEnd(10)} ${citizen.name}`);
  }
  if (companies.length > 0) {
    lines.push('', 'Test companies:');
    for (const company of companies)
      lines.push(`  ${company.cvrNumber}    ${company.publicRegistrationStatus.padEnd(10)} ${company.name}`);
  }
  if (employees.length > 0) {
    lines.push(
      '',
      'Test employees of Administrativ Adgang, every right (digitalpost login --username …, or POST /portal/v1/login):',
    );
    for (const employee of employees) {
      const organisation = simulator.fixtures.organisations.find((o) => o.id === employee.organisationId);
      lines.push(
        `  ${employee.username} / ${employee.password}  ${organisation?.name ?? employee.organisationId}`,
      );
    }
  }
  lines.push('', 'Stop with Ctrl+C.');
  return `${lines.join('\n')}\n`;
}

/** A variable's value as its flag would have it, or a usage error naming the variable. */
function fromEnvironment(option: Option, variable: string, raw: string): unknown {
  const refuse = (why: string) => new CliError(`${variable}=${JSON.stringify(raw)}: ${why}`, EXIT.usage);
  if (option.isBoolean() || option.negate) {
    const value = envBoolean(raw);
    if (value === undefined) throw refuse('must be true or false (1/0, yes/no, on/off)');
    return value;
  }
  if (option.argChoices !== undefined && !option.argChoices.includes(raw))
    throw refuse(`must be one of ${option.argChoices.join(', ')}`);
  if (option.parseArg === undefined) return raw;
  try {
    return option.parseArg(raw, undefined);
  } catch (error) {
    if (error instanceof InvalidArgumentError) throw refuse(error.message);
    throw error;
  }
}

/**
 * Sets every option not given on the command line from its variable in SIM_START_ENV (when set and
 * not empty), read and checked as the flag would be.
 *
 * @throws CliError (exit 2) naming the variable, for a value its flag would refuse.
 */
function applyEnvironment(command: Command, env: CliIO['env']): void {
  for (const option of command.options) {
    const name = option.attributeName();
    const variable = SIM_START_ENV[name as SimStartSetting];
    if (variable === undefined || command.getOptionValueSource(name) === 'cli') continue;
    const raw = env[variable];
    if (raw === undefined || raw === '') continue;
    command.setOptionValueWithSource(name, fromEnvironment(option, variable, raw), 'env');
  }
}

async function start(flags: StartFlags, io: CliIO): Promise<number> {
  if (flags.clockStart !== undefined && flags.clock !== 'manual')
    throw new CliError(
      `--clock-start (${SIM_START_ENV.clockStart}) sets the start of a manual clock: add --clock manual (${SIM_START_ENV.clock}=manual)`,
      EXIT.usage,
    );
  let simulator: RunningSimulator;
  try {
    simulator = await startSimulator({
      host: flags.host,
      port: flags.port,
      ...(flags.sftp ? { sftpPort: flags.sftpPort } : {}),
      clock: flags.clock,
      ...(flags.clockStart === undefined ? {} : { clockStart: flags.clockStart }),
      seed: flags.seed,
      ...(flags.dataDir === undefined ? {} : { dataDir: flags.dataDir }),
      ...(flags.chaos ? { chaos: true } : {}),
      ...(flags.loose ? { loose: true } : {}),
      ...(flags.controlToken === undefined ? {} : { controlToken: flags.controlToken }),
      ...(flags.memoryBudget === undefined ? {} : { memoryBudget: flags.memoryBudget }),
      ...(flags.allowedHosts === undefined ? {} : { allowedHosts: flags.allowedHosts }),
      ...(flags.pushTimeout === undefined ? {} : { pushTimeoutMs: flags.pushTimeout * 1000 }),
      ...(flags.retrySchedule === undefined ? {} : { retry: retrySchedule(flags.retrySchedule) }),
      ...(flags.valueDateReceipt === undefined ? {} : { valueDateReceipt: flags.valueDateReceipt }),
      ...(flags.acceptChunked ? { acceptChunked: true } : {}),
      ...(flags.undeclaredParameters === undefined
        ? {}
        : { undeclaredParameters: flags.undeclaredParameters }),
      log: (line) => io.stderr(`${new Date().toISOString()} ${line}\n`),
    });
  } catch (error) {
    if (error instanceof SimulatorConfigError) throw new CliError(error.message, EXIT.failed, error.code);
    throw error;
  }
  if (flags.json) {
    io.stdout(
      `${JSON.stringify({
        apiUrl: simulator.apiUrl,
        controlUrl: simulator.controlUrl,
        uiUrl: simulator.uiUrl,
        sftp: simulator.sftp,
        ...(simulator.controlToken ? { controlToken: simulator.controlToken } : {}),
        fixtures: simulator.fixtures,
      })}\n`,
    );
  } else io.stdout(banner(simulator, flags));
  await (io.untilStopped?.() ?? new Promise(() => {}));
  await simulator.stop();
  if (!flags.json) io.stderr('simulator stopped\n');
  return EXIT.ok;
}

/** `digitalpost sim …` */
export function registerSimCommands(program: Command, io: CliIO, setExitCode: (code: number) => void): void {
  const sim = program.command('sim').description('the local NgDP simulator');
  const start_ = sim
    .command('start')
    .description("run NgDP's integration API (/apis/v1), the control API (/simulator/v1) and a status page")
    .option('--host <address>', 'bind address (loopback by default)', '127.0.0.1')
    .option('--port <port>', 'HTTP port; 0 = any free port', port, 4500)
    .option('--sftp-port <port>', 'SFTP port for mass sending; 0 = any free port', port, 4522)
    .option('--no-sftp', 'run no SFTP server')
    .option('--data-dir <dir>', 'keep state in SQLite in this folder (survives restarts); default: in memory')
    .addOption(
      new Option('--clock <mode>', 'real time, or manual time moved by the control API')
        .choices(['real', 'manual'])
        .default('real'),
    )
    .option(
      '--clock-start <time>',
      'start of the manual clock, e.g. 2025-06-02T08:00:00Z (default: now)',
      dateTime,
    )
    .option('--seed <seed>', 'default (documented test identities), none, or a seed JSON file', 'default')
    .option(
      '--chaos',
      'inject transient failures and delays (5% 503s, late receipts, repeated pushes, random page sizes)',
    )
    .option('--loose', 'auto-register unknown, well-formed CPR/CVR numbers instead of rejecting them')
    .option(
      '--control-token <token>',
      'require this bearer token on the control API (default: required only off loopback)',
    )
    .option(
      '--allowed-hosts <names>',
      'comma-separated Host names to answer to besides IP addresses, localhost and --host ' +
        '(".example.com" = that domain and its subdomains, "single-label" = any name without a dot, "*" = any); ' +
        'protects against DNS rebinding',
      hostNames,
    )
    .option(
      '--memory-budget <size>',
      'memory that request bodies, SFTP uploads and containers being read may take together; past it callers get 503 (default 1GiB)',
      byteSize,
    )
    .option(
      '--push-timeout <seconds>',
      'how long a push (MeMo, receipt, notification) waits for an answer before it counts as failed (default 30)',
      seconds('--push-timeout'),
    )
    .option(
      '--retry-schedule <durations>',
      'when a failed push is tried again: ISO 8601 durations after the first attempt, ascending, e.g. PT1S,PT5S (or none); ' +
        "then the organisation's primary recipient system at once and at the first two (default PT10M,PT1H,PT4H,PT12H, then daily to P6D; the primary at P7D)",
      retryOffsets,
    )
    .addOption(
      new Option(
        '--value-date-receipt <when>',
        "when a mailbox letter held for its value date (doNotDeliverUntilDate) gets its business receipt: at delivery, on the date, or at acceptance, at once (default: the seed's settings.valueDateReceipt, else delivery)",
      ).choices(['delivery', 'acceptance']),
    )
    .addOption(
      new Option(
        '--undeclared-parameters <what>',
        'what a query parameter an operation of NgDP does not declare gets: refused 400 INVALID_PARAMETER naming it, or ignored as NgDP presumably does (default: refuse)',
      ).choices(['refuse', 'ignore']),
    )
    .option(
      '--accept-chunked',
      'take POST /memos/ and POST /validations/ bodies without Content-Length (chunked), which NgDP declares required (default: refused 400 LENGTH_REQUIRED)',
    )
    .option(
      '--json',
      'print one JSON line {apiUrl, controlUrl, uiUrl, sftp: {host, port, hostKeyFingerprint, knownHostsLine} | null, controlToken?, fixtures} instead of the banner',
    )
    .addHelpText(
      'after',
      '\nEach flag can be set by the environment variable named in brackets; a flag on the command line wins.\n' +
        'Exit codes: 0 stopped by SIGINT/SIGTERM, 1 could not start (port in use, bad seed, …), 2 usage error.',
    )
    .action(async (_flags: StartFlags, command: Command) => {
      applyEnvironment(command, io.env);
      setExitCode(await start(command.opts<StartFlags>(), io));
    });
  for (const option of start_.options) {
    const variable = SIM_START_ENV[option.attributeName() as SimStartSetting];
    if (variable !== undefined) option.description += ` [${variable}${option.negate ? '=false' : ''}]`;
  }
  registerSimControlCommands(sim, io, setExitCode);
}
