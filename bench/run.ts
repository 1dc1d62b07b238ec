/**
 * `npm run bench [-- [names…] [--json] [--quick]]`: runs every `bench/*.bench.ts`, or those whose file
 * name contains one of the given names, one after the other, each in its own `node --expose-gc`
 * process. Flags are passed through to the scripts (`--json`: one JSON object per line).
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const argv = process.argv.slice(2);
const flags = argv.filter((arg) => arg.startsWith('-'));
const names = argv.filter((arg) => !arg.startsWith('-'));
const json = flags.includes('--json');

const directory = import.meta.dirname;
const files = readdirSync(directory)
  .filter((file) => file.endsWith('.bench.ts'))
  .filter((file) => names.length === 0 || names.some((name) => file.includes(name)))
  .sort();

if (files.length === 0) {
  process.stderr.write(
    `bench: no bench/*.bench.ts matches ${names.map((n) => `"${n}"`).join(', ') || 'anything'}\n`,
  );
  process.exit(1);
}

let failed = 0;
for (const file of files) {
  if (!json) process.stdout.write(`# ${file}\n\n`);
  const child = spawnSync(process.execPath, ['--expose-gc', join(directory, file), ...flags], {
    stdio: 'inherit',
  });
  if (child.status !== 0) {
    failed++;
    process.stderr.write(`bench: ${file} failed (${child.signal ?? `exit ${child.status}`})\n`);
  }
}
process.exitCode = failed > 0 ? 1 : 0;
