/**
 * Administrativ Adgang's system connection (admin.md §1; docs/admin.md, "Systems"): list, create,
 * change and delete an organisation's systems, the primary recipient system, API keys, SSH keys
 * and OCES certificates — by an employee, in its context organisation, each change in the action
 * log. The systems are the same records the integration API authenticates (`systems.ts` stores
 * them).
 */
import { createHash, X509Certificate } from 'node:crypto';
import { isOneOf, PROTOCOL_TYPES } from '../../sdk/ngdp/enums.ts';
import { isUuid } from '../../sdk/ngdp/identifiers.ts';
import { hashSecret, isRecipientSystem, issueApiKey, sshPublicKeyProblem } from '../domain/auth.ts';
import {
  type CommandProblem,
  type MailSystemSettings,
  readMailSystemCommand,
  systemState,
} from '../domain/mail-system.ts';
import type { SystemCertificate, SystemRecord } from '../domain/model.ts';
import type { ActionEntry, AdminLog } from './admin-log.ts';
import type { EngineContext } from './context.ts';
import type { AdminCaller } from './identities.ts';
import { Rejection, reject } from './rejections.ts';
import { lockedChanges, type StandardSystems } from './standard-systems.ts';
import type { Systems } from './systems.ts';
import { expectVersion, type VersionCheck } from './versions.ts';

/** A system with its new API key, shown this once (creation, renewal). */
export interface SystemWithKey {
  system: SystemRecord;
  apiKey: string;
}

/** The filters of `querySystems` beyond paging. */
export interface SystemFilters {
  certificateSerialNumber?: string | undefined;
  authenticationToken?: string | undefined;
}

/** The fields of a system the action log shows (never its key's hash). */
function shown(system: SystemRecord): Record<string, unknown> {
  const { details = {} } = system;
  return {
    name: system.name,
    systemTypes: system.roles,
    serviceProtocol: system.protocol,
    endpoint: system.endpoint,
    receiptEndpoint: system.receiptEndpoint,
    activeFrom: system.activeFrom === undefined ? undefined : new Date(system.activeFrom).toISOString(),
    activeTo: system.activeTo === undefined ? undefined : new Date(system.activeTo).toISOString(),
    allowedIps: system.allowedIps,
    technicalContact: details.technicalContact,
    supplier: details.supplier,
    businessContactEmail: details.businessContactEmail,
    delegatedCVR: details.delegatedCVR,
    sshPublicKey: system.sshPublicKeys[0],
    certificateSerialNumber: details.certificate?.serialNumber,
  };
}

export class SystemAdmin {
  private readonly context: EngineContext;
  private readonly systems: Systems;
  private readonly log: AdminLog;

  private readonly templates: StandardSystems;

  constructor(context: EngineContext, systems: Systems, log: AdminLog, templates: StandardSystems) {
    this.context = context;
    this.systems = systems;
    this.log = log;
    this.templates = templates;
  }

  /** The context organisation's systems, oldest first (the query language sorts, filters and pages). */
  list(caller: AdminCaller, filters: SystemFilters = {}): SystemRecord[] {
    const token = filters.authenticationToken?.replace(/^Basic\s+/i, '');
    return this.context.store
      .listSystems(caller.organisation.id)
      .filter((system) => system.deletedAt === undefined)
      .filter(
        (system) =>
          filters.certificateSerialNumber === undefined ||
          system.details?.certificate?.serialNumber === filters.certificateSerialNumber,
      )
      .filter((system) => token === undefined || this.keyOf(token) === system.id);
  }

  /** @throws Rejection NOT_FOUND for an id that is not a system of the context organisation. */
  get(caller: AdminCaller, id: string): SystemRecord {
    const system = isUuid(id) ? this.context.store.getSystem(id.toLowerCase()) : undefined;
    if (
      system === undefined ||
      system.organisationId !== caller.organisation.id ||
      system.deletedAt !== undefined
    )
      throw reject.notFound(`no system ${id} in organisation ${caller.organisation.id}`);
    return system;
  }

