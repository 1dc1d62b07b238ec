/**
 * The simulator's SFTP server for mass sending (simulator.md, "SFTP mass sending"), driven by the
 * ssh2 client: uploads are taken when closed or renamed under a final name, receipts and error files
 * appear in /out, and every way out of the chrooted home or around the public-key login is refused.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Memo } from '../../sdk/memo/types.ts';
import { serializeMemoToBytes } from '../../sdk/memo/writer.ts';
import {
  connectSftp,
  type KeyPair,
  newKeyPair,
  registerKey,
  type SftpClient,
  type StatusName,
} from '../../test/support/sftp.ts';
import { containerOf, letters, uuidOf } from '../../test/support/sftp-sender.ts';
import {
  keyOf,
  letterTo,
  mailbox,
  messageExists,
  patchSystem,
  pullReceipts,
  type ReceiptBody,
  receiptFor,
  resetSimulator,
  SEED_IDS,
  startTestSimulator,
} from '../../test/support/simulator.ts';
import { DEFAULT_SEED } from '../domain/seed.ts';
import type { RunningSimulator } from '../index.ts';

const USER = 'testkommune';

/** A unique file name, so that tests never meet each other's uploads. */
const unique = (suffix: string): string => `${randomUUID()}${suffix}`;

describe('the SFTP server', () => {
  let simulator: RunningSimulator;
  let keys: KeyPair;
  let client: SftpClient;
  let apiKey: string;

  const login = (privateKey = keys.private, username = USER): Promise<SftpClient> =>
    connectSftp(simulator, { username, privateKey });

  beforeAll(async () => {
    simulator = await startTestSimulator({ sftpPort: 0 });
    keys = newKeyPair();
    apiKey = keyOf(simulator, SEED_IDS.senderSftp);
  });
  afterAll(() => simulator.stop());
  beforeEach(async () => {
    await resetSimulator(simulator);
    await registerKey(simulator, SEED_IDS.senderSftp, keys.public);
    client = await login();
  });
  afterEach(() => client.end());

  describe('uploads', () => {
    it('takes a container uploaded under a temporary name once it is renamed, and answers the rename once it is stored', async () => {
      const memos = await letters(2);
      const name = unique('.tar.lzma');
      await client.put(`/in/${name}.part`, await containerOf(memos));
      expect(await client.list('/in')).toContain(`${name}.part`);
      expect(await messageExists(simulator, uuidOf(memos[0] as Memo))).toBe(false);

      await client.rename(`/in/${name}.part`, `/in/${name}`);

      for (const memo of memos) expect(await messageExists(simulator, uuidOf(memo))).toBe(true);
      const listed = await client.list('/in');
      expect(listed).not.toContain(name);
      expect(listed).not.toContain(`${name}.part`);
      await simulator.settle();
      const delivered = (await mailbox(simulator, '0101700001')).map((entry) => entry.messageUUID);
      expect(delivered).toEqual(expect.arrayContaining(memos.map(uuidOf)));
    });

    it('a reset of the simulator empties /in, and a file still being written is never taken', async () => {
      const [memo] = (await letters(1)) as [Memo];
      const name = unique('.tar.lzma');
      await client.put(`/in/${name}.part`, await containerOf([memo]));
      const { sftp } = client;
      const handle = await new Promise<Buffer>((resolve, reject) =>
        sftp.open(`/in/${unique('.xml')}`, 'w', (error, opened) => (error ? reject(error) : resolve(opened))),
      );
      expect(await client.list('/in')).toHaveLength(2);

      await resetSimulator(simulator);
      await registerKey(simulator, SEED_IDS.senderSftp, keys.public);

      expect(await client.list('/in')).toEqual([]);
      expect(await client.status(client.rename(`/in/${name}.part`, `/in/${name}`))).toBe('NO_SUCH_FILE');
      const xml = serializeMemoToBytes(memo);
      await new Promise<void>((resolve, reject) =>
        sftp.write(handle, Buffer.from(xml), 0, xml.length, 0, (error) =>
          error ? reject(error) : resolve(),
        ),
      );
      await new Promise<void>((resolve, reject) =>
        sftp.close(handle, (error) => (error ? reject(error) : resolve())),
      );
      expect(await client.list('/in')).toEqual([]);
      await simulator.settle();
      expect(await messageExists(simulator, uuidOf(memo))).toBe(false);
      expect(await client.list('/out/receipts')).toEqual([]);
    });

    it('lists the business receipts of the system in /out/receipts as <messageUUID>.json', async () => {
      const memos = await letters(3);
      await client.put(`/in/${unique('.tar.lzma')}`, await containerOf(memos));
      await simulator.settle();
      expect(await client.list('/out/receipts')).toEqual(memos.map((memo) => `${uuidOf(memo)}.json`).sort());
    });

    it('serves a receipt file as the Receipt JSON with its id; reading it does not acknowledge it', async () => {
      const [memo] = (await letters(1)) as [Memo];
      await client.put(`/in/${unique('.tar.lzma')}`, await containerOf([memo]));
      await simulator.settle();
      const file = `/out/receipts/${uuidOf(memo)}.json`;
      const receipt = JSON.parse((await client.get(file)).toString('utf8')) as ReceiptBody;
      expect(receipt).toEqual(await receiptFor(simulator, apiKey, uuidOf(memo)));
      expect(receipt).toMatchObject({ id: expect.any(String), receiptStatus: 'COMPLETED' });
      expect((await client.stat(file)).size).toBe((await client.get(file)).length);
      expect(await client.list('/out/receipts')).toEqual([`${uuidOf(memo)}.json`]);
    });

    it('acknowledges a receipt when its file is removed: gone from /out/receipts and from GET /receipts/', async () => {
      const [kept, acknowledged] = (await letters(2)) as [Memo, Memo];
      await client.put(`/in/${unique('.tar.lzma')}`, await containerOf([kept, acknowledged]));
      await simulator.settle();
      await client.remove(`/out/receipts/${uuidOf(acknowledged)}.json`);
      expect(await client.list('/out/receipts')).toEqual([`${uuidOf(kept)}.json`]);
      const remaining = await pullReceipts(simulator, apiKey);
      expect(remaining.map((receipt) => receipt.messageUUID)).toEqual([uuidOf(kept)]);
    });

    it('takes a single MeMo uploaded as *.xml when the file is closed', async () => {
      const [memo] = (await letters(1)) as [Memo];
      await client.put(`/in/${unique('.xml')}`, serializeMemoToBytes(memo));
      expect(await messageExists(simulator, uuidOf(memo))).toBe(true);
      await simulator.settle();
      expect((await mailbox(simulator, '0101700001')).map((entry) => entry.messageUUID)).toContain(
        uuidOf(memo),
      );
      expect(await client.list('/out/receipts')).toEqual([`${uuidOf(memo)}.json`]);
    });

    it('leaves a file closed under another name in /in, untaken, until it is removed', async () => {
      const [memo] = (await letters(1)) as [Memo];
      const container = await containerOf([memo]);
      const name = unique('.tar.lzma.part');
      await client.put(`/in/${name}`, container);
      expect(await client.list('/in')).toContain(name);
      expect((await client.stat(`/in/${name}`)).size).toBe(container.length);
      expect(Buffer.compare(await client.get(`/in/${name}`), container)).toBe(0);
      expect(await messageExists(simulator, uuidOf(memo))).toBe(false);
      await client.remove(`/in/${name}`);
      expect(await client.list('/in')).not.toContain(name);
    });

    it('does not take an upload whose session ended before it was closed; it stays in /in until renamed', async () => {
      const [memo] = (await letters(1)) as [Memo];
      const container = await containerOf([memo]);
      const name = unique('.tar.lzma');
      const { sftp } = client;
      const handle = await new Promise<Buffer>((resolve, reject) =>
        sftp.open(`/in/${name}`, 'w', (error, opened) => (error ? reject(error) : resolve(opened))),
      );
      await new Promise<void>((resolve, reject) =>
        sftp.write(handle, container, 0, container.length, 0, (error) => (error ? reject(error) : resolve())),
      );
      await client.end();
      // The server learns of the disconnect from its own side of the socket.
      await new Promise((resolve) => setTimeout(resolve, 50));
      client = await login();
      expect(await client.list('/in')).toContain(name);
      expect(await messageExists(simulator, uuidOf(memo))).toBe(false);
      await client.rename(`/in/${name}`, `/in/${unique('.tar.lzma')}`);
      expect(await messageExists(simulator, uuidOf(memo))).toBe(true);
    });

    it('writes the ErrorMessage of an unreadable container to /out/errors/<file>.json; removing it dismisses it', async () => {
      const name = unique('.tar.lzma');
      await client.put(`/in/${name}`, 'this is not an LZMA stream');
      expect(await client.list('/in')).not.toContain(name);
      expect(await client.list('/out/errors')).toEqual([`${name}.json`]);
      const error = JSON.parse((await client.get(`/out/errors/${name}.json`)).toString('utf8'));
      expect(error).toEqual({ code: 'CONTAINER_UNREADABLE', message: expect.any(String), fieldErrors: [] });
      await client.remove(`/out/errors/${name}.json`);
      expect(await client.list('/out/errors')).toEqual([]);
    });

    it('removes the error file of a name once a later upload under that name is taken', async () => {
      const name = unique('.tar.lzma');
      await client.put(`/in/${name}`, 'broken');
      expect(await client.list('/out/errors')).toEqual([`${name}.json`]);
      await client.put(`/in/${name}`, await containerOf(await letters(1)));
      expect(await client.list('/out/errors')).toEqual([]);
    });

    it('writes DUPLICATE_MESSAGE_UUID, with the original receipt, for a MeMo reusing a messageUUID with other content', async () => {
      const [memo] = (await letters(1)) as [Memo];
      await client.put(`/in/${unique('.xml')}`, serializeMemoToBytes(memo));
      const other = await letterTo(
        { cpr: '0101700001' },
        { label: 'Et andet brev', messageUUID: uuidOf(memo) },
      );
      const name = unique('.xml');
      await client.put(`/in/${name}`, serializeMemoToBytes(other));
      const error = JSON.parse((await client.get(`/out/errors/${name}.json`)).toString('utf8'));
      expect(error).toMatchObject({
        code: 'DUPLICATE_MESSAGE_UUID',
        receipt: { messageUUID: uuidOf(memo), receiptStatus: 'RECEIVED' },
      });
    });

    it('writes MEMO_UNREADABLE for an *.xml that is not XML', async () => {
      const name = unique('.xml');
      await client.put(`/in/${name}`, 'not xml at all');
      const error = JSON.parse((await client.get(`/out/errors/${name}.json`)).toString('utf8'));
      expect(error).toMatchObject({ code: 'MEMO_UNREADABLE' });
    });

    it('takes the same container again without a second letter or receipt', async () => {
      const container = await containerOf(await letters(2));
      await client.put(`/in/${unique('.tar.lzma')}`, container);
      await simulator.settle();
      const letterCount = (await mailbox(simulator, '0101700001')).length;
      await client.put(`/in/${unique('.tar.lzma')}`, container);
      await simulator.settle();
      expect(await mailbox(simulator, '0101700001')).toHaveLength(letterCount);
      expect(await client.list('/out/receipts')).toHaveLength(2);
      expect(await client.list('/out/errors')).toEqual([]);
    });

    it('names a later receipt for the same messageUUID <messageUUID>.<receipt id>.json', async () => {
      const [memo] = (await letters(1)) as [Memo];
      await client.put(`/in/${unique('.xml')}`, serializeMemoToBytes(memo));
      await simulator.settle();
      const other = await letterTo(
        { cpr: '0101700001' },
        { label: 'Et andet brev', messageUUID: uuidOf(memo) },
      );
      await client.put(`/in/${unique('.tar.lzma')}`, await containerOf([other]));
      await simulator.settle();
      const names = await client.list('/out/receipts');
      const later = names.find((name) => name !== `${uuidOf(memo)}.json`) as string;
      expect(names).toEqual([`${uuidOf(memo)}.json`, later].sort());
      const receipt = JSON.parse(
        (await client.get(`/out/receipts/${later}`)).toString('utf8'),
      ) as ReceiptBody;
      expect(later).toBe(`${uuidOf(memo)}.${receipt.id}.json`);
      expect(receipt).toMatchObject({ receiptStatus: 'INVALID', errorCode: 'DUPLICATE_MESSAGE_UUID' });
      await client.remove(`/out/receipts/${uuidOf(memo)}.json`);
      await client.remove(`/out/receipts/${later}`);
      expect(await client.list('/out/receipts')).toEqual([]);
    });

    it('refuses a write that makes an upload larger than container.maxBytes, drops the file and says why in /out/errors', async () => {
      const small = await startTestSimulator({ sftpPort: 0, container: { maxBytes: 1_000 } });
      try {
        await registerKey(small, SEED_IDS.senderSftp, keys.public);
        const limited = await connectSftp(small, { username: USER, privateKey: keys.private });
        const name = unique('.tar.lzma.part');
        expect(await limited.status(limited.put(`/in/${name}`, Buffer.alloc(40_000)))).toBe('FAILURE');
        expect(await limited.list('/in')).toEqual([]);
        const error = JSON.parse((await limited.get(`/out/errors/${name}.json`)).toString('utf8'));
        expect(error).toMatchObject({ code: 'MESSAGE_TOO_LARGE' });
        limited.end();
      } finally {
        await small.stop();
      }
    });
  });

  describe('the memory budget', () => {
    it('refuses a write it has no room for with FAILURE, drops that upload and says why; room comes back with a removal', async () => {
      const limit = 1_600_000;
      const small = await startTestSimulator({
        sftpPort: 0,
        memoryBudget: 2_000_000,
        maxMemoBytes: limit,
        container: { maxBytes: limit },
      });
      try {
        await registerKey(small, SEED_IDS.senderSftp, keys.public);
        const budgeted = await connectSftp(small, { username: USER, privateKey: keys.private });
        const kept = unique('.tar.lzma.part');
        await budgeted.put(`/in/${kept}`, Buffer.alloc(1_500_000));
        const refused = unique('.tar.lzma.part');
        expect(await budgeted.status(budgeted.put(`/in/${refused}`, Buffer.alloc(1_000_000)))).toBe(
          'FAILURE',
        );
        expect(await budgeted.list('/in')).toEqual([kept]);
        const error = JSON.parse((await budgeted.get(`/out/errors/${refused}.json`)).toString('utf8'));
        expect(error).toMatchObject({
          code: 'SERVICE_UNAVAILABLE',
          message: expect.stringContaining('no room'),
        });
        await budgeted.remove(`/in/${kept}`);
        await budgeted.put(`/in/${refused}`, Buffer.alloc(1_000_000));
        expect(await budgeted.list('/in')).toEqual([refused]);
        budgeted.end();
      } finally {
        await small.stop();
      }
    });
  });

  describe('the home folder', () => {
    it('has the fixed layout: /in and /out, with /out/receipts and /out/errors', async () => {
      expect(await client.list('/')).toEqual(['in', 'out']);
      expect(await client.list('/out')).toEqual(['errors', 'receipts']);
      expect((await client.stat('/out/receipts')).isDirectory()).toBe(true);
    });

    it('resolves paths against the home: ".", relative paths, repeated slashes and ".." that stays inside', async () => {
      expect(await client.realpath('.')).toBe('/');
      expect(await client.realpath('in')).toBe('/in');
      expect(await client.realpath('in//../out/./receipts/')).toBe('/out/receipts');
      expect((await client.stat('/in/../out')).isDirectory()).toBe(true);
    });

    it('pages a folder of many receipts: at most 100 entries per READDIR, then EOF', async () => {
      await client.put(`/in/${unique('.tar.lzma')}`, await containerOf(await letters(250)));
      await simulator.settle();
      const { sftp } = client;
      const handle = await new Promise<Buffer>((resolve, reject) =>
        sftp.opendir('/out/receipts', (error, opened) => (error ? reject(error) : resolve(opened))),
      );
      const pages: number[] = [];
      for (;;) {
        const page = await new Promise<unknown[] | undefined>((resolve, reject) =>
          sftp.readdir(handle, (error, list) =>
            error
              ? (error as { code?: number }).code === 1
                ? resolve(undefined)
                : reject(error)
              : resolve(list),
          ),
        );
        if (page === undefined) break;
        pages.push(page.length);
      }
      expect(pages).toEqual([100, 100, 50]);
      expect(new Set(await client.list('/out/receipts')).size).toBe(250);
    });
  });

  describe('refusals', () => {
    it.each(['../../etc/passwd', '/in/../../x', '..', '/..', 'in/../../out'])(
      'refuses %s, which leaves the home',
      async (path) => {
        expect(await client.status(client.realpath(path))).toBe('PERMISSION_DENIED');
        expect(await client.status(client.stat(path))).toBe('PERMISSION_DENIED');
        expect(await client.status(client.get(path))).toBe('PERMISSION_DENIED');
        expect(await client.status(client.put(path, 'x'))).toBe('PERMISSION_DENIED');
      },
    );

    it('has nothing outside the layout: /etc/passwd and the like are refused, never served from the host', async () => {
      expect(await client.status(client.get('/etc/passwd'))).toBe('PERMISSION_DENIED');
      expect(await client.status(client.stat('/etc'))).toBe('PERMISSION_DENIED');
      expect(await client.status(client.list('/etc'))).toBe('PERMISSION_DENIED');
      expect(await client.status(client.list('/out/receipts/x/y'))).toBe('PERMISSION_DENIED');
    });

    it.each(['/out/receipts/x.json', '/out/errors/x.json', '/x.xml', '/out/x.xml', '/in', '/in/sub/x.xml'])(
      'refuses to write %s: only files in /in may be written',
      async (path) => {
        expect(await client.status(client.put(path, 'x'))).toBe('PERMISSION_DENIED');
      },
    );

    it('refuses to rename out of /in, or into /in from elsewhere', async () => {
      const name = unique('.part');
      await client.put(`/in/${name}`, 'x');
      expect(await client.status(client.rename(`/in/${name}`, '/out/receipts/x.json'))).toBe(
        'PERMISSION_DENIED',
      );
      expect(await client.status(client.rename(`/in/${name}`, '/x.xml'))).toBe('PERMISSION_DENIED');
      expect(await client.status(client.rename('/out/errors', '/in/errors'))).toBe('PERMISSION_DENIED');
      await client.remove(`/in/${name}`);
    });

    it('refuses to rename onto a file that exists', async () => {
      const [first, second] = [unique('.part'), unique('.part')];
      await client.put(`/in/${first}`, 'x');
      await client.put(`/in/${second}`, 'y');
      expect(await client.status(client.rename(`/in/${first}`, `/in/${second}`))).toBe('FAILURE');
      await client.remove(`/in/${first}`);
      await client.remove(`/in/${second}`);
    });

    it('refuses to make links or read them', async () => {
      const { sftp } = client;
      const symlink = new Promise<void>((resolve, reject) =>
        sftp.symlink('/out/receipts', '/in/link', (error) => (error ? reject(error) : resolve())),
      );
      expect(await client.status(symlink)).toBe('PERMISSION_DENIED');
      const readlink = new Promise<string>((resolve, reject) =>
        sftp.readlink('/in', (error, target) => (error ? reject(error) : resolve(target))),
      );
      expect(await client.status(readlink)).toBe('PERMISSION_DENIED');
    });

    it('refuses to make or remove folders', async () => {
      const { sftp } = client;
      const mkdir = new Promise<void>((resolve, reject) =>
        sftp.mkdir('/in/sub', (error) => (error ? reject(error) : resolve())),
      );
      const rmdir = new Promise<void>((resolve, reject) =>
        sftp.rmdir('/out/errors', (error) => (error ? reject(error) : resolve())),
      );
      expect(await client.status(mkdir)).toBe('PERMISSION_DENIED');
      expect(await client.status(rmdir)).toBe('PERMISSION_DENIED');
      expect(await client.status(client.remove('/out/receipts'))).toBe('PERMISSION_DENIED');
    });

    it('answers NO_SUCH_FILE for files that are not there', async () => {
      const checks: Array<Promise<StatusName>> = [
        client.status(client.remove(`/in/${unique('.part')}`)),
        client.status(client.remove(`/out/receipts/${randomUUID()}.json`)),
        client.status(client.get(`/out/errors/${unique('.xml')}.json`)),
        client.status(client.stat(`/in/${unique('.xml')}`)),
      ];
      expect(await Promise.all(checks)).toEqual([
        'NO_SUCH_FILE',
        'NO_SUCH_FILE',
        'NO_SUCH_FILE',
        'NO_SUCH_FILE',
      ]);
    });
  });

  describe('logins', () => {
    it('accepts the registered key, behind the host key whose fingerprint startSimulator reports', () => {
      expect(simulator.sftp?.hostKeyFingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
      expect(client.hostKeyFingerprint).toBe(simulator.sftp?.hostKeyFingerprint);
    });

    it('refuses a key that is not registered for the user', async () => {
      await expect(login(newKeyPair().private)).rejects.toThrow(/authentication methods failed/);
    });

    it('refuses an unknown user, even with a key registered for another', async () => {
      await expect(login(keys.private, 'nobody')).rejects.toThrow(/authentication methods failed/);
    });

    it('offers only publickey, and refuses password and keyboard-interactive logins', async () => {
      const offered: string[][] = [];
      const tried = ['none', 'password', 'keyboard-interactive'];
      const attempt = connectSftp(simulator, {
        username: USER,
        authHandler: (methodsLeft, _partial, next) => {
          if (methodsLeft !== null) offered.push(methodsLeft);
          const method = tried.shift();
          if (method === undefined) return false;
          next(
            method === 'password'
              ? { type: 'password', username: USER, password: 'secret' }
              : method === 'keyboard-interactive'
                ? {
                    type: 'keyboard-interactive',
                    username: USER,
                    prompt: (_n, _i, _l, _p, done) => done(['secret']),
                  }
                : { type: 'none', username: USER },
          );
          return undefined;
        },
      });
      await expect(attempt).rejects.toThrow(/authentication methods failed/);
      expect(offered.length).toBeGreaterThan(0);
      for (const methods of offered) expect(methods).toEqual(['publickey']);
    });

    it('refuses the user of a system without the SENDER role', async () => {
      await patchSystem(simulator, SEED_IDS.senderSftp, { roles: ['RECIPIENT'] });
      await expect(login()).rejects.toThrow(/authentication methods failed/);
    });

    it('refuses the user of a system that is not in operation', async () => {
      await patchSystem(simulator, SEED_IDS.senderSftp, { activeTo: '2000-01-01T00:00:00Z' });
      await expect(login()).rejects.toThrow(/authentication methods failed/);
    });

    it('does not take an upload of a system taken out of operation after login; the error file says why', async () => {
      await patchSystem(simulator, SEED_IDS.senderSftp, { activeTo: '2000-01-01T00:00:00Z' });
      const name = unique('.tar.lzma');
      const [memo] = (await letters(1)) as [Memo];
      await client.put(`/in/${name}`, await containerOf([memo]));
      expect(await messageExists(simulator, uuidOf(memo))).toBe(false);
      const error = JSON.parse((await client.get(`/out/errors/${name}.json`)).toString('utf8'));
      expect(error).toMatchObject({ code: 'SYSTEM_NOT_ACTIVE' });
    });

    it('refuses a seed with a key that is not an OpenSSH public key line, or an SFTP user name twice', async () => {
      const seed = {
        ...DEFAULT_SEED,
        systems: DEFAULT_SEED.systems.map((system) =>
          system.id === SEED_IDS.senderSftp
            ? { ...system, sshPublicKeys: ['-----BEGIN OPENSSH PRIVATE KEY-----'] }
            : system.id === SEED_IDS.senderPull
              ? { ...system, sshUsername: USER }
              : system,
        ),
      };
      const start = startTestSimulator({ seed });
      await expect(start).rejects.toThrow(
        /systems\[4\]\.sshPublicKeys\[0\] must be one OpenSSH public key line/,
      );
      await expect(start).rejects.toThrow(/systems\[4\]\.sshUsername is already the user of systems\[0\]/);
    });

    it('logs in with a key given for the system in a seed', async () => {
      const seeded = await startTestSimulator({
        sftpPort: 0,
        seed: {
          ...DEFAULT_SEED,
          systems: DEFAULT_SEED.systems.map((system) =>
            system.id === SEED_IDS.senderSftp ? { ...system, sshPublicKeys: [keys.public] } : system,
          ),
        },
      });
      try {
        const seededClient = await connectSftp(seeded, { username: USER, privateKey: keys.private });
        expect(await seededClient.list('/')).toEqual(['in', 'out']);
        seededClient.end();
      } finally {
        await seeded.stop();
      }
    });
  });
});

describe('stopping the simulator', () => {
  it('ends the open SFTP sessions and stops listening', async () => {
    const keys = newKeyPair();
    const simulator = await startTestSimulator({ sftpPort: 0 });
    await registerKey(simulator, SEED_IDS.senderSftp, keys.public);
    const client = await connectSftp(simulator, { username: USER, privateKey: keys.private });
    await simulator.stop();
    await client.closed;
    await expect(connectSftp(simulator, { username: USER, privateKey: keys.private })).rejects.toThrow(
      /ECONNREFUSED/,
    );
  });
});

describe('the SFTP server with a data folder', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'dp-sftp-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('keeps error files, receipts and its host key across a restart', async () => {
    const keys = newKeyPair();
    const memos = await letters(2);
    const first = await startTestSimulator({ sftpPort: 0, dataDir });
    let before: { receipts: string[]; errors: string[]; error: string };
    try {
      await registerKey(first, SEED_IDS.senderSftp, keys.public);
      const client = await connectSftp(first, { username: USER, privateKey: keys.private });
      await client.put('/in/broken.tar.lzma', 'broken');
      await client.put('/in/batch.tar.lzma', await containerOf(memos));
      await first.settle();
      before = {
        receipts: await client.list('/out/receipts'),
        errors: await client.list('/out/errors'),
        error: (await client.get('/out/errors/broken.tar.lzma.json')).toString('utf8'),
      };
      client.end();
    } finally {
      await first.stop();
    }
    expect(before.receipts).toHaveLength(2);
    expect(before.errors).toEqual(['broken.tar.lzma.json']);

    const second = await startTestSimulator({ sftpPort: 0, dataDir });
    try {
      expect(second.sftp?.hostKeyFingerprint).toBe(first.sftp?.hostKeyFingerprint);
      const client = await connectSftp(second, { username: USER, privateKey: keys.private });
      expect(client.hostKeyFingerprint).toBe(first.sftp?.hostKeyFingerprint);
      expect({
        receipts: await client.list('/out/receipts'),
        errors: await client.list('/out/errors'),
        error: (await client.get('/out/errors/broken.tar.lzma.json')).toString('utf8'),
      }).toEqual(before);
      client.end();
    } finally {
      await second.stop();
    }
  });
});
