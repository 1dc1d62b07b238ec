/**
 * The one error hierarchy of digitalpost, in the style of stripe-node and openai-node: every error
 * class the package throws is declared here. Every error has a stable `code` to branch on (the
 * package's own are {@link DigitalPostErrorCode}; an {@link ApiError} carries NgDP's); messages
 * never contain API keys, private keys or full CPR numbers.
 *
 * ```
 * DigitalPostError
 * ├── ApiError (status, code, fieldErrors, retryable, requestId): NgDP answered with an error
 * │   ├── BadRequestError 400
 * │   ├── AuthenticationError 401
 * │   ├── PermissionDeniedError 403
 * │   ├── NotFoundError 404
 * │   ├── ConflictError 409
 * │   │   └── DuplicateMessageError 409 DUPLICATE_MESSAGE_UUID (another message has the messageUUID)
 * │   ├── UnprocessableEntityError 422
 * │   ├── RateLimitError 429
 * │   └── ServiceUnavailableError 503
 * ├── ConnectionError CONNECTION_FAILED, TimeoutError TIMEOUT
 * ├── UnexpectedResponseError (an answer that is not NgDP's: wrong shape, not JSON, too large, a
 * │   list that never ends)
 * ├── UnknownOutcomeError UNKNOWN_OUTCOME (a call that changes something may have taken effect)
 * ├── InvalidOptionsError INVALID_OPTIONS (a bad option or argument: nothing was done)
 * ├── MemoParseError, MemoValidationError, MemoSerializeError, ContainerError
 * ├── BatchSendError (memos.sendBatch stopped; what was accepted, where to resume)
 * ├── SftpError (SFTP: login, host key, connection, refused operations, the local journal)
 * ├── SftpSendError (SftpSender.send/sendFiles stopped; what was uploaded)
 * ├── ReceiverRefusal (a receiver refused what NgDP pushed, and the status it answered)
 * ├── NoResponderError (digitalpost/testing: a request nobody answers)
 * ├── SimulatorConfigError, StoreFileError (digitalpost/simulator: its options, its data file)
 * └── ConformanceSetupError (digitalpost/conformance: the run could not be set up or driven)
 * ```
 *
 * A few codes have no class of their own and come as a plain `DigitalPostError`: `ABORTED`,
 * `FILE_UNREADABLE`, `FILE_TYPE_UNKNOWN`, `FILE_CHANGED`, `INVALID_CPR`, `INVALID_CVR`, … (see
 * {@link DigitalPostErrorCode}).
 */
import type { ContainerReceipt } from './client/types.ts';
import { describeIssues } from './memo/issues.ts';
import type { MemoIssue } from './memo/types.ts';
import type { FieldErrorResource } from './ngdp/wire.ts';
import type { SftpUpload } from './sftp/types.ts';

/** Codes of {@link MemoParseError}. */
export type MemoParseErrorCode =
  | 'XML_MALFORMED'
  | 'XML_FORBIDDEN_MARKUP'
  | 'XML_ENCODING_UNSUPPORTED'
  /** More elements and attributes than the reader takes, a name or namespace name too long to read. */
  | 'XML_LIMIT_EXCEEDED'
  | 'NOT_A_MEMO';

/** Codes of {@link ContainerError}. */
export type ContainerErrorCode = 'CONTAINER_UNREADABLE' | 'CONTAINER_TOO_LARGE';

/** Codes of {@link SftpError}. */
export type SftpErrorCode =
  /** The server refused the user name with this key. */
  | 'SFTP_AUTH_FAILED'
  /** The server's host key is not the pinned one: maybe not the server you mean. */
  | 'SFTP_HOST_KEY_MISMATCH'
  /** Nothing says which host key the server has (`knownHosts` holds none for it): not trusted. */
  | 'SFTP_HOST_KEY_UNKNOWN'
  /** The server cannot be reached, or the connection broke. */
  | 'SFTP_CONNECTION_FAILED'
  /** The server did not complete the login in time. */
  | 'SFTP_TIMEOUT'
  /** The private key cannot be read, or the passphrase is missing or wrong. */
  | 'SFTP_KEY_INVALID'
  /** The server refused an operation (`PERMISSION_DENIED`). */
  | 'SFTP_PERMISSION_DENIED'
  /** A remote file is not there (`NO_SUCH_FILE`). */
  | 'SFTP_NO_SUCH_FILE'
  /** The server failed an operation with another status (`FAILURE`, …). */
  | 'SFTP_FAILURE'
  /** Another process holds the journal. */
  | 'SFTP_JOURNAL_LOCKED'
  /** The journal cannot be read or written, or is not a journal. */
  | 'SFTP_JOURNAL_INVALID'
  /** The sender was closed: make a new one. */
  | 'SFTP_SENDER_CLOSED'
  /** A folder listing went on past `maxEntries` (a server whose listing does not end). */
  | 'SFTP_LISTING_TOO_LONG';

