/**
 * The small shared toolkit of the `bench/*.bench.ts` scripts.
 *
 * - {@link runSuite}: time-boxed ops/sec. Every case is warmed up first; then the cases are measured
 *   in interleaved rounds (one time-boxed sample of each case per round, each after a short untimed
 *   run of the same case that absorbs the previous case's garbage), so background load on the
 *   machine hits all cases alike. A case's ops/sec is the median of its samples; its ratio to its
 *   baseline is the median of the per-round ratios. No GC is forced between samples: V8's forced
 *   full GC shrinks the young generation, and the allocation-heavy code measured right after it
 *   then runs up to 40 % slower (measured), which skews ratios.
 * - {@link rssProbe} / {@link runProbeIfRequested}: peak RSS growth of one operation, measured in a
 *   fresh child process (the bench script re-run with `--probe=<name>`), after GC, so earlier cases
 *   leave nothing behind that the operation could reuse.
 * - {@link report}: a readable table, or with `--json` one JSON object per line.
 *
 * Flags every bench script understands: `--json`, `--quick` (short samples: a smoke run, not figures).
 * Run a script with `node --expose-gc bench/<name>.bench.ts`, or all of them with `npm run bench`.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { Worker } from 'node:worker_threads';

export interface BenchArgs {
  /** One JSON object per line instead of a table. */
  json: boolean;
  /** Short samples and fewer rounds: checks the script runs, the figures mean little. */
  quick: boolean;
  /** Set in a child process started by {@link rssProbe}: the probe to run. */
  probe: string | undefined;
}

export function parseArgs(argv: readonly string[] = process.argv.slice(2)): BenchArgs {
  const probe = argv.find((arg) => arg.startsWith('--probe='))?.slice('--probe='.length);
  return { json: argv.includes('--json'), quick: argv.includes('--quick'), probe };
}

export const args: BenchArgs = parseArgs();

const MB = 1024 * 1024;

/** Results go here so that the optimizer cannot drop the work that made them. */
let _sink: unknown;
/** Keeps a value alive (and observable) so that computing it is not optimized away. */
export function consume(value: unknown): void {
  _sink = value;
}

function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc !== undefined) {
    gc();
    gc();
  }
}

export function hasGc(): boolean {
  return typeof (globalThis as { gc?: unknown }).gc === 'function';
}

/** Nearest-rank percentile `p` (0–1) of sorted values (load tests' latencies). */
export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] as number;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** One thing to measure. `fn` may return a promise; it is then awaited on every call. */
export interface Case {
  name: string;
  fn: () => unknown;
  /** The name of the case this one's ratio is relative to (a case of the same suite). */
  baseline?: string;
}

export interface SuiteOptions {
  /** Warm-up time per case, ms (at least `minIterations` calls). Default 500. */
  warmupMs?: number;
  /** Length of one sample, ms. Default 300. */
  sampleMs?: number;
  /** Minimum calls per sample (for slow operations). Default 1. */
  minIterations?: number;
  /** Number of interleaved rounds (= samples per case). Default 7. */
  rounds?: number;
}

export interface Measurement {
  name: string;
  /** Median of the samples. */
  opsPerSec: number;
  /** 1000 / opsPerSec. */
  ms: number;
  /** Median of the per-round ratios to the baseline; undefined without a baseline. */
  ratio: number | undefined;
  baseline: string | undefined;
  /** Ops/sec of every sample, in round order. */
  samples: number[];
}

async function sample(fn: () => unknown, ms: number, minIterations: number): Promise<number> {
  let iterations = 0;
  const start = performance.now();
  let elapsed = 0;
  let result = fn();
  if (result instanceof Promise) {
    await result;
    iterations++;
    elapsed = performance.now() - start;
    while (elapsed < ms || iterations < minIterations) {
      consume(await fn());
      iterations++;
      elapsed = performance.now() - start;
    }
  } else {
    consume(result);
    iterations++;
    elapsed = performance.now() - start;
    while (elapsed < ms || iterations < minIterations) {
      result = fn();
      iterations++;
      elapsed = performance.now() - start;
    }
    consume(result);
  }
  return (iterations * 1000) / elapsed;
}

