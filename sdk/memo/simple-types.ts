/**
 * Lexical rules of the MeMo simple types (the `dt:` types and the XSD built-ins they restrict),
 * checked exactly as an XSD 1.0 processor does: whitespace handling first, then the lexical space,
 * then the facets. Lengths count Unicode code points.
 */
import { type LengthLimits, maxLengthOf, tooLongProblem } from './limits.ts';
import type { SimpleTypeName } from './schema.ts';

/** The problem found in a value: an issue code and a sentence completing "<element> …". */
export interface SimpleTypeProblem {
  code: string;
  message: string;
}

/** Types whose whitespace facet is `collapse` (everything derived from a non-string built-in). */
const COLLAPSED: ReadonlySet<SimpleTypeName> = new Set([
  'dateTime',
  'date',
  'boolean',
  'language',
  'uri',
  'gln',
  'pNumber',
  'base64',
]);

const XML_WHITESPACE_RUN = /[\t\n\r ]+/g;

/** XSD whitespace collapse: runs of whitespace become one space, leading and trailing removed. */
export function collapseWhitespace(value: string): string {
  // Only #x20, #x9, #xA and #xD are XML whitespace; String.prototype.trim would strip more.
  const collapsed = value.replace(XML_WHITESPACE_RUN, ' ');
  const start = collapsed.startsWith(' ') ? 1 : 0;
  const end = collapsed.length > start && collapsed.endsWith(' ') ? collapsed.length - 1 : collapsed.length;
  return collapsed.slice(start, end);
}

export function isCollapsed(type: SimpleTypeName): boolean {
  return COLLAPSED.has(type);
}

/** Length in Unicode code points (what XSD `maxLength` counts), without allocating. */
export function codePointLength(value: string): number {
  let length = value.length;
  for (let i = 0; i < value.length; i++) {
    const unit = value.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < value.length) {
      const next = value.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        length--;
        i++;
      }
    }
  }
  return length;
}

function tooLong(value: string, max: number): SimpleTypeProblem | undefined {
  // A string never has more code points than UTF-16 units, so short ones need no counting.
  if (value.length <= max) return undefined;
  const length = codePointLength(value);
  return length <= max ? undefined : tooLongProblem(length, max);
}

const UUID_V4 = /^[a-fA-F0-9]{8}-[a-fA-F0-9]{4}-4[a-fA-F0-9]{3}-[aAbB89][a-fA-F0-9]{3}-[a-fA-F0-9]{12}$/;
const DATE_TIME = /^-?(\d{4,})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)?$/;
const DATE = /^-?(\d{4,})-(\d\d)-(\d\d)(Z|[+-]\d\d:\d\d)?$/;
const LANGUAGE = /^[a-zA-Z]{1,8}(?:-[a-zA-Z0-9]{1,8})*$/;
const LONG = /^[+-]?\d+$/;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;