/** Codes of {@link ReceiverRefusal}, each with the status the receiver answered. */
export type ReceiverRefusalCode =
  /** 401: the receiver's `verify` hook found no proof of who calls (e.g. no client certificate). */
  | 'CALLER_UNAUTHENTICATED'
  /** 403: the receiver's `verify` hook refused the caller (e.g. a certificate that is not NgDP's). */
  | 'CALLER_NOT_ALLOWED'
  /** 500: the receiver's `verify` hook threw; NgDP delivers again. */
  | 'CALLER_CHECK_FAILED'
  /** 405: not a POST. */
  | 'METHOD_NOT_ALLOWED'
  /** 415: not the content type NgDP sends. */
  | 'UNSUPPORTED_MEDIA_TYPE'
  /** 415: a `Content-Encoding` (gzip, br, …) the receiver does not decode; it answers `Accept-Encoding: identity`. */
  | 'UNSUPPORTED_CONTENT_ENCODING'
  /** 413: the body is larger than `maxBytes`. */
  | 'PAYLOAD_TOO_LARGE'
  /** 408: the body stopped coming for longer than `bodyTimeoutMs`. */
  | 'REQUEST_TIMEOUT'
  /** 400: JSON nested deeper than any NgDP body (a receipt or a notification is one flat object). */
  | 'JSON_TOO_DEEP'
  /** 400: the request is not what NgDP sends. */
  | 'MALFORMED_MULTIPART'
  | 'MEMO_MISSING'
  | 'MEMO_AMBIGUOUS'
  | 'MESSAGE_UUID_MISSING'
  | 'INVALID_JSON'
  | 'INVALID_RECEIPT'
  | 'INVALID_NOTIFICATION'
  /** 500: a body parser read the body and left nothing usable in `req.body`. */
  | 'BODY_ALREADY_READ'
  /** 500: your handler threw; NgDP delivers again. */
  | 'MEMO_NOT_HANDLED'
  | 'RECEIPT_NOT_HANDLED'
  /** 502: the notified MeMo could not be fetched from NgDP. */
  | 'MEMO_FETCH_FAILED'
  /** 503: the store of seen messages failed. */
  | 'SEEN_STORE_FAILED'
  /**
   * 503 with `Retry-After`: the receiver holds as many request bodies (`maxBytesInFlight`) or
   * fetches of notified MeMos (`maxFetchesInFlight`) as it may; NgDP delivers again later.
   */
  | 'RECEIVER_BUSY';

/** Codes of {@link UnexpectedResponseError}. */
export type UnexpectedResponseCode =
  /** The answer is not the JSON (or XML) NgDP answers with: wrong shape, not JSON, compressed, empty. */
  | 'UNEXPECTED_RESPONSE'
  /** The answer's body is larger than the client's limit (`limits.maxResponseBytes`, `maxMemoBytes`). */
  | 'RESPONSE_TOO_LARGE'
  /** A list served the same `next` cursor twice: following it would never end. */
  | 'PAGING_LOOP'
  /** A list did not end within `limits.maxPages` page requests. */
  | 'PAGE_LIMIT_REACHED';

/** Codes of {@link StoreFileError}. */
export type StoreFileErrorCode =
  | 'STORE_NOT_SQLITE'
  | 'STORE_FOREIGN_DATABASE'
  | 'STORE_TOO_NEW'
  | 'STORE_UNOPENABLE';

/**
 * The codes of the errors digitalpost raises itself, to branch on with `error.code`. An
 * {@link ApiError} carries NgDP's code instead ({@link ApiErrorCode}).
 */
