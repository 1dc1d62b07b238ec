/**
 * `digitalpost conformance run` against real adapters — the reference one and broken ones — as a
 * vendor's CI runs it: exit 0 when every MUST check held (a SHOULD failure is a warning), 1 when a
 * MUST check failed or an expected failure passed, 2 when the options are refused; the report
 * files it writes; the command line that repeats a failing run. Each run selects one check with
 * `--only`, so that only the scenario judging it is played.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { brokenAdapter, freePort, REFERENCE_ADAPTER } from '../../test/support/conformance/adapters.ts';
import { REPORT_SCHEMA } from '../../test/support/conformance/report-schema.ts';
import { schemaProblems } from '../../test/support/json-schema.ts';
import { lines, run } from '../test-support.ts';

/** A run plays one or two scenarios of up to 20 s each; room for a loaded machine. */
const RUN_TIMEOUT_MS = 90_000;

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'conformance-run-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** `digitalpost conformance run --profile sender --seed 7 --run COMMAND …extra`. */
const runSender = (command: string, ...extra: string[]) =>
  run(['conformance', 'run', '--profile', 'sender', '--seed', '7', '--run', command, ...extra]);

/** Plays only `recall-lost-answer`, the one scenario that judges it. */
const RECALL_RETRIED = ['--only', 'sender.recall.lost-answer'];
/** Plays only `invalid-receipt`. */
const INVALID_REPORTED = ['--only', 'sender.outcome.invalid'];

describe('digitalpost conformance run: exit codes', () => {
  it('exits 0 when every selected check held, printing one line per check and the summary', {
    timeout: RUN_TIMEOUT_MS,
  }, async () => {
    const { code, stdout, stderr } = await runSender(REFERENCE_ADAPTER, ...RECALL_RETRIED);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^digitalpost conformance \S+ — profile sender, seed 7, chaos on\n/);
    expect(lines(stdout)).toContain(
      'PASS  sender.recall.lost-answer  A recall whose answer was lost is tried again (409 ALREADY_RECALLED then means it worked)',
    );
    expect(lines(stdout).at(-1)).toBe('1 passed, 0 failed, 39 skipped');
    expect(stdout).not.toContain('Repeat this run');
    expect(lines(stderr)).toEqual([
      '[1/1] recall-lost-answer: NgDP recalls the letter and the answer to the recall is lost',
    ]);
  });

  it('exits 1 when a MUST check failed, and prints the command that repeats the run', {
    timeout: RUN_TIMEOUT_MS,
  }, async () => {
    const adapter = brokenAdapter('invalid-as-failed');
    const { code, stdout } = await runSender(adapter, ...INVALID_REPORTED);
    expect(code).toBe(1);
    expect(lines(stdout)).toContain(
      'FAIL  sender.outcome.invalid  A letter NgDP found INVALID is reported INVALID',
    );
    expect(stdout).toContain('FAIL sender.outcome.invalid [MUST]');
    expect(lines(stdout).at(-2)).toBe('0 passed, 1 failed, 39 skipped');
    expect(lines(stdout).at(-1)).toBe(
      `Repeat this run: digitalpost conformance run --profile sender --run '${adapter.replace(/'/g, `'\\''`)}' --only sender.outcome.invalid --seed 7`,
    );
  });

  it('exits 0 when only a SHOULD check failed: a warning', { timeout: RUN_TIMEOUT_MS }, async () => {
    const { code, stdout } = await runSender(brokenAdapter('recall-once'), ...RECALL_RETRIED);
    expect(code).toBe(0);
    expect(lines(stdout)).toContain(
      'FAIL  sender.recall.lost-answer  A recall whose answer was lost is tried again (409 ALREADY_RECALLED then means it worked) (SHOULD: a warning)',
    );
  });

  it('exits 0 when the only failure is expected (XFAIL)', { timeout: RUN_TIMEOUT_MS }, async () => {
    const expected = join(dir, 'expected.txt');
    await writeFile(expected, '# known: reports INVALID letters FAILED\nsender.outcome.invalid\n');
    const { code, stdout } = await runSender(
      brokenAdapter('invalid-as-failed'),
      ...INVALID_REPORTED,
      '--expected-failures',
      expected,
    );
    expect(code).toBe(0);
    expect(lines(stdout)).toContain(
      'XFAIL sender.outcome.invalid  A letter NgDP found INVALID is reported INVALID',
    );
    expect(lines(stdout).at(-1)).toBe('0 passed, 0 failed, 39 skipped (1 xfailed)');
  });

  it('exits 1 when an expected failure passes (XPASS): the file must shrink as the system improves', {
    timeout: RUN_TIMEOUT_MS,
  }, async () => {
    const expected = join(dir, 'expected.txt');
    await writeFile(expected, 'sender.outcome.invalid\n');
    const { code, stdout } = await runSender(
      REFERENCE_ADAPTER,
      ...INVALID_REPORTED,
      '--expected-failures',
      expected,
    );
    expect(code).toBe(1);
    expect(lines(stdout)).toContain(
      'XPASS sender.outcome.invalid  A letter NgDP found INVALID is reported INVALID',
    );
    expect(lines(stdout).at(-2)).toBe('0 passed, 0 failed, 39 skipped (1 xpassed)');
  });

  it('exits 0 with receipts pushed to the reference adapter’s endpoint, as docs/conformance.md shows', {
    timeout: RUN_TIMEOUT_MS,
  }, async () => {
    const port = await freePort();
    const { code, stdout } = await runSender(
      `SENDER_RECEIPT_PORT=${port} ${REFERENCE_ADAPTER}`,
      '--receipts',
      'push',
      '--receipt-endpoint',
      `http://127.0.0.1:${port}/receipts`,
      '--only',
      'sender.receipts.push-idempotent',
    );
    expect(code, stdout).toBe(0);
    expect(stdout).toContain('PASS  sender.receipts.push-idempotent');
  });
});

