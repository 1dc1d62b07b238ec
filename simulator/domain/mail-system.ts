/**
 * Administrativ Adgang's rules for a system's settings (`MailSystemCommand`; admin.md §1.1–1.2,
 * §1.4): which fields are required, their forms, the protocols each kind of system may use and
 * what each protocol needs. Pure: a command in, the settings or every problem with them out.
 */

import { isCvrNumber, isUuid } from '../../sdk/ngdp/identifiers.ts';
import type { FieldErrorResource } from '../../sdk/ngdp/wire.ts';
import { allowedIpProblem } from './auth.ts';
import type { Person, Protocol, SystemDetails, SystemRecord, SystemRole, TemplateFields } from './model.ts';

/** A field problem of a command (NgDP's `FieldErrorResource`, every field given). */
export type CommandProblem = Required<Omit<FieldErrorResource, 'rejectedValue'>> &
  Pick<FieldErrorResource, 'rejectedValue'>;

/** A system's settings from a valid command. */
export interface MailSystemSettings {
  name: string;
  /** SENDER and/or RECIPIENT; RECIPIENT_DEFAULT is the system's to set. */
  roles: SystemRole[];
  protocol: Protocol;
  endpoint?: string;
  receiptEndpoint?: string;
  activeFrom?: number;
  activeTo?: number;
  allowedIps: string[];
  details: SystemDetails;
}

/** admin.md §1.2: the protocols a sender, a recipient or a system that is both may use. */
const PROTOCOLS: Readonly<Record<'SENDER' | 'RECIPIENT' | 'BOTH', readonly Protocol[]>> = {
  RECIPIENT: ['REST_PUSH', 'REST_PULL', 'REST_PUBLISH_SUBSCRIBE'],
  SENDER: ['REST_PUSH', 'REST_PULL', 'SFTP'],
  BOTH: ['REST_PUSH', 'REST_PULL'],
};

const NAME_MAX = 100;
const MAX_SINGLE_IPS = 32;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * An endpoint NgDP may call: https (admin.md §1.1), or http to this machine so that a vendor's
 * local test receiver can be used (INTERPRETED, docs/differences.md).
 */
export function isAdminEndpoint(value: unknown): value is string {
  if (typeof value !== 'string' || /\s/.test(value)) return false;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (url.protocol === 'https:') return true;
  return url.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
}

/**
 * The settings a `MailSystemCommand` asks for, or every problem with it. `now` decides nothing
 * here; the state rules that depend on the current system are the engine's.
 */