export type DigitalPostErrorCode =
  /** {@link ConnectionError}. */
  | 'CONNECTION_FAILED'
  /** {@link TimeoutError}: a request, or a wait (`receipts.waitFor`), ran out of time. */
  | 'TIMEOUT'
  /** A request, batch or wait was stopped through its `signal`. */
  | 'ABORTED'
  /** {@link InvalidOptionsError}. */
  | 'INVALID_OPTIONS'
  | UnexpectedResponseCode
  /** {@link UnknownOutcomeError}. */
  | 'UNKNOWN_OUTCOME'
  /** `contacts.lookup` / `contacts.search` with a CPR number that is not 10 digits. */
  | 'INVALID_CPR'
  /** `contacts.lookup` / `contacts.search` with a CVR number that is not 8 digits. */
  | 'INVALID_CVR'
  | MemoParseErrorCode
  /** {@link MemoValidationError}. */
  | 'MEMO_INVALID'
  /** {@link MemoSerializeError}. */
  | 'MEMO_NOT_SERIALIZABLE'
  | ContainerErrorCode
  /** A file to attach or to send cannot be read, or is not a regular file. */
  | 'FILE_UNREADABLE'
  /** `createLetter`: the MIME type of a file cannot be told from its name. */
  | 'FILE_TYPE_UNKNOWN'
  /** `SftpSender.sendFiles`: a file changed while it was being sent. */
  | 'FILE_CHANGED'
  /** {@link BatchSendError}. */
  | 'BATCH_INCOMPLETE'
  /** A batch's input was read after the batch had stopped. */
  | 'BATCH_STOPPED'
  | SftpErrorCode
  /** {@link SftpSendError}. */
  | 'SFTP_SEND_INCOMPLETE'
  | ReceiverRefusalCode
  /** {@link NoResponderError}. */
  | 'TESTING_NOT_HANDLED'
  /** `digitalpost/testing`: msw handlers were asked for, and msw (an optional peer dependency) is not installed. */
  | 'MSW_NOT_INSTALLED'
  /** `digitalpost/testing`: a call to the simulator's control API failed (when it gave no code). */
  | 'CONTROL_FAILED'
  /** {@link SimulatorConfigError}. */
  | 'SIMULATOR_CONFIG_INVALID'
  /** The simulator's data folder is used by another simulator. */
  | 'DATA_DIR_IN_USE'
  /** The simulator's clock was moved, but it is not the manual clock. */
  | 'CLOCK_NOT_MANUAL'
  /** The simulator's clock was moved by something that is not a duration or a date. */
  | 'INVALID_DURATION'
  | 'INVALID_DATE'
  /** {@link ConformanceSetupError}. */
  | 'CONFORMANCE_SETUP_FAILED'
  | StoreFileErrorCode;

/**
 * The `code` of an {@link ApiError}: NgDP's `ErrorMessage.code`, or `HTTP_<status>` when the answer
 * had none. Open-ended: NgDP has its own list and may add to it (`SYSTEM_NOT_ACTIVE`,
 * `RECIPIENT_NOT_FOUND`, …); the codes named here are those the SDK gives a class of their own.
 */
export type ApiErrorCode = 'DUPLICATE_MESSAGE_UUID' | `HTTP_${number}` | (string & Record<never, never>);

/**
 * The statuses whose answer says "not now" rather than "no": too many requests (429), a gateway
 * that found no NgDP (502, 504), NgDP unavailable (503). The client retries them by default.
 */
export const RETRYABLE_STATUSES: readonly number[] = [429, 502, 503, 504];

/**
 * The mark every {@link DigitalPostError} carries, from the symbol registry so that each copy of the
 * package finds the same one (see {@link isDigitalPostError}).
 */
const DIGITALPOST_ERROR = Symbol.for('digitalpost.error');

/** The base class of every error this package throws. */
export class DigitalPostError extends Error {
  /** A stable, machine-readable code: one of {@link DigitalPostErrorCode}, or NgDP's on an {@link ApiError}. */
  readonly code: DigitalPostErrorCode | ApiErrorCode;
  /**
   * Whether doing the same thing again, unchanged, may succeed: a connection error, a timeout, an
   * answer such as 429 or 503, a send whose outcome is unknown. `false` for everything that will
   * fail the same way again (a refused request, an invalid MeMo, a bad option). The client has
   * already retried what it retries by itself; this tells what to do after that (queue it for
   * later, or give up).
   */
  readonly retryable: boolean = false;

  static {
    Object.defineProperty(DigitalPostError.prototype, DIGITALPOST_ERROR, { value: true });
  }

