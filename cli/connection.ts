/**
 * What every command that talks to NgDP shares: where (base URL or environment), who (API key,
 * client certificate) and how (timeout, retries), from flags first and the environment second; and
 * how the SDK's errors read on one line. Secrets never reach the output.
 */
import { readFile } from 'node:fs/promises';
import { createSecureContext } from 'node:tls';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { Agent } from 'undici';
import {
  type ClientOptions,
  DigitalPostClient,
  ENVIRONMENTS,
  type TlsOptions,
} from '../sdk/client/client.ts';
import {
  AuthenticationError,
  ConnectionError,
  InvalidOptionsError,
  PermissionDeniedError,
} from '../sdk/errors.ts';
import { DEFAULT_LIMITS } from '../sdk/http/limits.ts';
import type { RequestLogEvent } from '../sdk/http/transport.ts';
import { reason } from './files.ts';
import { CliError, type CliIO, EXIT, errorCode } from './io.ts';
import { jsonLine } from './text.ts';

const given = (value: string | undefined): string | undefined =>
  value === undefined || value === '' ? undefined : value;

/** The environment variables the CLI reads (flags take precedence). */
export const ENV = {
  apiKey: 'DIGITALPOST_API_KEY',
  baseUrl: 'DIGITALPOST_BASE_URL',
  passphrase: 'DIGITALPOST_CERT_PASSPHRASE',
  log: 'DIGITALPOST_LOG',
} as const;

/**
 * Whether to log each request (`--verbose`, or `DIGITALPOST_LOG=debug`); `DIGITALPOST_LOG=info`,
 * empty or unset does not.
 *
 * @throws CliError (exit 2) for any other value of the variable.
 */
export function debugLogging(verbose: boolean | undefined, io: CliIO): boolean {
  const level = given(io.env[ENV.log])?.trim().toLowerCase();
  if (level !== undefined && level !== 'debug' && level !== 'info')
    throw new CliError(`${ENV.log}=${JSON.stringify(io.env[ENV.log])}: must be debug or info`);
  return verbose === true || level === 'debug';
}

/**
 * Writes one log entry to stderr: `text` as a line, or under `--json` `{"debug": entry}` as one
 * JSON line. Entries hold what was done and how it went, never credentials.
 */
export function logDebug(io: CliIO, entry: Record<string, unknown>, text: string): void {
  io.stderr(io.json === true ? jsonLine({ debug: entry }) : text);
}

export interface ConnectionFlags {
  baseUrl?: string;
  environment?: keyof typeof ENVIRONMENTS;
  apiKey?: string;
  cert?: string;
  key?: string;
  pfx?: string;
  passphrase?: string;
  ca?: string[];
  /** Seconds. */
  timeout: number;
  retries: number;
  /** The most page requests of one listing (default: the client's). */
  maxPages?: number;
  allowInsecureHttp?: boolean;
  verbose?: boolean;
}

/** A parser for a positive number of seconds (decimals allowed). */
export function seconds(flag: string) {
  return (value: string): number => {
    const number = Number(value);
    if (!/^\d+(\.\d+)?$/.test(value) || number <= 0)
      throw new InvalidArgumentError(`${flag} must be a positive number of seconds`);
    return number;
  };
}

/** A parser for a non-negative integer. */
export function count(flag: string) {
  return (value: string): number => {
    if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`${flag} must be a non-negative integer`);
    return Number(value);
  };
}

/** A parser for a positive integer. */
export function positive(flag: string) {
  return (value: string): number => {
    if (!/^\d+$/.test(value) || Number(value) < 1 || !Number.isSafeInteger(Number(value)))
      throw new InvalidArgumentError(`${flag} must be a positive integer`);
    return Number(value);
  };
}

const collect = (value: string, all: string[] | undefined): string[] => [...(all ?? []), value];

const GROUP = 'Connection (flags take precedence over the environment):';

