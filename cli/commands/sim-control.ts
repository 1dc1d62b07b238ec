/**
 * `digitalpost sim clock|faults|mailbox|message|contact|ssh-key|reset`: the simulator's control API
 * (`/simulator/v1`, docs/simulator.md) from the command line, so that nobody needs curl. Every call
 * goes through the conformance suite's typed ControlClient.
 */
import { readFile } from 'node:fs/promises';
import { type Command, InvalidArgumentError, Option } from 'commander';
import {
  type ClockState,
  ConformanceSetupError,
  type ContactRegistration,
  ControlClient,
  type FaultRuleInput,
  isControlRefusal,
  type MailboxEntry,
} from '../../conformance/index.ts';
import { PUBLIC_REGISTRATION_STATUSES, REGISTRATION_STATUSES } from '../../sdk/ngdp/enums.ts';
import { isUuid } from '../../sdk/ngdp/identifiers.ts';
import { parseDuration } from '../../simulator/domain/time.ts';
import type { FaultRule } from '../../simulator/index.ts';
import { reason } from '../files.ts';
import { CliError, type CliIO, EXIT } from '../io.ts';
import { jsonLine, printable } from '../text.ts';
import { SIM_START_ENV } from './sim-env.ts';

/** The environment variables of the control commands (flags take precedence). */
export const SIM_CONTROL_ENV = {
  url: 'DIGITALPOST_SIM_URL',
  controlToken: SIM_START_ENV.controlToken,
} as const;

/** Where `digitalpost sim start` serves the control API by default. */
export const DEFAULT_CONTROL_URL = 'http://127.0.0.1:4500/simulator/v1';

interface ControlFlags {
  url?: string;
  controlToken?: string;
  json?: boolean;
}

const given = (value: string | undefined): string | undefined =>
  value === undefined || value === '' ? undefined : value;

/**
 * The control API's URL from `--url` or the environment: a simulator's origin
 * (`http://127.0.0.1:4500`) and its NgDP base URL (`…/apis/v1`) are taken too.
 */
function controlUrlOf(flags: ControlFlags, io: CliIO): string {
  const raw = flags.url ?? given(io.env[SIM_CONTROL_ENV.url]) ?? DEFAULT_CONTROL_URL;
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.username !== '')
    throw new CliError(
      `${flags.url === undefined ? SIM_CONTROL_ENV.url : '--url'} must be the simulator's http(s) URL, such as ${DEFAULT_CONTROL_URL}`,
      EXIT.usage,
    );
  const path = url.pathname.replace(/\/+$/, '');
  if (path === '' || path === '/apis/v1') url.pathname = '/simulator/v1';
  url.search = '';
  url.hash = '';
  return url.href.replace(/\/$/, '');
}

interface Control {
  client: ControlClient;
  call<T>(action: (client: ControlClient) => Promise<T>): Promise<T>;
}

function controlOf(flags: ControlFlags, io: CliIO): Control {
  const url = controlUrlOf(flags, io);
  const token = flags.controlToken ?? given(io.env[SIM_CONTROL_ENV.controlToken]);
  const client = new ControlClient(url, token === undefined ? {} : { token });
  return {
    client,
    async call(action) {
      try {
        return await action(client);
      } catch (error) {
        throw failure(error, url);
      }
    },
  };
}

/** One line for a failed control call: what the simulator said, or why it could not be reached. */
function failure(error: unknown, url: string): unknown {
  if (!(error instanceof ConformanceSetupError)) return error;
  const cause = error.cause;
  if (isControlRefusal(cause)) {
    if (cause.status === 401)
      return new CliError(
        `the simulator's control API at ${url} wants its token (${cause.code}): pass --control-token or set ${SIM_CONTROL_ENV.controlToken} (sim start prints it)`,
        EXIT.failed,
        cause.code,
      );
    return new CliError(`the simulator refused: ${cause.code}: ${cause.message}`, EXIT.failed, cause.code);
  }
  const why = cause instanceof Error ? cause.message : error.message;
  return new CliError(
    `cannot reach the simulator's control API at ${url}: ${why}; is \`digitalpost sim start\` running? (--url or ${SIM_CONTROL_ENV.url})`,
    EXIT.failed,
    'SIMULATOR_UNREACHABLE',
  );
}

