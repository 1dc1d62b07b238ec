/**
 * Text from the network, made safe to print. A server (or whoever poses as one) chooses receipt
 * fields, error messages and file names; printed raw, their escape sequences retitle the terminal,
 * clear the screen, or forge a line such as "… COMPLETED". Every control character is written as a
 * `\uXXXX` escape instead — the same escape JSON uses, so a JSON line stays valid and means the
 * same.
 */

/**
 * C0 and C1 controls, DEL, the line and paragraph separators, and the bidirectional formatting
 * characters (which reorder what a line shows).
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it escapes.
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** `text` with each control character written as `\uXXXX`: one line, shown as it is. */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** `value` as one line of JSON with no control character left raw (JSON leaves C1 and others). */
export function printableJson(value: unknown): string {
  return printable(JSON.stringify(value));
}
