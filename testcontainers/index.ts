/**
 * `digitalpost/testcontainers`: the simulator in a container, for test suites that run their
 * dependencies the testcontainers way. The image is the repository's Dockerfile (docs/container.md);
 * `testcontainers` is an optional peer dependency, needed only by this entry point.
 *
 * ```ts
 * const simulator = await new DigitalPostSimulatorContainer().withManualClock().start();
 * await simulator.client().memos.send(memo);
 * await simulator.settle();
 * await simulator.stop();
 * ```
 *
 * The started container offers what `startSimulator()` resolves to — `apiUrl`, `controlUrl`, `uiUrl`,
 * `controlToken`, `sftp`, `fixtures`, `clock`, `settle()`, `stop()` — so a test can switch between
 * the two; the clock's `now()` is asynchronous here, as it asks the container.
 *
 * @packageDocumentation
 */
import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import {
  AbstractStartedContainer,
  GenericContainer,
  type RestartOptions,
  type StartedTestContainer,
  type StopOptions,
  type StoppedTestContainer,
  Wait,
} from 'testcontainers';
import { SIM_START_ENV } from '../cli/commands/sim-env.ts';
import { type ClientOptions, DigitalPostClient } from '../sdk/client/client.ts';
import { DigitalPostError, InvalidOptionsError } from '../sdk/errors.ts';
import type { Fixtures, SeedData, SftpAddress } from '../simulator/index.ts';

export type { Fixtures, SeedData, SftpAddress } from '../simulator/index.ts';

/** The image `docker build -t digitalpost-simulator .` makes (docs/container.md). */
export const DEFAULT_IMAGE = 'digitalpost-simulator:latest';
/** NgDP's API, the control API and the status page, inside the container. */
export const HTTP_PORT = 4500;
/** The SFTP server, inside the container. */
export const SFTP_PORT = 4522;
/** Where `withDataDir()` keeps the simulator's state inside the container (the image's volume). */
export const DATA_DIR = '/data';
/** Where `withSeed()` puts a seed given as an object or a file. */
const SEED_PATH = '/etc/digitalpost/seed.json';
const HEALTH_PATH = '/simulator/v1/health';
/** How often the wait strategy asks the health endpoint, and how long it waits for each answer. */
const HEALTH_POLL_MS = 200;
/** How long to wait for the `--json` line once the health check answers. */
const ANNOUNCEMENT_TIMEOUT_MS = 30_000;

/** A seeded system, or its id. */
export type SystemRef = string | { id: string };

export type ControlMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Simulator time in the container: every call asks it over the control API. */
export interface ContainerClock {
  readonly mode: 'real' | 'manual';
  now(): Promise<Date>;
  /** Moves a manual clock forward (ISO duration like `PT1H`), running everything that falls due. */
  advance(by: string): Promise<Date>;
  /** Sets a manual clock. */
  set(to: Date | string): Promise<Date>;
}

/** The line `sim start --json` prints once it listens. */
interface Announcement {
  sftp: SftpAddress | null;
  fixtures: Fixtures;
}

/**
 * The simulator's container, configured through its `DIGITALPOST_SIM_*` variables (the table of
 * cli/commands/sim-env.ts). Every other `GenericContainer` method (networks, aliases, …) works too.
 */
export class DigitalPostSimulatorContainer extends GenericContainer {
  private controlToken = randomBytes(16).toString('hex');

  /** @param image the simulator's image (default {@link DEFAULT_IMAGE}). */
  constructor(image: string = DEFAULT_IMAGE) {
    super(image);
    this.withExposedPorts(HTTP_PORT, SFTP_PORT)
      .withEnvironment({
        [SIM_START_ENV.json]: 'true',
        [SIM_START_ENV.controlToken]: this.controlToken,
      })
      .withWaitStrategy(
        // A simulator that cannot start (a bad variable, a bad seed) exits at once: say so then, with
        // its last lines, instead of waiting out the startup timeout. The read timeout is also the
        // interval between tries: testcontainers' 1 s default would add up to a second to a start
        // that takes 0.4 s, and the health check answers in milliseconds.
        Wait.forHttp(HEALTH_PATH, HTTP_PORT, { abortOnContainerExit: true })
          .forStatusCode(200)
          .withReadTimeout(HEALTH_POLL_MS),
      )
      .withStartupTimeout(60_000);
  }

  /**
   * `default` (the documented test identities), `none`, a seed object (docs/simulator.md, "Seed
   * files"), or the path of a seed JSON file on this machine. Both of the last are copied into the
   * container.
   */
  withSeed(seed: 'default' | 'none' | SeedData | string): this {
    if (seed === 'default' || seed === 'none') return this.withEnvironment({ [SIM_START_ENV.seed]: seed });
    if (typeof seed === 'string')
      this.withCopyFilesToContainer([{ source: seed, target: SEED_PATH, mode: 0o644 }]);
    else this.withCopyContentToContainer([{ content: JSON.stringify(seed), target: SEED_PATH, mode: 0o644 }]);
    return this.withEnvironment({ [SIM_START_ENV.seed]: SEED_PATH });
  }

