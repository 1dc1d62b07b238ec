/**
 * `digitalpost sim clock|faults|mailbox|message|contact|ssh-key|reset` against a real simulator on loopback:
 * what each prints (text and JSON Lines), and one line with a code for each way it can fail.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunningSimulator } from '../../simulator/index.ts';
import {
  keyOf,
  letterTo,
  resetSimulator,
  SEED_IDS,
  sendMemo,
  startTestSimulator,
} from '../../test/support/simulator.ts';
import { sshPublicKey } from '../../test/support/ssh-keys.ts';
import { jsonLines, run } from '../test-support.ts';

let simulator: RunningSimulator;
let env: Record<string, string>;
let dir: string;

beforeAll(async () => {
  simulator = await startTestSimulator({ clockStart: '2025-06-02T08:00:00Z' });
  env = { DIGITALPOST_SIM_URL: simulator.controlUrl };
  dir = await mkdtemp(join(tmpdir(), 'dp-cli-sim-control-'));
});
afterAll(async () => {
  await simulator.stop();
  await rm(dir, { recursive: true, force: true });
});
beforeEach(async () => {
  await resetSimulator(simulator);
  await simulator.clock.set(new Date('2025-06-02T08:00:00Z'));
});

/** Sends a letter to `cpr` as the seeded PULL sender and waits until it is delivered. */
async function deliveredLetter(cpr: string): Promise<string> {
  const memo = await letterTo({ cpr });
  const sent = await sendMemo(simulator, keyOf(simulator, SEED_IDS.senderPull), memo);
  expect(sent.status).toBe(201);
  await simulator.settle();
  return memo.messageHeader.messageUUID;
}

describe('digitalpost sim clock', () => {
  it("shows the simulator's time and the clock's mode", async () => {
    expect(await run(['sim', 'clock'], env)).toEqual({
      code: 0,
      stdout: '2025-06-02T08:00:00.000Z (manual clock)\n',
      stderr: '',
    });
    expect(jsonLines((await run(['sim', 'clock', '--json'], env)).stdout)).toEqual([
      { now: '2025-06-02T08:00:00.000Z', mode: 'manual' },
    ]);
  });

  it('advances the manual clock by an ISO 8601 duration and prints the new time', async () => {
    const advanced = await run(['sim', 'clock', 'advance', 'P1DT2H', '--json'], env);
    expect(advanced).toMatchObject({ code: 0, stderr: '' });
    expect(jsonLines(advanced.stdout)).toEqual([{ now: '2025-06-03T10:00:00.000Z', mode: 'manual' }]);
    expect(new Date(simulator.clock.now()).toISOString()).toBe('2025-06-03T10:00:00.000Z');
  });

  it('takes --json before the subcommand too', async () => {
    const advanced = await run(['sim', 'clock', '--json', 'advance', 'PT1H'], env);
    expect(jsonLines(advanced.stdout)).toEqual([{ now: '2025-06-02T09:00:00.000Z', mode: 'manual' }]);
  });

  it('sets the manual clock to a time', async () => {
    const set = await run(['sim', 'clock', 'set', '2025-07-01T00:00:00Z'], env);
    expect(set).toEqual({ code: 0, stdout: '2025-07-01T00:00:00.000Z (manual clock)\n', stderr: '' });
  });

  it('refuses a duration that is not ISO 8601 before calling the simulator (exit 2)', async () => {
    const refused = await run(['sim', 'clock', 'advance', '1d', '--json'], env);
    expect(refused.code).toBe(2);
    expect(jsonLines(refused.stderr)).toEqual([
      { error: { code: 'INVALID_ARGUMENT', message: expect.stringContaining('ISO 8601 duration') } },
    ]);
  });

  it("reports the simulator's refusal of a move outside its range with its code (exit 1)", async () => {
    const refused = await run(['sim', 'clock', 'set', '1969-12-31T00:00:00Z'], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^digitalpost: the simulator refused: OUT_OF_RANGE: .*\n$/);
  });
});

