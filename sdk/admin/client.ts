/** `AdminClient`: Administrativ Adgang's operations and the test portal, as a test employee. */
import { inspect } from 'node:util';
import type { Dispatcher } from 'undici';
import type { WithResponse } from '../client/client.ts';
import { baseUrlOf, clockOf } from '../client/options.ts';
import { InvalidOptionsError } from '../errors.ts';
import type { ClientClock } from '../http/deadline.ts';
import { limitSettings, type ResponseLimits } from '../http/limits.ts';
import { type RetryOptions, retrySettings } from '../http/retry.ts';
import { type RequestLogEvent, Transport } from '../http/transport.ts';
import { VERSION } from '../support/version.ts';
import { Accesses, AccessRequests, Exemptions } from './access.ts';
import { ContactGroups, ContactPoints, ContactStructure } from './contact-structure.ts';
import { DirectPrivileges, Identities, IdentityGroups, PrivilegeTypes } from './identities.ts';
import { Operations } from './operation.ts';
import { Lookups, OrganisationAdmin } from './organisation.ts';
import { type Credentials, Portal } from './portal.ts';
import { StandardSystemTemplates, Systems } from './systems.ts';

/** A test employee's bearer token, or a function giving the current one (asked once per call). */
export type TokenSource = string | (() => string | Promise<string>);

export interface AdminClientOptions {
  /**
   * NgDP's API base URL (…/apis/v1), e.g. the simulator's `http://127.0.0.1:4500/apis/v1`; the test
   * portal (`/portal/v1`) and the contact-structure files (`/admin/v1`) are found beside it.
   */
  baseUrl?: string;
  /** `test` or `production`; production is never a default. Give this or `baseUrl`. */
  environment?: 'test' | 'production';
  /**
   * The employee's bearer token (from `portal.login`), sent as `Authorization: Bearer <token>`;
   * without one only `portal.login` and `portal.createOrganisation` can be called.
   */
  token?: TokenSource;
  /** Time for one attempt of a request, in ms (default 30 000). */
  timeoutMs?: number;
  /**
   * Retries on connection errors, timeouts and 429/502/503/504 (default 3 with backoff), or
   * `false`. A create whose answer was lost is never sent again: it fails with
   * `UnknownOutcomeError`.
   */
  retry?: RetryOptions | false;
  /** An undici dispatcher to send through (a proxy, your own Agent). */
  dispatcher?: Dispatcher;
  /** Receives one event per attempt (method, masked path, status, timing); never the token. */
  logger?: (event: RequestLogEvent) => void;
  /** Appended to the User-Agent header. */
  userAgent?: string;
  /** Random source of the retry jitter (default Math.random). */
  random?: () => number;
  /** The clock retries wait on (default real time). */
  clock?: ClientClock;
  /** Bounds on what the client reads (answer sizes, pages of one list). */
  limits?: ResponseLimits;
  /** Allow `http://` to a host that is not this machine (default false; the token travels in clear). */
  allowInsecureHttp?: boolean;
}

const WHO = 'AdminClient';

function tokenOf(token: unknown): (() => string | Promise<string>) | undefined {
  if (token === undefined) return undefined;
  if (typeof token === 'function') {
    const give = token as () => string | Promise<string>;
    return async () => bearer(await give());
  }
  const value = bearer(token);
  return () => value;
}

/** `Bearer <token>`. @throws InvalidOptionsError for what is not a token. */
function bearer(token: unknown): string {
  if (typeof token !== 'string' || token.trim() === '' || /\s/.test(token))
    throw new InvalidOptionsError(
      `${WHO}: token must be a bearer token from portal.login (a string without spaces)`,
    );
  return `Bearer ${token}`;
}

/** A base URL beside the API's: `…/apis/v1` → `…/portal/v1`. */
function beside(apiUrl: string, path: string): string {
  return /\/apis\/v1$/.test(apiUrl)
    ? apiUrl.replace(/\/apis\/v1$/, path)
    : `${new URL(apiUrl).origin}${path}`;
}

/**
 * A client for Administrativ Adgang (NgDP's organisation administration) and the test portal, as a
 * test employee with a bearer token. Resources are namespaces (`admin.systems.create`), lists are
 * `for await` iterators over every page, errors are the SDK's classes by status
 * (`AuthenticationError` 401, `PermissionDeniedError` 403, `NotFoundError` 404, `ConflictError`
 * 409 …), and every method takes per-request options (`timeoutMs`, `retry`, `signal`). Changes of
 * versioned resources take `ifMatch`: the version a fetch answered (or the fetched resource).
 *
 * @example
 * const admin = await AdminClient.login({ baseUrl }, { username, password });
 * for await (const system of admin.systems.list(organisationId)) console.log(system.name);
 *
 * Printed, inspected or serialized it shows only its base URL, never the token.
 */
