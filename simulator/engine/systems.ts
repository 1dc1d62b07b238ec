/**
 * Sender and recipient systems: creating and changing them (the control API today, Administrativ
 * Adgang's operations next), their SFTP keys, one primary recipient system per organisation, and
 * deactivation after every delivery failed for the deactivation window.
 */
import { EventTag, isOneOf, SYSTEM_PROTOCOLS, SYSTEM_TYPES } from '../../sdk/ngdp/enums.ts';
import { isUuid } from '../../sdk/ngdp/identifiers.ts';
import { allowedIpProblem, issueApiKey, sshPublicKeyProblem } from '../domain/auth.ts';
import { isEndpointUrl, isSshUsername } from '../domain/formats.ts';
import type { SystemRecord, SystemRole } from '../domain/model.ts';
import type { EngineContext } from './context.ts';
import { reject } from './rejections.ts';

/**
 * The settable fields of a system, as given (unchecked): ISO date-times, URLs and lists as JSON
 * has them. `null` clears an optional field.
 */
export interface SystemInput {
  organisationId?: unknown;
  name?: unknown;
  roles?: unknown;
  protocol?: unknown;
  endpoint?: unknown;
  receiptEndpoint?: unknown;
  activeFrom?: unknown;
  activeTo?: unknown;
  allowedIps?: unknown;
  sshUsername?: unknown;
  /** `false` puts a deactivated system back in operation. */
  deactivated?: unknown;
}

const invalid = (name: string, code: string, message: string, value?: unknown) =>
  reject.invalidField('system', name, code, message, value);

/** `system` with the fields of `input` applied, each checked. */
function withFields(system: SystemRecord, input: SystemInput): SystemRecord {
  const next = { ...system };
  for (const name of ['endpoint', 'receiptEndpoint'] as const) {
    const value = input[name];
    if (value === undefined) continue;
    if (value === null) delete next[name];
    else if (isEndpointUrl(value)) next[name] = value;
    else throw invalid(name, 'INVALID_FORMAT', 'must be an http(s) URL or null', value);
  }
  for (const name of ['activeFrom', 'activeTo'] as const) {
    const value = input[name];
    if (value === undefined) continue;
    if (value === null) delete next[name];
    else if (typeof value === 'string' && !Number.isNaN(Date.parse(value))) next[name] = Date.parse(value);
    else throw invalid(name, 'INVALID_FORMAT', 'must be an ISO date-time or null', value);
  }
  if (input.name !== undefined) {
    if (typeof input.name !== 'string' || input.name.trim() === '')
      throw invalid('name', 'INVALID_FORMAT', 'must be a non-empty string', input.name);
    next.name = input.name;
  }
  if (input.protocol !== undefined) {
    if (!isOneOf(SYSTEM_PROTOCOLS, input.protocol))
      throw invalid(
        'protocol',
        'NOT_ALLOWED_VALUE',
        `must be one of ${SYSTEM_PROTOCOLS.join(', ')}`,
        input.protocol,
      );
    next.protocol = input.protocol;
  }
  if (input.roles !== undefined) {
    const { roles } = input;
    if (!Array.isArray(roles) || roles.length === 0 || roles.some((role) => !isOneOf(SYSTEM_TYPES, role)))
      throw invalid(
        'roles',
        'NOT_ALLOWED_VALUE',
        `must be a non-empty array of ${SYSTEM_TYPES.join(', ')}`,
        roles,
      );
    next.roles = roles as SystemRole[];
  }
  if (input.allowedIps !== undefined) {
    const ips = input.allowedIps;
    if (!Array.isArray(ips)) throw invalid('allowedIps', 'INVALID_FORMAT', 'must be an array', ips);
    for (const ip of ips) {
      const problem = typeof ip === 'string' ? allowedIpProblem(ip) : 'must be a string';
      if (problem !== undefined) throw invalid('allowedIps', 'INVALID_FORMAT', problem, ip);
    }
    next.allowedIps = ips as string[];
  }
  if (input.deactivated === false) {
    delete next.deactivatedAt;
    delete next.failingSince;
  }
  return next;
}

export class Systems {
  private readonly context: EngineContext;

  constructor(context: EngineContext) {
    this.context = context;
  }

  list(): SystemRecord[] {
    return this.context.store.listSystems();
  }