  constructor(code: DigitalPostErrorCode | ApiErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/**
 * Whether `value` is an error thrown by digitalpost — by any copy of it. `instanceof DigitalPostError`
 * answers for one copy only: a program that loads the package both through `import` and through
 * `require` (the dual package: an ES module and a CommonJS dependency of it), or two installed
 * versions, holds two classes, and an error of the one is no instance of the other. This asks the
 * mark every copy's errors carry; then branch on `code` (and `name`), which are the same everywhere:
 *
 * ```ts
 * if (isDigitalPostError(error) && error.code === 'TIMEOUT') retryLater();
 * ```
 */
export function isDigitalPostError(value: unknown): value is DigitalPostError {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { [DIGITALPOST_ERROR]?: unknown })[DIGITALPOST_ERROR] === true
  );
}

/**
 * An option or argument is not valid: a programming or configuration error, found before anything
 * was sent or changed. Never retryable; the message names the option and what was wrong (never a
 * secret), e.g. `DigitalPostClient: timeoutMs must be positive, got 0`.
 *
 * Like undici's `InvalidArgumentError` (`UND_ERR_INVALID_ARG`) it is one of the package's own
 * errors, deliberately not a `TypeError`: one `instanceof DigitalPostError` catches everything
 * digitalpost throws, and `code` tells a bad option from a failed call.
 */
export class InvalidOptionsError extends DigitalPostError {
  declare readonly code: 'INVALID_OPTIONS';

  constructor(message: string, options?: { cause?: unknown }) {
    super('INVALID_OPTIONS', message, options);
  }
}

/** One entry of NgDP's `ErrorMessage.fieldErrors` (NgDP's `FieldErrorResource`). */
export type FieldError = FieldErrorResource;

/** What an {@link ApiError} knows about the call that failed. */
export interface ApiErrorDetails {
  status: number;
  /** NgDP's `ErrorMessage.code`; without it the error's code is `HTTP_<status>`. */
  code?: ApiErrorCode;
  message: string;
  fieldErrors?: FieldError[];
  /** The client's id of this call, sent as `X-Request-ID` (also in its log lines). */
  requestId: string;
  /** The server's id of the request, from the answer's `X-Request-ID` (or `Request-ID`, `X-Correlation-ID`). */
  serverRequestId?: string;
  method: string;
  /** The path called, with CPR numbers masked. */
  path: string;
  /** Response headers. */
  headers?: Record<string, string | string[] | undefined>;
  /** The parsed body, when it was JSON. */
  body?: unknown;
  /** Whether the same request may succeed later (default: the status is one of {@link RETRYABLE_STATUSES}). */
  retryable?: boolean;
}

/**
 * NgDP answered with an error status. The transport makes the subclass of the status (and
 * {@link DuplicateMessageError} of a 409 `DUPLICATE_MESSAGE_UUID`); other statuses are an `ApiError`.
 */
export class ApiError extends DigitalPostError {
  declare readonly code: ApiErrorCode;
  readonly status: number;
  /** NgDP's own message (`ErrorMessage.message`), without the status and path. */
  readonly detail: string;
  readonly fieldErrors: FieldError[];
  /**
   * Whether sending the same request again may succeed: 429, 502, 503 and 504, and 500 to a send
   * (whose messageUUID makes a repeat harmless).
   */
  override readonly retryable: boolean;
  /** The client's id of the call: sent as `X-Request-ID` on every attempt, and in its log lines. */
  readonly requestId: string;
  /**
   * The server's id of the request, when the answer named one (`X-Request-ID`, `Request-ID` or
   * `X-Correlation-ID`): what to quote to NgDP's support. The simulator repeats the client's.
   */
  readonly serverRequestId: string | undefined;
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: unknown;

  constructor(details: ApiErrorDetails) {
    super(
      details.code ?? `HTTP_${details.status}`,
      `${details.status} ${details.method} ${details.path}: ${details.message}`,
    );
    this.status = details.status;
    this.detail = details.message;
    this.fieldErrors = details.fieldErrors ?? [];
    this.retryable = details.retryable ?? RETRYABLE_STATUSES.includes(details.status);
    this.requestId = details.requestId;
    this.serverRequestId = details.serverRequestId;
    this.method = details.method;
    this.path = details.path;
    this.headers = details.headers ?? {};
    this.body = details.body;
  }
}

