/**
 * `digitalpost sim start` and its SFTP server: the `--json` line's `sftp` with the real port and the
 * host key fingerprint, the banner's SFTP line, and `--no-sftp`.
 */
import { connect, createServer } from 'node:net';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { runCli } from '../program.ts';

/** Runs `sim start` until its first output is in, hands that to `check`, then stops it. */
async function whileRunning(argv: string[], check: (stdout: string) => Promise<void>): Promise<number> {
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
    env: {},
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