  /**
   * Creates a system of an organisation, in operation from now, with a new API key (returned once).
   *
   * @throws Rejection for a field that is missing or wrong, an unknown organisation, or an SFTP
   *   user name another system has.
   */
  create(input: SystemInput): { system: SystemRecord; apiKey: string } {
    const { store } = this.context;
    const { organisationId } = input;
    if (typeof organisationId !== 'string' || store.getOrganisation(organisationId) === undefined)
      throw invalid('organisationId', 'NOT_FOUND', 'must name an existing organisation', organisationId);
    if (input.roles === undefined) throw reject.requiredField('system', 'roles');
    if (input.protocol === undefined) throw reject.requiredField('system', 'protocol');
    const id = this.context.newId();
    const { apiKey, apiKeyHash } = issueApiKey(id);
    const system = withFields(
      {
        id,
        organisationId,
        name: 'System',
        roles: [],
        protocol: 'REST_PULL',
        apiKeyHash,
        sshUsername: null,
        sshPublicKeys: [],
        activeFrom: this.context.now(),
        allowedIps: [],
        version: 0,
        createdDate: this.context.now(),
      },
      input,
    );
    if (typeof input.sshUsername === 'string') {
      if (!isSshUsername(input.sshUsername))
        throw invalid('sshUsername', 'INVALID_FORMAT', 'is not a valid user name', input.sshUsername);
      const holder = store.findSystemBySshUsername(input.sshUsername);
      if (holder !== undefined)
        throw invalid(
          'sshUsername',
          'ALREADY_IN_USE',
          `is already the SFTP user of system ${holder.id}`,
          input.sshUsername,
        );
      system.sshUsername = input.sshUsername;
    }
    this.save(system, 'created');
    return { system, apiKey };
  }

  /**
   * Changes a system's fields.
   *
   * @throws Rejection NOT_FOUND for an unknown system; a field rejection for a wrong field.
   */
  update(id: string, input: SystemInput): SystemRecord {
    const system = withFields(this.existing(id), input);
    this.save(system, 'changed');
    return system;
  }

  /**
   * Registers an OpenSSH public key line for the system's SFTP user (again: no change).
   *
   * @throws Rejection for an id that is not a system's, or a line that is not a public key.
   */
  registerSshKey(id: string, key: string): SystemRecord {
    if (!isUuid(id)) throw reject.invalidField('path', 'id', 'INVALID_FORMAT', 'must be a system id', id);
    const system = this.existing(id);
    const line = key.trim();
    const problem = sshPublicKeyProblem(line);
    if (problem !== undefined) throw reject.invalidField('ssh-key', 'body', 'INVALID_FORMAT', problem);
    if (!system.sshPublicKeys.includes(line)) {
      system.sshPublicKeys = [...system.sshPublicKeys, line];
      this.save(system, 'given an SFTP key');
    }
    return system;
  }

  private existing(id: string): SystemRecord {
    const system = this.context.store.getSystem(id);
    if (system === undefined) throw reject.notFound(`no system ${id}`);
    return system;
  }

  /**
   * Stores a system, one version on, recording the change in NgDP's event log (by `actor`, when
   * an employee made it). An organisation has one primary recipient system: marking this one
   * RECIPIENT_DEFAULT takes the mark from the others (as Administrativ Adgang's
   * makedefaultrecipient does). Returns the other systems that lost the mark.
   */
  save(system: SystemRecord, what: string, actor?: string): SystemRecord[] {
    const { store } = this.context;
    return this.context.change(() => {
      const demoted: SystemRecord[] = [];
      if (system.roles.includes('RECIPIENT_DEFAULT')) {
        for (const other of store.listSystems(system.organisationId)) {
          if (other.id === system.id || !other.roles.includes('RECIPIENT_DEFAULT')) continue;
          other.roles = other.roles.filter((role) => role !== 'RECIPIENT_DEFAULT');
          if (!other.roles.includes('RECIPIENT')) other.roles.push('RECIPIENT');
          this.put(other, 'no longer the primary recipient system', actor);
          demoted.push(other);
        }
      }
      this.put(system, what, actor);
      return demoted;
    });
  }

  private put(system: SystemRecord, what: string, actor: string | undefined): void {
    system.version = (system.version ?? 1) + 1;
    system.lastUpdated = this.context.now();
    this.context.store.putSystem(system);
    this.context.record(EventTag.SYSTEM_CHANGED, undefined, {
      systemIds: [system.id],
      text: `system ${system.id} ${what}${actor === undefined ? '' : ` by ${actor}`}`,
      ...(actor === undefined ? {} : { meta: { actor } }),
    });
    this.context.emit({ type: 'system-saved', system });
  }

  // ---------------------------------------------------------------- delivery health (in a change)

  /** A delivery to the system failed: it is failing since then, and deactivated after the window. */
  deliveryFailed(system: SystemRecord): void {
    const current = this.context.store.getSystem(system.id);
    if (current === undefined) return;
    const now = this.context.now();
    const { deactivateAfterMs } = this.context.settings;
    current.failingSince ??= now;
    if (now - current.failingSince >= deactivateAfterMs && current.deactivatedAt === undefined) {
      current.deactivatedAt = now;
      this.context.record(EventTag.SYSTEM_CHANGED, undefined, {
        systemIds: [current.id],
        text: `system ${current.id} deactivated: every delivery failed for ${Math.round(deactivateAfterMs / 3_600_000)} hours`,
      });
      this.context.emit({ type: 'system-saved', system: current });
    }
    this.context.store.putSystem(current);
  }

  /** A delivery to the system succeeded: it is no longer failing. */
  deliverySucceeded(system: SystemRecord): void {
    const current = this.context.store.getSystem(system.id);
    if (current?.failingSince === undefined) return;
    delete current.failingSince;
    this.context.store.putSystem(current);
  }
}
