/**
 * An undici `Dispatcher` that answers requests with a function from a fetch `Request` to a `Response`
 * instead of a socket: the in-process simulator and msw's handlers both have that shape. It speaks
 * undici 8's handler API (`onRequestStart` … `onResponseEnd` / `onResponseError`), honours pause and
 * abort, and hands what the function declines to a fallback dispatcher.
 */
import { Dispatcher, errors, Response as UndiciResponse } from 'undici';
import { isLoopback } from '../sdk/client/client.ts';
import { InvalidOptionsError, NoResponderError } from '../sdk/errors.ts';

/** Answers a request, or declines it with undefined. */
export type Responder = (request: Request) => Promise<Response | undefined>;

export interface ResponderDispatcherOptions {
  /** Where declined requests go; without one they fail with {@link NoResponderError}. */
  fallback?: Dispatcher | undefined;
  /**
   * `loopback`: only declined requests to this machine (`127.0.0.0/8`, `::1`, `localhost`) go to
   * the fallback — a test's own servers — and those to any other host fail with
   * {@link NoResponderError}, so that a test never reaches a real host. Default `any`.
   */
  fallbackFor?: 'any' | 'loopback';
  /** Names the dispatcher in errors. */
  name: string;
  /** How to make a refused request go through, said in the {@link NoResponderError}. */
  fix: string;
}

type RequestBody = Dispatcher.DispatchOptions['body'] | Iterable<unknown> | AsyncIterable<unknown> | Blob;

/** Headers no in-process answer needs: the connection's own, and those recomputed from the body. */
const CONNECTION_HEADERS = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'content-length',
  'host',
]);

function headerPairs(headers: Dispatcher.DispatchOptions['headers']): Array<[string, string]> {
  if (headers === undefined || headers === null) return [];
  const pairs: Array<[string, string]> = [];
  const add = (name: unknown, value: unknown): void => {
    if (value === undefined || value === null) return;
    if (Array.isArray(value)) for (const item of value) pairs.push([String(name), String(item)]);
    else pairs.push([String(name), String(value)]);
  };
  if (Array.isArray(headers) && headers.every((item) => typeof item === 'string')) {
    for (let index = 0; index + 1 < headers.length; index += 2) add(headers[index], headers[index + 1]);
    return pairs;
  }
  if (Symbol.iterator in headers && typeof headers[Symbol.iterator] === 'function') {
    for (const entry of headers as Iterable<[string, unknown]>) add(entry[0], entry[1]);
    return pairs;
  }
  for (const [name, value] of Object.entries(headers)) add(name, value);
  return pairs;
}

/** Bodies whose bytes (and Content-Type) fetch's encoding gives. */
const ENCODED_BY_FETCH = new Set([
  '[object FormData]',
  '[object Blob]',
  '[object File]',
  '[object URLSearchParams]',
]);

function chunkBytes(chunk: unknown): Uint8Array {
  if (typeof chunk === 'string') return Buffer.from(chunk, 'utf8');
  if (chunk instanceof Uint8Array) return chunk;
  throw new InvalidOptionsError(`a request body chunk must be a string or Uint8Array, got ${typeof chunk}`);
}

/** The whole request body, whatever undici was given: string, bytes, a stream, an iterable, a Blob or FormData. */
async function readBody(body: RequestBody): Promise<{ bytes: Buffer; contentType?: string } | undefined> {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') return { bytes: Buffer.from(body, 'utf8') };
  if (body instanceof Uint8Array)
    return { bytes: Buffer.from(body.buffer, body.byteOffset, body.byteLength) };
  if (ENCODED_BY_FETCH.has(Object.prototype.toString.call(body))) {
    // Node's fetch classes and undici's are distinct: each Response encodes its own FormData.
    const native = body instanceof FormData || body instanceof Blob || body instanceof URLSearchParams;
    const encoded = native
      ? new Response(body as FormData | Blob | URLSearchParams)
      : new UndiciResponse(body as ConstructorParameters<typeof UndiciResponse>[0]);
    const contentType = encoded.headers.get('content-type') ?? undefined;
    return {
      bytes: Buffer.from(await encoded.arrayBuffer()),
      ...(contentType === undefined ? {} : { contentType }),
    };
  }
  const chunks: Uint8Array[] = [];
  if (typeof body === 'object' && Symbol.asyncIterator in body) {
    for await (const chunk of body as AsyncIterable<unknown>) chunks.push(chunkBytes(chunk));
  } else if (typeof body === 'object' && Symbol.iterator in body) {
    for (const chunk of body as Iterable<unknown>) chunks.push(chunkBytes(chunk));
  } else {
    throw new InvalidOptionsError(`cannot read a request body of type ${typeof body}`);
  }
  return { bytes: Buffer.concat(chunks) };
}

function urlOf(options: Dispatcher.DispatchOptions): URL {
  if (options.origin === undefined) throw new InvalidOptionsError('the request has no origin');
  const url = new URL(options.path, options.origin);
  for (const [name, value] of Object.entries(options.query ?? {})) {
    if (value !== undefined) url.searchParams.append(name, String(value));
  }
  return url;
}