export class AdminClient {
  /** An organisation's sender and recipient systems. */
  readonly systems: Systems;
  /** The standard vendor systems. */
  readonly standardSystemTemplates: StandardSystemTemplates;
  /** An authority's contact groups. */
  readonly contactGroups: ContactGroups;
  /** An authority's contact points. */
  readonly contactPoints: ContactPoints;
  /** The contact structure as CSV: export and import. */
  readonly contactStructure: ContactStructure;
  /** The organisation's information, logo and postkasse ids. */
  readonly organisation: OrganisationAdmin;
  /** Exemptions from Digital Post. */
  readonly exemptions: Exemptions;
  /** Access to citizens' mailboxes. */
  readonly accesses: Accesses;
  /** Requests for access. */
  readonly accessRequests: AccessRequests;
  /** Identities (employees, systems, citizens). */
  readonly identities: Identities;
  /** Identity groups, their grantees and privileges. */
  readonly identityGroups: IdentityGroups;
  /** Privileges given to identities directly. */
  readonly privileges: DirectPrivileges;
  /** The privilege types. */
  readonly privilegeTypes: PrivilegeTypes;
  /** Look-ups of citizens and organisations. */
  readonly lookups: Lookups;
  /** The test portal: logins, test organisations, employees, citizens and companies. */
  readonly portal: Portal;
  /** The API base URL in use (…/apis/v1). */
  readonly baseUrl: string;
  readonly #api: Transport;

  constructor(options: AdminClientOptions = {}) {
    const timeoutMs = options.timeoutMs ?? 30_000;
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0)
      throw new InvalidOptionsError(`${WHO}: timeoutMs must be positive, got ${timeoutMs}`);
    if (options.allowInsecureHttp !== undefined && typeof options.allowInsecureHttp !== 'boolean')
      throw new InvalidOptionsError(`${WHO}: allowInsecureHttp must be true or false`);
    this.baseUrl = baseUrlOf(options, WHO, { what: "the employee's token", option: 'token' });
    const authorization = tokenOf(options.token);
    const transport = (baseUrl: string): Transport =>
      new Transport({
        baseUrl,
        ...(authorization === undefined ? {} : { authorization }),
        dispatcher: options.dispatcher,
        timeoutMs,
        retry: retrySettings(options.retry),
        limits: limitSettings(options.limits),
        userAgent: `digitalpost/${VERSION} node/${process.versions.node}${options.userAgent ? ` ${options.userAgent}` : ''}`,
        logger: options.logger,
        random: options.random ?? Math.random,
        clock: clockOf(options.clock, WHO),
      });
    this.#api = transport(this.baseUrl);
    const operations = new Operations(this.#api);
    this.systems = new Systems(operations);
    this.standardSystemTemplates = new StandardSystemTemplates(operations);
    this.contactGroups = new ContactGroups(operations);
    this.contactPoints = new ContactPoints(operations);
    this.contactStructure = new ContactStructure(transport(beside(this.baseUrl, '/admin/v1')));
    this.organisation = new OrganisationAdmin(operations);
    this.exemptions = new Exemptions(operations);
    this.accesses = new Accesses(operations);
    this.accessRequests = new AccessRequests(operations);
    this.identities = new Identities(operations);
    this.identityGroups = new IdentityGroups(operations);
    this.privileges = new DirectPrivileges(operations);
    this.privilegeTypes = new PrivilegeTypes(operations);
    this.lookups = new Lookups(operations);
    this.portal = new Portal(transport(beside(this.baseUrl, '/portal/v1')));
  }

  /**
   * Logs a test employee in and answers a client with its token.
   *
   * @example
   * const admin = await AdminClient.login({ baseUrl: 'http://127.0.0.1:4500/apis/v1' },
   *   { username: 'admin-12345678', password: 'test-12345678' });
   *
   * @throws AuthenticationError (401 `LOGIN_FAILED`) for an unknown username or a wrong password.
   */
  static async login(
    options: Omit<AdminClientOptions, 'token'>,
    credentials: Credentials,
  ): Promise<AdminClient> {
    const { value } = await new AdminClient(options).portal.login(credentials);
    return new AdminClient({ ...options, token: value });
  }

  /**
   * Runs `call` with this client and resolves to its result with the answers NgDP gave (status,
   * headers such as `etag`, request ids), which the resources' methods leave out. Only the calls
   * to `/apis/v1` are collected.
   */
  async withResponse<T>(call: (client: this) => T | Promise<T>): Promise<WithResponse<T>> {
    const { data, responses } = await this.#api.collecting(async (): Promise<T> => await call(this));
    return { data, response: responses.at(-1), responses };
  }

  [inspect.custom](): string {
    return `[AdminClient baseUrl=${this.baseUrl}]`;
  }

  toJSON(): string {
    return this[inspect.custom]();
  }

  toString(): string {
    return this[inspect.custom]();
  }
}
