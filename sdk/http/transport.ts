/**
 * HTTP to NgDP on undici, HTTP/1.1: the API key, mutual TLS through the dispatcher, per-attempt
 * deadlines that hold even while a connection is being made, bounded answers, retries (connection
 * errors, timeouts and the statuses of `retryOn`: 429, 502, 503, 504, and 500 for sends — with the
 * same bytes every time), and NgDP's
 * `ErrorMessage` mapped to the error classes of `sdk/errors.ts`.
 *
 * One attempt is {@link Transport.attempt}: a request, its answer read within limits and mapped to a
 * response or an error. {@link Transport.send} wraps the retry policy around it (ARCHITECTURE.md
 * "Retry as a layer"). A call that changes something at NgDP says so with an {@link Effect}: such a
 * call whose answer was lost is never reported as a plain failure (it may have taken effect) but as
 * an {@link UnknownOutcomeError}, and a call that consumes (a deleting read) is never sent again once
 * it may have arrived.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { inspect } from 'node:util';
import type { Dispatcher } from 'undici';
import {
  ApiError,
  type ApiErrorDetails,
  AuthenticationError,
  BadRequestError,
  ConflictError,
  ConnectionError,
  DigitalPostError,
  DuplicateMessageError,
  type FieldError,
  InvalidOptionsError,
  NoResponderError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  type ResponseContext,
  ServiceUnavailableError,
  type TechnicalReceipt,
  TimeoutError,
  UnexpectedResponseError,
  UnknownOutcomeError,
  UnprocessableEntityError,
} from '../errors.ts';
import { maskCpr, maskCprParameters } from '../ngdp/identifiers.ts';
import { BodyProblem, nestingDepth, parseJsonBody, readBody, readBodyStart, shortText } from './body.ts';
import { beforeAbort, type ClientClock, sleepOn } from './deadline.ts';
import { ERROR_BODY_BYTES, type LimitSettings, MAX_JSON_DEPTH } from './limits.ts';
import { type Redact, redactHeaders, redactor } from './redact.ts';
import {
  backoffMs,
  type RetryOptions,
  type RetrySettings,
  retriesStatus,
  retryAfterMs,
  retrySettings,
} from './retry.ts';
import { ShapeError } from './shape.ts';
import { loadUndici, type Undici } from './undici.ts';

/** Per-request overrides of the client's settings. */
export interface RequestOptions {
  /**
   * Time for one attempt, in ms: connecting (TCP and TLS), the answer and its body. It holds even
   * while a connection is being made.
   */
  timeoutMs?: number;
  /** Retry settings for this request, or `false` for none. */
  retry?: RetryOptions | false;
  /** Cancels the request (and its retries) at once, in whatever phase it is. */
  signal?: AbortSignal;
}

/** One line of the client's log: what was called and how it went. Never headers or bodies. */
export interface RequestLogEvent {
  requestId: string;
  method: string;
  /** The path and query, with CPR numbers masked. */
  path: string;
  attempt: number;
  status?: number;
  durationMs: number;
  /** Set when the attempt failed without a usable answer (`TIMEOUT`, `RESPONSE_TOO_LARGE`, …). */
  error?: string;
  /** Set when the attempt will be retried after this many ms. */
  retryInMs?: number;
}

export interface TransportOptions {
  baseUrl: string;
  /** NgDP's system credential, sent as `Authorization: Basic <apiKey>`; or give `authorization`. */
  apiKey?: string;
  /**
   * The `Authorization` header's value, asked for once per call (e.g. `Bearer <token>` of an
   * employee of Administrativ Adgang, whose token may change); instead of `apiKey`. What it gives
   * is a secret: it is kept out of errors and logs like the API key.
   */
  authorization?: () => string | Promise<string>;
  /**
   * undefined: undici's global dispatcher (which msw intercepts). A function makes the dispatcher from
   * undici once the first request needs it (undici is loaded only then).
   */
  dispatcher: Dispatcher | ((undici: Undici) => Dispatcher) | undefined;
  timeoutMs: number;
  retry: RetrySettings;
  limits: LimitSettings;
  userAgent: string;
  logger: ((event: RequestLogEvent) => void) | undefined;
  random: () => number;
  /** The clock retries wait on; undefined: real time. */
  clock?: ClientClock | undefined;
}