/** 400: NgDP refused the request as malformed or invalid (see `fieldErrors`). */
export class BadRequestError extends ApiError {}
/** 401: the API key is missing, wrong or revoked. */
export class AuthenticationError extends ApiError {}
/** 403: the system may not do this (its role, its organisation, its IP address). */
export class PermissionDeniedError extends ApiError {}
/** 404: no such message, receipt or contact (for this system). */
export class NotFoundError extends ApiError {}
/** 409: the request conflicts with what NgDP holds (already delivered, recalled, …). */
export class ConflictError extends ApiError {}
/** 422: the request is well-formed but NgDP cannot act on it (e.g. recalling a letter without a value date). */
export class UnprocessableEntityError extends ApiError {}
/** 429: too many requests for now; `Retry-After` says when to come back. Retryable. */
export class RateLimitError extends ApiError {}
/** 503: NgDP is unavailable for now. Retryable. */
export class ServiceUnavailableError extends ApiError {}

/** The technical receipt NgDP gave for a message (`POST /memos/` → 201). */
export interface TechnicalReceipt {
  transmissionId: string;
  messageUUID?: string;
  messageId?: string;
  timeStamp: string;
  receiptStatus?: string;
  errorCode?: string;
  errorMessage?: string;
}

/**
 * NgDP already holds a message under this messageUUID (409 `DUPLICATE_MESSAGE_UUID`), and this send
 * did not add a second one. That message may be this very letter, sent earlier (by an earlier run of
 * your program, or a send whose answer was lost): look at `originalReceipt` and the messageUUID's
 * business receipt before deciding anything. Only a letter that is really a different one needs a new
 * messageUUID. Made by the transport from NgDP's answer, never retried; a retry of `memos.send` that
 * meets it after a lost answer resolves to the original receipt, or throws an
 * {@link UnknownOutcomeError}.
 */
export class DuplicateMessageError extends ConflictError {
  declare readonly code: 'DUPLICATE_MESSAGE_UUID';
  /** The messageUUID of the refused send. */
  readonly messageUUID: string;
  /**
   * The technical receipt of the message NgDP holds, when known: from NgDP's answer (its `receipt`,
   * given to the system that sent the original), else from this client's own earlier send of it.
   */
  readonly originalReceipt: TechnicalReceipt | undefined;

  constructor(details: ApiErrorDetails, messageUUID: string, originalReceipt: TechnicalReceipt | undefined) {
    super(details);
    this.messageUUID = messageUUID;
    this.originalReceipt = originalReceipt;
  }
}

/** The connection to NgDP failed (DNS, refused, reset, TLS). Retryable. */
export class ConnectionError extends DigitalPostError {
  declare readonly code: 'CONNECTION_FAILED';
  override readonly retryable = true;
  readonly requestId: string;

  constructor(message: string, requestId: string, options?: { cause?: unknown }) {
    super('CONNECTION_FAILED', message, options);
    this.requestId = requestId;
  }
}

/**
 * NgDP did not answer a request in time, or a wait ran out (`receipts.waitFor`). Retryable: a send
 * is repeated with the same messageUUID and bytes.
 */
export class TimeoutError extends DigitalPostError {
  declare readonly code: 'TIMEOUT';
  override readonly retryable = true;
  /** The id of the request that got no answer; undefined when a wait ran out between requests. */
  readonly requestId: string | undefined;

  constructor(message: string, requestId: string | undefined, options?: { cause?: unknown }) {
    super('TIMEOUT', message, options);
    this.requestId = requestId;
  }
}

/** Where an {@link UnexpectedResponseError} came from. */
export interface ResponseContext {
  /** The client's id of the request (also in its log lines); undefined for a list as a whole. */
  requestId: string | undefined;
  method: string;
  /** The path called, with CPR numbers masked. */
  path: string;
  /** The answer's status, when one came. */
  status?: number;
  /** The server's id of the request, when the answer named one (see {@link ApiError.serverRequestId}). */
  serverRequestId?: string | undefined;
}

/**
 * What came back is not an answer NgDP gives: a body that is not JSON (an HTML page of a proxy,
 * invalid or compressed JSON, nothing at all) or not the shape of NgDP's DTO (a receipt for another
 * messageUUID, a page with more items than asked for), a body larger than the client accepts
 * (`RESPONSE_TOO_LARGE`), or a list that never ends (`PAGING_LOOP`, `PAGE_LIMIT_REACHED`). The client
 * refuses it instead of guessing. Not retryable: something between the client and NgDP (a proxy, a
 * wrong `baseUrl`) or NgDP itself misbehaves. The message says what was wrong, never a secret; a call
 * that changes something and got such an answer to a 2xx comes as {@link UnknownOutcomeError} with this
 * error as its `cause`.
 */
