/**
 * NgDP's identifiers: UUIDs (messageUUID, transmissionId, system and receipt ids), CPR numbers
 * (citizens) and CVR numbers (companies and authorities). Each rule is written here once; the SDK,
 * the simulator and the CLI all ask these functions.
 */

/** A UUID in its 8-4-4-4-12 hex form, any case (NgDP compares them case-insensitively). */
export const UUID_PATTERN: RegExp = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A CPR number as NgDP takes it: exactly 10 digits, no separator. */
export const CPR_NUMBER_PATTERN: RegExp = /^\d{10}$/;

/** A CVR number: exactly 8 digits. */
export const CVR_NUMBER_PATTERN: RegExp = /^\d{8}$/;

/** Whether `value` is a UUID (any case). */
export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID_PATTERN.test(value);
}

/** Whether `value` is a CPR number (10 digits). */
export function isCprNumber(value: unknown): value is string {
  return typeof value === 'string' && CPR_NUMBER_PATTERN.test(value);
}

/** Whether `value` is a CVR number (8 digits). */
export function isCvrNumber(value: unknown): value is string {
  return typeof value === 'string' && CVR_NUMBER_PATTERN.test(value);
}

/** Which kind of party number `value` is, by its form: `CPR` (10 digits), `CVR` (8 digits) or neither. */
export function partyNumberKind(value: unknown): 'CPR' | 'CVR' | undefined {
  if (isCprNumber(value)) return 'CPR';
  if (isCvrNumber(value)) return 'CVR';
  return undefined;
}

/**
 * CPR numbers (10 digits on their own, not inside a UUID or a longer number) shown as `DDMMYY****`,
 * and in their written form `DDMMYY-SSSS` as `DDMMYY-****`, for logs and error messages. A
 * percent-escape such as the `%2C` between numbers in a query also separates them.
 */
export function maskCpr(text: string): string {
  return text.replace(/(?<=^|[^\w-]|%[0-9A-Fa-f]{2})(\d{6})(-?)\d{4}(?![\w-])/g, '$1$2****');
}
