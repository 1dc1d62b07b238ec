/**
 * `digitalpost sim start` and its SFTP server: the `--json` line's `sftp` with the real port and the
 * host key fingerprint, the banner's SFTP line, and `--no-sftp`; every flag's environment variable.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import type { RunningSimulator } from '../../simulator/index.ts';
import {
  advanceClock,
  control,
  letterTo,
  messageState,
  patchSystem,
  receiptsFor,
  SEED_IDS,
  sendMemo,
  startSilentReceiver,
} from '../../test/support/simulator.ts';
import { sshPublicKey } from '../../test/support/ssh-keys.ts';
import { runCli } from '../program.ts';
import { run } from '../test-support.ts';
import { registerSimCommands } from './sim.ts';
import { SIM_START_ENV } from './sim-env.ts';

/** Runs `sim start` until its first output is in, hands that to `check`, then stops it. */
async function whileRunning(
  argv: string[],
  check: (stdout: string) => Promise<void>,
  env: Record<string, string> = {},
): Promise<number> {
  let stdout = '';
  let stderr = '';
  let stop: () => void = () => {};
  const stopped = new Promise<void>((resolve) => {
    stop = resolve;
  });
  const exit = runCli(['sim', 'start', '--port', '0', ...argv], {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    env,
    untilStopped: () => stopped,
  });
  const until = Date.now() + 10_000;
  while (stdout === '' && Date.now() < until) {
    const early = await Promise.race([exit, new Promise((resolve) => setTimeout(resolve, 20))]);
    if (typeof early === 'number') throw new Error(`sim start exited with ${early}: ${stderr}`);
  }
  try {
    await check(stdout);
  } finally {
    stop();
  }
  return exit;
}

