/**
 * digitalpost: a TypeScript toolkit for Denmark's Next generation Digital Post (NgDP).
 *
 * @packageDocumentation
 */
export * from './client/index.ts';
export {
  ApiError,
  type ApiErrorCode,
  type ApiErrorDetails,
  AuthenticationError,
  BadRequestError,
  BatchSendError,
  type BatchSendErrorDetails,
  ConflictError,
  ConformanceSetupError,
  ConnectionError,
  DigitalPostError,
  type DigitalPostErrorCode,
  DuplicateMessageError,
  type FieldError,
  type InvalidBatchMessage,
  InvalidOptionsError,
  isDigitalPostError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  RETRYABLE_STATUSES,
  type ResponseContext,
  ServiceUnavailableError,
  SftpError,
  type SftpErrorCode,
  type SftpErrorDetails,
  SftpSendError,
  type SftpSendErrorDetails,
  SimulatorConfigError,
  StoreFileError,
  type StoreFileErrorCode,
  type TechnicalReceipt,
  TimeoutError,
  type UnexpectedResponseCode,
  UnexpectedResponseError,
  type UnknownOutcomeDetails,
  UnknownOutcomeError,
  UnprocessableEntityError,
} from './errors.ts';
export type { ClientClock } from './http/deadline.ts';
export type { ResponseLimits } from './http/limits.ts';
export type { RetryOptions } from './http/retry.ts';
export type { RequestLogEvent, RequestOptions, ResponseInfo } from './http/transport.ts';
export * from './memo/index.ts';
export * from './ngdp/enums.ts';
export * from './ngdp/identifiers.ts';
export type { ErrorMessage, FieldErrorResource } from './ngdp/wire.ts';
export * from './receivers/index.ts';
export * from './sftp/index.ts';