/** Adds `--url`, `--control-token` and `--json` to a control command. */
function withControlOptions(command: Command, json: string): Command {
  return command
    .option(
      '--url <url>',
      `the simulator's control API (env ${SIM_CONTROL_ENV.url}; default ${DEFAULT_CONTROL_URL})`,
    )
    .option(
      '--control-token <token>',
      `the control API's bearer token, needed off loopback (env ${SIM_CONTROL_ENV.controlToken}, which other users cannot see in the process list)`,
    )
    .option('--json', json)
    .addHelpText(
      'after',
      '\nExit codes: 0 done, 1 the simulator refused or cannot be reached, 2 usage error.',
    );
}

/** The flags of a command with those of the commands above it (`sim clock --json advance P1D`). */
const flagsOf = <T>(command: Command): T & ControlFlags => command.optsWithGlobals<T & ControlFlags>();

type Run = (command: Command) => Promise<void>;

function action(setExitCode: (code: number) => void, run: Run) {
  return async (...args: unknown[]): Promise<void> => {
    await run(args.at(-1) as Command);
    setExitCode(EXIT.ok);
  };
}

function duration(value: string): string {
  const ms = parseDuration(value);
  if (ms === undefined || ms <= 0)
    throw new InvalidArgumentError('must be an ISO 8601 duration such as PT90S, PT1H or P1D');
  return value;
}

function instant(value: string): string {
  if (value.trim() === '' || Number.isNaN(Date.parse(value)))
    throw new InvalidArgumentError('must be a date and time, e.g. 2025-06-02T08:00:00Z');
  return value;
}

function wholeNumber(flag: string) {
  return (value: string): number => {
    if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`${flag} must be a whole number`);
    return Number(value);
  };
}

function share(value: string): number {
  const number = Number(value);
  if (!/^\d*\.?\d+$/.test(value) || number > 1)
    throw new InvalidArgumentError('must be a number from 0 to 1, e.g. 0.5');
  return number;
}

function clockText(state: ClockState): string {
  return `${state.now} (${state.mode} clock)\n`;
}

function registerClock(sim: Command, io: CliIO, setExitCode: (code: number) => void): void {
  const JSON_HELP = 'print {"now","mode"} as one JSON line';
  const show = (state: ClockState, flags: ControlFlags) =>
    io.stdout(flags.json ? jsonLine(state) : clockText(state));
  const clock = withControlOptions(
    sim
      .command('clock')
      .description("show the simulator's time; move a manual clock with advance or set")
      .addHelpText(
        'after',
        '\nMoving the clock runs everything that falls due, in order; a real clock (sim start without --clock manual) cannot be moved.',
      ),
    JSON_HELP,
  ).action(
    action(setExitCode, async (command) => {
      const flags = flagsOf(command);
      show(await controlOf(flags, io).call((client) => client.clock()), flags);
    }),
  );
  withControlOptions(
    clock
      .command('advance')
      .description('move the manual clock on by an ISO 8601 duration')
      .argument('<duration>', 'e.g. PT90S, PT1H, P1D, P2DT12H', duration),
    JSON_HELP,
  ).action(
    action(setExitCode, async (command) => {
      const flags = flagsOf(command);
      const by = command.processedArgs[0] as string;
      show(await controlOf(flags, io).call((client) => client.advanceBy(by)), flags);
    }),
  );
  withControlOptions(
    clock
      .command('set')
      .description('set the manual clock to a time (forwards runs what falls due; backwards just sets it)')
      .argument('<time>', 'e.g. 2025-06-02T08:00:00Z', instant),
    JSON_HELP,
  ).action(
    action(setExitCode, async (command) => {
      const flags = flagsOf(command);
      const to = new Date(command.processedArgs[0] as string);
      const control = controlOf(flags, io);
      show(
        await control.call(async (client) => {
          await client.setClock(to);
          return client.clock();
        }),
        flags,
      );
    }),
  );
}

function ruleText(rule: FaultRule): string {
  const { id, operation, ...effects } = rule;
  const parts = Object.entries(effects).map(([name, value]) => `${name} ${String(value)}`);
  return `${printable(`${id}  ${operation}  ${parts.join(', ')}`)}\n`;
}