function toRequest(
  options: Dispatcher.DispatchOptions,
  body: { bytes: Buffer; contentType?: string } | undefined,
  signal: AbortSignal,
): Request {
  const headers = new Headers();
  for (const [name, value] of headerPairs(options.headers)) {
    if (!CONNECTION_HEADERS.has(name.toLowerCase())) headers.append(name, value);
  }
  if (body?.contentType !== undefined && !headers.has('content-type'))
    headers.set('content-type', body.contentType);
  const method = options.method.toUpperCase();
  const withBody = body !== undefined && body.bytes.length > 0 && method !== 'GET' && method !== 'HEAD';
  return new Request(urlOf(options), {
    method,
    headers,
    signal,
    ...(withBody ? { body: body.bytes } : {}),
  });
}

function responseHeaders(response: Response): {
  parsed: Record<string, string | string[]>;
  raw: Buffer[];
} {
  const parsed: Record<string, string | string[]> = {};
  const raw: Buffer[] = [];
  for (const [name, value] of response.headers) {
    if (name === 'set-cookie') continue;
    parsed[name] = value;
    raw.push(Buffer.from(name), Buffer.from(value));
  }
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) {
    parsed['set-cookie'] = cookies;
    for (const cookie of cookies) raw.push(Buffer.from('set-cookie'), Buffer.from(cookie));
  }
  return { parsed, raw };
}

/**
 * The controller undici's handler sees. Abort reports the error to the handler exactly once (or,
 * once a fallback dispatcher has taken the request over, lets that dispatcher report it).
 */
class Controller implements Dispatcher.DispatchController {
  rawHeaders: Buffer[] | null = null;
  rawTrailers: Buffer[] | null = null;
  readonly signal: AbortSignal;
  private readonly abortController = new AbortController();
  private readonly handler: Dispatcher.DispatchHandler;
  private isPaused = false;
  private abortReason: Error | null = null;
  private finished = false;
  private resumed: (() => void) | undefined;
  /** The fallback dispatcher's controller, once the request went there. */
  delegate: Dispatcher.DispatchController | undefined;

  constructor(handler: Dispatcher.DispatchHandler) {
    this.handler = handler;
    this.signal = this.abortController.signal;
  }

  get aborted(): boolean {
    return this.abortReason !== null;
  }

  get paused(): boolean {
    return this.isPaused;
  }

  get reason(): Error | null {
    return this.abortReason;
  }

  /** Whether the handler has had its last callback (end or error). */
  get done(): boolean {
    return this.finished || this.aborted;
  }

  abort(reason: Error): void {
    if (this.done) return;
    this.abortReason = reason ?? new errors.RequestAbortedError();
    this.abortController.abort(this.abortReason);
    this.resumed?.();
    if (this.delegate !== undefined) {
      this.delegate.abort(this.abortReason);
      return;
    }
    try {
      this.handler.onResponseError?.(this, this.abortReason);
    } catch {
      // The handler's own failure while being told of an error has nowhere else to go.
    }
  }

  pause(): void {
    this.isPaused = true;
    this.delegate?.pause();
  }

  resume(): void {
    this.isPaused = false;
    this.delegate?.resume();
    this.resumed?.();
  }

  /** Resolves when the handler wants more data (or the request was aborted). */
  async waitUntilResumed(): Promise<void> {
    while (this.isPaused && !this.aborted) {
      await new Promise<void>((resolve) => {
        this.resumed = resolve;
      });
      this.resumed = undefined;
    }
  }

  /** Marks the response complete: later aborts are no-ops. */
  finish(): void {
    this.finished = true;
  }
}

/** Forwards a fallback dispatcher's callbacks to the original handler, under the original controller. */
function delegatingHandler(
  controller: Controller,
  handler: Dispatcher.DispatchHandler,
): Dispatcher.DispatchHandler {
  return {
    onRequestStart(delegate) {
      controller.delegate = delegate;
      if (controller.aborted) delegate.abort(controller.reason ?? new errors.RequestAbortedError());
      else if (controller.paused) delegate.pause();
    },
    onResponseStart(delegate, statusCode, headers, statusMessage) {
      controller.rawHeaders = (delegate.rawHeaders as Buffer[] | null | undefined) ?? null;
      handler.onResponseStart?.(controller, statusCode, headers, statusMessage);
    },
    onResponseData(_delegate, chunk) {
      handler.onResponseData?.(controller, chunk);
    },
    onResponseEnd(delegate, trailers) {
      controller.rawTrailers = (delegate.rawTrailers as Buffer[] | null | undefined) ?? null;
      controller.finish();
      handler.onResponseEnd?.(controller, trailers);
    },
    onResponseError(_delegate, error) {
      controller.finish();
      handler.onResponseError?.(controller, error);
    },
  };
}