export function readMailSystemCommand(
  body: unknown,
): { settings: MailSystemSettings; problems: [] } | { settings: undefined; problems: CommandProblem[] } {
  const problems: CommandProblem[] = [];
  const problem = (field: string, code: string, message: string, rejectedValue?: unknown): void => {
    problems.push({ resource: 'MailSystemCommand', field, code, message, rejectedValue });
  };
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    problem('body', 'INVALID_FORMAT', 'must be a JSON MailSystemCommand object');
    return { settings: undefined, problems };
  }
  const command = body as Record<string, unknown>;
  const text = (field: string, max: number): string | undefined => {
    const value = command[field];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') problem(field, 'INVALID_FORMAT', 'must be a text', value);
    else if (value.length > max) problem(field, 'TOO_LONG', `must be at most ${max} characters`, value);
    else return value;
    return undefined;
  };

  const name = text('name', NAME_MAX);
  if (command.name === undefined || command.name === null || name?.trim() === '')
    problem('name', 'REQUIRED', 'is required');

  const types = command.systemTypes;
  const roles: SystemRole[] = [];
  if (!Array.isArray(types) || types.length === 0)
    problem('systemTypes', 'REQUIRED', 'must list SENDER and/or RECIPIENT');
  else
    for (const type of types) {
      if (type === 'SENDER' || type === 'RECIPIENT') roles.includes(type) || roles.push(type);
      // The primary mark is moved by makedefaultrecipient; a command that repeats it means RECIPIENT.
      else if (type === 'RECIPIENT_DEFAULT') roles.includes('RECIPIENT') || roles.push('RECIPIENT');
      else problem('systemTypes', 'NOT_ALLOWED_VALUE', 'must be SENDER or RECIPIENT', type);
    }

  const protocol = command.serviceProtocol;
  const kind = roles.length === 2 ? 'BOTH' : roles[0] === 'SENDER' ? 'SENDER' : 'RECIPIENT';
  if (protocol === undefined || protocol === null) problem('serviceProtocol', 'REQUIRED', 'is required');
  else if (roles.length > 0 && !PROTOCOLS[kind].includes(protocol as Protocol))
    problem(
      'serviceProtocol',
      'NOT_ALLOWED_VALUE',
      `a ${kind === 'BOTH' ? 'sender and recipient' : kind.toLowerCase()} system uses ${PROTOCOLS[kind].join(', ')}`,
      protocol,
    );

  const endpoints: Partial<Record<'endpoint' | 'receiptEndpoint', string>> = {};
  for (const field of ['endpoint', 'receiptEndpoint'] as const) {
    const value = command[field];
    if (value === undefined || value === null || value === '') continue;
    if (isAdminEndpoint(value)) endpoints[field] = value;
    else problem(field, 'INVALID_FORMAT', 'must be an https URL (http only to localhost)', value);
  }
  const push = protocol === 'REST_PUSH' || protocol === 'REST_PUBLISH_SUBSCRIBE';
  if (push && roles.includes('RECIPIENT') && endpoints.endpoint === undefined && command.endpoint == null)
    problem('endpoint', 'REQUIRED', `is required for a recipient system using ${String(protocol)}`);
  if (protocol === 'REST_PUSH' && roles.includes('SENDER') && command.receiptEndpoint == null)
    problem('receiptEndpoint', 'REQUIRED', 'is required for a sender system using REST_PUSH');

  const times: Partial<Record<'activeFrom' | 'activeTo', number>> = {};
  for (const field of ['activeFrom', 'activeTo'] as const) {
    const value = command[field];
    if (value === undefined || value === null) continue;
    const time = typeof value === 'string' ? Date.parse(value) : Number.NaN;
    if (Number.isNaN(time)) problem(field, 'INVALID_FORMAT', 'must be an ISO-8601 date-time or null', value);
    else times[field] = time;
  }
  if (times.activeTo !== undefined && command.activeFrom == null)
    problem('activeTo', 'NOT_ALLOWED_VALUE', 'can only be set when activeFrom is', command.activeTo);
  else if (
    times.activeTo !== undefined &&
    times.activeFrom !== undefined &&
    times.activeTo <= times.activeFrom
  )
    problem('activeTo', 'NOT_ALLOWED_VALUE', 'must be after activeFrom', command.activeTo);

  const allowedIps = readAllowedIps(command.allowedIps, problem);

  const details: SystemDetails = {};
  const contact = command.technicalContact;
  if (typeof contact !== 'object' || contact === null || Array.isArray(contact))
    problem('technicalContact', 'REQUIRED', 'is required: {name, email, phoneNumber} of a department');
  else {
    const person = readPerson('technicalContact', contact, problem);
    if (person !== undefined) details.technicalContact = person;
  }
  const supplier = text('supplier', 200);
  if (supplier !== undefined) details.supplier = supplier;
  const email = text('businessContactEmail', 200);
  if (email !== undefined) {
    if (EMAIL.test(email)) details.businessContactEmail = email;
    else problem('businessContactEmail', 'INVALID_FORMAT', 'must be an e-mail address', email);
  }
  const delegated = command.delegatedCVR;
  if (delegated !== undefined && delegated !== null && delegated !== '') {
    if (isCvrNumber(delegated)) details.delegatedCVR = delegated;
    else problem('delegatedCVR', 'INVALID_FORMAT', 'must be 8 digits', delegated);
  }
  const template = command.standardSystemTemplateId;
  if (template !== undefined && template !== null) {
    if (!isUuid(template)) problem('standardSystemTemplateId', 'INVALID_FORMAT', 'must be a UUID', template);
    else details.standardSystemTemplateId = template.toLowerCase();
  }
  const format = command.receiptFormat;
  if (format !== undefined && format !== null && format !== 'MEMO')
    problem('receiptFormat', 'NOT_ALLOWED_VALUE', 'the simulator gives receipts as MEMO only', format);

  if (problems.length > 0) return { settings: undefined, problems };
  return {
    settings: {
      name: name as string,
      roles,
      protocol: protocol as Protocol,
      ...endpoints,
      ...times,
      allowedIps,
      details,
    },
    problems: [],
  };
}

/**
 * A standard system template's name and the fields it fixes (admin.md §1.3), from a
 * `StandardSystemTemplateCommand`'s `name`, `systemTypes`, `serviceProtocol`, `allowedIps`,
 * `endpoint`, `receiptEndpoint` and `technicalContact` — checked as a system's — or every problem.
 */
