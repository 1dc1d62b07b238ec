/**
 * How long other callers wait while the simulator works: requests fired at a fixed pace (an open
 * loop: each on its own schedule, not after the one before), so that a frozen server shows as many
 * slow answers, not as one.
 */
export interface Latencies {
  /** Each request's time to its answer, ms, sorted. */
  sorted: number[];
  median: number;
  max: number;
  /** Calls that failed (no answer, or `call` threw); their time counts among the latencies too. */
  errors: number;
}

/**
 * Fires `call` every `everyMs` from now until `work` settles, and resolves with `work`'s outcome and
 * the latency of every call fired meanwhile (each awaited to its end).
 */
export async function latencyWhile<T>(
  work: Promise<T>,
  call: () => Promise<unknown>,
  everyMs = 25,
): Promise<{ outcome: PromiseSettledResult<T>; latencies: Latencies }> {
  let done = false;
  const settled = work.then(
    (value): PromiseSettledResult<T> => ({ status: 'fulfilled', value }),
    (reason: unknown): PromiseSettledResult<T> => ({ status: 'rejected', reason }),
  );
  void settled.then(() => {
    done = true;
  });
  const timings: Promise<number>[] = [];
  let errors = 0;
  const start = performance.now();
  for (let n = 0; !done; n++) {
    const sent = performance.now();
    const took = (): number => performance.now() - sent;
    timings.push(
      call().then(took, () => {
        errors++;
        return took();
      }),
    );
    const next = start + (n + 1) * everyMs;
    await Promise.race([
      settled,
      new Promise((resolve) => setTimeout(resolve, Math.max(0, next - performance.now()))),
    ]);
  }
  const sorted = (await Promise.all(timings)).sort((a, b) => a - b);
  return {
    outcome: await settled,
    latencies: {
      sorted,
      median: sorted[Math.floor((sorted.length - 1) / 2)] ?? 0,
      max: sorted.at(-1) ?? 0,
      errors,
    },
  };
}
