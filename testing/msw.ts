/**
 * msw meets undici. msw's `setupServer` intercepts Node's global `fetch` and `node:http`, but not
 * undici's `request`, which DigitalPostClient uses (checked with msw 3.0.5, undici 8.12, Node 24).
 * msw's maintainers point undici users at `getResponse()`: run the handlers from an undici
 * dispatcher. That is what {@link createMswDispatcher} does, and {@link interceptUndici} installs it
 * as undici's global dispatcher — so a client without `tls` or `dispatcher` reaches msw's handlers,
 * while a client given its own dispatcher (an `Agent` for mutual TLS) still goes to the network.
 *
 * msw is an optional peer dependency, loaded only when it is used: importing
 * `digitalpost/testing`, and its dispatcher (`ngdp.dispatcher()`), need no msw.
 */
import type { AnyHandler, RequestHandler } from 'msw';
import { type Dispatcher, getGlobalDispatcher, setGlobalDispatcher } from 'undici';
import { DigitalPostError } from '../sdk/errors.ts';
import { ResponderDispatcher } from './dispatcher.ts';
import type { InProcessSimulator } from './in-process.ts';

type Msw = typeof import('msw');

/** msw handlers: a list, or anything with `listHandlers()` such as msw's `setupServer(...)`. */
export type MswHandlerSource = ReadonlyArray<AnyHandler> | { listHandlers(): ReadonlyArray<AnyHandler> };

export interface MswDispatcherOptions {
  /**
   * Where requests no handler answers go (or that a handler answers with msw's `passthrough()`).
   * Default: the global dispatcher at the time of the call, for requests to this machine only (a
   * test's own servers, a receiver the simulator pushes to); a request to any other host fails
   * with {@link NoResponderError}. Given, every such request goes to it — give
   * `getGlobalDispatcher()` to let a test reach the network.
   */
  fallback?: Dispatcher;
}

let msw: Promise<Msw> | undefined;

/** msw, imported once; undefined when it is not installed. */
export function importMsw(): Promise<Msw | undefined> {
  msw ??= import('msw');
  return msw.catch((error: unknown) => {
    msw = undefined;
    const code = (error as { code?: unknown }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') return undefined;
    throw error;
  });
}

/** The error of a use of msw's side of `digitalpost/testing` without msw installed. */
export function mswMissing(what: string): DigitalPostError {
  return new DigitalPostError(
    'MSW_NOT_INSTALLED',
    `${what} needs msw, which is not installed: npm install --save-dev msw — or give the client ` +
      'ngdp.dispatcher(), which needs no msw',
  );
}

/** One msw handler answering every request under the simulator's base and control URLs. */
export function simulatorHandlers(
  simulator: InProcessSimulator,
  { http, HttpResponse }: Msw,
): RequestHandler[] {
  return [
    http.all(
      ({ request }) => simulator.appPath(request.url) !== undefined,
      async ({ request }) => (await simulator.handle(request)) ?? HttpResponse.error(),
    ),
  ];
}

function requestHandlers(source: MswHandlerSource, { RequestHandler }: Msw): RequestHandler[] {
  const handlers = 'listHandlers' in source ? source.listHandlers() : source;
  return handlers.filter((handler): handler is RequestHandler => handler instanceof RequestHandler);
}

/**
 * An undici dispatcher that answers with msw handlers (through msw's `getResponse`), read anew for
 * every request so `server.use(...)` overrides apply. Requests no handler answers go to `fallback`
 * (by default: to this machine only).
 *
 * @example
 * const client = new DigitalPostClient({ environment: 'test', apiKey, dispatcher: createMswDispatcher(server) });
 */
export function createMswDispatcher(
  source: MswHandlerSource,
  options: MswDispatcherOptions = {},
): Dispatcher {
  return mswDispatcher(source, options.fallback, getGlobalDispatcher());
}

/** The msw dispatcher: declined requests to `fallback`, or without one to `local` for this machine only. */
function mswDispatcher(
  source: MswHandlerSource,
  fallback: Dispatcher | undefined,
  local: Dispatcher,
): Dispatcher {
  return new ResponderDispatcher(
    async (request) => {
      const loaded = await importMsw();
      if (loaded === undefined) throw mswMissing('createMswDispatcher');
      const response = await loaded.getResponse(requestHandlers(source, loaded), request);
      return response === undefined || loaded.isPassthroughResponse(response) ? undefined : response;
    },
    {
      name: 'the msw dispatcher',
      fallback: fallback ?? local,
      fallbackFor: fallback === undefined ? 'loopback' : 'any',
      fix: 'add an msw handler for it, or give createMswDispatcher / interceptUndici { fallback: getGlobalDispatcher() } to let it through',
    },
  );
}

/**
 * Routes undici's global dispatcher through msw's handlers (see {@link createMswDispatcher}); what
 * they do not answer goes where it went before — requests to this machine only, unless
 * `options.fallback` says otherwise. Returns the function that restores the previous global
 * dispatcher.
 *
 * A client without `tls` or `dispatcher`, undici's `request` and `fetch`, and the simulator's own
 * pushes use the global dispatcher; a client given a dispatcher does not.
 *
 * @example
 * const server = setupServer(...ngdp.handlers);
 * let restoreUndici: () => void;
 * beforeAll(() => { server.listen(); restoreUndici = interceptUndici(server); });
 * afterAll(() => { restoreUndici(); server.close(); });
 */
export function interceptUndici(source: MswHandlerSource, options: MswDispatcherOptions = {}): () => void {
  const previous = getGlobalDispatcher();
  setGlobalDispatcher(mswDispatcher(source, options.fallback, previous));
  return () => setGlobalDispatcher(previous);
}
