/**
 * undici, loaded when the first request goes out rather than when the package is imported: loading
 * it costs ≈ 30 MiB of memory and ≈ 80 ms (docs/performance.md, "Import cost and package size"), and
 * a program that only builds, reads or validates MeMos never sends anything.
 */
export type Undici = typeof import('undici');

let loading: Promise<Undici> | undefined;

export function loadUndici(): Promise<Undici> {
  loading ??= import('undici');
  return loading;
}