/** Adds the connection flags to a command that talks to NgDP. */
export function addConnectionOptions(command: Command): Command {
  const options = [
    new Option(
      '--base-url <url>',
      `NgDP's API base URL, e.g. the simulator's http://127.0.0.1:4500/apis/v1 (env ${ENV.baseUrl})`,
    ),
    new Option('--environment <name>', 'NgDP itself: test, or production (only when asked for)')
      .choices(Object.keys(ENVIRONMENTS))
      .conflicts('baseUrl'),
    new Option(
      '--api-key <key>',
      `the system's API key (env ${ENV.apiKey}, which other users cannot see in the process list)`,
    ),
    new Option('--cert <file>', 'client certificate (PEM) for mutual TLS; with --key').conflicts('pfx'),
    new Option('--key <file>', 'its private key (PEM); with --sftp: the SSH private key').conflicts('pfx'),
    new Option('--pfx <file>', 'client certificate and key as PKCS#12 (.p12, .pfx)'),
    new Option(
      '--passphrase <text>',
      `passphrase of --key or --pfx (env ${ENV.passphrase}; with --sftp DIGITALPOST_SFTP_PASSPHRASE)`,
    ),
    new Option('--ca <file>', "trust these CAs (PEM) instead of the system's (repeatable)").argParser(
      collect,
    ),
    new Option('--timeout <seconds>', 'time for one attempt of a request')
      .argParser(seconds('--timeout'))
      .default(30),
    new Option('--retries <n>', 'retries after connection errors, timeouts and 503')
      .argParser(count('--retries'))
      .default(3),
    new Option(
      '--max-pages <n>',
      'the most pages one listing reads before it gives up (a list that never ends)',
    )
      .argParser(positive('--max-pages'))
      .default(DEFAULT_LIMITS.maxPages),
    new Option(
      '--allow-insecure-http',
      'allow an http:// --base-url to another machine (the API key travels in clear text: closed test networks only)',
    ),
    new Option(
      '--verbose',
      `log each HTTP attempt (method, path, status, time) to stderr; never secrets (or ${ENV.log}=debug)`,
    ),
  ];
  for (const option of options) command.addOption(option.helpGroup(GROUP));
  return command.addHelpText(
    'after',
    `\nEnvironment: ${ENV.apiKey}, ${ENV.baseUrl}, ${ENV.passphrase} (flags take precedence).`,
  );
}

/** A client for one command run, and how its errors read. */
export interface Connection {
  client: DigitalPostClient;
  /** The base URL without credentials or query, for messages. */
  url: string;
  /** One line for an error, without secrets. */
  describe(error: unknown): string;
  /** Fails the command (exit 1) with the error on one line. */
  fail(error: unknown): never;
}

/**
 * Errors that would fail every further request in the same way (the key, the system's permission,
 * the network): a command stops at the first instead of repeating it for each item.
 */
export function stopsTheRun(error: unknown): boolean {
  return (
    error instanceof AuthenticationError ||
    error instanceof PermissionDeniedError ||
    error instanceof ConnectionError
  );
}

function apiKeyOf(flags: ConnectionFlags, io: CliIO): string {
  const apiKey = flags.apiKey ?? given(io.env[ENV.apiKey]);
  if (apiKey === undefined) throw new CliError(`no API key: pass --api-key or set ${ENV.apiKey}`);
  if (apiKey.trim() === '' || /\s/.test(apiKey))
    throw new CliError(`the API key (--api-key or ${ENV.apiKey}) must not be empty or contain spaces`);
  return apiKey;
}

function whereOf(flags: ConnectionFlags, io: CliIO): Pick<ClientOptions, 'baseUrl' | 'environment'> {
  if (flags.environment !== undefined) return { environment: flags.environment };
  const fromFlag = flags.baseUrl !== undefined;
  const baseUrl = flags.baseUrl ?? given(io.env[ENV.baseUrl]);
  if (baseUrl === undefined) {
    throw new CliError(
      `no NgDP address: pass --base-url URL or --environment test|production, or set ${ENV.baseUrl}`,
    );
  }
  let url: URL | undefined;
  try {
    url = new URL(baseUrl);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new CliError(
      `${fromFlag ? '--base-url' : ENV.baseUrl} must be an http(s) URL such as http://127.0.0.1:4500/apis/v1`,
    );
  }
  return { baseUrl };
}

