/**
 * The sender process of `bench/bulk.bench.ts`: a plain ES module that imports the package as users
 * get it (`dist/index.js`, the built ESM) and sends one batch when told to, so that its RSS is its
 * own. It is JavaScript, not TypeScript, on purpose: Node's type stripping loads a WebAssembly
 * compiler that alone adds ≈ 17 MB of RSS, which a user's compiled program does not carry.
 *
 * Started by the bench with `fork` (an IPC channel, no flags). It imports the package, then reports
 * `ready` with its RSS after the imports. On `send` it resets the kernel's RSS high-water mark
 * (`/proc/self/clear_refs`), sends `count` letters — each made by `createLetter` with a fresh
 * messageUUID as it is read, validated locally (the default) — with `client.memos.sendBatch` (REST)
 * or `SftpSender.send` (SFTP), both with their default container size, and reports `sent` with its
 * timestamps (`performance.timeOrigin + performance.now()`, comparable across processes), CPU time
 * and peak RSS. With `prime` > 0 (REST only), it first sends that many letters one by one with
 * `client.memos.send`, before the high-water mark is reset. On `pull` it reads every receipt back (`client.receipts.list` or
 * `SftpSender.receipts`, without acknowledging) and reports `pulled`. On `exit` it closes and exits.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { getHeapSpaceStatistics } from 'node:v8';
import { createLetter, DigitalPostClient, SftpSender } from '../dist/index.js';

const SENDER_CVR = '12345678';
const RECIPIENT_CPR = '0101700001';

const now = () => performance.timeOrigin + performance.now();

/**
 * The kernel's RSS high-water mark (`VmHWM`), reset by writing 5 to `/proc/self/clear_refs`.
 * Without /proc (not Linux) the peak is `process.resourceUsage().maxRSS`, which cannot be reset:
 * there it is the peak of the whole process.
 */
const highWater = (() => {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return {
      reset: () => writeFileSync('/proc/self/clear_refs', '5'),
      peak: () => Number(/VmHWM:\s*(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]) * 1024,
    };
  } catch {
    return { reset: () => {}, peak: () => process.resourceUsage().maxRSS * 1024 };
  }
})();

function memory() {
  const usage = process.memoryUsage();
  const newSpace = getHeapSpaceStatistics().find((space) => space.space_name === 'new_space');
  return {
    rss: usage.rss,
    heapTotal: usage.heapTotal,
    heapUsed: usage.heapUsed,
    external: usage.external,
    arrayBuffers: usage.arrayBuffers,
    newSpace: newSpace?.space_size ?? 0,
  };
}

/**
 * A PDF-looking 1 KiB file: a real header, then xorshift32 bytes from `seed`. Seed 1 is the PDF of
 * the client and simulator benchmarks; `--distinct-pdfs` gives every letter a seed of its own.
 */
function pdf(seed) {
  const bytes = Buffer.alloc(1024);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < bytes.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    bytes[i] = x & 0xff;
  }
  bytes.write('%PDF-1.7\n', 0, 'latin1');
  return bytes;
}

const SMALL_PDF = pdf(1);

let made = 0;

/** `count` letters, each built when it is read; `onFirst` runs when the first one is asked for. */
async function* letters(count, distinct, onFirst = () => {}) {
  onFirst();
  for (let i = 0; i < count; i++) {
    made++;
    yield await createLetter({
      messageUUID: randomUUID(),
      sender: { cvr: SENDER_CVR, label: 'Testkommune' },
      recipient: { cpr: RECIPIENT_CPR },
      label: 'Afgørelse om boligstøtte',
      document: {
        content: distinct ? pdf(0x9e3779b9 * made) : SMALL_PDF,
        filename: 'afgoerelse.pdf',
      },
    });
  }
}

let client;
let sftp;

async function send({ mode, count, warm, prime, distinct, rest, sftp: sftpConfig }) {
  let connectMs = 0;
  if (mode === 'sftp') {
    sftp = new SftpSender({
      host: sftpConfig.host,
      port: sftpConfig.port,
      username: sftpConfig.username,
      privateKey: sftpConfig.privateKey,
      hostKey: sftpConfig.hostKeyFingerprint,
    });
    const start = now();
    await sftp.connect();
    connectMs = now() - start;
  } else {
    client = new DigitalPostClient({ baseUrl: rest.apiUrl, apiKey: rest.apiKey });
  }
  const batch = (input) => (mode === 'sftp' ? sftp.send(input) : client.memos.sendBatch(input));
  if (warm > 0) await batch(letters(warm, distinct));
  // A sender past its first HTTP calls: V8 compiles undici's WebAssembly HTTP parser with its
  // optimising tier once, after the 4th to 7th response of the process (≈ 22 MiB of memory for a
  // moment, then freed), whatever the calls were.
  for await (const letter of letters(prime, distinct)) await client.memos.send(letter);
  const before = memory();
  highWater.reset();
  const cpu = process.cpuUsage();
  let started = 0;
  const input = letters(count, distinct, () => {
    started = now();
  });
  let accepted;
  let containers;
  const result = await batch(input);
  if (mode === 'sftp') {
    accepted = result.messages;
    containers = result.uploads.length;
  } else {
    accepted = result.accepted;
    containers = result.containers.length;
  }
  const ended = now();
  const used = process.cpuUsage(cpu);
  return {
    type: 'sent',
    started,
    ended,
    accepted,
    containers,
    connectMs,
    cpuUs: used.user + used.system,
    baseline: before,
    peakRss: highWater.peak(),
    after: memory(),
  };
}

async function pull() {
  highWater.reset();
  const start = now();
  let count = 0;
  if (sftp !== undefined) {
    for await (const _ of sftp.receipts()) count++;
  } else {
    for await (const _ of client.receipts.list({ pageSize: 1000 })) count++;
  }
  return { type: 'pulled', count, ms: now() - start, peakRss: highWater.peak() };
}

process.on('message', (message) => {
  const reply = (work) =>
    work.then(
      (answer) => process.send(answer),
      (error) => process.send({ type: 'failed', error: String(error?.stack ?? error) }),
    );
  if (message.type === 'send') reply(send(message));
  else if (message.type === 'pull') reply(pull());
  else if (message.type === 'exit') {
    Promise.resolve(sftp?.close()).finally(() => process.exit(0));
  }
});

process.send({ type: 'ready', memory: memory() });
