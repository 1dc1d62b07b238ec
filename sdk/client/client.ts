/** `DigitalPostClient`: NgDP's integration API for sender and recipient systems. */

import { isIP } from 'node:net';
import { inspect } from 'node:util';
import type { Dispatcher } from 'undici';
import { InvalidOptionsError } from '../errors.ts';
import { limitSettings, type ResponseLimits } from '../http/limits.ts';
import { type RetryOptions, retrySettings } from '../http/retry.ts';
import { type RequestLogEvent, Transport } from '../http/transport.ts';
import type { Undici } from '../http/undici.ts';
import { VERSION } from '../support/version.ts';
import { ContactPoints, Contacts } from './contacts.ts';
import { Inbox } from './inbox.ts';
import { Memos } from './memos.ts';
import { Receipts } from './receipts.ts';

/** NgDP's REST base URLs. */
export const ENVIRONMENTS = {
  test: 'https://api.test.digitalpost.dk/apis/v1',
  production: 'https://api.digitalpost.dk/apis/v1',
} as const;

/** The client certificate for NgDP's mutual TLS (an OCES3 organisation or function certificate). */
export type TlsOptions =
  | {
      cert: string | Buffer;
      key: string | Buffer;
      passphrase?: string;
      ca?: string | Buffer | Array<string | Buffer>;
    }
  | { pfx: Buffer; passphrase?: string; ca?: string | Buffer | Array<string | Buffer> };

export interface ClientOptions {
  /** NgDP's API base URL (…/apis/v1), e.g. the simulator's. Give this or `environment`. */
  baseUrl?: string;
  /** `test` or `production`; production is never a default. Give this or `baseUrl`. */
  environment?: keyof typeof ENVIRONMENTS;
  /** The system's API key from Administrativ Adgang, sent as `Authorization: Basic <apiKey>`. */
  apiKey: string;
  /** Mutual TLS with the system's certificate. */
  tls?: TlsOptions;
  /**
   * Time for one attempt of a request, in ms (default 30 000): connecting (TCP and TLS), the answer
   * and its body. It holds even while a TLS handshake stalls.
   */
  timeoutMs?: number;
  /** Retries on connection errors, timeouts and 503 (default 3 with backoff), or `false`. */
  retry?: RetryOptions | false;
  /**
   * An undici dispatcher to send through (a proxy, `digitalpost/testing`'s dispatcher, your own
   * Agent). Without `tls` and `dispatcher` the client uses undici's global dispatcher.
   */
  dispatcher?: Dispatcher;
  /** Receives one event per attempt (method, masked path, status, timing); never secrets. */
  logger?: (event: RequestLogEvent) => void;
  /** Appended to the User-Agent header. */
  userAgent?: string;
  /** Random source of the retry jitter (default Math.random). */
  random?: () => number;
  /**
   * Bounds on what the client reads: the size of JSON answers and MeMos, and the pages of one walk
   * of a list (see {@link ResponseLimits}).
   */
  limits?: ResponseLimits;
  /**
   * Allow a `baseUrl` with `http://` to a host that is not this machine (default false). Plain HTTP
   * sends the API key, the letters and the CPR numbers in clear text: meant for a simulator on
   * another machine of a closed test network, never for NgDP. `http://` to loopback (`127.0.0.1`,
   * `::1`, `localhost`) is always allowed.
   */
  allowInsecureHttp?: boolean;
}

/** Whether a URL's host is this machine: 127.0.0.0/8, ::1 or localhost. */
function isLoopback(url: URL): boolean {
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1' || host === '0:0:0:0:0:0:0:1';
}

function baseUrlOf(options: ClientOptions): string {
  if (options.baseUrl !== undefined && options.environment !== undefined) {
    throw new InvalidOptionsError('DigitalPostClient: give baseUrl or environment, not both');
  }
  if (options.environment !== undefined) {
    const url = ENVIRONMENTS[options.environment];
    if (url === undefined)
      throw new InvalidOptionsError(
        `DigitalPostClient: environment must be "test" or "production", got ${String(options.environment)}`,
      );
    return url;
  }
  if (options.baseUrl === undefined) {
    throw new InvalidOptionsError(
      'DigitalPostClient: give baseUrl, or environment "test" or "production" (production is never chosen for you)',
    );
  }
  let url: URL;
  try {
    url = new URL(options.baseUrl);
  } catch {
    throw new InvalidOptionsError(`DigitalPostClient: baseUrl is not a URL: ${options.baseUrl}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new InvalidOptionsError('DigitalPostClient: baseUrl must be http(s)');
  if (url.username !== '' || url.password !== '')
    throw new InvalidOptionsError('DigitalPostClient: baseUrl must not contain credentials; give apiKey');
  if (url.protocol === 'http:' && !isLoopback(url) && options.allowInsecureHttp !== true) {
    throw new InvalidOptionsError(
      `DigitalPostClient: baseUrl ${url.origin} is plain http:// to another machine, which would send ` +
        'the API key and the letters in clear text; use https://, or allowInsecureHttp: true for a ' +
        'closed test network',
    );
  }
  return options.baseUrl.replace(/\/+$/, '');
}

