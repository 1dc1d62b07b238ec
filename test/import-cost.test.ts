/**
 * What importing the package costs before anything is called. A formatter with a time zone makes ICU
 * load its time-zone data (≈ 9 MiB of RSS on Node 24), so none may be made when a module loads:
 * each entry point is imported in a fresh process that counts `Intl.DateTimeFormat` constructions.
 * Heavy dependencies are loaded on first use, not on import: the LZMA addon when a container is
 * written, tar-stream when one is read, undici when a request goes out, busboy when an upload is
 * received (docs/performance.md, "Import cost and package size"; the time and memory are measured in
 * bench/import.bench.ts).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');

function formattersMadeByImporting(entry: string): number {
  const script = `
    let made = 0;
    const Original = Intl.DateTimeFormat;
    Intl.DateTimeFormat = new Proxy(Original, {
      construct(target, args) { made++; return Reflect.construct(target, args); },
      apply(target, self, args) { made++; return Reflect.apply(target, self, args); },
    });
    await import(${JSON.stringify(pathToFileURL(join(ROOT, entry)).href)});
    process.stdout.write(String(made));
  `;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`importing ${entry} failed: ${result.stderr}`);
  return Number(result.stdout);
}

describe('importing the package', () => {
  it.each(['sdk/index.ts', 'sdk/memo/index.ts', 'simulator/index.ts'])(
    '%s makes no date formatter',
    (entry) => {
      expect(formattersMadeByImporting(entry)).toBe(0);
    },
  );

  it('the counting works: formatting a value date makes one', () => {
    const script = `
      let made = 0;
      const Original = Intl.DateTimeFormat;
      Intl.DateTimeFormat = new Proxy(Original, { construct(t, a) { made++; return Reflect.construct(t, a); } });
      const { toCopenhagenDate } = await import(${JSON.stringify(pathToFileURL(join(ROOT, 'sdk/memo/index.ts')).href)});
      toCopenhagenDate(new Date('2026-03-29T22:30:00Z'));
      toCopenhagenDate(new Date('2026-03-29T23:30:00Z'));
      process.stdout.write(String(made));
    `;
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('1');
  });
});

/**
 * The packages of node_modules loaded in a fresh process after `script` (an ES module that may use
 * `ENTRY`, the entry point's URL): those Node's CommonJS loader holds, which is how every one of
 * these dependencies loads, from `import` too.
 */
function packagesLoadedBy(entry: string, script: string): string[] {
  const program = `
    import { createRequire } from 'node:module';
    const ENTRY = ${JSON.stringify(pathToFileURL(join(ROOT, entry)).href)};
    ${script}
    process.stdout.write(JSON.stringify(Object.keys(createRequire(import.meta.url).cache)));
  `;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', program], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`the script failed: ${result.stderr}`);
  const names = (JSON.parse(result.stdout) as string[]).map(
    (file) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(file)?.[1],
  );
  return [...new Set(names.filter((name) => name !== undefined))].sort();
}

/** Loaded only when used: what a plain import must leave alone. */
const ON_FIRST_USE = ['@napi-rs/lzma', 'tar-stream', 'undici', 'busboy'];

describe('a dependency loaded only when it is used', () => {
  it.each(['sdk/index.ts', 'sdk/memo/index.ts'])(
    '%s loads neither the LZMA addon nor tar-stream, undici or busboy',
    (entry) => {
      const loaded = packagesLoadedBy(entry, 'await import(ENTRY);');
      for (const name of ON_FIRST_USE) expect(loaded).not.toContain(name);
    },
  );

  it('writing a container loads the LZMA addon (the check above sees it when it is there)', () => {
    const loaded = packagesLoadedBy(
      'sdk/memo/index.ts',
      `
      const { writeContainer } = await import(ENTRY);
      for await (const _ of writeContainer([])) {}
      `,
    );
    expect(loaded).toContain('@napi-rs/lzma');
  });

  it('reading a container loads tar-stream, not the LZMA addon (reading decodes in JavaScript)', () => {
    const loaded = packagesLoadedBy(
      'sdk/memo/index.ts',
      `
      const { readContainer } = await import(ENTRY);
      const empty = Buffer.from('5d00001000ffffffffffffffff00', 'hex');
      try { for await (const _ of readContainer(empty)) {} } catch {}
      `,
    );
    expect(loaded).toContain('tar-stream');
    expect(loaded).not.toContain('@napi-rs/lzma');
  });
});
