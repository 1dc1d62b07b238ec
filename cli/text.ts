/**
 * Text that came from the network, made safe to print. NgDP's answers, error messages, receipts,
 * contact statuses and MeMo contents are written by someone else; printed raw, their control
 * characters drive the terminal — an escape sequence retitles the window, clears the screen, moves
 * the cursor over a line already printed, or a carriage return prints a fake "all letters COMPLETED"
 * over the real one. Every command prints such text through {@link printable} (lines) or
 * {@link jsonLine} (`--json`), and nowhere else.
 */
import { printableJson } from '../sdk/support/printable.ts';

export { printable } from '../sdk/support/printable.ts';

/** One line of JSON Lines for `value`, newline included, that parses back to the same value. */
export function jsonLine(value: unknown): string {
  return `${printableJson(JSON.stringify(value))}\n`;
}
