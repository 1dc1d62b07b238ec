/**
 * Administrativ Adgang's JSON: NgDP's `MailSystem`, `Ssh`, `OcesPublicCertificateCheck` and
 * `OAuth2AccessToken` from the simulator's records, and the test portal's own shapes
 * (docs/admin.md).
 */
import type { AdminRight } from '../domain/admin-rights.ts';
import type { AdminSession, Employee } from '../domain/employees.ts';
import type { Organisation, SystemCertificate, SystemRecord } from '../domain/model.ts';

const iso = (time: number): string => new Date(time).toISOString();

/** NgDP's `OcesPublicCertificateCheck`. */
export function certificateJson(certificate: SystemCertificate) {
  return {
    id: certificate.id,
    version: 1,
    ...(certificate.subjectSerialNumber === undefined
      ? {}
      : { subjectDistinguishedNameSerialNumber: certificate.subjectSerialNumber }),
    certificateAuthority: certificate.issuer.replace(/\n/g, ', '),
    certificateSerialNumber: certificate.serialNumber,
    expiryDate: iso(certificate.expiryDate),
    lastUpdated: iso(certificate.uploadedAt),
    sha1: certificate.sha1,
    md5: certificate.md5,
  };
}

/** NgDP's `Ssh`: the SFTP user and its key (the OpenSSH line, base64). */
export function sshJson(system: SystemRecord) {
  return {
    id: system.id,
    version: system.version ?? 1,
    ...(system.sshUsername === null ? {} : { sshUsername: system.sshUsername }),
    sshPublicKey: system.sshPublicKeys.map((line) => Buffer.from(line).toString('base64')),
    ...(system.lastUpdated === undefined ? {} : { lastUpdated: iso(system.lastUpdated) }),
  };
}

/**
 * NgDP's `MailSystem`. `apiKey` is given only when the key was just issued (creation, renewal):
 * the simulator keeps a hash, so a key is shown once (docs/differences.md).
 */
export function mailSystemJson(system: SystemRecord, apiKey?: string) {
  const details = system.details ?? {};
  const version = system.version ?? 1;
  return {
    id: system.id,
    version,
    ...(system.createdDate === undefined ? {} : { createdDate: iso(system.createdDate) }),
    ...(system.lastUpdated === undefined ? {} : { lastUpdated: iso(system.lastUpdated) }),
    name: system.name,
    ...(system.endpoint === undefined ? {} : { endpoint: system.endpoint }),
    ...(system.receiptEndpoint === undefined ? {} : { receiptEndpoint: system.receiptEndpoint }),
    ...(system.activeFrom === undefined ? {} : { activeFrom: iso(system.activeFrom) }),
    ...(system.activeTo === undefined ? {} : { activeTo: iso(system.activeTo) }),
    ...(details.technicalContact === undefined ? {} : { technicalContact: { ...details.technicalContact } }),
    serviceProtocol: system.protocol,
    ...(details.standardSystemTemplateId === undefined
      ? {}
      : { standardSystemTemplateId: details.standardSystemTemplateId }),
    organisationId: system.organisationId,
    systemTypes: [...system.roles],
    allowedIps: system.allowedIps.map((ip) => ({ ip, range: ip.includes('/') })),
    ...(system.protocol === 'SFTP' || system.sshUsername !== null ? { ssh: sshJson(system) } : {}),
    ...(details.certificate === undefined
      ? {}
      : { ocesPublicCertificate: certificateJson(details.certificate) }),
    apiToken: {
      id: system.id,
      version,
      ...(apiKey === undefined
        ? {}
        : {
            value: Buffer.from(apiKey, 'base64').toString('utf8').split(':')[1],
            authenticationToken: `Basic ${apiKey}`,
          }),
      ...(system.lastUpdated === undefined ? {} : { lastUpdated: iso(system.lastUpdated) }),
    },
    receiptFormat: 'MEMO',
    ...(details.supplier === undefined ? {} : { supplier: details.supplier }),
    ...(details.businessContactEmail === undefined
      ? {}
      : { businessContactEmail: details.businessContactEmail }),
    ...(details.delegatedCVR === undefined ? {} : { delegatedCVR: details.delegatedCVR }),
  };
}

/**
 * NgDP's `OAuth2AccessToken` for a test employee's bearer token; `additionalInformation` says
 * whom and which organisation it acts for.
 */
export function accessTokenJson(token: string, session: AdminSession, now: number) {
  return {
    value: token,
    tokenType: 'bearer',
    expiresIn: Math.max(0, Math.floor((session.expiresAt - now) / 1000)),
    expiration: iso(session.expiresAt),
    expired: session.expiresAt <= now,
    scope: ['openid'],
    additionalInformation: {
      identityId: session.employeeId,
      organisationId: session.organisationId,
      ...(session.asSystemManager ? { asSystemManager: true } : {}),
    },
  };
}

/**
 * A test employee as the test portal shows it (never its password or hash), with the rights it
 * holds now per organisation (its direct and group privileges).
 */
export function employeeJson(employee: Employee, rights: ReadonlyMap<string, readonly AdminRight[]>) {
  return {
    id: employee.id,
    version: employee.version,
    username: employee.username,
    name: employee.name,
    rid: employee.rid,
    organisationId: employee.organisationId,
    rights: [...rights].map(([organisationId, held]) => ({ organisationId, rights: [...held] })),
    createdDate: iso(employee.createdDate),
    lastUpdated: iso(employee.lastUpdated),
  };
}

/** An organisation the caller may act for (`GET /portal/v1/contexts`). */
export function contextJson(organisation: Organisation, rights: readonly AdminRight[]) {
  return {
    organisationId: organisation.id,
    cvrNumber: organisation.cvrNumber,
    name: organisation.name,
    type: organisation.type,
    rights: [...rights],
  };
}

/** NgDP's `Organisation` fields the test portal answers a created test organisation with. */
export function organisationJson(organisation: Organisation) {
  return {
    id: organisation.id,
    version: 1,
    cvrNumber: organisation.cvrNumber,
    name: organisation.name,
    type: organisation.type,
    mandatoryPostAllowed: organisation.mandatoryPostAllowed,
    legalNotificationAllowed: organisation.legalNotificationAllowed,
  };
}
