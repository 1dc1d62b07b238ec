/** `digitalpost system …` against a real simulator, after `digitalpost login`. */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunningSimulator } from '../../simulator/index.ts';
import { createEmployee, portal, seededEmployee, seededToken } from '../../test/support/admin.ts';
import { cliLoginHooks } from '../../test/support/cli-admin.ts';
import { call, keyOf, SEED_IDS } from '../../test/support/simulator.ts';
import { sshPublicKey } from '../../test/support/ssh-keys.ts';
import { jsonLines, lines, loggedIn, run } from '../test-support.ts';

let simulator: RunningSimulator;
let config: string;
let env: Record<string, string>;

cliLoginHooks('dp-system-', (login) => {
  ({ simulator, config, env } = login);
});

/** Creates a system with the CLI and answers its id and API key. */
async function created(...argv: string[]): Promise<{ id: string; key: string }> {
  const result = await run(['system', 'create', '--json', ...argv], env);
  expect(result.code, result.stderr).toBe(0);
  const [system] = jsonLines(result.stdout) as [{ id: string; apiToken: { authenticationToken: string } }];
  return { id: system.id, key: system.apiToken.authenticationToken };
}

describe('digitalpost system create and list', () => {
  it('creates a sender system with defaults, printing its API key once, which works on the integration API', async () => {
    const result = await run(['system', 'create', '--name', 'Sagssystem'], env);

    expect(result.code, result.stderr).toBe(0);
    const [line, keyLine] = lines(result.stdout) as [string, string];
    expect(line).toMatch(/^[0-9a-f-]{36} {2}Sagssystem {2}SENDER {2}REST_PULL {2}active from \S+$/);
    const key = /^api key: (\S+) {2}\(shown this once\)$/.exec(keyLine)?.[1] as string;
    const answer = await call(`${simulator.apiUrl}/receipts-bulk/`, {
      headers: { authorization: `Basic ${key}` },
    });
    expect(answer.status, answer.text).toBe(200);
  });

  it('lists the systems of the organisation, the new one among them, without keys', async () => {
    const { id, key } = await created('--name', 'Journal', '--type', 'recipient');
    const result = await run(['system', 'list', '--json'], env);

    expect(result.code, result.stderr).toBe(0);
    const systems = jsonLines(result.stdout);
    expect(systems).toContainEqual(expect.objectContaining({ id, name: 'Journal' }));
    expect(result.stdout).not.toContain(key);
  });

  it('reports the fields NgDP refused in one line (exit 1)', async () => {
    const result = await run(['system', 'create', '--type', 'recipient', '--protocol', 'SFTP'], env);

    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^digitalpost: 400 \S+: .*serviceProtocol.*\n$/);
  });

  it('refuses an organisation the employee holds no rights in, in one line (exit 1)', async () => {
    const token = await seededToken(simulator, SEED_IDS.authority);
    const jens = await createEmployee(simulator, token, 'jens', ['DP Admin']);
    const jensEnv = await loggedIn(simulator.apiUrl, config, jens);
    const result = await run(
      ['system', 'list', '--organisation', SEED_IDS.companyWithSystem, '--json'],
      jensEnv,
    );

    expect(result.code).toBe(1);
    expect(jsonLines(result.stderr)).toEqual([
      {
        error: {
          code: 'RIGHT_MISSING',
          message: expect.stringMatching(
            new RegExp(`^cannot act for ${SEED_IDS.companyWithSystem}: 403 RIGHT_MISSING: `),
          ),
        },
      },
    ]);
  });

  it('acts for another organisation that gave the employee rights, with --organisation', async () => {
    const authorityToken = await seededToken(simulator, SEED_IDS.authority);
    const vendor = seededEmployee(simulator, SEED_IDS.companyWithSystem);
    const granted = await portal(
      simulator,
      'PUT',
      `/employees/${vendor.username}/rights`,
      { rights: ['ORGANISATION_ADMINISTRATOR'] },
      authorityToken,
    );
    expect(granted.status, granted.text).toBe(200);
    const vendorEnv = await loggedIn(simulator.apiUrl, config, vendor);
    const result = await run(['system', 'list', '--organisation', SEED_IDS.authority, '--json'], vendorEnv);

    expect(result.code, result.stderr).toBe(0);
    expect(jsonLines(result.stdout)).toContainEqual(expect.objectContaining({ id: SEED_IDS.senderPull }));
  });
});

describe('digitalpost system renew-key, make-default and add-ssh-key', () => {
  it('renews a key: the new one works, the old one no longer', async () => {
    const { id, key } = await created('--name', 'Afsender');
    const result = await run(['system', 'renew-key', id], env);

    expect(result.code, result.stderr).toBe(0);
    const renewed = /^api key: (\S+) /m.exec(result.stdout)?.[1] as string;
    expect(renewed).not.toBe(key);
    expect(
      (await call(`${simulator.apiUrl}/receipts-bulk/`, { headers: { authorization: `Basic ${renewed}` } }))
        .status,
    ).toBe(200);
    expect(
      (await call(`${simulator.apiUrl}/receipts-bulk/`, { headers: { authorization: `Basic ${key}` } }))
        .status,
    ).toBe(401);
  });

  it('makes a recipient system the primary one', async () => {
    const { id } = await created('--name', 'Modtager', '--type', 'recipient');
    const result = await run(['system', 'make-default', id, '--json'], env);

    expect(result.code, result.stderr).toBe(0);
    expect(jsonLines(result.stdout)).toEqual([
      expect.objectContaining({ id, systemTypes: expect.arrayContaining(['RECIPIENT_DEFAULT']) }),
    ]);
  });

  it('gives an SFTP system its public key and prints the SFTP user', async () => {
    const { id } = await created('--name', 'Masseforsendelse', '--protocol', 'SFTP');
    const file = join(config, 'id.pub');
    await writeFile(file, `${sshPublicKey()}\n`);
    const result = await run(['system', 'add-ssh-key', id, file], env);

    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^SFTP user \\S+ of system ${id}\\n$`));
  });

  it('refuses a key file it cannot read (exit 2) and an unknown system (exit 1)', async () => {
    const missing = await run(
      ['system', 'add-ssh-key', SEED_IDS.senderPull, join(config, 'missing.pub')],
      env,
    );
    const unknown = await run(['system', 'renew-key', '00000000-0000-4000-8000-000000000000'], env);

    expect(missing).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/cannot read the public key file .*: no such file\n$/),
    });
    expect(unknown).toMatchObject({ code: 1, stderr: expect.stringMatching(/^digitalpost: 404 /) });
    expect(keyOf(simulator, SEED_IDS.senderPull)).toBeDefined();
  });
});
