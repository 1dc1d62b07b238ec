/**
 * What the commands that talk to NgDP's SFTP server share (`send --sftp`, `receipts pull --sftp`):
 * where (`--sftp HOST:PORT`), who (`--user`, `--key`, `--passphrase`) and which server
 * (`--host-key`, `--known-hosts`, or OpenSSH's own `~/.ssh/known_hosts`; `--insecure-host-key` to
 * trust any), from flags first and the environment second; and how SFTP errors read on one line.
 * The key and its passphrase never reach the output, and what the server said is printed escaped.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { InvalidOptionsError, SftpError } from '../sdk/errors.ts';
import { SftpSender } from '../sdk/sftp/sender.ts';
import type { SftpSenderOptions } from '../sdk/sftp/types.ts';
import { debugLogging, logDebug } from './connection.ts';
import { reason } from './files.ts';
import { CliError, type CliIO, EXIT, errorCode } from './io.ts';
import { printable } from './text.ts';

/** The environment variables the SFTP modes read (flags take precedence). */
export const SFTP_ENV = {
  user: 'DIGITALPOST_SFTP_USER',
  key: 'DIGITALPOST_SFTP_KEY',
  passphrase: 'DIGITALPOST_SFTP_PASSPHRASE',
  hostKey: 'DIGITALPOST_SFTP_HOST_KEY',
  knownHosts: 'DIGITALPOST_SFTP_KNOWN_HOSTS',
} as const;

/** An SFTP server address. */
export interface SftpAddress {
  host: string;
  port: number;
}

export interface SftpFlags {
  sftp?: SftpAddress;
  user?: string;
  /** With --sftp: the SSH private key file (otherwise the TLS key of --cert). */
  key?: string;
  passphrase?: string;
  hostKey?: string;
  knownHosts?: string;
  insecureHostKey?: boolean;
  /** Seconds (the connection flag --timeout), for logging in. */
  timeout: number;
  /** Log each upload and receipt file (also `DIGITALPOST_LOG=debug`). */
  verbose?: boolean;
}

/** Parses `HOST:PORT`, `HOST` (port 22) or `[IPv6]:PORT`. */
export function sftpAddress(value: string): SftpAddress {
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]\s]+))(?::(\d{1,5}))?$/.exec(value);
  const port = match?.[3] === undefined ? 22 : Number(match[3]);
  const host = match?.[1] ?? match?.[2];
  if (host === undefined || port < 1 || port > 65_535)
    throw new InvalidArgumentError('--sftp must be HOST:PORT, e.g. 127.0.0.1:4522 (the simulator)');
  return { host, port };
}

const GROUP = 'SFTP (mass sending to the SFTP server instead of the REST API):';

/**
 * Adds `--sftp`, `--user` and the host key flags (`--key`, `--passphrase` and `--timeout` are
 * shared).
 */
export function addSftpOptions(command: Command, extra: Option[] = []): Command {
  const options = [
    new Option(
      '--sftp <host:port>',
      'use the SFTP server at HOST:PORT (the simulator: 127.0.0.1:4522); --key is then the SSH private key',
    ).argParser(sftpAddress),
    new Option('--user <name>', `the system's SFTP user (env ${SFTP_ENV.user})`),
    new Option(
      '--host-key <fingerprint>',
      `the server's host key, SHA256:… as ssh-keygen -l prints it and sim start shows it (env ${SFTP_ENV.hostKey})`,
    ),
    new Option(
      '--known-hosts <file>',
      `check the host key in this OpenSSH known_hosts file (env ${SFTP_ENV.knownHosts}; default ~/.ssh/known_hosts)`,
    ),
    new Option(
      '--insecure-host-key',
      'trust any host key: anyone in the network path could pose as the server and receive the letters (local tests only)',
    ),
    ...extra,
  ];
  for (const option of options) command.addOption(option.helpGroup(GROUP));
  return command.addHelpText(
    'after',
    [
      '',
      `With --sftp: ${SFTP_ENV.user}, ${SFTP_ENV.key} (key file), ${SFTP_ENV.passphrase},`,
      `${SFTP_ENV.hostKey}, ${SFTP_ENV.knownHosts}. The server's host key is always checked:`,
      "against --host-key, else --known-hosts, else OpenSSH's ~/.ssh/known_hosts (where ssh and sftp put",
      'the servers you accepted). A server whose key is not known is refused, and the message shows its',
      "fingerprint: pin it only once you know it is the server's (ask its operator; the simulator prints",
      'its own at start). --insecure-host-key turns the check off, with a warning.',
    ].join('\n'),
  );
}

