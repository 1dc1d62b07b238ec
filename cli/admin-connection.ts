/**
 * What the administration commands (`login`, `identity`, `system`, `contact-structure`) share: the
 * login kept between commands (a per-user file readable by its owner only), the AdminClient made
 * from flags, the environment and that login, and how its errors read on one line — never with
 * the token or a password.
 */
import { chmod, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { type Command, Option } from 'commander';
import { AdminClient } from '../sdk/admin/client.ts';
import {
  ApiError,
  AuthenticationError,
  ConnectionError,
  InvalidOptionsError,
  UnknownOutcomeError,
} from '../sdk/errors.ts';
import type { RequestLogEvent } from '../sdk/http/transport.ts';
import { count, debugLogging, ENV, logDebug, seconds } from './connection.ts';
import { ensureDirectory, reason, writeFileAtomically } from './files.ts';
import { CliError, type CliIO, EXIT, errorCode } from './io.ts';

/** The environment variables the administration commands read besides {@link ENV}'s. */
export const ADMIN_ENV = {
  token: 'DIGITALPOST_ADMIN_TOKEN',
  password: 'DIGITALPOST_PASSWORD',
  configHome: 'XDG_CONFIG_HOME',
  home: 'HOME',
} as const;

/** What `digitalpost login` keeps for the commands after it. */
export interface StoredLogin {
  /** The API base URL logged in at (…/apis/v1). */
  baseUrl: string;
  token: string;
  username: string;
  /** The organisation the token acts for. */
  organisationId: string;
  /** When the token expires (ISO-8601) on the server's clock, as NgDP said. */
  expiration?: string;
  /**
   * When the token expires on this machine's clock (ISO-8601): the login's time plus NgDP's
   * `expiresIn`. A simulator with a manual clock may stand anywhere in time, so `expiration` cannot
   * be compared with this machine's.
   */
  validUntil?: string;
}

const given = (value: string | undefined): string | undefined =>
  value === undefined || value === '' ? undefined : value;

/** The file the login is kept in: `$XDG_CONFIG_HOME/digitalpost/login.json` (or `~/.config/…`). */
export function loginFile(io: CliIO): string {
  const config = given(io.env[ADMIN_ENV.configHome]);
  if (config !== undefined) return join(config, 'digitalpost', 'login.json');
  const home = given(io.env[ADMIN_ENV.home]);
  if (home === undefined)
    throw new CliError(
      `cannot tell where to keep the login: set ${ADMIN_ENV.configHome} or ${ADMIN_ENV.home}`,
    );
  return join(home, '.config', 'digitalpost', 'login.json');
}

/** Keeps a login for later commands, readable by the user only (0600, in a 0700 directory). */
export async function saveLogin(io: CliIO, login: StoredLogin): Promise<string> {
  const file = loginFile(io);
  await ensureDirectory(dirname(file), 'configuration');
  try {
    await chmod(dirname(file), 0o700);
    await writeFileAtomically(file, `${JSON.stringify(login, null, 2)}\n`, 0o600);
    await chmod(file, 0o600);
  } catch (error) {
    throw new CliError(`cannot keep the login in ${file}: ${reason(error)}`, EXIT.failed);
  }
  return file;
}

/** The kept login, or undefined when there is none. */
export async function readLogin(io: CliIO): Promise<StoredLogin | undefined> {
  const file = loginFile(io);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CliError(`cannot read the login in ${file}: ${reason(error)}`, EXIT.failed);
  }
  const login = (() => {
    try {
      return JSON.parse(text) as Partial<StoredLogin>;
    } catch {
      return undefined;
    }
  })();
  if (typeof login?.token !== 'string' || typeof login.baseUrl !== 'string')
    throw new CliError(`the login in ${file} is damaged: run digitalpost login again`, EXIT.failed);
  return login as StoredLogin;
}

export interface AdminFlags {
  baseUrl?: string;
  /** The organisation acted for (default: the login's). */
  organisation?: string;
  /** Seconds. */
  timeout: number;
  retries: number;
  allowInsecureHttp?: boolean;
  verbose?: boolean;
  json?: boolean;
}

