/**
 * What every client of the SDK checks of its options the same way: where it sends its requests
 * (a base URL or NgDP's environment, never credentials in it, never plain HTTP to another machine
 * unless asked for) and the clock it waits on.
 */
import { isIP } from 'node:net';
import { InvalidOptionsError } from '../errors.ts';
import type { ClientClock } from '../http/deadline.ts';

/** NgDP's REST base URLs. */
export const ENVIRONMENTS = {
  test: 'https://api.test.digitalpost.dk/apis/v1',
  production: 'https://api.digitalpost.dk/apis/v1',
} as const;

/** Whether a URL's host is this machine: 127.0.0.0/8, ::1 or localhost. */
export function isLoopback(url: URL): boolean {
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1' || host === '0:0:0:0:0:0:0:1';
}

/** Where a client sends its requests, and how (for {@link baseUrlOf}). */
export interface BaseUrlOptions {
  baseUrl?: string | undefined;
  environment?: keyof typeof ENVIRONMENTS | undefined;
  allowInsecureHttp?: boolean | undefined;
}

/**
 * The API base URL of a client's options (`baseUrl` or `environment`), checked.
 *
 * @param who the client, for messages (`DigitalPostClient`, `AdminClient`).
 * @param secret what plain HTTP would expose and where the credential goes (`the API key`, `apiKey`).
 * @throws InvalidOptionsError for a missing, malformed or unsafe base URL.
 */
export function baseUrlOf(
  options: BaseUrlOptions,
  who = 'DigitalPostClient',
  secret: { what: string; option: string } = { what: 'the API key and the letters', option: 'apiKey' },
): string {
  if (options.baseUrl !== undefined && options.environment !== undefined) {
    throw new InvalidOptionsError(`${who}: give baseUrl or environment, not both`);
  }
  if (options.environment !== undefined) {
    const url = ENVIRONMENTS[options.environment];
    if (url === undefined)
      throw new InvalidOptionsError(
        `${who}: environment must be "test" or "production", got ${String(options.environment)}`,
      );
    return url;
  }
  if (options.baseUrl === undefined) {
    throw new InvalidOptionsError(
      `${who}: give baseUrl, or environment "test" or "production" (production is never chosen for you)`,
    );
  }
  let url: URL;
  try {
    url = new URL(options.baseUrl);
  } catch {
    throw new InvalidOptionsError(`${who}: baseUrl is not a URL: ${options.baseUrl}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new InvalidOptionsError(`${who}: baseUrl must be http(s)`);
  if (url.username !== '' || url.password !== '')
    throw new InvalidOptionsError(`${who}: baseUrl must not contain credentials; give ${secret.option}`);
  if (url.protocol === 'http:' && !isLoopback(url) && options.allowInsecureHttp !== true) {
    throw new InvalidOptionsError(
      `${who}: baseUrl ${url.origin} is plain http:// to another machine, which would send ` +
        `${secret.what} in clear text; use https://, or allowInsecureHttp: true for a ` +
        'closed test network',
    );
  }
  return options.baseUrl.replace(/\/+$/, '');
}

/** A client's `clock` option, checked. @throws InvalidOptionsError naming `who`. */
export function clockOf(clock: unknown, who = 'DigitalPostClient'): ClientClock | undefined {
  if (clock === undefined) return undefined;
  const { now, sleep } = (clock ?? {}) as Partial<ClientClock>;
  if (typeof now !== 'function' || typeof sleep !== 'function')
    throw new InvalidOptionsError(`${who}: clock must be { now(): number, sleep(ms): Promise }`);
  return clock as ClientClock;
}
