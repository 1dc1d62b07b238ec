/**
 * Test helpers for Administrativ Adgang over real HTTP: log a test employee in, call an admin
 * operation with its bearer token, and make test employees with chosen rights in the portal.
 */
import type { RunningSimulator } from '../../simulator/index.ts';
import { type ApiResponse, call } from './simulator.ts';

/** The portal's base URL (`http://host:port/portal/v1`). */
export function portalUrl(simulator: RunningSimulator): string {
  return simulator.apiUrl.replace(/\/apis\/v1$/, '/portal/v1');
}

/** The seeded employee of an organisation (every right there). */
export function seededEmployee(
  simulator: RunningSimulator,
  organisationId: string,
): { username: string; password: string } {
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
 * uploads: SSH keys, certificates, logos), with a bearer token and any other `headers`.
 */
export async function adminUpload(
  simulator: RunningSimulator,
  path: string,
  token: string,
  content: string | Uint8Array,
  fileName = 'file',
  request: { method?: string; headers?: Record<string, string> } = {},
): Promise<ApiResponse> {
  const form = new FormData();
  form.append('file', new Blob([content]), fileName);
  const answer = await fetch(`${simulator.apiUrl}${path}`, {
    method: request.method ?? 'POST',
    headers: { authorization: `Bearer ${token}`, ...request.headers },
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

/** Creates a test employee in the token's organisation with `rights`; returns its login. */
export async function createEmployee(
  simulator: RunningSimulator,
  adminToken: string,
  username: string,
  rights: readonly string[],
): Promise<{ username: string; password: string }> {
  const password = `password-${username}`;
  const response = await portal(simulator, 'POST', '/employees', { username, password, rights }, adminToken);
  if (response.status !== 201)
    throw new Error(`creating ${username} failed: ${response.status} ${response.text}`);
  return { username, password };
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