  /** Pebble-style pressure: 503s, late receipts, repeated pushes, random page sizes. */
  withChaos(on = true): this {
    return this.withEnvironment({ [SIM_START_ENV.chaos]: String(on) });
  }

  /** Time moves only when the test moves it (`clock.advance`), from `start` (default: now). */
  withManualClock(start?: Date | string): this {
    this.withEnvironment({ [SIM_START_ENV.clock]: 'manual' });
    if (start !== undefined)
      this.withEnvironment({ [SIM_START_ENV.clockStart]: new Date(start).toISOString() });
    return this;
  }

  /**
   * Keeps state in SQLite in {@link DATA_DIR}: in the container's own volume, or in `source` — a named
   * volume, or a folder of this machine writable by uid 1000 — so that it outlives the container.
   */
  withDataDir(source?: string): this {
    this.withEnvironment({ [SIM_START_ENV.dataDir]: DATA_DIR });
    if (source !== undefined) this.withBindMounts([{ source, target: DATA_DIR, mode: 'rw' }]);
    return this;
  }

  /** Unknown, well-formed CPR/CVR numbers are registered on first use instead of refused. */
  withLoose(on = true): this {
    return this.withEnvironment({ [SIM_START_ENV.loose]: String(on) });
  }

  /** The control API's bearer token (default: a random one, in `controlToken`). */
  withControlToken(token: string): this {
    this.controlToken = token;
    return this.withEnvironment({ [SIM_START_ENV.controlToken]: token });
  }

  /**
   * Host names to answer to besides IP addresses, `localhost` and names without a dot (the image's
   * `single-label` default, kept here): e.g. `.ci.example` for a CI network's domain.
   */
  withAllowedHosts(...names: string[]): this {
    return this.withEnvironment({ [SIM_START_ENV.allowedHosts]: ['single-label', ...names].join(',') });
  }

  /** Memory request bodies, SFTP uploads and containers being read may hold together: bytes or `600MB`. */
  withMemoryBudget(size: number | string): this {
    return this.withEnvironment({ [SIM_START_ENV.memoryBudget]: String(size) });
  }

  /** Runs no SFTP server. */
  withoutSftp(): this {
    return this.withEnvironment({ [SIM_START_ENV.sftp]: 'false' });
  }

  override async start(): Promise<StartedDigitalPostSimulatorContainer> {
    const started = await super.start();
    try {
      const announcement = await nthAnnouncement(started, 1);
      const clock = (await controlCall(urlsOf(started).control, this.controlToken, 'GET', '/clock')) as {
        now: string;
        mode: 'real' | 'manual';
      };
      return new StartedDigitalPostSimulatorContainer(started, this.controlToken, announcement, clock);
    } catch (error) {
      await started.stop();
      throw error;
    }
  }
}

/** A started simulator container: the surface of `startSimulator()`'s result, and the container's. */
export class StartedDigitalPostSimulatorContainer extends AbstractStartedContainer {
  /** The control API's bearer token (every call of this object sends it). */
  readonly controlToken: string;
  readonly clock: ContainerClock;
  private announcement: Announcement;
  private announcements = 1;
  private readonly clockStart: string;

  constructor(
    started: StartedTestContainer,
    controlToken: string,
    announcement: Announcement,
    clock: { now: string; mode: 'real' | 'manual' },
  ) {
    super(started);
    this.controlToken = controlToken;
    this.announcement = announcement;
    this.clockStart = clock.now;
    const at = async (method: ControlMethod, path: string, body?: unknown): Promise<Date> =>
      new Date((await this.control<{ now: string }>(method, path, body)).now);
    this.clock = {
      mode: clock.mode,
      now: () => at('GET', '/clock'),
      advance: (by) => at('POST', '/clock/advance', { by }),
      set: (to) => at('POST', '/clock/set', { to: new Date(to).toISOString() }),
    };
  }

  /** `http://host:port/apis/v1`, NgDP's API on this machine's side of the mapped port. */
  get apiUrl(): string {
    return `${urlsOf(this).origin}/apis/v1`;
  }

  /** `http://host:port/simulator/v1` */
  get controlUrl(): string {
    return urlsOf(this).control;
  }

  /** The status page. */
  get uiUrl(): string {
    return `${urlsOf(this).origin}/`;
  }

  /** The SFTP server as this machine reaches it, with its host key for `knownHosts`; null `withoutSftp()`. */
  get sftp(): SftpAddress | null {
    const inside = this.announcement.sftp;
    if (inside === null) return null;
    const host = this.getHost();
    const port = this.getMappedPort(SFTP_PORT);
    const key = inside.knownHostsLine.split(' ').slice(1).join(' ');
    return {
      host,
      port,
      hostKeyFingerprint: inside.hostKeyFingerprint,
      knownHostsLine: `${port === 22 ? host : `[${host}]:${port}`} ${key}`,
    };
  }

