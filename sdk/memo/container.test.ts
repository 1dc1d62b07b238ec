/**
 * The bulk container (ngdp-api.md §11): round trips, the NgDP shape, interop with the system tar
 * and xz, streaming in both directions, and the limits that keep an untrusted container from
 * costing more than they allow (checked for time and memory in child processes).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import fc from 'fast-check';
import tar from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoArbitrary } from '../../test/support/memo-arbitraries.ts';
import { minimalMemo } from '../../test/support/memos.ts';
import { describeWith } from '../../test/support/requirements.ts';
import {
  type ContainerEntry,
  ContainerError,
  type ContainerErrorCode,
  type ContainerInput,
  containerWindowBytes,
  type ReadContainerOptions,
  readContainer,
  type WriteContainerOptions,
  writeContainer,
} from './container.ts';
import { compressLzmaAlone, decompressLzmaAlone } from './lzma/stream.ts';
import type { Memo } from './types.ts';
import { serializeMemoToBytes } from './writer.ts';

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const MiB = 1024 * 1024;

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

async function containerOf(
  messages: Iterable<ContainerInput> | AsyncIterable<ContainerInput>,
  options?: WriteContainerOptions,
): Promise<Buffer> {
  return Buffer.concat(await collect(writeContainer(messages, options)));
}

async function errorOf(promise: Promise<unknown>): Promise<ContainerError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ContainerError);
  return error as ContainerError;
}

async function readError(
  source: Uint8Array | AsyncIterable<Uint8Array>,
  options?: ReadContainerOptions,
): Promise<ContainerErrorCode> {
  return (await errorOf(collect(readContainer(source, options)))).code;
}

/** A small letter of about 2.5 KB, with a PDF that does not compress, as most letters carry. */
function letter(index: number): Memo {
  const memo = minimalMemo('1.2');
  return {
    ...memo,
    messageHeader: { ...memo.messageHeader, messageUUID: randomUUID(), label: `Afgørelse nr. ${index}` },
    messageBody: {
      createdDateTime: '2025-06-01T08:30:00Z',
      mainDocument: {
        files: [
          {
            encodingFormat: 'application/pdf',
            filename: `afgoerelse-${index}.pdf`,
            language: 'da',
            content: Buffer.concat([Buffer.from('%PDF-1.4\n'), randomBytes(1200), Buffer.from('\n%%EOF\n')]),
          },
        ],
      },
    },
  };
}

/** An LZMA-alone tar of the given entries, written with tar-stream (not our writer). */
async function tarLzma(
  entries: Array<{ name: string; body: Uint8Array; type?: 'directory' }>,
): Promise<Buffer> {
  const pack = tar.pack();
  for (const entry of entries) {
    if (entry.type === 'directory') pack.entry({ name: entry.name, type: 'directory' });
    else pack.entry({ name: entry.name }, Buffer.from(entry.body));
  }
  pack.finalize();
  return Buffer.concat(await collect(compressLzmaAlone(pack as AsyncIterable<Buffer>)));
}

/** `bytes` as an async stream of `size`-byte chunks, counting how many were taken. */
function chunked(
  bytes: Uint8Array,
  size: number,
): { stream: AsyncIterable<Uint8Array>; taken: () => number } {
  let taken = 0;
  return {
    stream: (async function* () {
      for (let at = 0; at < bytes.length; at += size) {
        taken++;
        yield bytes.subarray(at, at + size);
      }
    })(),
    taken: () => taken,
  };
}

