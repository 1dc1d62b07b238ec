/**
 * The rule for tests whose tools or `../shared` are missing: in CI they fail with the reason,
 * elsewhere they are skipped with it, and when nothing is missing nothing is listed as skipped.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { isCi, type Machine, onPath, unmet, verdict } from './requirements.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FIXTURE_CONFIG = join(ROOT, 'test/fixtures/requirements/vitest.config.ts');
/** A folder that holds `sh` on every machine these tests run on. */
const SH_FOLDER = '/bin';
const SHARED = fileURLToPath(new URL('../fixtures/', import.meta.url));
/** A folder holding an executable named `docker` (a stand-in: the probe answers for the engine). */
const DOCKER_FOLDER = mkdtempSync(join(tmpdir(), 'dp-docker-client-'));
writeFileSync(join(DOCKER_FOLDER, 'docker'), '#!/bin/sh\nexit 1\n', { mode: 0o755 });
afterAll(() => rmSync(DOCKER_FOLDER, { recursive: true, force: true }));

const machine = (changes: Partial<Machine> = {}): Machine => ({
  path: SH_FOLDER,
  sharedDir: SHARED,
  ci: false,
  ...changes,
});

describe('what counts as CI', () => {
  it.each([
    ['1', true],
    ['true', true],
    ['yes', true],
    [undefined, false],
    ['', false],
    ['0', false],
    ['false', false],
    ['FALSE', false],
  ])('CI=%s is CI: %s', (value, expected) => {
    expect(isCi(value)).toBe(expected);
  });
});

describe('what is missing', () => {
  it('finds a tool by looking through the PATH, as a shell would', () => {
    expect(onPath('sh', `/no/such/folder:${SH_FOLDER}`)).toBe(true);
    expect(onPath('sh', '/no/such/folder')).toBe(false);
    expect(onPath('sh', '')).toBe(false);
  });

  it('is nothing when every tool and file is there', () => {
    expect(unmet({ tools: ['sh'], shared: ['memo/minimal-1.2.xml'] }, machine())).toBeUndefined();
    expect(unmet({}, machine({ path: '', sharedDir: undefined }))).toBeUndefined();
  });

  it('names each missing tool with the Debian package that brings it', () => {
    expect(unmet({ tools: ['xmllint', 'sh'] }, machine({ path: '/no/such/folder' }))).toBe(
      'xmllint (Debian: libxml2-utils) and sh are not on the PATH',
    );
    expect(unmet({ tools: ['xmllint'] }, machine({ path: '/no/such/folder' }))).toBe(
      'xmllint (Debian: libxml2-utils) is not on the PATH',
    );
  });

  it('names ../shared when it is absent, and each missing file when it is there', () => {
    expect(unmet({ shared: ['xsd/a.xsd'] }, machine({ sharedDir: undefined }))).toBe(
      '../shared (the specs, official schemas and examples beside the repository) is absent',
    );
    expect(unmet({ shared: ['memo/minimal-1.2.xml', 'xsd/a.xsd'] }, machine())).toBe(
      '../shared/xsd/a.xsd not found',
    );
  });
});

describe('what is missing for a container test', () => {
  const engine = (down: string | undefined, images: string[] = []) => ({
    engineDown: () => down,
    hasImage: (name: string) => images.includes(name),
  });
  const withDockerClient = (docker: ReturnType<typeof engine>) => machine({ path: DOCKER_FOLDER, docker });
  const needsImage = { dockerImage: 'digitalpost-simulator:test' };

  it('is nothing when the engine answers and the image is there', () => {
    expect(
      unmet(needsImage, withDockerClient(engine(undefined, ['digitalpost-simulator:test']))),
    ).toBeUndefined();
  });

  it('names the Docker client with its Debian package when it is not on the PATH', () => {
    expect(unmet(needsImage, machine({ path: '/no/such/folder', docker: engine(undefined) }))).toBe(
      'docker (Debian: docker.io) is not on the PATH',
    );
  });

  it('says why the engine does not answer', () => {
    expect(unmet(needsImage, withDockerClient(engine('no Docker engine answers (…)')))).toBe(
      'no Docker engine answers (…)',
    );
  });

  it('names the image and the script that builds it when the image is not there', () => {
    expect(unmet(needsImage, withDockerClient(engine(undefined)))).toBe(
      'the image digitalpost-simulator:test is not built (scripts/container-image.sh builds it)',
    );
  });
});

