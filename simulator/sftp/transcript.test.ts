/**
 * SFTP requests in the transcript (`GET /simulator/v1/transcript`): each request of a session with
 * its remote path (a rename as `from -> to`), its SFTP status, the bytes a WRITE carried, the code of
 * an upload's error file — and a lost answer as no status, as the conformance suite reads them for
 * the sender-sftp profile.
 */
import { createHash, randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { serializeMemoToBytes } from '../../sdk/memo/writer.ts';
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
  resetSimulator,
  SEED_IDS,
  startTestSimulator,
  type TranscriptEntryBody,
  transcript,
} from '../../test/support/simulator.ts';
import type { RunningSimulator } from '../index.ts';

const SYSTEM = SEED_IDS.senderSftp;
const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

let simulator: RunningSimulator;
let keys: KeyPair;
let client: SftpClient;

const login = (): Promise<SftpClient> =>
  connectSftp(simulator, { username: 'testkommune', privateKey: keys.private });

beforeAll(async () => {
  simulator = await startTestSimulator({ sftpPort: 0 });
  keys = newKeyPair();
});
afterAll(() => simulator.stop());
beforeEach(async () => {
  await resetSimulator(simulator);
  await registerKey(simulator, SYSTEM, keys.public);
  client = await login();
});
afterEach(() => client.end());

