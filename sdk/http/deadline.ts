/**
 * Deadlines that hold whatever the dispatcher does. undici does not give up a connection attempt
 * (TCP, or a TLS handshake the server never finishes) when the request's signal aborts: it waits for
 * its own connect timeout, 10 s by default. So the client races its work against the signal and
 * settles when the signal fires; what was left running is cleaned up when it ends.
 */

/**
 * Settles like `work`, or rejects with the signal's reason as soon as `signal` aborts. `cleanup` gets
 * the value `work` resolves to after the race was lost (to release it, e.g. destroy a body).
 */
export function beforeAbort<T>(
  work: Promise<T>,
  signal: AbortSignal,
  cleanup: (value: T) => void = () => {},
): Promise<T> {
  if (signal.aborted) {
    work.then(cleanup, () => {});
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const onAbort = (): void => {
      settled = true;
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        if (settled) cleanup(value);
        else resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        if (!settled) reject(error);
      },
    );
  });
}

/**
 * The time a client waits in: between retries, and between the polls of `receipts.waitFor`. Real
 * time unless given; a test passes one that moves a simulator's manual clock instead of waiting.
 */
export interface ClientClock {
  /** Milliseconds since the epoch (what `Retry-After` dates are read against). */
  now(): number;
  /** Resolves once `ms` milliseconds of this clock have passed. */
  sleep(ms: number): Promise<unknown>;
}

/** Waits `ms` on `clock` (real time when undefined), or rejects with the signal's reason as soon as it aborts. */
export function sleepOn(clock: ClientClock | undefined, ms: number, signal?: AbortSignal): Promise<unknown> {
  if (clock === undefined) return sleep(ms, signal);
  const slept = Promise.resolve().then(() => clock.sleep(ms));
  return signal === undefined ? slept : beforeAbort(slept, signal);
}

/** Waits `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** The signals that are given, combined (undefined when none is). */
export function anySignal(...signals: Array<AbortSignal | undefined>): AbortSignal | undefined {
  const given = signals.filter((signal): signal is AbortSignal => signal !== undefined);
  if (given.length <= 1) return given[0];
  return AbortSignal.any(given);
}
