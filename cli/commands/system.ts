/**
 * `digitalpost system create|list|renew-key|add-ssh-key|make-default`: an organisation's sender and
 * recipient systems in Administrativ Adgang (docs/cli.md, "Systems"). A new API key is printed this
 * once.
 */
import { readFile } from 'node:fs/promises';
import { type Command, Option } from 'commander';
import type { MailSystem, MailSystemCommand } from '../../sdk/admin/types.ts';
import {
  type AdminConnection,
  type AdminFlags,
  addAdminOptions,
  adminConnect,
  withAdmin,
} from '../admin-connection.ts';
import { reason } from '../files.ts';
import { CliError, type CliIO, EXIT } from '../io.ts';
import { jsonLine, printable } from '../text.ts';

interface CreateFlags extends AdminFlags {
  name: string;
  type: 'sender' | 'recipient' | 'both';
  protocol: NonNullable<MailSystemCommand['serviceProtocol']>;
  endpoint?: string;
  receiptEndpoint?: string;
  ip?: string[];
  activeFrom?: string;
  inactive?: boolean;
  contactName: string;
  contactEmail: string;
  contactPhone: string;
}

const EXIT_CODES = '\nExit codes: 0 done, 1 NgDP refused or is unreachable, 2 usage error or not logged in.';

const TYPES: Record<CreateFlags['type'], MailSystemCommand['systemTypes']> = {
  sender: ['SENDER'],
  recipient: ['RECIPIENT'],
  both: ['SENDER', 'RECIPIENT'],
};

/**
 * When a new system is active from unless told: a date long past, so that it is in operation at
 * once — also on a simulator whose clock was set back (a manual clock), where "now" would still
 * be in the future.
 */
const ACTIVE_SINCE = '2020-01-01T00:00:00Z';

const collect = (value: string, all: string[] | undefined): string[] => [...(all ?? []), value];

/** One line about a system: id, name, kinds, protocol, whether it is active. */
function systemLine(system: MailSystem): string {
  return `${printable(
    [
      system.id,
      system.name,
      (system.systemTypes ?? []).join(','),
      system.serviceProtocol,
      system.activeFrom === undefined ? 'not activated' : `active from ${system.activeFrom}`,
    ].join('  '),
  )}\n`;
}

/** A system, and the API key in it (shown once) on a line of its own. */
function printSystem(io: CliIO, flags: AdminFlags, system: MailSystem): void {
  if (flags.json === true) {
    io.stdout(jsonLine(system));
    return;
  }
  io.stdout(systemLine(system));
  // NgDP gives the whole header value (`Basic <key>`); the key is what DIGITALPOST_API_KEY takes.
  const key = system.apiToken?.authenticationToken?.replace(/^Basic\s+/i, '');
  if (key !== undefined) io.stdout(`api key: ${key}  (shown this once)\n`);
}

function commandOf(flags: CreateFlags): MailSystemCommand {
  if (flags.inactive === true && flags.activeFrom !== undefined)
    throw new CliError('give --active-from or --inactive, not both');
  if (flags.activeFrom !== undefined && Number.isNaN(Date.parse(flags.activeFrom)))
    throw new CliError(
      `--active-from must be an ISO-8601 date-time, got ${JSON.stringify(flags.activeFrom)}`,
    );
  return {
    name: flags.name,
    systemTypes: TYPES[flags.type],
    serviceProtocol: flags.protocol,
    allowedIps: (flags.ip ?? ['127.0.0.1']).map((ip) => ({ ip, range: ip.includes('/') })),
    ...(flags.inactive === true ? {} : { activeFrom: flags.activeFrom ?? ACTIVE_SINCE }),
    ...(flags.endpoint === undefined ? {} : { endpoint: flags.endpoint }),
    ...(flags.receiptEndpoint === undefined ? {} : { receiptEndpoint: flags.receiptEndpoint }),
    technicalContact: { name: flags.contactName, email: flags.contactEmail, phoneNumber: flags.contactPhone },
  };
}

/** Runs one system command: connect, act on the organisation, print. */
async function run(
  flags: AdminFlags,
  io: CliIO,
  action: (connection: AdminConnection, organisationId: string) => Promise<void>,
): Promise<number> {
  const connection = await adminConnect(flags, io);
  await action(connection, connection.organisation());
  return EXIT.ok;
}

