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

/**
 * A value meant as a CPR number, whatever its shape (`0101700001x`, `01017000012`), shown no
 * further than its first six characters: for refusals of a field or parameter that holds one,
 * where {@link maskCpr}'s search for whole numbers would leave a malformed one whole.
 */
export function maskCprValue(value: string): string {
  return value.length <= 6 ? value : `${value.slice(0, 6)}${'*'.repeat(Math.min(value.length - 6, 16))}`;
}

/**
 * The values of query parameters named for a CPR number (`cprNumber=…`, any case) masked with
 * {@link maskCprValue}, each of a comma-separated list on its own, for URLs in logs and error
 * messages.
 */
export function maskCprParameters(text: string): string {
  return text.replace(
    /(\bcpr\w*=)([^&#\s"']*)/gi,
    (_match, name: string, value: string) =>
      name +
      value
        .split(/(%2C|,)/i)
        .map((part, i) => (i % 2 === 1 ? part : maskCprValue(part)))
        .join(''),
  );
}

/** A random integer from 0 to `below - 1`, from a source like Math.random. */
const pick = (random: () => number, below: number): number => Math.floor(random() * below) % below;

/** The modulus-11 check of `digits` with `weights`: whether the weighted sum divides by 11. */
const modulus11 = (digits: string, weights: readonly number[]): boolean =>
  weights.reduce((sum, weight, i) => sum + weight * Number(digits[i]), 0) % 11 === 0;

const CPR_WEIGHTS = [4, 3, 2, 7, 6, 5, 4, 3, 2, 1];
const CVR_WEIGHTS = [2, 7, 6, 5, 4, 3, 2, 1];

/**
 * A CPR number for a test citizen: a real date of birth (1940–2006) with the century digit CPR
 * gives it, and the modulus-11 check digit that older systems still test. Such a number may
 * belong to a real person too: use it only against the simulator or NgDP's test environment, whose
 * citizens are fictitious.
 */
export function testCprNumber(random: () => number = Math.random): string {
  for (;;) {
    const born = new Date(Date.UTC(1940, 0, 1) + pick(random, 67 * 365) * 86_400_000);
    const year = born.getUTCFullYear();
    const date = [born.getUTCDate(), born.getUTCMonth() + 1, year % 100]
      .map((part) => String(part).padStart(2, '0'))
      .join('');
    // The seventh digit tells the century: 0–3 for 1900–1999; 4 and 9 for 1937–1999 or 2000–2036.
    const century = year >= 2000 ? 4 : pick(random, 4);
    const serial = `${date}${century}${String(pick(random, 1000)).padStart(3, '0')}`;
    if (modulus11(serial, CPR_WEIGHTS)) return serial;
  }
}

/** A CVR number for a test company: 8 digits, not starting with 0, passing CVR's modulus-11 check. */
export function testCvrNumber(random: () => number = Math.random): string {
  for (;;) {
    const number = String(10_000_000 + pick(random, 90_000_000));
    if (modulus11(number, CVR_WEIGHTS)) return number;
  }
}
