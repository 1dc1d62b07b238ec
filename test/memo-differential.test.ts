/**
 * Differential test of `validateMemo` (rules: 'schema') against the official MeMo schemas, with
 * xmllint (libxml2) as the oracle: thousands of random MeMo messages — valid ones from random
 * models, and mutated ones — must get the same valid/invalid verdict from both.
 *
 * Needs `../shared/xsd` (next to the repository) and `xmllint` on the PATH; without them the
 * block fails in CI and is skipped elsewhere (test/support/requirements.ts). The corpus is
 * reproducible: fast-check runs with a fixed seed. Set MEMO_DIFF_SEED and MEMO_DIFF_CASES to explore
 * further.
 *
 * xmllint runs once per batch of files, not once per case. Known places where libxml2 departs
 * from XSD 1.0 (and our validator follows XSD) are kept out of the corpus; see
 * test/support/memo-arbitraries.ts ("libxml2 deviation").
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { MemoVersion } from '../sdk/memo/types.ts';
import { validateMemo } from '../sdk/memo/validate.ts';
import { type DifferentialCase, differentialCaseArbitrary } from './support/memo-arbitraries.ts';
import { describeWith } from './support/requirements.ts';
import { sharedPath } from './support/shared.ts';

/** The official schemas, as paths inside `../shared`. */
const SCHEMA_FILES: Readonly<Record<MemoVersion, string>> = {
  '1.1': 'xsd/memo-1.1/MeMo_core.xsd',
  '1.2': 'xsd/memo-1.2/Version1.2/MeMo_core.xsd',
};
/** Their absolute paths; only used when they are present. */
const SCHEMAS: Readonly<Record<MemoVersion, string>> = {
  '1.1': sharedPath(SCHEMA_FILES['1.1']) ?? '',
  '1.2': sharedPath(SCHEMA_FILES['1.2']) ?? '',
};
/** memoNotificationType's maxLength in each schema set's MeMo_dataTypes.xsd. */
const NOTIFICATION_MAX_LENGTH: Readonly<Record<MemoVersion, number>> = { '1.1': 150, '1.2': 160 };

const SEED = Number(process.env.MEMO_DIFF_SEED ?? 20250601);
const CASES = Number(process.env.MEMO_DIFF_CASES ?? 4000);
/** Files per xmllint run. */
const BATCH = 250;
/** An xmllint run that takes longer than this is killed (the test then fails, it never hangs). */
const XMLLINT_TIMEOUT_MS = 90_000;

interface Verdict {
  valid: boolean;
  /** xmllint's messages, or our issues. */
  details: string[];
}

interface CaseResult {
  index: number;
  testCase: DifferentialCase;
  xmllint: Verdict;
  ours: Verdict & { threw?: boolean };
}

/** Starts xmllint on a batch; its stderr goes to a file, so it never waits for us to read it. */
function startXmllint(schema: string, files: string[], log: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const fd = openSync(log, 'w');
    const child = spawn('xmllint', ['--nonet', '--noout', '--schema', schema, ...files], {
      stdio: ['ignore', 'ignore', fd],
    });
    closeSync(fd);
    const timer = setTimeout(() => child.kill('SIGKILL'), XMLLINT_TIMEOUT_MS);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (_code, signal) => {
      clearTimeout(timer);
      if (signal !== null)
        reject(new Error(`xmllint was stopped by ${signal} (over ${XMLLINT_TIMEOUT_MS} ms?)`));
      else resolve();
    });
  });
}

/**
 * Reads xmllint's per-file verdicts: "<file> validates" or "<file> fails to validate", after the
 * file's error lines ("<file>:<line>: …"; a message may continue on following lines). A file that
 * is not well-formed gets parser errors and no verdict line: invalid.
 */