/**
 * What a call changes at NgDP, for the calls that change something: it decides how the call is
 * retried and how a lost answer is reported.
 */
export interface Effect {
  /** The SDK call, named in an {@link UnknownOutcomeError} (`receipts.ack`). */
  operation: string;
  /** How to find out whether it took effect, for an {@link UnknownOutcomeError}. */
  check: string;
  /**
   * Whether sending it again is harmless (a send with the same bytes, an acknowledgement). `false`:
   * it consumes (a deleting read) and is sent again only when it certainly never reached NgDP.
   */
  repeatable: boolean;
}

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Relative to the base URL, e.g. `/memos/`. */
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: Uint8Array | string;
  contentType?: string;
  accept?: string;
  /** `If-Match`: the version a change applies to (NgDP's optimistic locking). */
  ifMatch?: string;
  /** Further headers an operation defines (e.g. `x-confirm-delete`), lower-case names. */
  headers?: Readonly<Record<string, string>>;
  /** Sent without `Authorization` (a login, which is how a token is got). */
  anonymous?: boolean;
  /** `none`: a 2xx answer carries nothing the caller reads (its body is skipped, not kept). */
  answer?: 'body' | 'none';
  /** The largest 2xx body taken, in bytes (default: the client's `limits.maxResponseBytes`). */
  maxBodyBytes?: number;
  /** Set for calls that change something at NgDP; see {@link Effect}. */
  effect?: Effect;
  /**
   * However often it is sent, it cannot make a second letter (a send: the same messageUUID and
   * bytes): a 500 is retried too, unless the caller's `retryOn` says otherwise.
   */
  idempotent?: boolean;
  /**
   * Whether an error answer to a retry, after an attempt whose answer was lost, means that attempt
   * succeeded (e.g. 409 for a receipt posted twice); such an error is then taken as success.
   */
  earlierAttemptSucceeded?: (error: ApiError) => boolean;
  /**
   * The messageUUID this request sends (`POST /memos/`): a 409 `DUPLICATE_MESSAGE_UUID` answer
   * becomes a {@link DuplicateMessageError} for it.
   */
  messageUUID?: string;
  /**
   * The technical receipt of the message NgDP holds under `messageUUID`, for a
   * {@link DuplicateMessageError}: read from the 409's body (undefined when it has none for this
   * messageUUID) or known to the caller.
   */
  originalReceipt?: (answer: unknown) => TechnicalReceipt | undefined;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  /** The client's id of the request, its method and masked path: for errors about this answer. */
  context: ResponseContext & { requestId: string };
}

/**
 * The answer to one successful request of a call, as {@link DigitalPostClient.withResponse} gives
 * it: what a stripe-node or openai-node user reads from the raw response. Never the request's
 * headers (they hold the API key); the answer's credential headers are `[redacted]`.
 */
export interface ResponseInfo {
  /** The HTTP status, e.g. 201 for a send. */
  status: number;
  /** The answer's headers (lower-case names); `authorization`, `set-cookie` and the like redacted. */
  headers: Record<string, string | string[] | undefined>;
  /** The id the client sent as `X-Request-ID` (the same on every attempt of the call; in its log lines). */
  requestId: string;
  /**
   * The id the server gave the request, from the answer's `X-Request-ID` (or `Request-ID`,
   * `X-Correlation-ID`): what to quote to NgDP's support. The simulator repeats the client's;
   * whether NgDP sends one is not documented (docs/differences.md).
   */
  serverRequestId: string | undefined;
  method: string;
  /** The path and query called, with CPR numbers masked. */
  path: string;
  /** How many attempts the request took (1 without retries). */
  attempts: number;
}

/** How many `authorization` values a transport keeps redacting (see `Transport.#authorization`). */
const MAX_REMEMBERED_AUTHORIZATIONS = 8;

