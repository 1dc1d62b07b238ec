/**
 * msw meets undici. msw's `setupServer` intercepts Node's global `fetch` and `node:http`, but not
 * undici's `request`, which DigitalPostClient uses (checked with msw 3.0.5, undici 8.12, Node 24).
 * msw's maintainers point undici users at `getResponse()`: run the handlers from an undici
 * dispatcher. That is what {@link createMswDispatcher} does, and {@link interceptUndici} installs it
 * as undici's global dispatcher — so a client without `tls` or `dispatcher` reaches msw's handlers,
 * while a client given its own dispatcher (an `Agent` for mutual TLS) still goes to the network.
 */
import { type AnyHandler, getResponse, HttpResponse, http, isPassthroughResponse, RequestHandler } from 'msw';
import { type Dispatcher, getGlobalDispatcher, setGlobalDispatcher } from 'undici';
import { ResponderDispatcher } from './dispatcher.ts';
import type { InProcessSimulator } from './in-process.ts';

/** msw handlers: a list, or anything with `listHandlers()` such as msw's `setupServer(...)`. */
export type MswHandlerSource = ReadonlyArray<AnyHandler> | { listHandlers(): ReadonlyArray<AnyHandler> };

export interface MswDispatcherOptions {
  /**
   * Where requests no handler answers go (or that a handler answers with msw's `passthrough()`);
   * default: the global dispatcher at the time of the call, i.e. the real network.
   */
  fallback?: Dispatcher;
}

/** One msw handler answering every request under the simulator's base and control URLs. */
export function simulatorHandlers(simulator: InProcessSimulator): RequestHandler[] {
  return [
    http.all(
      ({ request }) => simulator.appPath(request.url) !== undefined,
      async ({ request }) => (await simulator.handle(request)) ?? HttpResponse.error(),
    ),
  ];
}

function requestHandlers(source: MswHandlerSource): RequestHandler[] {
  const handlers = 'listHandlers' in source ? source.listHandlers() : source;
  return handlers.filter((handler): handler is RequestHandler => handler instanceof RequestHandler);
}

/**
 * An undici dispatcher that answers with msw handlers (through msw's `getResponse`), read anew for
 * every request so `server.use(...)` overrides apply. Requests no handler answers go to `fallback`.
 *
 * @example
 * const client = new DigitalPostClient({ environment: 'test', apiKey, dispatcher: createMswDispatcher(server) });
 */
export function createMswDispatcher(
  source: MswHandlerSource,
  options: MswDispatcherOptions = {},
): Dispatcher {
  return new ResponderDispatcher(
    async (request) => {
      const response = await getResponse(requestHandlers(source), request);
      return response === undefined || isPassthroughResponse(response) ? undefined : response;
    },
    { name: 'the msw dispatcher', fallback: options.fallback ?? getGlobalDispatcher() },
  );
}

/**
 * Routes undici's global dispatcher through msw's handlers (see {@link createMswDispatcher}); what
 * they do not answer goes where it went before. Returns the function that restores the previous
 * global dispatcher.
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
export function interceptUndici(source: MswHandlerSource): () => void {
  const previous = getGlobalDispatcher();
  setGlobalDispatcher(createMswDispatcher(source, { fallback: previous }));
  return () => setGlobalDispatcher(previous);
}
