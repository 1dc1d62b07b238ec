/**
 * What importing the package costs before anything is called. A formatter with a time zone makes ICU
 * load its time-zone data (≈ 9 MiB of RSS on Node 24), so none may be made when a module loads:
 * each entry point is imported in a fresh process that counts `Intl.DateTimeFormat` constructions.
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