/** Flags of the REST connection that mean nothing with --sftp. */
const REST_ONLY = [
  ['apiKey', '--api-key'],
  ['baseUrl', '--base-url'],
  ['environment', '--environment'],
  ['cert', '--cert'],
  ['pfx', '--pfx'],
  ['ca', '--ca'],
] as const;

/** Fails with exit 2 when a flag of the REST connection is given with --sftp. */
export function refuseRestFlags(flags: object): void {
  for (const [key, flag] of REST_ONLY)
    if ((flags as Record<string, unknown>)[key] !== undefined)
      throw new CliError(`${flag} is for the REST API; it is not used with --sftp`);
}

/** Fails with exit 2 when an SFTP flag is given without --sftp. */
export function refuseSftpFlags(flags: object, names: ReadonlyArray<readonly [string, string]>): void {
  const sftpOnly = [
    ['user', '--user'],
    ['hostKey', '--host-key'],
    ['knownHosts', '--known-hosts'],
    ['insecureHostKey', '--insecure-host-key'],
  ] as const;
  for (const [key, flag] of [...sftpOnly, ...names] as const)
    if ((flags as Record<string, unknown>)[key] !== undefined)
      throw new CliError(`${flag} needs --sftp HOST:PORT`);
}

const given = (value: string | undefined): string | undefined =>
  value === undefined || value === '' ? undefined : value;

