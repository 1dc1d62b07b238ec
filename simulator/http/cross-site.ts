/**
 * What keeps a web page the developer happens to open from driving a listening simulator: the
 * control API resets, sets faults, moves the clock and hands out API keys, and NgDP's API answers
 * with letters, all without credentials on loopback. Two checks, before any route:
 *
 * - **Host** must be a name the simulator answers to. A DNS-rebinding page makes the browser call
 *   the simulator under the page's own name (`Host: evil.example`); IP literals, `localhost` and the
 *   names of `allowedHosts` cannot be rebound that way (the rule of Vite's `server.allowedHosts`).
 *   Nor can a name without a dot (`single-label`: a compose service, a CI service alias): registrars
 *   give out no such names, so a page could be served under one only by whoever already controls
 *   the local resolver.
 * - **A browser's cross-site request** is refused: `Sec-Fetch-Site` `cross-site` or `same-site`
 *   (another port on localhost is the same site), or an `Origin` that is not the simulator's own.
 *   Browsers send both headers by themselves and no page can forge them; curl, the SDK and other
 *   programs send neither, so they are not affected. A top-level GET navigation (a link to the
 *   status page or a mailbox) stays allowed: it reads, and only the user sees the answer.
 *
 * The checks apply to a simulator that listens (`startSimulator`); the in-process simulator of
 * `digitalpost/testing` has no socket to reach.
 */
import { isIP } from 'node:net';
import type { NextFunction, Request, Response } from 'express';
import { reject } from '../engine/rejections.ts';

/** The Host names a listening simulator answers to, besides IP literals and `localhost`. */
export interface HostPolicy {
  /** `true` for any Host (no DNS-rebinding protection). */
  any: boolean;
  /** `true` for any name without a dot (`digitalpost`, `docker`): names public DNS cannot give out. */
  singleLabel: boolean;
  /** Exact names, lower case. */
  names: ReadonlySet<string>;
  /** Domains whose subdomains are allowed too, lower case with the leading dot (`.example.com`). */
  domains: readonly string[];
}

/** The `allowedHosts` entry that allows every name without a dot. */
export const SINGLE_LABEL = 'single-label';

/**
 * The policy for a bind address and the `allowedHosts` option: `*` allows any Host, `single-label`
 * any name without a dot, `.example.com` that domain and its subdomains, anything else that exact
 * name.
 */
export function hostPolicy(bindHost: string, allowedHosts: readonly string[] = []): HostPolicy {
  const names = new Set<string>(['localhost']);
  const domains = ['.localhost'];
  if (isIP(bindHost) === 0) names.add(bindHost.toLowerCase());
  for (const entry of allowedHosts) {
    const name = entry.toLowerCase();
    if (name.startsWith('.')) {
      domains.push(name);
      names.add(name.slice(1));
    } else names.add(name);
  }
  return {
    any: allowedHosts.includes('*'),
    singleLabel: allowedHosts.some((entry) => entry.toLowerCase() === SINGLE_LABEL),
    names,
    domains,
  };
}

/** A Host header's name and port as a browser would have normalised it, or undefined if it is no host. */
function parseHost(header: string): URL | undefined {
  if (header === '' || /[/?#@\s\\]/.test(header)) return undefined;
  try {
    return new URL(`http://${header}`);
  } catch {
    return undefined;
  }
}

function nameAllowed(hostname: string, policy: HostPolicy): boolean {
  if (policy.any) return true;
  const bare = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
  if (isIP(bare) !== 0) return true;
  const name = hostname.replace(/\.$/, '');
  if (policy.singleLabel && !name.includes('.')) return true;
  return policy.names.has(name) || policy.domains.some((domain) => name.endsWith(domain));
}

const SAFE_METHODS = new Set(['GET', 'HEAD']);

/** Whether a browser marked the request as coming from another site (or another port of this one). */
function crossSiteByFetchMetadata(request: Request): boolean {
  const site = request.headers['sec-fetch-site'];
  if (site !== 'cross-site' && site !== 'same-site') return false;
  const navigation = request.headers['sec-fetch-mode'] === 'navigate' && SAFE_METHODS.has(request.method);
  return !navigation;
}

/** Express middleware refusing requests under a foreign Host and browsers' cross-site requests. */
export function crossSiteGuard(policy: HostPolicy) {
  return (request: Request, _response: Response, next: NextFunction): void => {
    const header = request.headers.host;
    const host = header === undefined ? undefined : parseHost(header);
    if (header !== undefined && (host === undefined || !nameAllowed(host.hostname, policy))) {
      next(reject.hostNotAllowed(header));
      return;
    }
    const origin = request.headers.origin;
    if (origin !== undefined && !sameOrigin(origin, host)) {
      next(reject.crossSiteRequest(`Origin ${origin}`));
      return;
    }
    if (crossSiteByFetchMetadata(request)) {
      next(reject.crossSiteRequest(`Sec-Fetch-Site ${String(request.headers['sec-fetch-site'])}`));
      return;
    }
    next();
  };
}

/** Whether an `Origin` header names the simulator itself (`null`, from sandboxes and files, never does). */
function sameOrigin(origin: string, host: URL | undefined): boolean {
  if (host === undefined) return false;
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false;
  }
  return (parsed.protocol === 'http:' || parsed.protocol === 'https:') && parsed.host === host.host;
}
