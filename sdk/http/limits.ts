/**
 * How much of NgDP's answers the client takes: the bounds that keep a misbehaving server (or a proxy,
 * or an impostor) from filling the memory of the process or keeping a list going forever.
 */
import { InvalidOptionsError } from '../errors.ts';

/** The client's bounds on what it reads from NgDP; see docs/sdk.md "Failure modes". */
export interface ResponseLimits {
  /**
   * The largest JSON answer taken, in bytes (default 16 MiB; a page of 1 000 receipts is about
   * 0.2 MB). A larger body is refused as it streams in, with an `UnexpectedResponseError`
   * `RESPONSE_TOO_LARGE`.
   */
  maxResponseBytes?: number;
  /**
   * The largest MeMo `inbox.fetch` / `inbox.fetchXml` take, in bytes (default 150 MiB: NgDP's
   * 99.5 MB of content, base64-encoded, in its XML).
   */
  maxMemoBytes?: number;
  /**
   * The most page requests one walk of a list makes (`receipts.list`, `inbox.list`,
   * `contacts.search`, `contactPoints.search`; default 10 000 — a million receipts at the default
   * page size); then it throws `UnexpectedResponseError` `PAGE_LIMIT_REACHED`.
   */
  maxPages?: number;
}

export type LimitSettings = Required<ResponseLimits>;

const MiB = 1024 * 1024;

export const DEFAULT_LIMITS: LimitSettings = {
  maxResponseBytes: 16 * MiB,
  maxMemoBytes: 150 * MiB,
  maxPages: 10_000,
};

/**
 * An error answer's body is read this far, and the rest left unread: NgDP's `ErrorMessage` is a few
 * hundred bytes, and the status alone says what happened.
 */
export const ERROR_BODY_BYTES = 64 * 1024;

/** Deeper JSON than this is refused before it is parsed (NgDP's deepest answer is about 5 levels). */
export const MAX_JSON_DEPTH = 64;

/**
 * The limits with their defaults, checked.
 *
 * @throws InvalidOptionsError for a limit that is not a positive integer.
 */
export function limitSettings(
  options: ResponseLimits | undefined,
  base: LimitSettings = DEFAULT_LIMITS,
  owner = 'DigitalPostClient',
): LimitSettings {
  if (options === undefined) return base;
  if (typeof options !== 'object' || options === null)
    throw new InvalidOptionsError(`${owner}: limits must be an object`);
  const settings = { ...base };
  for (const name of Object.keys(DEFAULT_LIMITS) as Array<keyof LimitSettings>) {
    const value = options[name];
    if (value === undefined) continue;
    if (!Number.isSafeInteger(value) || value < 1)
      throw new InvalidOptionsError(
        `${owner}: limits.${name} must be a positive integer, got ${String(value)}`,
      );
    settings[name] = value;
  }
  return settings;
}