  /**
   * Creates a system from a `MailSystemCommand`, with its API key (admin.md §1.1, §1.7). The first
   * recipient system of an organisation becomes its primary; a company has one recipient system.
   *
   * @throws Rejection 400 with every field at fault; 409 COMPANY_HAS_RECIPIENT_SYSTEM.
   */
  create(caller: AdminCaller, body: unknown): SystemWithKey {
    const settings = this.settingsOf(caller, body, undefined);
    const recipients = this.recipientSystems(caller.organisation.id);
    if (settings.roles.includes('RECIPIENT')) this.oneRecipientPerCompany(caller, recipients, undefined);
    const id = this.context.newId();
    const { apiKey, apiKeyHash } = issueApiKey(id);
    const now = this.context.now();
    const system: SystemRecord = {
      id,
      organisationId: caller.organisation.id,
      apiKeyHash,
      sshUsername: null,
      sshPublicKeys: [],
      version: 0,
      createdDate: now,
      ...this.fields(settings),
    };
    if (settings.roles.includes('RECIPIENT') && recipients.length === 0)
      system.roles.push('RECIPIENT_DEFAULT');
    this.save(caller, system, 'created', { event: 'Oprettet', after: shown(system) });
    return { system, apiKey };
  }

  /**
   * Changes a system from a `MailSystemCommand` (the whole of it, as NgDP's PUT does). While the
   * system is in operation its protocol and activation time stay as they are (admin.md §1.6).
   *
   * @throws Rejection 400 with every field at fault; 409 VERSION_CONFLICT, SYSTEM_IN_OPERATION,
   *   COMPANY_HAS_RECIPIENT_SYSTEM, PRIMARY_SYSTEM.
   */
  update(caller: AdminCaller, id: string, body: unknown, version: VersionCheck): SystemRecord {
    const current = this.get(caller, id);
    expectVersion(this.context, `system ${current.id}`, current.version ?? 1, version);
    const settings = this.settingsOf(caller, body, current);
    if (systemState(current, this.context.now()) === 'IN_OPERATION') {
      const locked = (
        [
          ['serviceProtocol', current.protocol !== settings.protocol, settings.protocol],
          [
            'activeFrom',
            current.activeFrom !== settings.activeFrom,
            body && (body as { activeFrom?: unknown }).activeFrom,
          ],
        ] as const
      ).filter(([, changed]) => changed);
      if (locked.length > 0)
        throw reject.adminConflict(
          'SYSTEM_IN_OPERATION',
          `system ${current.id} is in operation: its ${locked.map(([field]) => field).join(' and ')} cannot change (deactivate it first, or set activeTo)`,
          locked.map(([field, , value]) => ({
            resource: 'MailSystemCommand',
            field,
            code: 'SYSTEM_IN_OPERATION',
            message: 'cannot change while the system is in operation',
            rejectedValue: value,
          })),
        );
    }
    const recipients = this.recipientSystems(caller.organisation.id).filter(
      (system) => system.id !== current.id,
    );
    const wasPrimary = current.roles.includes('RECIPIENT_DEFAULT');
    if (settings.roles.includes('RECIPIENT')) this.oneRecipientPerCompany(caller, recipients, current);
    else if (wasPrimary && recipients.length > 0)
      throw reject.adminConflict(
        'PRIMARY_SYSTEM',
        `system ${current.id} is the primary recipient system; make another one primary first (makedefaultrecipient)`,
      );
    const before = shown(current);
    const next: SystemRecord = { ...current, ...this.fields(settings) };
    for (const field of ['endpoint', 'receiptEndpoint', 'activeFrom', 'activeTo'] as const)
      if (settings[field] === undefined) delete next[field];
    const stillRecipient = settings.roles.includes('RECIPIENT');
    if (stillRecipient && (wasPrimary || recipients.length === 0)) next.roles.push('RECIPIENT_DEFAULT');
    this.save(caller, next, 'changed', { event: 'Redigeret', before, after: shown(next) });
    return next;
  }

