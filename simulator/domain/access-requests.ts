/**
 * Access requests (NgDP's `AccessRequest`; docs/admin.md, "Access requests"): a request that a
 * target be granted privileges to what `accessTo` names, with its states — draft, submitted,
 * approved (an activation code is sent), rejected, revoked — and its documentation. Pure: what a
 * command asks for, which state may follow which; the engine keeps the records and grants.
 */
import { isUuid } from '../../sdk/ngdp/identifiers.ts';
import { dateTimeInstant } from './formats.ts';
import type { CommandProblem } from './mail-system.ts';
import { futureInstant } from './mailbox-access.ts';

export const REQUEST_TYPES = [
  'PRIVILEGE_REQUEST',
  'DELEGATION_REQUEST',
  'APPOINTED_DELEGATION_REQUEST',
  'CONNECTION_AGREEMENT_REQUEST',
  'TERMS_APPROVAL_REQUEST',
  'USER_ADMIN_STATEMENT_OF_TRUTH_PRIVILEGE_REQUEST',
  'USER_ADMIN_LOST_PRIVILEGE_REQUEST',
  'SPECIAL_PRIVILEGE_REQUEST',
  'LEGAL_OWNER_OF_INACTIVE_OR_CLOSED_COMPANY_PRIVILEGE_REQUEST',
  'DELEGATED_SUPPORT_ADMIN_PRIVILEGE_REQUEST',
] as const;
export type RequestType = (typeof REQUEST_TYPES)[number];

export const REQUEST_STATES = ['DRAFT', 'SUBMITTED', 'APPROVED', 'REJECTED', 'REVOKED'] as const;
export type RequestState = (typeof REQUEST_STATES)[number];

/** The types NgDP approves by itself when they are submitted (its `RequestType` descriptions). */
export const APPROVED_ON_SUBMISSION: ReadonlySet<RequestType> = new Set([
  'DELEGATION_REQUEST',
  'DELEGATED_SUPPORT_ADMIN_PRIVILEGE_REQUEST',
  'USER_ADMIN_STATEMENT_OF_TRUTH_PRIVILEGE_REQUEST',
]);

/** The states a request may go to from each (itself included: a change that keeps the state). */
export const NEXT_STATES: Readonly<Record<RequestState, readonly RequestState[]>> = {
  DRAFT: ['DRAFT', 'SUBMITTED'],
  SUBMITTED: ['SUBMITTED', 'APPROVED', 'REJECTED'],
  APPROVED: ['APPROVED', 'REVOKED'],
  REJECTED: ['REJECTED'],
  REVOKED: ['REVOKED'],
};

export const DOCUMENTATION_TYPES = [
  'CURATOR_CERTIFICATE',
  'LIQUIDATOR_CERTIFICATE',
  'CVR_EXTRACT',
  'RECONSTRUCTOR_CERTIFICATE',
  'BOARD_MEETING_SUMMARY_EXTRACT',
  'CERTIFICATE_OF_TERMINATION',
  'POWER_OF_ATTORNEY',
  'PROBATE_CERTIFICATE',
  'SIGNED_CONNECTION_AGREEMENT',
  'ARTICLES_OF_ASSOCIATION',
  'ACCOUNTS',
  'ORGANISATION_DIAGRAM',
  'BUSINESS_CARD',
  'LAW_OR_EXECUTIVE_ORDER_EXTRACT',
  'PERSONAL_CREDENTIALS',
  'OTHER',
] as const;

/** The free texts of a request, each at most {@link TEXT_MAX} characters. */
export const REQUEST_TEXTS = [
  'transactionId',
  'note',
  'messageNumber',
  'qualification',
  'qualificationComments',
  'justification',
  'justificationComments',
  'legalBasis',
  'legalBasisComments',
  'processorNote',
  'rejectionReason',
  'rejectionComments',
  'revocationReason',
  'revocationComments',
] as const;
export type RequestText = (typeof REQUEST_TEXTS)[number];
const TEXT_MAX = 4000;