/** The answer headers that may carry the server's id of a request, in the order they are read. */
const SERVER_REQUEST_ID_HEADERS = ['x-request-id', 'request-id', 'x-correlation-id'];

/** The server's id of a request, from the answer's headers (redacted, at most 200 characters). */
export function serverRequestIdOf(
  headers: Record<string, string | string[] | undefined>,
  redact: Redact,
): string | undefined {
  for (const name of SERVER_REQUEST_ID_HEADERS) {
    const value = headers[name];
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined && first.trim() !== '') return shortText(redact(first.trim()), 200);
  }
  return undefined;
}

const ERROR_CLASSES: Record<number, new (details: ApiErrorDetails) => ApiError> = {
  400: BadRequestError,
  401: AuthenticationError,
  403: PermissionDeniedError,
  404: NotFoundError,
  409: ConflictError,
  422: UnprocessableEntityError,
  429: RateLimitError,
  503: ServiceUnavailableError,
};

/**
 * Error statuses after which NgDP may have acted on the request: its own failure (500), or a
 * gateway's that may have passed the request on (502, 504). A call that changes something and met
 * one is treated as one whose answer was lost.
 */
const MAYBE_ACTED = new Set([500, 502, 504]);

const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT']);

/** Errors of making a connection: the request itself was never written. */
const NEVER_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
]);

function aborted(signal: AbortSignal): DigitalPostError {
  return new DigitalPostError('ABORTED', 'the request was aborted', { cause: signal.reason });
}

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string') return code;
  const cause = (error as { cause?: unknown } | undefined)?.cause;
  return cause === undefined ? undefined : codeOf(cause);
}

/**
 * The dispatcher with a note taken when the request starts going out: undici calls
 * `onRequestStart` once the connection (and its TLS handshake) is up and the request is about to
 * be written. Before that, a failure means NgDP never saw the request.
 */
function noticingStart(base: Dispatcher, started: () => void): Dispatcher {
  return base.compose((dispatch) => (options, handler) => {
    const noticing = new Proxy(handler, {
      get(target, property) {
        const value = Reflect.get(target, property, target) as unknown;
        if (typeof value !== 'function') return value;
        if (property === 'onRequestStart' || property === 'onConnect') {
          return (...args: unknown[]) => {
            started();
            return (value as (...a: unknown[]) => unknown).apply(target, args);
          };
        }
        return (value as (...a: unknown[]) => unknown).bind(target);
      },
    });
    return dispatch(options, noticing);
  });
}

type Failure = ApiError | ConnectionError | TimeoutError | UnexpectedResponseError;

type Outcome =
  | { response: HttpResponse; failure?: undefined }
  | {
      response?: undefined;
      failure: Failure;
      /** NgDP may have acted on the request without the client learning how it went. */
      lost: boolean;
      retryAfter: number | undefined;
    };

export class Transport {
  readonly #options: TransportOptions;
  /** The dispatcher made from the options' factory, once made. */
  #made: Dispatcher | undefined;
  #redact: Redact;
  /** The secrets {@link redact} removes: the API key, and each authorization given so far. */
  readonly #secrets: string[];
  /** The answers of the calls {@link collecting} runs, gathered as they come. */
  readonly #answers = new AsyncLocalStorage<ResponseInfo[]>();

  constructor(options: TransportOptions) {
    this.#options = options;
    this.#secrets = options.apiKey === undefined ? [] : [options.apiKey, `Basic ${options.apiKey}`];
    this.#redact = redactor(this.#secrets);
  }

