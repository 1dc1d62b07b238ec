/**
 * Running the vendor's adapter command: through the shell, with the environment it is given, its
 * exit and the end of its stderr kept, stopped at the deadline with SIGTERM — SIGKILL 5 s later if
 * it will not go — and refused as a setup error when the shell cannot start it.
 */
import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConformanceSetupError } from '../../sdk/errors.ts';
import { KILL_AFTER_MS, runCommand, STDERR_KEPT, waitForVendor } from './adapter.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'conformance-adapter-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const run = (command: string, deadlineMs = 20_000, env: Record<string, string> = {}) =>
  runCommand({ command, cwd: dir, env: { PATH: process.env.PATH ?? '', ...env }, deadlineMs });

describe('running the adapter command', () => {
  it('runs it through the shell, in the given folder, with the given environment', async () => {
    const result = await run('echo "$DIGITALPOST_SCENARIO in $(pwd)" >&2; exit 4', 20_000, {
      DIGITALPOST_SCENARIO: '/tmp/scenario.json',
    });
    expect(result).toMatchObject({ exitCode: 4, signal: null, timedOut: false });
    expect(result.stderr).toBe(`/tmp/scenario.json in ${dir}\n`);
  });

  it('keeps only the end of a long stderr', async () => {
    const result = await run(`node -e "process.stderr.write('x'.repeat(100000) + 'the end')"`);
    expect(result.stderr.length).toBeLessThanOrEqual(STDERR_KEPT);
    expect(result.stderr.endsWith('the end')).toBe(true);
  });

  it('stops it at the deadline with SIGTERM, children included', async () => {
    const result = await run('sleep 30 & sleep 30 & wait', 300);
    expect(result).toMatchObject({ timedOut: true, exitCode: null, signal: 'SIGTERM' });
  });

  it('kills it 5 s after SIGTERM when it will not stop', async () => {
    const result = await run("trap '' TERM; sleep 30", 200);
    expect(result).toMatchObject({ timedOut: true, signal: 'SIGKILL' });
    expect(result.endedAt - result.startedAt).toBeGreaterThanOrEqual(200 + KILL_AFTER_MS - 50);
  }, 20_000);

  it('is a setup error when the shell cannot find or run the command', async () => {
    await expect(run('no-such-adapter-command --flag')).rejects.toThrow(ConformanceSetupError);
    await writeFile(join(dir, 'not-executable'), 'echo hi');
    await expect(run('./not-executable')).rejects.toThrow(/could not start \(the shell exited 126/);
  });
});

describe('waiting for a vendor acting by hand (--wait)', () => {
  it('ends once the report has a line for every letter', async () => {
    const report = join(dir, 'report.jsonl');
    await writeFile(report, '');
    const waiting = waitForVendor({ reportPath: report, expectedLines: 2, deadlineMs: 20_000, pollMs: 20 });
    await appendFile(report, '{"ref":"L1"}\n');
    await appendFile(report, '{"ref":"L2"}\n');
    expect(await waiting).toMatchObject({ timedOut: false, exitCode: null });
  });

  it('ends at the deadline when lines are missing', async () => {
    const report = join(dir, 'report.jsonl');
    expect(
      await waitForVendor({ reportPath: report, expectedLines: 1, deadlineMs: 100, pollMs: 20 }),
    ).toMatchObject({
      timedOut: true,
    });
  });
});
