/**
 * Order instead of wall-clock bounds. "Did the client give up before the delayed answer was due?" is
 * asked by racing the client against a timer for that delay, not by `expect(elapsed).toBeLessThan(…)`
 * with a margin that a busy machine eats. Node runs timers in the order they fall due, and the
 * promise jobs one timer's callback starts before the next timer's callback; so when the client's
 * outcome follows from its own timer (an abort, a timeout, the end of a retry wait) without waiting
 * for I/O, the race is decided by which timer falls due first, however loaded the machine.
 */

/** Whether `promise` settles, either way, before a timer of `ms` started now fires. */
export async function settlesBefore(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const due = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(settled, settled), due]);
  } finally {
    clearTimeout(timer);
  }
}

const settled = (): boolean => true;
