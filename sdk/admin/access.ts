/**
 * `admin.exemptions`, `admin.accesses` and `admin.accessRequests`: the citizen service's functions
 * (exemption from Digital Post, access to a citizen's mailbox, requests for access).
 */
import type { RequestOptions } from '../http/transport.ts';
import type { Operations, SearchOptions, SortOptions, VersionedOptions } from './operation.ts';
import type {
  Access,
  AccessRequest,
  AccessSubscriptionVerificationCommand,
  Exemption,
  ExemptionCommand,
  TargetActivation,
} from './types.ts';

/**
 * NgDP's `ExemptionCommand`, with the simulator's `exemptionReason` (NgDP's command has no field
 * for the reason; docs/differences.md).
 */
export interface ExemptionRequest extends ExemptionCommand {
  /** A citizen's reason (the simulator's field): `EXEMPT_OTHER_REASON` unless given. */
  exemptionReason?: 'EXEMPT_LEFT_THE_COUNTRY' | 'EXEMPT_OTHER_REASON';
}

/**
 * NgDP's `Access`, with the simulator's `activeToDateTime` and `intendedEmployee` (NgDP's schema
 * has no field for them; docs/differences.md), which its answers carry too.
 */
export interface MailboxAccess extends Access {
  /** When the access ends (the simulator's field); left out: unlimited. */
  activeToDateTime?: string;
  /** A company holder's intended employee, at most 100 characters (the simulator's field). */
  intendedEmployee?: string;
}

/** An access to give or change: a {@link MailboxAccess}, and what to do with an owner's exemption. */
export interface AccessCommand extends MailboxAccess {
  /**
   * Required when the mailbox's owner is exempt (the simulator's field): `true` lifts the
   * exemption at once, `false` keeps it.
   */
  liftExemption?: boolean;
}

/** Exemptions of citizens and companies from Digital Post (`CITIZEN_SERVICE_EMPLOYEE`). */
export class Exemptions {
  readonly #ops: Operations;

  constructor(operations: Operations) {
    this.#ops = operations;
  }

  /** Exempts a citizen or company (`createExemption`). */
  create(command: ExemptionRequest, options?: RequestOptions): Promise<Exemption> {
    return this.#ops.send('createExemption', {}, command, options);
  }

  /** One exemption (`fetchExemption`). */
  get(id: string, options?: RequestOptions): Promise<Exemption> {
    return this.#ops.call('fetchExemption', { id }, options);
  }

  /** Changes an exemption (`updateExemption`). */
  update(id: string, command: ExemptionRequest, options: VersionedOptions): Promise<Exemption> {
    return this.#ops.change('updateExemption', { id }, command, options);
  }

  /** Ends an exemption (`deleteExemption`). */
  delete(id: string, options: VersionedOptions): Promise<void> {
    return this.#ops.remove('deleteExemption', { id }, options);
  }
}

/** Who may read a citizen's mailbox (`mailboxes/{mailboxId}/accesses`). */
export class Accesses {
  readonly #ops: Operations;

  constructor(operations: Operations) {
    this.#ops = operations;
  }

  /**
   * Every access to a mailbox (`queryAccess`), page after page. NgDP declares no filters for this
   * list, only the sort order.
   */
  list(mailboxId: string, search: SortOptions = {}): AsyncGenerator<MailboxAccess> {
    return this.#ops.list(
      { operationId: 'queryAccess', params: { mailboxId } },
      'accesses',
      search,
      'accesses.list',
    );
  }

  /** Gives an access to a mailbox (`createAccess`). */
  create(mailboxId: string, access: AccessCommand, options?: RequestOptions): Promise<MailboxAccess> {
    return this.#ops.send('createAccess', { mailboxId }, access, options);
  }

  /** One access (`fetchAccess`). */
  get(mailboxId: string, id: string, options?: RequestOptions): Promise<MailboxAccess> {
    return this.#ops.call('fetchAccess', { mailboxId, id }, options);
  }

  /** Changes an access (`updateAccess`). */
  update(
    mailboxId: string,
    id: string,
    access: AccessCommand,
    options: VersionedOptions,
  ): Promise<MailboxAccess> {
    return this.#ops.change('updateAccess', { mailboxId, id }, access, options);
  }

  /** Verifies a notification subscription of an access (`verifyAccessSubscription`). */
  verifySubscription(
    mailboxId: string,
    accessId: string,
    subscriptionId: string,
    command: AccessSubscriptionVerificationCommand,
    options?: RequestOptions,
  ): Promise<MailboxAccess> {
    return this.#ops.send(
      'verifyAccessSubscription',
      { mailboxId, accessId, subscriptionId },
      command,
      options,
    );
  }
}

/** Requests for access to a mailbox, and their documentation. */
export class AccessRequests {
  readonly #ops: Operations;

  constructor(operations: Operations) {
    this.#ops = operations;
  }

  /** Every access request (`queryAccessRequests`), page after page. */
  list(search: SearchOptions = {}): AsyncGenerator<AccessRequest> {
    return this.#ops.list(
      { operationId: 'queryAccessRequests' },
      'accessRequests',
      search,
      'accessRequests.list',
    );
  }

  /** Files an access request (`createAccessRequest`). */
  create(request: AccessRequest, options?: RequestOptions): Promise<AccessRequest> {
    return this.#ops.send('createAccessRequest', {}, request, options);
  }

  /** Activates the target of an access request (`activateAccessRequest`). */
  activate(activation: TargetActivation, options?: RequestOptions): Promise<AccessRequest> {
    return this.#ops.send('activateAccessRequest', {}, activation, options);
  }

  /** One access request (`fetchAccessRequest`). */
  get(id: string, options?: RequestOptions): Promise<AccessRequest> {
    return this.#ops.call('fetchAccessRequest', { id }, options);
  }

  /** Changes an access request (`updateAccessRequest`). */
  update(id: string, request: AccessRequest, options: VersionedOptions): Promise<AccessRequest> {
    return this.#ops.change('updateAccessRequest', { id }, request, options);
  }

  /** Deletes an access request (`deleteAccessRequest`). */
  delete(id: string, options: VersionedOptions): Promise<void> {
    return this.#ops.remove('deleteAccessRequest', { id }, options);
  }

  /** The content of one documentation of an access request (`fetchAccessRequestDocumentationContent`). */
  async documentation(accessRequestId: string, id: string, options?: RequestOptions): Promise<Uint8Array> {
    const response = await this.#ops.raw(
      {
        operationId: 'fetchAccessRequestDocumentationContent',
        params: { accessRequestId, id },
        accept: '*/*',
      },
      options,
    );
    return new Uint8Array(response.body);
  }

  /** Uploads the content of a documentation (`updateAccessRequestDocumentationContent`). */
  updateDocumentation(
    accessRequestId: string,
    id: string,
    content: Uint8Array | string,
    options: VersionedOptions & { fileName?: string; contentType?: string },
  ): Promise<AccessRequest> {
    return this.#ops.json(
      {
        operationId: 'updateAccessRequestDocumentationContent',
        params: { accessRequestId, id },
        body: {
          file: content,
          fileName: options.fileName ?? 'documentation',
          ...(options.contentType === undefined ? {} : { contentType: options.contentType }),
        },
        ifMatch: options.ifMatch,
      },
      options,
    );
  }
}