async function readTlsFile(flag: string, file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (error) {
    throw new CliError(`cannot read the ${flag} file ${file}: ${reason(error)}`);
  }
}

/** Why OpenSSL refused the certificate, in words. */
function certificateProblem(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  // PKCS#12 errors come without a code.
  if (code === 'ERR_OSSL_BAD_DECRYPT' || /mac verify failure|bad decrypt/i.test(message))
    return 'wrong passphrase';
  if (code === 'ERR_OSSL_X509_KEY_VALUES_MISMATCH') return 'the key does not belong to the certificate';
  return message;
}

/** Reads and checks the certificate flags; undefined when none are given. */
async function tlsOf(
  flags: ConnectionFlags,
  io: CliIO,
): Promise<{ tls: TlsOptions } | { dispatcher: Agent } | undefined> {
  if ((flags.cert === undefined) !== (flags.key === undefined))
    throw new CliError('--cert and --key go together (or give --pfx)');
  const hasClientCertificate = flags.pfx !== undefined || flags.cert !== undefined;
  if (flags.passphrase !== undefined && !hasClientCertificate)
    throw new CliError('--passphrase is for the private key of --key or --pfx');
  const passphrase = flags.passphrase ?? given(io.env[ENV.passphrase]);
  const ca = await Promise.all((flags.ca ?? []).map((file) => readTlsFile('--ca', file)));
  const trust = ca.length > 0 ? { ca } : {};
  const secret = passphrase === undefined ? {} : { passphrase };
  let tls: TlsOptions | undefined;
  if (flags.pfx !== undefined) {
    tls = { pfx: await readTlsFile('--pfx', flags.pfx), ...secret, ...trust };
  } else if (flags.cert !== undefined && flags.key !== undefined) {
    tls = {
      cert: await readTlsFile('--cert', flags.cert),
      key: await readTlsFile('--key', flags.key),
      ...secret,
      ...trust,
    };
  }
  if (tls === undefined && ca.length === 0) return undefined;
  try {
    // Fails now, with a reason, instead of as a vague TLS error on the first request.
    createSecureContext(tls ?? trust);
  } catch (error) {
    throw new CliError(`cannot use the client certificate or CA files: ${certificateProblem(error)}`);
  }
  if (tls !== undefined) return { tls };
  return ca.length > 0 ? { dispatcher: new Agent({ connect: { ca } }) } : undefined;
}

const UNTRUSTED_SERVER = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
]);

const REFUSED_CLIENT_CERTIFICATE = new Set([
  'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED',
  'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE',
  'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA',
  'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE',
  'ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN',
  'ERR_SSL_TLSV1_ALERT_ACCESS_DENIED',
]);

/** The innermost error of a cause chain that has a code, with its code. */
function rootCause(error: unknown): { code?: string; message: string } {
  let found: { code?: string; message: string } = { message: String(error) };
  for (let current: unknown = error; current instanceof Error; current = current.cause) {
    const code = (current as { code?: unknown }).code;
    found = { ...(typeof code === 'string' ? { code } : {}), message: current.message };
  }
  return found;
}

/**
 * A TLS failure in words, with the flag that fixes it; undefined for other failures. A server that
 * demands a client certificate under TLS 1.3 checks it after the handshake and closes the
 * connection: the client sees only "other side closed", so over https that is explained too.
 */
