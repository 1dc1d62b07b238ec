/**
 * The run's randomness, reproducible from `--seed`: the simulator's chaos and the suite's own
 * choices draw from streams derived from the seed and a name (the scenario's id), so a scenario
 * sees the same draws whatever ran before it, and adding a scenario does not change the others.
 */

/** A source of numbers in [0, 1), as `Math.random`. */
export type Random = () => number;

/** FNV-1a of `text`, 32 bits: turns a seed and a name into a stream's starting state. */
function hash(text: string): number {
  let state = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    state ^= text.charCodeAt(index);
    state = Math.imul(state, 0x01000193) >>> 0;
  }
  return state;
}

/** mulberry32: small, fast and good enough for test choices (not for secrets). */
function mulberry32(start: number): Random {
  let state = start >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = state;
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** The stream named `name` of the run seeded with `seed`. */
export function streamOf(seed: number, name: string): Random {
  return mulberry32(hash(`${seed}/${name}`));
}

/** A whole number in [0, bound) from `random`. */
export function below(random: Random, bound: number): number {
  return Math.floor(random() * bound);
}

/** `items` in an order drawn from `random` (Fisher–Yates); `items` is not changed. */
export function shuffled<T>(random: Random, items: readonly T[]): T[] {
  const result = [...items];
  for (let index = result.length - 1; index > 0; index--) {
    const other = below(random, index + 1);
    [result[index], result[other]] = [result[other] as T, result[index] as T];
  }
  return result;
}

/**
 * The simulator's random source for a run: switched to the next scenario's stream before each
 * scenario, and within a scenario one stream per purpose the simulator names (which sends chaos
 * refuses, receipt delays, page sizes, …), each derived from the scenario's stream. So how many
 * list pages a system happened to ask for — which follows its timing — does not shift which of its
 * sends chaos refuses: the same seed, the same chaos for a system that acts the same.
 */
export class SwitchableRandom {
  private key = 0;
  private readonly streams = new Map<string, Random>();

  constructor(initial: Random) {
    this.use(initial);
  }

  /** A draw for `purpose` (the function to hand out: bound, so it can be passed around). */
  readonly next = (purpose = 'any'): number => {
    let stream = this.streams.get(purpose);
    if (stream === undefined) {
      stream = mulberry32(hash(`${this.key}/${purpose}`));
      this.streams.set(purpose, stream);
    }
    return stream();
  };

  /** Draws from `stream` from now on: every purpose starts afresh from it. */
  use(stream: Random): void {
    this.key = Math.floor(stream() * 4_294_967_296);
    this.streams.clear();
  }
}

/** A fresh seed for a run that was given none (`--certify`, or no `--seed`). */
export function freshSeed(): number {
  return Math.floor(Math.random() * 2 ** 31);
}
