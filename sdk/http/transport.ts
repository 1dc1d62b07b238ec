/**
 * HTTP to NgDP on undici, HTTP/1.1: the API key, mutual TLS through the dispatcher, per-attempt
 * timeouts, retries (connection errors, timeouts and 503 only — never another 4xx — with the same
 * bytes every time), and NgDP's `ErrorMessage` mapped to the error classes of `sdk/errors.ts`.
 */
import { randomUUID } from 'node:crypto';
import { type Dispatcher, request } from 'undici';
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
  NotFoundError,
  PermissionDeniedError,
  ServiceUnavailableError,
  type TechnicalReceipt,
  TimeoutError,
  UnprocessableEntityError,
} from '../errors.ts';
import { maskCpr } from '../ngdp/identifiers.ts';
import { backoffMs, type RetryOptions, type RetrySettings, retryAfterMs, retrySettings } from './retry.ts';

/** Per-request overrides of the client's settings. */
export interface RequestOptions {
  /** Time for one attempt, in ms (answer and body). */
  timeoutMs?: number;
  /** Retry settings for this request, or `false` for none. */
  retry?: RetryOptions | false;
  /** Cancels the request (and its retries). */
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
  /** Set when the attempt failed without an answer. */
  error?: string;
  /** Set when the attempt will be retried after this many ms. */
  retryInMs?: number;
}

export interface TransportOptions {
  baseUrl: string;
  apiKey: string;
  /** undefined: undici's global dispatcher (which msw intercepts). */
  dispatcher: Dispatcher | undefined;
  timeoutMs: number;
  retry: RetrySettings;
  userAgent: string;
  logger: ((event: RequestLogEvent) => void) | undefined;
  random: () => number;
}

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Relative to the base URL, e.g. `/memos/`. */
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: Uint8Array | string;
  contentType?: string;
  accept?: string;
  /**
   * Whether an error on a retried attempt means the earlier attempt succeeded (e.g. 409 for a
   * receipt posted twice); such an error is then taken as success.
   */
  earlierAttemptSucceeded?: (error: ApiError) => boolean;
  /**
   * The messageUUID this request sends (`POST /memos/`): a 409 `DUPLICATE_MESSAGE_UUID` answer
   * becomes a {@link DuplicateMessageError} for it.
   */
  messageUUID?: string;
  /**
   * The original technical receipt of `messageUUID` as the caller knows it (its own earlier send),
   * for a DuplicateMessageError whose answer carries none.
   */
  knownReceipt?: () => TechnicalReceipt | undefined;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

const ERROR_CLASSES: Record<number, new (details: ApiErrorDetails) => ApiError> = {
  400: BadRequestError,
  401: AuthenticationError,
  403: PermissionDeniedError,
  404: NotFoundError,
  409: ConflictError,
  422: UnprocessableEntityError,
  503: ServiceUnavailableError,
};

const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT']);

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(aborted(signal));
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(aborted(signal as AbortSignal));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function aborted(signal: AbortSignal): DigitalPostError {
  return new DigitalPostError('ABORTED', 'the request was aborted', { cause: signal.reason });
}

/** The parsed JSON of a body, or undefined. */
export function parseJson(body: Buffer): unknown {
  if (body.length === 0) return undefined;
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}

export class Transport {
  private readonly options: TransportOptions;

  constructor(options: TransportOptions) {
    this.options = options;
  }

  get baseUrl(): string {
    return this.options.baseUrl;
  }

