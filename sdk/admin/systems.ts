/** `admin.systems` and `admin.standardSystemTemplates`: an organisation's sender and recipient systems. */

import { array, object } from '../http/shape.ts';
import type { RequestOptions } from '../http/transport.ts';
import type { Operations, SearchOptions, VersionedOptions } from './operation.ts';
import type {
  MailSystem,
  MailSystemCommand,
  OcesPublicCertificateCheck,
  OcesPublicCertificateCheckResult,
  Ssh,
  StandardSystemTemplate,
  StandardSystemTemplateListResult,
} from './types.ts';

/**
 * A system's command: NgDP's `MailSystemCommand`, and for a system made from a standard-system
 * template (`standardSystemTemplateId`) the simulator's `vendorAgreementConfirmed: true`, the
 * portal's confirmation of the agreement with the vendor (docs/differences.md; NgDP's command has
 * no such field).
 */
export interface SystemCommand extends MailSystemCommand {
  vendorAgreementConfirmed?: boolean;
}

/** Filters of `systems.list` NgDP declares, besides the generic query language. */
export interface SystemSearch extends SearchOptions {
  /** The system whose certificate has this serial number. */
  certificateSerialNumber?: string;
  /** The system with this API key. */
  authenticationToken?: string;
}

/** The protocol a certificate is checked for (`checkOcesPublicCertificate`'s `protocolType`). */
export type CertificateProtocol =
  | 'REST_PUSH'
  | 'REST_PULL'
  | 'REST_PUBLISH_SUBSCRIBE'
  | 'SFTP'
  | (string & {});

/**
 * An organisation's systems (Administrativ Adgang, "Systemtilslutning"): create, change, delete,
 * the primary recipient system, API keys, certificates and SSH keys. Needs the right
 * `ORGANISATION_ADMINISTRATOR` in the organisation.
 */
export class Systems {
  readonly #ops: Operations;

  constructor(operations: Operations) {
    this.#ops = operations;
  }

  /** Every system of the organisation (`querySystems`), page after page. */
  list(organisationId: string, search: SystemSearch = {}): AsyncGenerator<MailSystem> {
    const { certificateSerialNumber, authenticationToken } = search;
    return this.#ops.list(
      {
        operationId: 'querySystems',
        params: { organisationId },
        query: { certificateSerialNumber, authenticationToken },
      },
      'systems',
      search,
      'systems.list',
    );
  }

  /**
   * Creates a system (`createMailSystem`). The answer holds its API key in
   * `apiToken.authenticationToken`, shown this once.
   */
  create(organisationId: string, command: SystemCommand, options?: RequestOptions): Promise<MailSystem> {
    return this.#ops.send('createMailSystem', { organisationId }, command, options);
  }

  /** One system (`fetchMailSystem`); its `version` is what a change sends as `ifMatch`. */
  get(organisationId: string, id: string, options?: RequestOptions): Promise<MailSystem> {
    return this.#ops.call('fetchMailSystem', { organisationId, id }, options);
  }

  /** Changes a system to `command`, the whole of it (`updateMailSystem`). */
  update(
    organisationId: string,
    id: string,
    command: SystemCommand,
    options: VersionedOptions,
  ): Promise<MailSystem> {
    return this.#ops.change('updateMailSystem', { organisationId, id }, command, options);
  }

  /** Deletes a system (`deleteMailSystem`): its key, roles and SFTP login stop at once. */
  delete(organisationId: string, id: string, options: VersionedOptions): Promise<void> {
    return this.#ops.remove('deleteMailSystem', { organisationId, id }, options);
  }

  /** Makes a recipient system the organisation's primary one (`changeToDefaultRecipient`). */
  makeDefaultRecipient(organisationId: string, id: string, options?: RequestOptions): Promise<MailSystem> {
    return this.#ops.call('changeToDefaultRecipient', { organisationId, id }, options);
  }

  /**
   * Gives a system a new API key (`renewApiToken`), in `apiToken.authenticationToken` of the answer
   * (shown this once); the old key stops working. Never sent twice: a lost answer is an
   * `UnknownOutcomeError`.
   */
  renewApiKey(organisationId: string, id: string, options?: RequestOptions): Promise<MailSystem> {
    return this.#ops.call('renewApiToken', { organisationId, id }, options);
  }

  /** Uploads an SSH public key (OpenSSH text) for an SFTP system (`createSsh`); it replaces the last. */
  addSshKey(
    organisationId: string,
    systemId: string,
    publicKey: string,
    options?: RequestOptions,
  ): Promise<Ssh> {
    return this.#ops.json(
      {
        operationId: 'createSsh',
        params: { organisationId, systemId },
        body: { file: publicKey, fileName: 'id.pub', contentType: 'text/plain' },
      },
      options,
    );
  }

  /** Uploads a system's OCES certificate (PEM or DER; `createOcesPublicCertificate`). */
  addCertificate(
    organisationId: string,
    systemId: string,
    certificate: string | Uint8Array,
    options?: RequestOptions,
  ): Promise<OcesPublicCertificateCheck> {
    return this.#ops.json(
      {
        operationId: 'createOcesPublicCertificate',
        params: { organisationId, systemId },
        body: { file: certificate, fileName: 'certificate.pem' },
      },
      options,
    );
  }

  /** Checks a certificate for a protocol without keeping it (`checkOcesPublicCertificate`). */
  checkCertificate(
    protocolType: CertificateProtocol,
    certificate: string | Uint8Array,
    options?: RequestOptions,
  ): Promise<OcesPublicCertificateCheckResult> {
    return this.#ops.json(
      {
        operationId: 'checkOcesPublicCertificate',
        params: { protocolType },
        body: { file: certificate, fileName: 'certificate.pem' },
      },
      options,
    );
  }
}

/** The standard vendor systems an organisation can connect (`listStandardSystemTemplates`). */
export class StandardSystemTemplates {
  readonly #ops: Operations;

  constructor(operations: Operations) {
    this.#ops = operations;
  }

  /** Every standard-system template. */
  async list(options?: RequestOptions): Promise<StandardSystemTemplate[]> {
    const result = await this.#ops.json<StandardSystemTemplateListResult>(
      { operationId: 'listStandardSystemTemplates' },
      options,
      object({ standardSystemTemplates: array(object({})) }),
    );
    return result.standardSystemTemplates ?? [];
  }
}