function daysInMonth(year: number, month: number): number {
  if (month === 2) {
    const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
    return leap ? 29 : 28;
  }
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

function validYearMonthDay(yearText: string, monthText: string, dayText: string): boolean {
  if (yearText.length > 4 && yearText.startsWith('0')) return false;
  const year = Number(yearText);
  const month = Number(monthText);
  const day = Number(dayText);
  if (year === 0 || month < 1 || month > 12 || day < 1) return false;
  return day <= daysInMonth(year, month);
}

function validTimezone(zone: string | undefined): boolean {
  if (zone === undefined || zone === 'Z') return true;
  const hours = Number(zone.slice(1, 3));
  const minutes = Number(zone.slice(4, 6));
  return minutes <= 59 && (hours < 14 || (hours === 14 && minutes === 0));
}

/** Whether `value` is in the lexical space of `xs:dateTime` (24:00:00 allowed, as XSD 1.0 2nd ed.). */
export function isXsdDateTime(value: string): boolean {
  const m = DATE_TIME.exec(value);
  if (m === null) return false;
  const [, year = '', month = '', day = '', hh = '', mm = '', ss = '', fraction, zone] = m;
  if (!validYearMonthDay(year, month, day) || !validTimezone(zone)) return false;
  const hours = Number(hh);
  const minutes = Number(mm);
  const seconds = Number(ss);
  if (hours === 24)
    return minutes === 0 && seconds === 0 && (fraction === undefined || /^0+$/.test(fraction));
  return hours <= 23 && minutes <= 59 && seconds <= 59;
}

/** Whether `value` is in the lexical space of `xs:date`. */
export function isXsdDate(value: string): boolean {
  const m = DATE.exec(value);
  if (m === null) return false;
  const [, year = '', month = '', day = '', zone] = m;
  return validYearMonthDay(year, month, day) && validTimezone(zone);
}

/** Whether `value` is an `xs:decimal` literal. */
export function isXsdDecimal(value: string): boolean {
  return DECIMAL.test(value);
}

/** `xs:boolean` literal to its value, or `undefined` when it is not one. */
export function parseXsdBoolean(value: string): boolean | undefined {
  switch (value) {
    case 'true':
    case '1':
      return true;
    case 'false':
    case '0':
      return false;
    default:
      return undefined;
  }
}

// RFC 3986 URI-reference, which is what an XSD processor parses `xs:anyURI` with once characters
// that may not appear literally (spaces, non-ASCII, <>"{}|\^`') are taken as escaped.
const PCT = '%[0-9A-Fa-f]{2}';
const UNRESERVED = 'A-Za-z0-9\\-._~';
const SUB_DELIMS = "!$&'()*+,;=";
const PCHAR = `(?:[${UNRESERVED}${SUB_DELIMS}:@]|${PCT})`;
const SEGMENT = `${PCHAR}*`;
const SEGMENT_NZ = `${PCHAR}+`;
const SEGMENT_NZ_NC = `(?:[${UNRESERVED}${SUB_DELIMS}@]|${PCT})+`;
const IP_LITERAL = `\\[(?:[0-9A-Fa-f:.]+|v[0-9A-Fa-f]+\\.[${UNRESERVED}${SUB_DELIMS}:]+)\\]`;
const REG_NAME = `(?:[${UNRESERVED}${SUB_DELIMS}]|${PCT})*`;
const USERINFO = `(?:[${UNRESERVED}${SUB_DELIMS}:]|${PCT})*`;
const AUTHORITY = `(?:${USERINFO}@)?(?:${IP_LITERAL}|${REG_NAME})(?::\\d*)?`;
const PATH_ABEMPTY = `(?:/${SEGMENT})*`;
const PATH_ABSOLUTE = `/(?:${SEGMENT_NZ}(?:/${SEGMENT})*)?`;
const PATH_ROOTLESS = `${SEGMENT_NZ}(?:/${SEGMENT})*`;
const PATH_NOSCHEME = `${SEGMENT_NZ_NC}(?:/${SEGMENT})*`;
const QUERY = `(?:${PCHAR}|[/?])*`;
// RFC 2732 added "[" and "]" to the reserved characters of RFC 2396, on which XSD 1.0 builds anyURI;
// an XSD processor (libxml2) accepts them in a fragment.
const FRAGMENT = `(?:${PCHAR}|[/?\\[\\]])*`;
const HIER = `(?://${AUTHORITY}${PATH_ABEMPTY}|${PATH_ABSOLUTE}|${PATH_ROOTLESS})?`;
const RELATIVE = `(?://${AUTHORITY}${PATH_ABEMPTY}|${PATH_ABSOLUTE}|${PATH_NOSCHEME})?`;
const URI_REFERENCE = new RegExp(
  `^(?:[A-Za-z][A-Za-z0-9+\\-.]*:${HIER}|${RELATIVE})(?:\\?${QUERY})?(?:#${FRAGMENT})?$`,
);
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are exactly the characters to escape
const URI_ESCAPED = /[\u0000-\u0020\u007f-\uffff<>"{}|\\^`']/g;

/** Whether `value` is an `xs:anyURI` literal. */
export function isXsdAnyUri(value: string): boolean {
  return URI_REFERENCE.test(value.replace(URI_ESCAPED, '_'));
}

/** The XML 1.0 `Char` production, negated: characters that cannot appear in an XML document. */
export const NON_XML_CHARACTER =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching forbidden control characters is the point
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Checks a string value of a MeMo leaf (not `boolean` or `base64`, which the model holds decoded).
 * Returns the first problem, or `undefined` when the value is valid. `wholeLength` is the length of
 * a value the reader cut (limits.ts): it is too long, whatever else is wrong with its start.
 */
export function checkSimpleValue(
  type: SimpleTypeName,
  raw: string,
  limits: LengthLimits,
  wholeLength?: number,
): SimpleTypeProblem | undefined {
  if (type === 'base64') return undefined;
  const max = maxLengthOf(type, limits);
  if (wholeLength !== undefined && wholeLength > max) return tooLongProblem(wholeLength, max);
  if (NON_XML_CHARACTER.test(raw)) {
    return { code: 'INVALID_CHARACTER', message: 'contains a character that XML cannot carry' };
  }
  const value = COLLAPSED.has(type) ? collapseWhitespace(raw) : raw;
  // A language or URI is first checked for what it is (as an XSD processor does: pattern, then facets).
  if (type !== 'language' && type !== 'uri') {
    const long = tooLong(value, max);
    if (long !== undefined) return long;
  }
  switch (type) {
    case 'text':
    case 'comment':
    case 'notification':
    case 'licenseNumber':
      return undefined;
    case 'uuid':
      return UUID_V4.test(value)
        ? undefined
        : { code: 'INVALID_UUID', message: `must be a version 4 UUID, got "${value}"` };
    case 'messageType':
      return value === 'DIGITALPOST' || value === 'NEMSMS'
        ? undefined
        : { code: 'INVALID_ENUM', message: `must be DIGITALPOST or NEMSMS, got "${value}"` };
    case 'dateTime':
      if (!isXsdDateTime(value)) {
        return {
          code: 'INVALID_DATETIME',
          message: `must be a date-time like 2025-06-01T08:30:00Z, got "${value}"`,
        };
      }
      return value.endsWith('Z')
        ? undefined
        : { code: 'DATETIME_NOT_UTC', message: `must be in UTC and end in Z, got "${value}"` };
    case 'date':
      return isXsdDate(value)
        ? undefined
        : { code: 'INVALID_DATE', message: `must be a date like 2025-06-02, got "${value}"` };
    case 'language':
      if (!LANGUAGE.test(value)) {
        return { code: 'INVALID_LANGUAGE', message: `must be a language code like "da", got "${value}"` };
      }
      return tooLong(value, max);
    case 'uri':
      if (!isXsdAnyUri(value)) return { code: 'INVALID_URI', message: `must be a URI, got "${value}"` };
      return tooLong(value, max);
    case 'gln':
      return checkLong(value, 9_999_999_999_999n);
    case 'pNumber':
      return checkLong(value, 9_999_999_999n);
    case 'boolean':
      return parseXsdBoolean(value) === undefined
        ? { code: 'INVALID_BOOLEAN', message: `must be true or false, got "${value}"` }
        : undefined;
  }
}

function checkLong(value: string, maxInclusive: bigint): SimpleTypeProblem | undefined {
  if (!LONG.test(value)) return { code: 'INVALID_NUMBER', message: `must be an integer, got "${value}"` };
  const number = BigInt(value);
  if (number < INT64_MIN || number > maxInclusive || number > INT64_MAX) {
    return { code: 'VALUE_OUT_OF_RANGE', message: `must be at most ${maxInclusive}, got ${value}` };
  }
  return undefined;
}
