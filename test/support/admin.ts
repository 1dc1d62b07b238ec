/**
 * Test helpers for Administrativ Adgang over real HTTP: log a test employee in, call an admin
 * operation with its bearer token, and make test employees with chosen rights in the portal.
 */
import type { RunningSimulator } from '../../simulator/index.ts';
import { type ApiResponse, call, keyOf, SEED_IDS } from './simulator.ts';

/** The portal's base URL (`http://host:port/portal/v1`). */
export function portalUrl(simulator: RunningSimulator): string {
  return simulator.apiUrl.replace(/\/apis\/v1$/, '/portal/v1');
}

/** The seeded employee of an organisation (every right there). */
export function seededEmployee(
  simulator: RunningSimulator,
  organisationId: string,
): { id: string; username: string; password: string } {
  const employee = simulator.fixtures.employees.find((each) => each.organisationId === organisationId);
  if (employee === undefined) throw new Error(`no seeded employee of ${organisationId}`);
  return employee;
}

/** `POST /portal/v1/{path}` with a JSON body (and a bearer token). */
export function portal(
  simulator: RunningSimulator,
  method: string,
  path: string,
  body?: unknown,
  token?: string,
): Promise<ApiResponse> {
  return call(`${portalUrl(simulator)}${path}`, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body), contentType: 'application/json' }),
    ...(token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } }),
  });
}

/** Logs in and returns the bearer token (throws unless the login succeeds). */
export async function login(
  simulator: RunningSimulator,
  credentials: { username: string; password: string; organisationId?: string },
): Promise<string> {
  const response = await portal(simulator, 'POST', '/login', credentials);
  if (response.status !== 200) throw new Error(`login failed: ${response.status} ${response.text}`);
  return (response.json as { value: string }).value;
}

/** The token of the seeded employee of an organisation. */
export function seededToken(simulator: RunningSimulator, organisationId: string): Promise<string> {
  return login(simulator, seededEmployee(simulator, organisationId));
}

export interface AdminCallOptions {
  token?: string;
  body?: unknown;
  headers?: Record<string, string>;
}

/**
 * An admin operation at NgDP's path (under `/apis/v1`) with a bearer token and a JSON body (its
 * answer is held against the OpenAPI by the contract test, test/support/contract-setup.ts).
 */
export async function adminCall(
  simulator: RunningSimulator,
  method: string,
  path: string,
  options: AdminCallOptions = {},
): Promise<ApiResponse> {
  const response = await call(`${simulator.apiUrl}${path}`, {
    method,
    headers: {
      ...(options.token === undefined ? {} : { authorization: `Bearer ${options.token}` }),
      ...options.headers,
    },
    ...(options.body === undefined
      ? {}
      : { body: JSON.stringify(options.body), contentType: 'application/json' }),
  });
  return response;
}

/**
 * `POST` (or `method`) of a multipart/form-data body whose part `file` holds `content` (NgDP's
 * uploads: SSH keys, certificates, logos, access requests' documentation), with a bearer token and
 * any other `headers`.
 */
export async function adminUpload(
  simulator: RunningSimulator,
  path: string,
  token: string,
  content: string | Uint8Array,
  fileName = 'file',
  options: { method?: string; headers?: Record<string, string> } = {},
): Promise<ApiResponse> {
  const form = new FormData();
  form.append('file', new Blob([content]), fileName);
  const answer = await fetch(`${simulator.apiUrl}${path}`, {
    method: options.method ?? 'POST',
    headers: { authorization: `Bearer ${token}`, ...options.headers },
    body: form,
  });
  const text = await answer.text();
  const response: ApiResponse = {
    status: answer.status,
    headers: Object.fromEntries(answer.headers),
    text,
    json: text === '' ? undefined : JSON.parse(text),
  };
  return response;
}

/**
 * Creates a test employee in the token's organisation with `rights` (and any `more` fields of the
 * portal's request, such as `cprNumber`); returns its id and login.
 */
export async function createEmployee(
  simulator: RunningSimulator,
  adminToken: string,
  username: string,
  rights: readonly string[],
  more: Record<string, unknown> = {},
): Promise<{ id: string; username: string; password: string }> {
  const password = `password-${username}`;
  const body = { username, password, rights, ...more };
  const response = await portal(simulator, 'POST', '/employees', body, adminToken);
  if (response.status !== 201)
    throw new Error(`creating ${username} failed: ${response.status} ${response.text}`);
  return { id: (response.json as { id: string }).id, username, password };
}

/** A `MailSystemCommand` that Administrativ Adgang accepts, with `overrides`. */
export function mailSystemCommand(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'Sagssystem',
    systemTypes: ['SENDER'],
    serviceProtocol: 'REST_PULL',
    allowedIps: [{ ip: '127.0.0.1', range: false }],
    activeFrom: '2020-01-01T00:00:00Z',
    technicalContact: { name: 'IT-drift', email: 'drift@example.dk', phoneNumber: '70000000' },
    ...overrides,
  };
}

/** A contact as the integration API shows it to sender systems (the fields the admin tests read). */
export interface SenderContact {
  id: string;
  mailboxSubscription: {
    publicRegistrationStatus: string;
    registrationStatus: string;
    exemptionStart?: string;
    exemptionEnd?: string;
    exemptThroughPowerOfAttorney?: boolean;
  };
}

/**
 * The contact of a CPR (10 digits) or CVR (8 digits) number as a seeded sender system sees it
 * (`GET contacts/?cprNumber=` or `?cvrNumber=`): what an administration change tells senders.
 */
export async function senderContact(simulator: RunningSimulator, number: string): Promise<SenderContact> {
  const parameter = number.length === 10 ? 'cprNumber' : 'cvrNumber';
  const response = await call(`${simulator.apiUrl}/contacts/?${parameter}=${number}`, {
    apiKey: keyOf(simulator, SEED_IDS.senderPull),
  });
  const contact = (response.json as { contacts?: SenderContact[] } | undefined)?.contacts?.[0];
  if (response.status !== 200 || contact === undefined)
    throw new Error(`GET contacts/ for ${number.slice(0, 6)}… answered ${response.status}`);
  return contact;
}
