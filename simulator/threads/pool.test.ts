/**
 * The MeMo work on worker threads (`pool.ts`): the same readings as on the calling thread, the bytes
 * handed back, containers read one entry at a time against the memory budget, and a thread that
 * runs out of memory taking only its own MeMo down.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { type ContainerInput, writeContainer } from '../../sdk/memo/container.ts';
import { serializeMemoToBytes } from '../../sdk/memo/writer.ts';
import { minimalMemo } from '../../test/support/memos.ts';
import { type EntryRead, InlineMemoWork, type MemoWork } from '../engine/memo-work.ts';
import { MemoryBudget } from '../engine/memory-budget.ts';
import { DEFAULT_ENGINE_SETTINGS } from '../engine/settings.ts';
import { WorkerMemoWork } from './pool.ts';

const limits = DEFAULT_ENGINE_SETTINGS.container;
const open: MemoWork[] = [];

afterEach(async () => {
  for (const work of open.splice(0)) await work.close();
});

function pool(options: Partial<ConstructorParameters<typeof WorkerMemoWork>[0]> = {}): WorkerMemoWork {
  const work = new WorkerMemoWork({ rules: {}, threads: 1, inlineBelow: 0, ...options });
  open.push(work);
  return work;
}

/** A MeMo of about `size` bytes (its main document fills it), with its own messageUUID. */
function memoOf(size = 1000, label = 'Brev'): { messageUUID: string; xml: Buffer } {
  const memo = minimalMemo('1.2');
  const messageUUID = randomUUID();
  memo.messageHeader = { ...memo.messageHeader, messageUUID, label };
  const file = memo.messageBody?.mainDocument.files[0];
  if (file !== undefined) file.content = Buffer.alloc(Math.floor((size * 3) / 4), 'x');
  return { messageUUID, xml: serializeMemoToBytes(memo) };
}

async function containerOf(entries: ContainerInput[]): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of writeContainer(entries)) chunks.push(chunk);
  return Buffer.concat(chunks);
}

async function entriesOf(work: MemoWork, container: Buffer, budget = new MemoryBudget(1 << 30)) {
  const hold = budget.hold('the container');
  const entries: EntryRead[] = [];
  for await (const entry of work.readContainer(container, { limits, hold })) entries.push(entry);
  return { entries, held: hold.bytes };
}

describe('a MeMo read on a worker thread', () => {
  it('reads as on the calling thread, and its bytes come back unchanged', async () => {
    const { xml } = memoOf(200_000);
    const original = Buffer.from(xml);
    const expected = await new InlineMemoWork({}).read(Buffer.from(xml));

    const read = await pool().read(xml);

    expect(read).toEqual({ ...expected, xml: original });
  });

  it('says why a MeMo cannot be read, as on the calling thread', async () => {
    const read = await pool().read(Buffer.from('<not-a-memo/>'));
    expect(read).toMatchObject({ unreadable: expect.stringContaining('root element') });
  });

  it('carries the INVALID receipt of a MeMo that breaks the rules', async () => {
    const memo = minimalMemo('1.2');
    memo.messageHeader = { ...memo.messageHeader, label: 'x'.repeat(300) };
    const read = await pool().read(serializeMemoToBytes(memo));
    expect(read).toMatchObject({ digest: { invalid: { status: 'INVALID', code: 'MEMO_SCHEMA_INVALID' } } });
  });

  it('is refused, not fatal, when reading it needs more memory than a thread may have', async () => {
    const lines: string[] = [];
    const work = pool({
      heapLimitMb: 32,
      module: new URL('../../test/support/greedy-thread.ts', import.meta.url),
      log: (line) => lines.push(line),
    });

    const read = await work.read(memoOf(100_000).xml);

    expect(read).toEqual({
      xml: new Uint8Array(0),
      unreadable: expect.stringContaining('more memory than the 32 MiB the simulator allows'),
    });
    expect(lines).toEqual([expect.stringMatching(/^a MeMo thread ended: /)]);
  }, 30_000);

  it('takes the next job on a new thread after one died', async () => {
    const work = pool({
      heapLimitMb: 32,
      module: new URL('../../test/support/greedy-thread.ts', import.meta.url),
    });
    await work.read(memoOf(100_000).xml);
    // The stand-in dies on every job; that the second is answered at all shows a new thread took it.
    expect(await work.read(memoOf(100_000).xml)).toMatchObject({ unreadable: expect.any(String) });
  }, 30_000);

  it('reads small MeMos on the calling thread, handing back the very bytes given', async () => {
    const { xml } = memoOf(1000);
    const read = await new WorkerMemoWork({ rules: {}, inlineBelow: 64 * 1024 }).read(xml);
    expect(read.xml).toBe(xml);
  });
});

describe('when no thread can start', () => {
  it('reads on the calling thread instead, and says so once in the log', async () => {
    const lines: string[] = [];
    const work = pool({
      module: new URL('./no-such-module.js', import.meta.url),
      log: (line) => lines.push(line),
    });
    const { xml } = memoOf(100_000);
    const container = await containerOf([memoOf(1000)]);

    expect(await work.read(Buffer.from(xml))).toHaveProperty('digest');
    expect((await entriesOf(work, container)).entries).toHaveLength(1);
    expect(await work.read(Buffer.from(xml))).toHaveProperty('digest');
    expect(lines).toEqual([
      expect.stringMatching(
        /^MeMo threads cannot start .*; reading MeMos and containers on the main thread$/,
      ),
    ]);
  });
});

describe('a container read on a worker thread', () => {
  it('yields the same entries as on the calling thread, in order', async () => {
    const entries = [memoOf(500), memoOf(300_000), { messageUUID: randomUUID(), xml: Buffer.from('junk') }];
    const container = await containerOf(entries);
    const inline = await entriesOf(new InlineMemoWork({}), Buffer.from(container));

    const threaded = await entriesOf(pool(), container);

    expect(threaded.entries).toEqual(inline.entries);
    expect(threaded.held).toBe(inline.held);
  });

  it("charges every entry's size to the hold", async () => {
    const entries = Array.from({ length: 100 }, () => memoOf(2000));
    const container = await containerOf(entries);
    const { held } = await entriesOf(pool(), container);
    const bom = 3;
    expect(held).toBe(entries.reduce((sum, entry) => sum + entry.xml.length + bom, 0));
  });

  it('stops with the refusal when the budget has no room for an entry, before decoding it', async () => {
    const budget = new MemoryBudget(1 << 20);
    budget.hold('others').grow(900_000);
    const container = await containerOf([memoOf(500), memoOf(400_000), memoOf(500)]);

    const reading = entriesOf(pool(), container, budget);

    await expect(reading).rejects.toMatchObject({ kind: 'unavailable', code: 'SERVICE_UNAVAILABLE' });
    // The first entry is held (its reader releases it); the second was never charged.
    expect(budget.used - 900_000).toBeLessThan(10_000);
  });

  it('refuses a container that cannot be read with a ContainerError', async () => {
    await expect(entriesOf(pool(), Buffer.from('not LZMA at all, not at all'))).rejects.toMatchObject({
      name: 'ContainerError',
      code: 'CONTAINER_UNREADABLE',
    });
  });

  it('stops decoding when its reader stops early, and the thread takes the next job', async () => {
    const work = pool();
    const container = await containerOf(Array.from({ length: 50 }, () => memoOf(1000)));
    const hold = new MemoryBudget(1 << 30).hold('the container');
    for await (const _ of work.readContainer(container, { limits, hold })) break;

    expect(await work.read(memoOf(100_000).xml)).toHaveProperty('digest');
  });
});