function dispatcherOf(
  options: ClientOptions,
  timeoutMs: number,
): Dispatcher | ((undici: Undici) => Dispatcher) | undefined {
  if (options.tls !== undefined && options.dispatcher !== undefined) {
    throw new InvalidOptionsError(
      'DigitalPostClient: give tls or dispatcher, not both (configure TLS on your dispatcher)',
    );
  }
  if (options.dispatcher !== undefined) return options.dispatcher;
  if (options.tls === undefined) return undefined;
  const tls = options.tls;
  const valid = 'pfx' in tls ? tls.pfx !== undefined : tls.cert !== undefined && tls.key !== undefined;
  if (!valid) throw new InvalidOptionsError('DigitalPostClient: tls needs { cert, key } or { pfx }');
  // Connecting (TCP and the TLS handshake) gets the same time as an attempt, not undici's 10 s.
  return (undici) => new undici.Agent({ connect: { ...tls, timeout: timeoutMs } });
}

/**
 * A client for NgDP's REST API, as a sender and/or recipient system.
 *
 * @example
 * const client = new DigitalPostClient({ environment: 'test', apiKey, tls: { pfx, passphrase } });
 * const receipt = await client.memos.send(memo);
 *
 * Printed, inspected or serialized it shows only its base URL (`[DigitalPostClient baseUrl=…]`),
 * never the API key or the certificate's passphrase.
 */
export class DigitalPostClient {
  /** Sending and recalling MeMos. */
  readonly memos: Memos;
  /** Business receipts, for systems that pull them. */
  readonly receipts: Receipts;
  /** MeMos for a recipient system that pulls them, and its receipts. */
  readonly inbox: Inbox;
  /** Citizens' and companies' registration. */
  readonly contacts: Contacts;
  /** Authorities' contact points. */
  readonly contactPoints: ContactPoints;
  /** The API base URL in use. */
  readonly baseUrl: string;

  constructor(options: ClientOptions) {
    if (typeof options?.apiKey !== 'string' || options.apiKey.trim() === '' || /\s/.test(options.apiKey)) {
      throw new InvalidOptionsError(
        'DigitalPostClient: apiKey must be the API key from Administrativ Adgang (a string without spaces)',
      );
    }
    const timeoutMs = options.timeoutMs ?? 30_000;
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0)
      throw new InvalidOptionsError(`DigitalPostClient: timeoutMs must be positive, got ${timeoutMs}`);
    if (options.allowInsecureHttp !== undefined && typeof options.allowInsecureHttp !== 'boolean')
      throw new InvalidOptionsError('DigitalPostClient: allowInsecureHttp must be true or false');
    this.baseUrl = baseUrlOf(options);
    const transport = new Transport({
      baseUrl: this.baseUrl,
      apiKey: options.apiKey,
      dispatcher: dispatcherOf(options, timeoutMs),
      timeoutMs,
      retry: retrySettings(options.retry),
      limits: limitSettings(options.limits),
      userAgent: `digitalpost/${VERSION} node/${process.versions.node}${options.userAgent ? ` ${options.userAgent}` : ''}`,
      logger: options.logger,
      random: options.random ?? Math.random,
    });
    this.memos = new Memos(transport);
    this.receipts = new Receipts(transport);
    this.inbox = new Inbox(transport);
    this.contacts = new Contacts(transport);
    this.contactPoints = new ContactPoints(transport);
  }

  [inspect.custom](): string {
    return `[DigitalPostClient baseUrl=${this.baseUrl}]`;
  }

  toJSON(): string {
    return this[inspect.custom]();
  }

  toString(): string {
    return this[inspect.custom]();
  }
}
