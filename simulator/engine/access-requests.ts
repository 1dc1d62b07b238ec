/**
 * Access requests (`access-requests/**`; docs/admin.md, "Access requests"): an organisation's
 * employee drafts and submits a request that a target (a citizen or a company) be given privileges
 * to what `accessTo` names; it is approved (an activation code is "sent": the target's id), rejected
 * or revoked; the target activates it with the code. A request to a citizen's mailbox with
 * MESSAGE_BASIC/MESSAGE_WRITE then opens a mailbox access (admin.md §6's limits apply), which a
 * revocation ends. Documentation files are uploaded to and downloaded from the request.
 */
import { EventTag, type EventTagName } from '../../sdk/ngdp/enums.ts';
import { isUuid } from '../../sdk/ngdp/identifiers.ts';
import {
  ACCESS_REQUEST_FIELDS,
  type AccessRequestRecord,
  type AccessRequestSettings,
  APPROVED_ON_SUBMISSION,
  type DocumentationRecord,
  mediaTypeOf,
  NEXT_STATES,
  type ParticipantInput,
  type ParticipantRecord,
  type RequestState,
  readAccessRequestCommand,
} from '../domain/access-requests.ts';
import { MAILBOX_PRIVILEGES, type MailboxPrivilege } from '../domain/mailbox-access.ts';
import type { Contact } from '../domain/model.ts';
import { collection } from '../store/store.ts';
import type { AdminLog } from './admin-log.ts';
import type { EngineContext } from './context.ts';
import { onlyFields } from './fields.ts';
import type { AdminCaller } from './identities.ts';
import type { MailboxAccesses } from './mailbox-accesses.ts';
import { reject } from './rejections.ts';
import { expectVersion, type VersionCheck } from './versions.ts';

/** Access requests, by the organisation that made them. */
export const ACCESS_REQUESTS = collection<AccessRequestRecord>(
  'access-requests',
  (record) => record.organisationId,
);

/** A documentation entry's content (`id`: the entry's id), kept apart from the request. */
interface DocumentationContent {
  id: string;
  accessRequestId: string;
  /** The file, base64. */
  content: string;
}

const DOCUMENTATION_CONTENTS = collection<DocumentationContent>(
  'access-request-documentation',
  (record) => record.accessRequestId,
);

const RESOURCE = 'AccessRequest';
const SUBJECT = 'Adgang';

/** The event-log tag of a request arriving in a state. */
const STATE_TAGS: Partial<Record<RequestState, EventTagName>> = {
  SUBMITTED: EventTag.ACCESS_REQUEST_SUBMITTED,
  APPROVED: EventTag.ACCESS_REQUEST_APPROVED,
  REJECTED: EventTag.ACCESS_REQUEST_REJECTED,
  REVOKED: EventTag.ACCESS_REQUEST_REVOKED,
};

/** The fields of a request the action log shows. */
function shown(record: AccessRequestRecord): Record<string, unknown> {
  return {
    requestType: record.requestType,
    requestState: record.requestState,
    target: record.target.participant.externalId,
    privileges: record.privileges,
    privilegeEndDateTime:
      record.privilegeEndDateTime === undefined
        ? undefined
        : new Date(record.privilegeEndDateTime).toISOString(),
    targetState: record.target.state,
  };
}

/** A documentation file as downloaded. */
export interface DocumentationFile {
  content: Buffer;
  filename: string;
  mediaType: string;
}

export class AccessRequests {
  private readonly context: EngineContext;
  private readonly accesses: MailboxAccesses;
  private readonly log: AdminLog;

  constructor(context: EngineContext, accesses: MailboxAccesses, log: AdminLog) {
    this.context = context;
    this.accesses = accesses;
    this.log = log;
  }

  /** The context organisation's requests, oldest first (the query language filters and sorts). */
  list(caller: AdminCaller): AccessRequestRecord[] {
    return this.context.store.listRecords(ACCESS_REQUESTS, caller.organisation.id);
  }

  /** @throws Rejection 404 for a request the context organisation does not have. */
  get(caller: AdminCaller, id: string): AccessRequestRecord {
    const record = isUuid(id) ? this.context.store.getRecord(ACCESS_REQUESTS, id.toLowerCase()) : undefined;
    if (record === undefined || record.organisationId !== caller.organisation.id)
      throw reject.notFound(`no access request ${id} in organisation ${caller.organisation.id}`);
    return record;
  }

