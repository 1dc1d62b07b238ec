/** `DigitalPostClient`: NgDP's integration API for sender and recipient systems. */

import { createPrivateKey, type KeyObject, X509Certificate } from 'node:crypto';
import { createSecureContext } from 'node:tls';
import { inspect } from 'node:util';
import type { Dispatcher } from 'undici';
import { InvalidOptionsError } from '../errors.ts';
import type { ClientClock } from '../http/deadline.ts';
import { limitSettings, type ResponseLimits } from '../http/limits.ts';
import { type RetryOptions, retrySettings } from '../http/retry.ts';
import { type RequestLogEvent, type ResponseInfo, Transport } from '../http/transport.ts';
import type { Undici } from '../http/undici.ts';
import { VERSION } from '../support/version.ts';
import { ContactPoints, Contacts } from './contacts.ts';
import { Inbox } from './inbox.ts';
import { Memos } from './memos.ts';
import { baseUrlOf, clockOf, type ENVIRONMENTS } from './options.ts';
import { Receipts } from './receipts.ts';
import { Subscriptions } from './subscriptions.ts';
import { Validations } from './validations.ts';

export { ENVIRONMENTS, isLoopback } from './options.ts';

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
   * The clock the client waits on between retries (and `receipts.waitFor` between polls); default
   * real time. Tests against a simulator with a manual clock pass
   * `{ now: () => ngdp.clock.now().getTime(), sleep: (ms) => ngdp.clock.advance(ms) }`, so that a
   * `Retry-After` moves simulated time instead of making the test wait.
   */
  clock?: ClientClock;
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

/** What {@link DigitalPostClient.withResponse} resolves to. */
export interface WithResponse<T> {
  /** What the call resolved to. */
  data: T;
  /** The answer to the call's last successful request (undefined when it made none). */
  response: ResponseInfo | undefined;
  /** The answers to every successful request of the call, in order (a list walks several pages). */
  responses: ResponseInfo[];
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
  checkTls(tls);
  // Connecting (TCP and the TLS handshake) gets the same time as an attempt, not undici's 10 s.
  return (undici) => new undici.Agent({ connect: { ...tls, timeout: timeoutMs } });
}

/** The OpenSSL (or Node) reason of a failure to read a key or certificate: never the key itself. */
function reasonOf(error: unknown): string {
  const { reason, message } = error as { reason?: unknown; message?: unknown };
  const text = typeof reason === 'string' ? reason : typeof message === 'string' ? message : 'unreadable';
  return text
    .replace(/^error:[0-9A-F]+:[^:]*::/, '')
    .replace(/[^\w .:-]/g, '')
    .slice(0, 100);
}

/** OpenSSL's ways of saying that a passphrase is wrong, or that one is needed and none was given. */
const PASSPHRASE_PROBLEM = /bad decrypt|mac verify|passphrase|interrupted or cancelled/i;

/**
 * The private key of `tls`, read with its passphrase: a wrong or missing passphrase, or a key that
 * cannot be read, is found now rather than as a failed handshake on every attempt.
 */
function privateKeyOf(tls: { key: string | Buffer; passphrase?: string }): KeyObject {
  try {
    return createPrivateKey({
      key: tls.key,
      ...(tls.passphrase === undefined ? {} : { passphrase: tls.passphrase }),
    });
  } catch (error) {
    const reason = reasonOf(error);
    if (PASSPHRASE_PROBLEM.test(reason) || (error as { code?: unknown }).code === 'ERR_MISSING_PASSPHRASE') {
      throw new InvalidOptionsError(
        tls.passphrase === undefined
          ? 'DigitalPostClient: tls.key is encrypted and no tls.passphrase was given'
          : 'DigitalPostClient: tls.passphrase does not decrypt tls.key (wrong passphrase)',
      );
    }
    throw new InvalidOptionsError(`DigitalPostClient: tls.key is not a PEM private key (${reason})`);
  }
}

/**
 * Checks the client certificate once, when the client is made: that the key opens with its
 * passphrase and belongs to the certificate, and that `pfx` and `ca` can be read. Without this, each
 * such mistake would show only as a TLS handshake failing — a `ConnectionError`, retried.
 *
 * @throws InvalidOptionsError naming the option at fault (never the key or the passphrase).
 */
function checkTls(tls: TlsOptions): void {
  if ('pfx' in tls) {
    try {
      createSecureContext({
        pfx: tls.pfx,
        ...(tls.passphrase === undefined ? {} : { passphrase: tls.passphrase }),
      });
    } catch (error) {
      const reason = reasonOf(error);
      throw new InvalidOptionsError(
        PASSPHRASE_PROBLEM.test(reason)
          ? `DigitalPostClient: tls.pfx cannot be opened with ${tls.passphrase === undefined ? 'no passphrase: give tls.passphrase' : 'tls.passphrase (wrong passphrase)'}`
          : `DigitalPostClient: tls.pfx is not a PKCS#12 file (${reason})`,
      );
    }
  } else {
    const key = privateKeyOf(tls);
    let certificate: X509Certificate;
    try {
      certificate = new X509Certificate(tls.cert);
    } catch (error) {
      throw new InvalidOptionsError(`DigitalPostClient: tls.cert is not a certificate (${reasonOf(error)})`);
    }
    if (!certificate.checkPrivateKey(key)) {
      throw new InvalidOptionsError(
        `DigitalPostClient: tls.key is not the private key of tls.cert (${certificate.subject.replace(/\n/g, ', ')})`,
      );
    }
  }
  for (const ca of tls.ca === undefined ? [] : [tls.ca].flat()) {
    try {
      new X509Certificate(ca);
    } catch (error) {
      throw new InvalidOptionsError(`DigitalPostClient: tls.ca is not a certificate (${reasonOf(error)})`);
    }
  }
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
  /** A sender system's subscriptions to changes of contacts and organisations. */
  readonly subscriptions: Subscriptions;
  /** NgDP's pre-validation of a letter's HTML. */
  readonly validations: Validations;
  /** The API base URL in use. */
  readonly baseUrl: string;
  readonly #transport: Transport;

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
      clock: clockOf(options.clock),
    });
    this.#transport = transport;
    this.memos = new Memos(transport);
    this.receipts = new Receipts(transport);
    this.inbox = new Inbox(transport);
    this.contacts = new Contacts(transport);
    this.contactPoints = new ContactPoints(transport);
    this.subscriptions = new Subscriptions(transport);
    this.validations = new Validations(transport);
  }

  /**
   * Runs `call` with this client and resolves to its result with the status and headers of the
   * answers NgDP gave — the `X-Request-ID` it returned, a header of its gateway — which the
   * resources' methods leave out. Only the requests `call` makes through this client are
   * collected, whatever else runs at the same time.
   *
   * @example
   * const { data: receipt, response } = await client.withResponse((c) => c.memos.send(memo));
   * console.log(response?.status, response?.serverRequestId ?? response?.requestId);
   *
   * @throws whatever `call` throws (an {@link ApiError} carries `status`, `headers` and
   *   `serverRequestId` itself).
   */
  async withResponse<T>(call: (client: this) => T | Promise<T>): Promise<WithResponse<T>> {
    const { data, responses } = await this.#transport.collecting(async (): Promise<T> => await call(this));
    return { data, response: responses.at(-1), responses };
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