describe('writeContainer → readContainer', () => {
  it('round-trips any set of MeMos, each under its messageUUID', async () => {
    const memos = fc.uniqueArray(memoArbitrary('1.2'), {
      maxLength: 6,
      selector: (memo) => memo.messageHeader.messageUUID.toLowerCase(),
    });
    await fc.assert(
      fc.asyncProperty(memos, async (messages) => {
        const entries = await collect(readContainer(await containerOf(messages)));
        expect(entries.map((entry) => entry.name)).toEqual(
          messages.map((memo) => `${memo.messageHeader.messageUUID}.xml`),
        );
        entries.forEach((entry, i) => {
          expect(entry.xml.equals(serializeMemoToBytes(messages[i]!, { byteOrderMark: true }))).toBe(true);
        });
      }),
      { numRuns: 25 },
    );
  });

  it('round-trips any bytes given as XML, unchanged when no BOM is asked for', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.uint8Array({ maxLength: 3000 }), { maxLength: 8 }), async (bodies) => {
        const messages = bodies.map((xml) => ({ messageUUID: randomUUID(), xml }));
        const entries = await collect(readContainer(await containerOf(messages, { byteOrderMark: false })));
        expect(entries.map((entry) => [...entry.xml])).toEqual(bodies.map((body) => [...body]));
        expect(entries.map((entry) => entry.messageUUID)).toEqual(
          messages.map((message) => message.messageUUID),
        );
      }),
      { numRuns: 40 },
    );
  });

  it('writes an empty container for no messages, which reads as no entries', async () => {
    const container = await containerOf([]);
    expect(await collect(readContainer(container))).toEqual([]);
  });

  it('round-trips a large, highly compressible message', async () => {
    const xml = Buffer.alloc(60 * MiB, '<Label>Afgørelse om boligstøtte</Label>');
    const container = await containerOf([{ messageUUID: randomUUID(), xml }], { byteOrderMark: false });
    expect(container.length).toBeLessThan(MiB);
    const [entry] = await collect(readContainer(container));
    expect(entry!.xml.equals(xml)).toBe(true);
  });

  it('round-trips a large incompressible message', async () => {
    const xml = randomBytes(8 * MiB);
    const [entry] = await collect(
      readContainer(await containerOf([{ messageUUID: randomUUID(), xml }], { byteOrderMark: false })),
    );
    expect(entry!.xml.equals(xml)).toBe(true);
  });

  it('reads the messageUUID from an upper-case entry name in lower case', async () => {
    const uuid = randomUUID();
    const container = await tarLzma([{ name: `${uuid.toUpperCase()}.xml`, body: Buffer.from('<x/>') }]);
    const [entry] = await collect(readContainer(container));
    expect(entry!.messageUUID).toBe(uuid);
  });

  it('leaves messageUUID undefined for an entry not named <uuid>.xml', async () => {
    const container = await tarLzma([{ name: 'letter.xml', body: Buffer.from('<x/>') }]);
    const [entry] = await collect(readContainer(container));
    expect(entry).toMatchObject({ name: 'letter.xml', messageUUID: undefined });
  });

  it('skips entries that are not files', async () => {
    const uuid = randomUUID();
    const container = await tarLzma([
      { name: 'folder', body: Buffer.alloc(0), type: 'directory' },
      { name: `${uuid}.xml`, body: Buffer.from('<x/>') },
    ]);
    expect((await collect(readContainer(container))).map((entry) => entry.messageUUID)).toEqual([uuid]);
  });
});