describe('digitalpost sim faults', () => {
  it('adds a rule from flags, lists it and clears it', async () => {
    const added = await run(
      [
        'sim',
        'faults',
        'add',
        '--operation',
        'POST /memos/',
        '--status',
        '503',
        '--retry-after',
        '3',
        '--times',
        '2',
        '--json',
      ],
      env,
    );
    expect(added).toMatchObject({ code: 0, stderr: '' });
    const [rule] = jsonLines(added.stdout);
    expect(rule).toEqual({
      id: expect.any(String),
      operation: 'POST /memos/',
      status: 503,
      retryAfter: 3,
      times: 2,
    });

    expect(jsonLines((await run(['sim', 'faults', '--json'], env)).stdout)).toEqual([rule]);
    expect((await run(['sim', 'faults', 'list'], env)).stdout).toBe(
      `${rule?.id}  POST /memos/  status 503, retryAfter 3, times 2\n`,
    );

    expect(await run(['sim', 'faults', 'clear', String(rule?.id)], env)).toEqual({
      code: 0,
      stdout: `removed fault rule ${rule?.id}\n`,
      stderr: '',
    });
    expect((await run(['sim', 'faults'], env)).stdout).toBe('no fault rules\n');
  });

  it('clears every rule', async () => {
    await run(['sim', 'faults', 'add', '--operation', 'PUSH memo', '--status', '500'], env);
    await run(['sim', 'faults', 'add', '--operation', 'SFTP RENAME', '--sftp', 'DISCONNECT_AFTER'], env);
    expect(jsonLines((await run(['sim', 'faults', 'clear', '--json'], env)).stdout)).toEqual([
      { removed: 'all' },
    ]);
    expect((await run(['sim', 'faults', '--json'], env)).stdout).toBe('');
  });

  it('reports a rule the simulator refuses with its code and the field at fault (exit 1)', async () => {
    const refused = await run(['sim', 'faults', 'add', '--operation', 'POST /memos/', '--json'], env);
    expect(refused.code).toBe(1);
    expect(jsonLines(refused.stderr)).toEqual([
      {
        error: {
          code: 'INVALID_FAULT_RULE',
          message: expect.stringMatching(/^the simulator refused: INVALID_FAULT_RULE: .*status/),
        },
      },
    ]);
  });

  it('reports an unknown rule id as NOT_FOUND', async () => {
    const refused = await run(['sim', 'faults', 'clear', 'no-such-rule', '--json'], env);
    expect(refused.code).toBe(1);
    expect(jsonLines(refused.stderr)).toEqual([
      { error: { code: 'NOT_FOUND', message: expect.any(String) } },
    ]);
  });
});

describe('digitalpost sim mailbox and sim message', () => {
  it('lists the letters in a mailbox, one JSON line each', async () => {
    const messageUUID = await deliveredLetter('0101700001');
    const listed = await run(['sim', 'mailbox', '0101700001', '--json'], env);
    expect(listed).toMatchObject({ code: 0, stderr: '' });
    expect(jsonLines(listed.stdout)).toEqual([
      expect.objectContaining({ messageUUID, label: 'Test letter', senderSystemId: SEED_IDS.senderPull }),
    ]);
    expect((await run(['sim', 'mailbox', '0101700001'], env)).stdout).toMatch(
      new RegExp(`^${messageUUID}  \\S+  \\S*  Test letter\\n$`),
    );
  });

  it('says when a mailbox is empty', async () => {
    expect((await run(['sim', 'mailbox', '0101700002'], env)).stdout).toBe(
      'the mailbox of 0101700002 is empty\n',
    );
  });

  it("shows a message's state, receipt and events, and its MeMo with --memo", async () => {
    const messageUUID = await deliveredLetter('0101700001');
    const shown = await run(['sim', 'message', messageUUID, '--json'], env);
    expect(jsonLines(shown.stdout)).toEqual([
      expect.objectContaining({
        messageUUID,
        state: expect.any(String),
        receiptStatus: 'COMPLETED',
        events: expect.any(Array),
      }),
    ]);
    const text = await run(['sim', 'message', messageUUID], env);
    expect(text.stdout).toContain(`${messageUUID}  `);
    expect(text.stdout).toContain('MEMO_SEND_RECEIVED');
    const memo = await run(['sim', 'message', messageUUID, '--memo'], env);
    expect(memo.stdout).toContain(`<memo:messageUUID>${messageUUID}</memo:messageUUID>`);
  });

  it('reports a message the simulator does not hold (exit 1, NOT_FOUND)', async () => {
    const missing = await run(['sim', 'message', '3f2b8c1e-9d4a-4e7b-a1c5-6d8e2f4b7a90', '--json'], env);
    expect(missing.code).toBe(1);
    expect(jsonLines(missing.stderr)).toEqual([
      {
        error: {
          code: 'NOT_FOUND',
          message: 'the simulator holds no message 3f2b8c1e-9d4a-4e7b-a1c5-6d8e2f4b7a90',
        },
      },
    ]);
  });

  it('refuses a mailbox owner or messageUUID of the wrong form (exit 2)', async () => {
    expect((await run(['sim', 'mailbox', '12345'], env)).code).toBe(2);
    expect((await run(['sim', 'message', 'not-a-uuid'], env)).code).toBe(2);
  });
});

