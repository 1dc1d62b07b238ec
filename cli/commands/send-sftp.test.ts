/** `digitalpost send --sftp` against the simulator's SFTP server. */
import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ssh2 from 'ssh2';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Memo } from '../../sdk/memo/types.ts';
import { serializeMemoToBytes } from '../../sdk/memo/writer.ts';
import { itWith, needs } from '../../test/support/requirements.ts';
import { registerKey } from '../../test/support/sftp.ts';
import {
  containerByTools,
  letters,
  SFTP_USER,
  type SftpSimulator,
  startSftpSimulator,
  usableKeyPair,
  uuidOf,
  writeMemoFiles,
} from '../../test/support/sftp-sender.ts';
import { addFault, letterTo, SEED_IDS } from '../../test/support/simulator.ts';
import { jsonLines, lines, type Run, run } from '../test-support.ts';

let server: SftpSimulator;
let dir: string;
let keyFile: string;
let folders = 0;

beforeAll(async () => {
  server = await startSftpSimulator();
  dir = await mkdtemp(join(tmpdir(), 'dp-cli-sftp-'));
  keyFile = join(dir, 'id_ed25519');
  await writeFile(keyFile, server.keys.private, { mode: 0o600 });
});
afterAll(async () => {
  await server.stop();
  await rm(dir, { recursive: true, force: true });
});
beforeEach(() => server.reset());

/** The flags that reach the simulator's SFTP server as Testkommune, host key pinned. */
const sftp = (): string[] => [
  '--sftp',
  `${server.host}:${server.port}`,
  '--user',
  SFTP_USER,
  '--key',
  keyFile,
  '--host-key',
  server.hostKeyFingerprint,
];

/** The simulator's host key, pinned (with flags that replace the --key of `sftp()`). */
const pinned = (): string[] => ['--host-key', server.hostKeyFingerprint];

/** The simulator's host key as a known_hosts line, `[host]:port type base64`. */
async function knownHostsLine(): Promise<string> {
  const client = new ssh2.Client();
  const key = await new Promise<Buffer>((resolve, reject) => {
    client.on('error', () => {});
    client.on('close', () => reject(new Error('no host key was presented')));
    client.connect({
      host: server.host,
      port: server.port,
      username: SFTP_USER,
      hostVerifier: (presented: Buffer) => {
        resolve(presented);
        return false;
      },
    });
  });
  const type = key.subarray(4, 4 + key.readUInt32BE(0)).toString();
  return `[${server.host}]:${server.port} ${type} ${key.toString('base64')}`;
}

const newFolder = async (): Promise<string> => {
  const folder = join(dir, `batch-${++folders}`);
  await mkdir(folder);
  return folder;
};

/** An ed25519 key pair whose private key is encrypted with `passphrase`. */
const encryptedKey = (passphrase: string): { private: string; public: string } => usableKeyPair(passphrase);

const AS_ROOT = process.getuid?.() === 0;
/** Root's capabilities to read and search any file whatever its mode, as setpriv drops them. */
const WITHOUT_FILE_MODE_OVERRIDES = '-dac_override,-dac_read_search';

/**
 * Runs `digitalpost …argv` in a child process that file modes hold for. As root that means without
 * the capabilities that let root ignore them (dropped from the bounding and inheritable sets, so the
 * child never has them); it is still root, owning and reading the test's own files.
 */