/** The fields of a participant a caller gives; the rest the simulator resolves. */
const PARTICIPANT_GIVEN = [
  'externalId',
  'externalIdType',
  'organisationIdentityId',
  'employeeIdentityId',
  'citizenIdentityId',
  'identityId',
  'firstNameProvided',
  'lastNameProvided',
  'emailAddress',
  'alias',
  'position',
  'darAddressId',
] as const;
const PARTICIPANT_SERVER_SET = [
  'id',
  'version',
  'createdDateTime',
  'lastUpdated',
  'organisationNameResolved',
  'identityTypeResolved',
  'firstNameResolved',
  'lastNameResolved',
];

/** A participant as given (NgDP's `RequestParticipant`, the caller's fields). */
export type ParticipantInput = Partial<Record<(typeof PARTICIPANT_GIVEN)[number], string>>;

/** A participant as kept: what was given, and what the simulator resolved. */
export interface ParticipantRecord extends ParticipantInput {
  id: string;
  nameResolved?: string;
  identityTypeResolved?: 'CITIZEN' | 'COMPANY' | 'EMPLOYEE';
}

/** A documentation entry of a request; its content is kept apart. */
export interface DocumentationRecord {
  id: string;
  version: number;
  documentationType: string;
  filename?: string;
  mediaType?: string;
  size?: number;
  createdDateTime: number;
  lastUpdated: number;
}

export interface AccessRequestRecord {
  id: string;
  version: number;
  /** The organisation whose employee made it (and who sees it). */
  organisationId: string;
  createdDateTime: number;
  lastUpdated: number;
  requestType: RequestType;
  requestState: RequestState;
  requester: ParticipantRecord;
  accessTo: ParticipantRecord;
  target: {
    id: string;
    participant: ParticipantRecord;
    state: 'PENDING' | 'ACTIVATION_CODE_SENT' | 'GRANTED';
    activationCodeSentDateTime?: number;
    activationDateTime?: number;
  };
  privileges: string[];
  privilegeEndDateTime?: number;
  userGroups: string[];
  createdByIdentityId: string;
  texts: Partial<Record<RequestText, string>>;
  documentations: DocumentationRecord[];
  processedAutomatically: boolean;
  submissionDateTime?: number;
  submittedByIdentityId?: string;
  approvalDateTime?: number;
  approvedByIdentityId?: string;
  rejectionDateTime?: number;
  rejectedByIdentityId?: string;
  revocationDateTime?: number;
  revokedByIdentityId?: string;
}

/** What a valid `AccessRequest` command asks for. */
export interface AccessRequestSettings {
  requestType: RequestType;
  requestState: RequestState;
  requester?: ParticipantInput;
  accessTo: ParticipantInput;
  target: ParticipantInput;
  privileges: string[];
  privilegeEndDateTime?: number;
  userGroups: string[];
  texts: Partial<Record<RequestText, string>>;
  /** Entries as given: an `id` keeps an existing entry (and its content), none makes a new one. */
  documentations: Array<{ id?: string; documentationType: string }>;
}

const RESOURCE = 'AccessRequest';

/** The fields an `AccessRequest` command may have (the simulator's own are taken and ignored). */
export const ACCESS_REQUEST_FIELDS = [
  'id',
  'version',
  'createdDateTime',
  'lastUpdated',
  'createdByIdentityId',
  'createdOnBehalfOf',
  'communications',
  'processedAutomatically',
  'submissionDateTime',
  'submittedByIdentityId',
  'approvalDateTime',
  'approvedByIdentityId',
  'rejectionDateTime',
  'rejectedByIdentityId',
  'revocationDateTime',
  'revokedByIdentityId',
  'requestType',
  'requestState',
  'requester',
  'accessTo',
  'target',
  'privileges',
  'privilegeEndDate',
  'privilegeEndDateTime',
  'userGroups',
  'documentations',
  ...REQUEST_TEXTS,
] as const;

