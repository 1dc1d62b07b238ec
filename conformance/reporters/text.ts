/** Text from the vendor's side (stderr, report lines) made safe for the reports' formats. */

/** Control characters, and what XML 1.0 cannot hold at all: lone surrogates, U+FFFE, U+FFFF. */
const UNSAFE = /[\p{Cc}\p{Cs}\ufffe\uffff]/gu;

const KEPT = new Set(['\t', '\n', '\r']);

/** `text` with control characters (but tab and line breaks) and non-characters shown as escapes (`\x1b`). */
export function safeText(text: string): string {
  return text.replace(UNSAFE, (character) =>
    KEPT.has(character) ? character : `\\x${character.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );
}
