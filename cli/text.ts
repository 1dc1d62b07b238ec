/**
 * Text that came from the network, made safe to print. NgDP's answers, error messages, receipts,
 * contact statuses and MeMo contents are written by someone else; printed raw, their control
 * characters drive the terminal — an escape sequence retitles the window, clears the screen, moves
 * the cursor over a line already printed, or a carriage return prints a fake "all letters COMPLETED"
 * over the real one. Every command prints such text through {@link printable} (lines) or
 * {@link jsonLine} (`--json`), and nowhere else.
 */

/**
 * Control characters (C0 with tab and newline, DEL, C1), Unicode's bidirectional overrides and
 * isolates (which reorder what is shown), and the line and paragraph separators.
 */
const UNPRINTABLE = /[\p{Cc}\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu;

function escaped(character: string): string {
  const code = character.charCodeAt(0);
  return code < 0x100
    ? `\\x${code.toString(16).padStart(2, '0')}`
    : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** `text` with every control character shown as an escape (`\x1b`, `\u202e`): one line, printed as is. */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, escaped);
}

/**
 * One line of JSON Lines for `value`, newline included. JSON already escapes C0 controls; this
 * escapes what it leaves raw (DEL, C1, bidirectional controls, U+2028/U+2029) as `\uXXXX`, so the
 * line parses to exactly the same value and prints harmlessly.
 */
export function jsonLine(value: unknown): string {
  return `${JSON.stringify(value).replace(UNPRINTABLE, (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`)}\n`;
}