/** The system's SFTP entries once there is one of `operation` (no time limit: the test's own). */
async function sftpEntries(operation: string): Promise<TranscriptEntryBody[]> {
  for (;;) {
    const entries = (await transcript(simulator, { systemId: SYSTEM })).entries.filter(
      (entry) => entry.channel === 'sftp',
    );
    if (entries.some((entry) => entry.operation === operation)) return entries;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('SFTP requests in the transcript', () => {
  it('are each an entry: the upload as .part, its writes, the rename that takes it', async () => {
    const memos = await letters(2);
    const bytes = await containerOf(memos);
    const name = `${randomUUID()}.tar.lzma`;

    await client.put(`/in/${name}.part`, bytes);
    await client.rename(`/in/${name}.part`, `/in/${name}`);

    const entries = await sftpEntries('SFTP RENAME');
    const writes = entries.filter((entry) => entry.operation === 'SFTP WRITE');
    expect(entries.find((entry) => entry.operation === 'SFTP OPEN')).toMatchObject({
      direction: 'in',
      channel: 'sftp',
      systemId: SYSTEM,
      method: null,
      path: `/in/${name}.part`,
      status: 0,
      credentials: 'authorization',
      bodyBytes: null,
    });
    expect(writes.reduce((total, entry) => total + (entry.bodyBytes as number), 0)).toBe(bytes.length);
    expect(writes.every((entry) => entry.path === `/in/${name}.part` && entry.bodySha256 !== null)).toBe(
      true,
    );
    expect(entries.find((entry) => entry.operation === 'SFTP CLOSE')).toMatchObject({
      path: `/in/${name}.part`,
    });
    expect(entries.at(-1)).toMatchObject({
      operation: 'SFTP RENAME',
      path: `/in/${name}.part -> /in/${name}`,
      status: 0,
      code: null,
      fault: null,
    });
  });

  it('hash what a single write carried', async () => {
    const content = Buffer.from('not a container');

    await client.put(`/in/${randomUUID()}.part`, content);

    const [write] = (await sftpEntries('SFTP WRITE')).filter((entry) => entry.operation === 'SFTP WRITE');
    expect(write).toMatchObject({ bodyBytes: content.length, bodySha256: sha256(content) });
  });

  it('name the messageUUID of a single MeMo taken, and of a receipt file read', async () => {
    const [memo] = await letters(1);
    if (memo === undefined) throw new Error('letters(1) gives one letter');
    const uuid = uuidOf(memo);

    await client.put(`/in/${uuid}.xml.part`, serializeMemoToBytes(memo));
    await client.rename(`/in/${uuid}.xml.part`, '/in/letter.xml');
    await simulator.settle();
    await client.get(`/out/receipts/${uuid}.json`);

    const entries = await sftpEntries('SFTP READ');
    expect(entries.find((entry) => entry.operation === 'SFTP RENAME')).toMatchObject({ messageUUID: uuid });
    expect(entries.find((entry) => entry.operation === 'SFTP READ')).toMatchObject({
      messageUUID: uuid,
      path: `/out/receipts/${uuid}.json`,
    });
  });

  it("give an upload refused as a whole its error file's code", async () => {
    const name = `${randomUUID()}.tar.lzma`;

    await client.put(`/in/${name}`, Buffer.from('not a container'));

    expect((await sftpEntries('SFTP CLOSE')).at(-1)).toMatchObject({
      operation: 'SFTP CLOSE',
      status: 0,
      code: 'CONTAINER_UNREADABLE',
    });
  });

  it('give a refused request its SFTP status', async () => {
    await expect(client.remove('/etc/passwd')).rejects.toThrow();

    expect((await sftpEntries('SFTP REMOVE')).at(-1)).toMatchObject({ path: '/etc/passwd', status: 3 });
  });

  it('show a lost answer (DISCONNECT_AFTER) as no status, and the fault', async () => {
    const name = `${randomUUID()}.tar.lzma`;
    await client.put(`/in/${name}.part`, await containerOf(await letters(1)));
    await addFault(simulator, { operation: 'SFTP RENAME', sftp: 'DISCONNECT_AFTER', times: 1 });

    await expect(client.rename(`/in/${name}.part`, `/in/${name}`)).rejects.toThrow();
    await client.closed;

    expect((await sftpEntries('SFTP RENAME')).at(-1)).toMatchObject({ status: null, fault: 'drop-after' });
  });

  it('show a request closed before it was done (DISCONNECT_BEFORE) and one refused FAILURE', async () => {
    await addFault(simulator, { operation: 'SFTP STAT', sftp: 'FAILURE', times: 1 });
    await expect(client.stat('/in')).rejects.toThrow();
    await addFault(simulator, { operation: 'SFTP STAT', sftp: 'DISCONNECT_BEFORE', times: 1 });
    await expect(client.stat('/in')).rejects.toThrow();
    await client.closed;

    const stats = (await sftpEntries('SFTP STAT')).filter((entry) => entry.operation === 'SFTP STAT');
    expect(stats.map((entry) => [entry.status, entry.fault])).toEqual([
      [4, 'status'],
      [null, 'drop-before'],
    ]);
  });

  it('show each login: the key login accepted, a password and an unregistered key refused', async () => {
    await expect(connectSftp(simulator, { username: 'testkommune', password: 'hemmelig' })).rejects.toThrow(
      /authentication methods failed/,
    );
    await expect(
      connectSftp(simulator, { username: 'testkommune', privateKey: newKeyPair().private }),
    ).rejects.toThrow(/authentication methods failed/);

    const logins = (await sftpEntries('SFTP LOGIN')).filter((entry) => entry.operation === 'SFTP LOGIN');
    expect(logins.map((entry) => [entry.path, entry.status, entry.code, entry.credentials])).toEqual([
      ['publickey', 0, null, 'authorization'],
      ['password', 3, 'UNAUTHENTICATED', 'none'],
      ['publickey', 3, 'UNAUTHENTICATED', 'none'],
    ]);
    expect(JSON.stringify(logins)).not.toContain('hemmelig');
  });

  it('show a refused login of an unknown user without a system', async () => {
    await expect(connectSftp(simulator, { username: 'ingen', privateKey: keys.private })).rejects.toThrow(
      /authentication methods failed/,
    );
    const entries = (await transcript(simulator)).entries;
    expect(entries.filter((entry) => entry.operation === 'SFTP LOGIN').at(-1)).toMatchObject({
      systemId: null,
      status: 3,
    });
  });
});
