/**
 * What the package costs before anything is called (issue 15, "Package"): the time and memory that
 * importing each entry point adds to a Node process, and the size of the package.
 *
 * - **Import cost**: every case is a fresh `node` process that imports one entry point of the built
 *   package (`dist/`, built first when stale) and exits; the baseline is `node -e ''` — the same
 *   process importing nothing. Cases run interleaved, one process after the other, round after round,
 *   so background load hits them alike. Per case: the median wall time from spawn to exit, and the
 *   median peak RSS (the process's own `maxRSS` at exit); the row shows both over the baseline's
 *   medians. Targets: `digitalpost` and `digitalpost/memo` add at most 25 MiB and 60 ms.
 * - **Package size**: `npm pack --dry-run` of the current tree — the unpacked size, target at most
 *   half the 4.73 MB it was when issue 15 was filed — and the tarball's size.
 *
 * `node bench/import.bench.ts [--json] [--quick] [--before=PATH]`, or `npm run bench -- import`.
 * `--before=PATH` adds another build's dist/ (an older commit's, built there with `npx tsup`): its
 * `digitalpost` and `digitalpost/memo` are measured in the same interleaved rounds, for a fair
 * before/after on a busy machine.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ensureBuilt, ROOT } from '../test/support/build.ts';
import { args, median, type Row, report, round } from './harness.ts';

const MB = 1024 * 1024;
const option = (name: string): string | undefined =>
  process.argv.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
const DIST = join(ROOT, 'dist');
const BEFORE = option('before');
const ROUNDS = args.quick ? 3 : 21;

const TARGET_RSS_MB = 25;
const TARGET_MS = 60;
const TARGET_UNPACKED_BYTES = 4_730_000 / 2;

interface Case {
  name: string;
  /** Node's arguments: a script that loads what the case measures (or nothing) and prints maxRSS. */
  args: string[];
  /** Whether the targets apply. */
  targeted: boolean;
}

/** Prints the process's peak RSS (KiB) and CPU time (user + system, µs) so far. */
const PRINT_RSS =
  'const u = process.resourceUsage(); process.stdout.write(JSON.stringify([u.maxRSS, u.userCPUTime + u.systemCPUTime]))';

function esm(entry: string, file: string, targeted: boolean, dist = DIST): Case {
  const url = new URL(`file://${join(dist, file)}`).href;
  return {
    name: `${dist === DIST ? '' : 'before: '}import '${entry}'`,
    args: ['--input-type=module', '-e', `await import(${JSON.stringify(url)}); ${PRINT_RSS}`],
    targeted,
  };
}

function cjs(entry: string, file: string, dist = DIST): Case {
  return {
    name: `${dist === DIST ? '' : 'before: '}require('${entry}')`,
    args: ['-e', `require(${JSON.stringify(join(dist, file))}); ${PRINT_RSS}`],
    targeted: dist === DIST,
  };
}

const BASELINE: Case = { name: "node -e ''", args: ['-e', PRINT_RSS], targeted: false };
const CASES: Case[] = [
  BASELINE,
  esm('digitalpost', 'index.js', true),
  esm('digitalpost/memo', 'memo.js', true),
  cjs('digitalpost', 'index.cjs'),
  cjs('digitalpost/memo', 'memo.cjs'),
  esm('digitalpost/simulator', 'simulator.js', false),
  esm('digitalpost/testing', 'testing.js', false),
  esm('digitalpost/conformance', 'conformance.js', false),
  esm('digitalpost/testcontainers', 'testcontainers.js', false),
  ...(BEFORE === undefined
    ? []
    : [
        esm('digitalpost', 'index.js', false, BEFORE),
        esm('digitalpost/memo', 'memo.js', false, BEFORE),
        cjs('digitalpost', 'index.cjs', BEFORE),
        cjs('digitalpost/memo', 'memo.cjs', BEFORE),
      ]),
];

interface Sample {
  ms: number;
  rssBytes: number;
  /** CPU time, ms: unlike the wall time, hardly longer when other processes compete for the cores. */
  cpuMs: number;
}

function runOnce(c: Case): Sample {
  const start = performance.now();
  const result = spawnSync(process.execPath, c.args, { encoding: 'utf8', cwd: ROOT });
  const ms = performance.now() - start;
  if (result.status !== 0) throw new Error(`${c.name} failed: ${result.stderr}`);
  const [maxRssKiB, cpuMicros] = JSON.parse(result.stdout) as [number, number];
  return { ms, rssBytes: maxRssKiB * 1024, cpuMs: cpuMicros / 1000 };
}

function importCost(): Row[] {
  const samples = new Map<Case, Sample[]>(CASES.map((c) => [c, []]));
  for (const c of CASES) runOnce(c); // warms the file system cache
  for (let round = 0; round < ROUNDS; round++) {
    for (const c of CASES) samples.get(c)?.push(runOnce(c));
  }
  const medians = (c: Case) => {
    const own = samples.get(c) ?? [];
    return {
      ms: median(own.map((s) => s.ms)),
      rss: median(own.map((s) => s.rssBytes)),
      cpu: median(own.map((s) => s.cpuMs)),
    };
  };
  const base = medians(BASELINE);
  return CASES.map((c) => {
    const { ms, rss, cpu } = medians(c);
    if (c === BASELINE) {
      return {
        name: c.name,
        opsPerSec: null,
        ratio: null,
        ms: round(ms, 1),
        rssPeakMB: round(rss / MB, 1),
        note: `the baseline: ${ROUNDS} runs, medians; CPU ${cpu.toFixed(1)} ms`,
      };
    }
    const addedMs = ms - base.ms;
    const addedMB = (rss - base.rss) / MB;
    const row: Row = {
      name: c.name,
      opsPerSec: null,
      ratio: null,
      baseline: BASELINE.name,
      ms: round(addedMs, 1),
      rssGrowthMB: round(addedMB, 1),
      rssPeakMB: round(rss / MB, 1),
      note: `+${addedMs.toFixed(1)} ms (CPU +${(cpu - base.cpu).toFixed(1)} ms), +${addedMB.toFixed(1)} MiB over ${BASELINE.name} (${ms.toFixed(1)} ms, ${(rss / MB).toFixed(1)} MiB)`,
    };
    if (c.targeted) {
      row.target = `≤ +${TARGET_RSS_MB} MiB, ≤ +${TARGET_MS} ms`;
      row.pass = addedMB <= TARGET_RSS_MB && addedMs <= TARGET_MS;
    }
    return row;
  });
}

function packageSize(): Row[] {
  const packed = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (packed.status !== 0) throw new Error(`npm pack --dry-run failed: ${packed.stderr}`);
  const [info] = JSON.parse(packed.stdout) as [{ size: number; unpackedSize: number; entryCount: number }];
  return [
    {
      name: 'unpacked size',
      opsPerSec: null,
      ratio: null,
      target: `≤ ${(TARGET_UNPACKED_BYTES / 1e6).toFixed(3)} MB`,
      pass: info.unpackedSize <= TARGET_UNPACKED_BYTES,
      note: `${(info.unpackedSize / 1e6).toFixed(3)} MB in ${info.entryCount} files`,
    },
    {
      name: 'tarball',
      opsPerSec: null,
      ratio: null,
      note: `${(info.size / 1e6).toFixed(3)} MB`,
    },
  ];
}

ensureBuilt();
const sections = [
  { heading: `Import cost (fresh process, median of ${ROUNDS})`, rows: importCost() },
  { heading: 'Package size (npm pack)', rows: packageSize() },
];
report('Import cost and package size', sections);