/** An SftpSender for one command run, and how its errors read. */
export interface SftpConnection {
  sender: SftpSender;
  /** `host:port`. */
  server: string;
  /** One line for an error, without secrets. */
  describe(error: unknown): string;
  /**
   * Connects and logs in, or fails the command with one line ending in `unlessDone` (exit 2 for a
   * key that cannot be used, else 1).
   */
  connect(unlessDone: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * Builds the sender from flags and environment (`--sftp` given), or fails with exit 2 naming what
 * is missing or unreadable. Warnings (an unpinned host key, recovered uploads) go to stderr.
 */
export async function sftpConnection(
  flags: SftpFlags,
  io: CliIO,
  options: { journal?: string } = {},
): Promise<SftpConnection> {
  const address = flags.sftp as SftpAddress;
  refuseRestFlags(flags);
  const user = flags.user ?? given(io.env[SFTP_ENV.user]);
  if (user === undefined) throw new CliError(`no SFTP user: pass --user NAME or set ${SFTP_ENV.user}`);
  const keyFile = flags.key ?? given(io.env[SFTP_ENV.key]);
  if (keyFile === undefined) throw new CliError(`no SSH private key: pass --key FILE or set ${SFTP_ENV.key}`);
  const keyFlag = flags.key === undefined ? SFTP_ENV.key : '--key';
  let privateKey: Buffer;
  try {
    privateKey = await readFile(keyFile);
  } catch (error) {
    throw new CliError(`cannot read the ${keyFlag} file ${keyFile}: ${reason(error)}`);
  }
  const hostKeyCheck = hostKeyCheckOf(flags, io);
  const passphrase = flags.passphrase ?? given(io.env[SFTP_ENV.passphrase]);
  let sender: SftpSender;
  try {
    sender = new SftpSender({
      host: address.host,
      port: address.port,
      username: user,
      privateKey,
      ...(passphrase === undefined ? {} : { passphrase }),
      ...hostKeyCheck,
      readyTimeoutMs: flags.timeout * 1000,
      ...(options.journal === undefined ? {} : { journal: options.journal }),
    });
  } catch (error) {
    if (error instanceof InvalidOptionsError && /hostKey/.test(error.message))
      throw new CliError(
        `${flags.hostKey === undefined ? SFTP_ENV.hostKey : '--host-key'} must be a fingerprint like SHA256:ekwZ0pUa… (43 base64 characters), as ssh-keygen -l prints it`,
      );
    throw error;
  }
  if (debugLogging(flags.verbose, io)) {
    sender.on('upload-start', ({ kind, name }) =>
      logDebug(io, { event: 'upload-start', kind, name }, `upload ${kind} ${name} → ${sender.server}/in\n`),
    );
    sender.on('uploaded', ({ name, bytes, messageUUIDs }) =>
      logDebug(
        io,
        { event: 'uploaded', name, bytes, messages: messageUUIDs.length },
        `uploaded ${name} (${bytes} bytes, ${messageUUIDs.length} messages)\n`,
      ),
    );
    sender.on('receipt', (receipt) =>
      logDebug(
        io,
        { event: 'receipt', file: receipt.file },
        `read receipt file ${printable(receipt.file)}\n`,
      ),
    );
  }
  sender.on('warning', (warning) => {
    const hint =
      warning.code === 'HOST_KEY_NOT_PINNED'
        ? `the host key of ${sender.server} was not checked (--insecure-host-key); it is ${warning.fingerprint}`
        : warning.message;
    io.stderr(`digitalpost: warning: ${printable(hint)}\n`);
  });
  const secrets = [passphrase].filter(
    (secret): secret is string => secret !== undefined && secret.length >= 4,
  );
  const redact = (text: string): string =>
    secrets.reduce((result, secret) => result.replaceAll(secret, '***'), text);
  const describe = (error: unknown): string => {
    let text = error instanceof Error ? error.message : String(error);
    if (error instanceof SftpError && error.code === 'SFTP_AUTH_FAILED')
      text += ' (check --user and --key: the key must be registered for the system)';
    if (error instanceof SftpError && error.code === 'SFTP_HOST_KEY_MISMATCH' && 'hostKey' in hostKeyCheck)
      text += ' (--host-key)';
    if (error instanceof SftpError && error.code === 'SFTP_HOST_KEY_UNKNOWN')
      text += `; once you know it is, pass --host-key ${error.hostKeyFingerprint} (the simulator prints its own at start)`;
    return printable(redact(text));
  };
  return {
    sender,
    server: sender.server,
    describe,
    async connect(unlessDone) {
      try {
        await sender.connect();
      } catch (error) {
        if (error instanceof SftpError && error.code === 'SFTP_KEY_INVALID') {
          const why = error.message.replace(/^.*? cannot be used: /, '');
          const hint = /passphrase/.test(why) ? ` (--passphrase or ${SFTP_ENV.passphrase})` : '';
          throw new CliError(`cannot use the ${keyFlag} file ${keyFile}: ${printable(redact(why))}${hint}`);
        }
        throw new CliError(`${describe(error)}; ${unlessDone}`, EXIT.failed, errorCode(error));
      }
    },
    close: () => sender.close(),
  };
}

/**
 * How the server's host key is checked, from flags first and the environment second, then OpenSSH's
 * own known_hosts in the home folder.
 *
 * @throws CliError (exit 2) for contradicting flags, or when there is nothing to check against.
 */
function hostKeyCheckOf(
  flags: SftpFlags,
  io: CliIO,
): Pick<SftpSenderOptions, 'hostKey' | 'knownHosts' | 'insecureHostKey'> {
  if (flags.insecureHostKey === true) {
    if (flags.hostKey !== undefined || flags.knownHosts !== undefined)
      throw new CliError(
        `--insecure-host-key turns the host key check off; it cannot go with ${flags.hostKey === undefined ? '--known-hosts' : '--host-key'}`,
      );
    return { insecureHostKey: true };
  }
  if (flags.hostKey !== undefined && flags.knownHosts !== undefined)
    throw new CliError('give --host-key or --known-hosts, not both');
  if (flags.hostKey !== undefined) return { hostKey: flags.hostKey };
  if (flags.knownHosts !== undefined) return { knownHosts: flags.knownHosts };
  const hostKey = given(io.env[SFTP_ENV.hostKey]);
  if (hostKey !== undefined) return { hostKey };
  const knownHosts = given(io.env[SFTP_ENV.knownHosts]);
  if (knownHosts !== undefined) return { knownHosts };
  const home = given(io.env.HOME) ?? given(io.env.USERPROFILE);
  if (home !== undefined) return { knownHosts: join(home, '.ssh', 'known_hosts') };
  throw new CliError(
    `no host key to check the SFTP server against: pass --host-key SHA256:… (the simulator prints it at start) or --known-hosts FILE, or set ${SFTP_ENV.hostKey}; --insecure-host-key skips the check`,
  );
}