function progress(message: string): void {
  if (process.stderr.isTTY) process.stderr.write(`\r\x1b[K${message}`);
}

function clearProgress(): void {
  if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
}

/** Measures every case (see the module comment for the method). */
export async function runSuite(cases: readonly Case[], options: SuiteOptions = {}): Promise<Measurement[]> {
  const quick = args.quick;
  const warmupMs = quick ? 50 : (options.warmupMs ?? 500);
  const sampleMs = quick ? 50 : (options.sampleMs ?? 300);
  const minIterations = options.minIterations ?? 1;
  const rounds = quick ? 2 : (options.rounds ?? 7);
  for (const c of cases) {
    if (c.baseline !== undefined && !cases.some((other) => other.name === c.baseline)) {
      throw new Error(`bench case "${c.name}": baseline "${c.baseline}" is not in the suite`);
    }
  }
  collectGarbage();
  for (const c of cases) {
    progress(`warming up ${c.name}`);
    await sample(c.fn, warmupMs, Math.max(minIterations, 2));
  }
  const samples = new Map<string, number[]>(cases.map((c) => [c.name, []]));
  for (let round = 0; round < rounds; round++) {
    for (const c of cases) {
      progress(`round ${round + 1}/${rounds}: ${c.name}`);
      await sample(c.fn, sampleMs / 5, 1);
      samples.get(c.name)?.push(await sample(c.fn, sampleMs, minIterations));
    }
  }
  clearProgress();
  return cases.map((c) => {
    const own = samples.get(c.name) ?? [];
    const base = c.baseline === undefined ? undefined : samples.get(c.baseline);
    const opsPerSec = median(own);
    return {
      name: c.name,
      opsPerSec,
      ms: 1000 / opsPerSec,
      ratio: base === undefined ? undefined : median(own.map((ops, i) => ops / (base[i] as number))),
      baseline: c.baseline,
      samples: own,
    };
  });
}

// ---------------------------------------------------------------------------------------------------
// Peak RSS

/** Reports the highest RSS since the last reset. */
export interface PeakRssMeter {
  reset(): void;
  /** Peak RSS since the last reset, bytes. */
  peak(): number;
  close(): void;
}

/**
 * Linux: the kernel's own high-water mark (`VmHWM`), reset by writing 5 to `/proc/self/clear_refs`;
 * exact, costs nothing while the operation runs. Elsewhere: a worker thread polling RSS every ms.
 */
export function peakRssMeter(): PeakRssMeter {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    const hwm = (): number => {
      const match = /VmHWM:\s*(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
      if (match === null) throw new Error('no VmHWM in /proc/self/status');
      return Number(match[1]) * 1024;
    };
    hwm();
    return { reset: () => writeFileSync('/proc/self/clear_refs', '5'), peak: hwm, close: () => {} };
  } catch {
    return pollingMeter();
  }
}

function pollingMeter(): PeakRssMeter {
  const shared = new Float64Array(new SharedArrayBuffer(16));
  const worker = new Worker(
    `const { workerData } = require('node:worker_threads');
     const peak = new Float64Array(workerData);
     const tick = new Int32Array(new SharedArrayBuffer(4));
     for (;;) {
       const rss = process.memoryUsage.rss();
       if (rss > peak[0]) peak[0] = rss;
       Atomics.wait(tick, 0, 0, 1);
     }`,
    { eval: true, workerData: shared.buffer },
  );
  worker.unref();
  return {
    reset: () => {
      shared[0] = process.memoryUsage.rss();
    },
    peak: () => Math.max(shared[0] as number, process.memoryUsage.rss()),
    close: () => void worker.terminate(),
  };
}

/** A probe: prepares its input (untimed, before the RSS baseline) and returns the operation. */
export type Probe = () => () => unknown;

export interface ProbeResult {
  /** Bytes the RSS rose above the post-GC baseline while the operation ran (result included). */
  growth: number;
  /** RSS before the operation, after GC. */
  baseline: number;
  /** How long the single, cold run took, ms. */
  ms: number;
}

