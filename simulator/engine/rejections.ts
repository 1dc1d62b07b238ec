/**
 * Every request the simulator refuses, as one catalogue of typed rejections (in the manner of
 * Azurite's StorageErrorFactory: one function per refusal). A rejection says what kind of refusal
 * it is, with NgDP's code, a message and the fields at fault — never an HTTP status. Each edge maps
 * them once: `http/rejections.ts` to a status and NgDP's `ErrorMessage`, `sftp/rejections.ts` to an
 * SFTP status or an error file. The engine throws them from use cases; the adapters throw them too
 * when a request cannot even be read, so that every refusal is answered by the same table.
 */
import type { FieldErrorResource } from '../../sdk/ngdp/wire.ts';
import type { MessageRecord } from '../domain/model.ts';

/** What kind of refusal: the edges choose their answer by it. */
export type RejectionKind =
  /** The request is malformed or a field is wrong. */
  | 'invalid'
  /** The request is larger than a limit. */
  | 'too-large'
  /** No valid credentials. */
  | 'unauthenticated'
  /** Valid credentials, but not allowed (inactive system, address, role). */
  | 'forbidden'
  /** What the request names does not exist (for this caller). */
  | 'not-found'
  /** The request conflicts with the state of what it names. */
  | 'conflict'
  /** Well-formed, but not processable in this state. */
  | 'unprocessable'
  /** Not now: the simulator is busy (its memory budget is taken); the same request may succeed later. */
  | 'unavailable';

/**
 * One field at fault: NgDP's `FieldErrorResource` with all but `rejectedValue` given. `resource` is
 * what the field belongs to: `query`, `path`, `memo`, `receipt`, `system`, …
 */
export type FieldProblem = Required<Omit<FieldErrorResource, 'rejectedValue'>> &
  Pick<FieldErrorResource, 'rejectedValue'>;

export class Rejection extends Error {
  readonly kind: RejectionKind;
  /** NgDP's `ErrorMessage.code` (ours where NgDP's is unknown: docs/simulator.md, "Codes"). */
  readonly code: string;
  readonly fieldErrors: readonly FieldProblem[];
  /**
   * The message a duplicate send collided with, when the caller sent it (its technical receipt is
   * part of the answer); another system learns nothing about that message.
   */
  readonly original: MessageRecord | undefined;

  constructor(
    kind: RejectionKind,
    code: string,
    message: string,
    fieldErrors: readonly FieldProblem[] = [],
    original?: MessageRecord,
  ) {
    super(message);
    this.name = 'Rejection';
    this.kind = kind;
    this.code = code;
    this.fieldErrors = fieldErrors;
    this.original = original;
  }
}

/** A refusal of one field: the field's code is the answer's code, its message prefixed by the field. */
function field(
  kind: RejectionKind,
  resource: string,
  name: string,
  code: string,
  message: string,
  rejectedValue?: unknown,
): Rejection {
  return new Rejection(kind, code, `${name}: ${message}`, [
    { resource, field: name, code, message, rejectedValue },
  ]);
}