function readVerdicts(log: string, files: string[]): Map<string, Verdict> {
  const verdicts = new Map<string, { valid: boolean | undefined; details: string[] }>(
    files.map((f) => [f, { valid: undefined, details: [] }]),
  );
  let current: { valid: boolean | undefined; details: string[] } | undefined;
  const output = readFileSync(log, 'utf8');
  if (output.includes('failed to compile'))
    throw new Error(`xmllint could not compile the schema:\n${output.slice(0, 2000)}`);
  for (const line of output.split('\n')) {
    if (line === '') continue;
    const file = files.find((f) => line.startsWith(`${f}:`) || line.startsWith(`${f} `));
    if (file === undefined) {
      current?.details.push(line);
      continue;
    }
    current = verdicts.get(file);
    const rest = line.slice(file.length);
    if (rest === ' validates') current!.valid = true;
    else if (rest === ' fails to validate' || rest === ' validation generated an internal error') {
      current!.valid = false;
      if (rest !== ' fails to validate') current!.details.push(rest.trim());
    } else current!.details.push(line.slice(file.length + 1));
  }
  const out = new Map<string, Verdict>();
  for (const [file, v] of verdicts) {
    out.set(file, {
      valid: v.valid === true,
      details:
        v.valid === undefined ? [...v.details, '(no verdict from xmllint: not well-formed)'] : v.details,
    });
  }
  return out;
}

function ourVerdict(testCase: DifferentialCase): Verdict & { threw?: boolean } {
  try {
    const result = validateMemo(testCase.xml, {
      rules: 'schema',
      version: testCase.schema,
      notificationMaxLength: NOTIFICATION_MAX_LENGTH[testCase.schema],
    });
    return {
      valid: result.valid,
      details: result.issues.map((i) => `${i.path || '(document)'}: ${i.code}: ${i.message}`),
    };
  } catch (error) {
    // validateMemo must never throw for a bad document: always a mismatch.
    return {
      valid: false,
      threw: true,
      details: [`threw ${error instanceof Error ? error.stack : String(error)}`],
    };
  }
}

/** A short signature of a mismatch, to group cases with the same cause. */
function signature(result: CaseResult): string {
  const lint = result.xmllint.details.find((d) => d.includes('error')) ?? result.xmllint.details[0] ?? '';
  const lintMessage = lint
    .replace(/^.*?error : /, '')
    .replace(/'[^']*'/g, "'…'")
    .replace(/\{[^}]*\}/g, '')
    .slice(0, 160);
  // our first issue without its path and element name: "CODE: … may not have …"
  const ours =
    result.ours.details[0]
      ?.replace(/^[^:]*: /, '')
      .replace(/^(\w+): \S+/, '$1: …')
      .replace(/"[^"]*"/g, '"…"')
      .slice(0, 100) ?? '';
  return `xmllint ${result.xmllint.valid ? 'valid' : 'invalid'}, ours ${result.ours.valid ? 'valid' : 'invalid'}${
    result.ours.threw ? ' (threw)' : ''
  } | ${result.xmllint.valid ? ours : lintMessage}`;
}

/** Where mismatching cases are written (replaced on every run), one XML file per case. */
const MISMATCH_DIR = join(tmpdir(), `memo-differential-mismatches-seed${SEED}`);

function keptFile(result: CaseResult): string {
  return join(MISMATCH_DIR, `case-${result.index}-schema-${result.testCase.schema}.xml`);
}

function describeMismatch(result: CaseResult, maxXml = 4000): string {
  const xml =
    result.testCase.xml.length > maxXml
      ? `${result.testCase.xml.slice(0, maxXml)}\n…(truncated)`
      : result.testCase.xml;
  const list = (details: string[]) =>
    details.length === 0 ? '    (none)' : details.map((d) => `    ${d}`).join('\n');
  return [
    `case #${result.index} (MEMO_DIFF_SEED=${SEED} MEMO_DIFF_CASES=${CASES}): ${result.testCase.description}`,
    `  xmllint --schema ${SCHEMAS[result.testCase.schema]}: ${result.xmllint.valid ? 'valid' : 'INVALID'}`,
    list(result.xmllint.details),
    `  validateMemo(xml, { rules: 'schema', version: '${result.testCase.schema}' }): ${result.ours.valid ? 'valid' : 'INVALID'}`,
    list(result.ours.details),
    `  XML: ${keptFile(result)}`,
    ...(maxXml > 0 ? [xml] : []),
  ].join('\n');
}

