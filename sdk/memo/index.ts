/**
 * `digitalpost/memo`: the MeMo message format — types, builders, parser, validator and serializer
 * for MeMo 1.1 and 1.2.
 *
 * @packageDocumentation
 */
export {
  ContainerError,
  type ContainerErrorCode,
  isDigitalPostError,
  MemoParseError,
  type MemoParseErrorCode,
  MemoSerializeError,
  MemoValidationError,
} from '../errors.ts';
export { decodeBase64, encodeBase64 } from './base64.ts';
export {
  type CommonOptions,
  createLetter,
  createNemSms,
  createReply,
  type DocumentInput,
  type FileInput,
  type LetterOptions,
  type NemSmsOptions,
  newMessageUUID,
  type RecipientInput,
  type ReplyOptions,
  type SenderInput,
  toCopenhagenDate,
  toMemoDateTime,
} from './builder.ts';
export {
  type ContainerEntry,
  type ContainerInput,
  type ReadContainerOptions,
  readContainer,
  type WriteContainerOptions,
  writeContainer,
} from './container.ts';
export { type DescribeIssuesOptions, describeIssues } from './issues.ts';
export { type ParseOptions, parseMemo } from './parse.ts';
export { ACTION_CODES, FORBIDDEN_FILENAME_CHARACTERS } from './rules.ts';
export { MEMO_NAMESPACES } from './schema.ts';
export type * from './types.ts';
export { type ValidateOptions, type ValidationResult, validateMemo } from './validate.ts';
export { type SerializeOptions, serializeMemo, serializeMemoToBytes } from './writer.ts';