  /**
   * Deletes a system: from then on it has no key, role or SFTP login, and the administration no
   * longer shows it.
   *
   * @throws Rejection 409 VERSION_CONFLICT; PRIMARY_SYSTEM while it is the primary and another
   *   recipient system exists; CONTACT_POINTS_ATTACHED while contact points use it.
   */
  remove(caller: AdminCaller, id: string, version: VersionCheck): void {
    const current = this.get(caller, id);
    expectVersion(this.context, `system ${current.id}`, current.version ?? 1, version);
    const others = this.recipientSystems(caller.organisation.id).filter((system) => system.id !== current.id);
    if (current.roles.includes('RECIPIENT_DEFAULT') && others.length > 0)
      throw reject.adminConflict(
        'PRIMARY_SYSTEM',
        `system ${current.id} is the primary recipient system; make another one primary first (makedefaultrecipient)`,
      );
    const points = this.context.store.listContactPoints().filter((point) => point.systemId === current.id);
    if (points.length > 0)
      throw reject.adminConflict(
        'CONTACT_POINTS_ATTACHED',
        `contact points use system ${current.id}: ${points.map((point) => point.id).join(', ')}; move them to another system first`,
      );
    const now = this.context.now();
    const before = shown(current);
    const gone: SystemRecord = {
      ...current,
      roles: [],
      // A key nobody holds: the old one stops working at once.
      apiKeyHash: issueApiKey(current.id).apiKeyHash,
      sshUsername: null,
      sshPublicKeys: [],
      deactivatedAt: now,
      deletedAt: now,
    };
    this.save(caller, gone, 'deleted', { event: 'Slettet', before, after: {} });
  }

  /**
   * Makes a recipient system the organisation's primary (`RECIPIENT_DEFAULT`), taking the mark
   * from the one that had it.
   *
   * @throws Rejection 422 NOT_A_RECIPIENT_SYSTEM.
   */
  makeDefault(caller: AdminCaller, id: string): SystemRecord {
    const current = this.get(caller, id);
    if (!isRecipientSystem(current))
      throw reject.adminRule('NOT_A_RECIPIENT_SYSTEM', `system ${current.id} is not a recipient system`);
    if (current.roles.includes('RECIPIENT_DEFAULT')) return current;
    const before = shown(current);
    const next: SystemRecord = { ...current, roles: [...current.roles, 'RECIPIENT_DEFAULT'] };
    this.save(caller, next, 'made the primary recipient system', {
      event: 'Redigeret',
      before,
      after: shown(next),
    });
    return next;
  }

  /**
   * A new API key for the system, valid at once; the old key and any OCES certificate stop
   * working (the OpenAPI's description of renewapitoken).
   */
  renewKey(caller: AdminCaller, id: string): SystemWithKey {
    const current = this.get(caller, id);
    const { apiKey, apiKeyHash } = issueApiKey(current.id);
    const before = shown(current);
    const { certificate: _dropped, ...details } = current.details ?? {};
    const next: SystemRecord = { ...current, apiKeyHash, details };
    this.save(caller, next, 'given a new API key', {
      event: 'Redigeret',
      before: { ...before, apiToken: '(old)' },
      after: { ...shown(next), apiToken: '(new)' },
    });
    return { system: next, apiKey };
  }