export class UnexpectedResponseError extends DigitalPostError {
  declare readonly code: UnexpectedResponseCode;
  override readonly retryable = false;
  readonly requestId: string | undefined;
  readonly method: string;
  readonly path: string;
  readonly status: number | undefined;
  /** The server's id of the request, when the answer named one (see {@link ApiError.serverRequestId}). */
  readonly serverRequestId: string | undefined;

  constructor(
    code: UnexpectedResponseCode,
    problem: string,
    context: ResponseContext,
    options?: { cause?: unknown },
  ) {
    const status = context.status === undefined ? '' : `${context.status} `;
    super(code, `${status}${context.method} ${context.path}: ${problem}`, options);
    this.requestId = context.requestId;
    this.method = context.method;
    this.path = context.path;
    this.status = context.status;
    this.serverRequestId = context.serverRequestId;
  }
}

/** What an {@link UnknownOutcomeError} knows about the call. */
export interface UnknownOutcomeDetails {
  /** The SDK call, e.g. `receipts.ack`, `memos.send`, `receipts.get` (with `delete: true`). */
  operation: string;
  /** What happened, e.g. "the answer was lost after the request was sent". */
  what: string;
  /** How to find out whether it took effect. */
  check: string;
  /** Whether making the same call again, unchanged, is safe. */
  retryable: boolean;
  /** The id of the last request of the call. */
  requestId: string | undefined;
}

/**
 * A call that changes something at NgDP — sends, acknowledges, recalls, deletes while reading — may
 * or may not have taken effect: an attempt was sent and its answer was lost (a timeout, a broken
 * connection), and what came after cannot tell (the retry found the receipt already gone, the letter
 * already recalled, the messageUUID already taken), or NgDP accepted it (2xx) with an answer that
 * cannot be read. The client never guesses either way: `check` says how to find out, `cause` is the
 * last failure, and `retryable` whether making the same call again, unchanged, is safe (a send with
 * the same messageUUID and bytes is; a deleting read is not).
 */
export class UnknownOutcomeError extends DigitalPostError {
  declare readonly code: 'UNKNOWN_OUTCOME';
  /** The SDK call, e.g. `receipts.ack`. */
  readonly operation: string;
  /** How to find out whether it took effect. */
  readonly check: string;
  /** Whether making the same call again, unchanged, is safe. */
  override readonly retryable: boolean;
  /** The id of the last request of the call. */
  readonly requestId: string | undefined;

  constructor(details: UnknownOutcomeDetails, options?: { cause?: unknown }) {
    super(
      'UNKNOWN_OUTCOME',
      `${details.operation} may or may not have taken effect: ${details.what}. ${details.check}`,
      options,
    );
    this.operation = details.operation;
    this.check = details.check;
    this.retryable = details.retryable;
    this.requestId = details.requestId;
  }
}

/**
 * The input is not a MeMo document at all: not well-formed XML, not UTF-8, a DOCTYPE or entity
 * declaration (never expanded), beyond the reader's limits (`XML_LIMIT_EXCEEDED`), or a root element
 * other than `memo:Message`.
 */
export class MemoParseError extends DigitalPostError {
  declare readonly code: MemoParseErrorCode;
  /** 1-based line of the problem, when known. */
  readonly line: number | undefined;
  /** 1-based column of the problem, when known. */
  readonly column: number | undefined;

  constructor(code: MemoParseErrorCode, message: string, position?: { line: number; column: number }) {
    super(code, message);
    this.line = position?.line;
    this.column = position?.column;
  }
}

/** A MeMo breaks the schema or NgDP's rules; `issues` lists every problem found. */
export class MemoValidationError extends DigitalPostError {
  declare readonly code: 'MEMO_INVALID';
  readonly issues: readonly MemoIssue[];

  /** The message names the first issue and counts the others; `issues` holds them all. */
  constructor(issues: readonly MemoIssue[], summary = 'MeMo is not valid') {
    super(
      'MEMO_INVALID',
      issues.length === 0 ? summary : `${summary}: ${describeIssues(issues, { limit: 1 })}`,
    );
    this.issues = issues;
  }
}

/** The model cannot be written as XML (a value of the wrong type, a 1.2-only element in 1.1, …). */
export class MemoSerializeError extends DigitalPostError {
  declare readonly code: 'MEMO_NOT_SERIALIZABLE';
  /** Where, as in {@link MemoIssue.path}. */
  readonly path: string;

  constructor(path: string, message: string) {
    super('MEMO_NOT_SERIALIZABLE', `${path ? `${path}: ` : ''}${message}`);
    this.path = path;
  }
}