  /** The seeded organisations, systems (with API keys), contact points, citizens and companies. */
  get fixtures(): Fixtures {
    return this.announcement.fixtures;
  }

  /**
   * A client for a seeded system (its id, or the fixture): by default the first system with the
   * SENDER role. `options` go to the client (retries, timeouts, a logger …).
   *
   * @throws InvalidOptionsError when there is no such system.
   */
  client(
    system?: SystemRef,
    options: Omit<ClientOptions, 'baseUrl' | 'environment' | 'apiKey'> = {},
  ): DigitalPostClient {
    const { systems } = this.fixtures;
    const id = typeof system === 'string' ? system : system?.id;
    const found =
      id === undefined ? systems.find((s) => s.roles.includes('SENDER')) : systems.find((s) => s.id === id);
    if (found === undefined)
      throw new InvalidOptionsError(
        id === undefined ? 'the seed has no system with the SENDER role' : `the seed has no system ${id}`,
      );
    // The container is reached over plain HTTP, on this machine or the Docker host of a test network.
    return new DigitalPostClient({
      allowInsecureHttp: true,
      ...options,
      baseUrl: this.apiUrl,
      apiKey: found.apiKey,
    });
  }

  /**
   * Calls the control API with the token and resolves to its JSON answer, e.g.
   * `control('GET', '/mailboxes/0101700001/messages')` or `control('POST', '/faults', rule)`.
   *
   * @throws DigitalPostError (code from the answer) when the answer is not 2xx.
   */
  control<T = unknown>(method: ControlMethod, path: string, body?: unknown): Promise<T> {
    return controlCall(this.controlUrl, this.controlToken, method, path, body) as Promise<T>;
  }

  /** Waits until nothing is running and nothing is due (e.g. after a send, before reading receipts). */
  async settle(): Promise<void> {
    await this.control('POST', '/settle');
  }

  /** Back to the seed: messages, receipts and faults gone, a manual clock back at its start. */
  async reset(): Promise<void> {
    await this.control('POST', '/reset');
    if (this.clock.mode === 'manual') await this.clock.set(this.clockStart);
  }

  /**
   * Restarts the container: SIGTERM, up to 10 s to stop cleanly (unless `options.timeout` says
   * otherwise), and a fresh start — on the same state `withDataDir()`, on the seed without it.
   */
  override async restart(options: Partial<RestartOptions> = {}): Promise<void> {
    await super.restart({ timeout: 10_000, ...options });
    this.announcements++;
    this.announcement = await nthAnnouncement(this, this.announcements);
  }

  /** Stops the container with SIGTERM (up to 10 s to stop cleanly by default) and removes it. */
  override stop(options: Partial<StopOptions> = {}): Promise<StoppedTestContainer> {
    return super.stop({ timeout: 10_000, ...options });
  }
}

function urlsOf(container: Pick<StartedTestContainer, 'getHost' | 'getMappedPort'>): {
  origin: string;
  control: string;
} {
  const host = container.getHost();
  const origin = `http://${host.includes(':') ? `[${host}]` : host}:${container.getMappedPort(HTTP_PORT)}`;
  return { origin, control: `${origin}/simulator/v1` };
}

async function controlCall(
  controlUrl: string,
  token: string,
  method: ControlMethod,
  path: string,
  body?: unknown,
): Promise<unknown> {
  const url = `${controlUrl}${path.startsWith('/') ? '' : '/'}${path}`;
  const response = await fetch(url, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (!response.ok) {
    const answer = json as { code?: string; message?: string } | undefined;
    throw new DigitalPostError(
      answer?.code ?? 'CONTROL_FAILED',
      `${method} ${url}: ${response.status} ${answer?.message ?? text}`,
    );
  }
  return json;
}

/**
 * The `n`th line `sim start --json` printed in the container's log (one per start of the container),
 * read as it comes.
 */
async function nthAnnouncement(container: StartedTestContainer, n: number): Promise<Announcement> {
  const logs: Readable = await container.logs();
  return new Promise<Announcement>((resolve, reject) => {
    let seen = 0;
    let rest = '';
    let done = false;
    const timer = setTimeout(
      () => finish(new Error(`the simulator printed no --json line within ${ANNOUNCEMENT_TIMEOUT_MS} ms`)),
      ANNOUNCEMENT_TIMEOUT_MS,
    );
    const finish = (outcome: Announcement | Error): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      logs.destroy();
      if (outcome instanceof Error) reject(outcome);
      else resolve(outcome);
    };
    logs.on('data', (chunk: string | Buffer) => {
      const lines = (rest + chunk.toString()).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) {
        if (!line.startsWith('{"apiUrl"') || ++seen < n) continue;
        const { sftp, fixtures } = JSON.parse(line) as Announcement;
        finish({ sftp, fixtures });
        return;
      }
    });
    logs.on('error', (error: Error) => finish(error));
    logs.on('end', () =>
      finish(new Error('the simulator container stopped before it printed its --json line')),
    );
  });
}
