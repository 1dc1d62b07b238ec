/**
 * digitalpost: a TypeScript toolkit for Denmark's Next generation Digital Post (NgDP).
 *
 * @packageDocumentation
 */
export { DigitalPostError, MemoParseError, type MemoParseErrorCode, MemoValidationError } from './errors.ts';
export * from './memo/index.ts';