/**
 * When this process was started by {@link rssProbe}, runs the requested probe, prints its
 * {@link ProbeResult} as JSON and returns true (the caller should then stop). Otherwise returns false.
 */
export function runProbeIfRequested(probes: Readonly<Record<string, Probe>>): boolean {
  if (args.probe === undefined) return false;
  const setup = probes[args.probe];
  if (setup === undefined)
    throw new Error(`unknown probe "${args.probe}"; known: ${Object.keys(probes).join(', ')}`);
  if (!hasGc()) throw new Error('probes need node --expose-gc');
  const meter = peakRssMeter();
  const op = setup();
  collectGarbage();
  const baseline = process.memoryUsage.rss();
  meter.reset();
  const start = performance.now();
  const result = op();
  const ms = performance.now() - start;
  const peak = meter.peak();
  consume(result);
  meter.close();
  const probeResult: ProbeResult = { growth: Math.max(0, peak - baseline), baseline, ms };
  process.stdout.write(`${JSON.stringify(probeResult)}\n`);
  return true;
}

export interface RssMeasurement {
  /** Median peak RSS growth over the runs, bytes. */
  growth: number;
  /** Every run's growth, bytes. */
  growths: number[];
  /** Median time of the single cold run in the fresh process, ms. */
  coldMs: number;
}

/**
 * Runs `script --probe=<probe>` in `runs` fresh `node --expose-gc` processes and returns the median
 * peak RSS growth. `script` is the bench file (`import.meta.filename`).
 */
export function rssProbe(
  script: string,
  probe: string,
  runs = 3,
  extraArgs: readonly string[] = [],
): RssMeasurement {
  const growths: number[] = [];
  const times: number[] = [];
  const count = args.quick ? 1 : runs;
  for (let i = 0; i < count; i++) {
    progress(`RSS probe ${probe} (${i + 1}/${count})`);
    const child = spawnSync(process.execPath, ['--expose-gc', script, `--probe=${probe}`, ...extraArgs], {
      encoding: 'utf8',
      maxBuffer: 16 * MB,
    });
    if (child.status !== 0) {
      throw new Error(`RSS probe ${probe} failed (exit ${child.status}):\n${child.stderr}`);
    }
    const last = child.stdout.trim().split('\n').at(-1) ?? '';
    const result = JSON.parse(last) as ProbeResult;
    growths.push(result.growth);
    times.push(result.ms);
  }
  clearProgress();
  return { growth: median(growths), growths, coldMs: median(times) };
}

// ---------------------------------------------------------------------------------------------------
// Reporting

/** One output line. `name`, `opsPerSec` and `ratio` are always present (null when meaningless). */
export interface Row {
  name: string;
  opsPerSec: number | null;
  ratio: number | null;
  /** The case `ratio` is relative to. */
  baseline?: string;
  /** Mean time of one operation, ms. */
  ms?: number;
  /** Peak RSS growth of one operation, MiB (2^20 bytes). */
  rssGrowthMB?: number;
  /** Peak RSS growth as a multiple of the input/message size. */
  rssGrowthX?: number;
  /** Peak RSS of a whole process, MiB (the table shows this column only when set). */
  rssPeakMB?: number;
  /** Latency percentiles of the requests of a load test, ms (the table shows these columns only when set). */
  p50Ms?: number;
  p95Ms?: number;
  p99Ms?: number;
  /** Failed requests of a load test (anything but the expected status, or no answer). */
  errors?: number;
  /** The target this row is checked against, in words. */
  target?: string;
  pass?: boolean;
  /** Anything else worth knowing about the row. */
  note?: string;
}

/** Bytes in MiB (2^20 bytes), two decimals. */
export function toMB(bytes: number): number {
  return round(bytes / MB, 2);
}