const GROUP = 'Connection (flags take precedence over the environment and the login):';

/** Adds the flags every administration command takes. */
export function addAdminOptions(command: Command, organisation = true): Command {
  const options = [
    new Option(
      '--base-url <url>',
      `NgDP's API base URL, e.g. http://127.0.0.1:4500/apis/v1 (env ${ENV.baseUrl}; default: the login's)`,
    ),
    ...(organisation
      ? [new Option('--organisation <id>', "the organisation to act for (default: the login's)")]
      : []),
    new Option('--timeout <seconds>', 'time for one attempt of a request')
      .argParser(seconds('--timeout'))
      .default(30),
    new Option('--retries <n>', 'retries after connection errors, timeouts and 503')
      .argParser(count('--retries'))
      .default(3),
    new Option(
      '--allow-insecure-http',
      'allow an http:// --base-url to another machine (closed test networks only)',
    ),
    new Option('--verbose', `log each HTTP attempt to stderr; never secrets (or ${ENV.log}=debug)`),
  ];
  for (const option of options) command.addOption(option.helpGroup(GROUP));
  return command;
}

/** An AdminClient for one command run, and how its errors read. */
export interface AdminConnection {
  client: AdminClient;
  /** The organisation acted for (the flag's, or the login's). */
  organisationId: string | undefined;
  /** The organisation acted for. @throws CliError when neither the flag nor the login names one. */
  organisation(): string;
  /** One line for an error, without secrets. */
  describe(error: unknown): string;
  /** Fails the command (exit 1) with the error on one line. */
  fail(error: unknown): never;
}

function baseUrlOf(flags: AdminFlags, io: CliIO, login: StoredLogin | undefined): string {
  const baseUrl = flags.baseUrl ?? given(io.env[ENV.baseUrl]) ?? login?.baseUrl;
  if (baseUrl === undefined)
    throw new CliError(
      `no NgDP address: pass --base-url URL or set ${ENV.baseUrl} (e.g. http://127.0.0.1:4500/apis/v1)`,
    );
  if (!/^https?:\/\/[^/]/.test(baseUrl))
    throw new CliError(`${flags.baseUrl !== undefined ? '--base-url' : ENV.baseUrl} must be an http(s) URL`);
  return baseUrl.replace(/\/+$/, '');
}

/** The error of a login that expired, or undefined while it holds. */
function expired(login: StoredLogin, now: number): CliError | undefined {
  const at = login.validUntil === undefined ? Number.NaN : Date.parse(login.validUntil);
  if (Number.isNaN(at) || at > now) return undefined;
  return new CliError(
    `the login of ${login.username} expired at ${login.validUntil}: run digitalpost login again`,
    EXIT.failed,
    'LOGIN_EXPIRED',
  );
}

/** A short list of the fields NgDP refused, for a one-line message. */
function fieldsOf(error: ApiError): string {
  const fields = error.fieldErrors
    .slice(0, 5)
    .map((field) => [field.field, field.message].filter(Boolean).join(' '))
    .filter((text) => text !== '');
  const more = error.fieldErrors.length > 5 ? `; and ${error.fieldErrors.length - 5} more` : '';
  return fields.length === 0 ? '' : ` (${fields.join('; ')}${more})`;
}

/**
 * Builds the AdminClient of an administration command: the token from `DIGITALPOST_ADMIN_TOKEN` or
 * the kept login (`anonymous`: none needed), the base URL from the flag, the environment or the
 * login.
 *
 * @throws CliError (exit 2) for missing or wrong settings, (exit 1) for a login that expired.
 */
