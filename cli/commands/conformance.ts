/**
 * `digitalpost conformance list|run|proxy`: the conformance suite on the command line, exactly as
 * conformance.md fixes it — options, report files and exit codes (0 every MUST check held, 1 a MUST
 * check failed or an expected failure passed, 2 usage or setup error).
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { type Command, InvalidArgumentError, Option } from 'commander';
import {
  type ConformanceOptions,
  type ConformanceReport,
  exitCodeOf,
  formatConsoleReport,
  formatHtmlReport,
  formatJsonReport,
  formatJUnitReport,
  listChecks,
  PROFILE_NAMES,
  type ProfileName,
  parseExpectedFailures,
  type RunEvent,
  runConformance,
  startConformanceProxy,
} from '../../conformance/index.ts';
import type { TlsOptions } from '../../sdk/client/client.ts';
import { ConformanceSetupError, InvalidOptionsError } from '../../sdk/errors.ts';
import { CliError, type CliIO, EXIT } from '../io.ts';
import { printable } from '../text.ts';

interface RunFlags {
  profile: string;
  run?: string;
  endpoint?: string;
  wait?: boolean;
  receipts: 'pull' | 'push';
  receiptEndpoint?: string;
  sshPublicKey?: string;
  only?: string[];
  skip?: string[];
  seed?: number;
  /** False with --no-chaos. */
  chaos: boolean;
  timeoutS?: number;
  expectedFailures?: string;
  certify?: boolean;
  reportDir?: string;
  junit?: string;
  json?: string;
  html?: string;
}

function idList(value: string, previous: string[] = []): string[] {
  const ids = value
    .split(',')
    .map((id) => id.trim())
    .filter(Boolean);
  if (ids.length === 0) throw new InvalidArgumentError('give one or more check ids, comma-separated');
  return [...previous, ...ids];
}

function wholeNumber(value: string): number {
  if (!/^\d{1,15}$/.test(value)) throw new InvalidArgumentError('must be a whole number');
  return Number(value);
}

function seconds(value: string): number {
  const number = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || number <= 0 || number > 3600)
    throw new InvalidArgumentError('must be a number of seconds from 1 to 3600');
  return number;
}

function profileName(value: string): ProfileName {
  if (!(PROFILE_NAMES as readonly string[]).includes(value))
    throw new InvalidArgumentError(`must be one of ${PROFILE_NAMES.join(', ')}`);
  return value as ProfileName;
}

/** A word for a POSIX shell: as is when it is safe, else in single quotes. */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The command line that repeats a run: the same options and its seed. */
function rerunOf(flags: RunFlags, seed: number): string {
  const words = ['digitalpost', 'conformance', 'run', '--profile', flags.profile];
  if (flags.run !== undefined) words.push('--run', flags.run);
  if (flags.endpoint !== undefined) words.push('--endpoint', flags.endpoint);
  if (flags.wait) words.push('--wait');
  if (flags.receipts !== 'pull') words.push('--receipts', flags.receipts);
  if (flags.receiptEndpoint !== undefined) words.push('--receipt-endpoint', flags.receiptEndpoint);
  if (flags.only !== undefined) words.push('--only', flags.only.join(','));
  if (flags.skip !== undefined) words.push('--skip', flags.skip.join(','));
  if (!flags.chaos) words.push('--no-chaos');
  if (flags.timeoutS !== undefined) words.push('--timeout-s', String(flags.timeoutS));
  if (flags.expectedFailures !== undefined) words.push('--expected-failures', flags.expectedFailures);
  words.push('--seed', String(seed));
  return words.map(shellWord).join(' ');
}

async function readExpectedFailures(path: string | undefined): Promise<string[] | undefined> {
  if (path === undefined) return undefined;
  try {
    return parseExpectedFailures(await readFile(path, 'utf8'));
  } catch (error) {
    throw new CliError(
      `cannot read --expected-failures ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
    );
  }
}

async function writeReport(path: string, text: string): Promise<void> {
  try {
    await mkdir(dirname(resolve(path)), { recursive: true });
    await writeFile(path, text);
  } catch (error) {
    throw new CliError(
      `cannot write the report ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
    );
  }
}