function problem(field: string, code: string, message: string, rejectedValue?: unknown): CommandProblem {
  return { resource: RESOURCE, field, code, message, rejectedValue };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A participant as given, or its problems; `withParty`: a CPR or CVR number is required. */
function participantOf(
  field: string,
  value: unknown,
  withParty: boolean,
  problems: CommandProblem[],
): ParticipantInput | undefined {
  if (value === undefined || value === null) {
    if (withParty) problems.push(problem(field, 'REQUIRED', 'is required (externalId and externalIdType)'));
    return undefined;
  }
  if (!isObject(value)) {
    problems.push(problem(field, 'INVALID_FORMAT', 'must be a RequestParticipant object', value));
    return undefined;
  }
  const participant: ParticipantInput = {};
  for (const [name, given] of Object.entries(value)) {
    if (PARTICIPANT_SERVER_SET.includes(name)) continue;
    if (!(PARTICIPANT_GIVEN as readonly string[]).includes(name)) {
      problems.push(
        problem(`${field}.${name}`, 'UNKNOWN_FIELD', 'is not a field of a RequestParticipant', given),
      );
      continue;
    }
    if (given === undefined || given === null) continue;
    if (typeof given !== 'string' || given.length > 256) {
      problems.push(
        problem(`${field}.${name}`, 'INVALID_FORMAT', 'must be text of at most 256 characters', given),
      );
      continue;
    }
    participant[name as keyof ParticipantInput] = given;
  }
  const { externalId, externalIdType } = participant;
  if (withParty || externalId !== undefined || externalIdType !== undefined) {
    if (externalIdType !== 'CPR' && externalIdType !== 'CVR')
      problems.push(
        problem(`${field}.externalIdType`, 'NOT_ALLOWED_VALUE', 'must be CPR or CVR', externalIdType),
      );
    else if (!(externalIdType === 'CPR' ? /^\d{10}$/ : /^\d{8}$/).test(externalId ?? ''))
      problems.push(
        problem(
          `${field}.externalId`,
          'INVALID_FORMAT',
          `must be a ${externalIdType} number (${externalIdType === 'CPR' ? 10 : 8} digits)`,
          externalIdType === 'CPR' ? undefined : externalId,
        ),
      );
  }
  return participant;
}

function listOf(
  field: string,
  value: unknown,
  accept: (each: unknown) => boolean,
  what: string,
  problems: CommandProblem[],
): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || !value.every(accept)) {
    problems.push(problem(field, 'INVALID_FORMAT', `must be a list of ${what}`, value));
    return [];
  }
  return [...new Set(value as string[])];
}

/**
 * The request an `AccessRequest` command asks for, or every problem with it: a type, a state, who
 * it gives access to (`accessTo`) and who gets it (`target.requestParticipant`), each with a CPR or
 * CVR number; the privileges (NgDP's names), an end after `now` (or `keptEnd`, the one it has),
 * texts and documentation entries.
 */