export function readTemplateCommand(
  body: Record<string, unknown>,
): { name: string; fields: TemplateFields; problems: [] } | { problems: CommandProblem[] } {
  const { name, systemTypes, serviceProtocol, allowedIps, endpoint, receiptEndpoint, technicalContact } =
    body;
  const read = readMailSystemCommand({
    name,
    systemTypes,
    serviceProtocol,
    allowedIps,
    endpoint,
    receiptEndpoint,
    technicalContact,
  });
  if (read.settings === undefined)
    return {
      problems: read.problems.map((problem) => ({ ...problem, resource: 'StandardSystemTemplateCommand' })),
    };
  const { settings } = read;
  return {
    name: settings.name,
    fields: {
      systemTypes: [...settings.roles],
      serviceProtocol: settings.protocol,
      allowedIps: settings.allowedIps.map((ip) => ({ ip, range: ip.includes('/') })),
      ...(settings.endpoint === undefined ? {} : { endpoint: settings.endpoint }),
      ...(settings.receiptEndpoint === undefined ? {} : { receiptEndpoint: settings.receiptEndpoint }),
      technicalContact: settings.details.technicalContact as Person,
    },
    problems: [],
  };
}

/**
 * A contact person (`Person {name, email, phoneNumber}`, each required, ≤ 200 characters) at
 * `field`, or undefined with its problems told to `problem`.
 */
export function readPerson(
  field: string,
  value: object,
  problem: (field: string, code: string, message: string, rejectedValue?: unknown) => void,
): Person | undefined {
  const person = value as Record<string, unknown>;
  const given: Partial<Person> = {};
  for (const part of ['name', 'email', 'phoneNumber'] as const) {
    const text = person[part];
    if (typeof text !== 'string' || text.trim() === '')
      problem(`${field}.${part}`, 'REQUIRED', 'is required', text);
    else if (text.length > 200)
      problem(`${field}.${part}`, 'TOO_LONG', 'must be at most 200 characters', text);
    else if (part === 'email' && !EMAIL.test(text))
      problem(`${field}.email`, 'INVALID_FORMAT', 'must be an e-mail address', text);
    else given[part] = text;
  }
  return Object.keys(given).length === 3 ? (given as Person) : undefined;
}

/**
 * `allowedIps` (`AllowedIp[]`): at least one; up to 32 single addresses, or one CIDR range of at
 * most 32 addresses (admin.md §1.1, §5.3); no mixing (INTERPRETED).
 */
function readAllowedIps(
  value: unknown,
  problem: (field: string, code: string, message: string, rejectedValue?: unknown) => void,
): string[] {
  if (!Array.isArray(value) || value.length === 0) {
    problem('allowedIps', 'REQUIRED', 'must list at least one {ip, range}');
    return [];
  }
  const ips: string[] = [];
  let ranges = 0;
  value.forEach((entry, index) => {
    const ip = (entry as { ip?: unknown } | null)?.ip;
    const field = `allowedIps[${index}].ip`;
    const reason = typeof ip === 'string' ? allowedIpProblem(ip) : 'is required';
    const range = typeof ip === 'string' && ip.includes('/');
    const declared = (entry as { range?: unknown } | null)?.range;
    if (reason !== undefined)
      problem(field, typeof ip === 'string' ? 'INVALID_FORMAT' : 'REQUIRED', reason, ip);
    else if (declared !== undefined && declared !== range)
      problem(
        `allowedIps[${index}].range`,
        'NOT_ALLOWED_VALUE',
        `must be ${range} for ${String(ip)}`,
        declared,
      );
    else {
      if (range) ranges += 1;
      ips.push(ip as string);
    }
  });
  if (ranges > 0 && value.length > 1)
    problem('allowedIps', 'TOO_MANY', 'give one CIDR range, or up to 32 single addresses, not both');
  else if (value.length > MAX_SINGLE_IPS)
    problem('allowedIps', 'TOO_MANY', `at most ${MAX_SINGLE_IPS} addresses`);
  return ips;
}

/** The system's state (admin.md §1.4). */
export type SystemState = 'NOT_ACTIVATED' | 'SCHEDULED' | 'IN_OPERATION' | 'DEACTIVATED';

export function systemState(system: SystemRecord, now: number): SystemState {
  if (system.deactivatedAt !== undefined && system.deactivatedAt <= now) return 'DEACTIVATED';
  if (system.activeFrom === undefined) return 'NOT_ACTIVATED';
  if (system.activeFrom > now) return 'SCHEDULED';
  return system.activeTo === undefined || now < system.activeTo ? 'IN_OPERATION' : 'DEACTIVATED';
}
