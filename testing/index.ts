/**
 * `digitalpost/testing`: NgDP for unit tests, in-process. `createDigitalPostHandlers()` runs the
 * simulator's engine without a server and offers it two ways: as msw handlers, and as an undici
 * dispatcher a `DigitalPostClient` can be given. docs/sdk.md ("Unit tests without a server") says
 * which to use when.
 *
 * @packageDocumentation
 */
import type { RequestHandler } from 'msw';
import type { Dispatcher } from 'undici';
import { ENVIRONMENTS } from '../sdk/client/client.ts';
import { DigitalPostError } from '../sdk/errors.ts';
import { createSimulator } from '../simulator/core.ts';
import type { Fixtures, SimulatorClock, SimulatorOptions } from '../simulator/index.ts';
import { ResponderDispatcher } from './dispatcher.ts';
import { checkBaseUrl, InProcessSimulator } from './in-process.ts';
import { importMsw, mswMissing, simulatorHandlers } from './msw.ts';

export { NoResponderError } from '../sdk/errors.ts';
export type { FaultRule, Fixtures, SimulatorClock } from '../simulator/index.ts';
export {
  createMswDispatcher,
  interceptUndici,
  type MswDispatcherOptions,
  type MswHandlerSource,
} from './msw.ts';

/** NgDP's test environment (what `environment: 'test'` uses), where the handlers answer unless told otherwise. */
export const DEFAULT_BASE_URL: string = ENVIRONMENTS.test;

/** The simulator's options (seed, loose, chaos, clock, retry, …) and where the handlers answer. */
export interface DigitalPostHandlersOptions extends Omit<SimulatorOptions, 'host' | 'port' | 'controlToken'> {
  /** NgDP's API base URL to answer at, ending in `/apis/v1` (default NgDP's test URL). */
  baseUrl?: string;
  /** `manual` (default here: time moves only when a test moves it) or `real`. */
  clock?: 'real' | 'manual';
}

/** Options of {@link DigitalPostHandlers.dispatcher}. */
export interface SimulatorDispatcherOptions {
  /**
   * Where requests for other origins go (e.g. `getGlobalDispatcher()` when you make this the global
   * dispatcher). Default: none — they fail with {@link NoResponderError}, so a test never reaches a
   * real NgDP by mistake.
   */
  fallback?: Dispatcher;
}

export type ControlMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface DigitalPostHandlers {
  /**
   * msw request handlers for `setupServer(...handlers)`: NgDP's API at `baseUrl`, the control API at
   * `controlUrl`. A DigitalPostClient (undici) reaches them once `interceptUndici(server)` is installed.
   *
   * @throws DigitalPostError `MSW_NOT_INSTALLED` when msw (an optional peer dependency) is not
   *   installed; {@link DigitalPostHandlers.dispatcher} needs none.
   */
  readonly handlers: RequestHandler[];
  /** NgDP's API, e.g. `https://api.test.digitalpost.dk/apis/v1`. */
  readonly baseUrl: string;
  /** The simulator's control API on the same origin, e.g. `https://api.test.digitalpost.dk/simulator/v1`. */
  readonly controlUrl: string;
  /** The seeded organisations, systems (with API keys), contact points, citizens and companies. */
  readonly fixtures: Fixtures;
  /** Simulator time; manual by default: `advance('P2D')`, `set(date)`. */
  readonly clock: SimulatorClock;
  /** Waits until nothing is running and nothing is due (e.g. after a send, before reading receipts). */
  settle(): Promise<void>;
  /**
   * An undici dispatcher into the same simulator, for `new DigitalPostClient({ …, dispatcher })` — the
   * way to test code whose client has its own dispatcher (mutual TLS), which msw never sees.
   */
  dispatcher(options?: SimulatorDispatcherOptions): Dispatcher;
  /**
   * Calls the control API in-process and resolves to its JSON answer, e.g.
   * `control('GET', '/mailboxes/0101700001/messages')` or `control('POST', '/faults', rule)`.
   *
   * @throws DigitalPostError (code from the answer) when the answer is not 2xx.
   */
  control<T = unknown>(method: ControlMethod, path: string, body?: unknown): Promise<T>;
  /** Back to the seed: messages, receipts and faults gone, a manual clock back at its start. */
  reset(): Promise<void>;
  /** Waits for requests under way and stops the simulator; later requests answer 503. */
  close(): Promise<void>;
}

/**
 * Builds an in-process NgDP simulator for unit tests.
 *
 * @example
 * const ngdp = await createDigitalPostHandlers();
 * const apiKey = ngdp.fixtures.systems[0].apiKey;
 * const client = new DigitalPostClient({ environment: 'test', apiKey, dispatcher: ngdp.dispatcher() });
 *
 * @throws SimulatorConfigError for invalid options.
 */
export async function createDigitalPostHandlers(
  options: DigitalPostHandlersOptions = {},
): Promise<DigitalPostHandlers> {
  const { baseUrl: base = DEFAULT_BASE_URL, ...simulatorOptions } = options;
  const baseUrl = checkBaseUrl(base);
  const core = await createSimulator({ ...simulatorOptions, clock: simulatorOptions.clock ?? 'manual' });
  core.setApiUrl(baseUrl.href);
  const simulator = new InProcessSimulator(core, baseUrl);
  const start = core.clock.now();
  // Loaded here, not when digitalpost/testing is imported; a project without msw uses the dispatcher.
  const msw = await importMsw();
  const handlers = msw === undefined ? undefined : simulatorHandlers(simulator, msw);

  async function control<T>(method: ControlMethod, path: string, body?: unknown): Promise<T> {
    const request = new Request(`${simulator.controlUrl}${path.startsWith('/') ? '' : '/'}${path}`, {
      method,
      ...(body === undefined
        ? {}
        : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    });
    const response = await simulator.handle(request);
    const text = response === undefined ? '' : await response.text();
    const json: unknown = text === '' ? undefined : JSON.parse(text);
    if (response === undefined || !response.ok) {
      const answer = json as { code?: string; message?: string } | undefined;
      throw new DigitalPostError(
        answer?.code ?? 'CONTROL_FAILED',
        `${method} ${simulator.controlUrl}${path}: ${response?.status ?? 'no answer'} ${answer?.message ?? text}`,
      );
    }
    return json as T;
  }

  return {
    get handlers(): RequestHandler[] {
      if (handlers === undefined) throw mswMissing('ngdp.handlers');
      return handlers;
    },
    baseUrl: simulator.baseUrl,
    controlUrl: simulator.controlUrl,
    fixtures: core.fixtures,
    clock: core.clock,
    settle: () => core.settle(),
    dispatcher: (dispatcherOptions = {}) =>
      new ResponderDispatcher((request) => simulator.handle(request), {
        name: `the NgDP simulator at ${simulator.baseUrl}`,
        fallback: dispatcherOptions.fallback,
        fix:
          `give the client baseUrl: ngdp.baseUrl (${simulator.baseUrl}), or ngdp.dispatcher({ fallback }) ` +
          'to send other origins to the network',
      }),
    control,
    async reset() {
      await control('POST', '/reset');
      if (core.clock.mode === 'manual') await core.clock.set(start);
    },
    close: () => simulator.close(),
  };
}
