/**
 * `digitalpost/testcontainers` against a real Docker engine and the simulator's image: what
 * `start()` gives, and every option, each seen in what the simulator then does.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, afterEach, expect, it } from 'vitest';
import { InvalidOptionsError } from '../sdk/errors.ts';
import { SftpSender } from '../sdk/sftp/sender.ts';
import type { SeedData } from '../simulator/index.ts';
import {
  CONTAINER_REQUIREMENTS,
  docker,
  newVolume,
  removeAll,
  TEST_IMAGE,
} from '../test/support/containers.ts';
import { describeWith } from '../test/support/requirements.ts';
import { newKeyPair } from '../test/support/sftp.ts';
import { letterTo, SEED_IDS } from '../test/support/simulator.ts';
import { DigitalPostSimulatorContainer, type StartedDigitalPostSimulatorContainer } from './index.ts';

const CITIZEN = '0101700001';

/** A seed of one authority with one PULL sender and one citizen. */
const SMALL_SEED: SeedData = {
  organisations: [
    {
      id: '10000000-0000-4000-8000-0000000000a1',
      cvrNumber: '29189846',
      name: 'Containerkommune',
      type: 'AUTHORITY',
    },
  ],
  systems: [
    {
      id: '20000000-0000-4000-8000-0000000000a1',
      organisationId: '10000000-0000-4000-8000-0000000000a1',
      name: 'Containersystem',
      roles: ['SENDER'],
      protocol: 'REST_PULL',
      apiKeySecret: '30000000-0000-4000-8000-0000000000a1',
    },
  ],
  contactPoints: [],
  citizens: [
    {
      cprNumber: '0101800001',
      name: 'Container Borger',
      publicRegistrationStatus: 'REGISTERED',
      registrationStatus: 'AUTOMATIC_REGISTRATION',
    },
  ],
  companies: [],
};

