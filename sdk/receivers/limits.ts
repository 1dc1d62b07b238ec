/**
 * What bounds a receiver's memory and time: the size of one body, the bytes of all bodies it holds
 * at once (a budget shared by its requests), how long a body may stall, how deep JSON may nest.
 * Everything beyond is refused with a status below 500, except the budget's 503, which asks NgDP
 * to come back later (`Retry-After`) rather than fail the delivery.
 */
import { InvalidOptionsError, ReceiverRefusal } from '../errors.ts';

/** Seconds NgDP is asked to wait after a 503 `RECEIVER_BUSY`. */
export const RETRY_AFTER_SECONDS = 10;

/** The default longest pause in a request body. */
export const DEFAULT_BODY_TIMEOUT_MS = 30_000;

/** A receipt or a notification is one flat object; 32 levels leave room for any extension. */
export const MAX_JSON_DEPTH = 32;

export const busy = (what: string): ReceiverRefusal =>
  new ReceiverRefusal(
    503,
    'RECEIVER_BUSY',
    `the receiver is busy with other ${what}; deliver again in ${RETRY_AFTER_SECONDS} seconds`,
  );

/**
 * The bytes of request bodies a receiver holds at once. Each request takes a {@link BodyClaim}
 * before it reads (the declared Content-Length, or chunk by chunk without one) and gives it back
 * when it is done with its body.
 */
export class BodyBudget {
  readonly limit: number;
  private used = 0;

  constructor(limit: number) {
    this.limit = limit;
  }

  claim(): BodyClaim {
    return new BodyClaim(this);
  }

  /** @internal */
  take(bytes: number): boolean {
    if (this.used + bytes > this.limit) return false;
    this.used += bytes;
    return true;
  }

  /** @internal */
  give(bytes: number): void {
    this.used -= bytes;
  }
}

/** One request's share of a {@link BodyBudget}. */
export class BodyClaim {
  private readonly budget: BodyBudget;
  private held = 0;

  constructor(budget: BodyBudget) {
    this.budget = budget;
  }

  /** Makes the claim at least `bytes`; throws the 503 refusal when the budget has no room. */
  cover(bytes: number): void {
    if (bytes <= this.held) return;
    if (!this.budget.take(bytes - this.held)) throw busy('requests');
    this.held = bytes;
  }

  release(): void {
    this.budget.give(this.held);
    this.held = 0;
  }
}

/** How one request's body may be read. */
export interface BodyLimits {
  /** The largest body, in bytes: 413 beyond. */
  maxBytes: number;
  /** The request's share of the receiver's budget of bytes in flight: 503 when it has no room. */
  claim: BodyClaim;
  /** The longest pause between two pieces of the body, ms: 408 beyond. */
  idleMs: number;
}

/** One request's limits: the receiver's, with the request's claim on its budget. */
export function bodyLimits(limits: RequestLimits, claim: BodyClaim): BodyLimits {
  return { maxBytes: limits.maxBytes, claim, idleMs: limits.bodyTimeoutMs };
}

/** A positive safe integer option, or its default; InvalidOptionsError otherwise. */
export function positiveInteger(owner: string, name: string, value: unknown, fallback: number): number {
  const chosen = value ?? fallback;
  if (typeof chosen !== 'number' || !Number.isSafeInteger(chosen) || chosen <= 0) {
    throw new InvalidOptionsError(`${owner}: ${name} must be a positive integer, got ${String(value)}`);
  }
  return chosen;
}

/** The request limits every receiver has, checked once when it is created. */
export interface RequestLimits {
  maxBytes: number;
  maxBytesInFlight: number;
  bodyTimeoutMs: number;
}

/** Checks the limits' options; `maxBytesInFlight` defaults to `inFlightDefault(maxBytes)`. */
export function requestLimits(
  owner: string,
  options: { maxBytes?: number; maxBytesInFlight?: number; bodyTimeoutMs?: number },
  defaults: { maxBytes: number; inFlight: (maxBytes: number) => number },
): RequestLimits {
  const maxBytes = positiveInteger(owner, 'maxBytes', options.maxBytes, defaults.maxBytes);
  const maxBytesInFlight = positiveInteger(
    owner,
    'maxBytesInFlight',
    options.maxBytesInFlight,
    defaults.inFlight(maxBytes),
  );
  if (maxBytesInFlight < maxBytes) {
    throw new InvalidOptionsError(
      `${owner}: maxBytesInFlight (${maxBytesInFlight}) must be at least maxBytes (${maxBytes}), or a body of the largest size is never taken`,
    );
  }
  const bodyTimeoutMs = positiveInteger(
    owner,
    'bodyTimeoutMs',
    options.bodyTimeoutMs,
    DEFAULT_BODY_TIMEOUT_MS,
  );
  return { maxBytes, maxBytesInFlight, bodyTimeoutMs };
}

/**
 * Whether JSON text nests arrays and objects deeper than `limit`: one pass over the text, before
 * `JSON.parse` builds anything.
 */
export function nestsDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const char = text.charCodeAt(i);
    if (inString) {
      if (char === 0x5c /* \ */) i++;
      else if (char === 0x22 /* " */) inString = false;
    } else if (char === 0x22) inString = true;
    else if (char === 0x5b /* [ */ || char === 0x7b /* { */) {
      if (++depth > limit) return true;
    } else if (char === 0x5d /* ] */ || char === 0x7d /* } */) depth--;
  }
  return false;
}