  /**
   * Sets the OpenSSH public key of an SFTP system (the key its SFTP user logs in with; the user
   * name is made from the system's id when it has none).
   *
   * @throws Rejection 400 for a file that is not one public key line, or a system that does not
   *   use SFTP.
   */
  uploadSshKey(caller: AdminCaller, id: string, file: Buffer): SystemRecord {
    const current = this.get(caller, id);
    if (current.protocol !== 'SFTP')
      throw reject.invalidField(
        'MailSystem',
        'serviceProtocol',
        'NOT_ALLOWED_VALUE',
        `system ${current.id} uses ${current.protocol}; SSH keys are for SFTP systems`,
        current.protocol,
      );
    const line = file.toString('utf8').trim();
    const problem = line.includes('\n') ? 'must be one OpenSSH public key line' : sshPublicKeyProblem(line);
    if (problem !== undefined) throw reject.invalidField('file', 'file', 'INVALID_FORMAT', problem);
    const before = shown(current);
    const next: SystemRecord = {
      ...current,
      sshUsername: current.sshUsername ?? `sys-${current.id.slice(0, 8)}`,
      sshPublicKeys: [line],
    };
    this.save(caller, next, 'given an SFTP key', { event: 'Redigeret', before, after: shown(next) });
    return next;
  }

  /**
   * Uploads the system's OCES public certificate (PEM or DER). The simulator reads it and checks
   * that it is in date; it does not check who issued it (docs/differences.md).
   *
   * @throws Rejection 400 for a file that is no X.509 certificate, or one out of date.
   */
  uploadCertificate(caller: AdminCaller, id: string, file: Buffer): SystemCertificate {
    const current = this.get(caller, id);
    const certificate = this.readCertificate(file);
    const before = shown(current);
    const next: SystemRecord = { ...current, details: { ...current.details, certificate } };
    this.save(caller, next, 'given an OCES certificate', { event: 'Redigeret', before, after: shown(next) });
    return certificate;
  }

  /** Reads a certificate for a protocol without keeping it (`checkOcesPublicCertificate`). */
  checkCertificate(protocolType: string, file: Buffer): SystemCertificate {
    if (!isOneOf(PROTOCOL_TYPES, protocolType))
      throw reject.invalidField(
        'path',
        'protocolType',
        'NOT_ALLOWED_VALUE',
        `must be one of ${PROTOCOL_TYPES.join(', ')}`,
        protocolType,
      );
    return this.readCertificate(file);
  }

  // ---------------------------------------------------------------- helpers

  private readCertificate(file: Buffer): SystemCertificate {
    let certificate: X509Certificate;
    try {
      certificate = new X509Certificate(file);
    } catch {
      throw reject.invalidField('file', 'file', 'INVALID_FORMAT', 'must be an X.509 certificate, PEM or DER');
    }
    const expiry = Date.parse(certificate.validTo);
    const now = this.context.now();
    if (expiry <= now || Date.parse(certificate.validFrom) > now)
      throw reject.invalidField(
        'file',
        'file',
        'CERTIFICATE_NOT_VALID',
        `the certificate is valid from ${certificate.validFrom} to ${certificate.validTo}, not now`,
      );
    const serial = /(?:^|\n)serialNumber=([^\n]+)/.exec(certificate.subject)?.[1];
    return {
      id: this.context.newId(),
      serialNumber: certificate.serialNumber,
      subject: certificate.subject,
      issuer: certificate.issuer,
      ...(serial === undefined ? {} : { subjectSerialNumber: serial }),
      expiryDate: expiry,
      sha1: createHash('sha1').update(certificate.raw).digest('hex'),
      md5: createHash('md5').update(certificate.raw).digest('hex'),
      uploadedAt: now,
    };
  }

