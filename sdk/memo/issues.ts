/**
 * A list of MeMo issues as one line of text: for error messages, INVALID receipts and a refusal's
 * reason. The one rule for it, so that every place says the same about the same MeMo.
 */
import { InvalidOptionsError } from '../errors.ts';
import { maskCpr } from '../ngdp/identifiers.ts';
import type { MemoIssue } from './types.ts';

/** Options of {@link describeIssues}. */
export interface DescribeIssuesOptions {
  /** List at most this many issues (default all); the rest are counted: ` (and 3 more)`. */
  limit?: number;
  /** Cut the text to at most this many characters, ending in `…` when cut (default no limit). */
  maxLength?: number;
}

/**
 * The issues as `path: message`, joined by `; `, then ` (and N more)` for those beyond `limit`,
 * with CPR numbers masked (the text travels into receipts and logs). An issue without a path (the
 * document as a whole) is its message alone. Empty for no issues.
 *
 * @example
 * describeIssues(result.issues, { limit: 1 });
 * // 'MessageHeader/label: label must not be empty (and 2 more)'
 */
export function describeIssues(issues: readonly MemoIssue[], options: DescribeIssuesOptions = {}): string {
  const { limit, maxLength } = options;
  if (limit !== undefined && !(Number.isInteger(limit) && limit >= 0))
    throw new InvalidOptionsError(
      `describeIssues: limit must be a non-negative integer, got ${String(limit)}`,
    );
  if (maxLength !== undefined && !(Number.isInteger(maxLength) && maxLength > 0))
    throw new InvalidOptionsError(
      `describeIssues: maxLength must be a positive integer, got ${String(maxLength)}`,
    );
  const listed = issues.slice(0, limit ?? issues.length);
  const more = issues.length - listed.length;
  const text = listed.map((issue) => (issue.path ? `${issue.path}: ${issue.message}` : issue.message));
  return clip(maskCpr(`${text.join('; ')}${more > 0 ? ` (and ${more} more)` : ''}`), maxLength);
}

/** `text` cut to at most `maxLength` characters, the last one `…` when cut. */
export function clip(text: string, maxLength: number | undefined): string {
  return maxLength === undefined || text.length <= maxLength ? text : `${text.slice(0, maxLength - 1)}…`;
}