describe('the NgDP shape of a written container', () => {
  let entries: Array<{ header: tar.Header; body: Buffer }>;
  let tarBytes: Buffer;
  let container: Buffer;
  const mtime = new Date('2025-06-01T08:30:00Z');

  beforeAll(async () => {
    const messages: ContainerInput[] = [letter(1), { messageUUID: randomUUID(), xml: Buffer.from('<a/>') }];
    container = await containerOf(messages, { mtime });
    tarBytes = Buffer.concat(await collect(decompressLzmaAlone([container])));
    entries = [];
    const extract = tar.extract();
    extract.end(tarBytes);
    for await (const entry of extract) {
      const parts = await collect(entry as AsyncIterable<Buffer>);
      entries.push({ header: entry.header, body: Buffer.concat(parts) });
    }
  });

  it('is LZMA-alone with lc=3 lp=0 pb=2 and an unknown size, ended by an end marker', () => {
    expect(container[0]).toBe(0x5d);
    expect(container.subarray(5, 13).equals(Buffer.alloc(8, 0xff))).toBe(true);
  });

  it('starts every entry with a UTF-8 BOM', () => {
    for (const entry of entries) expect(entry.body.subarray(0, 3).equals(BOM)).toBe(true);
  });

  it('names entries <messageUUID>.xml, mode 0700, owned by 0:0, with the given mtime', () => {
    for (const { header } of entries) {
      expect(header.name).toMatch(/^[0-9a-f-]{36}\.xml$/);
      expect(header).toMatchObject({ type: 'file', mode: 0o700, uid: 0, gid: 0, mtime });
    }
  });

  it('pads the tar to whole 10 240-byte records, as GNU tar does', () => {
    expect(tarBytes.length % 10_240).toBe(0);
  });

  it('writes the tar byte for byte as tar-stream packs the same entries', async () => {
    // Our headers are written by hand (nothing allocated per message); tar-stream is the reference.
    const pack = tar.pack();
    const packed = collect(pack as AsyncIterable<Buffer>);
    for (const { header, body } of entries) {
      pack.entry({ name: header.name, size: body.length, mode: 0o700, mtime, uid: 0, gid: 0 }, body);
    }
    pack.finalize();
    const reference = Buffer.concat(await packed);
    // tar-stream ends with the two zero blocks; we go on with zeros to a whole record, as GNU tar does.
    expect(tarBytes.subarray(0, reference.length).equals(reference)).toBe(true);
    expect(tarBytes.subarray(reference.length).equals(Buffer.alloc(tarBytes.length - reference.length))).toBe(
      true,
    );
  });

  it('refuses a messageUUID that makes an entry name longer than a tar header holds', async () => {
    const messageUUID = 'x'.repeat(97);
    await expect(containerOf([{ messageUUID, xml: Buffer.from('<a/>') }])).rejects.toThrow(
      /entry name x+\.xml is longer than a tar header holds \(100 bytes\)/,
    );
    // 96 + ".xml" is exactly 100 bytes: still fits.
    const [entry] = await collect(
      readContainer(await containerOf([{ messageUUID: 'y'.repeat(96), xml: Buffer.from('<a/>') }])),
    );
    expect(entry!.name).toBe(`${'y'.repeat(96)}.xml`);
  });

  it('does not add a second BOM to XML that already has one', async () => {
    const xml = Buffer.concat([BOM, Buffer.from('<a/>')]);
    const [entry] = await collect(readContainer(await containerOf([{ messageUUID: randomUUID(), xml }])));
    expect(entry!.xml.equals(xml)).toBe(true);
  });

  it('writes no BOM when byteOrderMark is false', async () => {
    const [entry] = await collect(readContainer(await containerOf([letter(1)], { byteOrderMark: false })));
    expect(entry!.xml.subarray(0, 5).toString()).toBe('<?xml');
  });
});