export function tlsProblem(error: unknown, https: boolean, clientCertificate: boolean): string | undefined {
  const { code, message } = rootCause(error);
  if (code === undefined) return undefined;
  if (UNTRUSTED_SERVER.has(code))
    return `the server's certificate is not trusted (${message}): give the CA that issued it with --ca FILE`;
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID')
    return `the server's certificate is not valid now (${message})`;
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID')
    return `the server's certificate is not for this host name (${message}): check --base-url`;
  const closed = code === 'UND_ERR_SOCKET' || code === 'ECONNRESET';
  if (REFUSED_CLIENT_CERTIFICATE.has(code) || (https && closed))
    return clientCertificate
      ? `the server closed the connection without an answer (${message}); over https this usually means it refused the client certificate: is it the one registered for this system, issued by a CA the server trusts?`
      : `the server closed the connection without an answer (${message}); over https this usually means it requires a client certificate: pass --cert and --key, or --pfx`;
  return undefined;
}

function logLine(event: RequestLogEvent): string {
  const outcome = event.status ?? event.error ?? '?';
  const retry = event.retryInMs === undefined ? '' : `, retrying in ${Math.round(event.retryInMs)} ms`;
  return `${event.method} ${event.path} → ${outcome} (${Math.round(event.durationMs)} ms${retry})\n`;
}

function shownUrl(baseUrl: string): string {
  const url = new URL(baseUrl);
  return `${url.origin}${url.pathname}`.replace(/\/+$/, '');
}

/** Builds the client from flags and environment, or fails with exit 2 naming what is missing. */
export async function connect(flags: ConnectionFlags, io: CliIO): Promise<Connection> {
  const apiKey = apiKeyOf(flags, io);
  const where = whereOf(flags, io);
  const transport = await tlsOf(flags, io);
  let client: DigitalPostClient;
  try {
    client = new DigitalPostClient({
      ...where,
      apiKey,
      ...transport,
      timeoutMs: flags.timeout * 1000,
      retry: { maxRetries: flags.retries },
      ...(flags.maxPages === undefined ? {} : { limits: { maxPages: flags.maxPages } }),
      allowInsecureHttp: flags.allowInsecureHttp === true,
      userAgent: 'cli',
      ...(debugLogging(flags.verbose, io)
        ? { logger: (event: RequestLogEvent) => logDebug(io, { ...event }, logLine(event)) }
        : {}),
    });
  } catch (error) {
    if (error instanceof InvalidOptionsError && /allowInsecureHttp/.test(error.message)) {
      const origin = new URL(where.baseUrl ?? '').origin;
      throw new CliError(
        `${origin} is plain http:// to another machine: the API key and the letters would travel in ` +
          'clear text; use https://, or --allow-insecure-http for a closed test network',
      );
    }
    throw error;
  }
  const url = shownUrl(client.baseUrl);
  const secrets = [apiKey, flags.passphrase ?? given(io.env[ENV.passphrase])].filter(
    (secret): secret is string => secret !== undefined && secret.length >= 4,
  );
  const redact = (text: string): string =>
    secrets.reduce((result, secret) => result.replaceAll(secret, '***'), text);
  const attempts = flags.retries > 0 ? ` (${flags.retries + 1} attempts)` : '';
  const https = url.startsWith('https:');
  const clientCertificate = transport !== undefined && 'tls' in transport;

  const describe = (error: unknown): string => {
    let text: string;
    if (error instanceof AuthenticationError) {
      text = `NgDP refused the API key (401 ${error.code}: ${error.detail}); check --api-key or ${ENV.apiKey}`;
    } else if (error instanceof ConnectionError) {
      const cause = error.cause instanceof Error ? error.cause.message : error.code;
      const tls = tlsProblem(error, https, clientCertificate);
      text = `cannot reach NgDP at ${url}: ${tls ?? cause}${attempts}`;
    } else {
      text = error instanceof Error ? error.message : String(error);
    }
    return redact(text);
  };
  return {
    client,
    url,
    describe,
    fail(error: unknown): never {
      throw new CliError(describe(error), EXIT.failed, errorCode(error));
    },
  };
}