export function readAccessRequestCommand(
  body: Record<string, unknown>,
  now: number,
  keptEnd?: number,
): { settings: AccessRequestSettings; problems: [] } | { settings: undefined; problems: CommandProblem[] } {
  const problems: CommandProblem[] = [];
  const { requestType, requestState, privilegeEndDate, privilegeEndDateTime } = body;
  if (!(REQUEST_TYPES as readonly unknown[]).includes(requestType))
    problems.push(
      requestType === undefined || requestType === null
        ? problem('requestType', 'REQUIRED', 'is required')
        : problem(
            'requestType',
            'NOT_ALLOWED_VALUE',
            `must be one of ${REQUEST_TYPES.join(', ')}`,
            requestType,
          ),
    );
  if (!(REQUEST_STATES as readonly unknown[]).includes(requestState))
    problems.push(
      requestState === undefined || requestState === null
        ? problem('requestState', 'REQUIRED', 'is required (DRAFT or SUBMITTED for a new request)')
        : problem(
            'requestState',
            'NOT_ALLOWED_VALUE',
            `must be one of ${REQUEST_STATES.join(', ')}`,
            requestState,
          ),
    );
  const requester = participantOf('requester', body.requester, false, problems);
  const accessTo = participantOf('accessTo', body.accessTo, true, problems);
  const targetGiven = body.target;
  const target = participantOf(
    'target.requestParticipant',
    isObject(targetGiven) ? targetGiven.requestParticipant : undefined,
    true,
    problems,
  );
  const privileges = listOf(
    'privileges',
    body.privileges,
    (each) => typeof each === 'string' && /^[A-Z][A-Z_]{1,60}$/.test(each) && each !== 'UNKNOWN',
    "NgDP's privilege names (MESSAGE_BASIC …)",
    problems,
  );
  const userGroups = listOf('userGroups', body.userGroups, isUuid, 'UUIDs of identity groups', problems);
  if (privilegeEndDate !== undefined && privilegeEndDate !== null)
    problems.push(
      problem(
        'privilegeEndDate',
        'NOT_ALLOWED_VALUE',
        'is deprecated: use privilegeEndDateTime',
        privilegeEndDate,
      ),
    );
  // The end a request has already may have passed: sending it back unchanged is no new end.
  const end =
    keptEnd !== undefined && dateTimeInstant(privilegeEndDateTime) === keptEnd
      ? keptEnd
      : futureInstant(RESOURCE, 'privilegeEndDateTime', privilegeEndDateTime, now, problems);
  const texts: Partial<Record<RequestText, string>> = {};
  for (const name of REQUEST_TEXTS) {
    const text = body[name];
    if (text === undefined || text === null) continue;
    if (typeof text === 'string' && text.length <= TEXT_MAX) texts[name] = text;
    else problems.push(problem(name, 'TOO_LONG', `must be text of at most ${TEXT_MAX} characters`, text));
  }
  const documentations: AccessRequestSettings['documentations'] = [];
  const givenDocs = body.documentations;
  if (givenDocs !== undefined && givenDocs !== null) {
    if (!Array.isArray(givenDocs))
      problems.push(problem('documentations', 'INVALID_FORMAT', 'must be a list', givenDocs));
    else
      givenDocs.forEach((entry, index) => {
        const type = isObject(entry) ? entry.documentationType : undefined;
        const id = isObject(entry) ? entry.id : undefined;
        if (!(DOCUMENTATION_TYPES as readonly unknown[]).includes(type))
          problems.push(
            problem(
              `documentations[${index}].documentationType`,
              'NOT_ALLOWED_VALUE',
              `must be one of ${DOCUMENTATION_TYPES.join(', ')}`,
              type,
            ),
          );
        else if (id !== undefined && id !== null && !isUuid(id))
          problems.push(problem(`documentations[${index}].id`, 'INVALID_FORMAT', 'must be a UUID', id));
        else
          documentations.push({
            ...(typeof id === 'string' ? { id: id.toLowerCase() } : {}),
            documentationType: type as string,
          });
      });
  }
  if (problems.length > 0 || accessTo === undefined || target === undefined)
    return { settings: undefined, problems };
  return {
    settings: {
      requestType: requestType as RequestType,
      requestState: requestState as RequestState,
      ...(requester === undefined ? {} : { requester }),
      accessTo,
      target,
      privileges,
      ...(end === undefined ? {} : { privilegeEndDateTime: end }),
      userGroups,
      texts,
      documentations,
    },
    problems: [],
  };
}

/** The media type of an uploaded file, from its name (NgDP: "Determined from filename"). */
export function mediaTypeOf(filename: string): string {
  const extension = /\.([A-Za-z0-9]+)$/.exec(filename)?.[1]?.toLowerCase() ?? '';
  const types: Record<string, string> = {
    pdf: 'application/pdf',
    png: 'image/png',
    jpg: 'image/jpeg',
    jpeg: 'image/jpeg',
    gif: 'image/gif',
    tif: 'image/tiff',
    tiff: 'image/tiff',
    txt: 'text/plain',
    xml: 'application/xml',
    doc: 'application/msword',
    docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  };
  return types[extension] ?? 'application/octet-stream';
}