/** A container that cannot be read (not LZMA, not tar, truncated) or breaks a limit. */
export class ContainerError extends DigitalPostError {
  declare readonly code: ContainerErrorCode;

  constructor(code: ContainerErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** A message of a batch that was not sent because it is not a valid MeMo, or repeats a messageUUID. */
export interface InvalidBatchMessage {
  /** Its 0-based position in the batch's input. */
  index: number;
  /** Its messageUUID, when one could be read. */
  messageUUID: string | undefined;
  /**
   * What is wrong, as issues: schema and NgDP rules, unreadable XML (`XML_MALFORMED`, …), a
   * messageUUID used earlier in the batch (`DUPLICATE_MESSAGE_UUID`).
   */
  error: MemoValidationError;
}

/** What a {@link BatchSendError} knows about the batch it stopped. */
export interface BatchSendErrorDetails {
  /** See {@link BatchSendError.containers}. */
  containers: ContainerReceipt[];
  /** See {@link BatchSendError.resumeFrom}. */
  resumeFrom: number;
  /** See {@link BatchSendError.unsentMessageUUIDs}. */
  unsentMessageUUIDs: string[];
  /** See {@link BatchSendError.skipped}. */
  skipped: InvalidBatchMessage[];
  /** See {@link BatchSendError.invalidMessage}. */
  invalidMessage: InvalidBatchMessage | undefined;
}

/**
 * `memos.sendBatch` stopped before the end of its input: a container was refused or could not be
 * delivered (after retries), a message was invalid, the input itself threw, `onProgress` threw, or
 * the signal aborted. `cause` is what happened. Everything needed to go on without sending a
 * message twice is here: the containers NgDP accepted, and `resumeFrom`, the position in the input
 * from which to send again.
 */
export class BatchSendError extends DigitalPostError {
  declare readonly code: 'BATCH_INCOMPLETE';
  /** The containers NgDP accepted, in order, each with its messageUUIDs. */
  readonly containers: readonly ContainerReceipt[];
  /** How many messages NgDP accepted (the sum over `containers`). */
  readonly accepted: number;
  /**
   * The 0-based position in the input of the first message not accepted: every message before it
   * is in `containers` or in `skipped`; none from it on was accepted. Send the input from here on
   * again (`messages.slice(error.resumeFrom)`).
   */
  readonly resumeFrom: number;
  /**
   * The valid messages read from the input but not confirmed accepted (those of the container that
   * failed or was being filled). Messages after them were never read. A container whose answer was
   * lost may have arrived: sending the same messages again, unchanged, is the way on (the simulator
   * takes an identical repeat as the same message; docs/bulk-and-sftp.md).
   */
  readonly unsentMessageUUIDs: readonly string[];
  /** With `onInvalid: 'skip'`: the invalid messages before `resumeFrom`, not sent. */
  readonly skipped: readonly InvalidBatchMessage[];
  /** The invalid message that stopped the batch (`onInvalid: 'throw'`); its error is `cause`. */
  readonly invalidMessage: InvalidBatchMessage | undefined;

  constructor(details: BatchSendErrorDetails, cause: unknown) {
    const accepted = details.containers.reduce((sum, container) => sum + container.messageUUIDs.length, 0);
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(
      'BATCH_INCOMPLETE',
      `the batch stopped after ${accepted} accepted messages in ${details.containers.length} containers ` +
        `(resume from index ${details.resumeFrom}): ${reason}`,
      { cause },
    );
    this.containers = details.containers;
    this.accepted = accepted;
    this.resumeFrom = details.resumeFrom;
    this.unsentMessageUUIDs = details.unsentMessageUUIDs;
    this.skipped = details.skipped;
    this.invalidMessage = details.invalidMessage;
  }
}

/** Where an {@link SftpError} happened. */
export interface SftpErrorDetails {
  /** `host:port` of the server, or the journal file for journal errors. */
  where: string;
  /** The remote path of a refused operation. */
  path?: string;
  /** The server's host key fingerprint, when known (`SHA256:…`). */
  hostKeyFingerprint?: string;
}

/**
 * SFTP mass sending failed: the login (key, host key), the connection, an operation the server
 * refused, or the local journal. The message says what and where; it never holds a private key or a
 * passphrase.
 */
export class SftpError extends DigitalPostError {
  declare readonly code: SftpErrorCode;
  /** `host:port` of the server (the journal file for journal errors). */
  readonly where: string;
  /** The remote path of a refused operation. */
  readonly path: string | undefined;
  /** The host key fingerprint the server presented, when known. */
  readonly hostKeyFingerprint: string | undefined;
  /** Whether trying again later may succeed (a broken connection, a timeout). */
  override readonly retryable: boolean;

  constructor(
    code: SftpErrorCode,
    message: string,
    details: SftpErrorDetails,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
    this.where = details.where;
    this.path = details.path;
    this.hostKeyFingerprint = details.hostKeyFingerprint;
    this.retryable = code === 'SFTP_CONNECTION_FAILED' || code === 'SFTP_TIMEOUT';
  }
}

/** What an {@link SftpSendError} knows about the run it stopped. */
export interface SftpSendErrorDetails {
  /** See {@link SftpSendError.uploads}. */
  uploads: SftpUpload[];
  /** See {@link SftpSendError.skipped}. */
  skipped: InvalidBatchMessage[];
  /** See {@link SftpSendError.invalidMessage}. */
  invalidMessage: InvalidBatchMessage | undefined;
}

/**
 * `SftpSender.send` or `sendFiles` stopped before the end of its input: the connection broke, the
 * server refused an upload, a message or file was invalid (`onInvalid: 'throw'`), the input or
 * `onProgress` threw, or the signal aborted. `cause` is what happened. `uploads` are complete on the
 * server. With a journal, running the same input again sends exactly what is missing.
 */
export class SftpSendError extends DigitalPostError {
  declare readonly code: 'SFTP_SEND_INCOMPLETE';
  /** The containers and files uploaded (and renamed to their final names) before it stopped. */
  readonly uploads: readonly SftpUpload[];
  /** How many messages those containers hold. */
  readonly uploaded: number;
  /** With `onInvalid: 'skip'`: the invalid messages or files left out so far. */
  readonly skipped: readonly InvalidBatchMessage[];
  /** With `onInvalid: 'throw'`: the invalid message or file that stopped it; its error is `cause`. */
  readonly invalidMessage: InvalidBatchMessage | undefined;

  constructor(details: SftpSendErrorDetails, cause: unknown) {
    const uploaded = details.uploads.reduce((sum, upload) => sum + upload.messageUUIDs.length, 0);
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(
      'SFTP_SEND_INCOMPLETE',
      `the SFTP upload stopped after ${details.uploads.length} uploaded files: ${reason}`,
      { cause },
    );
    this.uploads = details.uploads;
    this.uploaded = uploaded;
    this.skipped = details.skipped;
    this.invalidMessage = details.invalidMessage;
  }
}

/**
 * A request a receiver refused, and the status it answered. Receivers pass it to `onError` (or the
 * error behind it, as `cause`) so that a sender who keeps failing is noticed.
 */
export class ReceiverRefusal extends DigitalPostError {
  declare readonly code: ReceiverRefusalCode;
  /** The HTTP status the receiver answered. */
  readonly status: number;

  constructor(status: number, code: ReceiverRefusalCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.status = status;
  }
}

/**
 * `digitalpost/testing`: a request nobody answers — not for the dispatcher's origin, and no
 * fallback was given.
 */
export class NoResponderError extends DigitalPostError {
  declare readonly code: 'TESTING_NOT_HANDLED';

  constructor(message: string) {
    super('TESTING_NOT_HANDLED', message);
  }
}

/** `digitalpost/simulator`: the simulator's options are not valid (a seed, a folder, a port, …). */
export class SimulatorConfigError extends DigitalPostError {
  declare readonly code: 'SIMULATOR_CONFIG_INVALID';

  constructor(message: string) {
    super('SIMULATOR_CONFIG_INVALID', message);
  }
}

/** `digitalpost/simulator`: the data file (`--data-dir`) cannot be used as the simulator's store. */
export class StoreFileError extends DigitalPostError {
  declare readonly code: StoreFileErrorCode;

  constructor(code: StoreFileErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/**
 * `digitalpost/conformance`: a run could not be set up or driven — the vendor's command could not
 * start, the simulator or an endpoint could not be reached, a report could not be written. Nothing
 * was judged: the CLI exits 2, as for a usage error (a bad option is an {@link InvalidOptionsError}).
 */
export class ConformanceSetupError extends DigitalPostError {
  declare readonly code: 'CONFORMANCE_SETUP_FAILED';

  constructor(message: string, options?: { cause?: unknown }) {
    super('CONFORMANCE_SETUP_FAILED', message, options);
  }
}