  private url(path: string, query: HttpRequest['query']): string {
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(query ?? {}))
      if (value !== undefined) search.set(key, String(value));
    const text = search.toString();
    return `${this.options.baseUrl}${path}${text ? `?${text}` : ''}`;
  }

  private log(event: RequestLogEvent): void {
    try {
      this.options.logger?.(event);
    } catch {
      // A failing logger must not fail the request.
    }
  }

  /** Sends a request, retrying as configured; resolves to a 2xx response or throws. */
  async send(http: HttpRequest, overrides: RequestOptions = {}): Promise<HttpResponse> {
    const retry =
      overrides.retry === undefined ? this.options.retry : retrySettings(overrides.retry, this.options.retry);
    const timeoutMs = overrides.timeoutMs ?? this.options.timeoutMs;
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0)
      throw new InvalidOptionsError(`timeoutMs must be a positive number, got ${timeoutMs}`);
    const requestId = randomUUID();
    const url = this.url(http.path, http.query);
    const shownPath = maskCpr(url.slice(this.options.baseUrl.length));
    const headers: Record<string, string> = {
      authorization: `Basic ${this.options.apiKey}`,
      accept: http.accept ?? 'application/json',
      'user-agent': this.options.userAgent,
    };
    if (http.contentType !== undefined) headers['content-type'] = http.contentType;

    for (let attempt = 0; ; attempt++) {
      const started = performance.now();
      let failure: ApiError | ConnectionError | TimeoutError;
      let retryAfter: number | undefined;
      try {
        const signal = overrides.signal
          ? AbortSignal.any([overrides.signal, AbortSignal.timeout(timeoutMs)])
          : AbortSignal.timeout(timeoutMs);
        const response = await request(url, {
          method: http.method,
          headers,
          ...(http.body === undefined ? {} : { body: http.body }),
          ...(this.options.dispatcher === undefined ? {} : { dispatcher: this.options.dispatcher }),
          signal,
        });
        const body = Buffer.from(await response.body.arrayBuffer());
        const status = response.statusCode;
        if (status >= 200 && status < 300) {
          this.log({
            requestId,
            method: http.method,
            path: shownPath,
            attempt,
            status,
            durationMs: performance.now() - started,
          });
          return { status, headers: response.headers, body };
        }
        failure = this.apiError(http, status, response.headers, body, { requestId, path: shownPath });
        retryAfter = retryAfterMs(response.headers['retry-after']);
        if (attempt > 0 && http.earlierAttemptSucceeded?.(failure)) {
          this.log({
            requestId,
            method: http.method,
            path: shownPath,
            attempt,
            status,
            durationMs: performance.now() - started,
          });
          return { status, headers: response.headers, body };
        }
      } catch (error) {
        if (overrides.signal?.aborted) throw aborted(overrides.signal);
        failure = this.transportError(error, requestId, http.method, shownPath, timeoutMs);
      }
      const retryable = failure.retryable && attempt < retry.maxRetries;
      const wait = retryable ? backoffMs(attempt, retry, retryAfter, this.options.random) : undefined;
      this.log({
        requestId,
        method: http.method,
        path: shownPath,
        attempt,
        ...(failure instanceof ApiError ? { status: failure.status } : { error: failure.code }),
        durationMs: performance.now() - started,
        ...(wait === undefined ? {} : { retryInMs: wait }),
      });
      if (wait === undefined) throw failure;
      await sleep(wait, overrides.signal);
    }
  }

  private transportError(
    error: unknown,
    requestId: string,
    method: string,
    path: string,
    timeoutMs: number,
  ): ConnectionError | TimeoutError {
    const name = (error as { name?: string }).name;
    const code = (error as { code?: unknown }).code;
    if (name === 'TimeoutError' || (typeof code === 'string' && TIMEOUT_CODES.has(code))) {
      return new TimeoutError(`${method} ${path}: no answer within ${timeoutMs} ms`, requestId, {
        cause: error,
      });
    }
    const reason = typeof code === 'string' ? code : error instanceof Error ? error.message : String(error);
    return new ConnectionError(`${method} ${path}: cannot reach NgDP (${maskCpr(reason)})`, requestId, {
      cause: error,
    });
  }

  private apiError(
    http: HttpRequest,
    status: number,
    headers: Record<string, string | string[] | undefined>,
    body: Buffer,
    context: { requestId: string; path: string },
  ): ApiError {
    const json = parseJson(body);
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
    const text =
      typeof message?.message === 'string'
        ? message.message
        : typeof message?.errorMessage === 'string'
          ? message.errorMessage
          : body.length > 0 && json === undefined
            ? body.toString('utf8', 0, Math.min(body.length, 200)).trim()
            : `HTTP ${status}`;
    const details: ApiErrorDetails = {
      status,
      ...(code === undefined ? {} : { code }),
      message: maskCpr(text),
      fieldErrors: Array.isArray(message?.fieldErrors) ? (message.fieldErrors as FieldError[]) : [],
      headers,
      body: json,
      method: http.method,
      ...context,
    };
    return errorOfStatus(details, http);
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
    const original = isTechnicalReceipt(answered) ? answered : http.knownReceipt?.();
    return new DuplicateMessageError(details, http.messageUUID, original);
  }
  const ErrorClass = ERROR_CLASSES[details.status] ?? ApiError;
  return new ErrorClass(details);
}

function isTechnicalReceipt(value: unknown): value is TechnicalReceipt {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { transmissionId?: unknown }).transmissionId === 'string'
  );
}
