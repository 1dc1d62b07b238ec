import { describe, expect, it } from 'vitest';
import { OutWindow } from './window.ts';

const MiB = 1024 * 1024;

describe('OutWindow', () => {
  it('starts at 64 KiB for a 128 MiB dictionary, so a small stream costs little', () => {
    const window = new OutWindow(128 * MiB);
    expect(window.buffer.length).toBe(64 * 1024);
  });

  it('starts no larger than its dictionary', () => {
    expect(new OutWindow(4096).buffer.length).toBe(4096);
  });

  it('doubles only when the data fills it, keeping every byte', () => {
    const window = new OutWindow(128 * MiB);
    for (let i = 0; i < 200_000; i++) {
      window.writeLimit(Number.MAX_SAFE_INTEGER);
      window.put(i & 0xff);
      window.take();
    }
    expect(window.buffer.length).toBe(256 * 1024);
    expect(window.byteAt(200_000)).toBe(0);
    expect(window.byteAt(1)).toBe((200_000 - 1) & 0xff);
  });

  it('wraps at its full size and still reaches back a whole dictionary', () => {
    const window = new OutWindow(4096);
    for (let i = 0; i < 10_000; i++) {
      window.writeLimit(Number.MAX_SAFE_INTEGER);
      window.put(i % 251);
      window.take();
    }
    expect(window.buffer.length).toBe(4096);
    expect(window.reaches(4096)).toBe(true);
    expect(window.reaches(4097)).toBe(false);
    expect(window.byteAt(4096)).toBe((10_000 - 4096) % 251);
  });

  it('reaches back only as far as has been written before it wraps', () => {
    const window = new OutWindow(4096);
    window.writeLimit(64);
    window.put(1);
    window.put(2);
    expect(window.reaches(2)).toBe(true);
    expect(window.reaches(3)).toBe(false);
  });

  it('copies an overlapping match as a run', () => {
    const window = new OutWindow(4096);
    window.writeLimit(64);
    window.put(7);
    window.put(8);
    window.copy(2, 5);
    expect([...window.take()]).toEqual([7, 8, 7, 8, 7, 8, 7]);
  });

  it('limits untaken bytes to the chunk size and to the end of the buffer', () => {
    const window = new OutWindow(4096);
    expect(window.writeLimit(1000)).toBe(1000);
    window.copy(1, 0);
    for (let i = 0; i < 1000; i++) window.put(0);
    expect(window.writeLimit(1_000_000)).toBe(4096);
  });
});
