/**
 * `digitalpost conformance`: the catalogue as text and JSON Lines, and the usage errors of `run`
 * that stop before anything runs (exit 2, one line). Runs against a vendor's adapter are in
 * conformance/*.test.ts.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listChecks } from '../../conformance/index.ts';
import { jsonLines, lines, run } from '../test-support.ts';

describe('digitalpost conformance list', () => {
  it('prints one JSON object per line with --json: id, profile, level, title, clause', async () => {
    const { code, stdout } = await run(['conformance', 'list', '--profile', 'sender', '--json']);
    expect(code).toBe(0);
    const listed = jsonLines(stdout);
    expect(listed).toEqual(listChecks('sender'));
    expect(Object.keys(listed[0] ?? {})).toEqual(['id', 'profile', 'level', 'title', 'clause']);
  });

  it('lists every profile as text, each with its checks', async () => {
    const { code, stdout } = await run(['conformance', 'list']);
    expect(code).toBe(0);
    const text = lines(stdout);
    expect(text[0]).toBe('sender');
    for (const profile of ['sender-sftp', 'recipient-pull', 'recipient-push', 'recipient-pubsub'])
      expect(text).toContain(profile);
    expect(stdout).not.toContain('no checks yet');
    expect(stdout).toMatch(/ {2}sender\.retry\.same-uuid +MUST {3}A send whose answer was lost/);
  });

  it('refuses an unknown profile with exit 2', async () => {
    const { code, stderr } = await run(['conformance', 'list', '--profile', 'recipient']);
    expect(code).toBe(2);
    expect(stderr).toContain('must be one of sender, sender-sftp');
  });
});

describe('digitalpost conformance run: usage errors exit 2 with one line', () => {
  const cases: Array<[string, string[], string]> = [
    ['an unknown profile', ['--profile', 'nope', '--run', 'true'], 'unknown profile nope'],
    ['no way to reach the vendor', ['--profile', 'sender'], 'give --run "COMMAND", --endpoint URL or --wait'],
    [
      'an unknown check id',
      ['--profile', 'sender', '--run', 'true', '--only', 'sender.typo'],
      'no check of the profile is named sender.typo',
    ],
    [
      '--certify with a selection',
      ['--profile', 'sender', '--run', 'true', '--certify', '--skip', 'sender.memo.label'],
      '--certify',
    ],
    [
      'push receipts without an endpoint',
      ['--profile', 'sender', '--run', 'true', '--receipts', 'push'],
      '--receipts push needs --receipt-endpoint',
    ],
    [
      'an endpoint for a sender',
      ['--profile', 'sender', '--endpoint', 'http://127.0.0.1:1/'],
      '--endpoint is for the recipient-push',
    ],
    [
      'an SFTP sender without its key',
      ['--profile', 'sender-sftp', '--run', 'true'],
      'the sender-sftp profile needs --ssh-public-key FILE',
    ],
    [
      'an SFTP sender key file that cannot be read',
      ['--profile', 'sender-sftp', '--run', 'true', '--ssh-public-key', '/nonexistent/key.pub'],
      '--ssh-public-key /nonexistent/key.pub: cannot be read',
    ],
    [
      'a push recipient without an endpoint',
      ['--profile', 'recipient-push', '--run', 'true'],
      'the recipient-push profile needs --endpoint URL',
    ],
    [
      'receipt options for a publish/subscribe recipient',
      [
        '--profile',
        'recipient-pubsub',
        '--endpoint',
        'http://127.0.0.1:1/n',
        '--receipts',
        'push',
        '--receipt-endpoint',
        'http://127.0.0.1:1/r',
      ],
      '--receipts and --receipt-endpoint are for the sender profile',
    ],
    [
      'a push receiver that exits before its endpoint listens',
      [
        '--profile',
        'recipient-push',
        '--endpoint',
        'http://127.0.0.1:1/memos',
        '--run',
        'echo no port >&2; exit 4',
      ],
      'the adapter command exited (4) before http://127.0.0.1:1/memos took connections: no port',
    ],
    [
      'an unreadable expected-failures file',
      ['--profile', 'sender', '--run', 'true', '--expected-failures', '/nonexistent/file'],
      'cannot read --expected-failures',
    ],
  ];
  for (const [what, argv, said] of cases) {
    it(`for ${what}`, async () => {
      const { code, stderr, stdout } = await run(['conformance', 'run', ...argv]);
      expect(code).toBe(2);
      expect(stdout).toBe('');
      expect(lines(stderr)).toHaveLength(1);
      expect(stderr).toContain(said);
    });
  }
});

describe('digitalpost conformance proxy', () => {
  it('judges what passed through it when stopped, writing the reports asked for', async () => {
    const { startSimulator } = await import('../../simulator/index.ts');
    const ngdp = await startSimulator({ port: 0 });
    const dir = await mkdtemp(join(tmpdir(), 'conformance-proxy-'));
    try {
      let stop: () => void = () => {};
      const stopped = new Promise<void>((resolve) => {
        stop = resolve;
      });
      const running = run(
        [
          'conformance',
          'proxy',
          '--upstream',
          ngdp.apiUrl,
          '--port',
          '0',
          '--profile',
          'sender',
          '--json',
          join(dir, 'r.json'),
          '--junit',
          join(dir, 'r.xml'),
        ],
        {},
        { untilStopped: () => stopped },
      );
      stop(); // it is asked to stop once it listens: nothing passed through it
      const { code, stdout } = await running;
      expect(code).toBe(0);
      expect(stdout).toMatch(/^digitalpost conformance proxy: http:\/\/127\.0\.0\.1:\d+\/apis\/v1 → /);
      expect(stdout).toContain('0 passed, 0 failed, 40 skipped');
      expect(JSON.parse(await readFile(join(dir, 'r.json'), 'utf8'))).toMatchObject({ profile: 'sender' });
      expect(await readFile(join(dir, 'r.xml'), 'utf8')).toContain('<testsuite name="sender"');
    } finally {
      await ngdp.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('watches a recipient system that pulls with --profile recipient-pull, and judges it when stopped', async () => {
    const { startSimulator } = await import('../../simulator/index.ts');
    const ngdp = await startSimulator({ port: 0 });
    const dir = await mkdtemp(join(tmpdir(), 'conformance-proxy-'));
    try {
      let stop: () => void = () => {};
      const stopped = new Promise<void>((resolve) => {
        stop = resolve;
      });
      const running = run(
        [
          'conformance',
          'proxy',
          '--upstream',
          ngdp.apiUrl,
          '--port',
          '0',
          '--profile',
          'recipient-pull',
          '--json',
          join(dir, 'r.json'),
        ],
        {},
        { untilStopped: () => stopped },
      );
      stop(); // nothing passed through it: every check is skipped, none failed
      const { code, stdout } = await running;
      expect(code).toBe(0);
      expect(stdout).toMatch(/^digitalpost conformance proxy: http:\/\/127\.0\.0\.1:\d+\/apis\/v1 → /);
      expect(stdout).toContain('0 passed, 0 failed, 30 skipped');
      expect(JSON.parse(await readFile(join(dir, 'r.json'), 'utf8'))).toMatchObject({
        profile: 'recipient-pull',
      });
    } finally {
      await ngdp.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses a profile proxy mode has no checks for, with exit 2', async () => {
    const { code, stderr } = await run([
      'conformance',
      'proxy',
      '--upstream',
      'http://127.0.0.1:1/apis/v1',
      '--port',
      '0',
      '--profile',
      'recipient-push',
    ]);
    expect(code).toBe(2);
    expect(lines(stderr)).toHaveLength(1);
    expect(stderr).toContain('proxy mode takes --profile sender or recipient-pull, not recipient-push');
  });
});
