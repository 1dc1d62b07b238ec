/**
 * The one error hierarchy of digitalpost. Every error has a stable `code` to branch on; messages
 * never contain API keys, private keys or full CPR numbers.
 */
import type { MemoIssue } from './memo/types.ts';

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

  constructor(issues: readonly MemoIssue[], summary = 'MeMo is not valid') {
    const first = issues[0];
    const detail = first === undefined ? '' : `: ${first.path ? `${first.path}: ` : ''}${first.message}`;
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
    super('MEMO_INVALID', `${summary}${detail}${more}`);
    this.issues = issues;
  }
}
