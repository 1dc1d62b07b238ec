/**
 * What a misbehaving SFTP server costs `SftpSender`, against the hostile server of the tests
 * (test/hostile-server/sftp-server.ts, in this process, on loopback):
 *
 * - `one-byte reads, N KiB`: a receipt file of N KiB that the server answers a byte per READ, at two
 *   sizes. Reported: the time per read, and the growth of `process.memoryUsage().arrayBuffers` at its
 *   highest while the reads are answered (sampled by the server at each READ, after a GC). The growth
 *   includes a few hundred KiB of packets not yet collected, whatever the size; what a byte of the
 *   file adds is the slope between the two sizes. Target: at most 8 bytes of memory per byte (it was
 *   ≈ 32 KiB per byte when every read kept its own 32 KiB buffer).
 * - `endless listing`: a READDIR that never ends (100 made-up names per answer) until the default
 *   `maxEntries` (100 000) stops it with `SFTP_LISTING_TOO_LONG`. Target: it stops.
 * - `deadline vs held listing`: `waitForReceipts({ timeoutMs: 500 })` while the server never answers
 *   the listing; how long after its deadline it resolves. Target: under 100 ms.
 *
 * `node --expose-gc bench/sftp-hostile.bench.ts [--json] [--quick]`, or `npm run bench -- sftp-hostile`.
 * `--quick`: smaller files (a smoke run).
 */
import { performance } from 'node:perf_hooks';
import { SftpError } from '../sdk/errors.ts';
import { SftpSender } from '../sdk/sftp/sender.ts';
import { startHostileSftpServer } from '../test/hostile-server/sftp-server.ts';
import { newKeyPair } from '../test/support/sftp.ts';
import { args, hasGc, type Row, report, round, toMB } from './harness.ts';

const UUID = '8d0c6a52-0000-4000-8000-00000000000a';
const SIZES_KIB = args.quick ? [4, 12] : [8, 40];
const keys = newKeyPair();

const gc = (): void => (globalThis as { gc?: () => void }).gc?.();

async function withServer<T>(
  work: (server: Awaited<ReturnType<typeof startHostileSftpServer>>, sender: SftpSender) => Promise<T>,
): Promise<T> {
  const server = await startHostileSftpServer();
  const sender = new SftpSender({
    host: server.host,
    port: server.port,
    username: 'bench',
    privateKey: keys.private,
    hostKey: server.hostKeyFingerprint,
  });
  try {
    await sender.connect();
    return await work(server, sender);
  } finally {
    await sender.close();
    await server.close();
  }
}

/** arrayBuffers growth in bytes, by row name (the rows round it to MiB). */
const growthOf = new Map<string, number>();

async function oneByteReads(kib: number): Promise<Row> {
  return withServer(async (server, sender) => {
    const padding = 'x'.repeat(kib * 1024);
    const content = Buffer.from(
      JSON.stringify({
        messageUUID: UUID,
        receiptStatus: 'COMPLETED',
        timeStamp: '2025-06-01T10:00:00Z',
        padding,
      }),
    );
    server.files.set(`/out/receipts/${UUID}.json`, content);
    server.misbehave.readPiece = 1;
    gc();
    const before = process.memoryUsage().arrayBuffers;
    const start = performance.now();
    let read = 0;
    for await (const _ of sender.receipts()) read++;
    const ms = performance.now() - start;
    if (read !== 1) throw new Error(`expected the receipt, got ${read} files`);
    const growth = Math.max(0, server.peakArrayBuffers() - before);
    growthOf.set(`one-byte reads, ${kib} KiB`, growth);
    return {
      name: `one-byte reads, ${kib} KiB`,
      opsPerSec: null,
      ratio: null,
      ms: round(ms / server.count('READ'), 4),
      rssGrowthMB: toMB(growth),
      note: `${server.count('READ')} reads; ms/op is per read; RSS +MiB: arrayBuffers growth`,
    };
  });
}

/** What one byte more of the file costs, from the rows of two sizes. */
function perByte(small: Row, large: Row, kib: readonly number[]): Row {
  const bytes = ((kib[1] as number) - (kib[0] as number)) * 1024;
  const slope = ((growthOf.get(large.name) ?? 0) - (growthOf.get(small.name) ?? 0)) / bytes;
  return {
    name: 'one-byte reads: memory per byte of the file',
    opsPerSec: null,
    ratio: null,
    rssGrowthX: round(slope, 2),
    target: '≤ 8 bytes per byte',
    pass: slope <= 8,
    note: `RSS ×: arrayBuffers growth between ${kib[0]} and ${kib[1]} KiB, per byte`,
  };
}

async function endlessListing(): Promise<Row> {
  return withServer(async (server, sender) => {
    server.misbehave.listing = (_, page) =>
      Array.from({ length: 100 }, (__, i) => ({ filename: `${page}-${i}.txt` }));
    const start = performance.now();
    let code: string | undefined;
    try {
      for await (const _ of sender.receipts());
    } catch (error) {
      code = error instanceof SftpError ? error.code : String(error);
    }
    const ms = performance.now() - start;
    return {
      name: 'endless listing to maxEntries 100 000',
      opsPerSec: null,
      ratio: null,
      ms: round(ms, 1),
      target: 'stops with SFTP_LISTING_TOO_LONG',
      pass: code === 'SFTP_LISTING_TOO_LONG',
      note: `${server.count('READDIR')} READDIRs; ${code ?? 'no error'}`,
    };
  });
}

async function deadlineOvershoot(): Promise<Row> {
  return withServer(async (server, sender) => {
    server.misbehave.hold = (operation) => operation === 'READDIR';
    const timeoutMs = 500;
    const start = performance.now();
    const result = await sender.waitForReceipts([UUID], { timeoutMs });
    const overshoot = performance.now() - start - timeoutMs;
    return {
      name: `deadline vs held listing (timeoutMs ${timeoutMs})`,
      opsPerSec: null,
      ratio: null,
      ms: round(overshoot, 1),
      target: 'resolves < 100 ms after its deadline',
      pass: overshoot < 100 && result.missing.length === 1,
      note: 'ms/op: time past the deadline',
    };
  });
}

if (!hasGc()) process.stderr.write('sftp-hostile: run with --expose-gc for steadier memory figures\n');
const rows: Row[] = [];
const [small, large] = [
  await oneByteReads(SIZES_KIB[0] as number),
  await oneByteReads(SIZES_KIB[1] as number),
];
rows.push(small, large, perByte(small, large, SIZES_KIB));
rows.push(await endlessListing());
rows.push(await deadlineOvershoot());
report('SftpSender against a hostile SFTP server', [{ heading: 'Bounds', rows }]);
process.exitCode = rows.every((row) => row.pass !== false) ? 0 : 1;
