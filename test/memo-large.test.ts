import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { serializeMemoToBytes } from '../sdk/memo/writer.ts';
import { minimalMemo } from './support/memos.ts';

const run = promisify(execFile);
let dir: string | undefined;

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('a 99 MB MeMo', () => {
  it('parses with memory growth of at most about one copy of itself', async () => {
    dir = await mkdtemp(join(tmpdir(), 'memo-large-'));
    const memo = minimalMemo('1.2');
    const content = randomBytes(74 * 1024 * 1024);
    const file = memo.messageBody?.mainDocument.files[0];
    if (file) file.content = content;
    const path = join(dir, 'large.xml');
    await writeFile(path, serializeMemoToBytes(memo, { indent: 2 }));

    const probe = new URL('./support/parse-file.ts', import.meta.url).pathname;
    const { stdout } = await run(process.execPath, ['--expose-gc', probe, path], { maxBuffer: 1 << 20 });
    const result = JSON.parse(stdout) as {
      inputBytes: number;
      rssBeforeBytes: number;
      peakRssBytes: number;
      contentBytes: number;
    };

    expect(result.inputBytes).toBeGreaterThan(99 * 1000 * 1000);
    expect(result.contentBytes).toBe(content.length);
    // The decoded files (3/4 of the input) must exist; everything else is slices and small strings.
    const growth = result.peakRssBytes - result.rssBeforeBytes;
    expect(growth).toBeLessThan(1.25 * result.inputBytes);
  }, 60_000);
});