interface FaultAddFlags {
  operation: string;
  system?: string;
  status?: number;
  retryAfter?: number;
  drop?: 'BEFORE' | 'AFTER';
  sftp?: 'FAILURE' | 'DISCONNECT_BEFORE' | 'DISCONNECT_AFTER';
  delayMs?: number;
  probability?: number;
  times?: number;
}

function ruleOf(flags: FaultAddFlags): FaultRuleInput {
  const rule: FaultRuleInput = { operation: flags.operation };
  if (flags.system !== undefined) rule.systemId = flags.system;
  if (flags.status !== undefined) rule.status = flags.status;
  if (flags.retryAfter !== undefined) rule.retryAfter = flags.retryAfter;
  if (flags.drop !== undefined) rule.drop = flags.drop;
  if (flags.sftp !== undefined) rule.sftp = flags.sftp;
  if (flags.delayMs !== undefined) rule.delayMs = flags.delayMs;
  if (flags.probability !== undefined) rule.probability = flags.probability;
  if (flags.times !== undefined) rule.times = flags.times;
  return rule;
}

function registerFaults(sim: Command, io: CliIO, setExitCode: (code: number) => void): void {
  const list = async (command: Command): Promise<void> => {
    const flags = flagsOf(command);
    const rules = await controlOf(flags, io).call((client) => client.faults());
    if (flags.json) for (const rule of rules) io.stdout(jsonLine(rule));
    else if (rules.length === 0) io.stdout('no fault rules\n');
    else for (const rule of rules) io.stdout(ruleText(rule));
  };
  const LIST_JSON = 'print each rule as one JSON line {id, operation, …}';
  const faults = withControlOptions(
    sim
      .command('faults')
      .description('list the fault rules; add or clear them (docs/simulator.md, "Faults")'),
    LIST_JSON,
  ).action(action(setExitCode, list));
  withControlOptions(faults.command('list').description('list the active fault rules'), LIST_JSON).action(
    action(setExitCode, list),
  );
  withControlOptions(
    faults
      .command('add')
      .description('add a fault rule: what to break, and how')
      .requiredOption(
        '--operation <operation>',
        '"POST /memos/", "GET /receipts/", "PUSH memo", "PUSH receipt", "SFTP RENAME", …',
      )
      .option('--system <id>', 'only calls by (or deliveries to) this system')
      .option('--status <status>', 'answer with this HTTP status', wholeNumber('--status'))
      .option('--retry-after <seconds>', 'Retry-After of a 503 or 429', wholeNumber('--retry-after'))
      .addOption(
        new Option('--drop <when>', 'close the connection BEFORE doing the call, or AFTER it').choices([
          'BEFORE',
          'AFTER',
        ]),
      )
      .addOption(
        new Option('--sftp <fault>', 'what an SFTP request meets').choices([
          'FAILURE',
          'DISCONNECT_BEFORE',
          'DISCONNECT_AFTER',
        ]),
      )
      .option('--delay-ms <ms>', 'wait this long first (real milliseconds)', wholeNumber('--delay-ms'))
      .option('--probability <p>', 'apply to this share of matching calls, 0 to 1', share)
      .option('--times <n>', 'apply to this many matching calls, then expire', wholeNumber('--times'))
      .addHelpText(
        'after',
        '\nExample: digitalpost sim faults add --operation "POST /memos/" --status 503 --retry-after 3 --times 2',
      ),
    'print the rule as the simulator keeps it (with its id) as one JSON line',
  ).action(
    action(setExitCode, async (command) => {
      const flags = flagsOf<FaultAddFlags>(command);
      const rule = await controlOf(flags, io).call((client) => client.addFault(ruleOf(flags)));
      io.stdout(flags.json ? jsonLine(rule) : `added ${ruleText(rule)}`);
    }),
  );
  withControlOptions(
    faults
      .command('clear')
      .description('remove one fault rule, or every rule')
      .argument('[id]', 'the rule to remove (as faults list shows it); default: every rule'),
    'print {"removed": id | "all"} as one JSON line',
  ).action(
    action(setExitCode, async (command) => {
      const flags = flagsOf(command);
      const id = command.processedArgs[0] as string | undefined;
      await controlOf(flags, io).call((client) =>
        id === undefined ? client.clearFaults() : client.removeFault(id),
      );
      if (flags.json) io.stdout(jsonLine({ removed: id ?? 'all' }));
      else
        io.stdout(id === undefined ? 'removed every fault rule\n' : `removed fault rule ${printable(id)}\n`);
    }),
  );
}

