/**
 * Issue 14: the simulator's image on a real Docker engine (no mocks), driven as its users drive it:
 * `docker run` with published ports, volumes and DIGITALPOST_SIM_* variables, the SDK and SFTP from
 * this machine. How fast it starts and stops is measured in bench/container.bench.ts, not here.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, expect, it } from 'vitest';
import { DigitalPostClient } from '../sdk/client/client.ts';
import { SftpSender } from '../sdk/sftp/sender.ts';
import {
  CONTAINER_REQUIREMENTS,
  docker,
  exitCode,
  healthy,
  logsOf,
  mappedPort,
  newVolume,
  removeAll,
  runSimulator,
  stateOf,
} from './support/containers.ts';
import { describeWith } from './support/requirements.ts';
import { newKeyPair } from './support/sftp.ts';
import { call, letterTo, SEED_IDS } from './support/simulator.ts';

const TOKEN = 'container-test-token';
const CITIZEN = '0101700001';

/** A running simulator container, healthy, with what a test needs to reach it. */
interface Running {
  id: string;
  origin: string;
  control: (method: string, path: string, body?: string, contentType?: string) => ReturnType<typeof call>;
}

async function started(options: Parameters<typeof runSimulator>[0] = {}): Promise<Running> {
  const id = await runSimulator({
    ...options,
    env: { DIGITALPOST_SIM_CONTROL_TOKEN: TOKEN, ...options.env },
  });
  return reach(id);
}

/** A container once it is healthy, on the port published now (a restart publishes another). */
async function reach(id: string): Promise<Running> {
  await healthy(id);
  const origin = `http://127.0.0.1:${await mappedPort(id, 4500)}`;
  return {
    id,
    origin,
    control: (method, path, body, contentType = 'application/json') =>
      call(`${origin}/simulator/v1${path}`, {
        method,
        headers: { authorization: `Bearer ${TOKEN}` },
        ...(body === undefined ? {} : { body, contentType }),
      }),
  };
}

/** The key of a seeded system: the default seed's keys are the same on every start. */
async function keyOf(simulator: Running, systemId: string): Promise<string> {
  const fixtures = (await simulator.control('GET', '/fixtures')).json as {
    systems: Array<{ id: string; apiKey: string }>;
  };
  return fixtures.systems.find((system) => system.id === systemId)!.apiKey;
}

async function mailboxOf(simulator: Running): Promise<string[]> {
  await simulator.control('POST', '/settle');
  const letters = (await simulator.control('GET', `/mailboxes/${CITIZEN}/messages`)).json as Array<{
    messageUUID: string;
  }>;
  return letters.map((letter) => letter.messageUUID);
}

/** Sends one letter to the citizen with the SDK, as the seeded PULL sender; its messageUUID. */
async function sendLetter(simulator: Running): Promise<string> {
  const client = new DigitalPostClient({
    baseUrl: `${simulator.origin}/apis/v1`,
    apiKey: await keyOf(simulator, SEED_IDS.senderPull),
    retry: false,
  });
  const memo = await letterTo({ cpr: CITIZEN });
  const receipt = await client.memos.send(memo);
  expect(receipt.receiptStatus).toBe('RECEIVED');
  return memo.messageHeader.messageUUID;
}