describeWith({ tools: ['xz', 'tar'] }, 'interop with the system tar and xz', () => {
  let folder: string;
  beforeAll(() => {
    folder = mkdtempSync(join(tmpdir(), 'digitalpost-container-'));
  });
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('our container unpacks with xz --format=lzma -dc | tar x into the same files', async () => {
    const messages = Array.from({ length: 50 }, (_, i) => letter(i));
    const target = mkdtempSync(join(folder, 'out-'));
    writeFileSync(join(folder, 'ours.tar.lzma'), await containerOf(messages));
    execFileSync('sh', ['-c', `xz --format=lzma -dc ours.tar.lzma | tar -x -C "${target}"`], {
      cwd: folder,
    });
    expect(readdirSync(target).sort()).toEqual(
      messages.map((m) => `${m.messageHeader.messageUUID}.xml`).sort(),
    );
    for (const memo of messages) {
      const file = join(target, `${memo.messageHeader.messageUUID}.xml`);
      expect(readFileSync(file).equals(serializeMemoToBytes(memo, { byteOrderMark: true }))).toBe(true);
      expect(statSync(file).mode & 0o777).toBe(0o700);
    }
  });

  it('reads a container made by tar cf - *.xml | xz --format=lzma, BOMs and all', async () => {
    const source = mkdtempSync(join(folder, 'in-'));
    const bodies = new Map<string, Buffer>();
    for (let i = 0; i < 30; i++) {
      const memo = letter(i);
      const body = serializeMemoToBytes(memo, { byteOrderMark: true });
      bodies.set(memo.messageHeader.messageUUID, body);
      writeFileSync(join(source, `${memo.messageHeader.messageUUID}.xml`), body);
    }
    const container = execFileSync('sh', ['-c', 'tar cf - *.xml | xz --format=lzma'], {
      cwd: source,
      maxBuffer: 1 << 30,
    });
    const entries = await collect(readContainer(container));
    expect(entries.length).toBe(30);
    for (const entry of entries) {
      expect(entry.xml.subarray(0, 3).equals(BOM)).toBe(true);
      expect(entry.xml.equals(bodies.get(entry.messageUUID!)!)).toBe(true);
    }
  });

  it('reads a container compressed as NgDP compresses them (128 MiB dictionary)', async () => {
    const memo = letter(1);
    const tarBytes = Buffer.concat(await collect(decompressLzmaAlone([await containerOf([memo])])));
    const container = execFileSync('xz', ['--format=lzma', '--lzma1=preset=6,dict=128MiB', '-c'], {
      input: tarBytes,
    });
    expect(container.subarray(0, 13).toString('hex')).toBe('5d00000008ffffffffffffffff');
    const [entry] = await collect(readContainer(container));
    expect(entry!.messageUUID).toBe(memo.messageHeader.messageUUID);
  });
});

describe('streaming', () => {
  it('yields the first entry before the whole container has been read', async () => {
    const container = await containerOf(Array.from({ length: 400 }, (_, i) => letter(i)));
    const source = chunked(container, 4096);
    const entries = readContainer(source.stream);
    const first = await entries.next();
    expect(first.done).toBe(false);
    const chunks = Math.ceil(container.length / 4096);
    expect(source.taken()).toBeLessThan(chunks / 10);
    await entries.return(undefined);
  });

  it('stops reading its source when the reader stops early', async () => {
    const container = await containerOf(Array.from({ length: 400 }, (_, i) => letter(i)));
    const source = chunked(container, 4096);
    for await (const entry of readContainer(source.stream)) {
      expect(entry.messageUUID).toBeDefined();
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(source.taken()).toBeLessThan(Math.ceil(container.length / 4096) / 10);
  });

  it('pulls messages only as its output is consumed', async () => {
    let pulled = 0;
    function* endless(): Generator<Memo> {
      for (;;) {
        pulled++;
        yield letter(pulled);
      }
    }
    const output = writeContainer(endless());
    expect((await output.next()).done).toBe(false);
    await output.return(undefined);
    expect(pulled).toBeLessThan(1000);
  });

  it('accepts messages from an async source', async () => {
    async function* later(): AsyncGenerator<ContainerInput> {
      for (let i = 0; i < 5; i++) {
        await new Promise((resolve) => setTimeout(resolve, 1));
        yield letter(i);
      }
    }
    expect((await collect(readContainer(await containerOf(later())))).length).toBe(5);
  });

  it('passes on an error of the message source', async () => {
    function* failing(): Generator<ContainerInput> {
      yield letter(1);
      throw new Error('the database went away');
    }
    await expect(containerOf(failing())).rejects.toThrow('the database went away');
  });
});

describe('unreadable containers', () => {
  let container: Buffer;
  beforeAll(async () => {
    container = await containerOf(Array.from({ length: 20 }, (_, i) => letter(i)));
  });

  it('rejects a container cut short anywhere with CONTAINER_UNREADABLE', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: container.length - 1 }), async (length) => {
        expect(await readError(container.subarray(0, length))).toBe('CONTAINER_UNREADABLE');
      }),
      { numRuns: 30 },
    );
  });

  it('rejects a container cut short in a stream of chunks with CONTAINER_UNREADABLE', async () => {
    const cut = container.subarray(0, Math.floor(container.length / 2));
    expect(await readError(chunked(cut, 1000).stream)).toBe('CONTAINER_UNREADABLE');
  });

  it('ends a corrupted container with a ContainerError or its entries, never another error', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.tuple(fc.integer({ min: 0, max: container.length - 1 }), fc.integer({ min: 1, max: 255 })),
          {
            minLength: 1,
            maxLength: 5,
          },
        ),
        async (flips) => {
          const corrupt = Buffer.from(container);
          for (const [at, mask] of flips) corrupt[at]! ^= mask;
          await collect(readContainer(corrupt)).catch((error: unknown) => {
            expect(error).toBeInstanceOf(ContainerError);
          });
        },
      ),
      { numRuns: 50 },
    );
  });

  it('rejects what is not LZMA-alone (a gzip, a plain tar, an xz file, text)', async () => {
    const plainTar = Buffer.concat(await collect(decompressLzmaAlone([container])));
    for (const bytes of [
      Buffer.from('1f8b0800000000000003030000000000000000', 'hex'),
      plainTar,
      Buffer.from('fd377a585a000004e6d6b4460200210116000000742fe5a3', 'hex'),
      Buffer.from('this is not a container at all'),
      Buffer.alloc(0),
    ]) {
      expect(await readError(bytes)).toBe('CONTAINER_UNREADABLE');
    }
  });

  it('rejects an LZMA stream that holds no tar', async () => {
    const notTar = Buffer.concat(await collect(compressLzmaAlone([randomBytes(5000)])));
    expect(await readError(notTar)).toBe('CONTAINER_UNREADABLE');
  });

  it('refuses a dictionary over 256 MiB with CONTAINER_UNREADABLE', async () => {
    const huge = Buffer.from(container);
    huge.writeUInt32LE(512 * MiB, 1);
    const error = await errorOf(collect(readContainer(huge)));
    expect(error.code).toBe('CONTAINER_UNREADABLE');
    expect(error.message).toMatch(/dictionary/);
  });
});

