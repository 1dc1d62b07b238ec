/**
 * Who is calling, and whether they may: the API key of a REST call, the user name and key of an
 * SFTP login, then the checks both share — the system is in operation, calls from this address are
 * allowed, and it has the role the call needs.
 */
import {
  hasRole,
  ipAllowed,
  isActive,
  parseAuthorization,
  registeredSshKey,
  secretMatches,
} from '../domain/auth.ts';
import type { SystemRecord, SystemRole } from '../domain/model.ts';
import type { EngineContext } from './context.ts';
import { reject } from './rejections.ts';

/** The roles a call needs (any one of them), or `any` for calls every system may make. */
export type RequiredRoles = readonly SystemRole[] | 'any';

export class Access {
  private readonly context: EngineContext;

  constructor(context: EngineContext) {
    this.context = context;
  }

  /**
   * The calling system of a REST call.
   *
   * @throws Rejection `unauthenticated` without a valid API key; `forbidden` when the system is not
   *   in operation, the address is not allowed, or the system has none of `roles`.
   */
  authenticate(authorization: string | undefined, remoteAddress: string, roles: RequiredRoles): SystemRecord {
    const credentials = parseAuthorization(authorization);
    if (credentials === undefined)
      throw reject.unauthenticated('send the API key as "Authorization: Basic <key>"');
    const system = this.context.store.getSystem(credentials.systemId);
    if (!secretMatches(system, credentials.secret) || system === undefined)
      throw reject.unauthenticated('the API key is not valid');
    return this.admit(system, remoteAddress, roles);
  }

  /**
   * The sender system behind an SFTP login, with the registered key line that `publicKey` (SSH wire
   * format) is. Proving possession of the key is the SSH layer's part: it verifies the signature
   * with the key line.
   *
   * @throws Rejection `unauthenticated` when no system has the user name with this key; `forbidden`
   *   as for {@link authenticate}.
   */
  authenticateSsh(
    username: string,
    publicKey: Uint8Array,
    remoteAddress: string,
  ): { system: SystemRecord; key: string } {
    const system = this.context.store.findSystemBySshUsername(username);
    const key = system === undefined ? undefined : registeredSshKey(system.sshPublicKeys, publicKey);
    if (system === undefined || key === undefined)
      throw reject.unauthenticated('no system has this SFTP user name with this key');
    return { system: this.admit(system, remoteAddress, ['SENDER']), key };
  }

  /** The id of the system whose SFTP user name is `username`, if any (for the record of a refused login). */
  sshUserSystemId(username: string): string | undefined {
    return this.context.store.findSystemBySshUsername(username)?.id;
  }

  /** The checks after the credentials: in operation, address allowed, role held. */
  private admit(system: SystemRecord, remoteAddress: string, roles: RequiredRoles): SystemRecord {
    if (!isActive(system, this.context.now())) throw reject.systemNotActive(system.id);
    if (!ipAllowed(system.allowedIps, remoteAddress)) throw reject.ipNotAllowed(remoteAddress, system.id);
    if (roles !== 'any' && !hasRole(system, roles)) throw reject.roleMissing(system.id, roles);
    return system;
  }
}