  /**
   * Makes a request, as a draft or submitted; a type NgDP approves by itself is approved at once.
   *
   * @throws Rejection 400 with every field at fault (a new request in another state than DRAFT or
   *   SUBMITTED; a citizen's mailbox asked for with other privileges than MESSAGE_BASIC/WRITE).
   */
  create(caller: AdminCaller, body: unknown): AccessRequestRecord {
    const settings = this.settingsOf(caller, body, 'createAccessRequest');
    if (settings.requestState !== 'DRAFT' && settings.requestState !== 'SUBMITTED')
      throw reject.invalidField(
        RESOURCE,
        'requestState',
        'NOT_ALLOWED_VALUE',
        'a new request is DRAFT or SUBMITTED',
        settings.requestState,
      );
    const now = this.context.now();
    const record: AccessRequestRecord = {
      id: this.context.newId(),
      version: 1,
      organisationId: caller.organisation.id,
      createdDateTime: now,
      lastUpdated: now,
      requestType: settings.requestType,
      requestState: 'DRAFT',
      requester: this.participant(
        settings.requester ?? {
          employeeIdentityId: caller.employee.id,
          organisationIdentityId: caller.organisation.id,
        },
      ),
      accessTo: this.participant(settings.accessTo),
      target: { id: this.context.newId(), participant: this.participant(settings.target), state: 'PENDING' },
      privileges: settings.privileges,
      ...(settings.privilegeEndDateTime === undefined
        ? {}
        : { privilegeEndDateTime: settings.privilegeEndDateTime }),
      userGroups: settings.userGroups,
      createdByIdentityId: caller.employee.id,
      texts: settings.texts,
      documentations: this.documentations(undefined, settings),
      processedAutomatically: false,
    };
    const next = this.moved(caller, record, settings.requestState);
    this.context.change(() =>
      this.save(caller, next, 'Oprettet', STATE_TAGS[next.requestState] ?? EventTag.ACCESS_REQUEST_SUBMITTED),
    );
    return next;
  }

  /**
   * Changes a request (the whole of it): a draft's content, or its state along NEXT_STATES — a
   * processor approves or rejects a submitted one, and revokes an approved one (ending the access
   * it gave). What is asked for is fixed once the request is submitted.
   *
   * @throws Rejection 400; 404; 409 VERSION_CONFLICT, REQUEST_STATE (a state that cannot follow),
   *   REQUEST_SUBMITTED (a change of what is asked for after submission).
   */
  update(caller: AdminCaller, id: string, body: unknown, version: VersionCheck): AccessRequestRecord {
    const current = this.get(caller, id);
    expectVersion(this.context, `access request ${current.id}`, current.version, version);
    const settings = this.settingsOf(caller, body, 'updateAccessRequest', current);
    if (!NEXT_STATES[current.requestState].includes(settings.requestState))
      throw reject.adminConflict(
        'REQUEST_STATE',
        `access request ${current.id} is ${current.requestState}: it can become ${NEXT_STATES[current.requestState].join(' or ')}, not ${settings.requestState}`,
      );
    const asked = this.asked(settings);
    if (current.requestState !== 'DRAFT' && JSON.stringify(asked) !== JSON.stringify(this.askedOf(current)))
      throw reject.adminConflict(
        'REQUEST_SUBMITTED',
        `access request ${current.id} is ${current.requestState}: its type, parties, privileges and end cannot change any more`,
      );
    const { privilegeEndDateTime: _end, ...rest } = current;
    const draft = current.requestState === 'DRAFT';
    const changed: AccessRequestRecord = {
      ...(draft ? rest : current),
      version: current.version + 1,
      lastUpdated: this.context.now(),
      texts: settings.texts,
      userGroups: settings.userGroups,
      documentations: this.documentations(current, settings),
      ...(draft
        ? {
            requestType: settings.requestType,
            accessTo: this.participant(settings.accessTo),
            target: { ...current.target, participant: this.participant(settings.target) },
            privileges: settings.privileges,
            ...(settings.privilegeEndDateTime === undefined
              ? {}
              : { privilegeEndDateTime: settings.privilegeEndDateTime }),
          }
        : {}),
    };
    const next = this.moved(caller, changed, settings.requestState);
    this.context.change(() => {
      if (next.requestState === 'REVOKED' && current.requestState !== 'REVOKED')
        this.accesses.endFor(caller, next.id);
      const tag = next.requestState !== current.requestState ? STATE_TAGS[next.requestState] : undefined;
      this.save(
        caller,
        next,
        'Redigeret',
        tag ?? EventTag.ACCESS_REQUEST_SUBMITTED,
        tag !== undefined,
        current,
      );
      for (const gone of current.documentations)
        if (!next.documentations.some((entry) => entry.id === gone.id))
          this.context.store.deleteRecord(DOCUMENTATION_CONTENTS, gone.id);
    });
    return next;
  }

