/**
 * Keeping the API key out of what an error shows. A server (or a proxy) may echo the request's
 * `Authorization` header in a header or body of its answer; the client puts answers' headers and text
 * on its errors, which are printed and logged. So the key, wherever it appears, is replaced before an
 * error is made, and headers that carry credentials are never kept.
 */
import { maskCpr, maskCprParameters } from '../ngdp/identifiers.ts';

export const REDACTED = '[redacted]';

/** Headers whose values are credentials, whatever they hold. */
const CREDENTIAL_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie']);

type Headers = Record<string, string | string[] | undefined>;

/** Removes secrets (and masks CPR numbers) in text from the network. */
export type Redact = (text: string) => string;

/**
 * A redactor for the given secrets: each occurrence becomes `[redacted]`, and CPR numbers are masked.
 * Secrets shorter than 4 characters are left alone (they would redact ordinary text).
 */
export function redactor(secrets: readonly string[]): Redact {
  // Longest first, so that `Basic <key>` goes whole rather than leaving `Basic [redacted]`.
  const words = secrets.filter((secret) => secret.length >= 4).sort((a, b) => b.length - a.length);
  return (text) =>
    maskCprParameters(maskCpr(words.reduce((result, secret) => result.replaceAll(secret, REDACTED), text)));
}

/** The headers of an answer as an error keeps them: credentials replaced, secrets redacted. */
export function redactHeaders(headers: Headers, redact: Redact): Headers {
  const safe: Headers = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    if (CREDENTIAL_HEADERS.has(name.toLowerCase())) safe[name] = REDACTED;
    else safe[name] = Array.isArray(value) ? value.map(redact) : redact(value);
  }
  return safe;
}
