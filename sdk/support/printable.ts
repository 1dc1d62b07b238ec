/**
 * Text that came from the network, made safe to print or log. A server (or whoever poses as one)
 * writes receipt fields, error messages and file names; printed raw, their control characters drive
 * the terminal — an escape sequence retitles the window or clears the screen, a carriage return
 * prints a fake "all letters COMPLETED" over the real line, a bidirectional override reorders what
 * is shown. The SDK puts server text into error messages through this, and the CLI prints every such
 * text through it.
 */

/**
 * Control characters (C0 with tab and newline, DEL, C1), Unicode's bidirectional marks, overrides and
 * isolates, and the line and paragraph separators.
 */
const UNPRINTABLE = /[\p{Cc}\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu;

function escaped(character: string): string {
  const code = character.charCodeAt(0);
  return code < 0x100
    ? `\\x${code.toString(16).padStart(2, '0')}`
    : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** `text` with every control character shown as an escape (`\x1b`, `\u202e`): one line, shown as is. */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, escaped);
}

/**
 * JSON text with what JSON leaves raw (DEL, C1, bidirectional controls, U+2028/U+2029) written as
 * `\uXXXX` escapes: it parses to exactly the same value and prints harmlessly.
 */
export function printableJson(json: string): string {
  return json.replace(
    UNPRINTABLE,
    (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