describeWith(
  { tools: ['xmllint'], shared: Object.values(SCHEMA_FILES) },
  'validateMemo agrees with xmllint and the official MeMo schemas',
  () => {
    let dir = '';
    let results: CaseResult[] = [];
    let elapsed = 0;

    beforeAll(async () => {
      const started = performance.now();
      dir = mkdtempSync(join(tmpdir(), 'memo-differential-'));
      const cases = fc.sample(differentialCaseArbitrary(), { seed: SEED, numRuns: CASES });
      const files = cases.map((c, i) => {
        const file = join(dir, `c${String(i).padStart(6, '0')}.xml`);
        writeFileSync(file, c.xml);
        return file;
      });

      // One xmllint run per schema and batch, all started before our own (synchronous) validation.
      const runs: Array<{ files: string[]; log: string; done: Promise<void> }> = [];
      for (const version of ['1.1', '1.2'] as const) {
        const mine = files.filter((_, i) => cases[i]!.schema === version);
        for (let from = 0; from < mine.length; from += BATCH) {
          const batch = mine.slice(from, from + BATCH);
          const log = join(dir, `xmllint-${version}-${from}.log`);
          runs.push({ files: batch, log, done: startXmllint(SCHEMAS[version], batch, log) });
        }
      }
      const ours = cases.map(ourVerdict);
      await Promise.all(runs.map((r) => r.done));

      const lint = new Map<string, Verdict>();
      for (const run of runs)
        for (const [file, verdict] of readVerdicts(run.log, run.files)) lint.set(file, verdict);
      results = cases.map((testCase, index) => ({
        index,
        testCase,
        xmllint: lint.get(files[index]!)!,
        ours: ours[index]!,
      }));
      elapsed = performance.now() - started;
    }, 180_000);

    afterAll(() => {
      if (dir !== '') rmSync(dir, { recursive: true, force: true });
    });

    it('covers valid and invalid messages of both versions', () => {
      const count = (schema: MemoVersion, valid: boolean) =>
        results.filter((r) => r.testCase.schema === schema && r.xmllint.valid === valid).length;
      console.log(
        `MeMo differential: ${results.length} cases in ${Math.round(elapsed)} ms (seed ${SEED}); xmllint says ` +
          `1.1: ${count('1.1', true)} valid / ${count('1.1', false)} invalid, ` +
          `1.2: ${count('1.2', true)} valid / ${count('1.2', false)} invalid`,
      );
      expect(results).toHaveLength(CASES);
      for (const schema of ['1.1', '1.2'] as const) {
        for (const valid of [true, false]) expect(count(schema, valid)).toBeGreaterThan(CASES * 0.1);
      }
    });

    it('gives the same valid/invalid verdict as xmllint --schema for every case', () => {
      const mismatches = results.filter((r) => r.xmllint.valid !== r.ours.valid || r.ours.threw);
      rmSync(MISMATCH_DIR, { recursive: true, force: true });
      if (mismatches.length === 0) return;
      mkdirSync(MISMATCH_DIR, { recursive: true });
      for (const m of mismatches) writeFileSync(keptFile(m), m.testCase.xml);
      writeFileSync(
        join(MISMATCH_DIR, 'report.txt'),
        mismatches.map((m) => describeMismatch(m, 0)).join('\n\n'),
      );
      const groups = new Map<string, CaseResult[]>();
      for (const m of mismatches) groups.set(signature(m), [...(groups.get(signature(m)) ?? []), m]);
      const summary = [...groups].map(
        ([sig, list]) => `  ${list.length} × ${sig} (e.g. case #${list[0]!.index})`,
      );
      const examples = [...groups.values()].slice(0, 8).map((list) => describeMismatch(list[0]!));
      console.error(
        [
          `${mismatches.length} of ${results.length} cases disagree with xmllint (seed ${SEED}); ` +
            `the cases and a report are in ${MISMATCH_DIR}`,
          ...summary,
          '',
          ...examples,
        ].join('\n'),
      );
      expect.fail(
        `validateMemo disagrees with xmllint on ${mismatches.length} of ${results.length} cases ` +
          `(${groups.size} distinct kinds, see the log above):\n${summary.join('\n')}`,
      );
    });
  },
);