function progress(io: CliIO): (event: RunEvent) => void {
  return (event) => {
    if (event.kind === 'scenario-start')
      io.stderr(`[${event.index + 1}/${event.total}] ${event.scenario}: ${event.title}\n`);
    else if (
      event.kind === 'adapter-end' &&
      (event.timedOut || (event.exitCode !== null && event.exitCode !== 0))
    )
      io.stderr(
        `  the adapter ${event.timedOut ? 'was stopped at the deadline' : `exited with status ${event.exitCode}`}\n`,
      );
    else if (event.kind === 'manual') {
      const lines = Object.entries(event.settings).map(([name, value]) => `  ${name}=${shellWord(value)}`);
      io.stdout(
        event.settings.DIGITALPOST_SCENARIO === undefined
          ? `\nStart your recipient system now, with\n${lines.join('\n')}\n` +
              `Each scenario ends when the report file has a line for each of its MeMos (or after ${event.deadlineMs / 1000} s).\n`
          : `\nScenario ${event.scenario}: act on it now (${event.deadlineMs / 1000} s), with\n${lines.join('\n')}\n` +
              'The scenario ends when the report file has a line for every letter.\n',
      );
    }
  };
}

async function run(flags: RunFlags, io: CliIO): Promise<number> {
  const expectedFailures = await readExpectedFailures(flags.expectedFailures);
  const options: ConformanceOptions = {
    profile: flags.profile,
    ...(flags.run === undefined ? {} : { run: flags.run }),
    ...(flags.endpoint === undefined ? {} : { endpoint: flags.endpoint }),
    ...(flags.wait ? { wait: true } : {}),
    receipts: flags.receipts,
    ...(flags.receiptEndpoint === undefined ? {} : { receiptEndpoint: flags.receiptEndpoint }),
    ...(flags.sshPublicKey === undefined ? {} : { sshPublicKey: flags.sshPublicKey }),
    ...(flags.only === undefined ? {} : { only: flags.only }),
    ...(flags.skip === undefined ? {} : { skip: flags.skip }),
    ...(flags.seed === undefined ? {} : { seed: flags.seed }),
    ...(flags.chaos ? {} : { chaos: false }),
    ...(flags.timeoutS === undefined ? {} : { timeoutS: flags.timeoutS }),
    ...(expectedFailures === undefined ? {} : { expectedFailures }),
    ...(flags.certify ? { certify: true } : {}),
    ...(flags.reportDir === undefined ? {} : { workDir: join(flags.reportDir, 'work') }),
    env: io.env,
    onEvent: progress(io),
  };
  let report: ConformanceReport;
  try {
    report = await runConformance(options);
  } catch (error) {
    if (error instanceof InvalidOptionsError || error instanceof ConformanceSetupError)
      throw new CliError(error.message, EXIT.usage);
    throw error;
  }
  const files: Array<[string | undefined, () => string]> = [
    [flags.json, () => formatJsonReport(report)],
    [flags.junit, () => formatJUnitReport(report)],
    [flags.html, () => formatHtmlReport(report)],
    [flags.reportDir && join(flags.reportDir, 'report.json'), () => formatJsonReport(report)],
    [flags.reportDir && join(flags.reportDir, 'junit.xml'), () => formatJUnitReport(report)],
    [flags.reportDir && join(flags.reportDir, 'report.html'), () => formatHtmlReport(report)],
  ];
  for (const [path, format] of files) if (path) await writeReport(path, format());
  io.stdout(formatConsoleReport(report, { rerun: rerunOf(flags, report.seed) }));
  return exitCodeOf(report);
}

interface ProxyFlags {
  upstream: string;
  port: number;
  profile: string;
  json?: string;
  junit?: string;
  cert?: string;
  key?: string;
  pfx?: string;
  passphrase?: string;
  ca?: string[];
}

