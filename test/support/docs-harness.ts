/**
 * What test/docs-blocks.test.ts runs the code blocks of README.md and docs/ with: one simulator, the
 * names and files the blocks may use without making them (README.md, "The code in these pages", lists
 * them for readers), the CLI from the sources, and the type-check of every TypeScript block.
 */
import { type ExecFileOptions, execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { setupServer } from 'msw/node';
import { runCli } from '../../cli/program.ts';
import { makeThrowawayCertificates } from '../../examples/throwaway-certificates.ts';
import { DigitalPostClient, SftpSender } from '../../sdk/index.ts';
import type { Memo } from '../../sdk/memo/types.ts';
import { serializeMemoToBytes } from '../../sdk/memo/writer.ts';
import type { RunningSimulator } from '../../simulator/index.ts';
import { createDigitalPostHandlers, type DigitalPostHandlers } from '../../testing/index.ts';
import type { CodeBlock } from './markdown-blocks.ts';
import { png } from './png.ts';
import { type KeyPair, newKeyPair, registerKey } from './sftp.ts';
import { containerOf, letters as lettersTo, writeMemoFiles } from './sftp-sender.ts';
import { keyOf, letterTo, SEED_IDS, startTestSimulator } from './simulator.ts';

const execFileAsync = promisify(execFile);

export const REPO = fileURLToPath(new URL('../../', import.meta.url));
/** Where the blocks are written out (git-ignored). */
export const WORK = join(REPO, '.cache', 'docs-blocks');

const PDF = Buffer.from('%PDF-1.4\n%%EOF\n');
const PASSPHRASE = 'docs-test-passphrase';

/** A logger of the kind the blocks pass around (`log.info(…)`); its lines go to the console. */
export interface Logger {
  debug(...data: unknown[]): void;
  info(...data: unknown[]): void;
  warn(...data: unknown[]): void;
  error(...data: unknown[]): void;
}

/**
 * The names a block may use without defining them: values from the reader's own system. The test
 * makes them for each TypeScript block against its simulator (README.md lists them for readers).
 */
export interface Given {
  /** The system's API key: the seeded PULL sender's. */
  apiKey: string;
  /** An OCES3 certificate as PKCS#12 (a throwaway one) and its passphrase. */
  pfx: Buffer;
  passphrase: string;
  tls: { pfx: Buffer; passphrase: string };
  /** A client of the seeded PULL sender, against the simulator. */
  client: DigitalPostClient;
  /** A client of a recipient system (Testfirma ApS's, PULL), with a letter in its inbox. */
  recipient: DigitalPostClient;
  /** A letter from Testkommune (CVR 12345678) to the registered citizen 0101700001. */
  memo: Memo;
  letter: Memo;
  /** Three such letters as an array … */
  messages: Memo[];
  /** … and read lazily, as from a database cursor. */
  letters: () => AsyncGenerator<Memo>;
  /** A MeMo as XML bytes, as received. */
  bytes: Uint8Array;
  /** A PDF's bytes, and a CSV file's text. */
  pdf: Buffer;
  csv: string;
  /** An `SftpSender` of the seeded SFTP sender `testkommune` to the simulator's SFTP server. */
  sender: SftpSender;
  /** The in-process NgDP of `digitalpost/testing`, and an msw server with its handlers. */
  ngdp: DigitalPostHandlers;
  server: ReturnType<typeof setupServer>;
  log: Logger;
  /** The reader's own bookkeeping. */
  markLetter(messageUUID: string | undefined, receiptStatus: string, errorCode?: string): Promise<void>;
  markSent(messageUUIDs: readonly string[]): Promise<void>;
  archive(messageUUID: string, xml: string | Uint8Array): Promise<void>;
  sendLater(letters: Memo | Iterable<Memo>): Promise<void>;
}

/** Everything the blocks run against, made once per run of the docs test. */
export interface DocsWorld {
  simulator: RunningSimulator;
  /** Where the shell blocks' `digitalpost` runs its command lines (see {@link serveCli}). */
  cliUrl: string;
  ngdp: DigitalPostHandlers;
  server: ReturnType<typeof setupServer>;
  pfx: Buffer;
  /** The certificate of `pfx` as PEM (the blocks' `certificate.pem`). */
  certificate: string;
  /** The SSH key registered for `testkommune` before each TypeScript block. */
  sshKey: KeyPair;
  /** What the blocks printed (console and `log`), shown when a block fails. */
  output: string[];
  /** The folders made for blocks, removed by `close()`. */
  folders: string[];
  close(): Promise<void>;
}

/** A throwaway certificate as PEM and as a PKCS#12 file protected by {@link PASSPHRASE}. */
function throwawayCertificate(): { pfx: Buffer; certificate: string } {
  const { ngdp } = makeThrowawayCertificates();
  const dir = mkdtempSync(join(tmpdir(), 'digitalpost-pfx-'));
  try {
    writeFileSync(join(dir, 'key.pem'), ngdp.key);
    writeFileSync(join(dir, 'cert.pem'), ngdp.cert);
    const pem = ['-in', join(dir, 'cert.pem'), '-inkey', join(dir, 'key.pem')];
    const pfx = execFileSync('openssl', ['pkcs12', '-export', ...pem, '-passout', `pass:${PASSPHRASE}`]);
    return { pfx, certificate: ngdp.cert.toString() };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The CLI from the sources, run in this process as the CLI's own tests run it (`runCli`), for the
 * shell blocks: their `digitalpost` is a small script that posts its arguments, environment and
 * folder here and prints what comes back. Starting the CLI's sources in a process of its own for
 * each command line took a second or two; this takes milliseconds. Command lines run one at a time.
 */
async function serveCli(): Promise<{ url: string; close(): Promise<void> }> {
  let queue: Promise<unknown> = Promise.resolve();
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const line = JSON.parse(Buffer.concat(chunks).toString()) as CliCall;
      queue = queue.then(async () => {
        const answer = await runCliIn(line);
        response.end(JSON.stringify(answer));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

interface CliCall {
  argv: string[];
  env: Record<string, string>;
  cwd: string;
}

async function runCliIn(call: CliCall): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const cwd = process.cwd();
  process.chdir(call.cwd);
  try {
    const code = await runCli(call.argv, {
      stdout: (text) => {
        stdout += text;
      },
      stderr: (text) => {
        stderr += text;
      },
      env: call.env,
    });
    return { code, stdout, stderr };
  } catch (error) {
    return { code: 70, stdout, stderr: `${stderr}the CLI threw: ${String(error)}\n` };
  } finally {
    process.chdir(cwd);
  }
}

/** What `digitalpost` is in a block's folder (`dist/cli.js`): it asks {@link serveCli} to run the command line. */
function cliScript(url: string): string {
  return [
    `const answer = await fetch(${JSON.stringify(url)}, {`,
    "  method: 'POST',",
    '  body: JSON.stringify({ argv: process.argv.slice(2), env: process.env, cwd: process.cwd() }),',
    '});',
    'const { code, stdout, stderr } = await answer.json();',
    'process.stdout.write(stdout);',
    'process.stderr.write(stderr);',
    'process.exitCode = code;',
    '',
  ].join('\n');
}

export async function startDocsWorld(): Promise<DocsWorld> {
  const simulator = await startTestSimulator({ clock: 'real', sftpPort: 0 });
  const ngdp = await createDigitalPostHandlers();
  const cli = await serveCli();
  const folders: string[] = [];
  return {
    simulator,
    cliUrl: cli.url,
    ngdp,
    server: setupServer(...ngdp.handlers),
    ...throwawayCertificate(),
    sshKey: newKeyPair(),
    output: [],
    folders,
    async close() {
      await Promise.all(folders.map((folder) => rm(folder, { recursive: true, force: true })));
      await cli.close();
      await ngdp.close();
      await simulator.stop();
    },
  };
}

/** Back to the seed, with the test's SSH key registered again (a reset forgets registered keys). */
export async function resetWorld(world: DocsWorld): Promise<void> {
  const response = await fetch(`${world.simulator.controlUrl}/reset`, { method: 'POST' });
  if (!response.ok) throw new Error(`reset: ${response.status} ${await response.text()}`);
  await registerKey(world.simulator, SEED_IDS.senderSftp, world.sshKey.public);
  await world.ngdp.reset();
  world.server.resetHandlers();
}

/** The given names' values for one TypeScript block, and what closes them after it. */
export async function givenValues(world: DocsWorld): Promise<{ given: Given; close(): Promise<void> }> {
  const apiKey = keyOf(world.simulator, SEED_IDS.senderPull);
  const three = await lettersTo(3);
  const sftp = world.simulator.sftp;
  if (sftp === null) throw new Error('the docs simulator runs without SFTP');
  const sender = new SftpSender({
    host: sftp.host,
    port: sftp.port,
    username: 'testkommune',
    privateKey: world.sshKey.private,
    hostKey: sftp.hostKeyFingerprint,
  });
  const print =
    (level: string) =>
    (...data: unknown[]): void =>
      void world.output.push(`[log.${level}] ${data.map((item) => JSON.stringify(item)).join(' ')}`);
  const noted = async (): Promise<void> => {};
  const client = new DigitalPostClient({ baseUrl: world.simulator.apiUrl, apiKey });
  await client.memos.send(await letterTo({ cvr: '87654321' }));
  await world.simulator.settle();
  const given: Given = {
    apiKey,
    pfx: world.pfx,
    passphrase: PASSPHRASE,
    tls: { pfx: world.pfx, passphrase: PASSPHRASE },
    client,
    recipient: new DigitalPostClient({
      baseUrl: world.simulator.apiUrl,
      apiKey: keyOf(world.simulator, SEED_IDS.companyRecipient),
    }),
    memo: await letterTo({ cpr: '0101700001' }),
    letter: await letterTo({ cpr: '0101700001' }),
    messages: three,
    letters: async function* () {
      yield* await lettersTo(3);
    },
    bytes: serializeMemoToBytes(await letterTo({ cpr: '0101700001' })),
    pdf: PDF,
    csv: 'beløb;dato\n1200;2025-06-01\n',
    sender,
    ngdp: world.ngdp,
    server: world.server,
    log: { debug: print('debug'), info: print('info'), warn: print('warn'), error: print('error') },
    markLetter: noted,
    markSent: noted,
    archive: noted,
    sendLater: noted,
  };
  return { given, close: () => sender.close() };
}

/** The names of {@link Given}, for the declarations the type-check sees. */
export const GIVEN_NAMES: ReadonlyArray<keyof Given> = [
  'apiKey',
  'pfx',
  'passphrase',
  'tls',
  'client',
  'recipient',
  'memo',
  'letter',
  'messages',
  'letters',
  'bytes',
  'pdf',
  'csv',
  'sender',
  'ngdp',
  'server',
  'log',
  'markLetter',
  'markSent',
  'archive',
  'sendLater',
];

/**
 * A folder to run blocks in, with the files they may use: `afgoerelse.pdf`, `bilag.pdf`,
 * `svar.pdf`, `letter.pdf`, `system.p12`, `letters/00001.xml` … `00003.xml`, `statements.tar.lzma`,
 * and — for TypeScript blocks — `ngdp_key`, the SSH key registered for `testkommune` (shell blocks
 * make their own, as the pages show). `dist/cli.js` starts the CLI from the sources, so that
 * `node dist/cli.js …` works as in a clone.
 */
export async function makeFolder(world: DocsWorld, withSshKey: boolean): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'digitalpost-docs-'));
  world.folders.push(dir);
  for (const name of ['afgoerelse.pdf', 'bilag.pdf', 'svar.pdf', 'letter.pdf'])
    await writeFile(join(dir, name), PDF);
  await writeFile(join(dir, 'system.p12'), world.pfx);
  await writeFile(join(dir, 'certificate.pem'), world.certificate);
  await writeFile(join(dir, 'logo.png'), png(200, 200));
  await writeMemoFiles(join(dir, 'letters'), await lettersTo(3), '');
  await writeFile(join(dir, 'statements.tar.lzma'), await containerOf(await lettersTo(2)));
  if (withSshKey) {
    await writeFile(join(dir, 'ngdp_key'), world.sshKey.private, { mode: 0o600 });
    await writeFile(join(dir, 'ngdp_key.pub'), world.sshKey.public);
  }
  await mkdir(join(dir, 'dist'));
  await writeFile(join(dir, 'dist', 'cli.mjs'), cliScript(world.cliUrl));
  await writeFile(join(dir, 'dist', 'cli.js'), "import('./cli.mjs');\n");
  return dir;
}

/** A command line that calls the CLI: `digitalpost …`, `npx digitalpost …` or `node dist/cli.js …`. */
const CALLS_CLI =
  /(?:^[ \t]*|[;&|(]\s*|\bnpx\s+)(?:[A-Z_][A-Z0-9_]*=\S*\s+)*(?:digitalpost|node\s+dist\/cli\.js)(?=\s|$)/m;
/** A command line that talks to a simulator on its default ports. */
const TALKS_TO_SIMULATOR = /(?:127\.0\.0\.1|localhost):(?:4500|4522)|-P 4522\b/;

/** Whether the docs test runs a shell block (one that calls the CLI or talks to a simulator). */
export function shellBlockRuns(code: string): boolean {
  const commands = code
    .split('\n')
    .map((line) => line.replace(/(^|\s)#.*$/, ''))
    .join('\n');
  return CALLS_CLI.test(commands) || TALKS_TO_SIMULATOR.test(commands);
}

/**
 * A block's text as the test runs it against its simulator: the default ports 4500 and 4522 are
 * the simulator's, `DIGITALPOST_API_KEY=…` gets the seeded PULL sender's key and `SHA256:…` the SFTP
 * server's host key fingerprint.
 */
export function withSimulator(code: string, world: DocsWorld): string {
  const { simulator } = world;
  const http = new URL(simulator.apiUrl).port;
  const sftp = simulator.sftp;
  return code
    .replace(/\b(127\.0\.0\.1|localhost):4500\b/g, `$1:${http}`)
    .replace(/\b4522\b/g, String(sftp?.port ?? 4522))
    .replace(/DIGITALPOST_API_KEY=…/g, `DIGITALPOST_API_KEY=${keyOf(simulator, SEED_IDS.senderPull)}`)
    .replace(/SHA256:…/g, sftp?.hostKeyFingerprint ?? 'SHA256:…');
}

export interface ShellRun {
  code: number | null;
  /** Its stdout, then its stderr. */
  output: string;
}

/** Runs a program, with nothing on its stdin, to its end: its exit code (null when a signal ended it) and what it printed. */
async function execute(
  file: string,
  args: readonly string[],
  options: Omit<ExecFileOptions, 'encoding'> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  try {
    const running = execFileAsync(file, args, { ...options, encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
    running.child.stdin?.end(); // nothing to read: an interactive program (sftp) ends at once
    const { stdout, stderr } = await running;
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: unknown; stdout?: string; stderr?: string };
    if (typeof failed.code !== 'number' && failed.code !== null) throw error;
    return { code: failed.code, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

/**
 * Runs a shell block with bash in `dir`, stopping at the first failing command — a `curl` answered
 * with an HTTP error status fails too: `digitalpost` and `npx digitalpost` are the CLI from the
 * sources, HOME is a folder of its own whose `.ssh/known_hosts` knows the simulator's SFTP server,
 * and no `DIGITALPOST_*` variable is inherited.
 */
export async function runShell(code: string, dir: string, world: DocsWorld): Promise<ShellRun> {
  const bin = join(dir, '.bin');
  const home = join(dir, '.home');
  await mkdir(bin, { recursive: true });
  await mkdir(join(home, '.ssh'), { recursive: true });
  const cli = `exec ${JSON.stringify(process.execPath)} ${JSON.stringify(join(dir, 'dist', 'cli.mjs'))} "$@"`;
  await writeFile(join(bin, 'digitalpost'), `#!/bin/sh\n${cli}\n`, { mode: 0o755 });
  await writeFile(join(home, '.ssh', 'known_hosts'), `${world.simulator.sftp?.knownHostsLine ?? ''}\n`);
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env))
    if (!name.startsWith('DIGITALPOST_') && name !== 'HOME') env[name] = value;
  env.PATH = [bin, dirname(process.execPath), process.env.PATH].join(':');
  env.HOME = home;
  env.CERT_PASSPHRASE = PASSPHRASE;
  const script = [
    'set -eo pipefail',
    'npx() { if [ "$1" = digitalpost ]; then shift; digitalpost "$@"; else command npx "$@"; fi; }',
    // OpenSSH reads ~/.ssh from the user database, not HOME: point it at the test's HOME.
    'sftp() { command sftp -o UserKnownHostsFile="$HOME/.ssh/known_hosts" "$@"; }',
    // An HTTP error answer fails the block: the pages' calls are meant to succeed.
    'curl() { command curl --fail-with-body "$@"; }',
    withSimulator(code, world),
  ].join('\n');
  const run = await execute('bash', ['-c', script], { cwd: dir, env });
  return { code: run.code, output: `${run.stdout}${run.stderr}` };
}

/** A block's file name: its page and line, e.g. `docs_sdk.md_L36`. */
export function slugOf(block: CodeBlock): string {
  return `${block.file.replace(/[^A-Za-z0-9.-]+/g, '_')}_L${block.line}`;
}

/**
 * The blocks as modules: `<slug>.ts` as written (for the type-check, beside `given.d.ts`) and
 * `run/<slug>.ts` as run (the simulator's port, and the collecting `vitest` of docs-vitest.ts).
 */
export async function writeBlocks(blocks: readonly CodeBlock[], world: DocsWorld): Promise<void> {
  await rm(WORK, { recursive: true, force: true });
  await mkdir(join(WORK, 'run'), { recursive: true });
  const vitest = JSON.stringify(pathToFileURL(join(REPO, 'test/support/docs-vitest.ts')).href);
  const given = [
    "import type { Given } from '../../test/support/docs-harness.ts';",
    'declare global {',
    ...GIVEN_NAMES.map((name) => `  const ${name}: Given['${name}'];`),
    '}',
    'export {};',
    '',
  ];
  await writeFile(join(WORK, 'given.d.ts'), given.join('\n'));
  for (const block of blocks) {
    await writeFile(join(WORK, `${slugOf(block)}.ts`), `${block.code}export {};\n`);
    const run = withSimulator(block.code, world).replace(/from\s+'vitest'/g, `from ${vitest}`);
    await writeFile(join(WORK, 'run', `${slugOf(block)}.ts`), `${run}export {};\n`);
  }
}

/**
 * Every type error in the blocks, as `page:line:column: message` in the Markdown source: `tsc` with
 * the project's tsconfig.json on the blocks as written and `given.d.ts` (a process of its own, as
 * `npm run typecheck` runs it).
 */
export async function typeErrors(blocks: readonly CodeBlock[]): Promise<string[]> {
  const project = {
    extends: '../../tsconfig.json',
    include: ['given.d.ts', ...blocks.map((block) => `${slugOf(block)}.ts`)],
    exclude: [],
  };
  await writeFile(join(WORK, 'tsconfig.json'), JSON.stringify(project));
  const tsc = join(REPO, 'node_modules/typescript/bin/tsc');
  const { code, stdout, stderr } = await execute(process.execPath, [
    tsc,
    '-p',
    join(WORK, 'tsconfig.json'),
    '--pretty',
    'false',
  ]);
  const bySlug = new Map(blocks.map((block) => [`${slugOf(block)}.ts`, block]));
  const errors: string[] = [];
  for (const line of stdout.split('\n')) {
    if (line.trim() === '') continue;
    if (/^\s/.test(line) && errors.length > 0) {
      errors[errors.length - 1] += `\n${line}`;
      continue;
    }
    const at = /^(?:.*\/)?([^/(]+)\((\d+),(\d+)\): (.*)$/.exec(line);
    const block = at === null ? undefined : bySlug.get(at[1] ?? '');
    errors.push(
      at === null || block === undefined
        ? line
        : `${block.file}:${block.line + Number(at[2]) - 1}:${at[3]}: ${at[4]}`,
    );
  }
  if (code !== 0 && errors.length === 0) errors.push(`tsc exited with ${code}: ${stderr}`);
  return errors;
}
