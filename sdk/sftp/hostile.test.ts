/**
 * `SftpSender` against SFTP servers that misbehave on purpose (test/hostile-server/sftp-server.ts):
 * an impostor, listings that never end or point elsewhere, files too large or served a byte at a
 * time, requests never answered, renames refused. Each is a regression test of issue 12, item 9
 * (and the SFTP parts of items 3 and 5).
 */
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { format, inspect } from 'node:util';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type HostileSftpServer, startHostileSftpServer } from '../../test/hostile-server/sftp-server.ts';
import { letters, usableKeyPair, uuidOf } from '../../test/support/sftp-sender.ts';
import { settlesBefore } from '../../test/support/timers.ts';
import { SftpError, SftpSendError } from '../errors.ts';
import type { Memo } from '../memo/types.ts';
import { SftpSender } from './sender.ts';
import type { SftpSenderOptions, SftpWarning } from './types.ts';

const keys = usableKeyPair();
let server: HostileSftpServer;
let dir: string;
const senders: SftpSender[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dp-sftp-hostile-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
beforeEach(async () => {
  server = await startHostileSftpServer();
});
afterEach(async () => {
  await Promise.all(senders.splice(0).map((sender) => sender.close()));
  await server.close();
});

/** A sender for `server` (any key logs in), its host key pinned unless the options say otherwise. */
function senderWith(options: Partial<SftpSenderOptions> = {}, to: HostileSftpServer = server): SftpSender {
  const sender = new SftpSender({
    host: to.host,
    port: to.port,
    username: 'testkommune',
    privateKey: keys.private,
    ...(options.knownHosts === undefined && options.insecureHostKey === undefined
      ? { hostKey: to.hostKeyFingerprint }
      : {}),
    readyTimeoutMs: 5_000,
    ...options,
  });
  senders.push(sender);
  return sender;
}

const warningsOf = (sender: SftpSender): SftpWarning[] => {
  const warnings: SftpWarning[] = [];
  sender.on('warning', (warning) => warnings.push(warning));
  return warnings;
};

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

const receiptJson = (messageUUID: string, extra: object = {}): string =>
  JSON.stringify({ messageUUID, receiptStatus: 'COMPLETED', timeStamp: '2025-06-01T10:00:00Z', ...extra });

const UUID_A = '8d0c6a52-0000-4000-8000-00000000000a';
const UUID_B = '8d0c6a52-0000-4000-8000-00000000000b';

let files = 0;
const newFile = (): string => join(dir, `file-${++files}`);

describe('the host key', () => {
  it('an impostor with another host key gets neither a login nor a letter: SFTP_HOST_KEY_MISMATCH', async () => {
    const genuine = await startHostileSftpServer();
    await genuine.close();
    const sender = senderWith({ hostKey: genuine.hostKeyFingerprint });

    const failure = await sender.send(await letters(1)).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(SftpError);
    expect(failure).toMatchObject({
      code: 'SFTP_HOST_KEY_MISMATCH',
      hostKeyFingerprint: server.hostKeyFingerprint,
      retryable: false,
    });
    expect(server.log).toEqual(['CONNECTION']);
    expect(server.files.size).toBe(0);
  });

  describe('from a known_hosts file', () => {
    const knownHosts = async (...lines: string[]): Promise<string> => {
      const file = newFile();
      await writeFile(file, `${lines.join('\n')}\n`);
      return file;
    };
    const name = (): string => `[127.0.0.1]:${server.port}`;
    const hashed = (host: string): string => {
      const salt = randomBytes(20);
      return `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(host).digest('base64')}`;
    };

    it('trusts the key it holds for [host]:port, written plain, hashed or as a wildcard', async () => {
      for (const pattern of [name(), hashed(name()), '[127.0.0.?]:*']) {
        const sender = senderWith({ knownHosts: await knownHosts(`${pattern} ${server.hostKeyLine}`) });
        await sender.connect();
        expect(sender.hostKeyFingerprint).toBe(server.hostKeyFingerprint);
      }
    });

    it('refuses a server it holds another key for: SFTP_HOST_KEY_MISMATCH, before logging in', async () => {
      const genuine = await startHostileSftpServer();
      await genuine.close();
      const file = await knownHosts('# the genuine server', `${name()} ${genuine.hostKeyLine}`);

      const failure = await senderWith({ knownHosts: file })
        .connect()
        .catch((error: unknown) => error);

      expect(failure).toMatchObject({
        code: 'SFTP_HOST_KEY_MISMATCH',
        hostKeyFingerprint: server.hostKeyFingerprint,
        message: expect.stringContaining(`${file} holds another key for ${name()} (line 2)`),
      });
      expect(server.log).toEqual(['CONNECTION']);
    });

    it('refuses a server it has no key for, or a file that cannot be read: SFTP_HOST_KEY_UNKNOWN with the key presented', async () => {
      const other = await knownHosts(
        `[127.0.0.1]:1 ${server.hostKeyLine}`,
        `!${name()},* ${server.hostKeyLine}`,
      );
      for (const [file, why] of [
        [other, `${other} has no key for ${name()}`],
        [join(dir, 'missing'), `cannot read ${join(dir, 'missing')}: ENOENT`],
      ] as const) {
        const failure = await senderWith({ knownHosts: file })
          .connect()
          .catch((error: unknown) => error);
        expect(failure).toMatchObject({
          code: 'SFTP_HOST_KEY_UNKNOWN',
          retryable: false,
          hostKeyFingerprint: server.hostKeyFingerprint,
          message: expect.stringContaining(
            `presented the host key ${server.hostKeyFingerprint}, which cannot be verified: ${why}`,
          ),
        });
      }
      expect(server.log.filter((line) => line.startsWith('LOGIN'))).toEqual([]);
    });

    it('refuses a key marked @revoked, even where a line trusts it', async () => {
      const file = await knownHosts(`${name()} ${server.hostKeyLine}`, `@revoked * ${server.hostKeyLine}`);

      await expect(senderWith({ knownHosts: file }).connect()).rejects.toMatchObject({
        code: 'SFTP_HOST_KEY_MISMATCH',
        message: expect.stringContaining('line 2 marks it @revoked'),
      });
    });
  });

  it('refuses the server when the hostKey function throws, instead of failing elsewhere', async () => {
    const sender = senderWith({
      hostKey: () => {
        throw new Error('lookup failed');
      },
    });

    await expect(sender.connect()).rejects.toMatchObject({
      code: 'SFTP_HOST_KEY_MISMATCH',
      message: expect.stringContaining('the hostKey function threw: lookup failed'),
    });
    expect(server.log).toEqual(['CONNECTION']);
  });

  it('refuses options that choose two ways, or none', () => {
    expect(() => senderWith({ knownHosts: 'known_hosts', hostKey: server.hostKeyFingerprint })).toThrow(
      /give one of hostKey, knownHosts and insecureHostKey, not hostKey and knownHosts/,
    );
    expect(() => senderWith({ insecureHostKey: true, hostKey: server.hostKeyFingerprint })).toThrow(
      /not hostKey and insecureHostKey/,
    );
    expect(() => senderWith({ insecureHostKey: false })).toThrow(/the server's host key must be checked/);
  });
});

describe('receipt and error files a server makes up', () => {
  it('leaves an oversized file alone with a warning and reads the others, listing after listing', async () => {
    server.files.set('/out/receipts/huge.json', Buffer.alloc(2 * 1024 * 1024, ' '));
    server.files.set(`/out/receipts/${UUID_A}.json`, Buffer.from(receiptJson(UUID_A)));
    server.files.set('/out/errors/huge.tar.lzma.json', Buffer.alloc(2 * 1024 * 1024, ' '));
    server.files.set('/out/errors/ok.tar.lzma.json', Buffer.from('{"code":"CONTAINER_UNREADABLE"}'));
    const sender = senderWith();
    const warnings = warningsOf(sender);

    for (let listing = 0; listing < 2; listing++) {
      expect((await collect(sender.receipts())).map((item) => item.file)).toEqual([`${UUID_A}.json`]);
      expect((await collect(sender.errors())).map((item) => item.upload)).toEqual(['ok.tar.lzma']);
    }

    expect(warnings.map(({ code, name }) => `${code} ${name}`)).toEqual(
      Array(2)
        .fill(['UNREADABLE_FILE /out/receipts/huge.json', 'UNREADABLE_FILE /out/errors/huge.tar.lzma.json'])
        .flat(),
    );
    expect(server.log.filter((line) => line.includes('huge'))).toEqual([]);
  });

  it('stops reading a file whose size the listing did not tell once it passes maxFileBytes', async () => {
    server.files.set('/out/receipts/huge.json', Buffer.alloc(4 * 1024 * 1024, ' '));
    server.misbehave.listing = (_, page) => (page === 0 ? [{ filename: 'huge.json', size: 0 }] : undefined);
    const sender = senderWith();
    const warnings = warningsOf(sender);

    expect(await collect(sender.receipts({ maxFileBytes: 64 * 1024 }))).toEqual([]);

    expect(warnings).toEqual([
      expect.objectContaining({
        code: 'UNREADABLE_FILE',
        message: expect.stringContaining('is larger than 65536 bytes'),
      }),
    ]);
    // A few reads past 64 KiB, not the 4 MiB file.
    expect(server.count('READ')).toBeLessThanOrEqual(8);
  });

  it('leaves a file the server refuses to read alone with a warning, and reads the others', async () => {
    server.files.set(`/out/receipts/${UUID_A}.json`, Buffer.from(receiptJson(UUID_A)));
    server.files.set(`/out/receipts/${UUID_B}.json`, Buffer.from(receiptJson(UUID_B)));
    server.misbehave.refuse = (operation, path) =>
      operation === 'OPEN' && path.includes(UUID_A)
        ? { status: 'PERMISSION_DENIED', message: 'no' }
        : undefined;
    const sender = senderWith();
    const warnings = warningsOf(sender);

    expect((await collect(sender.receipts())).map((item) => item.receipt.messageUUID)).toEqual([UUID_B]);
    expect(warnings).toEqual([
      expect.objectContaining({ code: 'UNREADABLE_FILE', name: `/out/receipts/${UUID_A}.json` }),
    ]);
  });

  it('leaves a receipt file whose fields are not text alone, instead of failing on it later; null is no field', async () => {
    server.files.set(
      `/out/receipts/${UUID_A}.json`,
      Buffer.from(receiptJson(UUID_A, { messageUUID: { x: 1 } })),
    );
    server.files.set(`/out/receipts/${UUID_B}.json`, Buffer.from(receiptJson(UUID_B, { errorCode: null })));
    const sender = senderWith();
    const warnings = warningsOf(sender);

    const result = await sender.waitForReceipts([UUID_A, UUID_B], {
      timeoutMs: 0,
      clock: { now: () => 0, sleep: async () => {} },
    });

    expect(result.missing).toEqual([UUID_A]);
    expect(result.receipts).toEqual([
      { messageUUID: UUID_B, receiptStatus: 'COMPLETED', timeStamp: '2025-06-01T10:00:00Z' },
    ]);
    expect(warnings).toEqual([
      expect.objectContaining({ code: 'UNREADABLE_FILE', message: expect.stringContaining('not a Receipt') }),
    ]);
  });

  it('costs no more memory than the file when the server answers every read with one byte', async () => {
    const padding = 'x'.repeat(8 * 1024);
    server.files.set(`/out/receipts/${UUID_A}.json`, Buffer.from(receiptJson(UUID_A, { padding })));
    server.misbehave.readPiece = 1;
    const sender = senderWith();
    await sender.connect();
    const before = process.memoryUsage().arrayBuffers;

    const receipts = await collect(sender.receipts());

    expect(receipts.map((item) => item.receipt.messageUUID)).toEqual([UUID_A]);
    expect(server.count('READ')).toBeGreaterThan(8 * 1024);
    // Kept whole, the 32 KiB buffer of each one-byte read would hold 256 MiB by the end.
    expect(server.peakArrayBuffers() - before).toBeLessThan(32 * 1024 * 1024);
  });

  it('never reads or deletes a file by a name that is not a plain file name', async () => {
    server.files.set('/in/victim.json', Buffer.from(receiptJson(UUID_B)));
    server.files.set('/out/victim.json', Buffer.from('{"code":"X"}'));
    server.files.set(`/out/receipts/${UUID_A}.json`, Buffer.from(receiptJson(UUID_A)));
    const hostile = [
      '../../in/victim.json',
      `${UUID_B}.json/../../../in/victim.json`,
      'sub/x.json',
      '\u001b[2J.json',
      '..\\victim.json',
    ];
    server.misbehave.listing = (folder, page) =>
      page > 0
        ? undefined
        : folder === '/out/receipts'
          ? [...hostile, `${UUID_A}.json`].map((filename) => ({ filename }))
          : [{ filename: '../victim.json' }];
    const sender = senderWith();
    const warnings = warningsOf(sender);

    for (const item of await collect(sender.receipts())) await item.ack();
    for (const item of await collect(sender.errors())) await item.dismiss();
    // One poll: on this clock the deadline has passed once the first listing is read.
    const clock = { now: () => 0, sleep: async () => {} };
    const waited = await sender.waitForReceipts([UUID_B], { timeoutMs: 0, clock });

    expect(waited).toEqual({ receipts: [], missing: [UUID_B] });
    expect(server.log.filter((line) => /^(OPEN|REMOVE) /.test(line))).toEqual([
      `OPEN /out/receipts/${UUID_A}.json`,
      `REMOVE /out/receipts/${UUID_A}.json`,
    ]);
    expect(server.files.has('/in/victim.json')).toBe(true);
    expect(server.files.has('/out/victim.json')).toBe(true);
    expect(warnings.map((warning) => warning.code)).toEqual(Array(7).fill('UNSAFE_FILE_NAME'));
    expect(warnings[3]?.name).toBe(JSON.stringify('\u001b[2J.json'));
  });
});

describe('listings that do not end, and servers that do not answer', () => {
  const endless = (folder: string, page: number): Array<{ filename: string }> =>
    Array.from({ length: 100 }, (_, i) => ({ filename: `${folder.length}-${page}-${i}.txt` }));

  it('stops a listing that never ends with SFTP_LISTING_TOO_LONG after maxEntries entries', async () => {
    server.misbehave.listing = endless;

    const failure = await collect(senderWith().receipts({ maxEntries: 1_000 })).catch(
      (error: unknown) => error,
    );

    expect(failure).toBeInstanceOf(SftpError);
    expect(failure).toMatchObject({ code: 'SFTP_LISTING_TOO_LONG', path: '/out/receipts', retryable: false });
    expect(server.count('READDIR')).toBe(11);
  });

  it('reads each file once from a listing that repeats itself, and stops it the same way', async () => {
    server.files.set(`/out/receipts/${UUID_A}.json`, Buffer.from(receiptJson(UUID_A)));
    server.misbehave.listing = () => [{ filename: `${UUID_A}.json` }];
    const read: string[] = [];

    const failure = await (async () => {
      for await (const item of senderWith().receipts({ maxEntries: 500 })) read.push(item.file);
    })().catch((error: unknown) => error);

    expect(failure).toMatchObject({ code: 'SFTP_LISTING_TOO_LONG' });
    expect(read).toEqual([`${UUID_A}.json`]);
    expect(server.count('OPEN')).toBe(1);
  });

  it('waitForReceipts ends at its deadline, with what is missing, though the server never answers the listing', async () => {
    server.misbehave.hold = (operation) => operation === 'READDIR';
    const sender = senderWith();
    await sender.connect();

    const waiting = sender.waitForReceipts([UUID_A], { timeoutMs: 200 });

    // The held answer would only end with the request timeout (60 s).
    expect(await settlesBefore(waiting, 20_000)).toBe(true);
    expect(await waiting).toEqual({ receipts: [], missing: [UUID_A] });
  });

  it('waitForReceipts in a listing that never ends fails with SFTP_LISTING_TOO_LONG instead of polling forever', async () => {
    server.misbehave.listing = endless;

    await expect(
      senderWith().waitForReceipts([UUID_A], { timeoutMs: 60_000, maxEntries: 1_000 }),
    ).rejects.toMatchObject({ code: 'SFTP_LISTING_TOO_LONG' });
  });

  it('the signal of receipts() stops a listing whose answer does not come', async () => {
    server.misbehave.hold = (operation) => operation === 'READDIR';
    const controller = new AbortController();
    const sender = senderWith();
    await sender.connect();

    const listing = collect(sender.receipts({ signal: controller.signal }));
    setTimeout(() => controller.abort(), 50);

    expect(await settlesBefore(listing, 20_000)).toBe(true);
    await expect(listing).rejects.toMatchObject({ code: 'ABORTED' });
  });

  it('the signal of waitForReceipts stops it in the middle of a poll: ABORTED', async () => {
    server.misbehave.hold = (operation) => operation === 'READDIR';
    const sender = senderWith();
    await sender.connect();

    const waiting = sender.waitForReceipts([UUID_A], { timeoutMs: 60_000, signal: AbortSignal.timeout(50) });

    expect(await settlesBefore(waiting, 20_000)).toBe(true);
    await expect(waiting).rejects.toMatchObject({ code: 'ABORTED' });
  });
});

describe('a rename the server refuses', () => {
  const header = JSON.stringify({ journal: 'digitalpost-sftp', v: 1 });
  const journalStates = async (journal: string): Promise<string[]> =>
    (await readFile(journal, 'utf8'))
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => {
        const { state, name } = JSON.parse(line) as { state: string; name: string };
        return `${state} ${name}`;
      });
  const containerOf = (memo: Memo): string => `${uuidOf(memo).toLowerCase()}.tar.lzma`;
  const taken = (): string[] => [...server.files.keys()].filter((path) => path.startsWith('/in/')).sort();

  it('fails the run, removes the .part, and leaves a journal the next runs go on with', async () => {
    const [refused, other] = (await letters(2)) as [Memo, Memo];
    const journal = newFile();
    server.misbehave.refuse = (operation, path) =>
      operation === 'RENAME' && path.includes(containerOf(refused))
        ? { status: 'FAILURE', message: 'quota exceeded' }
        : undefined;

    const failure = await senderWith({ journal })
      .send([refused])
      .catch((error: unknown) => error);
    await Promise.all(senders.splice(0).map((sender) => sender.close()));

    expect(failure).toBeInstanceOf(SftpSendError);
    expect((failure as SftpSendError).cause).toMatchObject({ code: 'SFTP_FAILURE' });
    expect(taken()).toEqual([]);
    expect(await journalStates(journal)).toEqual(
      ['uploading', 'written', 'abandoned'].map((state) => `${state} ${containerOf(refused)}`),
    );

    await expect(senderWith({ journal }).send([other])).resolves.toMatchObject({ messages: 1 });
    await Promise.all(senders.splice(0).map((sender) => sender.close()));
    server.misbehave.refuse = undefined;
    await expect(senderWith({ journal }).send([refused, other])).resolves.toMatchObject({
      messages: 1,
      alreadySent: 1,
    });
    expect(taken()).toEqual([`/in/${containerOf(other)}`, `/in/${containerOf(refused)}`].sort());
  });

  it('does not take a file already under the final name for the upload whose rename it made fail', async () => {
    const [memo] = (await letters(1)) as [Memo];
    const name = containerOf(memo);
    server.files.set(`/in/${name}`, Buffer.from('an older file of that name'));
    const journal = newFile();

    await expect(senderWith({ journal }).send([memo])).rejects.toBeInstanceOf(SftpSendError);
    await Promise.all(senders.splice(0).map((sender) => sender.close()));
    server.files.delete(`/in/${name}`);
    const again = await senderWith({ journal }).send([memo]);

    expect(again).toMatchObject({ messages: 1, alreadySent: 0 });
    expect(server.files.get(`/in/${name}`)?.toString()).not.toBe('an older file of that name');
  });

  it('an upload a crashed run left complete, whose rename is refused now, is sent again instead of blocking the journal', async () => {
    const [left, next] = (await letters(2)) as [Memo, Memo];
    const name = containerOf(left);
    server.files.set(`/in/${name}.part`, Buffer.from('complete, from the crashed run'));
    const journal = newFile();
    await writeFile(
      journal,
      `${[
        header,
        JSON.stringify({ state: 'uploading', kind: 'container', name }),
        JSON.stringify({
          state: 'written',
          kind: 'container',
          name,
          sha256: 'x',
          bytes: 1,
          messageUUIDs: [uuidOf(left)],
        }),
      ].join('\n')}\n`,
    );
    server.misbehave.refuse = (operation, path) =>
      operation === 'RENAME' && path === `/in/${name}.part` && !server.log.includes(`WRITE /in/${name}.part`)
        ? { status: 'PERMISSION_DENIED', message: 'not now' }
        : undefined;
    const sender = senderWith({ journal });
    const warnings = warningsOf(sender);

    const result = await sender.send([left, next]);

    expect(warnings).toEqual([
      expect.objectContaining({
        code: 'RECOVERED',
        name,
        message: expect.stringContaining(`the server refused to rename /in/${name}.part`),
      }),
    ]);
    expect(result).toMatchObject({ messages: 2, alreadySent: 0 });
    expect(taken()).toEqual([`/in/${name}`]);
  });
});

describe('printing a sender', () => {
  it('shows [SftpSender host:port user=…], never the private key or its passphrase', async () => {
    const passphrase = 'correct horse battery staple';
    const encrypted = usableKeyPair(passphrase);
    const sender = senderWith({ privateKey: encrypted.private, passphrase });
    await sender.connect();
    const shown = `[SftpSender 127.0.0.1:${server.port} user="testkommune"]`;

    expect(inspect(sender)).toBe(shown);
    expect(format('%o', sender)).toBe(shown);
    expect(String(sender)).toBe(shown);
    expect(JSON.stringify({ sender })).toBe(JSON.stringify({ sender: shown }));
    const everything = inspect(sender, {
      customInspect: false,
      showHidden: true,
      depth: Number.POSITIVE_INFINITY,
    });
    const keyLines = encrypted.private
      .split('\n')
      .filter((line) => line.length > 20 && !line.startsWith('-'));
    expect(keyLines.length).toBeGreaterThan(0);
    for (const secret of [passphrase, ...keyLines]) expect(everything).not.toContain(secret);
    expect(everything).toContain('server');
  });
});