describe('limits', () => {
  it('stops at more than maxEntries entries with CONTAINER_TOO_LARGE', async () => {
    const container = await containerOf(Array.from({ length: 6 }, (_, i) => letter(i)));
    expect(await collect(readContainer(container, { maxEntries: 6 }))).toHaveLength(6);
    expect(await readError(container, { maxEntries: 5 })).toBe('CONTAINER_TOO_LARGE');
  });

  it('refuses an entry larger than maxEntryBytes from its header, before reading it', async () => {
    const xml = Buffer.alloc(50 * MiB, 'x');
    const container = await containerOf([{ messageUUID: randomUUID(), xml }], { byteOrderMark: false });
    const source = chunked(container, 512);
    expect(await readError(source.stream, { maxEntryBytes: MiB })).toBe('CONTAINER_TOO_LARGE');
    expect(source.taken() * 512).toBeLessThan(container.length / 4);
  });

  it('stops at more than maxTotalBytes uncompressed with CONTAINER_TOO_LARGE', async () => {
    const messages = Array.from({ length: 20 }, () => ({
      messageUUID: randomUUID(),
      xml: Buffer.alloc(MiB),
    }));
    const container = await containerOf(messages);
    expect(await readError(container, { maxTotalBytes: 5 * MiB })).toBe('CONTAINER_TOO_LARGE');
  });

  it('yields the entries before the one that breaks maxTotalBytes', async () => {
    const messages = Array.from({ length: 20 }, () => ({
      messageUUID: randomUUID(),
      xml: Buffer.alloc(MiB),
    }));
    const read: ContainerEntry[] = [];
    const error = await errorOf(
      (async () => {
        for await (const entry of readContainer(await containerOf(messages), { maxTotalBytes: 5 * MiB })) {
          read.push(entry);
        }
      })(),
    );
    expect(error.code).toBe('CONTAINER_TOO_LARGE');
    expect(read.length).toBeGreaterThanOrEqual(3);
    expect(read.length).toBeLessThan(5);
  });
});

