/**
 * The one error hierarchy of digitalpost, in the style of stripe-node and openai-node. Every error
 * has a stable `code` to branch on; messages never contain API keys, private keys or full CPR
 * numbers.
 *
 * ```
 * DigitalPostError
 * ├── ApiError (status, code, fieldErrors, retryable, requestId)
 * │   ├── BadRequestError 400
 * │   ├── AuthenticationError 401
 * │   ├── PermissionDeniedError 403
 * │   ├── NotFoundError 404
 * │   ├── ConflictError 409
 * │   │   └── DuplicateMessageError (the messageUUID was used for another message)
 * │   ├── UnprocessableEntityError 422
 * │   └── ServiceUnavailableError 503
 * ├── ConnectionError, TimeoutError
 * ├── MemoParseError, MemoValidationError
 * ├── BatchSendError (memos.sendBatch stopped; what was accepted, where to resume)
 * ├── SftpError (SFTP: login, host key, connection, refused operations, the local journal)
 * └── SftpSendError (SftpSender.send/sendFiles stopped; what was uploaded)
 * ```
 */
import type { ContainerReceipt } from './client/types.ts';
import { describeIssues } from './memo/issues.ts';
import type { MemoIssue } from './memo/types.ts';
import type { SftpUpload } from './sftp/types.ts';

/** The base class of every error this package throws. */
export class DigitalPostError extends Error {
  /** A stable, machine-readable code. */
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** One entry of NgDP's `ErrorMessage.fieldErrors`. */
export interface FieldError {
  resource?: string;
  field?: string;
  code?: string;
  message?: string;
  rejectedValue?: unknown;
}

/** What an {@link ApiError} knows about the call that failed. */
export interface ApiErrorDetails {
  status: number;
  /** NgDP's `ErrorMessage.code`, or `HTTP_<status>` when the answer had none. */
  code?: string;
  message: string;
  fieldErrors?: FieldError[];
  /** The client's id of this call (also in its log lines). */
  requestId: string;
  method: string;
  /** The path called, with CPR numbers masked. */
  path: string;
  /** Response headers. */
  headers?: Record<string, string | string[] | undefined>;
  /** The parsed body, when it was JSON. */
  body?: unknown;
}

/** NgDP answered with an error status. */
export class ApiError extends DigitalPostError {
  readonly status: number;
  /** NgDP's own message (`ErrorMessage.message`), without the status and path. */
  readonly detail: string;
  readonly fieldErrors: FieldError[];
  /** Whether sending the same request again may succeed. */
  readonly retryable: boolean;
  readonly requestId: string;
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
    this.retryable = details.status === 503;
    this.requestId = details.requestId;
    this.method = details.method;
    this.path = details.path;
    this.headers = details.headers ?? {};
    this.body = details.body;
  }
}

export class BadRequestError extends ApiError {}
export class AuthenticationError extends ApiError {}
export class PermissionDeniedError extends ApiError {}
export class NotFoundError extends ApiError {}
export class ConflictError extends ApiError {}
export class UnprocessableEntityError extends ApiError {}
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
 * NgDP already holds a different message under this messageUUID (409 `DUPLICATE_MESSAGE_UUID`). The
 * letter was not sent twice. `originalReceipt` is the technical receipt of the message NgDP holds,
 * when known (from NgDP's answer, or from this client's own earlier send).
 */
export class DuplicateMessageError extends ConflictError {
  readonly messageUUID: string;
  readonly originalReceipt: TechnicalReceipt | undefined;

  constructor(details: ApiErrorDetails, messageUUID: string, originalReceipt: TechnicalReceipt | undefined) {
    super(details);
    this.messageUUID = messageUUID;
    this.originalReceipt = originalReceipt;
  }
}

/** The connection to NgDP failed (DNS, refused, reset, TLS). Retryable. */
export class ConnectionError extends DigitalPostError {
  readonly retryable = true;
  readonly requestId: string;

  constructor(message: string, requestId: string, options?: { cause?: unknown }) {
    super('CONNECTION_FAILED', message, options);
    this.requestId = requestId;
  }
}

/** NgDP did not answer in time. Retryable: a send is repeated with the same messageUUID and bytes. */
export class TimeoutError extends DigitalPostError {
  readonly retryable = true;
  readonly requestId: string;

  constructor(message: string, requestId: string, options?: { cause?: unknown }) {
    super('TIMEOUT', message, options);
    this.requestId = requestId;
  }
}

/** Codes of {@link MemoParseError}. */
export type MemoParseErrorCode =
  | 'XML_MALFORMED'
  | 'XML_FORBIDDEN_MARKUP'
  | 'XML_ENCODING_UNSUPPORTED'
  | 'NOT_A_MEMO';

/**
 * The input is not a MeMo document at all: not well-formed XML, not UTF-8, a DOCTYPE or entity
 * declaration (never expanded), or a root element other than `memo:Message`.
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

/** Codes of {@link SftpError}. */
export type SftpErrorCode =
  /** The server refused the user name with this key. */
  | 'SFTP_AUTH_FAILED'
  /** The server's host key is not the pinned one: maybe not the server you mean. */
  | 'SFTP_HOST_KEY_MISMATCH'
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
  | 'SFTP_JOURNAL_INVALID';

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
  readonly retryable: boolean;

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