  /**
   * Withdraws (a draft or a submitted request) or removes (a rejected or revoked one) a request,
   * with its documentation.
   *
   * @throws Rejection 404; 409 VERSION_CONFLICT, REQUEST_APPROVED (revoke it first).
   */
  remove(caller: AdminCaller, id: string, version: VersionCheck): void {
    const current = this.get(caller, id);
    expectVersion(this.context, `access request ${current.id}`, current.version, version);
    if (current.requestState === 'APPROVED')
      throw reject.adminConflict(
        'REQUEST_APPROVED',
        `access request ${current.id} is approved: revoke it first (requestState REVOKED)`,
      );
    this.context.change(() => {
      this.context.store.deleteRecord(ACCESS_REQUESTS, current.id);
      for (const entry of current.documentations)
        this.context.store.deleteRecord(DOCUMENTATION_CONTENTS, entry.id);
      this.log.changed(caller, {
        subject: SUBJECT,
        resourceId: current.id,
        name: current.requestType,
        cprCvr: current.accessTo.externalId ?? '',
        event: 'Slettet',
        eventTag:
          current.requestState === 'DRAFT' || current.requestState === 'SUBMITTED'
            ? 'ACCESS_REQUEST_WITHDRAWN'
            : 'ACCESS_REQUEST_REVOKED',
        before: { requestState: current.requestState },
        after: {},
      });
    });
  }

  /**
   * Activates an approved request with its code (`TargetActivation.code`: the target's id): the
   * target is GRANTED, and for a citizen's mailbox a mailbox access opens.
   *
   * @throws Rejection 400 for a body without a code; 404 for a code no approved request of the
   *   context organisation waits for; 409 ACCESS_EXISTS, TOO_MANY_ACCESSES (admin.md §6).
   */
  activate(caller: AdminCaller, body: unknown): AccessRequestRecord {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw reject.invalidBody();
    onlyFields('TargetActivation', body as Record<string, unknown>, ['code']);
    const { code } = body as { code?: unknown };
    if (code === undefined || code === null) throw reject.requiredField('TargetActivation', 'code');
    if (!isUuid(code))
      throw reject.invalidField('TargetActivation', 'code', 'INVALID_FORMAT', 'must be a UUID', code);
    const record = this.list(caller).find(
      (each) => each.target.id === code.toLowerCase() && each.target.state === 'ACTIVATION_CODE_SENT',
    );
    if (record === undefined || record.requestState !== 'APPROVED')
      throw reject.notFound(`no approved access request waits for activation code ${code}`);
    const now = this.context.now();
    const next: AccessRequestRecord = {
      ...record,
      version: record.version + 1,
      lastUpdated: now,
      target: { ...record.target, state: 'GRANTED', activationDateTime: now },
    };
    this.context.change(() => {
      this.grant(caller, next);
      this.save(caller, next, 'Redigeret', EventTag.PRIVILEGES_GRANTED, false, record);
    });
    return next;
  }

