/**
 * How long property-based fuzzing runs. In the suite (and CI) each property runs its fixed number of
 * times; `npm run fuzz` (vitest `--mode fuzz`, the `*.fuzz.test.ts` files only) runs the same
 * properties {@link FUZZ_FACTOR} times as often, or `DIGITALPOST_FUZZ_RUNS` times when that is set.
 * fast-check prints the seed and the shrunk counterexample of a failure; replay it with
 * `fc.assert(…, { seed, path })`.
 */
import { expect } from 'vitest';

const FUZZ_FACTOR = 50;

const fuzzing = process.env.MODE === 'fuzz';

/** The runs of a property that gets `inSuite` runs in the ordinary suite. */
export function fuzzRuns(inSuite: number): number {
  const explicit = Number(process.env.DIGITALPOST_FUZZ_RUNS);
  if (Number.isInteger(explicit) && explicit > 0) return explicit;
  return fuzzing ? inSuite * FUZZ_FACTOR : inSuite;
}

/** A test's time limit: the suite's default, none worth the name under `npm run fuzz`. */
export const FUZZ_TIMEOUT_MS =
  fuzzing || process.env.DIGITALPOST_FUZZ_RUNS !== undefined ? 6 * 3_600_000 : undefined;

/** What an answer of the simulator must be whatever it was sent: no 5xx, and JSON `ErrorMessage` on a 4xx. */
export function expectCleanAnswer(
  answer: { status: number; text: string; json: unknown; headers: Record<string, unknown> },
  sent: string,
): void {
  expect(answer.status, `${sent} → ${answer.status} ${answer.text.slice(0, 500)}`).toBeLessThan(500);
  if (answer.status >= 400) {
    expect(String(answer.headers['content-type']), sent).toMatch(/^application\/json/);
    expect(answer.json, `${sent} → ${answer.text.slice(0, 500)}`).toEqual({
      code: expect.any(String),
      message: expect.any(String),
      fieldErrors: expect.any(Array),
    });
  }
}