describeWith(CONTAINER_REQUIREMENTS, 'DigitalPostSimulatorContainer', () => {
  const running: StartedDigitalPostSimulatorContainer[] = [];
  const start = async (container: DigitalPostSimulatorContainer) => {
    const started = await container.start();
    running.push(started);
    return started;
  };
  const simulator = () => new DigitalPostSimulatorContainer(TEST_IMAGE);
  afterEach(async () => {
    await Promise.all(running.splice(0).map((started) => started.stop()));
    await removeAll();
  });
  afterAll(removeAll);

  /** Sends a letter with `client()` and settles; its messageUUID. */
  const sendLetter = async (started: StartedDigitalPostSimulatorContainer, cpr = CITIZEN) => {
    const memo = await letterTo({ cpr });
    await started.client().memos.send(memo);
    await started.settle();
    return memo.messageHeader.messageUUID;
  };
  const mailbox = async (started: StartedDigitalPostSimulatorContainer, owner = CITIZEN) =>
    (await started.control<Array<{ messageUUID: string }>>('GET', `/mailboxes/${owner}/messages`)).map(
      (letter) => letter.messageUUID,
    );

  it('starts the default seed with a random control token, and a client of the first sender delivers a letter', async () => {
    const started = await start(simulator());
    expect(started.apiUrl).toMatch(/^http:\/\/localhost:\d+\/apis\/v1$/);
    expect(started.controlUrl).toBe(started.apiUrl.replace('/apis/v1', '/simulator/v1'));
    expect(started.controlToken).toMatch(/^[0-9a-f]{32}$/);
    expect(started.fixtures.systems.map((system) => system.id)).toContain(SEED_IDS.senderPull);
    expect(started.clock.mode).toBe('real');
    const messageUUID = await sendLetter(started);
    expect(await mailbox(started)).toEqual([messageUUID]);
  });

  it('refuses the control API to a caller without its token', async () => {
    const started = await start(simulator());
    const anonymous = await fetch(`${started.controlUrl}/fixtures`);
    expect(anonymous.status).toBe(401);
    expect((await fetch(`${started.controlUrl}/health`)).status).toBe(200);
  });

  it('withControlToken: the control API takes that token', async () => {
    const started = await start(simulator().withControlToken('chosen-token'));
    expect(started.controlToken).toBe('chosen-token');
    const answer = await fetch(`${started.controlUrl}/clock`, {
      headers: { authorization: 'Bearer chosen-token' },
    });
    expect(answer.status).toBe(200);
  });

  it('gives the SFTP server as this machine reaches it, its known_hosts line good for SftpSender', async () => {
    const started = await start(simulator());
    const sftp = started.sftp!;
    expect(sftp.host).toBe(started.getHost());
    expect(sftp.port).toBe(started.getMappedPort(4522));
    expect(sftp.knownHostsLine).toMatch(new RegExp(`^\\[${sftp.host}\\]:${sftp.port} ssh-ed25519 AAAA\\S+$`));

    const keys = newKeyPair();
    await fetch(`${started.controlUrl}/systems/${SEED_IDS.senderSftp}/ssh-key`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${started.controlToken}`, 'content-type': 'text/plain' },
      body: keys.public,
    });
    const folder = mkdtempSync(join(tmpdir(), 'dp-testcontainers-'));
    writeFileSync(join(folder, 'known_hosts'), `${sftp.knownHostsLine}\n`);
    const sender = new SftpSender({
      host: sftp.host,
      port: sftp.port,
      username: 'testkommune',
      privateKey: keys.private,
      knownHosts: join(folder, 'known_hosts'),
    });
    try {
      const memo = await letterTo({ cpr: CITIZEN });
      await sender.send([memo]);
      await started.settle();
      expect(await mailbox(started)).toEqual([memo.messageHeader.messageUUID]);
    } finally {
      await sender.close();
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('withoutSftp: runs no SFTP server', async () => {
    const started = await start(simulator().withoutSftp());
    expect(started.sftp).toBeNull();
  });

  it('withManualClock: time stands at the start given, moves only when told, and reset() takes it back', async () => {
    const started = await start(simulator().withManualClock('2025-06-02T08:00:00Z'));
    expect(started.clock.mode).toBe('manual');
    expect(await started.clock.now()).toEqual(new Date('2025-06-02T08:00:00Z'));
    expect(await started.clock.advance('PT1H')).toEqual(new Date('2025-06-02T09:00:00Z'));
    expect(await started.clock.set('2025-06-03T08:00:00Z')).toEqual(new Date('2025-06-03T08:00:00Z'));
    await started.reset();
    expect(await started.clock.now()).toEqual(new Date('2025-06-02T08:00:00Z'));
  });

  it('reset(): the letters are gone', async () => {
    const started = await start(simulator());
    await sendLetter(started);
    await started.reset();
    expect(await mailbox(started)).toEqual([]);
  });

  it('withSeed(object): the fixtures are that seed, and client() sends as its sender', async () => {
    const started = await start(simulator().withSeed(SMALL_SEED));
    expect(started.fixtures.systems.map((system) => system.name)).toEqual(['Containersystem']);
    const messageUUID = await sendLetter(started, '0101800001');
    expect(await mailbox(started, '0101800001')).toEqual([messageUUID]);
  });

  it('withSeed(file): a seed file of this machine is copied in', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'dp-testcontainers-seed-'));
    try {
      writeFileSync(join(folder, 'seed.json'), JSON.stringify(SMALL_SEED));
      const started = await start(simulator().withSeed(join(folder, 'seed.json')));
      expect(started.fixtures.organisations.map((organisation) => organisation.name)).toEqual([
        'Containerkommune',
      ]);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('withSeed("none"): nothing is seeded, and client() says there is no sender', async () => {
    const started = await start(simulator().withSeed('none'));
    expect(started.fixtures.systems).toEqual([]);
    expect(() => started.client()).toThrow(InvalidOptionsError);
  });

  it('client(system): a client of that system, by id or fixture; an unknown one is refused', async () => {
    const started = await start(simulator());
    const recipient = started.fixtures.systems.find((system) => system.id === SEED_IDS.authorityRecipient)!;
    const memo = await letterTo({ cpr: CITIZEN });
    await started.client(SEED_IDS.senderPull).memos.send(memo);
    await expect(
      started.client(recipient).memos.send(await letterTo({ cpr: CITIZEN })),
    ).rejects.toMatchObject({
      status: 403,
    });
    expect(() => started.client('20000000-0000-4000-8000-000000000099')).toThrow(InvalidOptionsError);
  });

  it('withLoose: an unknown, well-formed CPR number is registered on first use and gets the letter', async () => {
    const started = await start(simulator().withLoose());
    const messageUUID = await sendLetter(started, '0101990001');
    expect(await mailbox(started, '0101990001')).toEqual([messageUUID]);
  });

  it('withChaos: a business receipt comes up to a minute of simulator time late', async () => {
    const started = await start(simulator().withChaos().withManualClock());
    const messageUUID = await sendLetter(started);
    const receipts = async () => {
      const found: string[] = [];
      for await (const receipt of started.client().receipts.list())
        if (receipt.messageUUID === messageUUID) found.push(receipt.receiptStatus);
      return found;
    };
    const before = await receipts();
    await started.clock.advance('PT61S');
    await started.settle();
    expect({ before, after: await receipts() }).toEqual({ before: [], after: ['COMPLETED'] });
  });

  it('withAllowedHosts: those names too, besides names without a dot', async () => {
    const started = await start(simulator().withAllowedHosts('.ci.example'));
    const { port } = new URL(started.apiUrl);
    const status = async (host: string) => {
      const answer = await request(`${started.controlUrl}/health`, { headers: { host: `${host}:${port}` } });
      await answer.body.dump();
      return answer.statusCode;
    };
    expect({
      domain: await status('runner.ci.example'),
      service: await status('digitalpost'),
      other: await status('evil.example'),
    }).toEqual({ domain: 200, service: 200, other: 403 });
  });

  it('withMemoryBudget: the simulator gets it — one below the largest MeMo stops the start, saying why', async () => {
    await expect(start(simulator().withMemoryBudget('10MB'))).rejects.toThrow(
      /memoryBudget \(10000000 bytes\) must be at least maxMemoBytes/,
    );
  });

  it('withDataDir(): restart() keeps the letters, and gives the new mapped ports', async () => {
    const started = await start(simulator().withDataDir());
    const messageUUID = await sendLetter(started);
    await started.restart();
    expect(await mailbox(started)).toEqual([messageUUID]);
    expect(started.apiUrl).toBe(`http://${started.getHost()}:${started.getMappedPort(4500)}/apis/v1`);
  });

  it('withDataDir(volume): a new container on the same volume has the letters', async () => {
    const volume = await newVolume();
    const first = await start(simulator().withDataDir(volume));
    const messageUUID = await sendLetter(first);
    await first.stop();
    const second = await start(simulator().withDataDir(volume));
    expect(await mailbox(second)).toEqual([messageUUID]);
  });

  it('stop(): the container is gone', async () => {
    const started = await start(simulator());
    const id = started.getId();
    await started.stop();
    expect(await docker('ps', '-aq', '--filter', `id=${id}`)).toBe('');
  });
});