  /**
   * Uploads the content of a documentation entry of a draft or submitted request: its file name,
   * media type (from the name) and size are set on the entry, and the request is one version on.
   *
   * @throws Rejection 404 for an unknown request or entry; 409 VERSION_CONFLICT, REQUEST_PROCESSED.
   */
  uploadDocumentation(
    caller: AdminCaller,
    id: string,
    documentationId: string,
    file: { data: Buffer; filename: string },
    version: VersionCheck,
  ): AccessRequestRecord {
    const current = this.get(caller, id);
    expectVersion(this.context, `access request ${current.id}`, current.version, version);
    const entry = this.entry(current, documentationId);
    if (current.requestState !== 'DRAFT' && current.requestState !== 'SUBMITTED')
      throw reject.adminConflict(
        'REQUEST_PROCESSED',
        `access request ${current.id} is ${current.requestState}: its documentation cannot change any more`,
      );
    const now = this.context.now();
    const filename = file.filename.trim() === '' ? 'file' : file.filename;
    const updated: DocumentationRecord = {
      ...entry,
      version: entry.version + 1,
      lastUpdated: now,
      filename,
      mediaType: mediaTypeOf(filename),
      size: file.data.length,
    };
    const next: AccessRequestRecord = {
      ...current,
      version: current.version + 1,
      lastUpdated: now,
      documentations: current.documentations.map((each) => (each.id === entry.id ? updated : each)),
    };
    this.context.change(() => {
      this.context.store.putRecord(DOCUMENTATION_CONTENTS, {
        id: entry.id,
        accessRequestId: current.id,
        content: file.data.toString('base64'),
      });
      this.context.store.putRecord(ACCESS_REQUESTS, next);
    });
    return next;
  }

  /** @throws Rejection 404 for an unknown request or entry, or an entry without content. */
  documentation(caller: AdminCaller, id: string, documentationId: string): DocumentationFile {
    const record = this.get(caller, id);
    const entry = this.entry(record, documentationId);
    const stored = this.context.store.getRecord(DOCUMENTATION_CONTENTS, entry.id);
    if (stored === undefined)
      throw reject.notFound(`documentation ${entry.id} has no content yet (PUT it first)`);
    return {
      content: Buffer.from(stored.content, 'base64'),
      filename: entry.filename ?? 'file',
      mediaType: entry.mediaType ?? 'application/octet-stream',
    };
  }

  // ---------------------------------------------------------------- helpers

  private settingsOf(
    caller: AdminCaller,
    body: unknown,
    operation: string,
    current?: AccessRequestRecord,
  ): AccessRequestSettings {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw reject.invalidBody();
    onlyFields(RESOURCE, body as Record<string, unknown>, ACCESS_REQUEST_FIELDS);
    const read = readAccessRequestCommand(
      body as Record<string, unknown>,
      this.context.now(),
      current?.privilegeEndDateTime,
    );
    if (read.settings === undefined) throw reject.fieldsInvalid(read.problems);
    const { settings } = read;
    for (const party of [settings.accessTo, settings.target])
      this.log.searched(caller, {
        cprCvr: party.externalId ?? '',
        register: 'adgangsregister',
        results: this.contactOf(party) === undefined ? 0 : 1,
        operation,
      });
    if (
      settings.accessTo.externalIdType === 'CPR' &&
      !settings.privileges.every((each) => (MAILBOX_PRIVILEGES as readonly string[]).includes(each))
    )
      throw reject.invalidField(
        RESOURCE,
        'privileges',
        'NOT_ALLOWED_VALUE',
        `access to a citizen's mailbox is ${MAILBOX_PRIVILEGES.join(' and/or ')}`,
        settings.privileges,
      );
    return settings;
  }

  /** What a request asks for: fixed once it is submitted. */
  private asked(settings: AccessRequestSettings): unknown[] {
    return [
      settings.requestType,
      settings.accessTo.externalIdType,
      settings.accessTo.externalId,
      settings.target.externalIdType,
      settings.target.externalId,
      [...settings.privileges].sort(),
      settings.privilegeEndDateTime ?? null,
    ];
  }

  private askedOf(record: AccessRequestRecord): unknown[] {
    return [
      record.requestType,
      record.accessTo.externalIdType,
      record.accessTo.externalId,
      record.target.participant.externalIdType,
      record.target.participant.externalId,
      [...record.privileges].sort(),
      record.privilegeEndDateTime ?? null,
    ];
  }

  /** The record in `state`, with who moved it there and when; submitted auto-approving types approve. */
  private moved(caller: AdminCaller, record: AccessRequestRecord, state: RequestState): AccessRequestRecord {
    if (state === record.requestState) return record;
    const now = this.context.now();
    const by = caller.employee.id;
    switch (state) {
      case 'SUBMITTED': {
        const submitted: AccessRequestRecord = {
          ...record,
          requestState: state,
          submissionDateTime: now,
          submittedByIdentityId: by,
        };
        return APPROVED_ON_SUBMISSION.has(record.requestType)
          ? { ...this.moved(caller, submitted, 'APPROVED'), processedAutomatically: true }
          : submitted;
      }
      case 'APPROVED':
        return {
          ...record,
          requestState: state,
          approvalDateTime: now,
          approvedByIdentityId: by,
          target: { ...record.target, state: 'ACTIVATION_CODE_SENT', activationCodeSentDateTime: now },
        };
      case 'REJECTED':
        return { ...record, requestState: state, rejectionDateTime: now, rejectedByIdentityId: by };
      case 'REVOKED':
        return { ...record, requestState: state, revocationDateTime: now, revokedByIdentityId: by };
      default:
        return { ...record, requestState: state };
    }
  }