function mailboxText(entry: MailboxEntry): string {
  return `${printable(`${entry.messageUUID}  ${entry.deliveredAt ?? '-'}  ${entry.messageType ?? ''}  ${entry.label ?? ''}`)}\n`;
}

function partyNumber(value: string): string {
  if (!/^(\d{10}|\d{8})$/.test(value))
    throw new InvalidArgumentError('must be a CPR number (10 digits) or a CVR number (8 digits)');
  return value;
}

function uuid(value: string): string {
  if (!isUuid(value))
    throw new InvalidArgumentError('must be a messageUUID such as 3f2b8c1e-9d4a-4e7b-a1c5-6d8e2f4b7a90');
  return value;
}

function registerInspection(sim: Command, io: CliIO, setExitCode: (code: number) => void): void {
  withControlOptions(
    sim
      .command('mailbox')
      .description('list what landed in the mailbox of a citizen or company')
      .argument('<cpr-or-cvr>', 'the CPR (10 digits) or CVR (8 digits) number', partyNumber),
    'print each letter as one JSON line {messageUUID, label, messageType, senderSystemId, deliveredAt, message, memo}',
  ).action(
    action(setExitCode, async (command) => {
      const flags = flagsOf(command);
      const owner = command.processedArgs[0] as string;
      const entries = await controlOf(flags, io).call((client) => client.mailbox(owner));
      if (flags.json) for (const entry of entries) io.stdout(jsonLine(entry));
      else if (entries.length === 0) io.stdout(`the mailbox of ${owner} is empty\n`);
      else for (const entry of entries) io.stdout(mailboxText(entry));
    }),
  );
  withControlOptions(
    sim
      .command('message')
      .description('show a message the simulator holds: its state, receipt and events (or its MeMo)')
      .argument('<messageUUID>', 'the messageUUID', uuid)
      .option('--memo', 'print the MeMo XML as the simulator holds it instead'),
    'print the message as one JSON line, as GET /simulator/v1/messages/{messageUUID} answers',
  ).action(
    action(setExitCode, async (command) => {
      const flags = flagsOf<{ memo?: boolean }>(command);
      const id = command.processedArgs[0] as string;
      const control = controlOf(flags, io);
      const message = await control.call((client) => client.message(id));
      if (message === undefined)
        throw new CliError(`the simulator holds no message ${id}`, EXIT.failed, 'NOT_FOUND');
      if (flags.memo) {
        const xml = await control.call((client) => client.memo(id));
        io.stdout(Buffer.from(xml).toString('utf8'));
        return;
      }
      if (flags.json) {
        io.stdout(jsonLine(message));
        return;
      }
      const lines = [
        `${message.messageUUID}  ${message.state}${message.receiptStatus ? `  receipt ${message.receiptStatus}` : ''}`,
        `  sender system ${message.senderSystemId}`,
        ...(message.events ?? []).map(
          (event) => `  ${event.eventTime}  ${event.eventTag}${event.message ? `  ${event.message}` : ''}`,
        ),
      ];
      io.stdout(`${lines.map((line) => printable(line)).join('\n')}\n`);
    }),
  );
}