async function readTls(flags: ProxyFlags, io: CliIO): Promise<TlsOptions | undefined> {
  const read = async (flag: string, file: string): Promise<Buffer> =>
    readFile(file).catch((error: NodeJS.ErrnoException) => {
      throw new CliError(`cannot read the ${flag} file ${file}: ${error.code ?? String(error)}`);
    });
  if ((flags.cert === undefined) !== (flags.key === undefined))
    throw new CliError('--cert and --key go together (or give --pfx)');
  const passphrase = flags.passphrase ?? io.env.DIGITALPOST_CERT_PASSPHRASE;
  const ca = await Promise.all((flags.ca ?? []).map((file) => read('--ca', file)));
  const extra = { ...(passphrase ? { passphrase } : {}), ...(ca.length > 0 ? { ca } : {}) };
  if (flags.pfx !== undefined) return { pfx: await read('--pfx', flags.pfx), ...extra };
  if (flags.cert !== undefined && flags.key !== undefined)
    return { cert: await read('--cert', flags.cert), key: await read('--key', flags.key), ...extra };
  return undefined;
}

async function proxy(flags: ProxyFlags, io: CliIO): Promise<number> {
  const tls = await readTls(flags, io);
  let running: Awaited<ReturnType<typeof startConformanceProxy>>;
  try {
    running = await startConformanceProxy({
      upstream: flags.upstream,
      profile: flags.profile,
      port: flags.port,
      ...(tls ? { tls } : {}),
    });
  } catch (error) {
    if (error instanceof InvalidOptionsError || error instanceof ConformanceSetupError)
      throw new CliError(error.message, EXIT.usage);
    throw error;
  }
  io.stdout(
    `digitalpost conformance proxy: ${running.apiUrl} → ${flags.upstream}\n` +
      'Point your system at the first URL (its API key and certificate go on to NgDP unchanged); stop with Ctrl+C to judge.\n',
  );
  await (io.untilStopped?.() ?? new Promise(() => {}));
  const report = await running.stop();
  if (flags.json) await writeReport(flags.json, formatJsonReport(report));
  if (flags.junit) await writeReport(flags.junit, formatJUnitReport(report));
  io.stdout(formatConsoleReport(report));
  return exitCodeOf(report);
}

function list(flags: { profile?: ProfileName; json?: boolean }, io: CliIO): number {
  const checks = listChecks(flags.profile);
  if (flags.json) {
    for (const { id, profile, level, title, clause } of checks)
      io.stdout(`${JSON.stringify({ id, profile, level, title, clause })}\n`);
    return EXIT.ok;
  }
  const profiles = flags.profile === undefined ? PROFILE_NAMES : [flags.profile];
  for (const profile of profiles) {
    const ofProfile = checks.filter((check) => check.profile === profile);
    io.stdout(`${profile}${ofProfile.length === 0 ? ' (no checks yet)' : ''}\n`);
    for (const check of ofProfile)
      io.stdout(`  ${check.id.padEnd(36)} ${check.level.padEnd(6)} ${printable(check.title)}\n`);
  }
  return EXIT.ok;
}

const RUN_HELP = `
The adapter command runs once per scenario (sender profiles) with DIGITALPOST_BASE_URL,
DIGITALPOST_API_KEY, DIGITALPOST_SYSTEM_ID, DIGITALPOST_RECEIPTS, DIGITALPOST_SCENARIO,
DIGITALPOST_REPORT, DIGITALPOST_STATE_DIR and DIGITALPOST_CONFORMANCE=1 set; for recipient-pull
once for the whole run, stopped with SIGTERM at the end (no DIGITALPOST_SCENARIO, one report file).
See docs/conformance.md.

Examples:
  digitalpost conformance run --profile sender --run "node my-adapter.js" --junit conformance.xml
  digitalpost conformance run --profile recipient-pull --run "node my-poller.js" --junit conformance.xml

Exit codes: 0 every MUST check passed (SHOULD failures are warnings), 1 a MUST check failed or an
expected failure passed, 2 usage or setup error (unknown profile, the command could not start, …).`;