  /** A participant as kept: what was given, resolved against the contact register. */
  private participant(given: ParticipantInput): ParticipantRecord {
    const contact = this.contactOf(given);
    return {
      ...given,
      id: this.context.newId(),
      ...(contact === undefined
        ? {}
        : {
            nameResolved: contact.name,
            identityTypeResolved: contact.type,
            identityId: contact.id,
            ...(contact.type === 'CITIZEN' ? { citizenIdentityId: contact.id } : {}),
          }),
    };
  }

  private contactOf(party: ParticipantInput): Contact | undefined {
    const { externalId, externalIdType } = party;
    if (externalId === undefined || (externalIdType !== 'CPR' && externalIdType !== 'CVR')) return undefined;
    return this.context.store.findContact(externalIdType === 'CPR' ? 'cpr' : 'cvr', externalId);
  }

  private documentations(
    current: AccessRequestRecord | undefined,
    settings: AccessRequestSettings,
  ): DocumentationRecord[] {
    const now = this.context.now();
    return settings.documentations.map((given, index) => {
      const kept =
        given.id === undefined ? undefined : current?.documentations.find((entry) => entry.id === given.id);
      if (given.id !== undefined && kept === undefined)
        throw reject.invalidField(
          RESOURCE,
          `documentations[${index}].id`,
          'NOT_FOUND',
          'is not an entry of this request (leave the id out for a new one)',
          given.id,
        );
      return kept === undefined
        ? {
            id: this.context.newId(),
            version: 1,
            documentationType: given.documentationType,
            createdDateTime: now,
            lastUpdated: now,
          }
        : { ...kept, documentationType: given.documentationType };
    });
  }

  private entry(record: AccessRequestRecord, documentationId: string): DocumentationRecord {
    const entry = record.documentations.find((each) => each.id === documentationId.toLowerCase());
    if (entry === undefined)
      throw reject.notFound(`access request ${record.id} has no documentation ${documentationId}`);
    return entry;
  }

  /** What an activation grants: a mailbox access, when the request is for a citizen's mailbox. */
  private grant(caller: AdminCaller, record: AccessRequestRecord): void {
    const privileges = record.privileges.filter((each): each is MailboxPrivilege =>
      (MAILBOX_PRIVILEGES as readonly string[]).includes(each),
    );
    if (record.accessTo.externalIdType !== 'CPR' || privileges.length === 0) return;
    const ownerId = record.accessTo.identityId ?? this.contactOf(record.accessTo)?.id ?? '';
    const owner = this.accesses.owner(ownerId);
    const holder = this.contactOf(record.target.participant);
    if (holder === undefined)
      throw reject.invalidField(
        RESOURCE,
        'target.requestParticipant.externalId',
        'NOT_FOUND',
        'the target is not a registered citizen or company',
      );
    this.accesses.open(
      caller,
      { owner, holder: this.accesses.holder(caller, owner, holder.id), accessRequestId: record.id },
      {
        identityId: holder.id,
        privileges,
        ...(record.privilegeEndDateTime === undefined ? {} : { activeTo: record.privilegeEndDateTime }),
        liftExemption: false,
        emails: [],
      },
    );
  }

  private save(
    caller: AdminCaller,
    record: AccessRequestRecord,
    event: 'Oprettet' | 'Redigeret',
    eventTag: EventTagName,
    recordEvent = true,
    before?: AccessRequestRecord,
  ): void {
    this.context.store.putRecord(ACCESS_REQUESTS, record);
    this.log.changed(
      caller,
      {
        subject: SUBJECT,
        resourceId: record.id,
        name: record.requestType,
        cprCvr: record.accessTo.externalId ?? '',
        event,
        eventTag,
        ...(before === undefined ? {} : { before: shown(before) }),
        after: shown(record),
      },
      recordEvent,
    );
  }
}
