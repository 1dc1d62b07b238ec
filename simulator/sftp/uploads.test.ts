/**
 * The files of `/in` (`uploads.ts`): writes at any offset, the per-file limit, and the memory budget
 * they are held against.
 */
import { describe, expect, it } from 'vitest';
import { MemoryBudget } from '../engine/memory-budget.ts';
import { Upload, UploadFolders } from './uploads.ts';

const roomy = (): MemoryBudget => new MemoryBudget(1 << 30);
const uploadIn = (budget: MemoryBudget, name = 'a.part'): Upload => new Upload(name, 0, budget.hold(name));

describe('an upload', () => {
  it('appends writes in order and refuses one past the limit, keeping what it has', () => {
    const upload = uploadIn(roomy());
    expect(upload.write(Buffer.from('abc'), 0, 5, 1)).toBeUndefined();
    expect(upload.write(Buffer.from('de'), undefined, 5, 2)).toBeUndefined();
    expect(upload.write(Buffer.from('f'), 5, 5, 3)).toMatchObject({
      kind: 'too-large',
      code: 'MESSAGE_TOO_LARGE',
    });
    expect(upload.bytes().toString()).toBe('abcde');
    expect(upload.modifiedAt).toBe(2);
  });

  it('takes writes at other offsets: over what it has, and past its end with zeros between', () => {
    const upload = uploadIn(roomy());
    upload.write(Buffer.from('abcdef'), 0, 100, 1);
    upload.write(Buffer.from('XY'), 2, 100, 1);
    upload.write(Buffer.from('Z'), 8, 100, 1);
    expect(upload.bytes()).toEqual(Buffer.from('abXYef\0\0Z'));
    expect(upload.size).toBe(9);
  });

  it('reads back what was written at any offset before it is put together', () => {
    const upload = uploadIn(roomy());
    upload.write(Buffer.from('efgh'), 4, 100, 1);
    upload.write(Buffer.from('abcd'), 0, 100, 1);
    upload.write(Buffer.from('XY'), 3, 100, 1);
    expect(upload.read(2, 4).toString()).toBe('cXYf');
    expect(upload.read(6, 100).toString()).toBe('gh');
    expect(upload.read(8, 1)).toHaveLength(0);
  });

  it('keeps its own copy of what was written', () => {
    const upload = uploadIn(roomy());
    const data = Buffer.from('abc');
    upload.write(data, 0, 100, 1);
    data.fill(0);
    expect(upload.bytes().toString()).toBe('abc');
  });

  it('costs the same written backwards as forwards: each write copies only itself', () => {
    const block = 32 * 1024;
    const blocks = 1024; // 32 MiB
    const source = Buffer.alloc(block * blocks);
    for (let i = 0; i < blocks; i++) source.fill(i & 0xff, i * block, (i + 1) * block);
    const time = (order: number[]): number => {
      const upload = uploadIn(roomy());
      const start = performance.now();
      for (const i of order) upload.write(source.subarray(i * block, (i + 1) * block), i * block, 1 << 30, 1);
      expect(upload.bytes().equals(source)).toBe(true);
      return performance.now() - start;
    };
    const forwards = [...Array(blocks).keys()];
    const forwardsMs = time(forwards);
    const backwardsMs = time(forwards.toReversed());
    // Copying the whole file on every write took 44 s for this; in order it takes well under 1 s.
    expect(backwardsMs).toBeLessThan(Math.max(10 * forwardsMs, 2_000));
  });

  it('holds its bytes against the memory budget, and gives them back when discarded', () => {
    const budget = roomy();
    const upload = uploadIn(budget);
    upload.write(Buffer.alloc(1000), 0, 1 << 20, 1);
    upload.write(Buffer.alloc(500), undefined, 1 << 20, 1);
    expect(budget.used).toBe(1500);
    upload.bytes();
    expect(budget.used).toBe(1500);
    upload.discard();
    expect(budget.used).toBe(0);
    expect(upload.write(Buffer.alloc(10), undefined, 1 << 20, 1)).toBeUndefined();
    expect(budget.used).toBe(0);
  });

  it('refuses a write the budget has no room for now, keeping what it has', () => {
    const budget = new MemoryBudget(1000);
    const other = budget.hold('another upload');
    other.grow(600);
    const upload = uploadIn(budget);
    expect(upload.write(Buffer.alloc(300), 0, 1 << 20, 1)).toBeUndefined();
    expect(upload.write(Buffer.alloc(300), undefined, 1 << 20, 1)).toMatchObject({
      kind: 'unavailable',
      code: 'SERVICE_UNAVAILABLE',
    });
    expect(upload.size).toBe(300);
  });

  it('merges rewrites of the same bytes, so that they do not pile up', () => {
    const budget = roomy();
    const upload = uploadIn(budget);
    const block = Buffer.alloc(64 * 1024, 1);
    for (let i = 0; i < 200; i++) upload.write(block, 0, 1 << 20, 1);
    expect(budget.used).toBeLessThan(2 * block.length + 1024 * 1024 + block.length);
    expect(upload.bytes().equals(block)).toBe(true);
  });
});

describe('the /in folders', () => {
  it('give back every upload’s memory on a reset', () => {
    const budget = roomy();
    const folders = new UploadFolders();
    const upload = uploadIn(budget);
    folders.of('system').set(upload.name, upload);
    upload.write(Buffer.alloc(2048), 0, 1 << 20, 1);
    folders.clear();
    expect(budget.used).toBe(0);
    expect(folders.of('system').size).toBe(0);
  });
});