describe('what becomes of a test', () => {
  const needsXmllint = { tools: ['xmllint'] };
  const withoutXmllint = { path: '/no/such/folder' };

  it('runs when its requirements are met, in CI or not', () => {
    expect(verdict({ tools: ['sh'] }, machine({ ci: true }))).toEqual({ kind: 'run' });
    expect(verdict({ tools: ['sh'] }, machine({ ci: false }))).toEqual({ kind: 'run' });
  });

  it('fails with the reason in CI when they are not', () => {
    expect(verdict(needsXmllint, machine({ ...withoutXmllint, ci: true }))).toEqual({
      kind: 'fail',
      reason: 'xmllint (Debian: libxml2-utils) is not on the PATH',
    });
  });

  it('is skipped with the reason outside CI when they are not', () => {
    expect(verdict(needsXmllint, machine({ ...withoutXmllint, ci: false }))).toEqual({
      kind: 'skip',
      reason: 'xmllint (Debian: libxml2-utils) is not on the PATH',
    });
  });
});

describe('describeWith, itWith and needs, in a Vitest run of test/fixtures/requirements', () => {
  const folder = mkdtempSync(join(tmpdir(), 'dp-requirements-'));
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  interface Outcome {
    exitCode: number;
    tests: Array<{ name: string; status: string; failure: string }>;
    /** What the verbose reporter printed, where a skip's note shows. */
    output: string;
  }

  /** Runs Vitest on the fixture with `CI` set to `ci` (or unset) and reads its reports. */
  async function runFixture(ci: string | undefined): Promise<Outcome> {
    const env: NodeJS.ProcessEnv = { NO_COLOR: '1' };
    for (const [name, value] of Object.entries(process.env)) {
      if (!name.startsWith('VITEST') && name !== 'CI') env[name] = value;
    }
    if (ci !== undefined) env.CI = ci;
    const report = join(folder, `report-${ci ?? 'unset'}.json`);
    const vitest = join(dirname(fileURLToPath(import.meta.resolve('vitest/package.json'))), 'vitest.mjs');
    const reporters = ['--reporter=json', `--outputFile.json=${report}`, '--reporter=verbose'];
    const args = [vitest, 'run', '--config', FIXTURE_CONFIG, ...reporters];
    const { exitCode, output } = await promisify(execFile)(process.execPath, args, { cwd: ROOT, env }).then(
      ({ stdout }) => ({ exitCode: 0, output: stdout }),
      (error: { code?: number; stdout?: string }) => ({
        exitCode: error.code ?? -1,
        output: error.stdout ?? '',
      }),
    );
    const json = JSON.parse(readFileSync(report, 'utf8')) as {
      testResults: Array<{
        assertionResults: Array<{ fullName: string; status: string; failureMessages: string[] }>;
      }>;
    };
    const tests = json.testResults.flatMap((file) =>
      file.assertionResults.map((test) => ({
        name: test.fullName,
        status: test.status,
        failure: test.failureMessages.join('\n').split('\n')[0] ?? '',
      })),
    );
    return { exitCode, tests, output };
  }

  const failingInCi = (reason: string) =>
    expect.stringMatching(
      new RegExp(`^Error: ${reason.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\. CI runs every test`),
    );

  it('with CI set, a test whose tool or ../shared file is missing fails, saying what is missing', async () => {
    const { exitCode, tests } = await runFixture('1');
    expect(exitCode).toBe(1);
    expect(tests).toEqual([
      {
        name: 'a block that needs a missing tool',
        status: 'failed',
        failure: failingInCi('digitalpost-no-such-tool is not on the PATH'),
      },
      {
        name: 'a test that needs a missing file of ../shared',
        status: 'failed',
        failure: failingInCi('../shared/no/such/file.xsd not found'),
      },
      {
        name: 'a test that checks for a missing tool itself',
        status: 'failed',
        failure: failingInCi('digitalpost-no-such-tool is not on the PATH'),
      },
      { name: 'a block whose tool is present runs', status: 'passed', failure: '' },
    ]);
  });

  it('with CI unset, such a test is skipped with the reason, and the rest runs', async () => {
    const { exitCode, tests, output } = await runFixture(undefined);
    expect(exitCode).toBe(0);
    expect(tests).toEqual([
      {
        name: 'a block that needs a missing tool (skipped: digitalpost-no-such-tool is not on the PATH)',
        status: 'skipped',
        failure: '',
      },
      {
        name: 'a test that needs a missing file of ../shared (skipped: ../shared/no/such/file.xsd not found)',
        status: 'skipped',
        failure: '',
      },
      { name: 'a test that checks for a missing tool itself', status: 'skipped', failure: '' },
      { name: 'a block whose tool is present runs', status: 'passed', failure: '' },
    ]);
    // needs() gives the reason as the skip's note, which the reporter prints beside the name.
    expect(output).toMatch(
      /a test that checks for a missing tool itself.*\[digitalpost-no-such-tool is not on the PATH\]/,
    );
  });
});
