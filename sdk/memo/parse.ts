import { MemoValidationError } from '../errors.ts';
import { readMemo } from './reader.ts';
import type { Memo } from './types.ts';
import { type ValidateOptions, validateMemo, validationSettings } from './validate.ts';

/** Options of {@link parseMemo}. */
export interface ParseOptions extends ValidateOptions {
  /**
   * Return whatever could be read instead of throwing on schema problems. The model may then lack
   * elements the schema (and the TypeScript type) require. Default false.
   */
  lenient?: boolean;
}

/**
 * Parses a MeMo from XML (a string, or UTF-8 bytes such as a Buffer; a BOM is fine). Any namespace
 * prefix, or a default namespace, is accepted; identifiers stay strings.
 *
 * By default the result is checked against the schema (`rules: 'schema'`); pass `rules: 'ngdp'` to
 * apply NgDP's rules too, or `lenient: true` to skip the checks.
 *
 * @throws MemoParseError when the input is not a MeMo document at all (not well-formed, not UTF-8,
 *   a DOCTYPE or entity declaration, beyond the reader's limits, another root element).
 * @throws MemoValidationError listing every problem, unless `lenient`.
 */
export function parseMemo(input: string | Uint8Array, options: ParseOptions = {}): Memo {
  const { notificationMaxLength, maxValueLength, maxElements } = validationSettings(options);
  const { memo, issues } = readMemo(input, {
    notificationMaxLength,
    maxValueLength,
    maxElements,
    ...(options.version === undefined ? {} : { version: options.version }),
  });
  if (options.lenient) return memo;
  const result = validateMemo(memo, { rules: 'schema', ...options });
  issues.push(...result.issues);
  if (issues.length > 0) throw new MemoValidationError(issues);
  return memo;
}