  /**
   * The settings a `MailSystemCommand` asks for, for a new system (`current` undefined) or a change
   * of `current`; with a standard system template, its locked fields (admin.md §1.3).
   *
   * @throws Rejection 400 with every field at fault; 409 LOCKED_BY_STANDARD_SYSTEM.
   */
  private settingsOf(
    caller: AdminCaller,
    body: unknown,
    current: SystemRecord | undefined,
  ): MailSystemSettings {
    const templated = this.templates.fill(body, current);
    const read = readMailSystemCommand(templated.command);
    const { settings } = read;
    const problems: CommandProblem[] = [...templated.problems, ...read.problems];
    const organisationId = (body as { organisationId?: unknown } | null)?.organisationId;
    if (
      organisationId !== undefined &&
      organisationId !== null &&
      (typeof organisationId !== 'string' || organisationId.toLowerCase() !== caller.organisation.id)
    )
      problems.push({
        resource: 'MailSystemCommand',
        field: 'organisationId',
        code: 'NOT_ALLOWED_VALUE',
        message: 'must be the organisation of the path, or left out',
        rejectedValue: organisationId,
      });
    if (problems.length > 0 || settings === undefined)
      throw new Rejection(
        'invalid',
        problems[0]?.code ?? 'INVALID_FORMAT',
        problems.map((problem) => `${problem.field}: ${problem.message}`).join('; '),
        problems,
      );
    const locked = templated.template === undefined ? [] : lockedChanges(templated, settings);
    if (locked.length > 0)
      throw reject.adminConflict(
        'LOCKED_BY_STANDARD_SYSTEM',
        `the standard system template ${templated.template?.id} sets ${locked.map((problem) => problem.field).join(', ')}; leave them out or repeat its values`,
        locked,
      );
    return settings;
  }

  /** The record fields a command sets. */
  private fields(
    settings: MailSystemSettings,
  ): Pick<SystemRecord, 'name' | 'roles' | 'protocol' | 'allowedIps' | 'details'> &
    Partial<Pick<SystemRecord, 'endpoint' | 'receiptEndpoint' | 'activeFrom' | 'activeTo'>> {
    const { name, roles, protocol, allowedIps, details, endpoint, receiptEndpoint, activeFrom, activeTo } =
      settings;
    return {
      name,
      roles: [...roles],
      protocol,
      allowedIps,
      details,
      ...(endpoint === undefined ? {} : { endpoint }),
      ...(receiptEndpoint === undefined ? {} : { receiptEndpoint }),
      ...(activeFrom === undefined ? {} : { activeFrom }),
      ...(activeTo === undefined ? {} : { activeTo }),
    };
  }

  private recipientSystems(organisationId: string): SystemRecord[] {
    return this.context.store
      .listSystems(organisationId)
      .filter((system) => system.deletedAt === undefined && isRecipientSystem(system));
  }

  /** A company has one recipient system (admin.md §1.5). */
  private oneRecipientPerCompany(
    caller: AdminCaller,
    others: readonly SystemRecord[],
    self: SystemRecord | undefined,
  ): void {
    const another = others.find((system) => system.id !== self?.id);
    if (caller.organisation.type === 'COMPANY' && another !== undefined)
      throw reject.adminConflict(
        'COMPANY_HAS_RECIPIENT_SYSTEM',
        `a company has one recipient system, and ${caller.organisation.name} has ${another.id}`,
      );
  }

  /** Whose key `token` (`base64(<systemId>:<secret>)`) is, when it is a system's valid key. */
  private keyOf(token: string): string | undefined {
    const decoded = Buffer.from(token, 'base64').toString('utf8');
    const [systemId = '', secret = ''] = decoded.split(':');
    const system = isUuid(systemId) ? this.context.store.getSystem(systemId.toLowerCase()) : undefined;
    return system !== undefined && hashSecret(secret) === system.apiKeyHash ? system.id : undefined;
  }

  private save(
    caller: AdminCaller,
    system: SystemRecord,
    what: string,
    entry: Pick<ActionEntry, 'event' | 'before' | 'after'>,
  ): void {
    this.context.change(() => {
      const demoted = this.systems.save(system, what, caller.actor);
      this.log.changed(
        caller,
        { subject: 'System', resourceId: system.id, name: system.name, eventTag: 'SYSTEM_CHANGED', ...entry },
        false,
      );
      for (const other of demoted)
        this.log.changed(
          caller,
          {
            subject: 'System',
            resourceId: other.id,
            name: other.name,
            eventTag: 'SYSTEM_CHANGED',
            event: 'Redigeret',
            before: { systemTypes: [...other.roles, 'RECIPIENT_DEFAULT'] },
            after: { systemTypes: other.roles },
          },
          false,
        );
    });
  }
}
