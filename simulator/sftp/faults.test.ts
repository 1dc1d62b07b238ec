/**
 * Fault rules on the SFTP server (`POST /simulator/v1/faults` with `"operation": "SFTP <request>"`):
 * a request answered FAILURE without being done, a connection closed before a request is done, one
 * closed after it is done instead of answering (the lost answer), a delay that keeps the order of
 * the requests after it — and the rules refused with a field error when they mix HTTP and SFTP.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  connectSftp,
  type KeyPair,
  newKeyPair,
  registerKey,
  type SftpClient,
} from '../../test/support/sftp.ts';
import { containerOf, letters, uuidOf } from '../../test/support/sftp-sender.ts';
import {
  addFault,
  call,
  messageExists,
  resetSimulator,
  SEED_IDS,
  startTestSimulator,
} from '../../test/support/simulator.ts';
import { settlesBefore } from '../../test/support/timers.ts';
import type { RunningSimulator } from '../index.ts';

const USER = 'testkommune';

let simulator: RunningSimulator;
let keys: KeyPair;
let client: SftpClient;
const log: string[] = [];

const login = (): Promise<SftpClient> => connectSftp(simulator, { username: USER, privateKey: keys.private });

beforeAll(async () => {
  simulator = await startTestSimulator({ sftpPort: 0, log: (line) => log.push(line) });
  keys = newKeyPair();
});
afterAll(() => simulator.stop());
beforeEach(async () => {
  await resetSimulator(simulator);
  await registerKey(simulator, SEED_IDS.senderSftp, keys.public);
  log.length = 0;
  client = await login();
});
afterEach(() => client.end());

const fault = (rule: Record<string, unknown>): Promise<void> => addFault(simulator, rule);

async function container(count = 1): Promise<{ bytes: Buffer; uuids: string[] }> {
  const memos = await letters(count);
  return { bytes: await containerOf(memos), uuids: memos.map(uuidOf) };
}

const exists = (messageUUID: string): Promise<boolean> => messageExists(simulator, messageUUID);

const unique = (suffix: string): string => `${randomUUID()}${suffix}`;

describe('SFTP fault rules', () => {
  it('FAILURE answers the request with SSH_FX_FAILURE without doing it, `times` times', async () => {
    const { bytes, uuids } = await container();
    const name = unique('.tar.lzma');
    await client.put(`/in/${name}.part`, bytes);
    await fault({ operation: 'SFTP RENAME', sftp: 'FAILURE', times: 1 });

    expect(await client.status(client.rename(`/in/${name}.part`, `/in/${name}`))).toBe('FAILURE');
    expect(await client.list('/in')).toEqual([`${name}.part`]);
    expect(await exists(uuids[0] as string)).toBe(false);
    expect(log.some((line) => line.includes('SFTP RENAME: injected fault FAILURE'))).toBe(true);

    // The rule has expired: the same rename goes through.
    await client.rename(`/in/${name}.part`, `/in/${name}`);
    expect(await exists(uuids[0] as string)).toBe(true);
  });

  it('DISCONNECT_BEFORE closes the connection without doing the request', async () => {
    const { bytes, uuids } = await container();
    const name = unique('.tar.lzma');
    await client.put(`/in/${name}.part`, bytes);
    await fault({ operation: 'SFTP RENAME', sftp: 'DISCONNECT_BEFORE', times: 1 });

    await expect(client.rename(`/in/${name}.part`, `/in/${name}`)).rejects.toThrow();
    await client.closed;

    client = await login();
    expect(await client.list('/in')).toEqual([`${name}.part`]);
    expect(await exists(uuids[0] as string)).toBe(false);
  });

  it('DISCONNECT_AFTER does the request, then closes the connection instead of answering', async () => {
    const { bytes, uuids } = await container(2);
    const name = unique('.tar.lzma');
    await client.put(`/in/${name}.part`, bytes);
    await fault({ operation: 'SFTP RENAME', sftp: 'DISCONNECT_AFTER', times: 1 });

    await expect(client.rename(`/in/${name}.part`, `/in/${name}`)).rejects.toThrow();
    await client.closed;

    // The container was taken although the client never heard so.
    for (const uuid of uuids) expect(await exists(uuid)).toBe(true);
    client = await login();
    expect(await client.list('/in')).toEqual([]);
    await simulator.settle();
    expect(await client.list('/out/receipts')).toEqual(
      expect.arrayContaining(uuids.map((uuid) => `${uuid}.json`)),
    );
  });

  it('a connection closed in the middle of an upload leaves the part written so far, not taken', async () => {
    const { bytes } = await container();
    const name = unique('.tar.lzma');
    await fault({ operation: 'SFTP WRITE', sftp: 'DISCONNECT_BEFORE', times: 1 });

    await expect(client.put(`/in/${name}`, bytes)).rejects.toThrow();
    await client.closed;

    client = await login();
    expect(await client.list('/in')).toEqual([name]);
    expect((await client.stat(`/in/${name}`)).size).toBe(0);
    expect(await client.list('/out/errors')).toEqual([]);
  });

  it('delayMs delays the request, and the requests after it start after it', async () => {
    await fault({ operation: 'SFTP STAT', delayMs: 300, times: 1 });
    const order: string[] = [];
    const stat = client.stat('/in').then(() => order.push('stat'));
    const list = client.list('/out').then(() => order.push('list'));
    // A timer of the delay, started before the server even has the request, falls due first.
    expect(await settlesBefore(stat, 300)).toBe(false);
    await Promise.all([stat, list]);

    expect(order).toEqual(['stat', 'list']);
  });

  it('a delayed request whose client has gone is never done', async () => {
    const { bytes, uuids } = await container();
    const name = unique('.tar.lzma');
    await client.put(`/in/${name}.part`, bytes);
    await fault({ operation: 'SFTP RENAME', delayMs: 500, times: 1 });
    const renamed = client.rename(`/in/${name}.part`, `/in/${name}`).catch(() => 'closed');
    await client.end();
    expect(await renamed).toBe('closed');
    await new Promise((resolve) => setTimeout(resolve, 800));

    client = await login();
    expect(await client.list('/in')).toEqual([`${name}.part`]);
    expect(await exists(uuids[0] as string)).toBe(false);
  });

  it('applies only to the system named by systemId', async () => {
    await fault({ operation: 'SFTP OPENDIR', sftp: 'FAILURE', systemId: SEED_IDS.senderPull });
    expect(await client.list('/in')).toEqual([]);

    await fault({ operation: 'SFTP OPENDIR', sftp: 'FAILURE', systemId: SEED_IDS.senderSftp });
    expect(await client.status(client.list('/in'))).toBe('FAILURE');
  });

  it('stopping the simulator does not wait for a delayed request', async () => {
    const own = await startTestSimulator({ sftpPort: 0 });
    try {
      await registerKey(own, SEED_IDS.senderSftp, keys.public);
      const ownClient = await connectSftp(own, { username: USER, privateKey: keys.private });
      const delayMs = 10_000;
      await addFault(own, { operation: 'SFTP STAT', delayMs });
      const pending = ownClient.stat('/in').catch(() => 'closed');
      expect(await settlesBefore(own.stop(), delayMs)).toBe(true);
      expect(await pending).toBe('closed');
    } finally {
      await own.stop();
    }
  });

  describe('rules refused', () => {
    it.each([
      [{ operation: 'SFTP RENAME', status: 503 }, 'status', /SFTP requests have no HTTP status/],
      [{ operation: 'SFTP RENAME' }, 'sftp', /give sftp, delayMs or both/],
      [{ operation: 'SFTP RENAME', sftp: 'EXPLODE' }, 'sftp', /must be one of FAILURE, DISCONNECT_BEFORE/],
      [{ operation: 'POST /memos/', sftp: 'FAILURE' }, 'sftp', /applies to SFTP operations only/],
      [{ operation: 'SFTP MKDIR', sftp: 'FAILURE' }, 'operation', /"SFTP <request>" with a request of OPEN/],
      [{ operation: 'sftp rename', sftp: 'FAILURE' }, 'operation', /must be "METHOD \/path"/],
    ])('%j: 400 with a field error on %s', async (rule, field, message) => {
      const response = await call(`${simulator.controlUrl}/faults`, {
        method: 'POST',
        body: JSON.stringify(rule),
        contentType: 'application/json',
      });

      expect(response.status).toBe(400);
      const body = response.json as { fieldErrors: Array<{ field: string; message: string }> };
      const error = body.fieldErrors.find((candidate) => candidate.field === field);
      expect(error?.message).toMatch(message);
    });
  });
});