describe('beforeEntry', () => {
  it('is told each file entry’s name and size before its bytes are read', async () => {
    const messages = [1, 2, 3].map((n) => ({ messageUUID: randomUUID(), xml: Buffer.alloc(n * 1000, 'x') }));
    const seen: string[] = [];
    const entries = readContainer(await containerOf(messages, { byteOrderMark: false }), {
      beforeEntry: ({ name, size }) => {
        seen.push(`${name} ${size}`);
      },
    });
    for await (const entry of entries) seen.push(`read ${entry.name}`);
    expect(seen).toEqual(
      messages.flatMap(({ messageUUID, xml }) => [
        `${messageUUID}.xml ${xml.length}`,
        `read ${messageUUID}.xml`,
      ]),
    );
  });

  it('is waited for when it returns a promise', async () => {
    const container = await containerOf([letter(1), letter(2)]);
    let released = false;
    const release = (resolve: () => void): void => {
      released = true;
      resolve();
    };
    const entries = readContainer(container, {
      beforeEntry: () => new Promise<void>((resolve) => setTimeout(() => release(resolve), 20)),
    });
    for await (const _ of entries) expect(released).toBe(true);
  });

  it('stops the reading with what it throws, passed on as it is, not as a ContainerError', async () => {
    const container = await containerOf([letter(1), letter(2)]);
    const refusal = new Error('no room for it');
    let calls = 0;
    const read: ContainerEntry[] = [];
    const caught = await (async () => {
      for await (const entry of readContainer(container, {
        beforeEntry: () => {
          if (++calls === 2) throw refusal;
        },
      }))
        read.push(entry);
    })().catch((error: unknown) => error);
    expect(caught).toBe(refusal);
    expect(read).toHaveLength(1);
  });

  it('is not asked about entries that are not files', async () => {
    const container = await tarLzma([
      { name: 'folder/', body: new Uint8Array(0), type: 'directory' },
      { name: `${randomUUID()}.xml`, body: Buffer.from('<x/>') },
    ]);
    const sizes: number[] = [];
    await collect(readContainer(container, { beforeEntry: ({ size }) => void sizes.push(size) }));
    expect(sizes).toEqual([4]);
  });
});

/**
 * Runs `script` (an ES module body) in a fresh Node process, where `container` is this folder's
 * container.ts, and returns what it printed as JSON. A fresh process, so its memory is its own.
 */
function runChild(script: string, timeout = 60_000): Record<string, number | string> {
  const containerUrl = pathToFileURL(join(import.meta.dirname, 'container.ts')).href;
  const prelude = `import * as container from ${JSON.stringify(containerUrl)};
import { randomBytes, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
const MiB = 1024 * 1024;
`;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', prelude + script], {
    encoding: 'utf8',
    timeout,
  });
  if (result.status !== 0) throw new Error(`child failed (${result.status}): ${result.stderr}`);
  return JSON.parse(result.stdout.trim().split('\n').at(-1)!);
}

