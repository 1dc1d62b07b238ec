/** `digitalpost login` against a real simulator: the token kept for later commands, or printed. */
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunningSimulator } from '../../simulator/index.ts';
import { seededEmployee } from '../../test/support/admin.ts';
import { advanceClock, resetSimulator, SEED_IDS, startTestSimulator } from '../../test/support/simulator.ts';
import { jsonLines, run } from '../test-support.ts';

let simulator: RunningSimulator;
let config: string;
let env: Record<string, string>;
let credentials: { username: string; password: string };

beforeAll(async () => {
  simulator = await startTestSimulator();
  credentials = seededEmployee(simulator, SEED_IDS.authority);
});
afterAll(() => simulator.stop());
beforeEach(async () => {
  await resetSimulator(simulator);
  config = await mkdtemp(join(tmpdir(), 'dp-login-'));
  env = { DIGITALPOST_BASE_URL: simulator.apiUrl, XDG_CONFIG_HOME: config };
  return () => rm(config, { recursive: true, force: true });
});

const loginFile = () => join(config, 'digitalpost', 'login.json');

describe('digitalpost login', () => {
  it('keeps the token in a file only its user can read, and later commands use it', async () => {
    const result = await run(['login', '--username', credentials.username], {
      ...env,
      DIGITALPOST_PASSWORD: credentials.password,
    });

    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(
      new RegExp(
        `^logged in as ${credentials.username} for organisation ${SEED_IDS.authority} until \\S+; the token is kept in ${loginFile()}\\n$`,
      ),
    );
    expect((await stat(loginFile())).mode & 0o777).toBe(0o600);
    expect((await stat(join(config, 'digitalpost'))).mode & 0o777).toBe(0o700);
    const kept = JSON.parse(await readFile(loginFile(), 'utf8'));
    expect(kept).toMatchObject({
      baseUrl: simulator.apiUrl,
      username: credentials.username,
      organisationId: SEED_IDS.authority,
    });
    expect(JSON.stringify(kept)).not.toContain(credentials.password);

    const listed = await run(['system', 'list'], { XDG_CONFIG_HOME: config });
    expect(listed.code, listed.stderr).toBe(0);
  });

  it('prints the token instead with --print, and keeps nothing', async () => {
    const result = await run(
      ['login', '--username', credentials.username, '--password', credentials.password, '--print'],
      env,
    );

    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^\S{20,}\n$/);
    await expect(stat(loginFile())).rejects.toThrow();
    const listed = await run(['system', 'list', '--organisation', SEED_IDS.authority], {
      ...env,
      DIGITALPOST_ADMIN_TOKEN: result.stdout.trim(),
    });
    expect(listed.code, listed.stderr).toBe(0);
  });

  it('says so in JSON with --json', async () => {
    const result = await run(
      ['login', '--username', credentials.username, '--password', credentials.password, '--json'],
      env,
    );

    expect(jsonLines(result.stdout)).toEqual([
      {
        username: credentials.username,
        organisationId: SEED_IDS.authority,
        expiration: expect.any(String),
        file: loginFile(),
      },
    ]);
  });

  it('refuses a wrong password in one line that does not repeat it (exit 1)', async () => {
    const result = await run(
      ['login', '--username', credentials.username, '--password', 'wrong-password-99'],
      env,
    );

    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr: 'digitalpost: the username or the password is not right (401 LOGIN_FAILED)\n',
    });
  });

  it('needs a password (exit 2)', async () => {
    const result = await run(['login', '--username', credentials.username], env);

    expect(result.code).toBe(2);
    expect(result.stderr).toBe('digitalpost: no password: pass --password or set DIGITALPOST_PASSWORD\n');
  });

  it('tells a command after an expired login to log in again', async () => {
    await run(['login', '--username', credentials.username, '--password', credentials.password], env);
    const kept = JSON.parse(await readFile(loginFile(), 'utf8'));
    await writeFile(loginFile(), JSON.stringify({ ...kept, validUntil: '2020-01-01T00:00:00Z' }));
    const result = await run(['system', 'list'], { XDG_CONFIG_HOME: config });

    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `digitalpost: the login of ${credentials.username} expired at 2020-01-01T00:00:00Z: run digitalpost login again\n`,
    );
  });

  it("keeps the token's hour by this machine's clock, whatever the simulator's clock says", async () => {
    await run(['login', '--username', credentials.username, '--password', credentials.password], env);
    const kept = JSON.parse(await readFile(loginFile(), 'utf8')) as { validUntil: string };

    expect(Date.parse(kept.validUntil) - Date.now()).toBeGreaterThan(59 * 60_000);
    expect(Date.parse(kept.validUntil) - Date.now()).toBeLessThanOrEqual(60 * 60_000);
  });

  it('tells a command whose token expired on the simulator clock to log in again', async () => {
    await run(['login', '--username', credentials.username, '--password', credentials.password], env);
    await advanceClock(simulator, 'PT2H');
    const result = await run(['system', 'list'], { XDG_CONFIG_HOME: config });

    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr: 'digitalpost: the login expired: run digitalpost login again\n',
    });
  });

  it('tells a command whose token the simulator no longer knows to log in again', async () => {
    await run(['login', '--username', credentials.username, '--password', credentials.password], env);
    await resetSimulator(simulator);
    const result = await run(['system', 'list'], { XDG_CONFIG_HOME: config });

    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^digitalpost: NgDP refused the login \(401 UNAUTHENTICATED: .*\): run digitalpost login again\n$/,
    );
  });

  it('tells a command without a login how to log in (exit 2)', async () => {
    const result = await run(['system', 'list'], env);

    expect(result).toEqual({
      code: 2,
      stdout: '',
      stderr: 'digitalpost: not logged in: run digitalpost login, or set DIGITALPOST_ADMIN_TOKEN\n',
    });
  });
});