describe('digitalpost sim contact', () => {
  it("changes a contact's registration and prints its new version", async () => {
    const changed = await run(['sim', 'contact', '0101700001', '--status', 'EXEMPT'], env);

    expect(changed).toMatchObject({ code: 0, stderr: '' });
    expect(changed.stdout).toMatch(
      /^0101700001 {2}EXEMPT \(EXEMPT_OTHER_REASON\) {2}version 2 {2}2025-06-02T08:00:00.000Z\n$/,
    );
  });

  it('prints the contact as one JSON line with --json', async () => {
    const changed = await run(
      ['sim', 'contact', '87654321', '--registration', 'VOLUNTARY_REGISTRATION', '--json'],
      env,
    );

    expect(jsonLines(changed.stdout)).toEqual([
      expect.objectContaining({
        cvrNumber: '87654321',
        publicRegistrationStatus: 'REGISTERED',
        registrationStatus: 'VOLUNTARY_REGISTRATION',
      }),
    ]);
  });

  it('refuses a number of the wrong form, an unknown status or no change (exit 2)', async () => {
    expect((await run(['sim', 'contact', '0101', '--status', 'EXEMPT'], env)).code).toBe(2);
    expect((await run(['sim', 'contact', '0101700001', '--status', 'GONE'], env)).code).toBe(2);
    const nothing = await run(['sim', 'contact', '0101700001'], env);
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toMatch(/needs --status or --registration/);
  });

  it("reports the simulator's refusal of a number nobody registered (exit 1)", async () => {
    const refused = await run(['sim', 'contact', '0909090909', '--status', 'EXEMPT'], env);

    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^digitalpost: the simulator refused: NOT_FOUND: .*\n$/);
  });
});

describe('digitalpost sim ssh-key add', () => {
  it('registers a public key for a system named by its SFTP user or its id', async () => {
    const file = join(dir, 'key.pub');
    await writeFile(file, `${sshPublicKey()}\n`);
    const byUser = await run(['sim', 'ssh-key', 'add', 'testkommune', file], env);
    expect(byUser).toEqual({
      code: 0,
      stdout: `registered the key for testkommune (system ${SEED_IDS.senderSftp}; 1 key)\n`,
      stderr: '',
    });
    await writeFile(file, `${sshPublicKey()}\n`);
    const byId = await run(['sim', 'ssh-key', 'add', SEED_IDS.senderSftp, file, '--json'], env);
    expect(jsonLines(byId.stdout)).toEqual([
      { id: SEED_IDS.senderSftp, sshUsername: 'testkommune', sshPublicKeys: 2 },
    ]);
  });

  it('refuses a private key without printing it, and an unreadable file (exit 2)', async () => {
    const file = join(dir, 'id_ed25519');
    const secret = 'b3BlbnNzaC1rZXktdjEAAAAA';
    await writeFile(
      file,
      `-----BEGIN OPENSSH PRIVATE KEY-----\n${secret}\n-----END OPENSSH PRIVATE KEY-----\n`,
    );
    const refused = await run(['sim', 'ssh-key', 'add', 'testkommune', file, '--json'], env);
    expect(refused.code).toBe(2);
    expect(refused.stderr).not.toContain(secret);
    expect(jsonLines(refused.stderr)).toEqual([
      { error: { code: 'PRIVATE_KEY', message: expect.stringContaining('.pub') } },
    ]);
    const missing = await run(['sim', 'ssh-key', 'add', 'testkommune', join(dir, 'missing.pub')], env);
    expect(missing).toMatchObject({
      code: 2,
      stderr: `digitalpost: cannot read ${join(dir, 'missing.pub')}: no such file\n`,
    });
  });

  it('reports an SFTP user the simulator does not know', async () => {
    const file = join(dir, 'other.pub');
    await writeFile(file, `${sshPublicKey()}\n`);
    const unknown = await run(['sim', 'ssh-key', 'add', 'nobody', file], env);
    expect(unknown).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/no system with the SFTP user nobody/),
    });
  });
});