/** A dispatcher answering through a {@link Responder}; see the module comment. */
export class ResponderDispatcher extends Dispatcher {
  private readonly responder: Responder;
  private readonly fallback: Dispatcher | undefined;
  private readonly fallbackFor: 'any' | 'loopback';
  private readonly name: string;
  private readonly fix: string;
  private readonly running = new Set<{ controller: Controller; work: Promise<void> }>();
  private closed = false;
  private destroyed = false;

  constructor(responder: Responder, options: ResponderDispatcherOptions) {
    super();
    this.responder = responder;
    this.fallback = options.fallback;
    this.fallbackFor = options.fallbackFor ?? 'any';
    this.name = options.name;
    this.fix = options.fix;
  }

  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    const controller = new Controller(handler);
    if (this.destroyed || this.closed) {
      const error = this.destroyed ? new errors.ClientDestroyedError() : new errors.ClientClosedError();
      queueMicrotask(() => controller.abort(error));
      return false;
    }
    try {
      handler.onRequestStart?.(controller, {});
    } catch (error) {
      controller.abort(error as Error);
      return true;
    }
    if (controller.aborted) return true;
    const entry = { controller, work: Promise.resolve() };
    entry.work = this.run(options, handler, controller)
      .catch((error: unknown) => controller.abort(error instanceof Error ? error : new Error(String(error))))
      .finally(() => this.running.delete(entry));
    this.running.add(entry);
    return true;
  }

  private async run(
    options: Dispatcher.DispatchOptions,
    handler: Dispatcher.DispatchHandler,
    controller: Controller,
  ): Promise<void> {
    const body = await readBody(options.body as RequestBody);
    if (controller.aborted) return;
    const request = toRequest(options, body, controller.signal);
    const response = await this.responder(request);
    if (controller.aborted) {
      await response?.body?.cancel().catch(() => {});
      return;
    }
    if (response === undefined) {
      const url = new URL(request.url);
      const { fallback } = this;
      if (fallback === undefined || (this.fallbackFor === 'loopback' && !isLoopback(url))) {
        // Origin and path only: a query may hold CPR numbers.
        throw new NoResponderError(
          `${this.name} does not answer ${request.method} ${url.origin}${url.pathname}, and a test ` +
            `never reaches another host: ${this.fix}`,
        );
      }
      const headers = headerPairs(options.headers);
      if (
        body?.contentType !== undefined &&
        !headers.some(([name]) => name.toLowerCase() === 'content-type')
      ) {
        headers.push(['content-type', body.contentType]);
      }
      fallback.dispatch(
        { ...options, headers: headers.flat(), body: body?.bytes ?? null },
        delegatingHandler(controller, handler),
      );
      return;
    }
    await this.deliver(response, handler, controller);
  }

  private async deliver(
    response: Response,
    handler: Dispatcher.DispatchHandler,
    controller: Controller,
  ): Promise<void> {
    // Not a bad option but a network failure, as fetch reports it (a TypeError): what a client would see.
    if (response.type === 'error') throw new TypeError('Network error (a mocked Response.error())');
    const { parsed, raw } = responseHeaders(response);
    controller.rawHeaders = raw;
    handler.onResponseStart?.(controller, response.status, parsed, response.statusText);
    const reader = response.body?.getReader();
    if (reader !== undefined) {
      try {
        for (;;) {
          await controller.waitUntilResumed();
          if (controller.aborted) return;
          const { done, value } = await reader.read();
          if (done) break;
          if (controller.aborted) return;
          handler.onResponseData?.(controller, Buffer.from(value.buffer, value.byteOffset, value.byteLength));
        }
      } finally {
        if (controller.aborted) await reader.cancel().catch(() => {});
        reader.releaseLock();
      }
    }
    if (controller.aborted) return;
    controller.rawTrailers = [];
    controller.finish();
    handler.onResponseEnd?.(controller, {});
  }

  /** Waits for requests under way, then refuses new ones. */
  override close(): Promise<void>;
  override close(callback: () => void): void;
  override close(callback?: () => void): Promise<void> | void {
    this.closed = true;
    const done = Promise.all([...this.running].map((entry) => entry.work)).then(() => {});
    if (callback === undefined) return done;
    done.then(callback, callback);
  }

  /** Fails requests under way with `error` (default ClientDestroyedError) at once and refuses new ones. */
  override destroy(): Promise<void>;
  override destroy(error: Error | null): Promise<void>;
  override destroy(callback: () => void): void;
  override destroy(error: Error | null, callback: () => void): void;
  override destroy(
    errorOrCallback?: Error | null | (() => void),
    maybeCallback?: () => void,
  ): Promise<void> | void {
    const callback = typeof errorOrCallback === 'function' ? errorOrCallback : maybeCallback;
    const error =
      typeof errorOrCallback === 'function' || errorOrCallback == null
        ? new errors.ClientDestroyedError()
        : errorOrCallback;
    this.closed = true;
    this.destroyed = true;
    for (const entry of this.running) entry.controller.abort(error);
    if (callback === undefined) return Promise.resolve();
    queueMicrotask(callback);
  }
}