export function round(value: number, digits = 3): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** A row for a measurement (ratio, ms and baseline filled in). */
export function rowOf(m: Measurement, extra: Partial<Row> = {}): Row {
  return {
    name: m.name,
    opsPerSec: round(m.opsPerSec, m.opsPerSec < 100 ? 2 : 0),
    ratio: m.ratio === undefined ? null : round(m.ratio, 3),
    ...(m.baseline !== undefined && { baseline: m.baseline }),
    ms: round(m.ms, m.ms < 1 ? 4 : 2),
    ...extra,
  };
}

function formatOps(ops: number | null): string {
  if (ops === null) return '';
  return ops >= 100 ? Math.round(ops).toLocaleString('en-US') : ops.toFixed(2);
}

/** A short description of the machine, for the table header. */
export function machine(): string {
  const list = cpus();
  return `Node ${process.version}, ${process.platform}/${process.arch}, ${list.length} × ${list[0]?.model.trim() ?? 'unknown CPU'}`;
}

/** Prints rows: a table per section, or JSON lines with `--json`. */
export function report(title: string, sections: readonly { heading: string; rows: readonly Row[] }[]): void {
  if (args.json) {
    for (const section of sections)
      for (const row of section.rows) process.stdout.write(`${JSON.stringify(row)}\n`);
    return;
  }
  const lines: string[] = [`${title} — ${machine()}`, ''];
  for (const section of sections) {
    lines.push(`## ${section.heading}`, '');
    // Latency columns (load tests) only in sections that have them: the other tables stay as they were.
    const latency = section.rows.some((row) => row.p50Ms !== undefined || row.errors !== undefined);
    const latencyMs = (value: number | undefined): string => (value === undefined ? '' : value.toFixed(1));
    const peak = section.rows.some((row) => row.rssPeakMB !== undefined);
    const table = [
      [
        'name',
        'ops/s',
        'ms/op',
        'ratio',
        'vs',
        'RSS +MiB',
        'RSS ×',
        ...(peak ? ['RSS peak MiB'] : []),
        ...(latency ? ['p50 ms', 'p95 ms', 'p99 ms', 'errors'] : []),
        'target',
        '',
      ],
      ...section.rows.map((row) => [
        row.name,
        formatOps(row.opsPerSec),
        row.ms === undefined ? '' : row.ms < 1 ? row.ms.toFixed(4) : row.ms.toFixed(1),
        row.ratio === null ? '' : `${(row.ratio * 100).toFixed(1)} %`,
        row.baseline ?? '',
        row.rssGrowthMB === undefined ? '' : row.rssGrowthMB.toFixed(1),
        row.rssGrowthX === undefined ? '' : `${row.rssGrowthX.toFixed(2)}×`,
        ...(peak ? [row.rssPeakMB === undefined ? '' : row.rssPeakMB.toFixed(1)] : []),
        ...(latency
          ? [
              latencyMs(row.p50Ms),
              latencyMs(row.p95Ms),
              latencyMs(row.p99Ms),
              row.errors === undefined ? '' : String(row.errors),
            ]
          : []),
        row.target ?? '',
        row.pass === undefined ? '' : row.pass ? 'PASS' : 'FAIL',
      ]),
    ];
    const widths =
      table[0]?.map((_, column) => Math.max(...table.map((cells) => (cells[column] ?? '').length))) ?? [];
    const extra = peak ? 1 : 0;
    const numeric = new Set([
      1,
      2,
      3,
      5,
      6,
      ...(peak ? [7] : []),
      ...(latency ? [7, 8, 9, 10].map((column) => column + extra) : []),
    ]);
    for (const [index, cells] of table.entries()) {
      const text = cells
        .map((cell, column) =>
          numeric.has(column) ? cell.padStart(widths[column] ?? 0) : cell.padEnd(widths[column] ?? 0),
        )
        .join('  ')
        .trimEnd();
      lines.push(text);
      if (index === 0) lines.push(widths.map((width) => '-'.repeat(width)).join('  '));
    }
    const notes = section.rows.filter((row) => row.note !== undefined);
    if (notes.length > 0) {
      lines.push('');
      for (const row of notes) lines.push(`  ${row.name}: ${row.note}`);
    }
    lines.push('');
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}