describe('digitalpost sim reset', () => {
  it('goes back to the seed: letters and fault rules are gone', async () => {
    await deliveredLetter('0101700001');
    await run(['sim', 'faults', 'add', '--operation', 'PUSH memo', '--status', '500'], env);
    expect(await run(['sim', 'reset', '--json'], env)).toEqual({
      code: 0,
      stdout: '{"reset":true}\n',
      stderr: '',
    });
    expect((await run(['sim', 'mailbox', '0101700001', '--json'], env)).stdout).toBe('');
    expect((await run(['sim', 'faults', '--json'], env)).stdout).toBe('');
  });
});

describe('finding the control API', () => {
  it('takes the URL from --url, also as the origin or the NgDP base URL', async () => {
    const origin = new URL(simulator.controlUrl).origin;
    for (const url of [simulator.controlUrl, origin, `${origin}/`, simulator.apiUrl])
      expect((await run(['sim', 'clock', '--url', url], {})).code).toBe(0);
  });

  it('says where it looked and how to point it elsewhere when nothing answers (exit 1)', async () => {
    const refused = await run(['sim', 'reset', '--json'], {
      DIGITALPOST_SIM_URL: 'http://127.0.0.1:9/simulator/v1',
    });
    expect(refused.code).toBe(1);
    expect(jsonLines(refused.stderr)).toEqual([
      {
        error: {
          code: 'SIMULATOR_UNREACHABLE',
          message: expect.stringMatching(
            /^cannot reach the simulator's control API at http:\/\/127\.0\.0\.1:9\/simulator\/v1: .*ECONNREFUSED.*--url or DIGITALPOST_SIM_URL/,
          ),
        },
      },
    ]);
  });

  it('refuses a URL that is not http(s) (exit 2)', async () => {
    const refused = await run(['sim', 'clock', '--url', 'ftp://example'], {});
    expect(refused).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/--url must be the simulator's http\(s\) URL/),
    });
  });
});

describe('the control token', () => {
  let guarded: RunningSimulator;
  beforeAll(async () => {
    guarded = await startTestSimulator({ controlToken: 'sesame-1234' });
  });
  afterAll(() => guarded.stop());

  it('is sent from --control-token or DIGITALPOST_SIM_CONTROL_TOKEN', async () => {
    const url = guarded.controlUrl;
    expect((await run(['sim', 'clock', '--url', url, '--control-token', 'sesame-1234'])).code).toBe(0);
    expect(
      (await run(['sim', 'clock', '--url', url], { DIGITALPOST_SIM_CONTROL_TOKEN: 'sesame-1234' })).code,
    ).toBe(0);
  });

  it('names the flag and the variable when it is missing or wrong, never echoing it', async () => {
    for (const token of [[], ['--control-token', 'wrong-token']]) {
      const refused = await run(['sim', 'reset', '--url', guarded.controlUrl, ...token]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(
        /wants its token .*pass --control-token or set DIGITALPOST_SIM_CONTROL_TOKEN/,
      );
      expect(refused.stderr).not.toContain('wrong-token');
    }
  });
});