/** `digitalpost conformance …` */
export function registerConformanceCommands(
  program: Command,
  io: CliIO,
  setExitCode: (code: number) => void,
): void {
  const conformance = program
    .command('conformance')
    .description("check a vendor's sender or recipient system against NgDP's requirements, under chaos");
  conformance
    .command('list')
    .description('the checks of every profile (or one): id, level, requirement')
    .option('--profile <profile>', `one of ${PROFILE_NAMES.join(', ')}`, profileName)
    .option('--json', 'one JSON object per line: {"id","profile","level","title","clause"}')
    .addHelpText('after', '\nExit codes: 0 listed, 2 usage error.')
    .action((flags: { profile?: ProfileName; json?: boolean }) => setExitCode(list(flags, io)));
  conformance
    .command('run')
    .description("run a profile's scenarios against your system and judge it")
    .requiredOption('--profile <profile>', `one of ${PROFILE_NAMES.join(', ')}`)
    .option(
      '--run <command>',
      'your adapter command, run through the shell (sender profiles: once per scenario; recipient profiles: once)',
    )
    .option('--endpoint <url>', 'your running push or publish/subscribe receiver (recipient profiles)')
    .option('--wait', 'no command: print the settings and wait for your system to act (manual runs)')
    .addOption(
      new Option('--receipts <how>', 'how your sender system gets business receipts')
        .choices(['pull', 'push'])
        .default('pull'),
    )
    .option('--receipt-endpoint <url>', 'where your system takes pushed receipts (with --receipts push)')
    .option('--ssh-public-key <file>', "your system's SSH public key (sender-sftp)")
    .option(
      '--only <ids>',
      'judge only these checks (comma-separated ids, or groups like sender.retry.*)',
      idList,
    )
    .option('--skip <ids>', 'judge all but these checks', idList)
    .option(
      '--seed <n>',
      'make every random choice reproducible (default: a fresh seed, printed)',
      wholeNumber,
    )
    .option('--no-chaos', "turn NgDP's chaos off (503s, late receipts, random page sizes)")
    .option('--timeout-s <n>', "each scenario's deadline in seconds (at least 15)", seconds)
    .option('--expected-failures <file>', 'check ids expected to fail, one per line (# comments)')
    .option('--certify', 'every check, chaos on, a fresh seed; the report says certify: true')
    .option('--report-dir <dir>', 'write report.json, junit.xml, report.html and the scenario files here')
    .option('--junit <file>', 'write the JUnit XML report')
    .option('--json <file>', 'write the JSON report')
    .option('--html <file>', 'write the HTML report')
    .addHelpText('after', RUN_HELP)
    .action(async (flags: RunFlags) => setExitCode(await run(flags, io)));
  conformance
    .command('proxy')
    .description(
      "watch your system talk to NgDP's test environment through a recording proxy, and judge it when stopped",
    )
    .requiredOption('--upstream <url>', "NgDP's API, e.g. https://test.digitalpost.dk/apis/v1")
    .option('--port <n>', 'local port (0 = any free port)', wholeNumber, 4600)
    .requiredOption('--profile <profile>', 'sender or recipient-pull')
    .option('--json <file>', 'write the JSON report')
    .option('--junit <file>', 'write the JUnit XML report')
    .option(
      '--cert <file>',
      "your system's client certificate (PEM) for mutual TLS to the upstream; with --key",
    )
    .option('--key <file>', 'its private key (PEM)')
    .option('--pfx <file>', 'client certificate and key as PKCS#12')
    .option('--passphrase <text>', 'passphrase of --key or --pfx (env DIGITALPOST_CERT_PASSPHRASE)')
    .option(
      '--ca <file>',
      "trust these CAs (PEM) instead of the system's (repeatable)",
      (value: string, all: string[] = []) => [...all, value],
    )
    .addHelpText(
      'after',
      '\nJudges what needs no scripted misbehaviour: for a sender MeMo validity, messageUUIDs and bytes on retries,\n' +
        'Retry-After, value dates, credentials, polling rates; for a recipient that pulls its business receipts\n' +
        '(one per MeMo fetched, only after the fetch, INVALID for an invalid MeMo), fetches, Retry-After,\n' +
        'credentials, polling rate. Exit codes: 0 every MUST check passed, 1 a MUST check failed, 2 usage or setup error.',
    )
    .action(async (flags: ProxyFlags) => setExitCode(await proxy(flags, io)));
}