/** Whether something accepts TCP connections there. */
function listening(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, host);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('digitalpost sim start', () => {
  it('prints the SFTP server in the --json line: the real port of --sftp-port 0, the host key fingerprint and known_hosts line', async () => {
    const code = await whileRunning(['--sftp-port', '0', '--json'], async (stdout) => {
      const { sftp } = JSON.parse(stdout.split('\n')[0] as string) as {
        sftp: { host: string; port: number; hostKeyFingerprint: string; knownHostsLine: string };
      };
      expect(sftp).toEqual({
        host: '127.0.0.1',
        port: expect.any(Number),
        hostKeyFingerprint: expect.stringMatching(/^SHA256:[A-Za-z0-9+/]{43}$/),
        knownHostsLine: `[127.0.0.1]:${sftp.port} ${sftp.knownHostsLine.split(' ').slice(1).join(' ')}`,
      });
      expect(sftp.knownHostsLine).toMatch(/^\[127\.0\.0\.1\]:\d+ ssh-ed25519 AAAA[A-Za-z0-9+/=]+$/);
      expect(sftp.port).toBeGreaterThan(0);
      expect(await listening(sftp.host, sftp.port)).toBe(true);
    });
    expect(code).toBe(0);
  });

  it('shows the SFTP address, the host key and how to register a key in the banner', async () => {
    await whileRunning(['--sftp-port', '0'], async (stdout) => {
      expect(stdout).toMatch(/ {2}SFTP {5}sftp:\/\/127\.0\.0\.1:\d+ {2}\(host key SHA256:\S+\)/);
      expect(stdout).toContain('SFTP user testkommune');
      expect(stdout).toMatch(
        /curl -X PUT --data-binary @\S+ http:\S+\/systems\/20000000-0000-4000-8000-000000000005\/ssh-key/,
      );
    });
  });

  it('prints a sim ssh-key add command that registers a key with this simulator', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dp-cli-banner-'));
    try {
      const keyFile = join(dir, 'id_ed25519.pub');
      writeFileSync(keyFile, `${sshPublicKey()}\n`);
      await whileRunning(['--sftp-port', '0'], async (stdout) => {
        const printed = /digitalpost (sim ssh-key add .+)$/m.exec(stdout)?.[1];
        expect(printed).toMatch(
          /^sim ssh-key add testkommune \$HOME\/\.ssh\/id_ed25519\.pub --url http:\S+$/,
        );
        const argv = (printed as string).replace('$HOME/.ssh/id_ed25519.pub', keyFile).split(' ');
        expect(await run(argv)).toMatchObject({
          code: 0,
          stdout: expect.stringMatching(/^registered the key for testkommune/),
        });
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('exits 1 with one line saying so when the SFTP port is in use', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as { port: number };
    let stderr = '';
    try {
      const code = await runCli(['sim', 'start', '--port', '0', '--sftp-port', String(port)], {
        stdout: () => {},
        stderr: (text) => {
          stderr += text;
        },
        env: {},
      });
      expect(code).toBe(1);
      expect(stderr).toBe(
        `digitalpost: SFTP port ${port} on 127.0.0.1 is in use; choose another with --sftp-port (0 = any free port)\n`,
      );
    } finally {
      taken.close();
    }
  });

  it('answers under the Host names of --allowed-hosts, and refuses others', async () => {
    await whileRunning(
      ['--no-sftp', '--json', '--allowed-hosts', 'digitalpost,.ci.example'],
      async (stdout) => {
        const { controlUrl } = JSON.parse(stdout.split('\n')[0] as string) as { controlUrl: string };
        const status = async (host: string) =>
          (await request(`${controlUrl}/clock`, { headers: { host } })).statusCode;
        expect([
          await status('digitalpost:4500'),
          await status('runner.ci.example'),
          await status('evil.example'),
        ]).toEqual([200, 200, 403]);
      },
    );
  });

  it('exits 1 with one line when an --allowed-hosts name is not a host name', async () => {
    let stderr = '';
    const code = await runCli(['sim', 'start', '--port', '0', '--no-sftp', '--allowed-hosts', 'http://x/'], {
      stdout: () => {},
      stderr: (text) => {
        stderr += text;
      },
      env: {},
    });
    expect(code).toBe(1);
    expect(stderr).toMatch(/^digitalpost: allowedHosts: "http:\/\/x\/" is not a host name[^\n]*\n$/);
  });

  it('takes --memory-budget with a unit, and refuses one smaller than the largest MeMo in one line', async () => {
    await whileRunning(['--no-sftp', '--memory-budget', '2GiB', '--json'], async (stdout) => {
      expect(JSON.parse(stdout.split('\n')[0] as string)).toHaveProperty('apiUrl');
    });
    let stderr = '';
    const code = await runCli(['sim', 'start', '--port', '0', '--no-sftp', '--memory-budget', '10MB'], {
      stdout: () => {},
      stderr: (text) => {
        stderr += text;
      },
      env: {},
    });
    expect(code).toBe(1);
    expect(stderr).toMatch(/^digitalpost: memoryBudget \(10000000 bytes\) must be at least maxMemoBytes/);
  });

  it('runs no SFTP server with --no-sftp', async () => {
    await whileRunning(['--no-sftp', '--json'], async (stdout) => {
      expect(JSON.parse(stdout.split('\n')[0] as string)).toMatchObject({ sftp: null });
    });
  });
});

/** Runs `sim start` expecting it to refuse to start; its exit code and stderr. */
async function refused(
  argv: string[],
  env: Record<string, string>,
): Promise<{ code: number; stderr: string }> {
  let stderr = '';
  const code = await runCli(['sim', 'start', '--port', '0', '--no-sftp', ...argv], {
    stdout: () => {},
    stderr: (text) => {
      stderr += text;
    },
    env,
    untilStopped: () => Promise.resolve(),
  });
  return { code, stderr };
}

/** The first line of `--json`, and what the running simulator answers on its control API. */
async function startedWith(
  argv: string[],
  env: Record<string, string>,
): Promise<{ line: Record<string, unknown>; clock: unknown; hostStatus: number }> {
  let result: { line: Record<string, unknown>; clock: unknown; hostStatus: number } | undefined;
  await whileRunning(
    argv,
    async (stdout) => {
      const line = JSON.parse(stdout.split('\n')[0] as string) as Record<string, unknown>;
      const token = line.controlToken as string | undefined;
      const headers = token === undefined ? {} : { authorization: `Bearer ${token}` };
      const clock = await request(`${line.controlUrl}/clock`, { headers });
      const named = await request(`${line.controlUrl}/health`, { headers: { host: 'digitalpost:4500' } });
      await named.body.dump();
      result = { line, clock: await clock.body.json(), hostStatus: named.statusCode };
    },
    env,
  );
  return result!;
}

describe('sim start from environment variables', () => {
  const startCommand = (): Command => {
    const program = new Command();
    registerSimCommands(program, { stdout: () => {}, stderr: () => {}, env: {} }, () => {});
    return program.commands.find((c) => c.name() === 'sim')!.commands.find((c) => c.name() === 'start')!;
  };

  it('has one variable for every flag, and a flag for every variable', () => {
    const flags = startCommand()
      .options.map((option) => option.attributeName())
      .sort();
    expect(flags).toEqual(Object.keys(SIM_START_ENV).sort());
  });

  it("names each variable in the flag's help", () => {
    for (const option of startCommand().options)
      expect(option.description).toContain(
        SIM_START_ENV[option.attributeName() as keyof typeof SIM_START_ENV],
      );
  });

  it('lists every variable with its flag in docs/simulator.md', () => {
    const docs = readFileSync(new URL('../../docs/simulator.md', import.meta.url), 'utf8');
    const rows = docs.split('\n').filter((line) => line.startsWith('| `DIGITALPOST_SIM_'));
    for (const option of startCommand().options) {
      const variable = SIM_START_ENV[option.attributeName() as keyof typeof SIM_START_ENV];
      const row = rows.find((line) => line.startsWith(`| \`${variable}\``));
      expect(row, variable).toContain(`\`${option.long}`);
    }
    expect(rows).toHaveLength(Object.keys(SIM_START_ENV).length);
  });

  it('takes every setting from its variable when no flag is given', async () => {
    const { line, clock, hostStatus } = await startedWith([], {
      DIGITALPOST_SIM_PORT: '0',
      DIGITALPOST_SIM_SFTP: 'false',
      DIGITALPOST_SIM_JSON: 'true',
      DIGITALPOST_SIM_CLOCK: 'manual',
      DIGITALPOST_SIM_CLOCK_START: '2025-06-02T08:00:00Z',
      DIGITALPOST_SIM_CONTROL_TOKEN: 'from-the-environment',
      DIGITALPOST_SIM_ALLOWED_HOSTS: 'single-label',
      DIGITALPOST_SIM_SEED: 'none',
    });
    expect(line).toMatchObject({
      sftp: null,
      controlToken: 'from-the-environment',
      fixtures: { systems: [] },
    });
    expect(clock).toEqual({ now: '2025-06-02T08:00:00.000Z', mode: 'manual' });
    expect(hostStatus).toBe(200);
  });

  it('lets a flag on the command line win over its variable', async () => {
    const { line, clock } = await startedWith(
      [
        '--json',
        '--clock',
        'manual',
        '--clock-start',
        '2025-06-02T08:00:00Z',
        '--control-token',
        'from-the-flag',
      ],
      {
        DIGITALPOST_SIM_SFTP: 'false',
        DIGITALPOST_SIM_CLOCK: 'real',
        DIGITALPOST_SIM_CLOCK_START: '2030-01-01T00:00:00Z',
        DIGITALPOST_SIM_CONTROL_TOKEN: 'from-the-environment',
      },
    );
    expect(line.controlToken).toBe('from-the-flag');
    expect(clock).toEqual({ now: '2025-06-02T08:00:00.000Z', mode: 'manual' });
  });

  it('takes an empty variable as not set', async () => {
    const { line } = await startedWith(['--json', '--no-sftp'], {
      DIGITALPOST_SIM_CONTROL_TOKEN: '',
      DIGITALPOST_SIM_CHAOS: '',
    });
    expect(line.controlToken).toBeUndefined();
  });

  it.each([
    ['DIGITALPOST_SIM_SFTP_PORT', 'http', 'must be a port number from 0 to 65535'],
    ['DIGITALPOST_SIM_CHAOS', 'maybe', 'must be true or false (1/0, yes/no, on/off)'],
    ['DIGITALPOST_SIM_CLOCK', 'sometimes', 'must be one of real, manual'],
    ['DIGITALPOST_SIM_CLOCK_START', 'tomorrow', 'must be a date and time, e.g. 2025-06-02T08:00:00Z'],
    ['DIGITALPOST_SIM_MEMORY_BUDGET', 'lots', 'must be a size in bytes, e.g. 1073741824, 600MB or 1GiB'],
    ['DIGITALPOST_SIM_PUSH_TIMEOUT', '0', '--push-timeout must be a positive number of seconds'],
    [
      'DIGITALPOST_SIM_RETRY_SCHEDULE',
      '10s',
      'must be ISO 8601 durations after the first attempt, comma-separated, e.g. PT1S,PT5S,PT30S (or none)',
    ],
    ['DIGITALPOST_SIM_RETRY_SCHEDULE', 'PT5S,PT1S', 'must be in ascending order, e.g. PT1S,PT5S,PT30S'],
  ])('refuses %s=%s in one line naming the variable, exit 2', async (variable, value, why) => {
    expect(await refused([], { [variable]: value })).toEqual({
      code: 2,
      stderr: `digitalpost: ${variable}="${value}": ${why}\n`,
    });
  });

  it('refuses a clock start for a real clock, exit 2', async () => {
    const { code, stderr } = await refused(['--clock-start', '2025-06-02T08:00:00Z'], {});
    expect(code).toBe(2);
    expect(stderr).toMatch(
      /^digitalpost: --clock-start \(DIGITALPOST_SIM_CLOCK_START\) sets the start of a manual clock/,
    );
  });
});

describe('sim start --push-timeout and --retry-schedule', () => {
  it('gives up on a receiver that never answers after the retries given, each waiting the push timeout', async () => {
    const receiver = await startSilentReceiver();
    try {
      const code = await whileRunning(
        [
          '--no-sftp',
          '--json',
          '--clock',
          'manual',
          '--push-timeout',
          '0.2',
          '--retry-schedule',
          'PT1S,PT2S',
        ],
        async (stdout) => {
          const line = JSON.parse(stdout.split('\n')[0] as string) as { apiUrl: string; controlUrl: string };
          const simulator = line as unknown as RunningSimulator;
          await patchSystem(simulator, SEED_IDS.companyRecipient, {
            protocol: 'REST_PUSH',
            endpoint: receiver.url,
          });
          const memo = await letterTo({ cvr: '87654321' });
          const system = (await (await request(`${line.controlUrl}/fixtures`)).body.json()) as {
            systems: Array<{ id: string; apiKey: string }>;
          };
          const key = system.systems.find((s) => s.id === SEED_IDS.senderPull)?.apiKey as string;
          expect((await sendMemo(simulator, key, memo)).status).toBe(201);
          await control(simulator, 'POST', '/settle');
          await advanceClock(simulator, 'PT1S');
          await advanceClock(simulator, 'PT1S');
          await control(simulator, 'POST', '/settle');

          expect(receiver.requests).toHaveLength(3);
          const state = await messageState(simulator, memo.messageHeader.messageUUID);
          expect(state).toMatchObject({ state: 'FAILED', receiptStatus: 'NOT_ALLOWED' });
        },
      );
      expect(code).toBe(0);
    } finally {
      await receiver.close();
    }
  });
});

describe('sim start --value-date-receipt', () => {
  /** The receipts of a letter held until 2025-01-15, sent on 2025-01-13 to a `sim start` with `argv`, `env`. */
  async function receiptsOfHeldLetter(argv: string[], env: Record<string, string> = {}): Promise<string[]> {
    let statuses: string[] = [];
    const argvAll = ['--no-sftp', '--json', '--clock', 'manual', '--clock-start', '2025-01-13T10:00:00Z'];
    await whileRunning(
      [...argvAll, ...argv],
      async (stdout) => {
        const simulator = JSON.parse(stdout.split('\n')[0] as string) as RunningSimulator;
        const key = simulator.fixtures.systems.find((s) => s.id === SEED_IDS.senderPull)?.apiKey as string;
        const memo = await letterTo({ cpr: '0101700001' }, { doNotDeliverUntil: '2025-01-15' });
        expect((await sendMemo(simulator, key, memo)).status).toBe(201);
        await control(simulator, 'POST', '/settle');
        statuses = (await receiptsFor(simulator, key, memo.messageHeader.messageUUID)).map((receipt) =>
          String(receipt.receiptStatus),
        );
      },
      env,
    );
    return statuses;
  }

  it('acceptance receipts a held mailbox letter at once', async () => {
    expect(await receiptsOfHeldLetter(['--value-date-receipt', 'acceptance'])).toEqual(['COMPLETED']);
  });

  it('delivery, the default, receipts it only on its date', async () => {
    expect(await receiptsOfHeldLetter([])).toEqual([]);
  });

  it('is set by DIGITALPOST_SIM_VALUE_DATE_RECEIPT too, and the flag wins', async () => {
    const env = { [SIM_START_ENV.valueDateReceipt]: 'acceptance' };
    expect(await receiptsOfHeldLetter([], env)).toEqual(['COMPLETED']);
    expect(await receiptsOfHeldLetter(['--value-date-receipt', 'delivery'], env)).toEqual([]);
  });

  it('refuses another value, naming the choices', async () => {
    const { code, stderr } = await run(['sim', 'start', '--value-date-receipt', 'later']);
    expect(code).toBe(2);
    expect(stderr).toMatch(
      /--value-date-receipt <when>' argument 'later' is invalid. Allowed choices are delivery, acceptance/,
    );
  });
});