describeWith(CONTAINER_REQUIREMENTS, 'the simulator image', () => {
  afterEach(removeAll);
  afterAll(removeAll);

  it('starts and reports healthy to Docker, and answers the health check without the token', async () => {
    const simulator = await started();
    expect((await stateOf(simulator.id)).Health?.Status).toBe('healthy');
    expect((await call(`${simulator.origin}/simulator/v1/health`)).json).toEqual({ status: 'ok' });
  });

  it('runs the simulator as the user node, not root', async () => {
    const simulator = await started();
    expect(await docker('inspect', '--format', '{{.Config.User}}', simulator.id)).toBe('node');
    const status = await docker(
      'exec',
      simulator.id,
      'node',
      '-p',
      "fs.readFileSync('/proc/1/status', 'utf8')",
    );
    expect(status).toMatch(/^Uid:\s+1000\s+1000\s+1000\s+1000$/m);
  });

  it('takes a letter sent with the SDK through the published port into the mailbox', async () => {
    const simulator = await started();
    const messageUUID = await sendLetter(simulator);
    expect(await mailboxOf(simulator)).toEqual([messageUUID]);
  });

  it('makes a control token when none is given, prints it, and refuses the control API without it', async () => {
    const id = await runSimulator();
    await healthy(id);
    const origin = `http://127.0.0.1:${await mappedPort(id, 4500)}`;
    const token = /Authorization: Bearer ([0-9a-f]{32})/.exec(await logsOf(id))?.[1];
    expect(token).toBeDefined();
    const without = await call(`${origin}/simulator/v1/fixtures`);
    const wrong = await call(`${origin}/simulator/v1/reset`, {
      method: 'POST',
      headers: { authorization: 'Bearer not-the-token' },
    });
    const withToken = await call(`${origin}/simulator/v1/fixtures`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect([without.status, wrong.status, withToken.status]).toEqual([401, 401, 200]);
  });

  it('leaves the API keys out of the status page for a request without the token', async () => {
    const simulator = await started();
    const key = await keyOf(simulator, SEED_IDS.senderPull);
    const anonymous = await call(`${simulator.origin}/`);
    const withToken = await call(`${simulator.origin}/`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(anonymous.status).toBe(200);
    expect(anonymous.text).not.toContain(key);
    expect(withToken.text).toContain(key);
  });

  it('answers under a compose service name out of the box, and refuses a dotted name it was not given', async () => {
    const simulator = await started();
    const status = async (host: string) =>
      (await call(`${simulator.origin}/simulator/v1/health`, { headers: { host } })).status;
    expect({
      service: await status('digitalpost:4500'),
      mapped: await status(`localhost:${new URL(simulator.origin).port}`),
      foreign: await status('evil.example'),
    }).toEqual({ service: 200, mapped: 200, foreign: 403 });
  });

  it('stops on SIGTERM with exit 0, and a new container on the same volume has every letter', async () => {
    const volume = await newVolume();
    const env = { DIGITALPOST_SIM_DATA_DIR: '/data' };
    const first = await started({ env, volume });
    const sent = [await sendLetter(first), await sendLetter(first)];
    await mailboxOf(first);
    await docker('stop', '--time', '30', first.id);
    expect(await exitCode(first.id)).toBe(0);
    expect(await logsOf(first.id)).toContain('simulator stopped');

    const second = await started({ env, volume });
    expect((await mailboxOf(second)).sort()).toEqual(sent.sort());
  });

  it('keeps its state across docker restart with --data-dir /data given as a flag', async () => {
    const simulator = await started({ args: ['--data-dir', '/data'] });
    const messageUUID = await sendLetter(simulator);
    await docker('restart', '--time', '30', simulator.id);
    expect(await mailboxOf(await reach(simulator.id))).toEqual([messageUUID]);
  });

  it('takes an SFTP upload through the published port from SftpSender, with the host key pinned', async () => {
    const simulator = await started({ env: { DIGITALPOST_SIM_JSON: 'true' } });
    const { sftp } = JSON.parse(
      (await logsOf(simulator.id)).split('\n').find((line) => line.startsWith('{"apiUrl"'))!,
    ) as { sftp: { hostKeyFingerprint: string; knownHostsLine: string } };
    const keys = newKeyPair();
    const registered = await simulator.control(
      'PUT',
      `/systems/${SEED_IDS.senderSftp}/ssh-key`,
      keys.public,
      'text/plain',
    );
    expect(registered.status, registered.text).toBe(200);

    const port = await mappedPort(simulator.id, 4522);
    const folder = mkdtempSync(join(tmpdir(), 'dp-container-sftp-'));
    const knownHosts = join(folder, 'known_hosts');
    writeFileSync(knownHosts, `[127.0.0.1]:${port} ${sftp.knownHostsLine.split(' ').slice(1).join(' ')}\n`);
    const sender = new SftpSender({
      host: '127.0.0.1',
      port,
      username: 'testkommune',
      privateKey: keys.private,
      knownHosts,
      readyTimeoutMs: 10_000,
    });
    try {
      const memo = await letterTo({ cpr: CITIZEN });
      await sender.send([memo]);
      expect(sender.hostKeyFingerprint).toBe(sftp.hostKeyFingerprint);
      expect(await mailboxOf(simulator)).toEqual([memo.messageHeader.messageUUID]);
    } finally {
      await sender.close();
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('refuses a bad DIGITALPOST_SIM_* value with one line and exit 2', async () => {
    const id = await runSimulator({ env: { DIGITALPOST_SIM_CHAOS: 'maybe' } });
    expect(await exitCode(id)).toBe(2);
    expect(await logsOf(id)).toBe(
      'digitalpost: DIGITALPOST_SIM_CHAOS="maybe": must be true or false (1/0, yes/no, on/off)\n',
    );
  });
});
