/** `digitalpost identity create|list|delete` against a real simulator, after `digitalpost login`. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunningSimulator } from '../../simulator/index.ts';
import { cliLoginHooks } from '../../test/support/cli-admin.ts';
import { SEED_IDS } from '../../test/support/simulator.ts';
import { jsonLines, lines, loggedIn, run } from '../test-support.ts';

let simulator: RunningSimulator;
let config: string;
let env: Record<string, string>;

cliLoginHooks('dp-identity-', (login) => {
  ({ simulator, config, env } = login);
});

describe('digitalpost identity create citizen|company', () => {
  it('creates a citizen with the CPR number given and the registration chosen', async () => {
    const result = await run(
      [
        'identity',
        'create',
        'citizen',
        '020280-1234',
        '--status',
        'EXEMPT',
        '--registration',
        'EXEMPT_OTHER_REASON',
      ],
      env,
    );

    expect(result).toEqual({
      code: 0,
      stdout: '0202801234  CITIZEN  EXEMPT  EXEMPT_OTHER_REASON\n',
      stderr: '',
    });
  });

  it('makes a valid CPR number with --generate', async () => {
    const result = await run(
      ['identity', 'create', 'citizen', '--generate', '--nemsms', '22334455', '--json'],
      env,
    );

    expect(result.code, result.stderr).toBe(0);
    const [contact] = jsonLines(result.stdout) as [{ cprNumber: string; nemSmsMobileNumber?: string }];
    expect(contact.cprNumber).toMatch(/^\d{10}$/);
    expect(contact).toMatchObject({
      type: 'CITIZEN',
      mailboxSubscription: { publicRegistrationStatus: 'REGISTERED' },
    });
  });

  it('creates a company with a generated CVR number', async () => {
    const result = await run(['identity', 'create', 'company', '--generate'], env);

    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^[1-9]\d{7} {2}COMPANY {2}REGISTERED {2}\S+\n$/);
  });

  it.each([
    [
      ['identity', 'create', 'citizen'],
      'give the CPR number (10 digits, DDMMYYSSSS), or --generate to have one made',
    ],
    [['identity', 'create', 'citizen', '12345'], '"12345" is not a CPR number (10 digits, DDMMYYSSSS)'],
    [
      ['identity', 'create', 'company', '12345678', '--generate'],
      'give a CVR number (8 digits) or --generate, not both',
    ],
  ])('refuses %j in one line (exit 2)', async (argv, message) => {
    expect(await run(argv, env)).toEqual({ code: 2, stdout: '', stderr: `digitalpost: ${message}\n` });
  });
});

describe('digitalpost identity create employee', () => {
  it('creates an employee with every right and a password made and printed once, which logs in', async () => {
    const result = await run(['identity', 'create', 'employee', 'jens'], env);

    expect(result.code, result.stderr).toBe(0);
    const [line, passwordLine] = lines(result.stdout) as [string, string];
    expect(line).toMatch(/^jens {2}RID \d{8} {2}jens {2}ORGANISATION_ADMINISTRATOR,CONTACT_ADMINISTRATOR,/);
    const password = /^password: (\S+) {2}\(shown this once\)$/.exec(passwordLine)?.[1] as string;
    const login = await run(
      ['login', '--base-url', simulator.apiUrl, '--username', 'jens', '--password', password, '--print'],
      {},
    );
    expect(login.code, login.stderr).toBe(0);
  });

  it('takes chosen rights and a given password, which it never prints', async () => {
    const result = await run(
      [
        'identity',
        'create',
        'employee',
        'karen',
        '--rights',
        'DP Admin',
        '--rights',
        'CONTACT_ADMINISTRATOR',
        '--password',
        'hemmelig-42',
        '--json',
      ],
      env,
    );

    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).not.toContain('hemmelig-42');
    expect(jsonLines(result.stdout)).toEqual([
      expect.objectContaining({
        username: 'karen',
        rights: [
          {
            organisationId: SEED_IDS.authority,
            rights: ['ORGANISATION_ADMINISTRATOR', 'CONTACT_ADMINISTRATOR'],
          },
        ],
      }),
    ]);
  });

  it('makes an employee whose own login may run the commands its rights open, and no others', async () => {
    await run(
      ['identity', 'create', 'employee', 'karen', '--rights', 'DP Admin', '--password', 'hemmelig-42'],
      env,
    );
    const karen = await mkdtemp(join(tmpdir(), 'dp-karen-'));
    try {
      const karenEnv = await loggedIn(simulator.apiUrl, karen, {
        username: 'karen',
        password: 'hemmelig-42',
      });
      const systems = await run(['system', 'list'], karenEnv);
      const employees = await run(['identity', 'list', '--json'], karenEnv);

      expect(systems.code, systems.stderr).toBe(0);
      expect(lines(systems.stdout).length).toBeGreaterThan(0);
      expect(employees.code).toBe(1);
      expect(jsonLines(employees.stderr)).toEqual([
        { error: { code: 'RIGHT_MISSING', message: expect.stringMatching(/^403 RIGHT_MISSING: /) } },
      ]);
    } finally {
      await rm(karen, { recursive: true, force: true });
    }
  });

  it('reports a refused field in one line, without the password (exit 1)', async () => {
    const result = await run(['identity', 'create', 'employee', 'x', '--password', 'kort'], env);

    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^digitalpost: 400 \S+: .*username.*\n$/);
    expect(result.stderr).not.toContain('kort');
  });
});

describe('digitalpost identity create organisation', () => {
  it('creates a test organisation without a login, whose first employee logs in with the password shown once', async () => {
    const result = await run(
      [
        'identity',
        'create',
        'organisation',
        '--generate',
        '--name',
        'Prøvekommune',
        '--base-url',
        simulator.apiUrl,
      ],
      { HOME: config },
    );

    expect(result.code, result.stderr).toBe(0);
    const [line, employeeLine] = lines(result.stdout) as [string, string];
    expect(line).toMatch(/^[0-9a-f-]{36} {2}[1-9]\d{7} {2}AUTHORITY {2}Prøvekommune$/);
    const [, username, password] = /^first employee: (\S+) {2}password: (\S+) {2}\(shown this once\)$/.exec(
      employeeLine,
    ) as unknown as [string, string, string];
    const login = await run(
      ['login', '--base-url', simulator.apiUrl, '--username', username, '--password', password, '--print'],
      {},
    );
    expect(login.code, login.stderr).toBe(0);
  });

  it('refuses a CVR number another organisation has, in one line (exit 1)', async () => {
    const result = await run(
      ['identity', 'create', 'organisation', '12345678', '--base-url', simulator.apiUrl],
      {
        HOME: config,
      },
    );

    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^digitalpost: 409 CVR_NUMBER_IN_USE: /);
  });
});

describe('digitalpost identity list and delete employee', () => {
  it('lists the employees, and deletes one', async () => {
    await run(['identity', 'create', 'employee', 'jens', '--rights', 'DP Admin'], env);
    const before = await run(['identity', 'list', '--json'], env);
    const deleted = await run(['identity', 'delete', 'employee', 'jens'], env);
    const after = await run(['identity', 'list'], env);

    expect(jsonLines(before.stdout).map((employee) => employee.username)).toEqual(['admin-12345678', 'jens']);
    expect(deleted).toEqual({ code: 0, stdout: 'deleted jens\n', stderr: '' });
    expect(lines(after.stdout)).toEqual([expect.stringMatching(/^admin-12345678 {2}RID \d{8} /)]);
  });

  it('reports an unknown employee in one line (exit 1)', async () => {
    const result = await run(['identity', 'delete', 'employee', 'nobody', '--json'], env);

    expect(result.code).toBe(1);
    expect(jsonLines(result.stderr)).toEqual([
      { error: { code: 'NOT_FOUND', message: '404 NOT_FOUND: no employee nobody of this organisation' } },
    ]);
  });
});

describe('digitalpost identity list and delete citizen|company', () => {
  it('lists the citizens with their CPR numbers masked, whole with --show-cpr or --json', async () => {
    await run(['identity', 'create', 'citizen', '0202801234', '--status', 'EXEMPT'], env);
    const masked = await run(['identity', 'list', 'citizens'], env);
    const whole = await run(['identity', 'list', 'citizens', '--show-cpr'], env);
    const json = await run(['identity', 'list', 'citizens', '--json'], env);

    expect(masked.code, masked.stderr).toBe(0);
    expect(lines(masked.stdout)).toEqual(
      expect.arrayContaining([
        '010170****  CITIZEN  REGISTERED  AUTOMATIC_REGISTRATION',
        '020280****  CITIZEN  EXEMPT  EXEMPT_OTHER_REASON',
      ]),
    );
    expect(masked.stdout).not.toMatch(/\d{10}/);
    expect(lines(whole.stdout)).toContain('0202801234  CITIZEN  EXEMPT  EXEMPT_OTHER_REASON');
    expect(jsonLines(json.stdout).map((contact) => contact.cprNumber)).toEqual(
      expect.arrayContaining(['0101700001', '0202801234']),
    );
  });

  it('lists the companies', async () => {
    await run(['identity', 'create', 'company', '55667788'], env);
    const result = await run(['identity', 'list', 'companies', '--json'], env);

    expect(result.code, result.stderr).toBe(0);
    const companies = jsonLines(result.stdout);
    expect(companies.map((company) => company.cvrNumber)).toContain('55667788');
    expect(new Set(companies.map((company) => company.type))).toEqual(new Set(['COMPANY']));
  });

  it('deletes a citizen and a company, which the lists no longer show', async () => {
    await run(['identity', 'create', 'company', '55667788'], env);
    const citizen = await run(['identity', 'delete', 'citizen', '010170-0002'], env);
    const company = await run(['identity', 'delete', 'company', '55667788', '--json'], env);
    const citizens = await run(['identity', 'list', 'citizens', '--json'], env);
    const companies = await run(['identity', 'list', 'companies', '--json'], env);

    expect(citizen).toEqual({ code: 0, stdout: 'deleted citizen 010170****\n', stderr: '' });
    expect(jsonLines(company.stdout)).toEqual([{ cvrNumber: '55667788', deleted: true }]);
    expect(jsonLines(citizens.stdout).map((contact) => contact.cprNumber)).not.toContain('0101700002');
    expect(jsonLines(companies.stdout).map((contact) => contact.cvrNumber)).not.toContain('55667788');
  });

  it('reports a number not registered in one line without the whole CPR number (exit 1)', async () => {
    const result = await run(['identity', 'delete', 'citizen', '3112999999'], env);

    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr: 'digitalpost: 404 NOT_FOUND: no test citizen registered under 311299****\n',
    });
  });

  it.each([
    [
      ['identity', 'delete', 'citizen', '31129999990'],
      '"311299*****" is not a CPR number (10 digits, DDMMYYSSSS)',
    ],
    [['identity', 'delete', 'company', '1234'], '"1234" is not a CVR number (8 digits)'],
  ])('refuses %j in one line (exit 2)', async (argv, message) => {
    expect(await run(argv, env)).toEqual({ code: 2, stdout: '', stderr: `digitalpost: ${message}\n` });
  });

  it('refuses an unknown kind of list in one line (exit 2)', async () => {
    const result = await run(['identity', 'list', 'people'], env);

    expect(result.code).toBe(2);
    expect(lines(result.stderr)).toHaveLength(1);
    expect(result.stderr).toMatch(/people/);
  });
});