export async function adminConnect(
  flags: AdminFlags,
  io: CliIO,
  options: { anonymous?: boolean; secrets?: readonly string[] } = {},
): Promise<AdminConnection> {
  const envToken = given(io.env[ADMIN_ENV.token]);
  // A login needs no kept login, unless for the address of the last one.
  const addressGiven = flags.baseUrl !== undefined || given(io.env[ENV.baseUrl]) !== undefined;
  const login =
    envToken === undefined && !(options.anonymous === true && addressGiven) ? await readLogin(io) : undefined;
  const baseUrl = baseUrlOf(flags, io, login);
  let token = envToken;
  if (token === undefined && login !== undefined && options.anonymous !== true) {
    if (login.baseUrl !== baseUrl)
      throw new CliError(
        `the login is for ${login.baseUrl}, not ${baseUrl}: run digitalpost login --base-url ${baseUrl}`,
      );
    const stale = expired(login, Date.now());
    if (stale !== undefined) throw stale;
    token = login.token;
  }
  if (token === undefined && options.anonymous !== true)
    throw new CliError(`not logged in: run digitalpost login, or set ${ADMIN_ENV.token}`);
  const logger = debugLogging(flags.verbose, io)
    ? (event: RequestLogEvent) =>
        logDebug(io, { ...event }, `${event.method} ${event.path} → ${event.status ?? event.error ?? '?'}\n`)
    : undefined;
  const clientWith = (bearer: string | undefined): AdminClient => {
    try {
      return new AdminClient({
        baseUrl,
        ...(bearer === undefined ? {} : { token: bearer }),
        timeoutMs: flags.timeout * 1000,
        retry: { maxRetries: flags.retries },
        allowInsecureHttp: flags.allowInsecureHttp === true,
        userAgent: 'cli',
        ...(logger === undefined ? {} : { logger }),
      });
    } catch (error) {
      if (error instanceof InvalidOptionsError)
        throw new CliError(error.message.replace(/^AdminClient: /, ''));
      throw error;
    }
  };
  let client = clientWith(options.anonymous === true ? undefined : token);
  const secrets = [token, ...(options.secrets ?? [])].filter(
    (secret): secret is string => secret !== undefined && secret.length >= 4,
  );
  const redact = (text: string): string =>
    secrets.reduce((result, secret) => result.replaceAll(secret, '***'), text);
  const organisationId = flags.organisation ?? (token === envToken ? undefined : login?.organisationId);
  const describe = (error: unknown): string => {
    let text: string;
    if (error instanceof AuthenticationError && error.code === 'TOKEN_EXPIRED')
      text = 'the login expired: run digitalpost login again';
    else if (error instanceof AuthenticationError && error.code === 'LOGIN_FAILED')
      text = 'the username or the password is not right (401 LOGIN_FAILED)';
    else if (error instanceof AuthenticationError)
      text = `NgDP refused the login (401 ${error.code}: ${error.detail}): run digitalpost login again`;
    else if (error instanceof ApiError)
      text = `${error.status} ${error.code}: ${error.detail}${fieldsOf(error)}`;
    else if (error instanceof ConnectionError) text = `cannot reach NgDP at ${baseUrl}`;
    else if (error instanceof UnknownOutcomeError) text = error.message;
    else text = error instanceof Error ? error.message : String(error);
    return redact(text);
  };
  // The kept login acts for its organisation; another one named is switched to for this command.
  const switchTo = options.anonymous !== true && token === login?.token ? flags.organisation : undefined;
  if (switchTo !== undefined && switchTo !== login?.organisationId) {
    try {
      const switched = await client.portal.switchContext({ organisationId: switchTo });
      secrets.push(switched.value);
      client = clientWith(switched.value);
    } catch (error) {
      throw new CliError(`cannot act for ${switchTo}: ${describe(error)}`, EXIT.failed, errorCode(error));
    }
  }
  return {
    client,
    organisationId,
    organisation() {
      if (organisationId === undefined)
        throw new CliError('which organisation? pass --organisation ID (or log in with digitalpost login)');
      return organisationId;
    },
    describe,
    fail(error: unknown): never {
      throw new CliError(describe(error), EXIT.failed, errorCode(error));
    },
  };
}

/** Runs `action` with the connection, failing the command with one line on an error of the SDK. */
export async function withAdmin<T>(
  connection: AdminConnection,
  action: (client: AdminClient) => Promise<T>,
): Promise<T> {
  try {
    return await action(connection.client);
  } catch (error) {
    if (error instanceof CliError) throw error;
    return connection.fail(error);
  }
}