describe('bounded cost, measured in a child process', () => {
  let folder: string;
  let bomb: string;

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), 'digitalpost-bomb-'));
    bomb = join(folder, 'bomb.tar.lzma');
    // 1 GiB of zeros compresses to about 150 KB. Declared with NgDP's 128 MiB dictionary.
    const zeros = Buffer.alloc(64 * MiB);
    const compressed = Buffer.concat(
      await collect(
        compressLzmaAlone(
          Array.from({ length: 16 }, () => zeros),
          { level: 0 },
        ),
      ),
    );
    compressed.writeUInt32LE(128 * MiB, 1);
    writeFileSync(bomb, compressed);
  }, 60_000);
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('stops a container that decompresses to 1 GiB at maxTotalBytes, having read little of it, in little memory', () => {
    const size = statSync(bomb).size;
    expect(size).toBeLessThan(MiB);
    const result = runChild(`
const before = process.memoryUsage().rss;
const file = createReadStream(${JSON.stringify(bomb)}, { highWaterMark: 1024 });
let pulled = 0;
async function* counted() {
  for await (const chunk of file) {
    pulled += chunk.length;
    yield chunk;
  }
}
let code = 'none';
let message = '';
try {
  for await (const entry of container.readContainer(counted(), { maxTotalBytes: 64 * MiB })) {}
} catch (error) {
  ({ code, message } = error);
}
file.destroy();
console.log(JSON.stringify({
  code,
  message,
  pulled,
  growthMB: (process.resourceUsage().maxRSS * 1024 - before) / MiB,
}));`);
    expect(result.code).toBe('CONTAINER_TOO_LARGE');
    expect(result.message).toContain(`more than ${64 * MiB} bytes uncompressed`);
    // 64 MiB is a sixteenth of what is inside: most of the compressed bytes were never even read.
    expect(result.pulled).toBeLessThan(size / 4);
    // The window grows with the data, to 64 MiB here: far from the 128 MiB declared, or the 1 GiB inside.
    expect(result.growthMB).toBeLessThan(120);
  });

  it('writes 12 000 messages in flat memory', () => {
    const result = runChild(
      `
const count = 12_000;
let baseline = 0;
let peak = 0;
let compressed = 0;
let xmlBytes = 0;
const recipients = ['Jens Jensen', 'Karin Hansen', 'Mette Nielsen', 'Søren Madsen'];
function* messages() {
  for (let i = 0; i < count; i++) {
    // About 4 KB each: XML that varies a little, and a PDF that does not compress. Holding them
    // all would cost 48 MB.
    const uuid = randomUUID();
    const text = Array.from({ length: 30 }, (_, j) => '<Line n="' + j + '">Afgørelse ' + i + ' til ' + recipients[(i + j) % 4] + '</Line>').join('');
    const xml = Buffer.from('<?xml version="1.0" encoding="utf-8"?><Message><MessageUUID>' + uuid + '</MessageUUID>' + text + '<Content>' + randomBytes(1800).toString('base64') + '</Content></Message>');
    xmlBytes += xml.length;
    const rss = process.memoryUsage().rss;
    if (i === 1500) baseline = rss;
    if (i > 1500) peak = Math.max(peak, rss);
    yield { messageUUID: uuid, xml };
  }
}
for await (const chunk of container.writeContainer(messages())) compressed += chunk.length;
console.log(JSON.stringify({ growthMB: (peak - baseline) / MiB, xmlMB: xmlBytes / MiB, compressedMB: compressed / MiB }));`,
      120_000,
    );
    expect(result.xmlMB).toBeGreaterThan(45);
    expect(result.growthMB).toBeLessThan(40);
  }, 150_000);
});

describe('containerWindowBytes', () => {
  it('is the dictionary the header declares, within the declared size and maxTotalBytes', async () => {
    const container = await containerOf([letter(1)], { compressionLevel: 1 });
    expect(containerWindowBytes(container, 2 * 1024 * MiB)).toBe(MiB);
    expect(containerWindowBytes(container, 1000)).toBe(1000);
    const sized = Buffer.from(container);
    sized.writeBigUInt64LE(5000n, 5);
    expect(containerWindowBytes(sized, 2 * 1024 * MiB)).toBe(5000);
  });

  it('is 0 for what the reader refuses at once: not LZMA, too large a dictionary, too short', () => {
    expect(containerWindowBytes(Buffer.from('this is not LZMA at all'), MiB)).toBe(0);
    const huge = Buffer.alloc(13);
    huge[0] = 0x5d;
    huge.writeUInt32LE(0xffff_ffff, 1);
    expect(containerWindowBytes(huge, 1024 * MiB)).toBe(0);
    expect(containerWindowBytes(Buffer.alloc(5), MiB)).toBe(0);
  });
});
