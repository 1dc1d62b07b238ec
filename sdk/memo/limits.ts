/**
 * How long each MeMo value may be, and how much of a document the reader takes — written once here.
 * The validator reports a value beyond its limit as `VALUE_TOO_LONG`; the reader never holds more of
 * a value than its limit (plus one character), so a 100 MB label costs what a 257-character one does.
 * docs/memo.md ("Limits") restates this table, and a test holds the two together.
 *
 * Lengths are Unicode code points of the value as XSD measures it: after whitespace is collapsed
 * for the types that collapse it (dates, booleans, numbers, language, URI). Where the schema gives a
 * maxLength, that is the limit. Where it gives none — UUIDs, the message type, dates, booleans and
 * numbers, whose patterns keep a valid value to a few dozen characters — the limit is ours,
 * `maxValueLength` (default 1,000). `File/content` has no length limit: its size is an NgDP rule
 * (`maxTotalContentBytes`), and the reader decodes it straight from the input bytes.
 */
import { InvalidOptionsError } from '../errors.ts';
import type { SimpleTypeName } from './schema.ts';

/** A limit in characters, or the option that sets it. */
export type LengthLimit = number | 'notificationMaxLength' | 'maxValueLength';

/** The longest value of each simple type of MeMo. */
export const VALUE_LIMITS: Readonly<Record<Exclude<SimpleTypeName, 'base64'>, LengthLimit>> = {
  /** dt:memoTextType: labels, identifiers, names, … — most MeMo fields. */
  text: 256,
  /** dt:memoCommentType: ForwardData/comment, ReplyData/comment. */
  comment: 512,
  /** dt:memoNotificationType: 150 in DIGST's 1.1 schema, 160 in memo-lib's copy. */
  notification: 'notificationMaxLength',
  /** dt:memoUriType: EntryPoint/url. */
  uri: 256,
  /** dt:memoLanguageType: File/language. */
  language: 2,
  /** dt:memoLicenseNumberType: MotorVehicle/licenseNumber. */
  licenseNumber: 7,
  uuid: 'maxValueLength',
  messageType: 'maxValueLength',
  dateTime: 'maxValueLength',
  date: 'maxValueLength',
  boolean: 'maxValueLength',
  gln: 'maxValueLength',
  pNumber: 'maxValueLength',
};

/** The limits a caller may set (see {@link ReadLimitOptions}). */
export interface LengthLimits {
  notificationMaxLength: number;
  maxValueLength: number;
}

/** Options of the reader's limits, shared by `validateMemo`, `parseMemo` and the reader. */
export interface ReadLimitOptions {
  /**
   * Maximum length of `notification` (the NemSMS text). Default 150, as in DIGST's MeMo 1.1 schema;
   * memo-lib's schema copy allows 160.
   */
  notificationMaxLength?: number;
  /**
   * Maximum length of values whose schema type has no maxLength (UUIDs, dates, booleans, numbers,
   * `messageType`, the `memoVersion` attribute) and of namespace names. Default 1,000.
   */
  maxValueLength?: number;
  /**
   * Maximum number of elements and attributes (namespace declarations included) in a document;
   * beyond it the reader refuses the document (`XML_LIMIT_EXCEEDED`). Default 10,000.
   */
  maxElements?: number;
}

export const DEFAULT_LIMITS: Readonly<Required<ReadLimitOptions>> = {
  notificationMaxLength: 150,
  maxValueLength: 1000,
  maxElements: 10_000,
};

/** Longest element or attribute name (prefix included), in bytes — as JAXP's `maxXMLNameLimit`. */
export const MAX_NAME_BYTES = 1000;

/**
 * Most bytes handed to the XML parser: the document without the texts and attribute values the
 * reader lifts out (a rich MeMo has about 10 KB of it). The parser needs some 40 bytes of memory per
 * byte it sees, so this bounds its memory at about 40 MB.
 */
export const MAX_MARKUP_BYTES = 1 << 20;

/** The maximum length of a value of `type`, in characters. */
export function maxLengthOf(type: Exclude<SimpleTypeName, 'base64'>, limits: LengthLimits): number {
  const limit = VALUE_LIMITS[type];
  return typeof limit === 'number' ? limit : limits[limit];
}

/** The problem of a value longer than `max`: code and the sentence completing "<element> …". */
export function tooLongProblem(length: number, max: number): { code: 'VALUE_TOO_LONG'; message: string } {
  return { code: 'VALUE_TOO_LONG', message: `is ${length} characters long; at most ${max} are allowed` };
}

/** Checks a limit option: a non-negative integer (a positive one for `maxElements`). */
export function checkLimitOption(value: unknown, name: keyof ReadLimitOptions, caller: string): number {
  const least = name === 'maxElements' ? 1 : 0;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < least) {
    throw new InvalidOptionsError(
      `${caller}: ${name} must be ${least === 0 ? 'a non-negative' : 'a positive'} integer, got ${String(value)}`,
    );
  }
  return value;
}

// The reader keeps a value beyond its limit cut to the limit plus one character, so that the model
// still breaks the rule; its whole length is noted here for the validator to report. A WeakMap keyed
// by the object holding the value, so the note lives exactly as long as the model does.
const wholeLengths = new WeakMap<object, Map<string, number>>();

/** Notes that `owner[key]` holds only the start of a value `length` characters long. */
export function noteCutValue(owner: object, key: string, length: number): void {
  let lengths = wholeLengths.get(owner);
  if (lengths === undefined) {
    lengths = new Map();
    wholeLengths.set(owner, lengths);
  }
  lengths.set(key, length);
}

/** The whole length of a value the reader cut, or undefined when `owner[key]` is whole. */
export function cutValueLength(owner: object, key: string): number | undefined {
  return wholeLengths.get(owner)?.get(key);
}