function runHeldToFileModes(argv: readonly string[]): Promise<Run> {
  const cli = [process.execPath, fileURLToPath(new URL('../index.ts', import.meta.url)), ...argv];
  const [command, ...args] = AS_ROOT
    ? [
        'setpriv',
        `--inh-caps=${WITHOUT_FILE_MODE_OVERRIDES}`,
        `--bounding-set=${WITHOUT_FILE_MODE_OVERRIDES}`,
        ...cli,
      ]
    : cli;
  return new Promise((resolve) => {
    execFile(command as string, args, { env: { PATH: process.env.PATH } }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

const literal = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

async function invalidMemoFile(folder: string, name: string): Promise<string> {
  const file = join(folder, name);
  const xml = serializeMemoToBytes(await letterTo({ cpr: '0101700001' })).toString('utf8');
  await writeFile(file, xml.replace('0101700001', '01017'));
  return file;
}

describe('digitalpost send --sftp', () => {
  it('uploads a directory: its MeMo files packed into containers, its containers as they are; one line per file', async (context) => {
    needs(context, { tools: ['tar', 'xz'] });
    const folder = await newFolder();
    const memos = await letters(5);
    const files = await writeMemoFiles(folder, memos);
    const packed = await letters(2);
    const container = join(folder, 'ready.tar.lzma');
    await containerByTools(container, packed);

    const result = await run(['send', ...sftp(), '--max-per-container', '2', folder]);

    expect(result).toMatchObject({ code: 0, stderr: '' });
    const names = [0, 2, 4].map((i) => `${uuidOf(memos[i] as Memo).toLowerCase()}.tar.lzma`);
    expect(lines(result.stdout)).toEqual([
      ...files.map(
        (file, i) => `${file}: UPLOADED ${uuidOf(memos[i] as Memo)} (in /in/${names[Math.floor(i / 2)]})`,
      ),
      expect.stringMatching(
        new RegExp(
          `^${literal(container)}: UPLOADED 2 messages \\(in /in/ready-[0-9a-f]{12}\\.tar\\.lzma\\)$`,
        ),
      ),
    ]);
    expect([...(await server.delivered())].sort()).toEqual([...memos, ...packed].map(uuidOf).sort());
  });

  it('prints one JSON object per file with --json', async () => {
    const folder = await newFolder();
    const [memo] = (await letters(1)) as [Memo];
    const [file] = (await writeMemoFiles(folder, [memo])) as [string];

    const result = await run(['send', ...sftp(), '--json', file]);

    expect(result.code, result.stderr).toBe(0);
    expect(jsonLines(result.stdout)).toEqual([
      { file, sent: true, messageUUID: uuidOf(memo), upload: `${uuidOf(memo)}.tar.lzma` },
    ]);
  });

  it('with --journal, a second run sends nothing and says so', async () => {
    const folder = await newFolder();
    const memos = await letters(2);
    const files = await writeMemoFiles(folder, memos);
    const journal = join(dir, 'second-run.journal');
    expect((await run(['send', ...sftp(), '--journal', journal, folder])).code).toBe(0);

    const again = await run(['send', ...sftp(), '--journal', journal, folder]);

    expect(again).toMatchObject({ code: 0, stderr: '' });
    expect(lines(again.stdout)).toEqual(
      files.map((file, i) => `${file}: ALREADY UPLOADED ${uuidOf(memos[i] as Memo)} (journal)`),
    );
    expect(server.taken()).toHaveLength(1);
  });

  it('waits with --wait for the business receipts, prints them, and leaves them for receipts pull', async () => {
    const folder = await newFolder();
    const [memo] = (await letters(1)) as [Memo];
    const [file] = (await writeMemoFiles(folder, [memo])) as [string];

    const result = await run(['send', ...sftp(), '--wait', file]);

    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(lines(result.stdout)[1]).toBe(`${file}: COMPLETED ${uuidOf(memo)} (business receipt)`);
    expect(await server.list('/out/receipts')).toEqual([`${uuidOf(memo)}.json`]);
  });

  it('lists the problems of an invalid MeMo on stderr, sends the rest and exits 1', async () => {
    const folder = await newFolder();
    const [memo] = (await letters(1)) as [Memo];
    const [good] = (await writeMemoFiles(folder, [memo])) as [string];
    const bad = await invalidMemoFile(folder, 'z-invalid.xml');

    const result = await run(['send', ...sftp(), folder]);

    expect(result.code).toBe(1);
    expect(lines(result.stderr)).toEqual([
      `digitalpost: ${bad}: not sent: MessageHeader/Recipient/recipientID: recipientID must be a CPR number of exactly 10 digits (found 5 characters)`,
    ]);
    expect(lines(result.stdout)).toEqual([
      `${good}: UPLOADED ${uuidOf(memo)} (in /in/${uuidOf(memo)}.tar.lzma)`,
    ]);
  });

  it('says when the server did not take an upload (an unreadable container sent with --no-validate), exit 1', async () => {
    const folder = await newFolder();
    const broken = join(folder, 'broken.tar.lzma');
    await writeFile(broken, 'not an LZMA stream');

    const result = await run(['send', ...sftp(), '--no-validate', broken]);

    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      new RegExp(
        `^digitalpost: ${literal(broken)}: not taken by the server \\(/out/errors/broken-[0-9a-f]{12}\\.tar\\.lzma\\.json\\): CONTAINER_UNREADABLE: .+\\n$`,
      ),
    );
  });

  it('does not upload an unreadable container when validating: one line, exit 1', async () => {
    const folder = await newFolder();
    const broken = join(folder, 'broken.tar.lzma');
    await writeFile(broken, 'not an LZMA stream');

    const result = await run(['send', ...sftp(), broken]);

    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`^digitalpost: ${literal(broken)}: not sent: .+\\n$`));
    expect(server.taken()).toEqual([]);
  });

  describe('progress of a large batch', () => {
    let folder: string;
    beforeAll(async () => {
      folder = join(dir, 'large');
      await writeMemoFiles(folder, await letters(60));
    });

    it('writes progress lines and a summary to stderr when it is not a terminal', async () => {
      const result = await run(['send', ...sftp(), '--max-per-container', '20', folder]);

      expect(result.code, result.stderr).toBe(0);
      const progress = lines(result.stderr);
      expect(progress[0]).toMatch(/^digitalpost: progress: \d+\/60 files · \d+ uploaded · [\d.]+ k?B$/);
      expect(progress.at(-1)).toMatch(
        new RegExp(
          `^digitalpost: uploaded 60 messages in 3 files \\([\\d.]+ kB\\) to ${literal(`${server.host}:${server.port}`)}$`,
        ),
      );
      expect(lines(result.stdout)).toHaveLength(60);
    });

    it('draws a bar in place on a terminal, and takes it away at the end', async () => {
      const result = await run(
        ['send', ...sftp(), '--max-per-container', '20', folder],
        {},
        { stderrIsTTY: true },
      );

      expect(result.code, result.stderr).toBe(0);
      const clearLine = '\r\x1b[K';
      expect(result.stderr).toContain(`${clearLine}${'█'.repeat(24)} 60/60 files · 3 uploaded`);
      expect(result.stderr).toMatch(/^\r\S+\[K[█░]{24} \d+\/60 files/);
      expect(result.stderr).toContain(`${clearLine}digitalpost: uploaded 60 messages in 3 files`);
    });

    it('writes nothing to stderr with --quiet', async () => {
      const result = await run(['send', ...sftp(), '--quiet', folder], {}, { stderrIsTTY: true });

      expect(result).toMatchObject({ code: 0, stderr: '' });
    });
  });

  describe('bad input: one line, nothing sent', () => {
    it('a key file that cannot be read: exit 2', async () => {
      const [file] = (await writeMemoFiles(await newFolder(), await letters(1))) as [string];
      const missing = join(dir, 'no-such-key');

      const result = await run(['send', ...sftp().slice(0, 4), ...pinned(), '--key', missing, file]);

      expect(result).toEqual({
        code: 2,
        stdout: '',
        stderr: `digitalpost: cannot read the --key file ${missing}: no such file\n`,
      });
    });

    it('a key file that is not a private key, or needs a passphrase: exit 2, and the passphrase never shown', async () => {
      const [file] = (await writeMemoFiles(await newFolder(), await letters(1))) as [string];
      const publicKey = join(dir, 'id.pub');
      await writeFile(publicKey, server.keys.public);
      const encrypted = join(dir, 'id_encrypted');
      await writeFile(encrypted, encryptedKey('secret-words').private);

      const notPrivate = await run(['send', ...sftp().slice(0, 4), ...pinned(), '--key', publicKey, file]);
      const locked = await run(['send', ...sftp().slice(0, 4), ...pinned(), '--key', encrypted, file]);
      const wrong = await run([
        'send',
        ...sftp().slice(0, 4),
        ...pinned(),
        '--key',
        encrypted,
        '--passphrase',
        'not-the-words',
        file,
      ]);

      expect(notPrivate).toEqual({
        code: 2,
        stdout: '',
        stderr: `digitalpost: cannot use the --key file ${publicKey}: it is a public key, not a private key\n`,
      });
      expect(locked).toEqual({
        code: 2,
        stdout: '',
        stderr: `digitalpost: cannot use the --key file ${encrypted}: it is encrypted and no passphrase was given (--passphrase or DIGITALPOST_SFTP_PASSPHRASE)\n`,
      });
      expect(wrong).toEqual({
        code: 2,
        stdout: '',
        stderr: `digitalpost: cannot use the --key file ${encrypted}: wrong passphrase (--passphrase or DIGITALPOST_SFTP_PASSPHRASE)\n`,
      });
    });

    it.each([
      ['no-port:', 'a missing port number'],
      ['host:99999', 'a port out of range'],
      ['[::1', 'a broken IPv6 address'],
    ])('--sftp %s (%s): exit 2', async (address) => {
      const result = await run([
        'send',
        '--sftp',
        address,
        '--user',
        SFTP_USER,
        '--key',
        keyFile,
        'letter.xml',
      ]);

      expect(result.code).toBe(2);
      expect(lines(result.stderr)).toEqual([
        expect.stringMatching(
          /--sftp must be HOST:PORT, e\.g\. 127\.0\.0\.1:4522 \(the simulator\) \(see --help\)$/,
        ),
      ]);
    });

    it('a key the server does not know for the user: exit 1', async () => {
      const [file] = (await writeMemoFiles(await newFolder(), await letters(1))) as [string];
      const stranger = join(dir, 'stranger');
      await writeFile(stranger, usableKeyPair().private);

      const result = await run(['send', ...sftp().slice(0, 4), ...pinned(), '--key', stranger, file]);

      expect(result).toEqual({
        code: 1,
        stdout: '',
        stderr: `digitalpost: the SFTP server at ${server.host}:${server.port} refused the login of user "testkommune" with this key (check --user and --key: the key must be registered for the system); nothing was sent\n`,
      });
    });

    it('a server whose host key is not the pinned one: exit 1', async () => {
      const [file] = (await writeMemoFiles(await newFolder(), await letters(1))) as [string];
      const pinned = `SHA256:${'B'.repeat(43)}`;

      const result = await run(['send', ...sftp().slice(0, 6), '--host-key', pinned, file]);

      expect(result.code).toBe(1);
      expect(result.stderr).toBe(
        `digitalpost: the SFTP server at ${server.host}:${server.port} presented the host key ${server.hostKeyFingerprint}, not the pinned ${pinned}: it may not be the server you mean (--host-key); nothing was sent\n`,
      );
      expect(server.taken()).toEqual([]);
    });

    it('a malformed --host-key: exit 2', async () => {
      const [file] = (await writeMemoFiles(await newFolder(), await letters(1))) as [string];

      const result = await run(['send', ...sftp().slice(0, 6), '--host-key', 'ab:cd:ef', file]);

      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/^digitalpost: --host-key must be a fingerprint like SHA256:/);
    });

    it('without --host-key, --known-hosts or a home folder, there is nothing to check the server against: exit 2', async () => {
      const [file] = (await writeMemoFiles(await newFolder(), await letters(1))) as [string];

      const result = await run(['send', ...sftp().slice(0, 6), file]);

      expect(result).toEqual({
        code: 2,
        stdout: '',
        stderr:
          'digitalpost: no host key to check the SFTP server against: pass --host-key SHA256:… (the simulator prints it at start) or --known-hosts FILE, or set DIGITALPOST_SFTP_HOST_KEY; --insecure-host-key skips the check\n',
      });
      expect(server.taken()).toEqual([]);
    });

    it('refuses a server ~/.ssh/known_hosts does not know, and shows the fingerprint it presented: exit 1, nothing sent', async () => {
      const [file] = (await writeMemoFiles(await newFolder(), await letters(1))) as [string];
      const home = await newFolder();

      const result = await run(['send', ...sftp().slice(0, 6), file], { HOME: home });

      const knownHosts = join(home, '.ssh', 'known_hosts');
      expect(result).toEqual({
        code: 1,
        stdout: '',
        stderr: `digitalpost: the SFTP server at ${server.host}:${server.port} presented the host key ${server.hostKeyFingerprint}, which cannot be verified: cannot read ${knownHosts}: ENOENT. Make sure it is the server you mean (ask its operator) before trusting that key; once you know it is, pass --host-key ${server.hostKeyFingerprint} (the simulator prints its own at start); nothing was sent\n`,
      });
      expect(server.taken()).toEqual([]);
    });

    it('a --known-hosts file that holds another key for the server: exit 1, nothing sent', async () => {
      const [file] = (await writeMemoFiles(await newFolder(), await letters(1))) as [string];
      const knownHosts = join(await newFolder(), 'known_hosts');
      const other = ssh2.utils.parseKey(usableKeyPair().public);
      if (other instanceof Error) throw other;
      await writeFile(
        knownHosts,
        `[${server.host}]:${server.port} ${other.type} ${other.getPublicSSH().toString('base64')}\n`,
      );

      const result = await run(['send', ...sftp().slice(0, 6), '--known-hosts', knownHosts, file]);

      expect(result.code).toBe(1);
      expect(result.stderr).toContain(
        `holds another key for [${server.host}]:${server.port} (line 1): it may not be the server you mean`,
      );
      expect(server.taken()).toEqual([]);
    });

    it('--insecure-host-key cannot go with --host-key: exit 2', async () => {
      const [file] = (await writeMemoFiles(await newFolder(), await letters(1))) as [string];

      const result = await run(['send', ...sftp(), '--insecure-host-key', file]);

      expect(result).toMatchObject({
        code: 2,
        stderr:
          'digitalpost: --insecure-host-key turns the host key check off; it cannot go with --host-key\n',
      });
    });

    it('a server that cannot be reached: exit 1', async () => {
      const [file] = (await writeMemoFiles(await newFolder(), await letters(1))) as [string];
      const { createServer } = await import('node:net');
      const probe = createServer();
      await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
      const port = (probe.address() as { port: number }).port;
      await new Promise((resolve) => probe.close(resolve));

      const result = await run(['send', '--sftp', `127.0.0.1:${port}`, ...sftp().slice(2), file]);

      expect(result).toEqual({
        code: 1,
        stdout: '',
        stderr: `digitalpost: cannot reach the SFTP server at 127.0.0.1:${port}: ECONNREFUSED; nothing was sent\n`,
      });
    });

    it('a file that is neither a MeMo nor a container, and one that cannot be read: exit 2', async () => {
      const folder = await newFolder();
      const notes = join(folder, 'notes.txt');
      await writeFile(notes, 'hello');
      const missing = join(folder, 'missing.xml');

      const result = await run(['send', ...sftp(), notes, missing]);

      expect(result).toEqual({
        code: 2,
        stdout: '',
        stderr: [
          `digitalpost: ${notes} is neither a MeMo (.xml) nor a container (.tar.lzma) (nothing was sent)`,
          `digitalpost: cannot read ${missing}: no such file (nothing was sent)`,
          '',
        ].join('\n'),
      });
    });

    it('an empty directory: exit 2', async () => {
      const folder = await newFolder();
      await writeFile(join(folder, 'readme.txt'), 'no letters here');

      const result = await run(['send', ...sftp(), folder]);

      expect(result).toEqual({
        code: 2,
        stdout: '',
        stderr: `digitalpost: the directory ${folder} holds no MeMo (.xml) or container (.tar.lzma) files (nothing was sent)\n`,
      });
    });

    // Root reads any directory whatever its mode, so as root the CLI runs without that power.
    itWith(AS_ROOT ? { tools: ['setpriv'] } : {}, 'a directory that cannot be read: exit 2', async () => {
      const folder = await newFolder();
      await chmod(folder, 0o000);
      try {
        const result = await runHeldToFileModes(['send', ...sftp(), folder]);
        expect(result).toMatchObject({ code: 2, stdout: '' });
        expect(result.stderr).toBe(
          `digitalpost: cannot read the directory ${folder}: permission denied (nothing was sent)\n`,
        );
      } finally {
        await chmod(folder, 0o755);
      }
    });

    it('no --user, and a REST flag with --sftp: exit 2', async () => {
      const [file] = (await writeMemoFiles(await newFolder(), await letters(1))) as [string];

      const noUser = await run(['send', '--sftp', `${server.host}:${server.port}`, '--key', keyFile, file]);
      const withApiKey = await run(['send', ...sftp(), '--api-key', 'abc', file]);
      const journalWithoutSftp = await run(['send', '--journal', 'j', file]);

      expect(noUser).toMatchObject({ code: 2 });
      expect(noUser.stderr).toBe(
        'digitalpost: no SFTP user: pass --user NAME or set DIGITALPOST_SFTP_USER\n',
      );
      expect(withApiKey).toMatchObject({ code: 2 });
      expect(withApiKey.stderr).toBe(
        'digitalpost: --api-key is for the REST API; it is not used with --sftp\n',
      );
      expect(journalWithoutSftp.stderr).toBe('digitalpost: --journal needs --sftp HOST:PORT\n');
    });

    it('a file that is not a journal: exit 2, and the file is left as it was', async () => {
      const [file] = (await writeMemoFiles(await newFolder(), await letters(1))) as [string];
      const notJournal = join(dir, 'notes.md');
      await writeFile(notJournal, '# my notes\n');

      const result = await run(['send', ...sftp(), '--journal', notJournal, file]);

      expect(result.code).toBe(2);
      expect(result.stderr).toBe(
        `digitalpost: the journal ${notJournal}: it is not a digitalpost SFTP journal (choose another file); nothing was sent\n`,
      );
    });
  });

  it('logs in with an encrypted key and its passphrase from the environment', async () => {
    const keys = encryptedKey('secret-words');
    await registerKey(server.simulator, SEED_IDS.senderSftp, keys.public);
    const encrypted = join(dir, 'id_registered_encrypted');
    await writeFile(encrypted, keys.private);
    const [file] = (await writeMemoFiles(await newFolder(), await letters(1))) as [string];

    const result = await run(
      ['send', ...sftp().slice(0, 4), ...pinned(), '--key', encrypted, ...sftp().slice(6), file],
      {
        DIGITALPOST_SFTP_PASSPHRASE: 'secret-words',
      },
    );

    expect(result).toMatchObject({ code: 0, stderr: '' });
  });

  it('documents the host key flags in --help of send and receipts pull', async () => {
    for (const command of [['send'], ['receipts', 'pull']]) {
      const help = await run([...command, '--help']);

      expect(help.code).toBe(0);
      expect(help.stdout).toMatch(/--insecure-host-key +trust any host key/);
      expect(help.stdout).toMatch(
        /--known-hosts <file> +check the host key in this OpenSSH known_hosts file/,
      );
      expect(help.stdout).toContain("The server's host key is always checked");
    }
  });

  it('reads the user, key file and host key from the environment', async () => {
    const [file] = (await writeMemoFiles(await newFolder(), await letters(1))) as [string];

    const result = await run(['send', '--sftp', `${server.host}:${server.port}`, file], {
      DIGITALPOST_SFTP_USER: SFTP_USER,
      DIGITALPOST_SFTP_KEY: keyFile,
      DIGITALPOST_SFTP_HOST_KEY: server.hostKeyFingerprint,
    });

    expect(result).toMatchObject({ code: 0, stderr: '' });
  });

  it("checks the host key in OpenSSH's ~/.ssh/known_hosts when no other is given, as ssh and sftp do", async () => {
    const [file] = (await writeMemoFiles(await newFolder(), await letters(1))) as [string];
    const home = await newFolder();
    await mkdir(join(home, '.ssh'));
    await writeFile(join(home, '.ssh', 'known_hosts'), `# made by ssh\n${await knownHostsLine()}\n`);

    const result = await run(['send', ...sftp().slice(0, 6), file], { HOME: home });

    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(server.taken()).toHaveLength(1);
  });

  it('takes a known_hosts file from --known-hosts or DIGITALPOST_SFTP_KNOWN_HOSTS', async () => {
    const knownHosts = join(await newFolder(), 'known_hosts');
    await writeFile(knownHosts, `${await knownHostsLine()}\n`);
    const folder = await newFolder();
    const [first, second] = (await writeMemoFiles(folder, await letters(2))) as [string, string];

    const byFlag = await run(['send', ...sftp().slice(0, 6), '--known-hosts', knownHosts, first]);
    const byEnvironment = await run(['send', ...sftp().slice(0, 6), second], {
      DIGITALPOST_SFTP_KNOWN_HOSTS: knownHosts,
    });

    expect(byFlag).toMatchObject({ code: 0, stderr: '' });
    expect(byEnvironment).toMatchObject({ code: 0, stderr: '' });
  });

  it('sends with --insecure-host-key, warning that the host key was not checked and what it was', async () => {
    const [file] = (await writeMemoFiles(await newFolder(), await letters(1))) as [string];

    const result = await run(['send', ...sftp().slice(0, 6), '--insecure-host-key', file]);

    expect(result.code).toBe(0);
    expect(result.stderr).toBe(
      `digitalpost: warning: the host key of ${server.host}:${server.port} was not checked (--insecure-host-key); it is ${server.hostKeyFingerprint}\n`,
    );
  });
});

describe('digitalpost send --sftp when the answer to the rename is lost', () => {
  const renameAnswerLost = () =>
    addFault(server.simulator, { operation: 'SFTP RENAME', sftp: 'DISCONNECT_AFTER', times: 1 });

  it('says the upload may have been taken, not that nothing was sent (exit 1, UNKNOWN_OUTCOME)', async () => {
    const folder = await newFolder();
    await writeMemoFiles(folder, await letters(2));
    await renameAnswerLost();

    const result = await run(['send', ...sftp(), '--json', folder]);

    expect(result.code).toBe(1);
    const [error] = jsonLines(result.stderr) as Array<{ error: { code: string; message: string } }>;
    expect(error?.error.code).toBe('UNKNOWN_OUTCOME');
    expect(error?.error.message).toMatch(/may have been taken: its rename was sent but the answer was lost/);
    expect(error?.error.message).toMatch(/use --journal to resume safely/);
    expect(error?.error.message).not.toMatch(/nothing was sent/);
    expect(server.taken()).toHaveLength(1);
  });

  it('with --journal, the next run finds the upload taken and sends nothing twice', async () => {
    const folder = await newFolder();
    await writeMemoFiles(folder, await letters(2));
    const journal = join(folder, 'run.journal');
    await renameAnswerLost();

    const first = await run(['send', ...sftp(), '--journal', journal, folder]);
    expect(first.code).toBe(1);
    expect(first.stderr).toMatch(
      /Run the same command again: the journal finds out whether the server has it/,
    );

    expect((await run(['send', ...sftp(), '--journal', journal, folder])).code).toBe(0);
    expect(server.taken()).toHaveLength(1);
  });
});

describe('digitalpost send --sftp with DIGITALPOST_LOG=debug', () => {
  it('logs each upload, never the private key', async () => {
    const folder = await newFolder();
    await writeMemoFiles(folder, await letters(2));

    const result = await run(['send', ...sftp(), folder], { DIGITALPOST_LOG: 'debug' });

    expect(result.code).toBe(0);
    expect(lines(result.stderr)).toEqual([
      expect.stringMatching(/^upload container \S+\.tar\.lzma → 127\.0\.0\.1:\d+\/in$/),
      expect.stringMatching(/^uploaded \S+\.tar\.lzma \(\d+ bytes, 2 messages\)$/),
    ]);
    expect(result.stderr).not.toContain(server.keys.private.split('\n')[1]);
  });
});