  /** The `Authorization` header of a call; a new value joins the secrets redacted. */
  async #authorization(): Promise<string> {
    const { apiKey, authorization } = this.#options;
    if (authorization === undefined) return `Basic ${apiKey ?? ''}`;
    const value = await authorization();
    if (!this.#secrets.includes(value)) {
      const credential = value.replace(/^\S+\s+/, '');
      // The latest few: an answer echoes the credential of its own request, and a client whose
      // token is renewed every hour for months must not pile them up.
      this.#secrets.splice(0, Math.max(0, this.#secrets.length - 2 * (MAX_REMEMBERED_AUTHORIZATIONS - 1)));
      this.#secrets.push(value, credential);
      this.#redact = redactor(this.#secrets);
    }
    return value;
  }

  get baseUrl(): string {
    return this.#options.baseUrl;
  }

  /** The dispatcher to send through, made on first use when the options give a factory. */
  #dispatcher(undici: Undici): Dispatcher {
    const given = this.#options.dispatcher;
    if (typeof given !== 'function') return given ?? undici.getGlobalDispatcher();
    this.#made ??= given(undici);
    return this.#made;
  }

  get limits(): LimitSettings {
    return this.#options.limits;
  }

  /** The clock given to the client, if any. */
  get clock(): ClientClock | undefined {
    return this.#options.clock;
  }

  /**
   * Runs `call` and resolves to what it resolved to, with the answers of the successful requests it
   * made through this transport, in order. Calls made at the same time outside `call` are not
   * among them.
   */
  async collecting<T>(call: () => T | Promise<T>): Promise<{ data: T; responses: ResponseInfo[] }> {
    const responses: ResponseInfo[] = [];
    const data = await this.#answers.run(responses, call);
    return { data, responses };
  }

  /** Removes the API key from (and masks CPR numbers in) text that came from the network. */
  redact(text: string): string {
    return this.#redact(text);
  }

  [inspect.custom](): string {
    return `[Transport baseUrl=${this.baseUrl}]`;
  }

  toJSON(): string {
    return this[inspect.custom]();
  }

  private url(path: string, query: HttpRequest['query']): string {
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(query ?? {}))
      if (value !== undefined) search.set(key, String(value));
    const text = search.toString();
    return `${this.#options.baseUrl}${path}${text ? `?${text}` : ''}`;
  }

  private log(event: RequestLogEvent): void {
    try {
      this.#options.logger?.(event);
    } catch {
      // A failing logger must not fail the request.
    }
  }

  /**
   * Sends a request, retrying as configured; resolves to a 2xx response (its body read within the
   * limit) or throws.
   *
   * @throws ApiError (by status), ConnectionError, TimeoutError, UnexpectedResponseError; for a call
   *   with an {@link Effect} whose answer was lost, UnknownOutcomeError; `ABORTED` when the signal aborts.
   */
  async send(http: HttpRequest, overrides: RequestOptions = {}): Promise<HttpResponse> {
    const retry =
      overrides.retry === undefined
        ? this.#options.retry
        : retrySettings(overrides.retry, this.#options.retry);
    const timeoutMs = overrides.timeoutMs ?? this.#options.timeoutMs;
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0)
      throw new InvalidOptionsError(`timeoutMs must be a positive number, got ${timeoutMs}`);
    const url = this.url(http.path, http.query);
    const context = {
      requestId: randomUUID(),
      method: http.method,
      path: maskCprParameters(maskCpr(url.slice(this.#options.baseUrl.length))),
    };
    const headers: Record<string, string> = {
      ...(http.anonymous === true ? {} : { authorization: await this.#authorization() }),
      accept: http.accept ?? 'application/json',
      'user-agent': this.#options.userAgent,
      // One id for every attempt of the call: retries read as one call in the server's logs.
      'x-request-id': context.requestId,
    };
    if (http.contentType !== undefined) headers['content-type'] = http.contentType;
    if (http.ifMatch !== undefined) headers['if-match'] = http.ifMatch;
    Object.assign(headers, http.headers);

    let lost: Failure | undefined;
    for (let attempt = 0; ; attempt++) {
      const started = performance.now();
      const log = (fields: Partial<RequestLogEvent>): void =>
        this.log({ ...context, attempt, durationMs: performance.now() - started, ...fields });
      let outcome: Outcome;
      try {
        outcome = await this.attempt(http, url, headers, timeoutMs, overrides.signal, context);
      } catch (error) {
        if (!(error instanceof AbortedAttempt)) throw error;
        log({ error: 'ABORTED' });
        throw this.finalError(http, aborted(error.signal), error.lost ? true : lost, context.requestId);
      }
      if (outcome.response !== undefined) {
        log({ status: outcome.response.status });
        return this.answered(outcome.response, attempt);
      }
      const { failure } = outcome;
      const answered = failure instanceof ApiError;
      if (answered && lost !== undefined && http.earlierAttemptSucceeded?.(failure)) {
        log({ status: failure.status });
        return this.answered(
          { status: failure.status, headers: failure.headers, body: Buffer.alloc(0), context },
          attempt,
        );
      }
      if (outcome.lost) lost ??= failure;
      const wait = this.mayRetry(http, outcome, attempt, retry)
        ? backoffMs(attempt, retry, outcome.retryAfter, this.#options.random)
        : undefined;
      log({
        ...(answered || failure instanceof UnexpectedResponseError ? { status: failure.status } : {}),
        ...(answered ? {} : { error: failure.code }),
        ...(wait === undefined ? {} : { retryInMs: wait }),
      });
      if (wait === undefined) throw this.finalError(http, failure, lost, context.requestId);
      try {
        await sleepOn(this.#options.clock, wait, overrides.signal);
      } catch {
        throw this.finalError(http, aborted(overrides.signal as AbortSignal), lost, context.requestId);
      }
    }
  }

  /**
   * Sends a request whose 2xx answer is JSON, and reads it with `read` (a shape check that throws
   * {@link ShapeError}).
   *
   * @throws UnexpectedResponseError when the answer is not JSON or not the shape — for a call with an
   *   {@link Effect}, an UnknownOutcomeError with it as `cause` (NgDP said yes; what it said is lost).
   */
  async json<T>(http: HttpRequest, overrides: RequestOptions, read: (value: unknown) => T): Promise<T> {
    const response = await this.send(http, overrides);
    return this.read(http, response, read);
  }

  /** Reads a 2xx answer's JSON with `read`; see {@link json}. */
  read<T>(http: HttpRequest, response: HttpResponse, read: (value: unknown) => T): T {
    try {
      return read(parseJsonBody(response.status, response.headers, response.body));
    } catch (error) {
      if (!(error instanceof BodyProblem || error instanceof ShapeError)) throw error;
      const unexpected = new UnexpectedResponseError('UNEXPECTED_RESPONSE', this.#redact(error.message), {
        ...response.context,
        status: response.status,
        serverRequestId: serverRequestIdOf(response.headers, this.#redact),
      });
      throw http.effect === undefined ? unexpected : this.unknownOutcome(http.effect, unexpected, unexpected);
    }
  }

  /** An {@link UnexpectedResponseError} about a 2xx answer that is JSON of the right shape but wrong. */
  unexpected(http: HttpRequest, response: HttpResponse, problem: string): DigitalPostError {
    const unexpected = new UnexpectedResponseError('UNEXPECTED_RESPONSE', this.#redact(problem), {
      ...response.context,
      status: response.status,
      serverRequestId: serverRequestIdOf(response.headers, this.#redact),
    });
    return http.effect === undefined ? unexpected : this.unknownOutcome(http.effect, unexpected, unexpected);
  }

  /** Notes a successful answer for {@link collecting}, and passes it on. */
  private answered(response: HttpResponse, attempt: number): HttpResponse {
    const collected = this.#answers.getStore();
    if (collected !== undefined) {
      const headers = redactHeaders(response.headers, this.#redact);
      collected.push({
        status: response.status,
        headers,
        requestId: response.context.requestId,
        serverRequestId: serverRequestIdOf(headers, this.#redact),
        method: response.context.method,
        path: response.context.path,
        attempts: attempt + 1,
      });
    }
    return response;
  }

  /** Whether a failed attempt is tried again. */
  private mayRetry(
    http: HttpRequest,
    outcome: Extract<Outcome, { failure: Failure }>,
    attempt: number,
    retry: RetrySettings,
  ): boolean {
    const { failure } = outcome;
    const retryable =
      failure instanceof ApiError
        ? retriesStatus(retry, failure.status, http.idempotent === true)
        : failure.retryable;
    if (!retryable || attempt >= retry.maxRetries) return false;
    // A call that consumes goes again only when it certainly did nothing: it never reached NgDP,
    // or NgDP answered that it could not take it (429, 503).
    return http.effect?.repeatable !== false || !outcome.lost;
  }

  /** The error a call ends with: an UnknownOutcomeError for a changing call whose answer was lost. */
  private finalError(
    http: HttpRequest,
    failure: DigitalPostError,
    lost: Failure | true | undefined,
    requestId: string,
  ): DigitalPostError {
    if (http.effect === undefined || lost === undefined) return failure;
    return this.unknownOutcome(http.effect, failure, lost === true ? failure : lost, requestId);
  }

  private unknownOutcome(
    effect: Effect,
    failure: DigitalPostError,
    lost: DigitalPostError,
    requestId?: string,
  ): UnknownOutcomeError {
    const what =
      lost instanceof UnexpectedResponseError
        ? `NgDP answered ${lost.status ?? 'yes'}, but the answer cannot be used (${lost.message})`
        : failure === lost
          ? `the answer was lost (${failure.message})`
          : `the answer to an earlier attempt was lost (${lost.message}), and then: ${failure.message}`;
    return new UnknownOutcomeError(
      {
        operation: effect.operation,
        what,
        check: effect.check,
        retryable: effect.repeatable,
        requestId: requestId ?? (failure as { requestId?: string }).requestId,
      },
      { cause: failure },
    );
  }

  /**
   * One attempt: the request and its answer, within `timeoutMs` from the first byte of connecting to
   * the last byte of the body, read within its limit.
   *
   * @throws AbortedAttempt when the caller's signal aborts.
   */
  private async attempt(
    http: HttpRequest,
    url: string,
    headers: Record<string, string>,
    timeoutMs: number,
    callerSignal: AbortSignal | undefined,
    context: HttpResponse['context'],
  ): Promise<Outcome> {
    const undici = await loadUndici();
    const base = this.#dispatcher(undici);
    // One timer, cleared when the attempt ends: AbortSignal.timeout would keep a timer (and its
    // signal) armed for the whole timeoutMs after every request, which adds up on a fast list.
    const deadline = new AbortController();
    const timer = setTimeout(
      () => deadline.abort(new DOMException(`no answer within ${timeoutMs} ms`, 'TimeoutError')),
      timeoutMs,
    );
    const signal =
      callerSignal === undefined ? deadline.signal : AbortSignal.any([callerSignal, deadline.signal]);
    let started = false;
    let answered: number | undefined;
    const dispatcher = noticingStart(base, () => {
      started = true;
    });
    const exchange = async (): Promise<Outcome> => {
      const response = await undici.request(url, {
        method: http.method,
        headers,
        ...(http.body === undefined ? {} : { body: http.body }),
        dispatcher,
        signal,
      });
      const status = response.statusCode;
      answered = status;
      if (status >= 200 && status < 300) {
        if (http.answer === 'none') {
          // Nothing in it is read: its start is drained (so the connection can be reused), the rest cut.
          await readBodyStart(response.body, ERROR_BODY_BYTES);
          return { response: { status, headers: response.headers, body: Buffer.alloc(0), context } };
        }
        const maxBytes = http.maxBodyBytes ?? this.#options.limits.maxResponseBytes;
        const body = await readBody(response.body, response.headers, maxBytes);
        return { response: { status, headers: response.headers, body, context } };
      }
      const { bytes } = await readBodyStart(response.body, ERROR_BODY_BYTES);
      return {
        failure: this.apiError(http, status, response.headers, bytes, context),
        lost: MAYBE_ACTED.has(status),
        retryAfter: retryAfterMs(response.headers['retry-after'], this.#options.clock?.now() ?? Date.now()),
      };
    };
    try {
      return await beforeAbort(exchange(), signal);
    } catch (error) {
      if (callerSignal?.aborted) throw new AbortedAttempt(callerSignal, started);
      // digitalpost/testing's dispatcher answers nobody at this origin: no retry can change that.
      if (error instanceof NoResponderError) throw error;
      if (error instanceof BodyProblem) {
        const failure = new UnexpectedResponseError('RESPONSE_TOO_LARGE', this.#redact(error.message), {
          ...context,
          status: answered,
        });
        return { failure, lost: true, retryAfter: undefined };
      }
      const failure = this.transportError(error, context, timeoutMs);
      const lost = answered !== undefined || (started && !NEVER_SENT_CODES.has(codeOf(error) ?? ''));
      return { failure, lost, retryAfter: undefined };
    } finally {
      clearTimeout(timer);
    }
  }

  private transportError(
    error: unknown,
    context: HttpResponse['context'],
    timeoutMs: number,
  ): ConnectionError | TimeoutError {
    const { requestId, method, path } = context;
    const name = (error as { name?: string }).name;
    const code = codeOf(error);
    if (name === 'TimeoutError' || (code !== undefined && TIMEOUT_CODES.has(code))) {
      return new TimeoutError(`${method} ${path}: no answer within ${timeoutMs} ms`, requestId, {
        cause: error,
      });
    }
    const reason = code ?? (error instanceof Error ? error.message : String(error));
    return new ConnectionError(`${method} ${path}: cannot reach NgDP (${this.#redact(reason)})`, requestId, {
      cause: error,
    });
  }

  private apiError(
    http: HttpRequest,
    status: number,
    headers: Record<string, string | string[] | undefined>,
    bytes: Buffer,
    context: HttpResponse['context'],
  ): ApiError {
    const text = this.#redact(bytes.toString('utf8'));
    const json = errorJson(text, bytes);
    const message = json as
      | {
          code?: unknown;
          message?: unknown;
          fieldErrors?: unknown;
          errorCode?: unknown;
          errorMessage?: unknown;
        }
      | undefined;
    const code =
      typeof message?.code === 'string'
        ? message.code
        : typeof message?.errorCode === 'string'
          ? message.errorCode
          : undefined;
    const detail =
      typeof message?.message === 'string'
        ? message.message
        : typeof message?.errorMessage === 'string'
          ? message.errorMessage
          : bytes.length > 0 && json === undefined
            ? shortText(text, 200) || `HTTP ${status}`
            : `HTTP ${status}`;
    const details: ApiErrorDetails = {
      status,
      ...(code === undefined ? {} : { code: this.#redact(code) }),
      message: this.#redact(detail),
      fieldErrors: Array.isArray(message?.fieldErrors)
        ? (message.fieldErrors.filter((field) => typeof field === 'object' && field !== null) as FieldError[])
        : [],
      headers: redactHeaders(headers, this.#redact),
      serverRequestId: serverRequestIdOf(headers, this.#redact),
      body: json,
      ...(http.idempotent === true && status === 500 ? { retryable: true } : {}),
      ...context,
    };
    return errorOfStatus(details, http);
  }
}

/** Thrown by an attempt that the caller's signal stopped; `lost` when the request may have gone out. */
class AbortedAttempt extends Error {
  readonly signal: AbortSignal;
  readonly lost: boolean;

  constructor(signal: AbortSignal, lost: boolean) {
    super('aborted');
    this.signal = signal;
    this.lost = lost;
  }
}

/** An error answer's JSON (its text already redacted), or undefined when it is not JSON. */
function errorJson(text: string, bytes: Buffer): unknown {
  if (bytes.length === 0 || nestingDepth(bytes) > MAX_JSON_DEPTH) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * The error class of an answer, in one place: by status, and a 409 `DUPLICATE_MESSAGE_UUID` to a
 * send as {@link DuplicateMessageError}, with the original receipt from the answer (NgDP gives it to
 * the system that sent the original) or else from what the caller knows.
 */
function errorOfStatus(details: ApiErrorDetails, http: HttpRequest): ApiError {
  if (details.status === 409 && details.code === 'DUPLICATE_MESSAGE_UUID' && http.messageUUID !== undefined) {
    const answered = (details.body as { receipt?: unknown } | undefined)?.receipt;
    return new DuplicateMessageError(details, http.messageUUID, http.originalReceipt?.(answered));
  }
  const ErrorClass = ERROR_CLASSES[details.status] ?? ApiError;
  return new ErrorClass(details);
}