/** `digitalpost system …` */
export function registerSystemCommands(
  program: Command,
  io: CliIO,
  setExitCode: (code: number) => void,
): void {
  const system = program
    .command('system')
    .description(
      "an organisation's sender and recipient systems in Administrativ Adgang (after digitalpost login)",
    );

  addAdminOptions(
    system
      .command('create')
      .description('create a system; its API key is printed this once')
      .option('--name <name>', 'its name', 'Testsystem')
      .addOption(new Option('--type <type>', 'what it does').choices(Object.keys(TYPES)).default('sender'))
      .addOption(
        new Option('--protocol <protocol>', 'how it exchanges messages')
          .choices(['REST_PULL', 'REST_PUSH', 'REST_PUBLISH_SUBSCRIBE', 'SFTP'])
          .default('REST_PULL'),
      )
      .option('--endpoint <url>', 'where NgDP pushes MeMos (a pushing recipient)')
      .option('--receipt-endpoint <url>', 'where NgDP pushes receipts (a pushing sender)')
      .option(
        '--ip <address>',
        'an address (or CIDR range) it calls from; repeatable (default 127.0.0.1)',
        collect,
      )
      .option('--active-from <date-time>', `when it starts (default: ${ACTIVE_SINCE}: at once)`)
      .option('--inactive', 'leave it not activated')
      .option('--contact-name <name>', 'its technical contact', 'IT-drift')
      .option('--contact-email <email>', "the contact's e-mail", 'drift@example.dk')
      .option('--contact-phone <number>', "the contact's phone number", '70000000')
      .option('--json', "print NgDP's MailSystem (with the API key) as one JSON line"),
  )
    .addHelpText('after', `\nExample: digitalpost system create --name Journal --type recipient${EXIT_CODES}`)
    .action(async (flags: CreateFlags) =>
      setExitCode(
        await run(flags, io, async (connection, organisationId) => {
          const command = commandOf(flags);
          printSystem(
            io,
            flags,
            await withAdmin(connection, (c) => c.systems.create(organisationId, command)),
          );
        }),
      ),
    );

  addAdminOptions(
    system
      .command('list')
      .description("list the organisation's systems")
      .option('--json', "one JSON object per system (NgDP's MailSystem, JSON Lines)"),
  )
    .addHelpText('after', EXIT_CODES)
    .action(async (flags: AdminFlags) =>
      setExitCode(
        await run(flags, io, (connection, organisationId) =>
          withAdmin(connection, async (client) => {
            for await (const each of client.systems.list(organisationId))
              io.stdout(flags.json === true ? jsonLine(each) : systemLine(each));
          }),
        ),
      ),
    );

  for (const [name, description, call] of [
    [
      'renew-key',
      'give a system a new API key, printed this once; the old key stops working',
      (c: AdminConnection['client'], organisationId: string, id: string) =>
        c.systems.renewApiKey(organisationId, id),
    ],
    [
      'make-default',
      "make a recipient system the organisation's primary one",
      (c: AdminConnection['client'], organisationId: string, id: string) =>
        c.systems.makeDefaultRecipient(organisationId, id),
    ],
  ] as const)
    addAdminOptions(
      system
        .command(name)
        .description(description)
        .argument('<system-id>', 'the system')
        .option('--json', "print NgDP's MailSystem as one JSON line"),
    )
      .addHelpText('after', EXIT_CODES)
      .action(async (id: string, flags: AdminFlags) =>
        setExitCode(
          await run(flags, io, async (connection, organisationId) =>
            printSystem(io, flags, await withAdmin(connection, (c) => call(c, organisationId, id))),
          ),
        ),
      );

  addAdminOptions(
    system
      .command('add-ssh-key')
      .description('give an SFTP system its SSH public key (it replaces the last); prints the SFTP user')
      .argument('<system-id>', 'the system')
      .argument('<public-key-file>', 'the OpenSSH public key, e.g. ~/.ssh/id_ed25519.pub')
      .option('--json', "print NgDP's Ssh as one JSON line"),
  )
    .addHelpText('after', EXIT_CODES)
    .action(async (id: string, file: string, flags: AdminFlags) => {
      let key: string;
      try {
        key = await readFile(file, 'utf8');
      } catch (error) {
        throw new CliError(
          `cannot read the public key file ${file}: ${reason(error)}`,
          EXIT.usage,
          'FILE_UNREADABLE',
        );
      }
      setExitCode(
        await run(flags, io, async (connection, organisationId) => {
          const ssh = await withAdmin(connection, (c) => c.systems.addSshKey(organisationId, id, key));
          io.stdout(
            flags.json === true
              ? jsonLine(ssh)
              : `${printable(`SFTP user ${ssh.sshUsername ?? '?'} of system ${id}`)}\n`,
          );
        }),
      );
    });
}