/** A public key line from `file`; refuses a private key without ever printing it. */
async function publicKeyOf(file: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read ${file}: ${reason(error)}`, EXIT.usage, 'FILE_UNREADABLE');
  }
  if (/PRIVATE KEY/.test(text))
    throw new CliError(
      `${file} is a private key: give its public half (the .pub file ssh-keygen wrote beside it)`,
      EXIT.usage,
      'PRIVATE_KEY',
    );
  return text.trim();
}

function registrationText(contact: ContactRegistration): string {
  const number = contact.cprNumber ?? contact.cvrNumber ?? contact.id;
  return `${printable(`${number}  ${contact.publicRegistrationStatus} (${contact.registrationStatus})  version ${contact.version}  ${contact.lastUpdated}`)}\n`;
}

function registerContact(sim: Command, io: CliIO, setExitCode: (code: number) => void): void {
  withControlOptions(
    sim
      .command('contact')
      .description(
        "change a registered citizen's or company's Digital Post registration; its subscribers are notified",
      )
      .argument('<cpr-or-cvr>', 'the CPR (10 digits) or CVR (8 digits) number', partyNumber)
      .addOption(
        new Option('--status <status>', 'the public registration status').choices(
          PUBLIC_REGISTRATION_STATUSES.filter((status) => status !== 'UNKNOWN'),
        ),
      )
      .addOption(
        new Option(
          '--registration <registration>',
          'how it came about (default: follows --status, e.g. EXEMPT_OTHER_REASON for EXEMPT)',
        ).choices(REGISTRATION_STATUSES.filter((status) => status !== 'UNKNOWN')),
      )
      .addHelpText(
        'after',
        '\nExample: digitalpost sim contact 0101700001 --status EXEMPT --registration EXEMPT_LEFT_THE_COUNTRY',
      ),
    'print the contact as one JSON line {id, cprNumber|cvrNumber, name, publicRegistrationStatus, registrationStatus, version, lastUpdated}',
  ).action(
    action(setExitCode, async (command) => {
      const flags = flagsOf<{ status?: string; registration?: string }>(command);
      const number = command.processedArgs[0] as string;
      if (flags.status === undefined && flags.registration === undefined)
        throw new CliError(
          'sim contact needs --status or --registration: the registration to change to',
          EXIT.usage,
        );
      const change = {
        ...(flags.status === undefined ? {} : { publicRegistrationStatus: flags.status }),
        ...(flags.registration === undefined ? {} : { registrationStatus: flags.registration }),
      };
      const contact = await controlOf(flags, io).call((client) => client.changeRegistration(number, change));
      io.stdout(flags.json ? jsonLine(contact) : registrationText(contact));
    }),
  );
}

function registerSetup(sim: Command, io: CliIO, setExitCode: (code: number) => void): void {
  const sshKey = sim.command('ssh-key').description("SSH keys of the systems' SFTP users");
  withControlOptions(
    sshKey
      .command('add')
      .description("register an OpenSSH public key for a system's SFTP user (each call adds a key)")
      .argument('<system>', 'the system: its id, or its SFTP user name (testkommune in the default seed)')
      .argument('<file>', 'the public key file, e.g. ngdp_key.pub'),
    'print {id, sshUsername, sshPublicKeys} as one JSON line',
  ).action(
    action(setExitCode, async (command) => {
      const flags = flagsOf(command);
      const [system, file] = command.processedArgs as [string, string];
      const publicKey = await publicKeyOf(file);
      const control = controlOf(flags, io);
      const answer = await control.call(async (client) => {
        if (isUuid(system)) return client.registerSshKey(system, publicKey);
        const match = (await client.systems()).find((s) => s.sshUsername === system);
        if (match === undefined)
          throw new CliError(
            `the simulator has no system with the SFTP user ${system}: give a system id or an sshUsername`,
            EXIT.failed,
            'NOT_FOUND',
          );
        return client.registerSshKey(match.id, publicKey);
      });
      io.stdout(
        flags.json
          ? jsonLine(answer)
          : `${printable(`registered the key for ${answer.sshUsername ?? answer.id} (system ${answer.id}; ${answer.sshPublicKeys} key${answer.sshPublicKeys === 1 ? '' : 's'})`)}\n`,
      );
    }),
  );
  withControlOptions(
    sim
      .command('reset')
      .description(
        'back to the seed: messages, receipts, faults, registered SSH keys and the transcript go; the clock stays',
      ),
    'print {"reset":true} as one JSON line',
  ).action(
    action(setExitCode, async (command) => {
      const flags = flagsOf(command);
      await controlOf(flags, io).call((client) => client.reset());
      io.stdout(flags.json ? jsonLine({ reset: true }) : 'reset to the seed\n');
    }),
  );
}

/** `digitalpost sim clock|faults|mailbox|message|contact|ssh-key|reset` under `sim`. */
export function registerSimControlCommands(
  sim: Command,
  io: CliIO,
  setExitCode: (code: number) => void,
): void {
  registerClock(sim, io, setExitCode);
  registerFaults(sim, io, setExitCode);
  registerInspection(sim, io, setExitCode);
  registerContact(sim, io, setExitCode);
  registerSetup(sim, io, setExitCode);
}