/** The catalogue: one function per refusal. */
export const reject = {
  // ---------------------------------------------------------------- access
  /** No API key, a malformed one, or one no system has; also an unknown SFTP user or key. */
  unauthenticated: (message: string) => new Rejection('unauthenticated', 'UNAUTHENTICATED', message),
  /** The control API's token is missing or wrong. */
  controlTokenRequired: () =>
    new Rejection(
      'unauthenticated',
      'UNAUTHENTICATED',
      'the control API needs "Authorization: Bearer <control token>" on this bind address',
    ),
  /** A listening simulator was called under a name it does not answer to (DNS rebinding). */
  hostNotAllowed: (host: string) =>
    new Rejection(
      'forbidden',
      'HOST_NOT_ALLOWED',
      `the simulator does not answer to the Host ${JSON.stringify(host.slice(0, 300))}; ` +
        'allow the name with --allowed-hosts (startSimulator: allowedHosts)',
    ),
  /** A browser sent the request from another site (a page driving the simulator behind your back). */
  crossSiteRequest: (evidence: string) =>
    new Rejection(
      'forbidden',
      'CROSS_SITE_REQUEST',
      `a browser sent this request from another site (${evidence.slice(0, 300)}); ` +
        'the simulator answers only its own pages and programs such as curl or the SDK',
    ),
  systemNotActive: (systemId: string) =>
    new Rejection(
      'forbidden',
      'SYSTEM_NOT_ACTIVE',
      `system ${systemId} is not in operation (activation window or deactivated)`,
    ),
  ipNotAllowed: (address: string, systemId: string) =>
    new Rejection(
      'forbidden',
      'IP_NOT_ALLOWED',
      `calls from ${address} are not allowed for system ${systemId}`,
    ),
  roleMissing: (systemId: string, roles: readonly string[]) =>
    new Rejection(
      'forbidden',
      'SYSTEM_ROLE_MISSING',
      `system ${systemId} needs the role ${roles.join(' or ')} for this call`,
    ),
  notOwnSystem: () =>
    new Rejection(
      'forbidden',
      'FORBIDDEN',
      'senderOrRecipientSystem must be a system of your own organisation',
    ),

  // ---------------------------------------------------------------- reading a request
  /** A field of the query, path or body is wrong (`code` is the field's, e.g. INVALID_FORMAT). */
  invalidField: (resource: string, name: string, code: string, message: string, rejectedValue?: unknown) =>
    field('invalid', resource, name, code, message, rejectedValue),
  /** A query parameter is not valid. */
  invalidParameter: (name: string, message: string, rejectedValue?: unknown) =>
    field('invalid', 'query', name, 'INVALID_PARAMETER', message, rejectedValue),
  /** A required field is missing. */
  requiredField: (resource: string, name: string, message = 'is required') =>
    field('invalid', resource, name, 'REQUIRED', message),
  invalidBody: (message = 'the body must be a JSON object') =>
    new Rejection('invalid', 'INVALID_BODY', message),
  invalidJson: (reason: string) =>
    new Rejection('invalid', 'INVALID_JSON', `the body is not valid JSON: ${reason}`),
  unsupportedEncoding: (reason: string) => new Rejection('invalid', 'UNSUPPORTED_ENCODING', reason),
  /** A body sent without the `Content-Length` the operation declares required (chunked). */
  lengthRequired: (operation: string) =>
    new Rejection(
      'invalid',
      'LENGTH_REQUIRED',
      `${operation} requires a Content-Length header, as NgDP declares: send the body with its length, not chunked (Transfer-Encoding: chunked)`,
      [
        {
          resource: 'header',
          field: 'Content-Length',
          code: 'REQUIRED',
          message: 'is required: the size of the body in bytes',
        },
      ],
    ),
  /** The request cannot be read at all (bad URL escape, body longer than declared, …). */
  badRequest: (message: string) => new Rejection('invalid', 'BAD_REQUEST', message),
  contentTypeNotSupported: (message: string) =>
    new Rejection('invalid', 'CONTENT_TYPE_NOT_SUPPORTED', message),
  /** Over a size limit (`what`: "the request body", "the MeMo", "the container", …). */
  tooLarge: (message: string) => new Rejection('too-large', 'MESSAGE_TOO_LARGE', message),
  malformedMultipart: (reason: string) =>
    new Rejection('invalid', 'MALFORMED_MULTIPART', `the multipart body cannot be read: ${reason}`),
  containerMissing: () =>
    new Rejection('invalid', 'CONTAINER_MISSING', 'the multipart body has no part named "file"'),
  invalidFaultRule: (problems: ReadonlyArray<{ field: string; message: string; rejectedValue: unknown }>) =>
    new Rejection(
      'invalid',
      'INVALID_FAULT_RULE',
      problems.map((p) => `${p.field}: ${p.message}`).join('; '),
      problems.map((p) => ({ resource: 'fault', code: 'INVALID', ...p })),
    ),

  // ---------------------------------------------------------------- memory budget
  /** The budget for requests in flight has no room now for `what`. */
  busy: (what: string, used: number, capacity: number) =>
    new Rejection(
      'unavailable',
      'SERVICE_UNAVAILABLE',
      `the simulator has no room for ${what} now: ${used} of the ${capacity} bytes it allows for requests in flight are taken by others; try again later`,
    ),
  /** Memory for `what` could not be allocated (the budget is larger than the machine allows). */
  noMemory: (what: string) =>
    new Rejection(
      'unavailable',
      'SERVICE_UNAVAILABLE',
      `the simulator could not allocate memory for ${what} now; try again later`,
    ),
  /** `what` alone needs more than the whole budget: no retry can help. */
  overBudget: (what: string, needed: number, capacity: number) =>
    new Rejection(
      'too-large',
      'MESSAGE_TOO_LARGE',
      `${what} needs ${needed} bytes in memory, more than the ${capacity} the simulator allows for requests in flight (memoryBudget)`,
    ),

  // ---------------------------------------------------------------- intake
  memoUuidMissing: (resource: 'query' | 'memo', name: string, message: string, rejectedValue?: unknown) =>
    field('invalid', resource, name, 'MEMO_UUID_MISSING', message, rejectedValue),
  memoUuidMismatch: (message: string, rejectedValue?: unknown) =>
    field('invalid', 'query', 'memo-message-uuid', 'MEMO_UUID_MISMATCH', message, rejectedValue),
  memoUnreadable: (reason: string) =>
    new Rejection('invalid', 'MEMO_UNREADABLE', `the MeMo cannot be read: ${reason}`),
  /** The messageUUID names another message; `original` when the caller sent that one. */
  duplicateMessage: (messageUUID: string, original: MessageRecord | undefined) =>
    new Rejection(
      'conflict',
      'DUPLICATE_MESSAGE_UUID',
      `a different message with messageUUID ${messageUUID} was already received; use a new messageUUID for a new message`,
      [],
      original,
    ),
  /** A bulk container that cannot be taken (`code` from the container reader). */
  containerUnreadable: (code: string, reason: string) =>
    new Rejection('invalid', code, `the container cannot be taken: ${reason}`),
  containerEmpty: () =>
    new Rejection(
      'invalid',
      'CONTAINER_EMPTY',
      'the container holds no MeMo: no entry is named <messageUUID>.xml or holds a MessageHeader/messageUUID',
    ),

  // ---------------------------------------------------------------- messages and receipts
  notFound: (message: string) => new Rejection('not-found', 'NOT_FOUND', message),
  /** A body field names something unknown (a contact, a contact point) or of another organisation. */
  unknownReference: (resource: string, name: string, message: string, rejectedValue: unknown) =>
    field('invalid', resource, name, 'NOT_FOUND', message, rejectedValue),
  /** A field of a body that the operation does not take. */
  unknownField: (resource: string, name: string, rejectedValue: unknown) =>
    field('invalid', resource, name, 'UNKNOWN_FIELD', 'is not a field of this operation', rejectedValue),
  /** A system fetch that has ended cannot be changed. */
  systemFetchEnded: (id: string, status: string) =>
    new Rejection(
      'unprocessable',
      'SYSTEM_FETCH_ENDED',
      `system fetch ${id} is ${status}: only a RUNNING one can be changed`,
    ),
  /** The contact point of a system fetch cannot take post (inactive, or without a system). */
  contactPointNotUsable: (contactPointId: string, why: string) =>
    new Rejection('unprocessable', 'CONTACT_POINT_NOT_USABLE', `contact point ${contactPointId} ${why}`, [
      {
        resource: 'systemFetch',
        field: 'contactPointId',
        code: 'CONTACT_POINT_NOT_USABLE',
        message: why,
        rejectedValue: contactPointId,
      },
    ]),
  alreadyRecalled: (messageUUID: string) =>
    new Rejection('conflict', 'ALREADY_RECALLED', `message ${messageUUID} was already recalled`),
  pastValueDate: (messageUUID: string) =>
    new Rejection(
      'conflict',
      'ALREADY_DELIVERED',
      `message ${messageUUID} is past its value date or already handled`,
    ),
  noValueDate: (messageUUID: string) =>
    new Rejection(
      'unprocessable',
      'NO_VALUE_DATE',
      `message ${messageUUID} has no doNotDeliverUntilDate; only messages waiting for their value date can be recalled`,
    ),
  receiptAlreadyGiven: (messageUUID: string) =>
    new Rejection(
      'conflict',
      'RECEIPT_ALREADY_GIVEN',
      `a business receipt for ${messageUUID} was already given`,
    ),
  /** A redelivery asked for a message that is not delivered by pushes (mailbox, PULL, not yet routed). */
  notPushRouted: (messageUUID: string) =>
    new Rejection(
      'conflict',
      'NOT_PUSH_ROUTED',
      `message ${messageUUID} is not routed to a REST_PUSH or publish/subscribe recipient system; there is nothing to push again`,
    ),
  /** A receipt redelivery asked for a message whose sender does not get receipts pushed. */
  notPushReceipts: (systemId: string) =>
    new Rejection(
      'conflict',
      'NOT_PUSH_RECEIPTS',
      `system ${systemId} gets its business receipts by PULL (protocol REST_PUSH and a receiptEndpoint push them); there is nothing to push again`,
    ),
  receiptStatusNotAccepted: (status: unknown) =>
    new Rejection(
      'unprocessable',
      'RECEIPT_STATUS_NOT_ACCEPTED',
      `receiptStatus must be COMPLETED or INVALID, got ${JSON.stringify(status)}`,
    ),

  /**
   * A search whose generic query (field filters, `any`, `sortFields`) would have to look at more
   * than `limit` items: the search's own parameters must narrow it first.
   */
  queryTooBroad: (limit: number, narrowWith: string) =>
    new Rejection(
      'invalid',
      'QUERY_TOO_BROAD',
      `field filters, any and sortFields look at most ${limit} items; narrow the search with ${narrowWith} first`,
    ),

  // ---------------------------------------------------------------- event log
  periodTooLong: (dateTo: unknown) =>
    new Rejection('invalid', 'PERIOD_TOO_LONG', 'dateFrom and dateTo may be at most 3 months apart', [
      {
        resource: 'query',
        field: 'dateTo',
        code: 'PERIOD_TOO_LONG',
        message: 'at most 3 months after dateFrom',
        rejectedValue: dateTo,
      },
    ]),

  // ---------------------------------------------------------------- Administrativ Adgang
  /** No bearer token, or one that names no session. */
  adminTokenRequired: () =>
    new Rejection(
      'unauthenticated',
      'UNAUTHENTICATED',
      'administration calls need "Authorization: Bearer <token>" of a logged-in test employee (POST /portal/v1/login)',
    ),
  adminTokenExpired: () =>
    new Rejection('unauthenticated', 'TOKEN_EXPIRED', 'the bearer token has expired; log in again'),
  loginFailed: () =>
    new Rejection('unauthenticated', 'LOGIN_FAILED', 'the username or the password is not right'),
  /** OAuth's `invalid_grant` (RFC 6749 §5.2): a code or refresh token that cannot be used. */
  invalidGrant: (message: string) => new Rejection('unauthenticated', 'INVALID_GRANT', message),
  /** The organisation in the path is not the token's context organisation (admin.md §0.2). */
  wrongContext: (organisationId: string) =>
    new Rejection(
      'forbidden',
      'WRONG_CONTEXT',
      `the token acts for another organisation than ${organisationId}; switch context first (POST /portal/v1/context)`,
    ),
  rightMissing: (rights: readonly string[]) =>
    new Rejection(
      'forbidden',
      'RIGHT_MISSING',
      `this call needs the right ${rights.join(' or ')} in the context organisation`,
    ),
  /** A grant of a privilege the granting employee does not hold itself (docs/admin.md, "Rights"). */
  privilegeNotHeld: (type: string, organisationId: string) =>
    new Rejection(
      'forbidden',
      'PRIVILEGE_NOT_HELD',
      `you do not hold ${type} in organisation ${organisationId}, so you cannot grant it`,
    ),
  /** An employee whose identity was made INACTIVE (`PUT identities/{id}`). */
  identityInactive: () =>
    new Rejection(
      'forbidden',
      'IDENTITY_INACTIVE',
      'this employee is inactive; its rights administrator can reactivate it',
    ),
  authorityOnly: () =>
    new Rejection('forbidden', 'AUTHORITY_ONLY', 'only an authority may do this; the context is a company'),
  /** `If-Match` names another version than the resource's (admin.md §0.2). */
  versionConflict: (what: string, current: number, given: string) =>
    new Rejection(
      'conflict',
      'VERSION_CONFLICT',
      `${what} is at version ${current}, not ${given}: read it again and repeat the change`,
      [
        {
          resource: 'header',
          field: 'If-Match',
          code: 'VERSION_CONFLICT',
          message: `the current version is ${current}`,
          rejectedValue: given.slice(0, 100),
        },
      ],
    ),
  /** A change without `If-Match` where NgDP's OpenAPI declares it required. */
  ifMatchRequired: () =>
    field(
      'invalid',
      'header',
      'If-Match',
      'REQUIRED',
      'is required: send the version you read (the ETag of the fetch, e.g. "1") as If-Match, or *',
    ),
  ifMatchInvalid: (value: string) =>
    field(
      'invalid',
      'header',
      'If-Match',
      'INVALID_FORMAT',
      'must be a version such as "3" (or W/"3", 3, a list of them, or *)',
      value.slice(0, 100),
    ),
  /** A state conflict of the administration (`code` names it: SYSTEM_IN_OPERATION, …). */
  adminConflict: (code: string, message: string, fieldErrors: readonly FieldProblem[] = []) =>
    new Rejection('conflict', code, message, fieldErrors),
  /** A command with fields at fault: the first problem's code is the answer's, every problem listed. */
  commandInvalid: (problems: readonly FieldProblem[]) =>
    new Rejection(
      'invalid',
      problems[0]?.code ?? 'INVALID_FORMAT',
      problems.map((problem) => `${problem.field}: ${problem.message}`).join('; '),
      problems,
    ),
  /** An imported file with rows at fault (each problem's resource names its row): nothing was changed. */
  importInvalid: (problems: readonly FieldProblem[]) =>
    new Rejection(
      'invalid',
      'INVALID_IMPORT',
      `the file was not imported: ${problems.length} problem${problems.length === 1 ? '' : 's'} (${problems
        .slice(0, 3)
        .map((problem) => `${problem.resource}, ${problem.field}: ${problem.message}`)
        .join('; ')}${problems.length > 3 ? '; …' : ''})`,
      problems,
    ),
  /** An imported file with more groups or points than one file may hold (admin.md §2.5). */
  importTooMany: (what: 'groups' | 'points', count: number, limit: number) =>
    new Rejection(
      'invalid',
      'TOO_MANY',
      `the file holds ${count} ${what}; at most ${limit} per file: import larger structures in several files`,
      [
        {
          resource: 'file',
          field: 'Type',
          code: 'TOO_MANY',
          message: `at most ${limit} ${what}`,
          rejectedValue: count,
        },
      ],
    ),
  /** An irreversible change the caller has not confirmed (admin.md §2.4). */
  confirmationRequired: (message: string) => new Rejection('unprocessable', 'CONFIRMATION_REQUIRED', message),
  /** A business rule of the administration (`code` names it: NOT_A_RECIPIENT_SYSTEM, …). */
  adminRule: (code: string, message: string) => new Rejection('unprocessable', code, message),
  /** A command with several fields at fault: every one of them, the first one's code the answer's. */
  fieldsInvalid: (problems: readonly FieldProblem[]) =>
    new Rejection(
      'invalid',
      problems[0]?.code ?? 'INVALID_FORMAT',
      problems.map((problem) => `${problem.field}: ${problem.message}`).join('; '),
      problems,
    ),

  // ---------------------------------------------------------------- simulator control
  /** A clock move given as something that is not a duration (`by`) or a date-time (`to`). */
  clockValueInvalid: (name: 'by' | 'to', rejectedValue: unknown) =>
    field(
      'invalid',
      'clock',
      name,
      'INVALID_FORMAT',
      name === 'by'
        ? 'must be an ISO-8601 duration such as PT1H or P2D'
        : 'must be an ISO-8601 date-time such as 2025-06-02T00:00:00Z',
      rejectedValue,
    ),
  /** A clock move that would leave the clock's range (domain/time.ts). */
  clockOutOfRange: (name: 'by' | 'to', rejectedValue: unknown) =>
    field(
      'invalid',
      'clock',
      name,
      'OUT_OF_RANGE',
      'would move the clock outside 1970-01-01T00:00:00Z to 9999-12-31T23:59:59.999Z',
      rejectedValue,
    ),
  clockNotManual: () =>
    new Rejection(
      'conflict',
      'CLOCK_NOT_MANUAL',
      'the clock is real; start the simulator with clock "manual" (--clock manual) to move it',
    ),
};