describe('digitalpost conformance run: a command that cannot start', () => {
  it('exits 2 with one line saying so, and writes no report', { timeout: RUN_TIMEOUT_MS }, async () => {
    const json = join(dir, 'r.json');
    const { code, stdout, stderr } = await runSender(
      './no-such-adapter --letters',
      ...RECALL_RETRIED,
      '--json',
      json,
    );
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(lines(stderr).at(-1)).toMatch(
      /^digitalpost: the adapter command could not start \(the shell exited 127: .*no-such-adapter/,
    );
    await expect(readFile(json)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('digitalpost conformance run: report files', () => {
  it('writes the JSON, JUnit XML and HTML reports it is asked for', { timeout: RUN_TIMEOUT_MS }, async () => {
    const [json, junit, html] = ['out/r.json', 'out/r.xml', 'out/r.html'].map((file) => join(dir, file));
    const { code } = await runSender(
      brokenAdapter('invalid-as-failed'),
      ...INVALID_REPORTED,
      '--json',
      json as string,
      '--junit',
      junit as string,
      '--html',
      html as string,
    );
    expect(code).toBe(1);
    const report: unknown = JSON.parse(await readFile(json as string, 'utf8'));
    expect(schemaProblems(REPORT_SCHEMA, report)).toEqual([]);
    expect(report).toMatchObject({ profile: 'sender', seed: 7, chaos: true, certify: false });
    const xml = await readFile(junit as string, 'utf8');
    expect(XMLValidator.validate(xml)).toBe(true);
    const suite = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(xml).testsuites
      .testsuite as { name: string; tests: string; failures: string; skipped: string };
    expect(suite).toMatchObject({ name: 'sender', tests: '40', failures: '1', skipped: '39' });
    const page = await readFile(html as string, 'utf8');
    expect(page).toMatch(/^<!doctype html>/i);
    expect(page).toContain('sender.outcome.invalid');
  });

  it('writes report.json, junit.xml, report.html and each scenario’s files into --report-dir', {
    timeout: RUN_TIMEOUT_MS,
  }, async () => {
    const reports = join(dir, 'reports');
    const { code } = await runSender(REFERENCE_ADAPTER, ...RECALL_RETRIED, '--report-dir', reports);
    expect(code).toBe(0);
    expect((await readdir(reports)).sort()).toEqual(['junit.xml', 'report.html', 'report.json', 'work']);
    expect(JSON.parse(await readFile(join(reports, 'report.json'), 'utf8'))).toMatchObject({
      summary: { passed: 1, failed: 0, skipped: 39 },
    });
    const scenario = join(reports, 'work', 'scenarios', '01-recall-lost-answer');
    expect(JSON.parse(await readFile(join(scenario, 'scenario.json'), 'utf8'))).toMatchObject({
      scenario: 'recall-lost-answer',
    });
    expect(JSON.parse(lines(await readFile(join(scenario, 'report.jsonl'), 'utf8'))[0] ?? '')).toMatchObject({
      ref: 'L1',
      outcome: 'RECALLED',
    });
  });
});

describe('digitalpost conformance run --certify', () => {
  const refusals: Array<[string, string[]]> = [
    ['--only', ['--only', 'sender.retry.*']],
    ['--seed', ['--seed', '7']],
    ['--no-chaos', ['--no-chaos']],
    ['--expected-failures', ['--expected-failures', 'EXPECTED']],
  ];
  for (const [option, argv] of refusals) {
    it(`refuses ${option}, which would certify less than the catalogue: exit 2, one line, nothing run`, async () => {
      const expected = join(dir, 'expected.txt');
      await writeFile(expected, 'sender.memo.label\n');
      const { code, stdout, stderr } = await run([
        'conformance',
        'run',
        '--profile',
        'sender',
        '--run',
        REFERENCE_ADAPTER,
        '--certify',
        ...argv.map((word) => (word === 'EXPECTED' ? expected : word)),
      ]);
      expect(code).toBe(2);
      expect(stdout).toBe('');
      expect(lines(stderr)).toEqual([expect.stringContaining(`cannot be combined with ${option}`)]);
    });
  }
});
